#!/usr/bin/env python3
"""--inherit-fd and --close: a program whose stdout was a pipe to us is restored
with a new pipe of ours in its place. Ends with "test-inherit: N passed, N failed"."""
import os
import shutil
import subprocess
import tempfile
import time

from testlib import CRIU, ROOT, become_subreaper, check, finish, reap


def read_counts(fd, wait=1.0):
    os.set_blocking(fd, False)
    data = b""
    end = time.time() + wait
    while time.time() < end:
        try:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            data += chunk
        except BlockingIOError:
            time.sleep(0.02)
    return [int(x) for x in data.split()]


def main():
    become_subreaper()
    work = tempfile.mkdtemp(prefix="criu-inherit.")
    prog, imgs = os.path.join(work, "counter"), os.path.join(work, "images")
    subprocess.run(["gcc", "-O2", "-o", prog, os.path.join(ROOT, "ci/demo/counter.c")],
                   check=True)
    r1, w1 = os.pipe()
    p = subprocess.Popen([prog], stdout=w1, stdin=subprocess.DEVNULL, start_new_session=True)
    os.close(w1)
    pid = p.pid
    try:
        before = read_counts(r1)
        check(len(before) > 0, "the program writes its count into our pipe")
        name = os.readlink("/proc/%d/fd/1" % pid)
        r = subprocess.run([CRIU, "dump", "-t", str(pid), "-D", imgs])
        p.wait()
        check(r.returncode == 0, "dump of a program writing into a pipe to us")
        os.close(r1)
        r2, w2 = os.pipe()
        spare = os.open("/dev/null", os.O_RDONLY)
        r = subprocess.run([CRIU, "restore", "-D", imgs, "-d", "--inherit-fd",
                            "fd[%d]:%s" % (w2, name), "--close", str(spare)],
                           pass_fds=[w2, spare], capture_output=True, text=True)
        os.close(w2)
        os.close(spare)
        check(r.returncode == 0, "restore with --inherit-fd fd[N]:%s (%s)" %
              (name, r.stderr.strip()[:200]))
        after = read_counts(r2)
        check(len(after) > 0 and after[0] >= before[-1],
              "the restored program writes on into the new pipe, from %s to %s" %
              (before[-1:], after[:1]))
        fd1 = os.readlink("/proc/%d/fd/1" % pid)
        check(fd1 == "pipe:[%d]" % os.fstat(r2).st_ino, "its fd 1 is our new pipe")
        fds = sorted(int(x) for x in os.listdir("/proc/%d/fd" % pid))
        check(fds == [0, 1, 2], "no other fd of criu's reached the task: %s" % fds)
        os.close(r2)
        reap([pid])
        r = subprocess.run([CRIU, "restore", "-D", imgs, "-d", "--inherit-fd",
                            "fd[99]:%s" % name], capture_output=True, text=True)
        check(r.returncode != 0 and "99" in r.stderr and not os.path.exists("/proc/%d" % pid),
              "an --inherit-fd naming a closed fd of criu's fails, naming it, nothing left")
    finally:
        reap([pid])
        shutil.rmtree(work, ignore_errors=True)
    finish("test-inherit")


if __name__ == "__main__":
    main()
