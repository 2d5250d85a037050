#!/usr/bin/env python3
"""criu page-server and dump --page-server: the pages of a program holding
32 MiB of random bytes go to a page server on loopback, the rest of the
images stay in -D; with the two put together the program is restored and
still holds the same bytes. Also: --daemon, --pidfile and --status-fd of the
server, the server exiting once the dump is over, and what fails loudly (no
server, a server that cannot write, a request for a file that is not a pages
image). Ends with "test-page-server: N passed, N failed"."""
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

from testlib import CRIU, become_subreaper, check, finish, reap

# prints a count every 0.1 s; on SIGUSR1 says whether its 32 MiB are intact
PROG = r"""
import hashlib, os, signal, sys, time
data = os.urandom(32 << 20)
want = hashlib.sha256(data).hexdigest()
def verify(sig, frame):
    print("intact" if hashlib.sha256(data).hexdigest() == want else "damaged", flush=True)
signal.signal(signal.SIGUSR1, verify)
n = 0
while True:
    print(n, flush=True); n += 1; time.sleep(0.1)
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def lines(out):
    with open(out) as f:
        return f.read().split()


def count(out):
    nums = [w for w in lines(out) if w.isdigit()]
    return int(nums[-1]) if nums else -1


def counting(out):
    n = count(out)
    time.sleep(0.4)
    return count(out) > n


def exit_status(pid, seconds=5.0):
    """Wait for our child (or orphan) @pid; its exit code, or None if it runs on."""
    end = time.time() + seconds
    while time.time() < end:
        try:
            got, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return None
        if got == pid:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    return None


def start_server(srv, port, extra=()):
    """criu page-server -d: returns (exit code of the launcher, server pid, status byte)."""
    pidfile = os.path.join(srv, "..", "ps.pid")
    rfd, wfd = os.pipe()
    r = subprocess.run([CRIU, "page-server", "-D", srv, "--port", str(port), "-d",
                        "--pidfile", pidfile, "--status-fd", str(wfd),
                        "-o", os.path.join(srv, "..", "ps.log")] + list(extra),
                       pass_fds=[wfd])
    os.close(wfd)
    os.set_blocking(rfd, False)
    status = b""
    for _ in range(250):
        try:
            status = os.read(rfd, 4)
            break
        except BlockingIOError:
            time.sleep(0.02)
    os.close(rfd)
    try:
        with open(pidfile) as f:
            pid = int(f.read())
    except (OSError, ValueError):
        pid = 0
    return r.returncode, pid, status


def raw_request(port, kind, name):
    """One request by hand: the server's answer (an errno, 0 for success)."""
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"CRPS" + bytes([1, kind]) + struct.pack(">H", len(name)) + name)
    s.shutdown(socket.SHUT_WR)
    got = s.recv(4)
    s.close()
    return struct.unpack(">I", got)[0] if len(got) == 4 else None


def dump(pid, imgs, port, extra=()):
    return subprocess.run([CRIU, "dump", "-t", str(pid), "-D", imgs, "--page-server",
                           "--address", "127.0.0.1", "--port", str(port), "-o", "dump.log"]
                          + list(extra), capture_output=True, text=True)


def main():
    become_subreaper()
    work = tempfile.mkdtemp(prefix="criu-page-server.")
    out = os.path.join(work, "prog.out")
    p = subprocess.Popen(["python3", "-c", PROG], stdout=open(out, "w"),
                         stdin=subprocess.DEVNULL, start_new_session=True)
    pid = p.pid
    server = 0
    try:
        time.sleep(1.0)
        r = subprocess.run([CRIU, "page-server", "-D", work], capture_output=True, text=True)
        check(r.returncode != 0 and r.stderr.count("\n") == 1 and "--port" in r.stderr,
              "page-server without --port: one line: %s" % r.stderr.strip())

        imgs = os.path.join(work, "images")
        port = free_port()
        r = dump(pid, imgs, port)
        check(r.returncode != 0 and r.stderr.count("\n") == 1 and "page server" in r.stderr
              and counting(out),
              "no page server: the dump fails with one line and the program counts on: %s"
              % r.stderr.strip())
        r = dump(pid, imgs, port, ["--check-only"])
        check(r.returncode == 0 and counting(out),
              "dump --check-only --page-server copies no page and needs no server")

        # a server that cannot write: its directory is gone
        gone = os.path.join(work, "gone")
        os.mkdir(gone)
        code, server, status = start_server(gone, port)
        os.rmdir(gone)
        r = dump(pid, imgs, port)
        check(code == 0 and r.returncode != 0 and "page server failed" in r.stderr and
              counting(out), "a server that cannot write fails the dump, which gives the "
              "program back: %s" % r.stderr.strip()[-120:])
        check(exit_status(server) == 1, "that server exits 1 once told the dump failed")

        srv = os.path.join(work, "server")
        os.mkdir(srv)
        code, server, status = start_server(srv, port)
        check(code == 0 and status == b"\0" and server > 0 and server != os.getpid() and
              os.path.exists("/proc/%d" % server),
              "page-server -d: --status-fd gets its byte, --pidfile names the daemon (%d)"
              % server)
        check(raw_request(port, 2, b"../inventory.img") == 22 and
              not os.path.exists(os.path.join(work, "inventory.img")),
              "a request to write anything but a pages image is refused (EINVAL)")
        check(raw_request(port, 1, b"") == 0, "the server answers a hello")

        n = count(out)
        r = dump(pid, imgs, port)
        check(r.returncode == 0, "dump --page-server (%s)" % r.stderr.strip()[-120:])
        local = sorted(os.listdir(imgs))
        remote = sorted(os.listdir(srv))
        check(remote == ["pages-%d.img" % pid] and "pagemap-%d.img" % pid in local and
              not any(f.startswith("pages-") for f in local),
              "the pages went to the server (%s), the rest stayed (%d images)"
              % (" ".join(remote), len(local)))
        size = os.path.getsize(os.path.join(srv, remote[0])) if remote else 0
        check(size >= 32 << 20, "the pages image holds the 32 MiB (%d bytes)" % size)
        check(exit_status(server) == 0, "the server exits 0 once the dump is over")
        server = 0
        exit_status(pid, 5.0)

        for f in remote:
            shutil.move(os.path.join(srv, f), imgs)
        r = subprocess.run([CRIU, "restore", "-d", "-D", imgs, "-o", "restore.log"],
                           capture_output=True, text=True)
        check(r.returncode == 0 and count(out) >= n and counting(out),
              "restored from the two halves, the program counts on from %d" % count(out))
        os.kill(pid, signal.SIGUSR1)
        time.sleep(1.0)
        check(lines(out)[-2:].count("intact") == 1 or "intact" in lines(out),
              "its 32 MiB are intact: %s" % [w for w in lines(out) if not w.isdigit()])
    finally:
        reap([pid] + ([server] if server else []))
        shutil.rmtree(work, ignore_errors=True)
    finish("test-page-server")


if __name__ == "__main__":
    main()
