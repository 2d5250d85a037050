#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Self-test of runner/zdtm.py, without criu and without compiled tests.

    python3 runner/test_runner_selftest.py [-v]

Unit tests for the parsers and the state comparison, then whole runs of the
runner against a throw-away zdtm tree of Python test scripts (which follow
the zdtmtst.h life cycle) and a fake criu whose dump fails.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import zdtm  # noqa: E402

FAKE_TEST = r'''#!/usr/bin/env python3
# zdtmtst.h life cycle: fork, the child setsids, writes the pid file, waits for
# SIGTERM and writes PASS (or FAIL with VERDICT=fail); the launcher exits 0
# once the child is ready.
import os, signal, sys, time
args = dict(a[2:].split("=", 1) for a in sys.argv[1:])
r, w = os.pipe()
pid = os.fork()
if pid:
    os.close(w)
    sys.exit(0 if os.read(r, 1) == b"R" else 1)
os.close(r)
os.setsid()
fd = os.open(args["outfile"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
os.dup2(fd, 1); os.dup2(fd, 2); os.close(fd)
if os.environ.get("ZDTM_UID"):
    os.setgroups([int(g) for g in os.environ["ZDTM_GROUPS"].split()])
    os.setresgid(*[int(os.environ["ZDTM_GID"])] * 3)
    os.setresuid(*[int(os.environ["ZDTM_UID"])] * 3)
if "hang" in sys.argv[0]:
    print("stuck before readiness", flush=True)
    while True:
        time.sleep(1)
got = []
signal.signal(signal.SIGTERM, lambda *a: got.append(1))
with open(args["pidfile"] + ".tmp", "w") as f:
    f.write("%d\n" % os.getpid())
os.rename(args["pidfile"] + ".tmp", args["pidfile"])
os.write(w, b"R")
os.close(w)
while not got:
    signal.pause()
if "failv" in sys.argv[0]:
    print("FAIL: broken on purpose", flush=True)
    sys.exit(1)
print("PASS", flush=True)
'''

FAKE_CRIU = r'''#!/bin/sh
# A criu that checks no feature and dumps nothing.
log=
dir=.
while [ $# -gt 0 ]; do
	case "$1" in
	-o) log=$2; shift ;;
	-D) dir=$2; shift ;;
	check) echo "Error (check.c:1): unsupported: feature" >&2; exit 1 ;;
	--check-only) echo "Error: unsupported: --check-only" >&2; exit 1 ;;
	esac
	shift
done
mkdir -p "$dir"
echo "Error (fake.c:1): unsupported" >> "$dir/$log"
exit 1
'''


class Units(unittest.TestCase):
    def test_mask_link(self):
        self.assertEqual(zdtm.mask_link("pipe:[12345]"), "pipe:")
        self.assertEqual(zdtm.mask_link("socket:[1]"), "socket:")
        self.assertEqual(zdtm.mask_link("anon_inode:[eventfd]"), "anon_inode:[eventfd]")
        self.assertEqual(zdtm.mask_link("/tmp/x (deleted)"), "/tmp/x (deleted)")

    def test_parse_stat(self):
        line = "42 (a b) c)) S 1 42 42 0 -1 4194560 0 0\n"
        self.assertEqual(zdtm.parse_stat(line), ("S", 1, 42, 42))

    def test_names(self):
        for n in ("zdtm/static/env00", "static/env00", "./zdtm/static/env00.c",
                  "/work/main/zdtm/static/env00"):
            self.assertEqual(zdtm.norm_test_name(n), "static/env00")

    def test_xfail(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "x.txt")
            with open(p, "w") as f:
                f.write("# comment\n\nzdtm/static/a kill needs engine work\n"
                        "static/b * not yet # trailing\nstatic/c kill:ns ns only\n")
            xf = zdtm.load_xfail(p)
            self.assertEqual(len(xf), 3)
            t = type("T", (), {"rel": "static/b"})()
            self.assertEqual(zdtm.xfail_reason(xf, t, "iters", "h"), "not yet")
            t.rel = "static/c"
            self.assertIsNone(zdtm.xfail_reason(xf, t, "kill", "h"))
            self.assertEqual(zdtm.xfail_reason(xf, t, "kill", "ns"), "ns only")
            with open(p, "w") as f:
                f.write("static/a kill\n")
            with self.assertRaises(SystemExit):
                zdtm.load_xfail(p)

    def test_desc(self):
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, "static"))
            with open(os.path.join(d, "static", "t.desc"), "w") as f:
                f.write("{'flags': 'suid crfail', 'opts': '--tcp-established', "
                        "'feature': 'a b', 'timeout': 30}\n")
            t = zdtm.Test(d, "static/t")
            self.assertEqual(t.flags, {"suid", "crfail"})
            self.assertEqual(t.opts, ["--tcp-established"])
            self.assertEqual(t.features, ["a", "b"])
            self.assertEqual(t.wait_scale(10), 30)

    def test_diff(self):
        def snap(**kw):
            s = zdtm.Snapshot.__new__(zdtm.Snapshot)
            p = {"ppid": "outside", "pgid": 5, "sid": 5, "exe": "/t", "cwd": "/", "root": "/",
                 "status": {k: "0" for k in zdtm.STATUS_KEYS},
                 "threads": {5: {"state": "running", "SigBlk": "0", "comm": "t"}},
                 "maps": ["1000-2000 r-xp 00000000 /t"], "fds": {0: "/dev/null pos=0 flags=0"}}
            p.update(kw)
            s.procs = {5: p}
            return s
        a = snap()
        self.assertEqual(zdtm.diff_snapshots(a, snap()), [])
        d = zdtm.diff_snapshots(a, snap(fds={}, maps=["1000-3000 r-xp 00000000 /t"],
                                        cwd="/tmp"))
        self.assertTrue(any("fd 0" in x for x in d), d)
        self.assertTrue(any("cwd" in x for x in d), d)
        self.assertTrue(any("map before only" in x for x in d), d)
        self.assertTrue(any("map after only" in x for x in d), d)

    def test_snapshot_self(self):
        # a live process of our own: the snapshot reads without errors
        p = subprocess.Popen(["sleep", "30"])
        try:
            # wait until sleep is loaded and asleep
            for _ in range(200):
                st = zdtm.task_stat(p.pid)
                if st and st[0] == "S" and "libc" in (zdtm.read_text("/proc/%d/maps" % p.pid)
                                                      or ""):
                    break
                time.sleep(0.01)
            s = zdtm.Snapshot(p.pid, False)
            self.assertIn(p.pid, s.procs)
            self.assertTrue(s.procs[p.pid]["maps"])
            self.assertEqual(zdtm.diff_snapshots(s, zdtm.Snapshot(p.pid, False)), [])
        finally:
            p.kill()
            p.wait()


