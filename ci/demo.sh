#!/bin/bash
# make demo: start a counting program, dump it, show the images, restore it,
# and show that it goes on counting from where it was.
set -u
cd "$(dirname "$0")/.."
criu=$PWD/criu
work=$(mktemp -d /tmp/criu-demo.XXXXXX)
trap 'kill -9 $(cat "$work/pid" 2>/dev/null) 2>/dev/null; rm -rf "$work"' EXIT

step() { printf '\n== %s\n' "$*"; }
stop() { printf '\nThe demo stops here: %s\n' "$*"; exit 1; }

gcc -O2 -o "$work/counter" ci/demo/counter.c || stop "can't build the sample program"

# criu's restore needs the counter's pid free again after the dump kills it;
# PID 1 reaps late here, so the demo runs under a subreaper that reaps.
python3 - "$criu" "$work" <<'PY' || exit 1
import ctypes, os, subprocess, sys, time
criu, work = sys.argv[1], sys.argv[2]
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)          # PR_SET_CHILD_SUBREAPER
out = os.path.join(work, "counter.out")
imgs = os.path.join(work, "images")

def last():
    with open(out) as f:
        lines = f.read().split()
    return lines[-1] if lines else "nothing"

def step(s):
    print(f"\n== {s}", flush=True)

def stop(s):
    print(f"\nThe demo stops here: {s}", flush=True)
    sys.exit(1)

step("start the counting program")
p = subprocess.Popen([os.path.join(work, "counter")], stdout=open(out, "w"),
                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                     start_new_session=True)
open(os.path.join(work, "pid"), "w").write(str(p.pid))
time.sleep(1.5)
print(f"pid {p.pid} has counted to {last()}")

step(f"criu dump -t {p.pid} -D {imgs}")
r = subprocess.run([criu, "dump", "-t", str(p.pid), "-D", imgs, "-o", "dump.log", "-v4"])
if r.returncode:
    os.system(f"grep Error {imgs}/dump.log")
    stop("criu dump failed")
p.wait()
before = last()
print(f"dumped and killed at {before}")

step("the image directory")
os.system(f"ls -l {imgs}")
os.system(f"{criu} show {imgs}/pstree.img")

step(f"criu restore -d -D {imgs}")
time.sleep(1)
print(f"while the program was gone, the output stayed at {last()}")
r = subprocess.run([criu, "restore", "-d", "-D", imgs, "-o", "restore.log", "-v4"])
if r.returncode:
    os.system(f"grep Error {imgs}/restore.log")
    stop("criu restore failed")
time.sleep(1.5)
after = last()
print(f"restored pid {p.pid}; it went on from {before} to {after}")
if not after.isdigit() or int(after) <= int(before):
    stop("the restored program did not go on counting")
with open(out) as f:
    nums = [int(x) for x in f.read().split()]
gaps = [b for a, b in zip(nums, nums[1:]) if b != a + 1]
if gaps:
    stop(f"the count skipped or repeated at {gaps[:3]}")
os.kill(p.pid, 9)
while True:
    try:
        os.waitpid(-1, 0)
    except ChildProcessError:
        break
step("demo complete: the program carried on counting after restore")
PY
