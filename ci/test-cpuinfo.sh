#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "criu cpuinfo dump" and "criu cpuinfo check": a round trip on this CPU
# passes; an image that asks for more than this CPU has is refused, naming
# what is missing.
#
# Images asking for more are made by editing a real cpuinfo.img with a small
# python tool below that speaks the image format on its own (magic, 32-bit
# length, protobuf message; DESIGN.md section 3) and knows the fields of
# proto/cpuinfo.proto. So criu has no test hook, and the test also checks
# that criu reads what the format says, not only what criu itself wrote.
# Usage: ci/test-cpuinfo.sh [path/to/criu]   (default: ./criu of the repo)
set -u
cd "$(dirname "$0")/.." || exit 1
CRIU=${1:-${CRIU:-./criu}}
CRIU=$(realpath "$CRIU")
TEST=test-cpuinfo
tmp=$(mktemp -d /tmp/criu-test-cpuinfo.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$CRIU" ]; then
	echo "test-cpuinfo: no criu binary at $CRIU (run make first)"
	echo "test-cpuinfo: 0 passed, 1 failed"
	exit 1
fi
if [ "$(uname -m)" != x86_64 ]; then
	echo "test-cpuinfo: x86-64 only; skipped"
	echo "test-cpuinfo: 0 passed, 0 failed"
	exit 0
fi

. ci/testlib.sh


# expect NAME RC STDOUT
expect() {
	if [ "$rc" = "$2" ] && [ "$out" = "$3" ]; then
		ok "$1"
	else
		bad "$1: exit $rc, stdout \"$out\", stderr \"$err\"; expected exit $2, stdout \"$3\""
	fi
}

# The image editor: edit.py IN OUT EDIT...; prints what it did, one line per
# edit. EDIT is one of
#   set:LEAF:SUB:REG:BIT    set a CPUID bit (the leaf is added if missing)
#   clear:LEAF:SUB:REG:BIT  clear one
#   xset:BIT                set an XCR0 bit
#   layout:COMP             move xsave component COMP (CPUID 0xd.COMP ebx)
#   vendor:NAME             change the vendor string
#   lacking:CANDIDATES      set the first bit of CANDIDATES (NAME=LEAF:SUB:REG:BIT
#                           separated by /) that is clear in the image; prints NAME
#   xlacking:CANDIDATES     the same for XCR0 bits (NAME=BIT/...)
#   truncate                cut the file in the middle of its record
cat >"$tmp/edit.py" <<'EOF'
import struct, sys

MAGIC = 0x61404013
REGS = {"eax": 3, "ebx": 4, "ecx": 5, "edx": 6}

def varint(buf, i):
    v = s = 0
    while True:
        b = buf[i]; i += 1
        v |= (b & 0x7f) << s; s += 7
        if not b & 0x80:
            return v, i

def enc_varint(v):
    out = bytearray()
    while True:
        b = v & 0x7f; v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)

def fields(buf):
    i, out = 0, []
    while i < len(buf):
        key, i = varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 2:
            n, i = varint(buf, i)
            v = buf[i:i + n]; i += n
        else:
            sys.exit("unexpected wire type %d" % wt)
        out.append([num, wt, v])
    return out

def encode(fs):
    out = bytearray()
    for num, wt, v in fs:
        out += enc_varint(num << 3 | wt)
        if wt == 0:
            out += enc_varint(v)
        else:
            out += enc_varint(len(v)) + v
    return bytes(out)

src, dst, edits = sys.argv[1], sys.argv[2], sys.argv[3:]
data = open(src, "rb").read()
magic, n = struct.unpack_from("<II", data)
assert magic == MAGIC and len(data) == 8 + n, "not a one-record cpuinfo.img"
entry = fields(data[8:])
# every leaf as a dict of field number -> value
leaves = [{f[0]: f[2] for f in fields(v)} for num, wt, v in entry if num == 2]

def leaf(l, s, create=True):
    for x in leaves:
        if x.get(1, 0) == l and x.get(2, 0) == s:
            return x
    if not create:
        return None
    x = {1: l, 2: s, 3: 0, 4: 0, 5: 0, 6: 0}
    leaves.append(x)
    return x

