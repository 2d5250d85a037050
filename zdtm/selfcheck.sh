#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run zdtm tests without criu: each test is started, made ready, sent SIGTERM
# and must PASS; then started again with ZDTM_BREAK=1 and must FAIL (a test
# that does not honour ZDTM_BREAK shows "PASS" there, marked "no-break").
#
#   zdtm/selfcheck.sh [-q] [TEST...]   TEST as static/env00 (default: all built)
#
# Non-"suid" tests run as ZDTM_UID/ZDTM_GID/ZDTM_GROUPS (defaults 18943,
# 58467, "58467 49437") when started as root. Exit status: 0 if every plain
# run passed and every break run failed or is a known non-breaking test.

cd "$(dirname "$0")" || exit 1

QUIET=0
if [ "$1" = "-q" ]; then
	QUIET=1
	shift
fi

: "${ZDTM_UID:=18943}"
: "${ZDTM_GID:=58467}"
: "${ZDTM_GROUPS:=58467 49437}"
TIMEOUT=${SELFCHECK_TIMEOUT:-20}

if [ $# -eq 0 ]; then
	set -- $(for f in static/*.c transition/*.c; do
		[ -e "$f" ] || continue
		t=${f%.c}
		[ -x "$t" ] && echo "$t"
	done)
fi

WORK=$(mktemp -d /tmp/zdtm-selfcheck.XXXXXX) || exit 1
chmod 0777 "$WORK"
trap 'rm -rf "$WORK"' EXIT

desc_has() {
	[ -f "$1.desc" ] && grep -q "$2" "$1.desc"
}

# run_one TEST BREAK -> prints the verdict line (PASS / FAIL: ... / ERR: ...)
run_one() {
	local t=$1 brk=$2 dir pid i out rc
	dir=$WORK/$(echo "$t" | tr / _).$brk
	mkdir -p "$dir" && chmod 0777 "$dir"
	local -a envs=(-u ZDTM_UID -u ZDTM_GID -u ZDTM_GROUPS ZDTM_BREAK=$brk)
	if ! desc_has "$t" suid && [ "$(id -u)" = 0 ]; then
		envs+=(ZDTM_UID="$ZDTM_UID" ZDTM_GID="$ZDTM_GID" ZDTM_GROUPS="$ZDTM_GROUPS")
	fi
	(cd "$dir" && env "${envs[@]}" "$OLDPWD/$t" --pidfile="$dir/pid" \
		--outfile="$dir/out" >"$dir/launch.log" 2>&1)
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "ERR: launcher exit $rc: $(tail -c 300 "$dir/launch.log" | tr '\n' ' ')" \
			"$(grep -m1 FAIL "$dir/out" 2>/dev/null)"
		return
	fi
	pid=$(cat "$dir/pid" 2>/dev/null)
	if [ -z "$pid" ]; then
		echo "ERR: no pid file"
		return
	fi
	sleep 0.2
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < TIMEOUT * 10; i++)); do
		out=$(grep -m1 -E '^(PASS|FAIL)' "$dir/out" 2>/dev/null)
		[ -n "$out" ] && break
		if ! [ -d /proc/$pid ] || grep -q '^State:.*Z' /proc/$pid/status 2>/dev/null; then
			out=$(grep -m1 -E '^(PASS|FAIL)' "$dir/out" 2>/dev/null)
			break
		fi
		sleep 0.1
	done
	if [ -z "$out" ]; then
		if [ -d /proc/$pid ] && ! grep -q '^State:.*Z' /proc/$pid/status 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null
			out="ERR: timeout, no verdict"
		else
			out="ERR: pid $pid exited without verdict: [$(ls "$dir" | tr '\n' ' ')]" \
				"$(tail -c 200 "$dir/out" 2>&1 | tr '\n' ' ')"
		fi
	fi
	# Let the test's own children finish before the next run.
	for ((i = 0; i < 50; i++)); do
		[ -d /proc/$pid ] && ! grep -q '^State:.*Z' /proc/$pid/status 2>/dev/null || break
		sleep 0.1
	done
	echo "$out"
}

bad=0
printf '%-34s %-6s %-10s %s\n' TEST PLAIN BREAK DETAIL
for t in "$@"; do
	t=${t%.c}
	if [ ! -x "$t" ]; then
		printf '%-34s %-6s %-10s %s\n' "$t" BAD BAD "not built"
		bad=1
		continue
	fi
	if desc_has "$t" noauto && [ -z "$SELFCHECK_NOAUTO" ]; then
		printf '%-34s %-6s %-10s %s\n' "$t" skip skip "noauto (SELFCHECK_NOAUTO=1 runs it)"
		continue
	fi
	if desc_has "$t" suid && [ "$(id -u)" != 0 ]; then
		printf '%-34s %-6s %-10s %s\n' "$t" skip skip "suid test, not root"
		continue
	fi
	p=$(run_one "$t" 0)
	b=$(run_one "$t" 1)
	ps=ok
	bs=ok
	detail=
	case "$p" in
	PASS*) ;;
	*) ps=BAD; detail="plain: $p"; bad=1 ;;
	esac
	case "$b" in
	FAIL:*) [ $QUIET = 0 ] && detail="${detail:+$detail; }break: ${b#FAIL: }" ;;
	PASS*) bs=no-break ;;
	*) bs=BAD; detail="${detail:+$detail; }break: $b"; bad=1 ;;
	esac
	printf '%-34s %-6s %-10s %s\n' "$t" "$ps" "$bs" "$detail"
done
exit $bad