@unittest.skipUnless(os.geteuid() == 0, "whole runs need root")
class WholeRuns(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="zdtm-selftest-")
        os.chmod(self.tmp, 0o755)
        z = os.path.join(self.tmp, "zdtm")
        os.makedirs(os.path.join(z, "static"))
        os.makedirs(os.path.join(z, "transition"))
        for name, desc in (("ok", None), ("crf", "{'flags': 'crfail'}"),
                           ("feat", "{'feature': 'nothing'}"), ("failv", None),
                           ("hang", "{'flags': 'noauto'}")):
            base = os.path.join(z, "static", name)
            with open(base + ".c", "w") as f:
                f.write("/* placeholder */\n")
            with open(base, "w") as f:
                f.write(FAKE_TEST)
            os.chmod(base, 0o755)
            if desc:
                with open(base + ".desc", "w") as f:
                    f.write(desc + "\n")
        with open(os.path.join(z, "expected-fail.txt"), "w") as f:
            f.write("static/failv kill engine cannot dump yet\n")
        self.criu = os.path.join(self.tmp, "criu")
        with open(self.criu, "w") as f:
            f.write(FAKE_CRIU)
        os.chmod(self.criu, 0o755)
        self.zdir = z

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_runner(self, *args):
        report = os.path.join(self.tmp, "report")
        cmd = [sys.executable, os.path.join(HERE, "zdtm.py"), "run", "--no-build",
               "--zdtm-dir", self.zdir, "--criu-bin", self.criu, "--report", report] + list(args)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=120)
        return p.returncode, p.stdout, report

    def leftovers(self):
        res = []
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    with open("/proc/%s/cmdline" % pid, "rb") as f:
                        if self.tmp.encode() in f.read():
                            res.append(pid)
                except OSError:
                    pass
        return res

    def test_all(self):
        rc, out, report = self.run_runner("-a", "--keep-going", "--mode", "kill,check-only")
        self.assertEqual(rc, 1, out)
        lines = out.splitlines()
        self.assertRegex(lines[-1], r"^\d+ passed, \d+ failed, \d+ skipped$", out)
        # crf: PASS (its dump fails as it must); failv: XFAIL; ok: FAIL
        self.assertEqual(lines[-1], "1 passed, 1 failed, 5 skipped", out)
        self.assertIn("criu dump failed", out)
        self.assertIn("XFAIL", out)
        self.assertNotIn("static/hang", out)       # noauto
        self.assertIn("criu has no --check-only yet", out)
        self.assertIn("feature nothing not supported", out)
        tree = ET.parse(os.path.join(report, "report.xml"))
        self.assertEqual(len(tree.findall(".//testcase")), 8)
        self.assertEqual(self.leftovers(), [])

    def test_stop_first_and_hang(self):
        rc, out, _ = self.run_runner("-t", "zdtm/static/hang", "-t", "static/ok")
        self.assertEqual(rc, 1, out)
        self.assertIn("no pid file after 10 s; outfile says: stuck before readiness", out)
        self.assertIn("not started", out)
        self.assertEqual(self.leftovers(), [])


if __name__ == "__main__":
    unittest.main()
