#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""zdtm test runner: checkpoint and restore every zdtm test in every mode.

    runner/zdtm.py run [-t zdtm/static/NAME]... [-T REGEX] [-a] [-f FLAVOR]
                       [--mode MODE]... [--iters N] [--pre N] [-p PARALLEL]
                       [--keep-going] [--report DIR] [--criu-bin PATH]
    runner/zdtm.py list

See runner/README.md. Standard library only.
"""

import argparse
import ast
import ctypes
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLL = 0.015                    # seconds between two looks at /proc
TEST_UID = 18943
TEST_GID = 58467
TEST_GROUPS = "58467 49437"
PIDFILE_TIMEOUT = 10            # seconds for a test to become ready
CRIU_TIMEOUT = 30               # seconds for one criu command (desc 'timeout' raises it)
EXIT_TIMEOUT = 10               # seconds for a test to exit after SIGTERM
GONE_TIMEOUT = 5                # seconds for a killed tree to disappear
SHELL_JOB = os.path.join(REPO, "runner", "shell_job.py")
SETTLE_TIME = 0.5               # seconds a restored tree gets to match its snapshot

DEFAULT_MODES = ["kill", "leave-running", "leave-stopped", "restore-stopped"]
ALL_MODES = DEFAULT_MODES + ["check-only", "iters"]
FLAVORS = ["h", "ns"]
NS_DUMP_OPTS = ["-n", "pid,mnt,net,uts,ipc"]

PR_SET_CHILD_SUBREAPER = 36


# ---------------------------------------------------------------------------
# Children and orphans
#
# The runner is a child subreaper: every task of a test tree whose parent dies
# is re-parented to it. One reaper collects every child with waitpid(-1): the
# status of processes the runner started itself (criu, make, test launchers)
# is kept until asked for; adopted orphans are reaped and forgotten. Nothing
# else ever waits, so no exit status is stolen: subprocess.Popen is used only
# to start processes, under the reaper's lock, and each Popen object is given
# its returncode by the reaper so that it never calls waitpid itself.
# ---------------------------------------------------------------------------

class Reaper:
    def __init__(self):
        self.lock = threading.Lock()
        self.watched = {}       # pid -> Popen
        self.status = {}        # pid -> raw wait status

    def spawn(self, argv, cwd=None, env=None, out=None):
        """Start argv with stdin /dev/null and stdout+stderr to file @out."""
        outf = open(out, "ab") if out else subprocess.DEVNULL
        try:
            with self.lock:
                p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=outf, stderr=subprocess.STDOUT,
                                     close_fds=True, start_new_session=False)
                self.watched[p.pid] = p
                self.status.pop(p.pid, None)
        finally:
            if out:
                outf.close()
        return p.pid

    def poll(self):
        with self.lock:
            while True:
                try:
                    pid, st = os.waitpid(-1, os.WNOHANG | getattr(os, "__WALL", 0x40000000))
                except ChildProcessError:
                    return
                if pid == 0:
                    return
                p = self.watched.pop(pid, None)
                if p is not None:
                    p.returncode = os.waitstatus_to_exitcode(st)
                    self.status[pid] = st

    def exited(self, pid):
        """Raw wait status of a spawned pid if it has exited, else None."""
        self.poll()
        with self.lock:
            return self.status.pop(pid, None)

    def wait(self, pid, timeout):
        end = time.monotonic() + timeout
        while True:
            st = self.exited(pid)
            if st is not None:
                return st
            if time.monotonic() >= end:
                return None
            time.sleep(POLL)

    def kill_wait(self, pid, timeout=5):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return self.wait(pid, timeout)


reaper = Reaper()


def become_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        e = ctypes.get_errno()
        sys.exit("zdtm.py: prctl(PR_SET_CHILD_SUBREAPER): %s" % os.strerror(e))


def describe_status(st):
    if os.WIFEXITED(st):
        return "exit %d" % os.WEXITSTATUS(st)
    if os.WIFSIGNALED(st):
        return "killed by %s" % signal.Signals(os.WTERMSIG(st)).name
    return "status 0x%x" % st


# ---------------------------------------------------------------------------
# /proc
# ---------------------------------------------------------------------------

def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return None


def readlink(path):
    try:
        return os.readlink(path)
    except OSError:
        return None


def listdir(path):
    try:
        return os.listdir(path)
    except OSError:
        return []


def parse_stat(text):
    """(state, ppid, pgid, sid) from a /proc stat line."""
    r = text.rindex(")")
    f = text[r + 2:].split()
    return f[0], int(f[1]), int(f[2]), int(f[3])


def task_stat(pid, tid=None):
    path = "/proc/%d/task/%d/stat" % (pid, tid) if tid else "/proc/%d/stat" % pid
    text = read_text(path)
    if not text:
        return None
    try:
        return parse_stat(text)
    except (ValueError, IndexError):
        return None


def status_fields(path):
    text = read_text(path)
    res = {}
    if not text:
        return res
    for line in text.splitlines():
        k, _, v = line.partition(":")
        res[k] = v.strip()
    return res


def pid_exists(pid):
    return os.path.exists("/proc/%d" % pid)


def threads_of(pid):
    return sorted(int(t) for t in listdir("/proc/%d/task" % pid) if t.isdigit())


def collect_tree(root):
    """{pid: [tids]} for root and all its descendants, parents first."""
    tree = {}
    todo = [root]
    while todo:
        pid = todo.pop(0)
        if pid in tree:
            continue
        tids = threads_of(pid)
        if not tids:
            continue
        tree[pid] = tids
        for tid in tids:
            text = read_text("/proc/%d/task/%d/children" % (pid, tid)) or ""
            todo.extend(int(c) for c in text.split())
    return tree


def scan_processes():
    """[(pid, state, ppid, pgid, sid)] of every process visible in /proc."""
    res = []
    for name in listdir("/proc"):
        if not name.isdigit():
            continue
        st = task_stat(int(name))
        if st:
            res.append((int(name),) + st)
    return res


def vpid_of(pid, tid=None):
    """The pid as the task's own (innermost) pid namespace sees it."""
    path = "/proc/%d/task/%d/status" % (pid, tid) if tid else "/proc/%d/status" % pid
    ns = status_fields(path).get("NSpid")
    if ns:
        return int(ns.split()[-1])
    return tid or pid


# ---------------------------------------------------------------------------
# Visible state
# ---------------------------------------------------------------------------

STATUS_KEYS = ["Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb",
               "NoNewPrivs", "Seccomp", "SigIgn", "SigCgt"]
INODE_LINK = re.compile(r"^([A-Za-z_]+):\[\d+\]$")


def mask_link(link):
    m = INODE_LINK.match(link)
    return m.group(1) + ":" if m else link


def state_class(state):
    """What a restore must give back: stopped, zombie, or running."""
    if state in ("T", "t"):
        return "stopped"
    if state in ("Z", "X"):
        return "zombie"
    return "running"


def map_lines(pid):
    """Mappings, with neighbours the kernel may merge or not folded together.

    Two adjacent anonymous VMAs with the same protection (or a file VMA and the
    next piece of the same file) are one mapping as far as the program can
    tell; whether the kernel keeps them apart depends on their history, which
    a restore does not replay. CRIU's zdtm compares them the same way.
    """
    res = []
    last = None
    for line in (read_text("/proc/%d/maps" % pid) or "").splitlines():
        f = line.split(None, 5)
        if len(f) < 5:
            continue
        start, end = (int(x, 16) for x in f[0].split("-"))
        path = f[5].strip() if len(f) > 5 else ""
        off = int(f[2], 16)
        cur = [start, end, f[1], off, path]
        if last and last[1] == start and last[2] == f[1]:
            anon = lambda p: p in ("", "[heap]")
            if anon(last[4]) and anon(path):
                last[1] = end
                if path == "[heap]":
                    last[4] = path
                continue
            if path and path == last[4] and not path.startswith("[") and \
                    last[3] + (last[1] - last[0]) == off:
                last[1] = end
                continue
        if last:
            res.append(last)
        last = cur
    if last:
        res.append(last)
    return [("%x-%x %s %08x %s" % (a, b, perm, off, path)).rstrip()
            for a, b, perm, off, path in res]


