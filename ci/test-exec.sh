#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "criu exec -t PID SYSCALL ARGS...": the manual's examples (close a
# descriptor, open a file) and more, checked from outside through /proc,
# the task's own view of itself (ci/exec-target.c), and the error cases.
# After every call the task must still be alive, unharmed, and as it was:
# running, or stopped if it was stopped; signal mask and mappings unchanged.
# Usage: ci/test-exec.sh [path/to/criu]   (default: ./criu of the repo)
set -u
cd "$(dirname "$0")/.." || exit 1
CRIU=${1:-${CRIU:-./criu}}
CRIU=$(realpath "$CRIU")
TEST=test-exec
tmp=$(mktemp -d /tmp/criu-test-exec.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ]; then
	echo "test-exec: needs root to ptrace; skipped"
	echo "test-exec: 0 passed, 0 failed"
	exit 0
fi
if [ ! -x "$CRIU" ]; then
	echo "test-exec: no criu binary at $CRIU (run make first)"
	echo "test-exec: 0 passed, 1 failed"
	exit 1
fi

. ci/testlib.sh

# expect NAME RC STDOUT: exit code and exact stdout
expect() {
	if [ "$rc" = "$2" ] && [ "$out" = "$3" ]; then
		ok "$1"
	else
		bad "$1: exit $rc, stdout \"$out\", stderr \"$err\"; expected exit $2, stdout \"$3\""
	fi
}

# expect_err NAME TEXT: exit code 1, nothing on stdout, TEXT in one line on stderr
expect_err() {
	if [ "$rc" = 1 ] && [ -z "$out" ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] &&
		printf '%s' "$err" | grep -qF -- "$2"; then
		ok "$1"
	else
		bad "$1: exit $rc, stdout \"$out\", stderr \"$err\"; expected exit 1 and \"$2\""
	fi
}

state_of() {
	sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null
}

# alive NAME: the task answers SIGUSR1 with a fresh report and is not corrupt
report_seq=0
alive() {
	local i
	if ! kill -0 "$pid" 2>/dev/null || [ "$(state_of "$pid")" = Z ]; then
		bad "$1: the task died ($(cat "$tmp/target.out" 2>/dev/null))"
		finish
	fi
	kill -USR1 "$pid"
	for i in $(seq 200); do
		if grep -q CORRUPT "$tmp/report" 2>/dev/null; then
			bad "$1: the task reports $(cat "$tmp/report")"
			finish
		fi
		if [ "$(sed -n 's/^seq //p' "$tmp/report")" -gt "$report_seq" ] 2>/dev/null; then
			report_seq=$(sed -n 's/^seq //p' "$tmp/report")
			ok "$1: the task is alive and well"
			return 0
		fi
		sleep 0.05
	done
	bad "$1: the task does not answer SIGUSR1"
	return 1
}

# fds as the task itself sees them
task_fds() {
	sed -n 's/^fds //p' "$tmp/report"
}

if ! gcc -O1 -Wall -pthread -o "$tmp/exec-target" ci/exec-target.c; then
	bad "can't build ci/exec-target.c"
	finish
fi
umask 022
touch "$tmp/file"
mkdir "$tmp/dir"
"$tmp/exec-target" "$tmp/report" >"$tmp/target.out" 2>&1 </dev/null &
pid=$!
for i in $(seq 100); do
	[ -s "$tmp/report" ] && [ -d "/proc/$pid/task" ] &&
		[ "$(ls "/proc/$pid/task" | wc -l)" = 2 ] && break
	sleep 0.05
done
worker=$(ls "/proc/$pid/task" | grep -vx "$pid" | head -1)
zombie=$(cat "/proc/$pid/task/$pid/children" | tr -d ' ')
sigblk=$(grep SigBlk "/proc/$pid/status")
alive "start"

# ---------------------------------------------------------------- basics
run getpid exec -t "$pid" getpid
expect "getpid returns the task's pid" 0 "Syscall returned $pid"

run gettid exec -t "$worker" gettid
expect "-t TID runs the call in that thread" 0 "Syscall returned $worker"

run gettid-main exec -t "$pid" gettid
expect "-t PID runs the call in the main thread" 0 "Syscall returned $pid"

run getppid exec -t "$pid" getppid
expect "getppid" 0 "Syscall returned $$"

