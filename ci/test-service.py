#!/usr/bin/env python3
"""criu service, through tools/criu_service.py: --daemon, --pidfile and
--status-fd; version and check; a root client dumping and restoring a
program; a client that is not root dumping itself (with -R it goes on, the
images are its own; without, it is killed, restored by root, and sees its
connection to the service closed); what such a client may not ask; a bad
request. Ends with "test-service: N passed, N failed"."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from testlib import CRIU, ROOT, become_subreaper, check, finish, reap

sys.path.insert(0, os.path.join(ROOT, "tools"))
import criu_service  # noqa: E402

UID = 18943		# the zdtm tests' user
USER_PYTHON = "/usr/bin/python3"

COUNTER = r"""
import sys, time
n = 0
while True:
    print(n, flush=True); n += 1; time.sleep(0.1)
"""

# a user's process dumping itself: argv = work dir, mode, options...
SELF_DUMP = r"""
import json, os, sys
sys.path.insert(0, sys.argv[1])
import criu_service
work, mode = sys.argv[1], sys.argv[2]
imgs = os.path.join(work, "imgs-" + mode)
os.makedirs(imgs, exist_ok=True)
answer = criu_service.request(os.path.join(work, "svc.sock"), "dump", sys.argv[3:], imgs)
with open(os.path.join(work, "out-" + mode), "a") as f:
    f.write(json.dumps(answer) + "\n")
    f.write("%s %d\n" % ("restored" if answer is None else "answered", os.getpid()))