def xfeatures():
    return next(v for num, wt, v in entry if num == 3)

def set_x(bit):
    for f in entry:
        if f[0] == 3:
            f[2] |= 1 << bit

truncate = False
for e in edits:
    what, _, arg = e.partition(":")
    a = arg.split(":")
    if what in ("set", "clear"):
        x = leaf(int(a[0], 0), int(a[1], 0))
        r, bit = REGS[a[2]], int(a[3])
        x[r] = x.get(r, 0) | 1 << bit if what == "set" else x.get(r, 0) & ~(1 << bit)
        print(e)
    elif what == "xset":
        set_x(int(a[0]))
        print(e)
    elif what == "layout":
        x = leaf(0xd, int(a[0]), False)
        assert x, "no CPUID 0xd.%s in the image" % a[0]
        x[4] = x.get(4, 0) + 64
        print(e)
    elif what == "vendor":
        entry = [[1, 2, arg.encode()] if f[0] == 1 else f for f in entry]
        print(e)
    elif what == "lacking":
        for cand in arg.split("/"):
            name, spec = cand.split("=")
            l, s, reg, bit = spec.split(":")
            x = leaf(int(l, 0), int(s, 0))
            if not x.get(REGS[reg], 0) >> int(bit) & 1:
                x[REGS[reg]] = x.get(REGS[reg], 0) | 1 << int(bit)
                print(name)
                break
        else:
            sys.exit("this CPU has every candidate")
    elif what == "xlacking":
        for cand in arg.split("/"):
            name, bit = cand.split("=")
            if not xfeatures() >> int(bit) & 1:
                set_x(int(bit))
                print(name)
                break
        else:
            sys.exit("this CPU has every candidate")
    elif what == "truncate":
        truncate = True
    else:
        sys.exit("unknown edit " + e)

out = []
for f in entry:
    if f[0] != 2:
        out.append(f)
out[1:1] = [[2, 2, encode([[k, 0, x[k]] for k in sorted(x)])] for x in leaves]
body = encode(out)
img = struct.pack("<II", MAGIC, len(body)) + body
if truncate:
    img = img[:8 + len(body) // 2]
open(dst, "wb").write(img)
EOF

# edit NAME EDIT...: a copy of the good image in $tmp/NAME, edited
edit() {
	local name=$1
	shift
	mkdir -p "$tmp/$name"
	python3 "$tmp/edit.py" "$tmp/good/cpuinfo.img" "$tmp/$name/cpuinfo.img" "$@"
}

# ------------------------------------------------------------ round trip
run dump cpuinfo dump -D "$tmp/good"
expect "cpuinfo dump" 0 ""
if [ -f "$tmp/good/cpuinfo.img" ] && [ "$(stat -c %a "$tmp/good/cpuinfo.img")" = 600 ]; then
	ok "cpuinfo.img is written, mode 0600"
else
	bad "cpuinfo.img: $(ls -l "$tmp/good" 2>&1)"
fi

run check cpuinfo check -D "$tmp/good"
expect "cpuinfo check on the same CPU" 0 "cpuinfo check: this CPU can run the images"

(cd "$tmp/good" && timeout 30 "$CRIU" cpuinfo check >"$tmp/cwd.out" 2>&1)
if [ "$(cat "$tmp/cwd.out")" = "cpuinfo check: this CPU can run the images" ]; then
	ok "cpuinfo check without -D reads the current directory"
else
	bad "cpuinfo check without -D: $(cat "$tmp/cwd.out")"
fi

run show show "$tmp/good/cpuinfo.img"
vendor=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["entries"][0]["vendor"])' \
	<"$tmp/show.out" 2>/dev/null)
cpu_vendor=$(sed -n 's/^vendor_id[[:space:]]*: //p' /proc/cpuinfo | head -1)
if [ "$rc" = 0 ] && [ "$vendor" = "$cpu_vendor" ]; then
	ok "criu show decodes cpuinfo.img (vendor $vendor)"
else
	bad "criu show: exit $rc, vendor \"$vendor\", /proc/cpuinfo says \"$cpu_vendor\""
