#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Content digests of mapped executables and libraries. A program dlopen()s a
# private copy of a library (ci/digest/); it is dumped (and, separately,
# dumped with --check-only), then the library and the executable are
# changed under the images: one byte flipped with size and mtime kept, a
# byte appended, only the mtime moved. `restore --check-only` (and a plain
# restore of a check-only image set) must fail with one line naming the
# file; a real restore must refuse a moved mtime; an image whose digest is
# cut short is refused naming the image; with the originals back,
# the check passes and the restored program goes on counting through the
# library's code.
# Usage: ci/test-digest.sh [path/to/criu]   (default: ./criu of the repo)
set -u
cd "$(dirname "$0")/.." || exit 1
CRIU=${1:-${CRIU:-./criu}}
CRIU=$(realpath "$CRIU")
TEST=test-digest
tmp=$(mktemp -d /tmp/criu-test-digest.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ]; then
	echo "test-digest: needs root to dump; skipped"
	echo "test-digest: 0 passed, 0 failed"
	exit 0
fi

. ci/testlib.sh


if [ ! -x "$CRIU" ]; then
	bad "no criu binary at $CRIU (run make first)"
	finish
fi

# run NAME ARGS...: criu ARGS, keeping rc and the error lines
run() {
	local name=$1
	shift
	timeout 60 "$CRIU" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	errs=$(cat "$tmp/$name.out" "$tmp/$name.err" | grep -E '^(Error|check:)|changed since dump' |
		sed 's/^Error ([^)]*): //')
}

# expect_one NAME TEXT: criu failed, with exactly one error line, and it is TEXT
expect_one() {
	if [ "$rc" != 0 ] && [ "$errs" = "$2" ]; then
		ok "$1"
	else
		bad "$1: exit $rc, errors \"$errs\"; expected a failure saying \"$2\""
	fi
}

expect_pass() {
	if [ "$rc" = 0 ] && [ -z "$errs" ]; then
		ok "$1"
	else
		bad "$1: exit $rc, errors \"$errs\""
	fi
}

last_count() {
	tail -n 1 "$tmp/count" 2>/dev/null
}

# flip FILE: complement the byte in the middle, keeping size and mtime
flip() {
	local f=$1 off b
	off=$(($(stat -c %s "$f") / 2))
	b=$(od -An -tu1 -j "$off" -N1 "$f" | tr -d ' ')
	cp -p "$f" "$tmp/ref"
	printf "\\$(printf %03o $((b ^ 255)))" | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
	touch -r "$tmp/ref" "$f"
}

mkdir "$tmp/lib" "$tmp/bin"
lib=$tmp/lib/libdigest.so
exe=$tmp/bin/digest-target
if ! gcc -O2 -Wall -shared -fPIC -o "$lib" ci/digest/lib.c ||
	! gcc -O2 -Wall -o "$exe" ci/digest/target.c -ldl; then
	bad "can't build ci/digest"
	finish
fi
cp -p "$lib" "$tmp/lib.orig"
cp -p "$exe" "$tmp/exe.orig"

setsid "$exe" "$lib" "$tmp/count" </dev/null >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ -s "$tmp/count" ] && break
	sleep 0.05
done
if ! grep -q " $lib\$" "/proc/$pid/maps"; then
	bad "the program does not map $lib"
	finish
fi
grep " $lib\$" "/proc/$pid/maps" | grep -q ' r-xp ' ||
	bad "the library is not mapped executable"

run ckdump dump -t "$pid" -D "$tmp/ck" --check-only -o dump.log -v4
[ "$rc" = 0 ] && kill -0 "$pid" 2>/dev/null && ok "dump --check-only, the program runs on" ||
	bad "dump --check-only: exit $rc, $errs"
# bash's note that its job was killed would land on our stderr
run dump dump -t "$pid" -D "$tmp/img" -o dump.log -v4 2>/dev/null
if [ "$rc" != 0 ]; then
	bad "dump: exit $rc, $errs"
	finish
fi
{ wait "$pid"; } 2>/dev/null
ok "dump"
dumped=$(last_count)

n=$("$CRIU" show "$tmp/img/mm-$pid.img" | grep -c "\"file_sha256\": \"$(sha256sum "$lib" | cut -d' ' -f1)\"")
[ "$n" -ge 2 ] && ok "the images carry the library's sha256 on its $n mappings" ||
	bad "the library's sha256 is on $n mappings in mm-$pid.img"