"""


def count(out):
    with open(out) as f:
        nums = f.read().split()
    return int(nums[-1]) if nums else -1


def counting(out):
    n = count(out)
    time.sleep(0.4)
    return count(out) > n


def gone(pid, seconds=5.0):
    end = time.time() + seconds
    while time.time() < end:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        if not os.path.exists("/proc/%d" % pid):
            return True
        time.sleep(0.02)
    return False


def as_user(work, mode, *opts):
    """The self-dumping client as the test user, in its own session."""
    def drop():
        os.setsid()
        os.setgroups([])
        os.setgid(UID)
        os.setuid(UID)
    return subprocess.Popen([USER_PYTHON, os.path.join(work, "self_dump.py"), work, mode]
                            + list(opts), preexec_fn=drop, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def read_out(work, mode):
    try:
        with open(os.path.join(work, "out-" + mode)) as f:
            return f.read().splitlines()
    except OSError:
        return []


def start_service(work, sock):
    rfd, wfd = os.pipe()
    pidfile = os.path.join(work, "svc.pid")
    r = subprocess.run([CRIU, "service", "--address", sock, "-d", "--pidfile", pidfile,
                        "--status-fd", str(wfd), "-o", os.path.join(work, "svc.log")],
                       pass_fds=[wfd])
    os.close(wfd)
    status = os.read(rfd, 4)
    os.close(rfd)
    with open(pidfile) as f:
        pid = int(f.read())
    return r.returncode, pid, status


def user_tests(work, sock):
    shutil.copy(os.path.join(ROOT, "tools/criu_service.py"), work)
    with open(os.path.join(work, "self_dump.py"), "w") as f:
        f.write(SELF_DUMP)
    os.chmod(work, 0o777)

    def user_ask(op, args, images=None):
        """One request as the test user; its answer."""
        code = ("import json, sys; sys.path.insert(0, %r); import criu_service; "
                "print(json.dumps(criu_service.request(%r, %r, %r, %r)))"
                % (work, sock, op, args, images))
        r = subprocess.run([USER_PYTHON, "-c", code], capture_output=True, text=True,
                           preexec_fn=lambda: (os.setgroups([]), os.setgid(UID), os.setuid(UID)))
        return r.stdout.strip()

    got = user_ask("restore", [], work)
    check("only root may ask for a restore" in got, "a user's restore is refused: %s" % got)
    got = user_ask("dump", ["--action-script", "/bin/true"], work)
    check("may not pass" in got, "a user's dump with --action-script is refused: %s" % got)
    got = user_ask("dump", ["-R"])
    check("passed as a descriptor" in got,
          "a user's dump without an images directory descriptor is refused: %s" % got)
    got = user_ask("version", [])
    check('"version"' in got, "a user may ask for the version: %s" % got)

    p = as_user(work, "lr", "-R")
    p.wait()
    out = read_out(work, "lr")
    imgs = os.path.join(work, "imgs-lr")
    owners = {os.stat(os.path.join(imgs, f)).st_uid for f in os.listdir(imgs)} \
        if os.path.isdir(imgs) else set()
    check(len(out) == 2 and '"success": true' in out[0] and out[1].startswith("answered") and
          "core-%d.img" % p.pid in os.listdir(imgs) and owners == {UID},
          "a user's process dumps itself with -R, gets the answer, the images are its own: "
          "%s, owners %s" % (out, owners))

    p = as_user(work, "kill")
    p.wait()
    imgs = os.path.join(work, "imgs-kill")
    check(p.returncode == -signal.SIGKILL and read_out(work, "kill") == [] and
          os.path.exists(os.path.join(imgs, "core-%d.img" % p.pid)),
          "without -R the dumped process is killed before any answer (status %s)" % p.returncode)
    gone(p.pid)
    r = subprocess.run([CRIU, "restore", "-d", "-D", imgs, "-o", "restore.log"])
    deadline = time.time() + 5
    while time.time() < deadline and len(read_out(work, "kill")) < 2:
        time.sleep(0.05)
    out = read_out(work, "kill")
    check(r.returncode == 0 and out == ["null", "restored %d" % p.pid],
          "restored by root, it finds its connection to the service closed: %s" % out)
    gone(p.pid)


def main():
    become_subreaper()
    work = tempfile.mkdtemp(prefix="criu-service.")
    sock = os.path.join(work, "svc.sock")
    out = os.path.join(work, "counter.out")
    service = prog = 0
    try:
        code, service, status = start_service(work, sock)
        check(code == 0 and status == b"\0" and service != os.getpid() and
              os.path.exists("/proc/%d" % service) and os.path.exists(sock),
              "service -d: --status-fd gets its byte, --pidfile names the daemon (%d)" % service)
        got = criu_service.request(sock, "version")
        check(got == {"op": 4, "success": True, "version": "0.1"}, "version: %s" % got)
        got = criu_service.request(sock, "check")
        check(got.get("success") and got.get("exit_status") == 0, "check: %s" % got)
        got = criu_service.request(sock, "check", ["--feature", "no_such_feature"])
        check(not got.get("success") and "no_such_feature" in got.get("error", ""),
              "a failing check: %s" % got)

        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.connect(sock)
        s.send(b"\xff\xff\xff")
        answer = s.recv(100)
        s.close()
        check(answer == b"" and criu_service.request(sock, "version").get("success"),
              "a bad request gets no answer and the service serves on")

        p = subprocess.Popen(["python3", "-c", COUNTER], stdout=open(out, "w"),
                             stdin=subprocess.DEVNULL, start_new_session=True)
        prog = p.pid
        time.sleep(0.5)
        imgs = os.path.join(work, "root-imgs")
        os.mkdir(imgs)
        got = criu_service.request(sock, "dump", ["-t", str(prog), "-o", "dump.log"], imgs)
        p.wait()
        n = count(out)
        check(got.get("success") and p.returncode == -signal.SIGKILL,
              "root asks for a dump of a program: it is dumped and killed: %s" % got)
        gone(prog)
        got = criu_service.request(sock, "restore", ["-o", "restore.log"], imgs)
        check(got.get("success") and got.get("pid") == prog and counting(out) and
              count(out) >= n, "root asks for a restore: it counts on as pid %s" % got.get("pid"))

        user_tests(work, sock)
    finally:
        reap([pid for pid in (prog, service) if pid])
        shutil.rmtree(work, ignore_errors=True)
    finish("test-service")


if __name__ == "__main__":
    main()
