#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""criu benchmarks: figures, not pass/fail.

For each workload, the median of several runs of: dump wall time, restore
wall time, the time the tree stays frozen during dump, the round trip (dump
start to the restored tree running), image size and criu's peak RSS (dump
and restore); and, measured in the same run, the limits they are compared
with (see README.md for what each ratio means).

    python3 run.py [--criu PATH] [--commit NAME] [--out DIR] [--quick]
                   [--only REGEX] [--reps N]

Environment: BENCH_QUICK=1 is --quick, BENCH_ONLY=REGEX is --only,
BENCH_REPS=N forces N runs of everything.

The driver is a child subreaper: a dumped tree is killed by criu, and its
pids are free again only once somebody reaps it; the machine's PID 1 does so
late. criu runs under ./timeit, which forks it and takes its status, wall
time, CPU time and peak RSS from wait4() (see timeit.c for why not from
here); the driver reaps orphans only while no criu of its own is running.
"""

import argparse
import ctypes
import csv
import json
import os
import re
import shutil
import signal
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PR_SET_CHILD_SUBREAPER = 36
MiB = 1 << 20
GiB = 1 << 30

DISK_ROOT = "/var/tmp/criu-bench"
TMPFS_ROOT = "/dev/shm/criu-bench"


# ---------------------------------------------------------------------------
# Workloads
# ---------------------------------------------------------------------------

class Workload:
    def __init__(self, name, group, kind, args, fs, reps, quick_reps=0, items=None,
                 touched=0, tick=True, timeout=300):
        self.name = name        # row label
        self.group = group      # series for the growth summary
        self.kind = kind        # workload.c kind
        self.args = args
        self.fs = fs            # "tmpfs" or "disk"
        self.reps = reps
        self.quick_reps = quick_reps    # 0: not in the quick subset
        self.items = items      # N of a scale series
        self.touched = touched  # bytes of page data (for the cold limits)
        self.tick = tick
        self.timeout = timeout  # seconds for one criu command


def workloads():
    w = []
    for fs in ("tmpfs", "disk"):
        for mib, reps, qreps in ((64, 5, 3), (256, 5, 0), (1024, 3, 0), (4096, 3, 0)):
            label = "%d MiB" % mib if mib < 1024 else "%d GiB" % (mib // 1024)
            w.append(Workload("mem %s" % label, "mem-" + fs, "mem", [mib, 100], fs, reps,
                              qreps if fs == "tmpfs" else (qreps and 1),
                              items=mib, touched=mib * MiB, timeout=60 + mib // 8))
        # 10% of the pages: one page at a time (the worst case: every page
        # is a run of its own), and in runs of 64 pages (256 KiB)
        w.append(Workload("mem 1 GiB 10%", "sparse-" + fs, "mem", [1024, 10, 1], fs, 3,
                          1 if fs == "tmpfs" else 0, items=1024, timeout=200))
        w.append(Workload("mem 1 GiB 10% x64", "sparse-" + fs, "mem", [1024, 10, 64], fs, 3,
                          0, items=1024, timeout=200))
    w.append(Workload("tiny", "tiny", "tiny", [], "tmpfs", 10, 5, tick=False))
    for n, reps, q in ((1, 5, 3), (10, 5, 3), (100, 3, 0), (500, 3, 0)):
        w.append(Workload("procs %d" % n, "procs", "procs", [n], "tmpfs", reps, q, items=n))
    for n, reps, q in ((10, 5, 3), (1000, 5, 3), (10000, 3, 0)):
        w.append(Workload("fds %d" % n, "fds", "fds", [n], "tmpfs", reps, q, items=n))
    for n, reps, q in ((10, 5, 3), (1000, 5, 3), (20000, 3, 0)):
        w.append(Workload("maps %d" % n, "maps", "maps", [n], "tmpfs", reps, q, items=n))
    for n, reps, q in ((1, 5, 3), (16, 5, 3), (256, 3, 0)):
        w.append(Workload("threads %d" % n, "threads", "threads", [n], "tmpfs", reps, q,
                          items=n))
    return w


# ---------------------------------------------------------------------------
# Children
# ---------------------------------------------------------------------------

class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def become_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        e = ctypes.get_errno()
        sys.exit("run.py: prctl(PR_SET_CHILD_SUBREAPER): %s" % os.strerror(e))


def spawn(argv, out):
    """Start argv: stdin /dev/null, stdout and stderr to file @out."""
    acts = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
            (os.POSIX_SPAWN_DUP2, 1, 2)]
    return os.posix_spawn(argv[0], argv, os.environ, file_actions=acts)


def wait_child(pid, timeout):
    """(raw status, rusage, timed_out) of our child @pid; SIGKILL at @timeout."""
    old = signal.signal(signal.SIGALRM, _alarm)
    timed_out = False
    try:
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            _, st, ru = os.wait4(pid, 0)
        except Timeout:
            timed_out = True
            signal.setitimer(signal.ITIMER_REAL, 0)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _, st, ru = os.wait4(pid, 0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    return st, ru, timed_out


class Run:
    """Outcome of one command run under ./timeit."""
    def __init__(self, kv):
        self.status = int(kv.get("status", -1))
        self.t0 = int(kv.get("start_ns", 0))
        self.t1 = int(kv.get("end_ns", 0))
        self.maxrss = int(kv.get("maxrss_kb", 0)) * 1024
        self.timed_out = kv.get("timed_out") == "1"
        self.cpu = (int(kv.get("user_us", 0)) + int(kv.get("sys_us", 0))) / 1e6
        self.sys = int(kv.get("sys_us", 0)) / 1e6

    @property
    def ok(self):
        return not self.timed_out and self.status == 0

    @property
    def seconds(self):
        return (self.t1 - self.t0) / 1e9


def timed(argv, out, timeout):
    """Run @argv under ./timeit (output to file @out): a Run."""
    res = out + ".timeit"
    try:
        os.unlink(res)
    except FileNotFoundError:
        pass
    pid = spawn([os.path.join(HERE, "timeit"), str(int(timeout)), res] + argv, out)
    wait_child(pid, timeout + 30)
    try:
        return Run(read_kv(res))
    except (OSError, ValueError):
        return Run({"timed_out": "1"})


def reap_orphans():
    """Reap whatever has died: adopted orphans, workload launchers."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG | 0x40000000)   # __WALL
        except ChildProcessError:
            return
        if pid == 0:
            return