"$CRIU" show "$tmp/img/mm-$pid.img" |
	grep -q "\"exe_sha256\": \"$(sha256sum "$exe" | cut -d' ' -f1)\"" &&
	ok "the images carry the executable's sha256" || bad "no exe_sha256 in mm-$pid.img"

run check0 restore --check-only -D "$tmp/img"
expect_pass "restore --check-only passes with nothing changed"

flip "$lib"
if [ "$(stat -c %s.%Y "$lib")" != "$(stat -c %s.%Y "$tmp/lib.orig")" ] ||
	cmp -s "$lib" "$tmp/lib.orig"; then
	bad "could not change the library keeping its size and mtime"
fi
run check1 restore --check-only -D "$tmp/img"
expect_one "one byte of the library changed, size and mtime kept: restore --check-only names it" \
	"check: $lib changed since dump (sha256 differs)"
run check2 restore -D "$tmp/ck"
expect_one "the same, restoring a check-only image set" \
	"check: $lib changed since dump (sha256 differs)"
cp -p "$tmp/lib.orig" "$lib"

flip "$exe"
run check3 restore --check-only -D "$tmp/img"
expect_one "one byte of the executable changed: restore --check-only names it" \
	"check: $exe changed since dump (sha256 differs)"
cp -p "$tmp/exe.orig" "$exe"

size=$(stat -c %s "$lib")
printf x >>"$lib"
touch -r "$tmp/lib.orig" "$lib"
run check4 restore --check-only -D "$tmp/img"
expect_one "a byte appended to the library: the sizes are named" \
	"check: $lib changed since dump (size $((size + 1)), was $size)"
cp -p "$tmp/lib.orig" "$lib"

touch -d "@$(($(stat -c %Y "$lib") + 100))" "$lib"
run check5 restore --check-only -D "$tmp/img"
expect_one "only the library's mtime moved: restore --check-only says so" \
	"check: $lib changed since dump (mtime differs)"
run restore1 restore -d -D "$tmp/img"
expect_one "only the library's mtime moved: a real restore refuses before creating a task" \
	"check: $lib changed since dump (mtime differs)"
[ -d "/proc/$pid" ] && bad "the refused restore left pid $pid behind"
cp -p "$tmp/lib.orig" "$lib"

# a digest cut to 16 bytes in the image: refused as a bad image, not compared
cp -r "$tmp/img" "$tmp/bad"
if python3 - "$tmp/bad/mm-$pid.img" "$(sha256sum "$exe" | cut -d' ' -f1)" <<'PY'; then
import struct, sys
path, digest = sys.argv[1], bytes.fromhex(sys.argv[2])
data = bytearray(open(path, "rb").read())
field = b"\x92\x01\x20" + digest          # mm_entry.exe_sha256 (18), 32 bytes
at = data.find(field)
if at < 0 or struct.unpack_from("<I", data, 4)[0] != len(data) - 8:
    sys.exit(1)
data[at:at + len(field)] = b"\x92\x01\x10" + digest[:16]
struct.pack_into("<I", data, 4, len(data) - 8)
open(path, "wb").write(data)
PY
	run badimg restore --check-only -D "$tmp/bad"
	expect_one "an exe_sha256 of 16 bytes in the image is refused, naming the image" \
		"Image mm-$pid.img: exe_sha256 has 16 bytes, not 32"
else
	bad "can't find exe_sha256 as the only record of mm-$pid.img"
fi

run check6 restore --check-only -D "$tmp/img"
expect_pass "the originals back: restore --check-only passes"
run restore2 restore -d -D "$tmp/img" -o restore.log -v4
if [ "$rc" = 0 ]; then
	ok "the originals back: restore"
	for _ in $(seq 100); do
		[ "$(last_count)" -gt $((dumped + 5)) ] 2>/dev/null && break
		sleep 0.05
	done
	now=$(last_count)
	if [ "$now" -gt "$dumped" ] 2>/dev/null &&
		[ "$(sed -n "$((dumped + 1))p" "$tmp/count")" = $((dumped + 1)) ]; then
		ok "the restored program counts on through the library, from $dumped to $now"
	else
		bad "the restored program does not count on (dumped at $dumped, now $now)"
	fi
else
	bad "restore with the originals back: exit $rc, $errs"
fi
finish