PTS_LINK = re.compile(r"^/dev/pts/\d+$")


def mask_tmpfile(flags):
    """O_TMPFILE says how a file was made, not how it is used: a restore
    reopens such a file by a name (--link-remap) or makes it anew (ghost)."""
    try:
        v = int(flags, 8)
    except ValueError:
        return flags
    if v & 0o20000000:
        v &= ~0o20200000
    return "0%o" % v


def fd_table(pid, shell=False):
    """A shell job's terminal is a new one after restore: its pts number is masked."""
    fds = {}
    for name in listdir("/proc/%d/fd" % pid):
        if not name.isdigit():
            continue
        link = readlink("/proc/%d/fd/%s" % (pid, name))
        if link is None:
            continue
        info = status_fields("/proc/%d/fdinfo/%s" % (pid, name))
        if shell and PTS_LINK.match(link):
            link = "/dev/pts/N"
        fds[int(name)] = "%s pos=%s flags=%s" % (mask_link(link), info.get("pos", "?"),
                                                 mask_tmpfile(info.get("flags", "?")))
    return fds


class Snapshot:
    """State of a tree as seen from outside, keyed by namespace-local pids."""

    def __init__(self, root, ns, shell=False):
        self.root = root
        self.tree = collect_tree(root)
        self.host = {}          # vpid -> host pid
        self.procs = {}
        h2v = {}
        for pid, tids in self.tree.items():
            h2v[pid] = vpid_of(pid) if ns else pid
            for tid in tids:
                h2v[tid] = vpid_of(pid, tid) if ns else tid

        def tr(x):
            if x in h2v:
                return h2v[x]
            return "outside" if ns or shell else "outside(%d)" % x

        for pid, tids in self.tree.items():
            st = task_stat(pid)
            if st is None:
                continue
            v = h2v[pid]
            self.host[v] = pid
            status = status_fields("/proc/%d/status" % pid)
            p = {
                "ppid": "outside" if pid == root else tr(st[1]),
                "pgid": tr(st[2]),
                "sid": tr(st[3]),
                "exe": readlink("/proc/%d/exe" % pid),
                "cwd": readlink("/proc/%d/cwd" % pid),
                "root": readlink("/proc/%d/root" % pid),
                "status": {k: status.get(k) for k in STATUS_KEYS},
                "threads": {},
            }
            zombie = st[0] in ("Z", "X")
            p["maps"] = [] if zombie else map_lines(pid)
            p["fds"] = {} if zombie else fd_table(pid, shell)
            for tid in tids:
                tst = task_stat(pid, tid)
                ts = status_fields("/proc/%d/task/%d/status" % (pid, tid))
                p["threads"][h2v[tid]] = {
                    "state": state_class(tst[0]) if tst else "gone",
                    "SigBlk": ts.get("SigBlk"),
                    "comm": (read_text("/proc/%d/task/%d/comm" % (pid, tid)) or "").strip(),
                }
            self.procs[v] = p


def _list_diff(before, after):
    bset, aset = set(before), set(after)
    return [b for b in before if b not in aset], [a for a in after if a not in bset]


def diff_snapshots(a, b, limit=12):
    """Readable lines for every difference between two snapshots."""
    out = []
    for v in sorted(set(a.procs) | set(b.procs), key=str):
        who = "pid %s" % v
        if v not in b.procs:
            out.append("%s: present before, missing after" % who)
            continue
        if v not in a.procs:
            out.append("%s: missing before, present after" % who)
            continue
        pa, pb = a.procs[v], b.procs[v]
        for key in ("ppid", "pgid", "sid", "exe", "cwd", "root"):
            if pa[key] != pb[key]:
                out.append("%s: %s: before %r, after %r" % (who, key, pa[key], pb[key]))
        for key in STATUS_KEYS:
            if pa["status"][key] != pb["status"][key]:
                out.append("%s: %s: before %r, after %r" % (who, key, pa["status"][key],
                                                            pb["status"][key]))
        ta, tb = pa["threads"], pb["threads"]
        if set(ta) != set(tb):
            out.append("%s: threads: before %s, after %s" % (who, sorted(ta), sorted(tb)))
        for t in sorted(set(ta) & set(tb)):
            for key in ("state", "SigBlk", "comm"):
                if ta[t][key] != tb[t][key]:
                    out.append("%s: thread %s: %s: before %r, after %r" %
                               (who, t, key, ta[t][key], tb[t][key]))
        fa, fb = pa["fds"], pb["fds"]
        for fd in sorted(set(fa) | set(fb)):
            if fa.get(fd) != fb.get(fd):
                out.append("%s: fd %d: before %r, after %r" % (who, fd, fa.get(fd, "(none)"),
                                                              fb.get(fd, "(none)")))
        only_b, only_a = _list_diff(pa["maps"], pb["maps"])
        n = 0
        for m in only_b:
            if n < limit:
                out.append("%s: map before only: %s" % (who, m))
            n += 1
        for m in only_a:
            if n < limit:
                out.append("%s: map after only:  %s" % (who, m))
            n += 1
        if n > limit:
            out.append("%s: ... and %d more map differences" % (who, n - limit))
    return out


# ---------------------------------------------------------------------------
# Tests, descriptions, expected failures
# ---------------------------------------------------------------------------

class Test:
    def __init__(self, zdtm_dir, rel):
        self.rel = rel                          # static/env00
        self.name = "zdtm/" + rel
        self.path = os.path.join(zdtm_dir, rel)
        self.transition = rel.startswith("transition/")
        self.desc = {}
        self.desc_error = None
        dpath = self.path + ".desc"
        if os.path.exists(dpath):
            try:
                with open(dpath) as f:
                    text = f.read().strip()
                self.desc = ast.literal_eval(text) if text else {}
                if not isinstance(self.desc, dict):
                    raise ValueError("not a dict")
            except (ValueError, SyntaxError) as e:
                self.desc_error = "bad %s: %s" % (dpath, e)
                self.desc = {}
        self.flags = set(str(self.desc.get("flags", "")).split())
        self.opts = str(self.desc.get("opts", "")).split()
        # options for one side only, as CRIU's zdtm has them
        self.dopts = str(self.desc.get("dopts", "")).split()
        self.ropts = str(self.desc.get("ropts", "")).split()
        self.features = str(self.desc.get("feature", "")).split()
        # crfail: the words criu's refusal must contain, so that a dump
        # failing for another reason does not count as the expected one
        self.crfail_reason = str(self.desc.get("crfail", ""))
        self.timeout = self.desc.get("timeout")
        # {'skip': {'MODE': 'reason'}}: a mode this test cannot be run in, and why
        skip = self.desc.get("skip", {})
        self.skip_modes = skip if isinstance(skip, dict) else {}

    def wait_scale(self, base):
        try:
            return max(base, float(self.timeout)) if self.timeout else base
        except (TypeError, ValueError):
            return base


def find_tests(zdtm_dir):
    tests = []
    for sub in ("static", "transition"):
        for name in sorted(listdir(os.path.join(zdtm_dir, sub))):
            if name.endswith(".c"):
                tests.append(Test(zdtm_dir, "%s/%s" % (sub, name[:-2])))
    return tests


def norm_test_name(name):
    name = name.strip()
    if name.endswith(".c"):
        name = name[:-2]
    if name.startswith("./"):
        name = name[2:]
    i = name.find("zdtm/")
    if i >= 0:
        name = name[i + 5:]
    return name


