#!/usr/bin/env python3
"""A client of criu service (proto/service.proto), with no dependency.

    tools/criu_service.py [-S SOCKET] [-D DIR] dump|restore|check|version [OPTION...]

sends one request to the service listening on SOCKET (criu_service.socket
by default), with DIR, if given, passed as a descriptor for the images
directory, and the OPTIONs as on criu's command line. Prints the answer as
JSON and exits with the command's exit status (1 if it was refused).

As a module: request(socket_path, op, args, images_dir=None) returns the
answer as a dict, or None when the connection closed without one: what a
process that dumped itself (and was killed) sees once it is restored.
"""
import json
import os
import socket
import sys

OPS = {"dump": 1, "restore": 2, "check": 3, "version": 4}
FIELDS = {1: "op", 2: "success", 3: "exit_status", 4: "error", 5: "pid", 6: "version"}


def _varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _read_varint(buf, i):
    n = shift = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def encode(op, args, with_dir):
    msg = _varint(1 << 3) + _varint(OPS[op])
    for a in args:
        a = a.encode()
        msg += _varint(2 << 3 | 2) + _varint(len(a)) + a
    if with_dir:
        msg += _varint(3 << 3) + _varint(1)
    return msg


def decode(buf):
    out, i = {}, 0
    while i < len(buf):
        key, i = _read_varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            val, i = _read_varint(buf, i)
            if field in (3, 5) and val >= 1 << 63:
                val -= 1 << 64
            if field == 2:
                val = bool(val)
        elif wire == 2:
            n, i = _read_varint(buf, i)
            val = buf[i:i + n].decode(errors="replace")
            i += n
        else:
            raise ValueError("unexpected wire type %d" % wire)
        out[FIELDS.get(field, str(field))] = val
    return out


def request(socket_path, op, args=(), images_dir=None):
    sk = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sk.connect(socket_path)
    dfd = os.open(images_dir, os.O_RDONLY | os.O_DIRECTORY) if images_dir else None
    try:
        msg = encode(op, list(args), dfd is not None)
        if dfd is not None:
            socket.send_fds(sk, [msg], [dfd])
        else:
            sk.send(msg)
    finally:
        if dfd is not None:
            os.close(dfd)
    answer = sk.recv(1 << 16)
    sk.close()
    return decode(answer) if answer else None


def main(argv):
    path, images = "criu_service.socket", None
    while argv and argv[0] in ("-S", "-D"):
        if len(argv) < 2:
            break
        if argv[0] == "-S":
            path = argv[1]
        else:
            images = argv[1]
        argv = argv[2:]
    if not argv or argv[0] not in OPS:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    answer = request(path, argv[0], argv[1:], images)
    print(json.dumps(answer))
    if answer is None:
        return 0
    return answer.get("exit_status", 0 if answer.get("success") else 1)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
