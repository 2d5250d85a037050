#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# criu against bad input, and some restore options, from the shell:
#
#  1. dump of a dead pid, of -t 0 / -1 / abc, of criu's own parent;
#  2. restore from a missing directory and from an empty one;
#  3. restore from damaged images: every image of a dumped workload
#     truncated to half, its magic overwritten, its first record length set
#     to 0xffffffff; pages-*.img truncated to 0; then the intact set;
#  4. restore while the pid is taken by an earlier restore of the same set;
#  5. restore --pidfile, -S with and without -d, --log-pid, --timeout, -d;
#  6. every CRIU_FAULT point of "criu --fault-list" on one dump and one
#     restore of the workload (a quick cross-check of zdtm.py --fault-walk).
#
# A failing command must exit non-zero with exactly one line on stderr that
# names the problem, and leave no task behind and the workload's pid free
# (no task, zombie, group or session holding it). One line per check,
# "ok - ..." or "not ok - ...", then "test-bad-input: N passed, N failed".
#
# PID 1 reaps late here, so the checks run under ci/bad-input/reaper.py:
# this shell becomes a child subreaper (criu's parent and the reaper of
# every restored tree), under a second one that kills and reaps anything
# left once the shell is gone. The workload is ci/bad-input/counter.c, a
# session leader that appends a number to a file every 20 ms.
#
# Usage: ci/test-bad-input.sh [path/to/criu]   (default: ./criu of the repo)
set -u

if [ "${1:-}" != --under-reaper ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "test-bad-input: needs root; skipped"
		echo "test-bad-input: 0 passed, 0 failed"
		exit 0
	fi
	self=$(realpath "$0")
	CRIU=${1:-${CRIU:-}}
	[ -n "$CRIU" ] && CRIU=$(realpath "$CRIU")
	cd "$(dirname "$self")/.." || exit 1
	CRIU=${CRIU:-./criu}
	if [ ! -x "$CRIU" ] && [ "$CRIU" = ./criu ]; then
		# another change may be half-written: wait and try again
		for try in 1 2 3 4 5; do
			make --no-print-directory all >/dev/null 2>&1 && break
			sleep 10
		done
	fi
	if [ ! -x "$CRIU" ]; then
		echo "not ok - no criu binary at $CRIU (make failed)"
		echo "test-bad-input: 0 passed, 1 failed"
		exit 1
	fi
	exec python3 ci/bad-input/reaper.py bash "$self" --under-reaper "$(realpath "$CRIU")"
fi
CRIU=$2
cd "$(dirname "$0")/.." || exit 1

pass=0
fail=0
tmp=$(mktemp -d /tmp/criu-test-bad-input.XXXXXX) || exit 1
mkdir "$tmp/err" "$tmp/logs"
workloads=()	# every pid this script started or restored

cleanup() {
	local p
	# only what is still ours: a pid freed long ago may be someone else's now
	for p in "${workloads[@]}"; do
		[ "$(stat_field "$p" 2)" = $$ ] && kill -9 "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

ok() {
	pass=$((pass + 1))
	echo "ok - $*"
}

notok() {
	fail=$((fail + 1))
	echo "not ok - $*"
}

finish() {
	echo "test-bad-input: $pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
}

# ---------------------------------------------------------------- helpers

# crit NAME ARGS...: criu ARGS (20 s at most), stdout and stderr kept;
# sets rc, err (stderr, lines joined by " | ") and nerr (its non-empty lines).
# $fault, when set, goes into the environment as CRIU_FAULT.
fault=
crit() {
	local name=$1
	shift
	env ${fault:+CRIU_FAULT=$fault} timeout 20 "$CRIU" "$@" \
		>"$tmp/err/$name.out" 2>"$tmp/err/$name.err" </dev/null
	rc=$?
	nerr=$(grep -c . "$tmp/err/$name.err")
	err=$(grep . "$tmp/err/$name.err" | sed -e ':a;N;$!ba;s/\n/ | /g')
}

# failed_with KEY...: criu exited non-zero (not killed by the time limit)
# with exactly one line on stderr, which holds every KEY. Sets why.
failed_with() {
	local k
	why=
	if [ "$rc" = 0 ]; then
		why="exit 0"
	elif [ "$rc" = 124 ]; then
		why="no answer in 20 s"
	elif [ "$nerr" != 1 ]; then
		why="exit $rc, $nerr lines on stderr, want 1"
	else
		for k in "$@"; do
			printf '%s' "$err" | grep -qF -- "$k" || why="exit $rc, stderr does not name \"$k\""
		done
	fi
	[ -n "$why" ] && why="$why: \"$err\""
	[ -z "$why" ]
}

# stat_field PID N: field N of /proc/PID/stat counted after the comm
# (1 state, 2 ppid, 3 pgrp, 4 session)
stat_field() {
	local st f
	read -r st 2>/dev/null <"/proc/$1/stat" || return 1
	read -r -a f <<<"${st##*) }"
	echo "${f[$(($2 - 1))]}"
}

# pid_free PID: no task or zombie has PID, and no task uses it as its process
# group or session (a pid stays taken while one does)
pid_free() {
	[ -e "/proc/$1" ] && return 1
	! cat /proc/[0-9]*/stat 2>/dev/null | sed 's/.*) //' |
		awk -v p="$1" '$3 == p || $4 == p { f = 1 } END { exit !f }'
}

# wait_free PID: give this shell up to 3 s to reap what was killed
wait_free() {
	local i
	for i in $(seq 60); do
		pid_free "$1" && return 0
		sleep 0.05
	done
	return 1
}

# running PID: alive, not a zombie, not stopped, not traced
running() {
	local st tracer
	st=$(stat_field "$1" 1) || return 1
	tracer=$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	case $st in
	R | S | D) [ "$tracer" = 0 ] ;;
	*) return 1 ;;
	esac
}

