#!/usr/bin/env python3
"""Action scripts and --status-fd, checked end to end on a counting program.

Runs as root under a child subreaper (PID 1 here reaps late); leaves nothing
behind. Ends with "test-actions: N passed, N failed".
"""
import os
import shutil
import subprocess
import tempfile
import time

from testlib import CRIU, ROOT, become_subreaper, check, finish, reap


def count(out):
    with open(out) as f:
        words = f.read().split()
    return int(words[-1]) if words else -1


def gone(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    return not os.path.exists("/proc/%d" % pid)


# a process holding an established TCP connection to itself, talking over it
TCP_PROG = r"""
import socket, sys, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
c = socket.create_connection(l.getsockname()); a, _ = l.accept()
n = 0
while True:
    c.sendall(b"%08d" % n); got = a.recv(8)
    if got != b"%08d" % n:
        sys.exit(9)
    print(n, flush=True); n += 1; time.sleep(0.1)
"""


def locked():
    r = subprocess.run(["iptables", "-w", "-S", "INPUT"], capture_output=True, text=True)
    return "criu network lock" in r.stdout


def tcp_hooks(work, script, log):
    """network-lock at dump, network-unlock at restore, with the rules they bracket."""
    out, imgs = os.path.join(work, "tcp.out"), os.path.join(work, "tcp-images")
    p = subprocess.Popen(["python3", "-c", TCP_PROG], stdout=open(out, "w"),
                         stdin=subprocess.DEVNULL, start_new_session=True)
    pid = p.pid
    try:
        time.sleep(0.8)
        env = dict(os.environ, FAIL_AT="network-lock")
        r = subprocess.run([CRIU, "dump", "-t", str(pid), "-D", imgs, "--tcp-established",
                            "--action-script", script], env=env, capture_output=True, text=True)
        n = count(out)
        time.sleep(0.5)
        check(r.returncode != 0 and "network-lock" in r.stderr and not locked() and
              count(out) > n, "a failing network-lock script fails the dump, unlocks, and "
              "the connection carries on")
        open(log, "w").close()
        r = subprocess.run([CRIU, "dump", "-t", str(pid), "-D", imgs, "--tcp-established",
                            "--action-script", script], capture_output=True, text=True)
        p.wait()
        check(r.returncode == 0 and locked(), "dump --tcp-established: the connection stays "
              "locked after the tree is killed (%s)" % r.stderr.strip()[-200:])
        r = subprocess.run([CRIU, "restore", "-D", imgs, "-d", "--tcp-established",
                            "--action-script", script], capture_output=True, text=True)
        n = count(out)
        time.sleep(0.5)
        check(r.returncode == 0 and not locked() and count(out) > n,
              "restore unlocks it and the program talks on over the restored connection")
        with open(log) as f:
            order = [ln.split()[0] for ln in f if ln.strip()]
        want = ["pre-dump", "network-lock", "post-dump", "pre-restore", "setup-namespaces",
                "post-setup-namespaces", "post-restore", "network-unlock", "pre-resume",
                "post-resume"]
        check(order == want, "network hooks in order: %s" % " ".join(order))
    finally:
        reap([pid])


def main():
    become_subreaper()
    work = tempfile.mkdtemp(prefix="criu-actions.")
    prog, out, log = (os.path.join(work, n) for n in ("counter", "counter.out", "act.log"))
    script = os.path.join(work, "act.sh")
    subprocess.run(["gcc", "-O2", "-o", prog, os.path.join(ROOT, "ci/demo/counter.c")],
                   check=True)
    with open(script, "w") as f:
        # the last field: the comm of the init pid, "-" if there is none
        f.write('#!/bin/sh\necho "$CRTOOLS_SCRIPT_ACTION $CRTOOLS_IMAGE_DIR $CRTOOLS_INIT_PID'
                ' $(cat /proc/$CRTOOLS_INIT_PID/comm 2>/dev/null || echo -)" >> %s\n'
                '[ "$CRTOOLS_SCRIPT_ACTION" = "$FAIL_AT" ] && exit 3\nexit 0\n' % log)
    os.chmod(script, 0o755)
    p = subprocess.Popen([prog], stdout=open(out, "w"), stdin=subprocess.DEVNULL,
                         start_new_session=True)
    pid = p.pid
    imgs = os.path.join(work, "images")
    try:
        time.sleep(0.5)
        for fail_at in ("pre-dump", "post-dump"):
            env = dict(os.environ, FAIL_AT=fail_at)
            r = subprocess.run([CRIU, "dump", "-t", str(pid), "-D", imgs, "--action-script",
                                script], env=env, capture_output=True, text=True)
            n = count(out)
            time.sleep(0.5)
            check(r.returncode != 0 and fail_at in r.stderr,
                  "a failing %s script fails the dump with one line naming it" % fail_at)
            check(count(out) > n, "after a failed %s the program still counts" % fail_at)
        open(log, "w").close()
        r = subprocess.run([CRIU, "dump", "-t", str(pid), "-D", imgs, "--action-script", script])
        p.wait()
        check(r.returncode == 0, "dump with an action script")
        for fail_at in ("pre-restore", "setup-namespaces", "post-setup-namespaces",
                        "post-restore", "pre-resume"):
            env = dict(os.environ, FAIL_AT=fail_at)
            r = subprocess.run([CRIU, "restore", "-D", imgs, "-d", "--action-script", script],
                               env=env, capture_output=True, text=True)
            ok = r.returncode != 0 and fail_at in r.stderr
            for _ in range(200):
                if gone(pid):
                    break
                time.sleep(0.01)
            check(ok and gone(pid), "a failing %s script fails the restore, nothing left" %
                  fail_at)
        r = subprocess.run([CRIU, "restore", "-D", imgs, "-d", "--leave-stopped"])
        n = count(out)
        time.sleep(0.3)
        stopped = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()[0] == "T"
        check(r.returncode == 0 and stopped and count(out) == n,
              "restore --leave-stopped leaves the program stopped")
        r = subprocess.run([os.path.join(ROOT, "tools/criu-cont"), str(pid)],
                           capture_output=True, text=True)
        time.sleep(0.3)
        check(r.returncode == 0 and count(out) > n,
              "tools/criu-cont moves it to running: %s" % r.stdout.strip())
        os.kill(pid, 9)
        for _ in range(500):
            if gone(pid):
                break
            time.sleep(0.01)
        rfd, wfd = os.pipe()
        r = subprocess.run([CRIU, "restore", "-D", imgs, "-d", "--action-script", script,
                            "--status-fd", str(wfd)], pass_fds=[wfd])
        os.close(wfd)
        check(r.returncode == 0, "restore with an action script and --status-fd")
        check(os.read(rfd, 16) == b"\0", "--status-fd gets one byte when the restore is done")
        os.close(rfd)
        n = count(out)
        time.sleep(0.5)
        check(count(out) > n, "the restored program counts on")
        with open(log) as f:
            seen = [ln.split() for ln in f if ln.strip()]
        order = [s[0] for s in seen]
        ns = ["setup-namespaces", "post-setup-namespaces"]
        want = (["pre-dump", "post-dump"] +                        # the dump
                ["pre-restore"] +                                  # fails there
                ["pre-restore"] + ns[:1] +                         # fails there
                ["pre-restore"] + ns +                             # fails there
                ["pre-restore"] + ns + ["post-restore"] +          # fails there
                ["pre-restore"] + ns + ["post-restore", "pre-resume"] +  # fails there
                ["pre-restore"] + ns + ["post-restore", "pre-resume", "post-resume"])
        check(order == want, "hooks ran in order: %s" % " ".join(order))
        check(all(s[1] == os.path.realpath(imgs) for s in seen),
              "CRTOOLS_IMAGE_DIR is the images directory")
        check(all(s[2] == str(pid) for s in seen if s[0] not in ("pre-restore",)),
              "CRTOOLS_INIT_PID is the root pid")
        comms = {s[0]: s[-1] for s in seen}
        check(comms["setup-namespaces"] == "criu" and comms["post-setup-namespaces"] == "criu"
              and comms["post-resume"] == "counter",
              "the namespace hooks see the root created and nothing restored yet "
              "(its comm: %s, then %s once it runs)" % (comms["setup-namespaces"],
                                                         comms["post-resume"]))
        tcp_hooks(work, script, log)
    finally:
        reap([pid])
        shutil.rmtree(work, ignore_errors=True)
    finish("test-actions")


if __name__ == "__main__":
    main()
