#!/usr/bin/env python3
"""--shell-job: an interactive top started as a job by a "shell" on a pty
(the shell is the session leader and holds the master, both outside the
tree) is dumped with -j, then restored with -j by a criu whose terminal is
another pty: top keeps drawing on the new terminal, in its foreground, and
a key typed there reaches it. Without -j the dump fails with one line and
top runs on. Also refused, with one line: a pty slave whose master is outside
the tree, a session whose controlling terminal's master is outside, and at
restore a pts index another terminal holds. Ends with "test-shell-job: N
passed, N failed"."""
import fcntl
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import time

from testlib import CRIU, become_subreaper, check, finish, results

TOP = shutil.which("top") or "/usr/bin/top"
ENV = {"PATH": "/usr/bin:/bin", "TERM": "xterm", "LC_ALL": "C", "HOME": "/nonexistent"}
TIOCGPTN = 0x80045430


def new_pty(rows, cols):
    m, s = os.openpty()
    fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    return m, s


def take_terminal(s):
    """In a fresh child: lead a new session whose terminal is slave @s on 0, 1, 2."""
    os.setsid()
    fcntl.ioctl(s, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(s, fd)
    if s > 2:
        os.close(s)


def start_job(s, argv):
    """A "shell" leading a session on slave @s runs @argv as its foreground job.
    Returns (shell pid, job pid)."""
    r, w = os.pipe()
    shell = os.fork()
    if shell == 0:
        try:
            take_terminal(s)
            os.close(r)
            go_r, go_w = os.pipe()
            job = os.fork()
            if job == 0:
                os.setpgid(0, 0)
                os.read(go_r, 1)
                os.execve(argv[0], argv, ENV)
            os.setpgid(job, job)
            signal.signal(signal.SIGTTOU, signal.SIG_IGN)
            os.tcsetpgrp(0, job)
            os.write(w, str(job).encode())
            os.write(go_w, b"x")
            os.waitpid(job, 0)
        finally:
            os._exit(0)
    os.close(w)
    job = int(os.read(r, 32))
    os.close(r)
    return shell, job


def drain(m, seconds):
    """What the terminal shows during @seconds (keeps top from blocking)."""
    os.set_blocking(m, False)
    data = b""
    end = time.time() + seconds
    while time.time() < end:
        try:
            data += os.read(m, 65536)
        except BlockingIOError:
            time.sleep(0.02)
        except OSError:
            break
    return data


def frames(data):
    # top redraws only the lines that changed, but every frame starts by
    # moving the cursor home: count those, not a line that may stay put.
    return data.count(b"\x1b[H")


def stat_fields(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()


def run(label, argv, work):
    """Dump the job @argv (top, or a shell running top) and restore it on a new terminal."""
    imgs = os.path.join(work, label)
    os.mkdir(imgs)
    m1, s1 = new_pty(24, 80)
    shell, top = start_job(s1, argv)
    os.close(s1)
    restorer = None
    try:
        check(frames(drain(m1, 2.0)) >= 2, "%s: top draws on the first terminal" % label)

        r = subprocess.run([CRIU, "dump", "-t", str(top), "-D", imgs, "-o", "dump0.log"],
                           capture_output=True, text=True)
        with open(os.path.join(imgs, "dump0.log")) as f:
            errs = [l for l in f.read().splitlines() if "Error" in l or "unsupported" in l]
        check(r.returncode != 0 and len(errs) == 1 and "--shell-job" in errs[0],
              "%s: without -j the dump fails with one line naming --shell-job: %r"
              % (label, errs))
        check(frames(drain(m1, 2.0)) >= 2, "%s: top runs on after the refused dump" % label)

        lr = os.path.join(imgs, "leave-running")
        os.mkdir(lr)
        r = subprocess.run([CRIU, "dump", "-j", "--leave-running", "-t", str(top), "-D", lr,
                            "-o", "dump.log"])
        check(r.returncode == 0 and frames(drain(m1, 2.0)) >= 2,
              "%s: after dump -j --leave-running top draws on" % label)

        r = subprocess.run([CRIU, "dump", "-j", "-t", str(top), "-D", imgs, "-v4",
                            "-o", "dump.log"])
        check(r.returncode == 0, "%s: dump -j of the job (log in %s)" % (label, imgs))
        # the shell, and every killed task of the job we are subreaper of
        while True:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break
        shell = None
        drain(m1, 0.2)
        os.close(m1)
        m1 = None

        r = subprocess.run([CRIU, "restore", "-D", imgs, "-o", "restore0.log"],
                           capture_output=True, text=True)
        check(r.returncode != 0, "%s: restore without -j is refused" % label)

        m2, s2 = new_pty(30, 100)
        restorer = os.fork()
        if restorer == 0:
            try:
                take_terminal(s2)
                os.execve(CRIU, [CRIU, "restore", "-j", "-D", imgs, "-v4", "-o",
                                 "restore.log"], ENV)
            finally:
                os._exit(127)
        rdev = os.fstat(s2).st_rdev
        os.close(s2)
        shown = drain(m2, 2.0)
        check(frames(shown) >= 3, "%s: top keeps drawing on the new terminal (%d frames in 2 s)"
              % (label, frames(shown)))
        try:
            st = stat_fields(top)
        except OSError:
            st = None
        check(st is not None and int(st[3]) == restorer and int(st[4]) == rdev
              and int(st[5]) == top,
              "%s: the job is in criu's session, on its terminal, in the foreground: %s"
              % (label, st[1:6] if st else "gone"))
        os.write(m2, b"q")
        end = time.time() + 5
        status = None
        while time.time() < end:
            drain(m2, 0.1)
            pid, status = os.waitpid(restorer, os.WNOHANG)
            if pid:
                restorer = None
                break
        check(status is not None and restorer is None and os.waitstatus_to_exitcode(status) == 0,
              "%s: a key typed on the new terminal reaches top: it quits and criu exits 0"
              % label)
        os.close(m2)
    finally:
        for pid in (top, shell, restorer):
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        while True:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break


def errors(log):
    with open(log) as f:
        return [l for l in f.read().splitlines() if "Error" in l]


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def reap(p):
    p.kill()
    p.wait()


def refusals(work):
    """Terminals whose other end is outside the tree, and a pts index taken at restore."""
    imgs = os.path.join(work, "refuse")
    os.mkdir(imgs)
    log = os.path.join(imgs, "dump.log")
    m, s = os.openpty()
    p = subprocess.Popen(["sleep", "1000"], stdin=s, stdout=s, start_new_session=True)
    for j in ([], ["-j"]):
        r = subprocess.run([CRIU, "dump", "-t", str(p.pid), "-D", imgs, "-o", log] + j)
        e = errors(log)
        check(r.returncode != 0 and len(e) == 1 and "unsupported: %s fd 0 of pid %d"
              % (os.ttyname(s), p.pid) in e[0] and alive(p.pid),
              "a pty slave whose master is outside the tree is refused%s: %r"
              % (" even with -j" if j else "", e))
    reap(p)

    def leader():
        os.setsid()
        fcntl.ioctl(s, termios.TIOCSCTTY, 0)
        null = os.open("/dev/null", os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
    p = subprocess.Popen(["sleep", "1000"], preexec_fn=leader)
    r = subprocess.run([CRIU, "dump", "-t", str(p.pid), "-D", imgs, "-o", log])
    e = errors(log)
    check(r.returncode != 0 and len(e) == 1 and "unsupported: controlling terminal %s of "
          "session %d" % (os.ttyname(s), p.pid) in e[0] and alive(p.pid),
          "a session leader whose controlling terminal has its master outside is refused: %r"
          % e)
    reap(p)
    os.close(m)
    os.close(s)

    m, s = os.openpty()
    index = int(os.ttyname(s).rsplit("/", 1)[1])
    p = subprocess.Popen(["sleep", "1000"], pass_fds=[m, s], start_new_session=True,
                         stdin=subprocess.DEVNULL)
    os.close(m)
    os.close(s)
    r = subprocess.run([CRIU, "dump", "-t", str(p.pid), "-D", imgs, "-o", log])
    p.wait()
    check(r.returncode == 0, "dump of a program holding pty %d" % index)
    held = []
    while True:
        fd = os.open("/dev/ptmx", os.O_RDWR | os.O_NOCTTY)
        held.append(fd)
        got = struct.unpack("I", fcntl.ioctl(fd, TIOCGPTN, b"\0" * 4))[0]
        if got >= index:
            break
    rlog = os.path.join(imgs, "restore.log")
    r = subprocess.run([CRIU, "restore", "-d", "-D", imgs, "-o", rlog])
    e = errors(rlog)
    check(r.returncode != 0 and any("/dev/pts/%d is in use" % index in l for l in e)
          and not os.path.exists("/proc/%d" % p.pid),
          "restore refuses a pts index taken by another terminal, leaving nothing: %r" % e)
    for fd in held:
        os.close(fd)
    r = subprocess.run([CRIU, "restore", "-d", "-D", imgs, "-o", rlog])
    ok = r.returncode == 0 and os.readlink("/proc/%d/fd/4" % p.pid) == "/dev/pts/%d" % index
    check(ok, "once the index is free the restore gives pty %d back" % index)
    if r.returncode == 0:
        os.kill(p.pid, signal.SIGKILL)
        time.sleep(0.2)


# the orphan-pts-master script: sends the new master to the test over $ORPHAN_SOCK
ORPHAN_SCRIPT = r"""#!/bin/sh
[ "$CRTOOLS_SCRIPT_ACTION" = orphan-pts-master ] || exit 0
exec python3 -c '
import os, socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
fd = int(os.environ["CRTOOLS_ORPHAN_PTS_MASTER_FD"])
msg = os.environ["CRTOOLS_ORPHAN_PTS_SLAVE"].encode()
s.connect(os.environ["ORPHAN_SOCK"])
socket.send_fds(s, [msg], [fd])
'
"""


def orphans(work):
    """--orphan-pts-master: a shell loop on a pty whose master stays with us."""
    imgs = os.path.join(work, "orphan")
    os.mkdir(imgs)
    log = os.path.join(imgs, "dump.log")
    script = os.path.join(work, "orphan.sh")
    with open(script, "w") as f:
        f.write(ORPHAN_SCRIPT)
    os.chmod(script, 0o755)
    m, s = new_pty(24, 80)
    old = os.ttyname(s)

    def leader():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    p = subprocess.Popen(["/bin/sh", "-c", 'while read l; do echo "got $l"; done'],
                         stdin=s, stdout=s, stderr=s, preexec_fn=leader, env=ENV)
    os.close(s)
    os.write(m, b"one\n")
    check(b"got one" in drain(m, 0.5), "orphan: the loop answers on %s" % old)

    os.write(m, b"un")		# half a line, the loop waits for the rest
    time.sleep(0.2)
    lr = os.path.join(imgs, "leave-running")
    os.mkdir(lr)
    r = subprocess.run([CRIU, "dump", "-R", "--orphan-pts-master", "-t", str(p.pid), "-D", lr,
                        "-o", log])
    os.write(m, b"done\n")
    shown = drain(m, 0.5)
    check(r.returncode == 0 and b"got undone" in shown,
          "orphan: after dump -R the half line is still there to finish: %r" % shown)
    os.write(m, b"un")
    time.sleep(0.2)
    r = subprocess.run([CRIU, "dump", "--orphan-pts-master", "-t", str(p.pid), "-D", imgs,
                        "-o", log])
    p.wait()
    check(r.returncode == 0, "orphan: dump --orphan-pts-master")
    rlog = os.path.join(imgs, "restore.log")
    for extra, want in (([], "restore with --orphan-pts-master"),
                        (["--orphan-pts-master"], "needs an --action-script")):
        r = subprocess.run([CRIU, "restore", "-d", "-D", imgs, "-o", rlog] + extra)
        e = errors(rlog)
        check(r.returncode != 0 and len(e) == 1 and want in e[0] and not alive(p.pid),
              "orphan: a restore %s is refused, leaving nothing: %r"
              % ("without the option" if not extra else "without a script", e))

    sock_path = os.path.join(work, "orphan.sock")
    sk = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sk.bind(sock_path)
    env = dict(os.environ, ORPHAN_SOCK=sock_path)
    r = subprocess.run([CRIU, "restore", "-d", "-D", imgs, "-o", rlog, "--orphan-pts-master",
                        "--action-script", script], env=env)
    check(r.returncode == 0, "orphan: restore with the option and a script")
    sk.settimeout(5)
    try:
        msg, fds, _, _ = socket.recv_fds(sk, 64, 1)
    except OSError:
        msg, fds = b"", []
    sk.close()
    new = msg.decode()
    check(len(fds) == 1 and new.startswith("/dev/pts/"),
          "orphan: the script got the new master, of %s" % new)
    if fds:
        m2 = fds[0]
        st = stat_fields(p.pid) if alive(p.pid) else None
        rdev = os.stat(new).st_rdev if new else -1
        check(st is not None and os.readlink("/proc/%d/fd/0" % p.pid) == new and
              int(st[4]) == rdev and int(st[5]) == p.pid,
              "orphan: the loop is on %s, its controlling terminal, in the foreground" % new)
        os.write(m2, b"read\n")
        shown = drain(m2, 1.0)
        check(b"got unread" in shown, "orphan: the half line typed before the dump is "
              "finished through the new master: %r" % shown)
        os.close(m2)
    os.close(m)
    if alive(p.pid):
        os.kill(p.pid, signal.SIGKILL)
        time.sleep(0.2)


def main():
    if not os.path.exists(TOP):
        print("test-shell-job: top is not installed, skipped")
        print("test-shell-job: 0 passed, 0 failed")
        return 0
    become_subreaper()
    work = tempfile.mkdtemp(prefix="criu-shell-job.")
    refusals(work)
    orphans(work)
    run("top", [TOP, "-d", "0.2"], work)
    # two processes, the job's group led from inside, /dev/tty open in both
    run("bash+top", ["/bin/bash", "-c", "exec 3</dev/tty; %s -d 0.2; exit $?" % TOP], work)
    if all(results):
        shutil.rmtree(work, ignore_errors=True)
    finish("test-shell-job")
    return 0


if __name__ == "__main__":
    sys.exit(main())