def tree_ids(root):
    """Every pid and tid of the tree under @root (restore needs them all)."""
    ids, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in ids:
            continue
        ids.add(pid)
        try:
            tids = os.listdir("/proc/%d/task" % pid)
        except OSError:
            continue
        for t in tids:
            ids.add(int(t))
            try:
                with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                    todo.extend(int(c) for c in f.read().split())
            except OSError:
                pass
    return ids


def alive(ids):
    return [i for i in ids if os.path.exists("/proc/%d" % i)]


def wait_gone(ids, timeout=60.0):
    """Reap until no pid/tid of @ids exists any more."""
    end = time.monotonic() + timeout
    while True:
        reap_orphans()
        left = alive(ids)
        if not left:
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.0005)


def kill_tree(root, ids):
    for sig_target in [-root] + sorted(ids):
        try:
            os.kill(sig_target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if not wait_gone(ids, 30):
        print("run.py: warning: pids %s still exist" % alive(ids)[:10], file=sys.stderr)


# ---------------------------------------------------------------------------
# One run
# ---------------------------------------------------------------------------

def first_error(paths, st=None, timed_out=False, timeout=0):
    if timed_out:
        return "FAIL: timed out after %d s" % timeout
    for p in paths:
        try:
            with open(p, errors="replace") as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        for line in lines:
            if "Error" in line:
                return "FAIL: " + re.sub(r"^\(\d+\.\d+\)\s*", "", line).strip()
    if st is not None and st >= 0:
        if os.WIFSIGNALED(st):
            return "FAIL: criu killed by %s" % signal.Signals(os.WTERMSIG(st)).name
        return "FAIL: criu exit %d, no Error line" % os.waitstatus_to_exitcode(st)
    return "FAIL: unknown"


def log_span(path, first, last):
    """Seconds between the -v3 timestamps of the lines matching @first and @last."""
    t = {}
    try:
        with open(path, errors="replace") as f:
            for line in f:
                m = re.match(r"\((\d+\.\d+)\)\s*(.*)", line)
                if not m:
                    continue
                for key in (first, last):
                    if key not in t and m.group(2).startswith(key):
                        t[key] = float(m.group(1))
    except OSError:
        return None
    if first in t and last in t:
        return t[last] - t[first]
    return None


def dir_bytes(d):
    n = 0
    for e in os.scandir(d):
        if e.is_file(follow_symlinks=False) and not e.name.endswith(".log"):
            n += e.stat(follow_symlinks=False).st_size
    return n


def read_kv(path):
    with open(path) as f:
        text = f.read()
    return dict(kv.split("=", 1) for kv in text.split() if "=" in kv)


def wait_file(path, timeout):
    end = time.monotonic() + timeout
    while not os.path.exists(path):
        reap_orphans()
        if time.monotonic() > end:
            return None
        time.sleep(0.002)
    with open(path) as f:
        return f.read().strip()


def loadavg():
    """The 1-minute load average: other work on the machine skews the figures."""
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def settle():
    """Write back dirty pages, then give the disk a moment (the root
    filesystem is mounted with discard): what is left of an earlier run is
    not the next one's cost."""
    os.sync()
    time.sleep(0.2)


def bandwidth(fs_dir, nbytes, warm=0):
    """write/populate/read B/s of @nbytes in @fs_dir, by ./bw, after
    populating and freeing @warm bytes of memory."""
    out = os.path.join(TMPFS_ROOT, "bw.out")
    pid = spawn([os.path.join(HERE, "bw"), "file", fs_dir, str(max(nbytes, 4096)),
                 str(warm)], out)
    st, _, _ = wait_child(pid, 600)
    try:
        if os.waitstatus_to_exitcode(st) == 0:
            return {k: float(v) for k, v in read_kv(out).items()}
    except (OSError, ValueError):
        pass
    return None


class Ctx:
    def __init__(self, criu, out):
        self.criu = criu
        self.out = out
        self.logs = os.path.join(out, "logs")


def run_once(ctx, w, rep, nbytes):
    """One dump + restore of workload @w: a dict of figures, or failures.
    The limits are measured first, for @nbytes (the image size of the run
    before, else the bytes the workload wrote, at least 1 MiB), with the
    workload ready, after populating twice that much memory: the
    measurement and then criu both get memory the host has just backed
    (see README: the host takes free memory back within seconds)."""
    res = {}
    root_dir = TMPFS_ROOT if w.fs == "tmpfs" else DISK_ROOT
    img = os.path.join(root_dir, "img")
    work = os.path.join(TMPFS_ROOT, "run")
    for d in (img, work):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d, mode=0o700)
    ready, result = os.path.join(work, "ready"), os.path.join(work, "result")

    argv = [os.path.join(HERE, "workload")] + (["--tick"] if w.tick else []) + \
        ["--ready", ready, "--result", result, w.kind] + [str(a) for a in w.args]
    launcher = spawn(argv, os.path.join(work, "workload.out"))
    wait_child(launcher, 30)
    text = wait_file(ready, 300)
    if text is None or not text.split()[0].isdigit():
        res["error"] = "FAIL: workload did not start: %s" % (text or "no readiness")
        return res
    root = int(text.split()[0])
    res["touched"] = int(text.split()[1])
    ids = tree_ids(root)      # the workload is built before it says ready

    nbytes = nbytes or max(res["touched"], MiB)
    # warm: the page cache the file test (then the dump) needs, and the
    # anonymous memory the populate test (then the restore) needs
    res["bw"] = bandwidth(root_dir, nbytes, 2 * nbytes)

    os.sync()           # earlier runs' dirty pages are not this run's cost
    dump_log = os.path.join(img, "dump.log")
    d = timed([ctx.criu, "dump", "-t", str(root), "-D", img, "-o", "dump.log", "-v3"],
              os.path.join(work, "dump.out"), w.timeout)
    t0, t1 = d.t0, d.t1
    if not d.ok:
        res["dump_error"] = first_error([dump_log, os.path.join(work, "dump.out")], d.status,
                                        d.timed_out, w.timeout)
        keep_logs(ctx, w, rep, [dump_log, os.path.join(work, "dump.out")])
        kill_tree(root, ids)
        return res
    res["dump_s"] = d.seconds
    res["dump_cpu_s"], res["dump_sys_s"] = d.cpu, d.sys
    res["dump_rss"] = d.maxrss
    res["image"] = dir_bytes(img)
    res["frozen_log_s"] = log_span(dump_log, "Frozen", "Dumped")

    if not wait_gone(ids):
        res["restore_error"] = "FAIL: dumped tree not gone: pids %s" % alive(ids)[:5]
        kill_tree(root, ids)
        return res
    restore_log = os.path.join(img, "restore.log")
    r = timed([ctx.criu, "restore", "-D", img, "-d", "-o", "restore.log", "-v3"],
              os.path.join(work, "restore.out"), w.timeout)
    t2, t3 = r.t0, r.t1
    res["pidwait_s"] = (t2 - t1) / 1e9
    if not r.ok:
        res["restore_error"] = first_error([restore_log, os.path.join(work, "restore.out")],
                                           r.status, r.timed_out, w.timeout)
        keep_logs(ctx, w, rep, [dump_log, restore_log, os.path.join(work, "restore.out")])
        kill_tree(root, ids)
        return res
    res["restore_s"] = r.seconds
    res["restore_cpu_s"], res["restore_sys_s"] = r.cpu, r.sys
    res["restore_rss"] = r.maxrss
    res["roundtrip_s"] = (t3 - t0) / 1e9

    # the restored tree must be the one that was dumped, and running
    reap_orphans()
    missing = [i for i in ids if not os.path.exists("/proc/%d" % i)]
    if missing:
        res["restore_error"] = "FAIL: after restore, %d of %d pids/tids missing (e.g. %d)" % (
            len(missing), len(ids), missing[0])
        keep_logs(ctx, w, rep, [dump_log, restore_log])
        kill_tree(root, ids)
        return res
    try:
        os.kill(root, signal.SIGTERM)
    except ProcessLookupError:
        pass
    text = wait_file(result, 60)
    kill_tree(root, ids)
    if text is None:
        res["restore_error"] = "FAIL: restored workload did not answer SIGTERM"
        keep_logs(ctx, w, rep, [dump_log, restore_log])
        return res
    kv = dict(x.split("=", 1) for x in text.split() if "=" in x)
    if kv.get("verify") == "bad":
        res["restore_error"] = "FAIL: restored memory differs from the dumped one"
        keep_logs(ctx, w, rep, [dump_log, restore_log])
        return res
    if w.tick:
        gs = int(kv.get("gap_start_ns", 0))
        res["gap"] = [t0, t1, gs, int(kv.get("gap_ns", 0)), int(kv.get("ticks", 0))]
        # the last tick before the freeze lies between the start of criu
        # and its end (ticks are 100 us apart)
        if t0 - 5_000_000 <= gs <= t1:
            res["frozen_s"] = (t1 - gs) / 1e9
    if "frozen_s" not in res and res["frozen_log_s"] is not None:
        res["frozen_s"] = res["frozen_log_s"]
        res["frozen_from_log"] = True
    return res


