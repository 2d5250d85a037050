# SPDX-License-Identifier: GPL-2.0
# What the ci/test-*.sh scripts share, sourced after they set TEST (their
# name), CRIU and tmp: the checks, the summary line make test reads, and a
# criu run whose exit code and output the checks then look at.
pass=0
fail=0

ok() {
	pass=$((pass + 1))
	echo "ok:   $*"
}

bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
}

finish() {
	echo "$TEST: $pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
}

# run NAME ARGS...: criu ARGS (30 s at most); rc, out and err are kept
run() {
	local name=$1
	shift
	timeout 30 "$CRIU" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	out=$(cat "$tmp/$name.out")
	err=$(cat "$tmp/$name.err")
}
