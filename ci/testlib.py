"""What the ci/test-*.py scripts share: TAP-like checks, a subreaper that
reaps what it kills, and the summary line make test reads."""
import ctypes
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRIU = os.path.join(ROOT, "criu")
results = []


def check(ok, what):
    results.append(ok)
    print(("ok - " if ok else "not ok - ") + what, flush=True)


def become_subreaper():
    """Restored trees (criu restore -d) are reparented to us, not to PID 1,
    which reaps late on these machines."""
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)


def children():
    """Our children, the killed tree's orphans included."""
    kids = []
    for x in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % x) as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == os.getpid():
                    kids.append(int(x))
        except (OSError, ValueError, IndexError):
            pass
    return kids


def reap(pids):
    """SIGKILL @pids and reap until every one is gone (5 s at most)."""
    for pid in pids:
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    for _ in range(500):
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        if not any(os.path.exists("/proc/%d" % p) for p in pids):
            return
        time.sleep(0.01)


def finish(name):
    failed = results.count(False)
    print("%s: %d passed, %d failed" % (name, len(results) - failed, failed))
    sys.exit(1 if failed else 0)