def keep_logs(ctx, w, rep, paths):
    os.makedirs(ctx.logs, exist_ok=True)
    tag = re.sub(r"[^A-Za-z0-9]+", "-", "%s-%s-%d" % (w.name, w.fs, rep)).strip("-")
    for p in paths:
        if os.path.exists(p):
            shutil.copy(p, os.path.join(ctx.logs, "%s-%s" % (tag, os.path.basename(p))))


# ---------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------

FIGS = ("touched", "dump_s", "restore_s", "frozen_s", "frozen_log_s", "roundtrip_s", "pidwait_s",
        "image", "dump_rss", "restore_rss", "dump_cpu_s", "dump_sys_s", "restore_cpu_s",
        "restore_sys_s")
LIMS = ("write_Bps", "populate_Bps", "read_Bps", "read_warm_Bps", "warm_s")


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


REPEAT_BUDGET = 120     # seconds: no further runs of a workload after this
COLD_WAIT = 15          # seconds idle after which the host has taken back free memory


def run_workload(ctx, w, reps, cold=False):
    runs, bws = [], []
    fs_dir = TMPFS_ROOT if w.fs == "tmpfs" else DISK_ROOT
    cold_bw = None
    load_samples = []
    if cold:
        # the same limits with memory the host has taken back (see README)
        time.sleep(COLD_WAIT)
        cold_bw = bandwidth(fs_dir, w.touched)
    start = time.monotonic()
    image = None
    for rep in range(reps):
        if rep and time.monotonic() - start > REPEAT_BUDGET:
            break
        if w.fs == "disk":
            settle()
        load_samples.append(loadavg())
        try:
            r = run_once(ctx, w, rep, image)
        except Exception as e:      # a finding for the table, not a crash
            r = {"error": "FAIL: driver: %s: %s" % (type(e).__name__, e)}
            reap_orphans()
        runs.append(r)
        if r.get("bw"):
            bws.append(r.pop("bw"))
        image = r.get("image") or image
        shutil.rmtree(os.path.join(fs_dir, "img"), ignore_errors=True)
        if "error" in r or "dump_error" in r or "restore_error" in r:
            break       # a failure is a finding, not noise: don't repeat it
    row = {"workload": w.name, "group": w.group, "fs": w.fs, "items": w.items,
           "runs": len(runs), "touched": median([r.get("touched") for r in runs])}
    for k in FIGS:
        row[k] = median([r.get(k) for r in runs])
    row["frozen_from_log"] = any(r.get("frozen_from_log") for r in runs)
    # a limit is the best the machine did during these runs
    for k in LIMS:
        vals = [b.get(k) for b in bws if b.get(k)]
        row[k] = max(vals) if vals else None
    row["cold"] = cold_bw
    errs = [r.get("error") or r.get("dump_error") for r in runs]
    row["dump_error"] = next((e for e in errs if e), None)
    row["restore_error"] = next((r.get("restore_error") for r in runs
                                 if r.get("restore_error")), None)
    if row["dump_error"]:
        row["restore_error"] = row["restore_error"] or "(no dump)"
    row["load"] = max(load_samples) if load_samples else None
    row["samples"] = runs
    row["bandwidth_samples"] = bws
    return row


