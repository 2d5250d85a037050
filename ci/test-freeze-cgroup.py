#!/usr/bin/env python3
"""--freeze-cgroup PATH with every freezer this machine has (cgroup v2
cgroup.freeze, v1 freezer.state): a tree that never stops forking is dumped
with -R and with a kill, restored, and carries on; the cgroup is thawed
afterwards; bad paths, a root outside the cgroup and criu inside it fail
with one line and leave the tree running, untraced.
Ends with "test-freeze-cgroup: N passed, N failed"."""
import os
import shutil
import signal
import subprocess
import tempfile
import time

from testlib import CRIU, ROOT, become_subreaper, check, children, finish, reap
# a counter writing into a file, and a shell that forks /bin/true forever
WORKLOAD = "%s > count.txt & while :; do /bin/true; done"


def freezers():
    """(kind, parent directory) of every writable freezer hierarchy."""
    found = []
    for base in ("/sys/fs/cgroup", "/sys/fs/cgroup/unified"):
        if os.path.exists(os.path.join(base, "cgroup.controllers")):
            found.append(("v2", base))
            break
    if os.path.exists("/sys/fs/cgroup/freezer/freezer.state") or \
            os.path.exists("/sys/fs/cgroup/freezer/tasks"):
        found.append(("v1", "/sys/fs/cgroup/freezer"))
    return found


def is_thawed(kind, cg):
    if kind == "v2":
        with open(os.path.join(cg, "cgroup.events")) as f:
            return "frozen 0" in f.read()
    with open(os.path.join(cg, "freezer.state")) as f:
        return f.read().strip() == "THAWED"


def count(work):
    try:
        with open(os.path.join(work, "count.txt")) as f:
            lines = f.read().split()
        return int(lines[-1]) if lines else -1
    except (OSError, ValueError):
        return -1


def grows(work, wait=1.5):
    a = count(work)
    time.sleep(wait)
    return count(work) > a >= 0


def tracer(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("TracerPid:"):
                return int(line.split()[1])
    return -1


def remove_cgroup(cg):
    """rmdir fails while the last killed task is still leaving the cgroup."""
    for _ in range(100):
        try:
            os.rmdir(cg)
            return
        except OSError:
            time.sleep(0.05)


def criu(*args):
    return subprocess.run([CRIU] + list(args), capture_output=True, text=True, timeout=60)


def one_freezer(kind, base, counter, work):
    cg = os.path.join(base, "criu-test-%d" % os.getpid())
    os.makedirs(cg, exist_ok=True)
    work = os.path.join(work, kind)
    os.makedirs(work)
    imgs = os.path.join(work, "images")
    p = subprocess.Popen(["bash", "-c", WORKLOAD % counter], cwd=work,
                         stdin=subprocess.DEVNULL, start_new_session=True)
    pid = p.pid
    try:
        with open(os.path.join(cg, "cgroup.procs"), "w") as f:
            f.write(str(pid))
        time.sleep(0.5)
        check(grows(work), "%s: the workload counts and forks in %s" % (kind, cg))

        r = criu("dump", "-t", str(pid), "-D", imgs, "-R", "--freeze-cgroup", cg)
        check(r.returncode == 0, "%s: dump -R --freeze-cgroup of a forking tree (%s)" %
              (kind, r.stderr.strip()[-200:]))
        check(is_thawed(kind, cg), "%s: the cgroup is thawed after the dump" % kind)
        check(grows(work) and tracer(pid) == 0, "%s: the tree runs on, untraced" % kind)

        empty = cg + "-empty"
        os.makedirs(empty, exist_ok=True)
        for bad, what in ((cg + "-missing", "a missing cgroup"),
                          (empty, "a cgroup without the tree")):
            r = criu("dump", "-t", str(pid), "-D", imgs, "--freeze-cgroup", bad)
            lines = [x for x in r.stderr.splitlines() if "Error" in x]
            check(r.returncode != 0 and len(lines) >= 1 and grows(work, 0.6) and
                  tracer(pid) == 0, "%s: --freeze-cgroup with %s fails (%s), the tree "
                  "runs on" % (kind, what, lines[-1][-120:] if lines else "no error"))

        check(is_thawed(kind, empty), "%s: the empty cgroup is thawed again" % kind)
        os.rmdir(empty)
        shutil.rmtree(imgs, ignore_errors=True)
        r = criu("dump", "-t", str(pid), "-D", imgs, "--freeze-cgroup", cg)
        p.wait()
        reap(children())
        check(r.returncode == 0 and not os.path.exists("/proc/%d" % pid),
              "%s: dump --freeze-cgroup kills the tree after the dump" % kind)
        before = count(work)
        r = criu("restore", "-D", imgs, "-d")
        check(r.returncode == 0, "%s: restore (%s)" % (kind, r.stderr.strip()[-200:]))
        time.sleep(0.3)
        after = count(work)
        check(after >= before and grows(work),
              "%s: the restored counter carries on from %d (%d after restore)" %
              (kind, before, after))
    finally:
        # the counter is bash's child: the whole group goes (a restored tree keeps its group)
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        reap([pid] + children())
        remove_cgroup(cg)


def criu_inside(kind, base, work):
    """criu run from inside the cgroup it is asked to freeze must refuse."""
    cg = os.path.join(base, "criu-self-%d" % os.getpid())
    os.makedirs(cg, exist_ok=True)
    sleeper = subprocess.Popen(["sleep", "100"], start_new_session=True)
    try:
        with open(os.path.join(cg, "cgroup.procs"), "w") as f:
            f.write(str(sleeper.pid))
        r = subprocess.run(["bash", "-c", "echo $$ > %s/cgroup.procs && exec %s dump -t %d "
                            "-D %s --freeze-cgroup %s" % (cg, CRIU, sleeper.pid,
                                                           os.path.join(work, "self"), cg)],
                           capture_output=True, text=True, timeout=60)
        check(r.returncode != 0 and "criu itself" in r.stderr and is_thawed(kind, cg) and
              tracer(sleeper.pid) == 0, "%s: criu inside the cgroup refuses (%s)" %
              (kind, r.stderr.strip()[-120:]))
    finally:
        reap([sleeper.pid])
        remove_cgroup(cg)


def main():
    if os.getuid() != 0:
        print("test-freeze-cgroup: needs root; skipped\ntest-freeze-cgroup: 0 passed, 0 failed")
        return
    become_subreaper()
    work = tempfile.mkdtemp(prefix="criu-freeze-cgroup.")
    counter = os.path.join(work, "counter")
    subprocess.run(["gcc", "-O2", "-o", counter, os.path.join(ROOT, "ci/demo/counter.c")],
                   check=True)
    found = freezers()
    check(len(found) > 0, "a cgroup freezer is mounted: %s" % found)
    try:
        for kind, base in found:
            one_freezer(kind, base, counter, work)
            criu_inside(kind, base, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    finish("test-freeze-cgroup")


if __name__ == "__main__":
    main()
