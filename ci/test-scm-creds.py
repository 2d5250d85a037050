#!/usr/bin/env python3
"""Credentials in flight on a unix socket whose pids are outside the dumped
tree (ci/scm-creds-target.c): one of a sender that exited, one of a sender
that left the tree and lives on.

1. A restore while an unrelated process has the exited sender's pid fails
   with one line naming that pid, and leaves nothing (the tree's pid is
   free, the unrelated process untouched).
2. Once that pid is free again the restore works, and the messages read
   with the pids, uids and gids they had: the living sender's own pid, and
   the exited one's.

Ends with "test-scm-creds: N passed, N failed"."""
import os
import shutil
import signal
import subprocess
import tempfile
import time

from testlib import CRIU, ROOT, become_subreaper, check, finish, reap, results


def wait_for(path, want=lambda s: s.strip() != "", timeout=5.0):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with open(path) as f:
                s = f.read()
            if want(s):
                return s
        except OSError:
            pass
        time.sleep(0.02)
    return ""


def main():
    if os.getuid() != 0:
        print("test-scm-creds: needs root; skipped")
        finish("test-scm-creds")
    become_subreaper()
    work = tempfile.mkdtemp(prefix="criu-scm-creds.")
    prog, imgs = os.path.join(work, "target"), os.path.join(work, "images")
    out, report = os.path.join(work, "out"), os.path.join(work, "report")
    subprocess.run(["gcc", "-O2", "-Wall", "-o", prog,
                    os.path.join(ROOT, "ci/scm-creds-target.c")], check=True)
    pids = []
    with open(out, "w") as o:
        p = subprocess.Popen([prog, report], stdout=o, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
    pid = p.pid
    pids.append(pid)
    try:
        line = wait_for(out).split()
        check(len(line) == 2, "the target is ready (%s)" % line)
        gone, outside = int(line[0]), int(line[1])
        pids.append(outside)
        r = subprocess.run([CRIU, "dump", "-t", str(pid), "-D", imgs, "-o", "dump.log",
                            "-v4"], capture_output=True, text=True)
        p.wait()
        check(r.returncode == 0, "dump with credentials in flight (%s)" % r.stderr.strip()[:200])

        holder = subprocess.Popen([prog, "hold", str(gone)], stdout=subprocess.PIPE,
                                  text=True, start_new_session=True)
        pids.append(holder.pid)
        check(holder.stdout.readline().strip() == "held",
              "an unrelated process takes pid %d of the exited sender" % gone)
        r = subprocess.run([CRIU, "restore", "-D", imgs, "-d", "-o", "restore-taken.log",
                            "-v4"], capture_output=True, text=True)
        lines = r.stderr.strip().splitlines()
        check(r.returncode != 0 and len(lines) == 1 and str(gone) in lines[0] and
              "another process" in lines[0],
              "restore fails in one line naming pid %d: %s" % (gone, lines))
        time.sleep(0.2)
        check(not os.path.exists("/proc/%d" % pid), "nothing of the tree is left (pid %d)" % pid)
        check(os.path.exists("/proc/%d" % gone) and holder.poll() is None,
              "the process with pid %d is untouched" % gone)
        reap([gone, holder.pid])
        holder.wait()

        r = subprocess.run([CRIU, "restore", "-D", imgs, "-d", "-o", "restore.log", "-v4"],
                           capture_output=True, text=True)
        check(r.returncode == 0, "restore once pid %d is free (%s)" %
              (gone, r.stderr.strip()[:200]))
        os.kill(pid, signal.SIGTERM)
        got = wait_for(report).splitlines()
        want = ["gone %d 0 0" % gone, "outside %d 0 0" % outside]
        check(got == want, "the messages read with the credentials they had: %s (wanted %s)" %
              (got, want))
    finally:
        reap(pids)
        for name in ("dump.log", "restore-taken.log", "restore.log"):
            path = os.path.join(imgs, name)
            if False in results and os.path.exists(path):
                with open(path) as f:
                    print("# %s:\n# " % name + "# ".join(f.readlines()[-15:]))
        shutil.rmtree(work, ignore_errors=True)
    finish("test-scm-creds")


if __name__ == "__main__":
    main()