def add_ratios(row, base):
    """Each figure over its limit (see README.md)."""
    img = row["image"]
    r = {}
    if img and row["write_Bps"]:
        dump_lim = img / row["write_Bps"]
        r["dump_limit_s"] = dump_lim
        r["dump_x"] = row["dump_s"] / dump_lim if row["dump_s"] else None
        r["frozen_x"] = row["frozen_s"] / dump_lim if row["frozen_s"] else None
    if img and row["read_Bps"] and row["populate_Bps"]:
        rest_lim = img / row["populate_Bps"] + img / row["read_Bps"]
        r["restore_limit_s"] = rest_lim
        r["restore_x"] = row["restore_s"] / rest_lim if row["restore_s"] else None
        r["roundtrip_x"] = row["roundtrip_s"] / (r.get("dump_limit_s", 0) + rest_lim) \
            if row["roundtrip_s"] and "dump_limit_s" in r else None
    if img and row["touched"]:
        r["image_x"] = img / row["touched"]
    if base:
        if row["dump_rss"] and base.get("dump_rss"):
            r["dump_rss_x"] = row["dump_rss"] / base["dump_rss"]
        if row["restore_rss"] and base.get("restore_rss"):
            r["restore_rss_x"] = row["restore_rss"] / base["restore_rss"]
    row.update(r)


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def fmt_t(s):
    if s is None:
        return "-"
    if s < 0.01:
        return "%.2fms" % (s * 1e3)
    if s < 1:
        return "%.1fms" % (s * 1e3)
    return "%.2fs" % s