def load_xfail(path):
    """[(test, mode, flavor or None, reason)] from expected-fail.txt."""
    res = []
    if not os.path.exists(path):
        return res
    with open(path) as f:
        for no, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                raise SystemExit("%s:%d: expected 'TEST MODE reason', got %r" % (path, no, line))
            mode, _, flavor = parts[1].partition(":")
            if mode != "*" and mode not in ALL_MODES and not mode.startswith("fault-"):
                raise SystemExit("%s:%d: unknown mode %r" % (path, no, mode))
            res.append((norm_test_name(parts[0]), mode, flavor or None, parts[2]))
    return res


def xfail_reason(xfails, test, mode, flavor):
    for t, m, fl, reason in xfails:
        if t == test.rel and m in ("*", mode) and fl in (None, flavor):
            return reason
    return None


# ---------------------------------------------------------------------------
# One run: test x mode x flavor
# ---------------------------------------------------------------------------

class Failure(Exception):
    def __init__(self, reason, log=None, details=None):
        super().__init__(reason)
        self.reason = reason
        self.log = log
        self.details = details or []


class Skip(Exception):
    pass


class Result:
    def __init__(self, test, mode, flavor, status, reason="", duration=0.0, workdir=None,
                 details=None, log=None):
        self.test, self.mode, self.flavor = test, mode, flavor
        self.status, self.reason, self.duration = status, reason, duration
        self.workdir, self.details, self.log = workdir, details or [], log

    @property
    def column(self):
        return self.mode if self.flavor == "h" else "%s:%s" % (self.mode, self.flavor)


UNSUPPORTED = re.compile(r"unsupported: (.*)")


def first_unsupported(text):
    m = UNSUPPORTED.search(text or "")
    return m.group(0).strip() if m else None


def tail(path, n=20):
    text = read_text(path)
    if text is None:
        return ["(no %s)" % path]
    return text.splitlines()[-n:]