# counting FILE: FILE grows within 0.5 s
counting() {
	local a b i
	a=$(stat -c %s "$1" 2>/dev/null) || return 1
	for i in 1 2 3 4 5; do
		sleep 0.1
		b=$(stat -c %s "$1" 2>/dev/null) || return 1
		[ "$b" -gt "$a" ] && return 0
	done
	return 1
}

# start NAME: a fresh counter session; sets wpid, counts into $tmp/NAME.count
start() {
	local i
	wpid=
	# started by a shell that exits at once: the counter is this shell's by
	# adoption only (no job of ours, so no "Killed" notice when it dies)
	bash -c 'cd "$1" && exec "$2" "$3" "$4" </dev/null >/dev/null 2>&1 &' start \
		"$tmp" "$tmp/counter" "$tmp/$1.count" "$tmp/$1.pid"
	for i in $(seq 100); do
		[ -s "$tmp/$1.pid" ] && break
		sleep 0.02
	done
	read -r wpid 2>/dev/null <"$tmp/$1.pid"
	[ -n "$wpid" ] || return 1
	workloads+=("$wpid")
	counting "$tmp/$1.count"
}

# kill_wait PID: kill the task, and its pid must come free
kill_wait() {
	kill -9 "$1" 2>/dev/null
	wait_free "$1"
}

# ------------------------------------------------------------------ setup

if ! gcc -O2 -Wall -Wextra -o "$tmp/counter" ci/bad-input/counter.c; then
	notok "build ci/bad-input/counter.c"
	finish
fi

# -------------------------------------------------- 1. bad dump arguments

sleep 0 &
dead=$!
wait "$dead"
if pid_free "$dead"; then
	crit dead dump -t "$dead" -D "$tmp/d"
	if failed_with "$dead"; then
		ok "dump -t $dead (a dead pid) fails naming the pid"
	else
		notok "dump -t $dead (a dead pid): $why"
	fi
else
	notok "dump of a dead pid: pid $dead was taken again at once"
fi

for bad in 0 -1 abc; do
	crit "t$bad" dump -t "$bad" -D "$tmp/d"
	if failed_with "$bad"; then
		ok "dump -t $bad fails with one line naming it"
	else
		notok "dump -t $bad: $why"
	fi
done

# criu's own parent: a shell that runs criu and then says it is still there
out=$(timeout 20 bash -c '"$0" dump -t $$ -D "$1" 2>"$2" </dev/null; rc=$?; echo "$rc $$"' \
	"$CRIU" "$tmp/d" "$tmp/err/parent.err")
shell_rc=$?
read -r rc shell <<<"$out"
nerr=$(grep -c . "$tmp/err/parent.err")
err=$(grep . "$tmp/err/parent.err" | sed -e ':a;N;$!ba;s/\n/ | /g')
if [ "$shell_rc" != 0 ] || [ -z "$shell" ]; then
	notok "dump -t \$\$ (criu's parent): the shell did not survive (exit $shell_rc): \"$err\""
