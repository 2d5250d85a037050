#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Run a command as a child subreaper, under a second subreaper that reaps.

    reaper.py COMMAND [ARG...]

PID 1 of these machines reaps orphans late, so a killed task that was
re-parented to it stays a zombie and keeps its pid taken. This helper:

- makes itself a child subreaper and forks;
- the child makes itself a child subreaper too and execs COMMAND (the
  attribute survives execve), so COMMAND (ci/test-bad-input.sh) is the
  parent of criu and the reaper of every orphan criu leaves (a tree restored
  with -d, the workloads it starts in the background), and the restored root
  of "criu restore -S" is COMMAND's child;
- the parent reaps whatever reaches it and, once COMMAND has exited, kills
  and reaps anything still left (a safety net: COMMAND is expected to clean
  up after itself), then exits with COMMAND's status.

SIGINT, SIGTERM and SIGHUP are passed on to COMMAND.
Standard library only.
"""
import ctypes
import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36


def subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0):
        err = ctypes.get_errno()
        sys.exit(f"reaper.py: PR_SET_CHILD_SUBREAPER: {os.strerror(err)}")


def children():
    """Pids whose parent is this process (any of its threads)."""
    kids = set()
    for tid in os.listdir(f"/proc/{os.getpid()}/task"):
        try:
            with open(f"/proc/{os.getpid()}/task/{tid}/children") as f:
                kids.update(int(p) for p in f.read().split())
        except OSError:
            pass
    return kids


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: reaper.py COMMAND [ARG...]")
    subreaper()
    cmd = os.fork()
    if cmd == 0:
        subreaper()
        try:
            os.execvp(sys.argv[1], sys.argv[1:])
        except OSError as e:
            print(f"reaper.py: {sys.argv[1]}: {e.strerror}", file=sys.stderr)
            os._exit(127)

    def forward(sig, frame):
        try:
            os.kill(cmd, sig)
        except ProcessLookupError:
            pass

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, forward)

    status = None
    while status is None:
        try:
            pid, st = os.waitpid(-1, 0)
        except InterruptedError:
            continue
        except ChildProcessError:
            break
        if pid == cmd:
            status = os.waitstatus_to_exitcode(st)

    # Safety net: whatever COMMAND left behind is ours now.
    while True:
        kids = children()
        if not kids:
            break
        for pid in kids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.waitpid(-1, 0)
        except InterruptedError:
            pass
        except ChildProcessError:
            break
    if status is None:
        status = 1
    sys.exit(status if status >= 0 else 128 - status)


if __name__ == "__main__":
    main()