class Run:
    active = set()              # runs with a live tree, for cleanup on ^C
    active_lock = threading.Lock()

    def __init__(self, cfg, test, mode, flavor, workdir, fault=None):
        self.cfg, self.test, self.mode, self.flavor = cfg, test, mode, flavor
        self.ns = flavor == "ns"
        # a job of an interactive shell: started and restored under a pty of its own
        self.shell = "shell_job" in test.flags
        self.dir = workdir
        self.fault = fault
        self.pidfile = os.path.join(workdir, "test.pid")
        self.outfile = os.path.join(workdir, "test.out")
        self.root = None
        self.known = set()      # every host pid/tid ever seen in the tree
        self.logs = []          # criu logs to scan for "Error"
        self.relevant = None
        self.snap = None
        self.caught = None      # --break: the FAIL line the test reported

    # -- helpers -----------------------------------------------------------

    def fail(self, reason, log=None, details=None):
        raise Failure(reason, log or self.relevant, details)

    def outfile_says(self):
        text = (read_text(self.outfile) or "").strip()
        if not text:
            return "(empty)"
        return " | ".join(text.splitlines()[-5:])

    def remember_tree(self, tree):
        for pid, tids in tree.items():
            self.known.add(pid)
            self.known.update(tids)

    def test_env(self):
        env = dict(os.environ)
        for k in ("ZDTM_UID", "ZDTM_GID", "ZDTM_GROUPS", "ZDTM_BREAK"):
            env.pop(k, None)
        if "suid" not in self.test.flags and os.geteuid() == 0:
            env["ZDTM_UID"] = str(TEST_UID)
            env["ZDTM_GID"] = str(TEST_GID)
            env["ZDTM_GROUPS"] = TEST_GROUPS
        if self.cfg.brk:
            env["ZDTM_BREAK"] = "1"
        if self.shell:
            env["ZDTM_SHELL_JOB"] = "1"
        return env

    def criu(self, action, args, log, check_errors=True, env=None, timeout=None):
        """Run criu; returns (exit code, stdout+stderr+log text)."""
        logpath = os.path.join(self.dir, log)
        outpath = os.path.join(self.dir, log.replace("/", ".").replace(".log", ".out"))
        argv = [self.cfg.criu] + action.split() + args
        with open(outpath, "a") as f:
            f.write("$ %s\n" % " ".join(argv))
        timeout = timeout or self.test.wait_scale(CRIU_TIMEOUT)
        status = None
        if self.shell and action == "restore":
            # criu restores a shell job onto its own terminal, in its shell's session
            status = logpath + ".status"
            if os.path.exists(status):
                os.unlink(status)       # an earlier restore's (check-only, iters)
            argv = [sys.executable, SHELL_JOB, status, "--"] + argv
        pid = reaper.spawn(argv, cwd=self.dir, env=env, out=outpath)
        st = reaper.wait(pid, timeout) if status is None else self.wait_status(status, pid,
                                                                                timeout)
        if st is None:
            reaper.kill_wait(pid)
            self.relevant = logpath if os.path.exists(logpath) else outpath
            self.fail("criu %s timed out after %d s" % (action, timeout))
        if os.path.exists(logpath) and check_errors:
            self.logs.append(logpath)
        # the log, unless criu never got to write it (option errors go to stderr)
        has_log = os.path.exists(logpath) and os.path.getsize(logpath) > 0
        self.relevant = logpath if has_log else outpath
        rc = os.waitstatus_to_exitcode(st)
        text = (read_text(logpath) or "") + (read_text(outpath) or "")
        return rc, text

    def wait_status(self, path, pid, timeout):
        """The exit code shell_job.py wrote for its command, as a wait status."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            text = read_text(path)
            if text and text.strip().lstrip("-").isdigit():
                code = int(text)
                return (code & 0xff) << 8 if code >= 0 else -code
            st = reaper.exited(pid)
            if st is not None:
                self.fail("shell_job.py ended (%s) without a status" % describe_status(st))
            time.sleep(POLL)
        reaper.kill_wait(pid)
        return None

    # -- test life -----------------------------------------------------------

    def start(self):
        os.makedirs(self.dir)
        if "suid" not in self.test.flags and os.geteuid() == 0:
            os.chmod(self.dir, 0o755)
            os.chown(self.dir, TEST_UID, TEST_GID)
        else:
            # a suid test may switch to any ids of its own before it is ready
            os.chmod(self.dir, 0o777)
        if not os.access(self.test.path, os.X_OK):
            self.fail("%s is not built" % self.test.path)
        launch_out = os.path.join(self.dir, "launch.out")
        args = ["--pidfile=" + self.pidfile, "--outfile=" + self.outfile]
        rootfile = os.path.join(self.dir, "ns-root.pid")
        if self.ns:
            argv = [self.cfg.ns_helper, rootfile, self.test.path] + args
        else:
            argv = [self.test.path] + args
        shell_status = os.path.join(self.dir, "shell.status")
        if self.shell:
            argv = [sys.executable, SHELL_JOB, shell_status, "--"] + argv
        self.relevant = launch_out
        launcher = reaper.spawn(argv, cwd=self.dir, env=self.test_env(), out=launch_out)
        timeout = self.test.wait_scale(PIDFILE_TIMEOUT)
        end = time.monotonic() + timeout
        code = None
        while True:
            st = reaper.exited(launcher) if launcher else None
            if st is not None:
                launcher = None
                code = os.waitstatus_to_exitcode(st)
                if code != 0:
                    self.relevant = self.outfile
                    self.fail("%s: launcher failed (%s); outfile says: %s; launcher says: %s" %
                              (self.test.rel, describe_status(st), self.outfile_says(),
                               " | ".join(tail(launch_out, 3))))
                if not self.ns and not self.shell:
                    break
            if self.shell:
                s = read_text(shell_status)
                if s and s.strip():
                    if int(s) != 0:
                        self.relevant = self.outfile
                        self.fail("%s: launcher under shell_job.py exited %s; outfile says: %s"
                                  % (self.test.rel, s.strip(), self.outfile_says()))
                    break
            if self.ns and code == 0:
                # the ns init reports the test launcher's exit code
                s = read_text(rootfile + ".status")
                if s and s.strip():
                    if int(s) != 0:
                        self.root = int(read_text(rootfile))
                        self.relevant = self.outfile
                        self.fail("%s: test launcher in the namespace exited %s; "
                                  "outfile says: %s" % (self.test.rel, s.strip(),
                                                        self.outfile_says()))
                    break
            if time.monotonic() >= end:
                if launcher:
                    self.kill_children_of(launcher)
                    reaper.kill_wait(launcher)
                if self.ns and read_text(rootfile):
                    self.root = int(read_text(rootfile))
                self.relevant = self.outfile
                self.fail("%s: no pid file after %d s; outfile says: %s" %
                          (self.test.rel, timeout, self.outfile_says()))
            time.sleep(POLL)
        text = read_text(self.pidfile)
        if not text or not text.strip().isdigit():
            self.fail("%s: launcher exited 0 but pid file %s holds %r; outfile says: %s" %
                      (self.test.rel, self.pidfile, text, self.outfile_says()))
        self.root = int(read_text(rootfile)) if self.ns else int(text)
        tree = collect_tree(self.root)
        if not tree:
            self.fail("%s: test %d is gone right after it got ready; outfile says: %s" %
                      (self.test.rel, self.root, self.outfile_says()))
        self.remember_tree(tree)

    def kill_children_of(self, ppid):
        for pid, _, pp, _, _ in scan_processes():
            if pp == ppid:
                self.known.add(pid)
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    def stragglers(self):
        """Our descendants that hold a pid, pgid or sid of the tree.

        Only descendants of the runner count: every task of a test ends up
        below it (it is a subreaper), and an unrelated process that reused a
        pid must never be killed."""
        me = os.getpid()
        procs = scan_processes()
        parent = {p[0]: p[2] for p in procs}

        def ours(pid):
            for _ in range(4096):
                pid = parent.get(pid, 0)
                if pid == me:
                    return True
                if pid <= 1:
                    return False
            return False

        res = []
        for pid, state, _, pgid, sid in procs:
            if pid == me:
                continue
            if (pid in self.known or pgid in self.known or sid in self.known) and ours(pid):
                res.append((pid, state))
        listed = {p for p, _ in res}
        for t in sorted(self.known):
            if t in parent or t in listed or not pid_exists(t):
                continue
            tgid = status_fields("/proc/%d/status" % t).get("Tgid", "0")
            if tgid.isdigit() and (int(tgid) in listed or ours(int(tgid))):
                res.append((t, "thread of %s" % tgid))
        return res

    def kill_tree(self):
        """SIGKILL every task of the tree (known pids, their sessions/groups)."""
        if self.root is not None and pid_exists(self.root):
            self.remember_tree(collect_tree(self.root))
        for pid, _ in self.stragglers():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def wait_free(self, what, timeout=GONE_TIMEOUT, kill=False):
        """Wait until no task holds a pid, pgid or sid of the tree."""
        end = time.monotonic() + timeout
        while True:
            reaper.poll()
            left = self.stragglers()
            if not left:
                return
            if kill:
                for pid, _ in left:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            if time.monotonic() >= end:
                self.fail("%s: after %d s still there: %s" %
                          (what, timeout, ", ".join("%d(%s)" % x for x in left[:10])))
            time.sleep(POLL)

    def finish(self):
        """SIGTERM the root, wait for it, read the verdict."""
        self.relevant = self.outfile
        try:
            os.kill(self.root, signal.SIGTERM)
        except ProcessLookupError:
            self.fail("test %d died before SIGTERM; outfile says: %s" %
                      (self.root, self.outfile_says()))
        timeout = self.test.wait_scale(EXIT_TIMEOUT)
        end = time.monotonic() + timeout
        while True:
            reaper.poll()
            st = task_stat(self.root)
            if st is None:
                break
            if time.monotonic() >= end:
                self.fail("test %d did not exit %d s after SIGTERM (state %s); outfile says: %s"
                          % (self.root, timeout, st[0], self.outfile_says()))
            time.sleep(POLL)
        lines = [ln.strip() for ln in (read_text(self.outfile) or "").splitlines() if ln.strip()]
        fails = [ln for ln in lines if ln.startswith("FAIL")]
        if self.cfg.brk:
            # ZDTM_BREAK=1: the test damaged its own state after SIGTERM, so
            # its check must have said FAIL; PASS means it cannot fail.
            if fails:
                self.caught = fails[-1]
                return
            if lines and lines[-1] == "PASS":
                self.fail("the test cannot fail: it says PASS with ZDTM_BREAK=1")
            self.fail("no FAIL from the test with ZDTM_BREAK=1; outfile says: %s" %
                      self.outfile_says())
        if fails:
            self.fail("test says %s" % fails[-1])
        if not lines or lines[-1] != "PASS":
            self.fail("no PASS at the end of the outfile; outfile says: %s" % self.outfile_says())

    # -- checks --------------------------------------------------------------

    def take_snapshot(self):
        snap = Snapshot(self.root, self.ns, self.shell)
        self.remember_tree(snap.tree)
        return snap

    def settled_snapshot(self):
        """A test may still be finishing its setup when it reports readiness
        (closing the readiness pipe, a child still starting): take snapshots
        until two in a row agree, for at most a second."""
        snap = self.take_snapshot()
        end = time.monotonic() + 1
        while time.monotonic() < end:
            time.sleep(POLL)
            again = self.take_snapshot()
            if not diff_snapshots(snap, again):
                return again
            snap = again
        return snap

    def compare(self, when):
        if self.test.transition or self.snap is None:
            return
        # Tasks that were just resumed may still be on their way back into the
        # syscall they were dumped in (e.g. sigsuspend's temporary mask): give
        # them a moment before calling a difference real.
        end = time.monotonic() + SETTLE_TIME
        while True:
            diff = diff_snapshots(self.snap, self.take_snapshot())
            if not diff or time.monotonic() >= end:
                break
            time.sleep(POLL / 3)
        if diff:
            self.relevant = None
            self.fail("%s: %d visible difference(s): %s" % (when, len(diff), diff[0]),
                      details=diff)

    def thread_states(self, tree):
        res = []
        for pid, tids in tree.items():
            for tid in tids:
                st = task_stat(pid, tid)
                if st:
                    tracer = status_fields("/proc/%d/task/%d/status" % (pid, tid)).get(
                        "TracerPid", "0")
                    res.append((pid, tid, st[0], tracer))
        return res

    def was_state(self, pid, tid, cls):
        if not self.snap:
            return False
        for v, host in self.snap.host.items():
            if host == pid:
                for t in self.snap.procs[v]["threads"].values():
                    if t["state"] == cls:
                        return True
        return False

    def check_running(self, what):
        tree = collect_tree(self.root)
        if not tree:
            self.fail("%s: the tree is gone (root %d)" % (what, self.root))
        if self.snap and not self.test.transition:
            missing = [p for p in self.snap.tree if p not in tree]
            if missing:
                self.fail("%s: tasks gone: %s" % (what, missing))
        bad = []
        for pid, tid, state, tracer in self.thread_states(tree):
            if tracer != "0":
                bad.append("%d/%d traced by %s" % (pid, tid, tracer))
            elif state == "t" or (state == "T" and not self.was_state(pid, tid, "stopped")):
                bad.append("%d/%d in state %s" % (pid, tid, state))
        if bad:
            self.fail("%s: tasks not running: %s" % (what, ", ".join(bad[:10])))

    def check_stopped(self, what, root):
        tree = collect_tree(root)
        if not tree:
            self.fail("%s: the tree is gone (root %d)" % (what, root))
        self.remember_tree(tree)
        bad = []
        for pid, tid, state, tracer in self.thread_states(tree):
            if state in ("Z", "X"):
                continue
            if state != "T" or tracer != "0":
                bad.append("%d/%d state %s tracer %s" % (pid, tid, state, tracer))
        if bad:
            self.fail("%s: not every thread is stopped: %s" % (what, ", ".join(bad[:10])))
        return tree

    def check_logs(self):
        for path in self.logs:
            text = read_text(path) or ""
            errs = [ln for ln in text.splitlines() if "Error" in ln]
            if errs:
                self.fail("%s has %d error line(s): %s" % (os.path.basename(path), len(errs),
                                                            errs[0]), log=path)

    # -- criu steps ------------------------------------------------------------

    def dump_opts(self):
        opts = list(self.test.opts) + list(self.test.dopts)
        if self.ns:
            opts += NS_DUMP_OPTS
        return opts

    def ns_unsupported(self, text):
        u = first_unsupported(text)
        if self.ns and u and re.search(r"unsupported: (-n\b|--namespaces)", u):
            raise Skip("criu refuses the namespace options: %s" % u)

    def pre_dumps(self, it):
        prev = None
        for k in range(1, self.cfg.pre + 1):
            d = "pre-%d-%d" % (it, k)
            args = ["-t", str(self.root), "-D", os.path.join(self.dir, d), "-o", "pre-dump.log",
                    "-v4", "--track-mem"] + self.dump_opts()
            if prev:
                args += ["--prev-images-dir", "../" + prev]
            rc, text = self.criu("pre-dump", args, "%s/pre-dump.log" % d)
            if rc:
                self.ns_unsupported(text)
                u = first_unsupported(text)
                if u and re.search(r"pre-dump|--track-mem|--prev-images-dir", u):
                    raise Skip("criu has no pre-dump yet: %s" % u)
                self.fail("criu pre-dump %d failed (exit %d)" % (k, rc))
            self.check_running("after pre-dump %d" % k)
            prev = d
        return prev

    def dump(self, it, mode_opts, prev=None):
        d = "dump-%d" % it
        self.tree = collect_tree(self.root)
        self.remember_tree(self.tree)
        args = ["-t", str(self.root), "-D", os.path.join(self.dir, d), "-o", "dump.log",
                "-v4"] + mode_opts + self.dump_opts()
        if prev:
            args += ["--prev-images-dir", "../" + prev, "--track-mem"]
        env = None
        if self.fault is not None:
            env = dict(os.environ, CRIU_FAULT=str(self.fault))
        crfail = "crfail" in self.test.flags
        rc, text = self.criu("dump", args, "%s/dump.log" % d,
                             check_errors=not crfail and self.fault is None, env=env)
        return d, rc, text

    def restore(self, d, extra=(), env=None, check_errors=True):
        pidfile = os.path.join(self.dir, d, "restore.pid")
        try:
            os.unlink(pidfile)
        except OSError:
            pass
        args = ["-D", os.path.join(self.dir, d), "-o", "restore.log", "-v4", "-d",
                "--pidfile=" + pidfile] + list(extra) + list(self.test.opts) + list(self.test.ropts)
        rc, text = self.criu("restore", args, "%s/restore.log" % d, env=env,
                             check_errors=check_errors)
        return rc, text, pidfile

    def restored_root(self, pidfile):
        text = read_text(pidfile)
        if not text or not text.strip().isdigit():
            self.fail("criu restore succeeded but %s holds %r" % (pidfile, text))
        root = int(text)
        dumped, self.root = self.root, root
        self.remember_tree(collect_tree(root))
        if not self.ns and root != dumped:
            self.fail("restored root pid %d, dumped %d" % (root, dumped))
        return root

    def check_gone(self, what):
        """After a plain dump: every task of the tree gone, its pids free."""
        self.wait_free(what + ": tasks of the dumped tree")

    # -- the modes -------------------------------------------------------------

    def execute(self):
        self.start()
        if not self.test.transition:
            self.snap = self.settled_snapshot()
        if "crfail" in self.test.flags:
            return self.run_crfail()
        if self.fault is not None:
            return self.run_fault()
        if self.mode == "check-only":
            self.run_check_only()
        n = self.cfg.iters if self.mode == "iters" else 1
        for it in range(1, n + 1):
            self.cycle(it)
        self.finish()
        self.check_logs()

    def cycle(self, it):
        prev = self.pre_dumps(it) if self.cfg.pre else None
        mode_opts = {"leave-running": ["-R"], "leave-stopped": ["-s"]}.get(self.mode, [])
        d, rc, text = self.dump(it, mode_opts, prev)
        if rc:
            self.ns_unsupported(text)
            self.fail("criu dump failed (exit %d): %s" % (rc, first_error(text)))
        if self.mode == "leave-running":
            self.check_running("after dump -R")
            self.compare("after dump -R")
            self.kill_tree()
            self.wait_free("after dump -R and SIGKILL", kill=True)
        elif self.mode == "leave-stopped":
            self.check_stopped("after dump -s", self.root)
            self.kill_tree()
            self.wait_free("after dump -s and SIGKILL", kill=True)
        else:
            self.check_gone("after dump")
        if self.mode == "check-only":
            rc, text, pidfile = self.restore(d, ["--check-only"])
            if rc:
                u = first_unsupported(text)
                if u and "--check-only" in u:
                    raise Skip("criu has no restore --check-only yet")
                self.fail("criu restore --check-only failed (exit %d): %s" %
                          (rc, first_error(text)))
            self.wait_free("after restore --check-only (nothing may be restored)", timeout=0.5)
        extra = ["--leave-stopped"] if self.mode == "restore-stopped" else []
        rc, text, pidfile = self.restore(d, extra)
        if rc:
            self.fail("criu restore failed (exit %d): %s" % (rc, first_error(text)))
        self.root = self.restored_root(pidfile)
        if self.mode == "restore-stopped":
            tree = self.check_stopped("after restore --leave-stopped", self.root)
            order = [self.root] + [p for p in tree if p != self.root]
            for pid in order:
                if self.was_stopped_before(pid):
                    continue
                try:
                    os.kill(pid, signal.SIGCONT)
                except OSError:
                    pass
            self.wait_continued(tree)
        else:
            self.remember_tree(collect_tree(self.root))
        self.compare("after restore" + (" %d" % it if self.mode == "iters" else ""))

    def wait_continued(self, tree):
        """After SIGCONT: wait until no thread is left in state T that was not
        stopped before the dump."""
        end = time.monotonic() + GONE_TIMEOUT
        while True:
            bad = [(p, t, s) for p, t, s, _ in self.thread_states(tree)
                   if s in ("T", "t") and not self.was_stopped_before(p)]
            if not bad:
                return
            if time.monotonic() >= end:
                self.fail("after SIGCONT: still stopped: %s" %
                          ", ".join("%d/%d(%s)" % x for x in bad[:10]))
            time.sleep(POLL / 3)

    def was_stopped_before(self, host_pid):
        if not self.snap or self.test.transition:
            return False
        v = vpid_of(host_pid) if self.ns else host_pid
        p = self.snap.procs.get(v)
        return bool(p) and all(t["state"] == "stopped" for t in p["threads"].values())

    def run_check_only(self):
        d = "check-only"
        args = ["-t", str(self.root), "-D", os.path.join(self.dir, d), "-o", "dump.log",
                "-v4", "--check-only"] + self.dump_opts()
        rc, text = self.criu("dump", args, "%s/dump.log" % d)
        if rc:
            u = first_unsupported(text)
            if u and "--check-only" in u:
                raise Skip("criu has no --check-only yet")
            self.ns_unsupported(text)
            self.fail("criu dump --check-only failed (exit %d): %s" % (rc, first_error(text)))
        self.check_running("after dump --check-only")
        self.compare("after dump --check-only")
        pages = [f for f in listdir(os.path.join(self.dir, d)) if f.startswith("pages-")]
        if pages:
            self.fail("dump --check-only wrote page images: %s" % ", ".join(pages))

    def run_crfail(self):
        mode_opts = {"leave-running": ["-R"], "leave-stopped": ["-s"],
                     "check-only": ["--check-only"]}.get(self.mode, [])
        d, rc, text = self.dump(1, mode_opts)
        if rc == 0:
            self.fail("criu dump succeeded, but the test is crfail (dump must fail)")
        self.ns_unsupported(text)
        u = first_unsupported(text)
        if self.mode == "check-only" and u and "--check-only" in u:
            raise Skip("criu has no --check-only yet")
        self.check_refusal(text)
        self.check_running("after the expected dump failure")
        self.compare("after the expected dump failure")
        self.finish()
        self.check_logs()

    def check_refusal(self, text):
        want = self.test.crfail_reason
        if not want:
            self.fail("%s.desc has flag crfail but no 'crfail': 'reason' (dump said: %s)"
                      % (self.test.name, first_error(text)))
        lines = [ln for ln in (text or "").splitlines() if "Error" in ln or "unsupported" in ln]
        if not any(want in ln for ln in lines):
            self.fail("dump failed, but not with '%s': %s" % (want, first_error(text)))

    def run_fault(self):
        """CRIU_FAULT=N: a failed dump gives the tree back, a failed restore
        leaves nothing; then a clean restore must still work."""
        d, rc, text = self.dump(1, [])
        if rc:
            self.ns_unsupported(text)
            self.check_running("after dump failed at fault %d" % self.fault)
            self.compare("after dump failed at fault %d" % self.fault)
            self.finish()
            return
        self.check_gone("after dump")
        env = dict(os.environ, CRIU_FAULT=str(self.fault))
        rc, text, pidfile = self.restore(d, env=env, check_errors=False)
        if rc == 0:
            self.root = self.restored_root(pidfile)
            self.compare("after restore")
            self.finish()
            raise Skip("fault point %d not reached by this test" % self.fault)
        self.wait_free("after restore failed at fault %d (nothing may be left)" % self.fault,
                       timeout=GONE_TIMEOUT)
        rc, text, pidfile = self.restore(d)
        if rc:
            self.fail("clean restore after fault %d failed (exit %d): %s" %
                      (self.fault, rc, first_error(text)))
        self.root = self.restored_root(pidfile)
        self.compare("after restore")
        self.finish()
        self.check_logs()

    def by_cmdline(self):
        """Descendants whose command line names this run's work dir: tasks
        of the test that the runner did not get to know (a restore that went
        wrong, a launcher that gave up)."""
        me = os.getpid()
        procs = scan_processes()
        parent = {p[0]: p[2] for p in procs}
        key = ("=" + self.dir + "/").encode()
        res = []
        for pid, *_ in procs:
            try:
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    if key not in f.read():
                        continue
            except OSError:
                continue
            p = pid
            for _ in range(4096):
                p = parent.get(p, 0)
                if p == me or p <= 1:
                    break
            if p == me:
                res.append(pid)
        return res

    def cleanup(self):
        """Kill whatever is left of the tree and reap it, and unmount what it
        mounted in its work dir (a test killed before it could)."""
        try:
            for pid in self.by_cmdline():
                self.known.add(pid)
            self.kill_tree()
            self.wait_free("cleanup", kill=True)
        except Failure as e:
            return e.reason
        finally:
            with Run.active_lock:
                Run.active.discard(self)
            self.unmount_leftovers()
        return None

    def unmount_leftovers(self):
        base = os.path.realpath(self.dir) + "/"
        mounts = []
        for line in (read_text("/proc/self/mounts") or "").splitlines():
            f = line.split()
            if len(f) > 1:
                point = f[1].replace("\\040", " ")
                if point.startswith(base):
                    mounts.append(point)
        # the deepest first
        for point in sorted(mounts, key=len, reverse=True):
            subprocess.run(["umount", "-l", point], capture_output=True)


def first_error(text):
    for line in (text or "").splitlines():
        if "Error" in line or "unsupported" in line:
            return line.strip()
    lines = [ln for ln in (text or "").splitlines() if ln.strip() and not ln.startswith("$ ")]
    return lines[-1].strip() if lines else "(no output)"


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------

class Config:
    pass


class Driver:
    def __init__(self, cfg, xfails):
        self.cfg = cfg
        self.xfails = xfails
        self.results = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.total = 0
        self.done = 0
        self.features = {}
        self.seq = 0

    def feature_skip(self, test):
        for feat in test.features:
            with self.lock:
                known = self.features.get(feat)
            if known is None:
                out = os.path.join(self.cfg.base, "feature-%s.out" % re.sub(r"\W", "_", feat))
                pid = reaper.spawn([self.cfg.criu, "check", "--feature", feat], out=out)
                st = reaper.wait(pid, 60)
                if st is None:
                    reaper.kill_wait(pid)
                text = read_text(out) or ""
                try:
                    os.unlink(out)
                except OSError:
                    pass
                if st is not None and os.waitstatus_to_exitcode(st) == 0:
                    known = ""
                else:
                    msg = first_unsupported(text) or first_error(text)
                    known = "feature %s not supported: %s" % (feat, msg)
                with self.lock:
                    self.features[feat] = known
            if known:
                return known
        return None

    def workdir(self, test, mode, flavor):
        with self.lock:
            self.seq += 1
            seq = self.seq
        return os.path.join(self.cfg.base, "%s.%s.%s.%d" % (test.rel.replace("/", "_"), mode,
                                                          flavor, seq))

    def run_one(self, test, mode, flavor, fault=None):
        t0 = time.monotonic()
        wd = self.workdir(test, mode, flavor)
        run = Run(self.cfg, test, mode, flavor, wd, fault)
        status, reason, details, log = "PASS", "", [], None
        try:
            if test.desc_error:
                raise Failure(test.desc_error)
            if flavor == "ns" and not self.cfg.ns_helper:
                raise Skip(self.cfg.ns_helper_error)
            if flavor == "ns" and "shell_job" in test.flags:
                raise Skip("a shell job's shell and terminal are outside any namespace")
            skip = self.feature_skip(test) or test.skip_modes.get(mode)
            if skip:
                raise Skip(skip)
            xr = xfail_reason(self.xfails, test, mode, flavor) if self.cfg.brk else None
            if xr is not None:
                raise Skip("listed in expected-fail.txt for this mode: a --break run "
                           "proves nothing")
            with Run.active_lock:
                Run.active.add(run)
            run.execute()
        except Skip as e:
            status, reason = "SKIP", str(e)
        except Failure as e:
            status, reason, details, log = "FAIL", e.reason, e.details, e.log
        except Exception as e:      # a runner bug must not leave a tree behind
            import traceback
            status, reason = "FAIL", "runner error: %r" % e
            details = traceback.format_exc().splitlines()
        left = run.cleanup()
        if left and status != "FAIL":
            status, reason = "FAIL", left
        if status == "PASS" and run.caught:
            reason = "the check caught the damage: %s" % run.caught
        res = Result(test, mode, flavor, status, reason, time.monotonic() - t0, wd, details, log)
        xr = xfail_reason(self.xfails, test, mode, flavor)
        if xr is not None:
            if status == "FAIL":
                res.status, res.reason = "XFAIL", "%s (expected: %s)" % (reason, xr)
            elif status == "PASS":
                res.status = "XPASS"
                res.reason = "passes now: remove it from expected-fail.txt (%s)" % xr
        if res.status in ("FAIL", "XPASS"):
            if not self.cfg.keep_going:
                self.stop.set()
        if res.status != "FAIL" and not self.cfg.keep_all:
            shutil.rmtree(wd, ignore_errors=True)
            res.workdir = None
        self.report(res)
        return res

    def report(self, res):
        with self.lock:
            self.done += 1
            self.results.append(res)
            line = "[%3d/%d] %-30s %-16s %s" % (self.done, self.total, res.test.rel, res.column,
                                                res.status)
            if res.reason:
                line += ": " + res.reason
            line += "  (%.2fs)" % res.duration
            print(line, flush=True)
            if res.status == "FAIL":
                for d in res.details[:40]:
                    print("        " + d)
                if res.workdir:
                    print("        kept: %s" % res.workdir)
                if res.log:
                    print("        last lines of %s:" % res.log)
                    for ln in tail(res.log, 20):
                        print("        | " + ln)
            sys.stdout.flush()

    def run_job(self, test, entries):
        for mode, flavor, fault in entries:
            if self.stop.is_set():
                return
            self.run_one(test, mode, flavor, fault)

    def run(self, jobs):
        self.total = sum(len(e) for _, e in jobs)
        par = max(1, self.cfg.parallel)
        if par == 1:
            for test, entries in jobs:
                self.run_job(test, entries)
            return
        pending = list(jobs)
        running = []
        while pending or running:
            running = [t for t in running if t[1].is_alive()]
            if self.stop.is_set():
                pending = []
            excl_running = any(t[0] for t in running)
            if pending and not excl_running and len(running) < par:
                test, entries = pending[0]
                excl = "excl" in test.flags
                if not excl or not running:
                    pending.pop(0)
                    th = threading.Thread(target=self.run_job, args=(test, entries), daemon=True)
                    th.start()
                    running.append((excl, th))
                    continue
            time.sleep(POLL)


def summary(results, columns, elapsed, not_run):
    """Print the table and the counts; the last line is 'N passed, N failed,
    N skipped'. Returns the number of failures (FAIL and XPASS)."""
    tests = []
    for r in results:
        if r.test.rel not in tests:
            tests.append(r.test.rel)
    width = max([len(t) for t in tests] + [4])
    cw = {c: max(len(c), 5) for c in columns}
    by = {(r.test.rel, r.column): r for r in results}
    print()
    print("%-*s  %s" % (width, "TEST", "  ".join("%-*s" % (cw[c], c) for c in columns)))
    for t in tests:
        cells = []
        for c in columns:
            r = by.get((t, c))
            cells.append("%-*s" % (cw[c], r.status if r else "-"))
        print(("%-*s  %s" % (width, t, "  ".join(cells))).rstrip())
    notes = [r for r in results if r.status in ("FAIL", "XPASS", "SKIP", "XFAIL")]
    if notes:
        print()
        for r in notes:
            print("%-5s %s %s: %s" % (r.status, r.test.rel, r.column, r.reason))
    count = {s: 0 for s in ("PASS", "FAIL", "XFAIL", "XPASS", "SKIP")}
    for r in results:
        count[r.status] += 1
    print()
    if not_run:
        print("%d run(s) not started (stopped after a failure or an interrupt; "
              "see --keep-going)" % not_run)
    print("PASS %d, FAIL %d, XFAIL %d, XPASS %d, SKIP %d in %.1fs" % (
        count["PASS"], count["FAIL"], count["XFAIL"], count["XPASS"], count["SKIP"], elapsed))
    failed = count["FAIL"] + count["XPASS"]
    print("%d passed, %d failed, %d skipped" % (count["PASS"], failed, count["SKIP"]), flush=True)
    return failed


