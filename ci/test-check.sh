#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "criu check" as scripts call it: exit codes and the lines they read, and
# that probing leaves no process, mount or network link behind.
# Usage: ci/test-check.sh [path/to/criu]   (default: ./criu of the repo)
set -u
cd "$(dirname "$0")/.." || exit 1
CRIU=${1:-${CRIU:-./criu}}
CRIU=$(realpath "$CRIU")
TEST=test-check
tmp=$(mktemp -d /tmp/criu-test-check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if [ "$(id -u)" != 0 ]; then
	echo "test-check: needs root to probe the kernel; skipped"
	echo "test-check: 0 passed, 0 failed"
	exit 0
fi
if [ ! -x "$CRIU" ]; then
	echo "test-check: no criu binary at $CRIU (run make first)"
	echo "test-check: 0 passed, 1 failed"
	exit 1
fi

. ci/testlib.sh


expect_rc() {
	if [ "$rc" = "$1" ]; then
		ok "$2: exit code $rc"
	else
		bad "$2: exit code $rc, expected $1; stdout: $out; stderr: $err"
	fi
}

expect_out() {
	if [ "$out" = "$1" ]; then
		ok "$2: output"
	else
		bad "$2: stdout is \"$out\", expected \"$1\""
	fi
}

expect_grep() {
	if grep -qE -- "$1" "$3"; then
		ok "$2: has /$1/"
	else
		bad "$2: no line matching /$1/ in $(basename "$3"): $(head -c 2000 "$3")"
	fi
}

# What a leaking probe would leave: links, mounts where probes mount (in
# their own mount namespaces), criu processes, files probes make.
snapshot() {
	{
		ip -o link show | awk -F': ' '{print $2}'
		awk '$5 ~ "^/(tmp|run|dev)" {print $5}' /proc/self/mountinfo
		pgrep -f "$CRIU check" || true
		ls -d /tmp/criu-check* /tmp/criu-check.sock /tmp/a /tmp/b /tmp/auto /tmp/tun \
			2>/dev/null | grep -v "^$tmp$"
	} | sort
}

snapshot >"$tmp/before"
start=$(date +%s%N)

run default check
expect_rc 0 "criu check"
expect_out "Looks good." "criu check"

run all check --all
all_ms=$((($(date +%s%N) - start) / 1000000))
if [ "$rc" = 0 ]; then
	expect_out "Looks good." "criu check --all"
elif [ "$rc" = 1 ]; then
	ok "criu check --all: exit code 1 (optional features missing)"
	expect_grep "^dump or restore failure\.$" "criu check --all" "$tmp/all.out"
	expect_grep "^Looks good but some kernel features are missing$" "criu check --all" \
		"$tmp/all.out"
else
	bad "criu check --all: exit code $rc; stderr: $err"
fi
if grep -q "Does not look good" "$tmp/all.out"; then
	bad "criu check --all: a mandatory feature is missing: $out"
fi
missing=$(sed -n 's/ is not supported$//p' "$tmp/all.out")

run list check --feature list
expect_rc 0 "--feature list"
for f in ptrace_seize clone3_set_tid prctl_mm_map pidfd_getfd map_files kcmp mnt_id aio_remap \
	timerfd tun tun_ns userns fdinfo_lock seccomp_filters loginuid cgroupns timens ns_pid \
	get_rseq_conf pagemap_scan mem_dirty_track uffd uffd_wp memfd_hugetlb ipv6_freebind \
	link_nsid sk_unix_file has_ipt_legacy nftables network_lock_nftables \
	move_mount_set_group newifindex net_diag_raw sockopt_buf_lock autofs; do
	grep -qx "$f" "$tmp/list.out" || lacks="${lacks:-} $f"
done
if [ -z "${lacks:-}" ]; then
	ok "--feature list names every required feature"
else
	bad "--feature list lacks$lacks"
fi

# what --all says is missing must be optional, and --feature must agree
for f in $missing; do
	if ! grep -qx "$f" "$tmp/list.out"; then
		bad "--all reports \"$f\", which is not a feature name"
		continue
	fi
	run one check --feature "$f"
	expect_rc 1 "--feature $f (missing per --all)"
	expect_out "$f is not supported" "--feature $f"
done

run scan check --feature pagemap_scan
expect_rc 0 "--feature pagemap_scan"
expect_out "pagemap_scan is supported" "--feature pagemap_scan"

run dirty check --feature mem_dirty_track
expect_rc 0 "--feature mem_dirty_track"
# this kernel has no CONFIG_MEM_SOFT_DIRTY: the uffd method must be found
expect_grep "^mem_dirty_track is supported \(.*uffd-wp-async.*\)$" "--feature mem_dirty_track" \
	"$tmp/dirty.out"

run two check --feature pagemap_scan --feature kcmp
expect_rc 0 "--feature pagemap_scan --feature kcmp"
expect_out "pagemap_scan is supported
kcmp is supported" "two features"

run bogus check --feature bogus
expect_rc 1 "--feature bogus"
expect_out "" "--feature bogus"
expect_grep "Unknown feature bogus" "--feature bogus" "$tmp/bogus.err"

run mixed check --feature pagemap_scan --feature bogus
expect_rc 1 "--feature pagemap_scan --feature bogus"
expect_out "" "--feature pagemap_scan --feature bogus (nothing probed)"

run logged check --feature timerfd -v4 -o "$tmp/check.log"
expect_rc 0 "--feature timerfd -v4 -o LOG"
expect_grep "probe timerfd +yes" "-v4 log" "$tmp/check.log"

# everything a probe made must be gone
sleep 0.2
snapshot >"$tmp/after"
if diff -u "$tmp/before" "$tmp/after" >"$tmp/leftovers"; then
	ok "no process, mount, link or temp file left behind"
else
	bad "left behind: $(cat "$tmp/leftovers")"
fi

if [ "$all_ms" -lt 10000 ]; then
	ok "criu check and --all took $all_ms ms"
else
	bad "criu check and --all took $all_ms ms"
fi

finish