elif failed_with "$shell"; then
	ok "dump -t \$\$ (criu's parent) fails naming pid $shell; the shell carries on"
else
	notok "dump -t \$\$ (criu's parent, pid $shell): $why"
fi

# ---------------------------------------------- 2. missing image directory

crit nodir restore -D /nonexistent
if failed_with /nonexistent; then
	ok "restore -D /nonexistent fails naming the directory"
else
	notok "restore -D /nonexistent: $why"
fi

mkdir "$tmp/empty"
crit emptydir restore -D "$tmp/empty"
if failed_with inventory.img; then
	ok "restore from an empty directory fails naming inventory.img"
else
	notok "restore from an empty directory: $why"
fi

# ------------------------------------------------------ 3. damaged images

ref=$tmp/ref
if ! start ref; then
	notok "the workload does not start or does not count"
	finish
fi
P=$wpid
crit refdump dump -t "$P" -D "$ref" -o "$tmp/logs/dump-ref.log"
if [ "$rc" != 0 ]; then
	notok "dump of the workload (pid $P) fails (exit $rc): $(grep Error "$tmp/logs/dump-ref.log" | head -3)"
	finish
fi
if wait_free "$P"; then
	ok "dump of the workload (pid $P) succeeds and frees the pid"
else
	notok "dump of the workload (pid $P) succeeds but pid $P is still taken"
	kill_wait "$P"
fi

missing=
for want in inventory.img pstree.img "core-$P.img" "mm-$P.img" "pagemap-$P.img" \
	"pages-$P.img" "fdinfo-*.img" "fs-*.img"; do
	compgen -G "$ref/$want" >/dev/null || missing="$missing $want"
done
if [ -z "$missing" ]; then
	ok "the dump wrote inventory, pstree, core, mm, pagemap, pages, fdinfo and fs images"
else
	notok "the dump wrote no$missing"
fi

# damage FILE HOW
damage() {
	local size
	size=$(stat -c %s "$1")
	case $2 in
	half) truncate -s $((size / 2)) "$1" ;;
	magic) printf '\xde\xad\xbe\xef' | dd of="$1" bs=1 seek=0 conv=notrunc status=none ;;
	length) printf '\xff\xff\xff\xff' | dd of="$1" bs=1 seek=4 conv=notrunc status=none ;;
	empty) truncate -s 0 "$1" ;;
	esac
}

# restore_damaged IMAGE HOW: restore -d from a copy of $ref whose IMAGE is
# damaged; sets rc, err, nerr, and left (why pid $P is not free, if it is not)
restore_damaged() {
	rm -rf "$tmp/bad"
	cp -a "$ref" "$tmp/bad"
	damage "$tmp/bad/$1" "$2"
	crit "bad-$1-$2" restore -d -D "$tmp/bad"
	left=
	if ! wait_free "$P"; then
		left="; pid $P is left taken ($(stat_field "$P" 1 || echo 'by a group or session'))"
		kill_wait "$P"
	fi
}

for f in "$ref"/*.img; do
	img=${f##*/}
	case $img in
	pages-*) continue ;;
	esac
	for how in half magic length; do
		restore_damaged "$img" "$how"
		if failed_with "$img" && [ -z "$left" ]; then
			ok "$img $how: restore fails naming $img and leaves pid $P free"
		else
			notok "$img $how: ${why:-exit $rc}$left"
		fi
	done
done

