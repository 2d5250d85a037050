#!/bin/sh
# Fuzz the image reader (img_open_fd + img_read + the JSON printer) with
# libFuzzer under ASan and UBSan for FUZZ_SECONDS (default 600). The corpus
# is seeded with valid images of every kind and kept in build/fuzz/corpus
# between runs. Exits non-zero on any crash, leak or sanitizer report; the
# input that caused it is saved as build/fuzz/crashes/crash-* (replay it with
# build/fuzz/fuzz_image FILE); saved inputs are replayed first on every run.
set -eu
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-600}
OUT=build/fuzz
CC_FUZZ=${CC_FUZZ:-clang}

if ! command -v "$CC_FUZZ" >/dev/null 2>&1 || ! command -v protoc-c >/dev/null 2>&1; then
	ci/install-deps.sh
	ci/install-deps.sh fuzz
fi
# libFuzzer's runtime ships separately from clang on Debian.
ci/install-deps.sh fuzz || echo "fuzz: trying with what is installed" >&2

mkdir -p "$OUT/proto" "$OUT/obj" "$OUT/corpus" "$OUT/crashes"
rm -rf "$OUT/seeds"

CFLAGS="-std=gnu11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Isrc -I$OUT/proto"
# clang -Wextra also flags positional struct initialisers that gcc accepts.
WARN="-Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
SRCS="src/images/image.c src/images/kinds.c src/images/json.c src/util/log.c src/util/fault.c"

echo "  PROTOC  proto/*.proto"
for p in proto/*.proto; do
	protoc-c --proto_path=proto --c_out="$OUT/proto" "$p"
done

# Generated code is compiled without -Werror, as in the Makefile.
objs=""
objs_plain=""
for c in "$OUT"/proto/*.pb-c.c; do
	o="$OUT/obj/$(basename "$c" .c)"
	# shellcheck disable=SC2086
	$CC_FUZZ $CFLAGS $SAN -fsanitize=fuzzer-no-link -c -o "$o.o" "$c"
	# shellcheck disable=SC2086
	$CC_FUZZ $CFLAGS -c -o "$o.plain.o" "$c"
	objs="$objs $o.o"
	objs_plain="$objs_plain $o.plain.o"
done

echo "  CLANG   $OUT/fuzz_image"
# shellcheck disable=SC2086
$CC_FUZZ $CFLAGS $WARN $SAN -fsanitize=fuzzer -o "$OUT/fuzz_image" \
	test/fuzz/fuzz_image.c $SRCS $objs -lprotobuf-c
echo "  CLANG   $OUT/fuzz_seeds"
# shellcheck disable=SC2086
$CC_FUZZ $CFLAGS $WARN -DFUZZ_SEED_MAIN -o "$OUT/fuzz_seeds" \
	test/fuzz/fuzz_image.c $SRCS $objs_plain -lprotobuf-c

"$OUT/fuzz_seeds" "$OUT/seeds"

echo "fuzz: running for ${FUZZ_SECONDS}s"
set +e
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
"$OUT/fuzz_image" \
	-max_total_time="$FUZZ_SECONDS" \
	-max_len=16384 \
	-timeout=20 \
	-rss_limit_mb=2048 \
	-print_final_stats=1 \
	-artifact_prefix="$OUT/crashes/" \
	"$OUT/corpus" "$OUT/seeds" "$OUT/crashes" 2>"$OUT/fuzz.log"
rc=$?
set -e
tail -n 25 "$OUT/fuzz.log"
if [ "$rc" != 0 ]; then
	echo "fuzz: FAILED (exit $rc); full log in $OUT/fuzz.log; inputs in $OUT/crashes/" >&2
	exit 1
fi
if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error:' -e 'ERROR: LeakSanitizer' \
	"$OUT/fuzz.log"; then
	echo "fuzz: FAILED: sanitizer report in $OUT/fuzz.log" >&2
	exit 1
fi
echo "fuzz: ok, no crash in ${FUZZ_SECONDS}s"