def fmt_b(n):
    if n is None:
        return "-"
    if n < MiB:
        return "%.0fK" % (n / 1024)
    return "%.1fM" % (n / MiB)


def fmt_x(x):
    if x is None:
        return ""
    return "(%.1fx)" % x if x < 100 else "(%.0fx)" % x


def cell(v, x, f):
    return ("%s %s" % (f(v), fmt_x(x))).strip()


def table(rows, machine):
    hdr = ["workload", "fs", "n", "load", "dump", "restore", "frozen", "round trip", "image",
           "rss dump", "rss rest", "write", "popul.", "read"]
    lines = []
    for row in rows:
        g = row.get
        line = [row["workload"], row["fs"], str(row["runs"]),
                "%.1f" % g("load") if g("load") is not None else "-"]
        if row["dump_error"]:
            line += [row["dump_error"]]
            lines.append(line)
            continue
        line += [cell(g("dump_s"), g("dump_x"), fmt_t)]
        if row["restore_error"]:
            line += [row["restore_error"] + "   [dump: frozen %s, image %s, rss %s]" % (
                fmt_t(g("frozen_s")), fmt_b(g("image")), fmt_b(g("dump_rss")))]
            lines.append(line)
            continue
        fz = cell(g("frozen_s"), g("frozen_x"), fmt_t) + ("*" if g("frozen_from_log") else "")
        line += [cell(g("restore_s"), g("restore_x"), fmt_t), fz,
                 cell(g("roundtrip_s"), g("roundtrip_x"), fmt_t),
                 cell(g("image"), g("image_x"), fmt_b),
                 cell(g("dump_rss"), g("dump_rss_x"), fmt_b),
                 cell(g("restore_rss"), g("restore_rss_x"), fmt_b),
                 "%.2f" % (g("write_Bps") / 1e9) if g("write_Bps") else "-",
                 "%.2f" % (g("populate_Bps") / 1e9) if g("populate_Bps") else "-",
                 "%.2f" % (g("read_Bps") / 1e9) if g("read_Bps") else "-"]
        lines.append(line)
    ncol = len(hdr)
    width = [len(h) for h in hdr]
    for ln in lines:
        if len(ln) == ncol:
            for i, c in enumerate(ln):
                width[i] = max(width[i], len(c))
    out = []

    def emit(cells):
        if len(cells) < ncol:     # a failure spans the rest of the row
            head = [c.ljust(width[i]) for i, c in enumerate(cells[:-1])]
            out.append("  ".join(head + [cells[-1]]).rstrip())
        else:
            out.append("  ".join(c.ljust(width[i]) if i < 4 else c.rjust(width[i])
                                 for i, c in enumerate(cells)).rstrip())
    emit(hdr)
    emit(["-" * w for w in width])
    for ln in lines:
        emit(ln)
    return "\n".join(out)