fi

edit same >/dev/null
if cmp -s "$tmp/good/cpuinfo.img" "$tmp/same/cpuinfo.img"; then
	ok "the test's own image reader and writer reproduce criu's image byte for byte"
else
	bad "the test's image editor does not reproduce criu's image"
fi

run dump2 cpuinfo dump -D "$tmp/good"
if [ "$rc" = 0 ] && cmp -s "$tmp/good/cpuinfo.img" "$tmp/same/cpuinfo.img"; then
	ok "a second cpuinfo dump replaces the image with the same contents"
else
	bad "a second cpuinfo dump: exit $rc, or a different image"
fi

# --------------------------------------------- images asking for more
INSNS="amx_tile=7:0:edx:24/avx512_4vnniw=7:0:edx:2/avx512er=7:0:ebx:27/3dnow=0x80000001:0:edx:31"
INSNS="$INSNS/xop=0x80000001:0:ecx:11/avx512_fp16=7:0:edx:23/sm4=7:1:eax:2/amx_int8=7:0:edx:25"
name=$(edit lacking "lacking:$INSNS")
run lacking cpuinfo check -D "$tmp/lacking"
expect "an image needing $name is refused, naming it" 1 \
	"cpuinfo check: missing CPU features: $name"

edit unnamed set:1:0:ecx:16 >/dev/null
# restore --cpu-cap=cpu refuses images whose cpuinfo.img needs $name
# (a child of this shell, so it is reaped at once: the pid must be free for
# the restore checks; -j because its session leader is this shell)
sleep 300 </dev/null >/dev/null 2>&1 &
victim=$!
run cpudump dump --check-only -j --cpu-cap -t "$victim" -D "$tmp/withcpu"
kill -9 "$victim" 2>/dev/null
wait "$victim" 2>/dev/null
if [ "$rc" = 0 ] && [ -f "$tmp/withcpu/cpuinfo.img" ]; then
	ok "dump --check-only --cpu-cap writes cpuinfo.img"
	run cpuok restore -j --cpu-cap=cpu -D "$tmp/withcpu"
	[ "$rc" = 0 ] && ok "restore --cpu-cap=cpu checks images from this CPU: pass" ||
		bad "restore --cpu-cap=cpu of this CPU's images: exit $rc, $err"
	cp "$tmp/lacking/cpuinfo.img" "$tmp/withcpu/cpuinfo.img"
	run cpubad restore -j --cpu-cap=cpu -D "$tmp/withcpu"
	case "$err" in
	*"lacks what the images need"*"$name"*) [ "$rc" != 0 ] &&
		ok "restore --cpu-cap=cpu refuses images needing $name, naming it" ||
		bad "restore --cpu-cap=cpu with $name missing: exit 0" ;;
	*) bad "restore --cpu-cap=cpu with $name missing: exit $rc, stderr \"$err\"" ;;
	esac
	run cpunone restore -j --cpu-cap=none -D "$tmp/withcpu"
	[ "$rc" = 0 ] && ok "restore --cpu-cap=none ignores the CPU" ||
		bad "restore --cpu-cap=none: exit $rc, $err"
else
	bad "dump --check-only --cpu-cap of sleep $victim: exit $rc, $err"
fi

run unnamed cpuinfo check -D "$tmp/unnamed"
expect "a bit without a name is named by leaf, register and bit" 1 \
	"cpuinfo check: missing CPU features: cpuid 0x1.0 ecx bit 16"

name2=$(edit two "lacking:$INSNS" set:0x80000001:0:ecx:31)
name2=${name2%%$'\n'*}
run two cpuinfo check -D "$tmp/two"
# named in the order of CPUID leaves and registers
case "$out" in
"cpuinfo check: missing CPU features: $name2, cpuid 0x80000001.0 ecx bit 31" | \
	"cpuinfo check: missing CPU features: cpuid 0x80000001.0 ecx bit 31, $name2")
	[ "$rc" = 1 ] && ok "two missing features are both named" ||
		bad "two missing features: exit $rc"
	;;
*) bad "two missing features: exit $rc, stdout \"$out\", stderr \"$err\"" ;;
esac