# the restorer reads pages itself, in the new task: no one-line rule here
for f in "$ref"/pages-*.img; do
	img=${f##*/}
	restore_damaged "$img" empty
	if [ "$rc" != 0 ] && [ "$rc" != 124 ] && printf '%s' "$err" | grep -qi short &&
		[ -z "$left" ]; then
		ok "$img truncated to 0: restore fails, reports a short read, leaves pid $P free"
	else
		notok "$img truncated to 0: exit $rc$left: \"$err\""
	fi
done
rm -rf "$tmp/bad"

crit intact restore -d -D "$ref"
if [ "$rc" = 0 ] && running "$P" && counting "$tmp/ref.count"; then
	ok "restore from the intact images still works (pid $P counts on)"
else
	notok "restore from the intact images: exit $rc, pid $P $(stat_field "$P" 1 || echo gone): \"$err\""
fi
kill_wait "$P" || notok "pid $P stays taken after kill -9"

# ------------------------------------------------------- 4. pid is taken

crit first restore -d -D "$ref"
if [ "$rc" = 0 ] && running "$P"; then
	crit second restore -d -D "$ref"
	if failed_with "$P" taken && running "$P" && counting "$tmp/ref.count"; then
		ok "a second restore fails naming pid $P as taken; the first tree still counts"
	elif [ -z "$why" ]; then
		notok "a second restore fails, but the first tree stopped: pid $P $(stat_field "$P" 1 || echo gone)"
	else
		notok "a second restore while pid $P is taken: $why"
	fi
else
	notok "restore (before the pid-taken check): exit $rc: \"$err\""
fi
kill_wait "$P" || notok "pid $P stays taken after kill -9"

# -------------------------------------------------------- 5. restore options

crit pidfile restore -d -D "$ref" --pidfile "$tmp/restored.pid"
read -r got 2>/dev/null <"$tmp/restored.pid"
if [ "$rc" = 0 ] && [ "${got:-}" = "$P" ] && running "$P"; then
	ok "--pidfile writes the restored root's pid ($P)"
else
	notok "--pidfile: exit $rc, pid file holds \"${got:-}\", want $P: \"$err\""
fi
kill_wait "$P" || notok "pid $P stays taken after kill -9"

# -S: the root is created as criu's sibling. criu runs from a shell here, so
# the root's parent must be that shell (without -S it would be criu, and
# this script once criu is gone). Without -d criu must not wait for it.
for d in -d ""; do
	out=$(timeout 20 bash -c '"$0" restore -S $1 -D "$2" 2>"$3" </dev/null
		rc=$?; echo "$rc $$ $(sed "s/.*) //" /proc/$4/stat 2>/dev/null)"' \
		"$CRIU" "$d" "$ref" "$tmp/err/sibling$d.err" "$P")
	shell_rc=$?
	read -r rc shell state ppid rest <<<"$out"
	err=$(grep . "$tmp/err/sibling$d.err" | sed -e ':a;N;$!ba;s/\n/ | /g')
	what="-S${d:+ $d}"
	if [ "$shell_rc" != 0 ]; then
		notok "$what: criu did not return within 20 s"
	elif [ "$rc" = 0 ] && [ "${ppid:-}" = "$shell" ] && running "$P" &&
		counting "$tmp/ref.count"; then
		ok "$what: the restored root's parent is criu's parent (pid $shell); it counts"
	else
		notok "$what: exit $rc, root $P state ${state:-gone} parent ${ppid:-none}, criu's parent $shell: \"$err\""
	fi
	kill_wait "$P" || notok "pid $P stays taken after kill -9"
done

# -W: a relative log and pid file go there, not into -D or the current directory
mkdir -p "$tmp/work"
crit workdir restore -d -D "$ref" -W "$tmp/work" -o w.log --pidfile w.pid
read -r got 2>/dev/null <"$tmp/work/w.pid"
if [ "$rc" = 0 ] && [ "${got:-}" = "$P" ] && [ -e "$tmp/work/w.log" ] &&
	[ ! -e "$ref/w.log" ] && [ ! -e "$ref/w.pid" ] && [ ! -e w.pid ]; then
	ok "-W: the relative -o and --pidfile land in the work directory"
else
	notok "-W: exit $rc, work dir holds: $(ls "$tmp/work" | tr '\n' ' ')"
fi
kill_wait "$P" || notok "pid $P stays taken after kill -9"

crit logpid restore -d -D "$ref" --log-pid -o "$tmp/logs/restore.log" -v4
if [ "$rc" = 0 ] && [ -s "$tmp/logs/restore.log.$P" ]; then
	ok "--log-pid -o restore.log -v4 creates restore.log.$P for the restored task"
else
	notok "--log-pid: exit $rc; logs: $(cd "$tmp/logs" && ls restore.log* | tr '\n' ' ')"
fi
if [ "$rc" = 0 ] && [ -s "$tmp/logs/restore.log" ]; then
	ok "--log-pid -v4: criu's own restore.log is not empty"
else
	notok "--log-pid -v4: criu's own restore.log is empty (restore.log.$P holds $(grep -c . "$tmp/logs/restore.log.$P" 2>/dev/null) lines)"