def write_junit(path, results, elapsed):
    suite = ET.Element("testsuite", name="zdtm", tests=str(len(results)),
                       failures=str(sum(r.status in ("FAIL", "XPASS") for r in results)),
                       skipped=str(sum(r.status == "SKIP" for r in results)),
                       errors="0", time="%.3f" % elapsed)
    for r in results:
        tc = ET.SubElement(suite, "testcase", classname="zdtm.%s" % r.test.rel.replace("/", "."),
                           name=r.column, time="%.3f" % r.duration)
        if r.status in ("FAIL", "XPASS"):
            f = ET.SubElement(tc, "failure", message=r.reason)
            body = list(r.details)
            if r.workdir:
                body.append("kept: %s" % r.workdir)
            if r.log:
                body.append("last lines of %s:" % r.log)
                body += tail(r.log, 20)
            f.text = "\n".join(body)
        elif r.status == "SKIP":
            ET.SubElement(tc, "skipped", message=r.reason)
        elif r.status == "XFAIL":
            ET.SubElement(tc, "system-out").text = "XFAIL: " + r.reason
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def build_ns_helper(cfg):
    src = os.path.join(REPO, "runner", "ns_helper.c")
    out = os.path.join(REPO, "build", "runner", "ns_helper")
    if os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(src):
        return out, None
    os.makedirs(os.path.dirname(out), exist_ok=True)
    log = os.path.join(cfg.base, "ns_helper-build.out")
    pid = reaper.spawn(["gcc", "-O2", "-Wall", "-Wextra", "-o", out + ".tmp", src], out=log)
    st = reaper.wait(pid, 120)
    text = read_text(log) or ""
    try:
        os.unlink(log)
    except OSError:
        pass
    if st is None or os.waitstatus_to_exitcode(st) != 0:
        errs = [ln for ln in text.splitlines() if "error" in ln]
        return None, "cannot build ns_helper: %s" % (errs[0] if errs else first_error(text))
    os.rename(out + ".tmp", out)
    return out, None