# -------------------------------------------------- the manual's examples
run close1 exec -t "$pid" close 1
expect "close 1" 0 "Syscall returned 0"
if [ ! -e "/proc/$pid/fd/1" ]; then
	ok "close 1: fd 1 is gone from /proc/$pid/fd"
else
	bad "close 1: fd 1 is still there: $(readlink "/proc/$pid/fd/1")"
fi
alive "after close 1"
case " $(task_fds) " in
*" 1 "*) bad "close 1: the task itself still sees fd 1 ($(task_fds))" ;;
*) ok "close 1: the task itself no longer sees fd 1" ;;
esac

maps_before=$(cat "/proc/$pid/maps")
run open exec -t "$pid" open "&$tmp/file" 2
expect "open &FILE 2 takes the lowest free fd" 0 "Syscall returned 1"
if [ "$(readlink "/proc/$pid/fd/1")" = "$tmp/file" ]; then
	ok "open: fd 1 of the task is $tmp/file"
else
	bad "open: fd 1 of the task is \"$(readlink "/proc/$pid/fd/1")\""
fi
flags=$(sed -n 's/^flags:\t*//p' "/proc/$pid/fdinfo/1" 2>/dev/null)
if [ -n "$flags" ] && [ $((0$flags & 3)) = 2 ]; then
	ok "open: fd 1 is open O_RDWR (flags $flags)"
else
	bad "open: fd 1 has flags \"$flags\", expected O_RDWR"
fi
if [ "$(cat "/proc/$pid/maps")" = "$maps_before" ]; then
	ok "open: the scratch memory for the string is gone again"
else
	bad "open: the task's mappings changed: $(diff <(echo "$maps_before") "/proc/$pid/maps")"
fi
alive "after open"
case " $(task_fds) " in
*" 1 "*) ok "open: the task itself sees fd 1 again" ;;
*) bad "open: the task itself does not see fd 1 ($(task_fds))" ;;
esac

# ------------------------------------------------ results and arguments
run enoent exec -t "$pid" open "&$tmp/no-such-file" 0
expect "a failing call prints -errno and its text" 0 \
	"Syscall returned -2 (No such file or directory)"

run ebadf exec -t "$pid" close -1
expect "a negative number argument" 0 "Syscall returned -9 (Bad file descriptor)"

run umask exec -t "$pid" umask 077
expect "umask 077 (octal) returns the old mask 022" 0 "Syscall returned 18"
if grep -q "^Umask:[[:space:]]*0077" "/proc/$pid/status"; then
	ok "umask: /proc/$pid/status shows 0077"
else
	bad "umask: $(grep Umask "/proc/$pid/status")"
fi
run umask2 exec -t "$pid" umask 0x12
expect "umask 0x12 (hex) returns 077" 0 "Syscall returned 63"

run mkdir exec -t "$pid" mkdir "&$tmp/made" 0755
expect "mkdir &DIR 0755" 0 "Syscall returned 0"
if [ "$(stat -c %a "$tmp/made" 2>/dev/null)" = 755 ]; then
	ok "mkdir: the directory exists with mode 0755 (umask 0x12 = 022)"
else
	bad "mkdir: $tmp/made has mode \"$(stat -c %a "$tmp/made" 2>&1)\", expected 755"
fi

run chdir exec -t "$pid" chdir "&$tmp/dir"
expect "chdir &DIR" 0 "Syscall returned 0"
if [ "$(readlink "/proc/$pid/cwd")" = "$tmp/dir" ]; then
	ok "chdir: /proc/$pid/cwd is $tmp/dir"
else
	bad "chdir: /proc/$pid/cwd is $(readlink "/proc/$pid/cwd")"
fi

run two-strings exec -t "$pid" symlink "&$tmp/file" "&$tmp/link"
expect "two string arguments" 0 "Syscall returned 0"
if [ "$(readlink "$tmp/link")" = "$tmp/file" ]; then
	ok "symlink: $tmp/link points to $tmp/file"
else
	bad "symlink: $tmp/link is \"$(readlink "$tmp/link")\""
fi

run six exec -t "$pid" mmap 0 4096 3 0x22 -1 0
case "$out" in
"Syscall returned "*" (0x"*")") ok "six arguments: mmap returns an address ($out)" ;;
*) bad "six arguments: mmap gave exit $rc, \"$out\", \"$err\"" ;;
esac

run dash exec -t "$pid" -- getpid
expect "-- before the system call name" 0 "Syscall returned $pid"