fi
kill_wait "$P" || notok "pid $P stays taken after kill -9"

crit timeout restore -d -D "$ref" --timeout 5
if [ "$rc" = 0 ] && running "$P"; then
	ok "restore --timeout 5 is accepted"
else
	notok "restore --timeout 5: exit $rc: \"$err\""
fi
kill_wait "$P" || notok "pid $P stays taken after kill -9"

crit detached restore -d -D "$ref"
if [ "$rc" = 0 ] && running "$P" && counting "$tmp/ref.count" && counting "$tmp/ref.count"; then
	ok "restore -d returns and the workload keeps counting"
else
	notok "restore -d: exit $rc, pid $P $(stat_field "$P" 1 || echo gone): \"$err\""
fi
kill_wait "$P" || notok "pid $P stays taken after kill -9"

# ------------------------------------------------------------ 6. CRIU_FAULT

# log_names_error WHAT LOG: a failed criu run given "-o LOG" must say why in
# LOG (stderr only points there)
log_names_error() {
	if grep -q Error "$2" 2>/dev/null; then
		ok "$1 has its error in the -o log"
	else
		notok "$1 has no Error line in its -o log ($(grep -c . "$2" 2>/dev/null) lines); stderr: \"$err\""
	fi
}

points=$("$CRIU" --fault-list 2>/dev/null)
if [ -z "$points" ]; then
	notok "criu --fault-list prints nothing"
fi
for n in $points; do
	# a dump of a fresh workload
	if ! start "fault$n"; then
		notok "CRIU_FAULT=$n: the workload does not start"
		continue
	fi
	w=$wpid
	fault=$n crit "fault$n-dump" dump -t "$w" -D "$tmp/fault$n" -o "$tmp/logs/fault$n-dump.log"
	if [ "$rc" = 0 ]; then
		if wait_free "$w"; then
			ok "CRIU_FAULT=$n: dump succeeds and frees pid $w"
		else
			notok "CRIU_FAULT=$n: dump succeeds but pid $w is left taken ($(stat_field "$w" 1 || echo 'group/session'))"
		fi
	elif running "$w" && counting "$tmp/fault$n.count"; then
		ok "CRIU_FAULT=$n: dump fails (exit $rc) and pid $w runs on, counting"
	else
		notok "CRIU_FAULT=$n: dump fails (exit $rc) and pid $w is $(stat_field "$w" 1 || echo gone), TracerPid $(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$w/status" 2>/dev/null), count file $(counting "$tmp/fault$n.count" && echo grows || echo 'does not grow')"
	fi
	if [ "$rc" != 0 ] && [ "$rc" != 124 ]; then
		log_names_error "CRIU_FAULT=$n: the failed dump" "$tmp/logs/fault$n-dump.log"
	fi
	kill_wait "$w"
	rm -rf "$tmp/fault$n"

	# a restore of the reference images
	fault=$n crit "fault$n-restore" restore -d -D "$ref" -o "$tmp/logs/fault$n-restore.log"
	if [ "$rc" = 0 ]; then
		if running "$P" && counting "$tmp/ref.count"; then
			ok "CRIU_FAULT=$n: restore succeeds and pid $P counts"
		else
			notok "CRIU_FAULT=$n: restore succeeds but pid $P is $(stat_field "$P" 1 || echo gone) or does not count"
		fi
		kill_wait "$P"
	else
		if wait_free "$P"; then
			ok "CRIU_FAULT=$n: restore fails (exit $rc) and leaves pid $P free"
		else
			notok "CRIU_FAULT=$n: restore fails (exit $rc) and leaves pid $P taken ($(stat_field "$P" 1 || echo 'group/session'))"
			kill_wait "$P"
		fi
		log_names_error "CRIU_FAULT=$n: the failed restore" "$tmp/logs/fault$n-restore.log"
	fi
done
fault=

# ------------------------------------------------------ nothing left behind

for i in $(seq 60); do
	kids=
	read -r kids 2>/dev/null <"/proc/$$/task/$$/children"
	[ -z "$kids" ] && break
	sleep 0.05
done
if [ -z "$kids" ]; then
	ok "no task is left behind"
else
	notok "tasks left behind: $kids"
	for k in $kids; do
		kill -9 "$k" 2>/dev/null
	done
fi

finish