xname=$(edit xstate "xlacking:apx=19/amx_tiledata=18/amx_tilecfg=17/pkru=9/avx512_hi16_zmm=7")
run xstate cpuinfo check -D "$tmp/xstate"
expect "an image needing xsave state $xname is refused" 1 \
	"cpuinfo check: missing CPU features: xstate:$xname"

edit xunnamed xset:40 >/dev/null
run xunnamed cpuinfo check -D "$tmp/xunnamed"
expect "an XCR0 bit without a name" 1 "cpuinfo check: missing CPU features: xstate bit 40"

if grep -qw avx /proc/cpuinfo; then
	edit layout layout:2 >/dev/null
	run layout cpuinfo check -D "$tmp/layout"
	case "$out" in
	"cpuinfo check: missing CPU features: xstate:avx layout ("*")")
		[ "$rc" = 1 ] && ok "a different xsave layout is refused ($out)" ||
			bad "xsave layout: exit $rc"
		;;
	*) bad "xsave layout: exit $rc, stdout \"$out\", stderr \"$err\"" ;;
	esac
fi

# ------------------------------------- differences that do not matter
edit hybrid set:7:0:edx:15 >/dev/null
run hybrid cpuinfo check -D "$tmp/hybrid"
expect "the hybrid-CPU bit is not a feature" 0 "cpuinfo check: this CPU can run the images"

edit fewer clear:1:0:ecx:0 clear:7:0:ebx:0 >/dev/null
run fewer cpuinfo check -D "$tmp/fewer"
expect "an image needing less than this CPU has passes" 0 \
	"cpuinfo check: this CPU can run the images"

edit vendor vendor:OtherVendor0 >/dev/null
run vendor cpuinfo check -D "$tmp/vendor"
if [ "$rc" = 0 ] && [ "$out" = "cpuinfo check: this CPU can run the images" ] &&
	printf '%s' "$err" | grep -q "OtherVendor0"; then
	ok "another vendor with the same features passes, with a warning"
else
	bad "another vendor: exit $rc, stdout \"$out\", stderr \"$err\""
fi

# --------------------------------------------------------- bad images
run missing cpuinfo check -D "$tmp/nothing-here"
if [ "$rc" = 1 ] && [ -z "$out" ] && [ -n "$err" ]; then
	ok "a missing images directory is an error"
else
	bad "missing directory: exit $rc, stdout \"$out\", stderr \"$err\""
fi

mkdir "$tmp/empty"
run empty cpuinfo check -D "$tmp/empty"
if [ "$rc" = 1 ] && [ -z "$out" ] && printf '%s' "$err" | grep -q "cpuinfo.img"; then
	ok "a missing cpuinfo.img is an error naming it"
else
	bad "missing cpuinfo.img: exit $rc, stdout \"$out\", stderr \"$err\""
fi

edit truncated truncate >/dev/null
run truncated cpuinfo check -D "$tmp/truncated"
if [ "$rc" = 1 ] && [ -z "$out" ] && printf '%s' "$err" | grep -q "cpuinfo.img"; then
	ok "a truncated cpuinfo.img is an error naming it"
else
	bad "truncated cpuinfo.img: exit $rc, stdout \"$out\", stderr \"$err\""
fi

mkdir "$tmp/wrong"
cp "$tmp/good/cpuinfo.img" "$tmp/wrong/cpuinfo.img"
printf '\x16\x31\x31\x58' | dd of="$tmp/wrong/cpuinfo.img" bs=1 conv=notrunc 2>/dev/null
run wrong cpuinfo check -D "$tmp/wrong"
if [ "$rc" = 1 ] && [ -z "$out" ] && printf '%s' "$err" | grep -q "magic"; then
	ok "an image of another kind is refused by its magic"
else
	bad "wrong magic: exit $rc, stdout \"$out\", stderr \"$err\""
fi

run extra cpuinfo check -D "$tmp/good" extra-arg
if [ "$rc" = 1 ] && [ -z "$out" ]; then
	ok "an extra argument is refused"
else
	bad "extra argument: exit $rc, stdout \"$out\""
fi

finish