def cold_notes(rows):
    out = ["cold memory, for reference: the limits measured after %d s idle, once the host"
           " has taken back the guest's free memory, against criu's (warm) figures" % COLD_WAIT]
    for r in rows:
        c = r.get("cold")
        if not c or not r.get("image"):
            continue
        img = r["image"]
        dl = img / c["write_Bps"]
        rl = img / c["populate_Bps"] + img / c["read_Bps"]
        out.append("  %-13s %-5s write %.2f, populate %.2f, read %.2f GB/s: limits dump %s,"
                   " restore %s; criu: dump %s, restore %s" % (
                       r["workload"], r["fs"], c["write_Bps"] / 1e9, c["populate_Bps"] / 1e9,
                       c["read_Bps"] / 1e9, fmt_t(dl), fmt_t(rl),
                       cell(r.get("dump_s"), r["dump_s"] / dl if r.get("dump_s") else None,
                            fmt_t),
                       cell(r.get("restore_s"),
                            r["restore_s"] / rl if r.get("restore_s") else None, fmt_t)))
    return "\n".join(out) if len(out) > 1 else ""


def growth(rows):
    """Marginal cost per item between consecutive sizes of each scale series."""
    out = []
    for group, unit in (("procs", "process"), ("fds", "fd"), ("maps", "mapping"),
                        ("threads", "thread"), ("mem-tmpfs", "MiB"), ("mem-disk", "MiB")):
        series = [r for r in rows if r["group"] == group]
        for fig in ("dump_s", "dump_cpu_s", "restore_s", "restore_cpu_s"):
            parts, prev = [], None
            for r in series:
                if r.get(fig) is None:
                    parts.append("%d: %s" % (r["items"], "FAIL"))
                    prev = None
                    continue
                if prev is not None and r["items"] > prev["items"]:
                    d = (r[fig] - prev[fig]) / (r["items"] - prev["items"])
                    parts.append("%d->%d: %s/%s" % (prev["items"], r["items"],
                                                    fmt_t(d), unit))
                prev = r
            if parts:
                out.append("  %-9s %-11s %s" % (group, fig[:-2].replace("_", " "),
                                                 ",  ".join(parts)))
    return "\n".join(out)


