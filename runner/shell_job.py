#!/usr/bin/env python3
"""The interactive shell of a --shell-job test, for runner/zdtm.py.

    shell_job.py STATUS -- ARGV...

Leads a new session whose controlling terminal is a new pty, runs ARGV
with the pty on its stdin (stdout and stderr are ours), writes ARGV's exit
code into STATUS and then stays the session's leader, as a shell stays
while its job runs: a job's terminal belongs to the shell's session and
goes away with it. Leaves once nobody else is in the session (checked every
0.1 s), or on SIGTERM. It is a subreaper: the job (whose launcher or
criu exits) stays its child and it reaps it. Whatever the job writes to the terminal is read and
dropped, so it never blocks."""
import ctypes
import fcntl
import os
import select
import signal
import sys
import termios


def session_members(sid):
    n = 0
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == sid:
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] not in ("Z", "X"):
            n += 1
    return n


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: shell_job.py STATUS -- ARGV...")
    status, argv = sys.argv[1], sys.argv[3:]
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    # the job stays our child, as a shell's does: its group is never orphaned
    # (the kernel would send a stopped orphaned group SIGHUP and SIGCONT)
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)     # PR_SET_CHILD_SUBREAPER
    m, s = os.openpty()
    os.setsid()
    fcntl.ioctl(s, termios.TIOCSCTTY, 0)
    pid = os.fork()
    if pid == 0:
        os.dup2(s, 0)
        os.close(s)
        os.close(m)
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    os.close(s)
    _, st = os.waitpid(pid, 0)
    with open(status + ".tmp", "w") as f:
        f.write("%d\n" % os.waitstatus_to_exitcode(st))
    os.rename(status + ".tmp", status)
    me = os.getpid()
    while session_members(me):
        r, _, _ = select.select([m], [], [], 0.1)
        if r:
            try:
                os.read(m, 65536)
            except OSError:
                select.select([], [], [], 0.1)  # no slave open: not a busy loop
        # children of ours (a criu that forked) are reaped, not left as zombies
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass


if __name__ == "__main__":
    main()