def run_make(cfg):
    log = os.path.join(cfg.base, "make.out")
    t0 = time.monotonic()
    pid = reaper.spawn(["make", "-C", cfg.zdtm_dir, "-j%d" % (os.cpu_count() or 1)], out=log)
    st = reaper.wait(pid, 1800)
    if st is None or os.waitstatus_to_exitcode(st) != 0:
        if st is None:
            reaper.kill_wait(pid)
        print("zdtm.py: make -C %s failed:" % cfg.zdtm_dir)
        for ln in tail(log, 30):
            print("  | " + ln)
        return False
    print("built tests in %.1fs" % (time.monotonic() - t0))
    os.unlink(log)
    return True


def select_tests(args, all_tests):
    by_rel = {t.rel: t for t in all_tests}
    chosen = []
    for name in args.test or []:
        rel = norm_test_name(name)
        t = by_rel.get(rel)
        if t is None:
            raise SystemExit("zdtm.py: no test %s (looked for %s.c)" % (name, rel))
        if t not in chosen:
            chosen.append(t)
    if args.regex:
        rx = re.compile(args.regex)
        for t in all_tests:
            if rx.search(t.name) and "noauto" not in t.flags and t not in chosen:
                chosen.append(t)
    if args.all:
        for t in all_tests:
            if "noauto" not in t.flags and t not in chosen:
                chosen.append(t)
    return chosen