run number exec -t "$pid" 39
expect "a system call given by number (39 = getpid)" 0 "Syscall returned $pid"

if [ "$(grep SigBlk "/proc/$pid/status")" = "$sigblk" ]; then
	ok "the task's signal mask is unchanged ($sigblk)"
else
	bad "the signal mask changed: $(grep SigBlk "/proc/$pid/status"), was $sigblk"
fi
if grep -q "^TracerPid:[[:space:]]*0$" "/proc/$pid/status" &&
	grep -q "^TracerPid:[[:space:]]*0$" "/proc/$pid/task/$worker/status"; then
	ok "no thread is left traced"
else
	bad "a thread is still traced"
fi
alive "after the argument tests"

# ----------------------------------------------------- a stopped task
kill -STOP "$pid"
for i in $(seq 100); do
	[ "$(state_of "$pid")" = T ] && [ "$(state_of "$pid/task/$worker")" = T ] && break
	sleep 0.02
done
run stopped exec -t "$pid" getpid
expect "a stopped task runs the call" 0 "Syscall returned $pid"
sleep 0.2
if [ "$(state_of "$pid")" = T ] && [ "$(state_of "$pid/task/$worker")" = T ]; then
	ok "a stopped task stays stopped"
else
	bad "after exec the stopped task is in states $(state_of "$pid") $(state_of "$pid/task/$worker")"
fi
kill -CONT "$pid"
alive "a stopped task goes on after SIGCONT"

# ------------------------------------------- blocking calls are interrupted
start=$(date +%s)
run timeout --timeout 1 exec -t "$pid" pause
expect "--timeout interrupts a blocking call" 0 "Syscall interrupted (returned -514)"
if [ $(($(date +%s) - start)) -le 5 ]; then
	ok "--timeout 1: criu came back in time"
else
	bad "--timeout 1: criu took $(($(date +%s) - start)) s"
fi
alive "after an interrupted call"

"$CRIU" exec -t "$pid" pause >"$tmp/int.out" 2>&1 &
cpid=$!
sleep 0.5
kill -INT "$cpid"
wait "$cpid"
rc=$?
if [ "$rc" = 0 ] && grep -q "^Syscall interrupted" "$tmp/int.out"; then
	ok "SIGINT to criu interrupts a blocking call"
else
	bad "SIGINT to criu: exit $rc, $(cat "$tmp/int.out")"
fi
alive "after SIGINT to criu"

# ------------------------------------------------------------- errors
run unknown exec -t "$pid" no_such_call 1
expect_err "an unknown system call name" "unknown system call 'no_such_call'"

run seven exec -t "$pid" close 1 2 3 4 5 6 7
expect_err "more than six arguments" "too many arguments"

run badnum exec -t "$pid" close 12abc
expect_err "a bad number" "bad argument 1 '12abc'"

run empty exec -t "$pid" close ""
expect_err "an empty argument" "bad argument 1"

run not-t exec close 1
expect_err "no -t" "needs -t"

run no-call exec -t "$pid"
expect_err "no system call" "system call"

run nopid exec -t 2147483647 getpid
expect_err "a pid that does not exist" "process 2147483647 does not exist"

sleep 100 &
dead=$!
kill -9 "$dead"
wait "$dead" 2>/dev/null
run deadpid exec -t "$dead" getpid
expect_err "a task that has died and been reaped" "does not exist"

if [ -n "$zombie" ] && [ "$(state_of "$zombie")" = Z ]; then
	run zombie exec -t "$zombie" getpid
	expect_err "a zombie" "zombie"
else
	bad "the helper's zombie child is missing (\"$zombie\")"
fi

"$CRIU" exec -t $$ getpid >"$tmp/self.out" 2>"$tmp/self.err"
rc=$?
out=$(cat "$tmp/self.out")
err=$(cat "$tmp/self.err")
expect_err "criu's own parent" "criu itself or its parent"

run exit exec -t "$pid" exit_group 0
expect_err "exit_group is refused" "refusing exit_group"
run execve exec -t "$pid" execve "&/bin/true" 0 0
expect_err "execve is refused" "refusing execve"

alive "after the error cases"
if [ "$(grep SigBlk "/proc/$pid/status")" = "$sigblk" ]; then
	ok "at the end: signal mask unchanged"
else
	bad "at the end: signal mask $(grep SigBlk "/proc/$pid/status"), was $sigblk"
fi

finish