def git_commit(d):
    """The commit of the tree criu was built from, read without running git."""
    while d != "/":
        head = os.path.join(d, ".git", "HEAD")
        if os.path.exists(head):
            try:
                with open(head) as f:
                    ref = f.read().strip()
                if ref.startswith("ref: "):
                    name, ref = ref[5:], "?"
                    loose = os.path.join(d, ".git", name)
                    if os.path.exists(loose):
                        with open(loose) as f:
                            ref = f.read().strip()
                    else:
                        with open(os.path.join(d, ".git", "packed-refs")) as f:
                            for line in f:
                                if line.rstrip().endswith(" " + name):
                                    ref = line.split()[0]
                return ref[:12]
            except OSError:
                return "?"
        d = os.path.dirname(d)
    return "?"


def machine_info():
    info = {"nproc": os.cpu_count()}
    try:
        with open("/proc/meminfo") as f:
            info["mem_gib"] = round(int(f.readline().split()[1]) / (1 << 20), 1)
    except (OSError, ValueError, IndexError):
        pass
    info["kernel"] = os.uname().release
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"model name\s*:\s*(.*)", f.read())
            if m:
                info["cpu"] = m.group(1)
    except OSError:
        pass
    return info


def tool(args, timeout=300):
    out = os.path.join(TMPFS_ROOT, "tool.out")
    pid = spawn([os.path.join(HERE, "bw")] + args, out)
    st, _, _ = wait_child(pid, timeout)
    if os.waitstatus_to_exitcode(st) != 0:
        return {}
    return {k: float(v) for k, v in read_kv(out).items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--criu", default=os.path.join(HERE, "..", "criu"))
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--quick", action="store_true",
                    default=os.environ.get("BENCH_QUICK", "") not in ("", "0"))
    ap.add_argument("--only", default=os.environ.get("BENCH_ONLY"),
                    help="regex on 'workload fs'")
    ap.add_argument("--commit", help="name the criu build in the output (default: read"
                    " from the .git next to it)")
    ap.add_argument("--reps", type=int, default=int(os.environ.get("BENCH_REPS", "0") or 0))
    a = ap.parse_args()

    if os.geteuid() != 0:
        sys.exit("run.py: criu needs root")
    become_subreaper()
    for d in (DISK_ROOT, TMPFS_ROOT):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d, mode=0o700)
    # run a private copy: the tree may be rebuilt while the benchmark runs
    src = os.path.realpath(os.path.join(os.getcwd(), a.criu))
    criu = os.path.join(DISK_ROOT, "criu")
    shutil.copy2(src, criu)
    ctx = Ctx(criu, os.path.abspath(a.out))
    shutil.rmtree(ctx.logs, ignore_errors=True)
    os.makedirs(ctx.out, exist_ok=True)

    todo = []
    for w in workloads():
        reps = a.reps or (w.quick_reps if a.quick else w.reps)
        if not reps:
            continue
        if a.only and not re.search(a.only, "%s %s" % (w.name, w.fs)):
            continue
        todo.append((w, reps))

    start = time.monotonic()
    machine = machine_info()
    machine["criu"] = src
    machine["criu_commit"] = a.commit or git_commit(os.path.dirname(src))
    lim = tool(["memcpy", str(GiB)])
    lim.update(tool(["fault", str(256 * MiB)]))
    machine.update(lim)
    print("criu %s benchmarks on %s: %d cores, %s GiB, kernel %s" % (
        machine["criu_commit"], machine.get("cpu", "?"), machine["nproc"],
        machine.get("mem_gib", "?"), machine["kernel"]), flush=True)
    print("memcpy %.1f GB/s; faulting fresh anonymous memory page by page %.2f GB/s" % (
        lim.get("memcpy_Bps", 0) / 1e9, lim.get("fault_Bps", 0) / 1e9), flush=True)

    rows = []
    try:
        for w, reps in todo:
            t = time.monotonic()
            row = run_workload(ctx, w, reps, cold=w.kind == "mem" and w.items >= 1024
                               and w.touched and not a.quick)
            rows.append(row)
            print("  %-18s %-5s %d run(s) in %5.1fs: %s" % (
                w.name, w.fs, row["runs"], time.monotonic() - t,
                row["dump_error"] or row["restore_error"] or
                "dump %s restore %s" % (fmt_t(row["dump_s"]), fmt_t(row["restore_s"]))),
                flush=True)
    finally:
        for d in (DISK_ROOT, TMPFS_ROOT):
            shutil.rmtree(d, ignore_errors=True)

    base = next((r for r in rows if r["workload"] == "tiny" and not r["dump_error"]
                 and not r["restore_error"]), None)
    for row in rows:
        add_ratios(row, base)

    text = ["", table(rows, machine), "",
            cold_notes(rows), "",
            "n: runs (median shown); load: highest 1-minute load average seen during them"
            " (%d cores: more means other work shared the machine)" % (os.cpu_count() or 0),
            "Ratios (x) are figure / limit; a limit is the best of the measurements made"
            " right before each dump:",
            "  dump, frozen: image bytes / write bandwidth of that filesystem",
            "  restore: image bytes / populate bandwidth + image bytes / read bandwidth",
            "  round trip: dump limit + restore limit",
            "  image: page data the workload wrote;  rss: criu's peak RSS for the tiny process",
            "  frozen*: from criu's log (Frozen .. Dumped), not measured from the workload",
            "  write, popul., read: GB/s of the same number of bytes, same filesystem, same run",
            "",
            "growth (marginal cost per item between consecutive sizes; linear = flat;"
            " cpu: criu's own user+sys time, which load on the machine disturbs less"
            " than wall time; a restore's cpu leaves out the restored tasks' own work):",
            growth(rows), "",
            "total %.0f s; logs of failed runs in %s" % (time.monotonic() - start, ctx.logs)]
    print("\n".join(text), flush=True)

    cols = ["workload", "fs", "runs", "load", "dump_s", "restore_s", "frozen_s", "frozen_log_s",
            "roundtrip_s", "pidwait_s", "image", "dump_rss", "restore_rss",
            "dump_cpu_s", "dump_sys_s", "restore_cpu_s", "restore_sys_s",
            "write_Bps", "populate_Bps", "read_Bps", "read_warm_Bps",
            "dump_limit_s", "restore_limit_s", "dump_x", "restore_x", "frozen_x",
            "roundtrip_x", "image_x", "dump_rss_x", "restore_rss_x",
            "dump_error", "restore_error"]
    with open(os.path.join(ctx.out, "results.csv"), "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(cols)
        for row in rows:
            wr.writerow(["" if row.get(c) is None else row.get(c) for c in cols])
    with open(os.path.join(ctx.out, "results.json"), "w") as f:
        json.dump({"machine": machine, "rows": rows}, f, indent=1)
    print("wrote %s, %s" % (os.path.join(ctx.out, "results.csv"),
                            os.path.join(ctx.out, "results.json")))


if __name__ == "__main__":
    main()