def fault_points(cfg):
    out = os.path.join(cfg.base, "fault-list.out")
    pid = reaper.spawn([cfg.criu, "--fault-list"], out=out)
    st = reaper.wait(pid, 30)
    text = read_text(out) or ""
    os.unlink(out)
    if st is None or os.waitstatus_to_exitcode(st) != 0:
        raise SystemExit("zdtm.py: criu --fault-list failed: %s" % first_error(text))
    return [int(x) for x in re.findall(r"^\s*(\d+)", text, re.M)]


def on_sigterm(sig, frame):
    raise KeyboardInterrupt("SIGTERM")


LOCK_COMMENT = "criu network lock"


def lock_rules():
    """criu's network lock rules now in iptables and ip6tables, as -S prints them."""
    rules = set()
    for tool in ("iptables", "ip6tables"):
        try:
            r = subprocess.run([tool, "-w", "-S", "INPUT"], capture_output=True, text=True)
        except OSError:
            continue
        rules.update((tool, ln) for ln in r.stdout.splitlines() if LOCK_COMMENT in ln)
    return rules


def drop_lock_rules(rules):
    for tool, rule in rules:
        subprocess.run([tool, "-w"] + shlex.split(rule.replace("-A", "-D", 1)),
                       capture_output=True)


def cmd_run(args):
    cfg = Config()
    cfg.zdtm_dir = os.path.abspath(args.zdtm_dir)
    cfg.criu = os.path.abspath(args.criu_bin)
    cfg.iters = args.iters
    cfg.pre = args.pre
    cfg.parallel = args.parallel
    cfg.keep_going = args.keep_going
    cfg.keep_all = args.keep_all
    cfg.brk = args.brk
    if args.default_set:
        args.all = True
        cfg.keep_going = True
    modes = []
    for m in args.mode or []:
        for x in m.split(","):
            if x not in ALL_MODES:
                raise SystemExit("zdtm.py: unknown mode %r (modes: %s)" % (x, ", ".join(ALL_MODES)))
            if x not in modes:
                modes.append(x)
    modes = modes or list(DEFAULT_MODES)
    flavors = []
    for f in args.flavor or ["h"]:
        for x in f.split(","):
            if x not in FLAVORS:
                raise SystemExit("zdtm.py: unknown flavor %r (flavors: h, ns)" % x)
            if x not in flavors:
                flavors.append(x)

    become_subreaper()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_sigterm)
    if args.report:
        cfg.base = os.path.abspath(args.report)
        os.makedirs(cfg.base, exist_ok=True)
    else:
        cfg.base = tempfile.mkdtemp(prefix="zdtm-", dir="/tmp")
    os.chmod(cfg.base, 0o755)
    d = cfg.base
    while d != "/":
        if not os.stat(d).st_mode & 0o001:
            print("zdtm.py: warning: %s is not searchable by others; tests running as uid %d "
                  "cannot reach their work dirs" % (d, TEST_UID))
            break
        d = os.path.dirname(d)

    if not args.no_build and not run_make(cfg):
        return 2
    all_tests = find_tests(cfg.zdtm_dir)
    tests = select_tests(args, all_tests)
    if not tests:
        raise SystemExit("zdtm.py: no tests selected (use -t, -T or -a)")
    xfails = load_xfail(os.path.join(cfg.zdtm_dir, "expected-fail.txt"))
    if not os.access(cfg.criu, os.X_OK):
        raise SystemExit("zdtm.py: %s is not an executable criu" % cfg.criu)

    cfg.ns_helper, cfg.ns_helper_error = None, None
    if "ns" in flavors:
        cfg.ns_helper, cfg.ns_helper_error = build_ns_helper(cfg)

    if args.fault_walk:
        points = fault_points(cfg)
        entries = [("fault-%d" % n, fl, n) for n in points for fl in flavors]
    else:
        entries = [(m, fl, None) for fl in flavors for m in modes]
    jobs = [(t, entries) for t in tests]
    columns = []
    for m, fl, _ in entries:
        columns.append(m if fl == "h" else "%s:%s" % (m, fl))

    drv = Driver(cfg, xfails)
    locks_before = lock_rules()
    t0 = time.monotonic()
    print("zdtm: %d test(s) x %d run(s), work dirs under %s" % (len(tests), len(entries),
                                                                cfg.base), flush=True)
    if cfg.brk:
        print("zdtm: --break: tests run with ZDTM_BREAK=1; a FAIL verdict passes, "
              "a PASS verdict fails", flush=True)
    try:
        drv.run(jobs)
    except KeyboardInterrupt:
        drv.stop.set()
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("\ninterrupted: cleaning up", flush=True)
        with Run.active_lock:
            runs = list(Run.active)
        for r in runs:
            r.cleanup()
    elapsed = time.monotonic() - t0
    not_run = drv.total - len(drv.results)
    if args.report:
        write_junit(os.path.join(cfg.base, "report.xml"), drv.results, elapsed)
    elif not os.listdir(cfg.base):
        os.rmdir(cfg.base)
    failed = summary(drv.results, columns, elapsed, not_run)
    # a restore that failed leaves its connections locked, as it should for a
    # retry; a passing run must leave none, and none may outlive this run
    left = lock_rules() - locks_before
    if left:
        drop_lock_rules(left)
        print("zdtm: %d criu network lock rule(s) left behind by this run, removed%s" %
              (len(left), "" if failed else ": that fails the run"), flush=True)
        failed = True
    return 1 if failed or (not drv.results) else 0


def cmd_list(args):
    for t in find_tests(os.path.abspath(args.zdtm_dir)):
        extra = []
        if t.flags:
            extra.append("flags: " + " ".join(sorted(t.flags)))
        if t.opts:
            extra.append("opts: " + " ".join(t.opts))
        if t.features:
            extra.append("feature: " + " ".join(t.features))
        if t.desc_error:
            extra.append(t.desc_error)
        print(t.name + ("  [" + "; ".join(extra) + "]" if extra else ""))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(prog="zdtm.py", description="zdtm test runner")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run tests")
    r.add_argument("-t", "--test", action="append", metavar="zdtm/static/NAME",
                   help="a test to run (repeatable; noauto tests run only this way)")
    r.add_argument("-T", "--regex", metavar="REGEX", help="tests whose name matches REGEX")
    r.add_argument("-a", "--all", action="store_true", help="all tests not flagged noauto")
    r.add_argument("--default-set", action="store_true",
                   help="what 'make zdtm' runs: -a --keep-going, default modes")
    r.add_argument("-f", "--flavor", action="append", metavar="FLAVOR",
                   help="h (host namespaces, default) or ns; repeatable")
    r.add_argument("--mode", action="append", metavar="MODE",
                   help="one of %s; repeatable (default: %s)" % (", ".join(ALL_MODES),
                                                                 ", ".join(DEFAULT_MODES)))
    r.add_argument("--iters", type=int, default=3, help="dump/restore cycles in mode iters")
    r.add_argument("--pre", type=int, default=0, metavar="N", help="N pre-dumps before a dump")
    r.add_argument("-p", "--parallel", type=int, default=1, metavar="N",
                   help="run N tests at once (excl tests run alone)")
    r.add_argument("--keep-going", action="store_true", help="do not stop at the first failure")
    r.add_argument("--report", metavar="DIR", help="work dirs and report.xml (JUnit) in DIR")
    r.add_argument("--criu-bin", default=os.path.join(REPO, "criu"), metavar="PATH")
    r.add_argument("--zdtm-dir", default=os.path.join(REPO, "zdtm"), help=argparse.SUPPRESS)
    r.add_argument("--no-build", action="store_true", help="do not run make -C zdtm first")
    r.add_argument("--keep-all", action="store_true", help="keep work dirs of passed runs")
    r.add_argument("--fault-walk", action="store_true",
                   help="for every point of criu --fault-list: dump/restore with CRIU_FAULT")
    r.add_argument("--break", dest="brk", action="store_true",
                   help="run tests with ZDTM_BREAK=1: each must report FAIL after restore")
    lp = sub.add_parser("list", help="list tests")
    lp.add_argument("--zdtm-dir", default=os.path.join(REPO, "zdtm"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.cmd == "list":
        return cmd_list(args)
    if args.iters < 1 or args.pre < 0 or args.parallel < 1:
        ap.error("--iters and -p must be >= 1, --pre >= 0")
    if args.brk and args.fault_walk:
        ap.error("--break and --fault-walk do not go together")
    return cmd_run(args)


if __name__ == "__main__":
    sys.exit(main())
