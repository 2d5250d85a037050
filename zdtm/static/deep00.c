// SPDX-License-Identifier: GPL-2.0
/*
 * A chain of processes 30 deep: each one is the only child of the previous.
 * After restore each checks its pid and its parent's pid, then reaps its
 * child; the verdicts travel up the chain as exit codes.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define DEPTH 30

static int go[2];
static int ready[2];

static void wait_go(void)
{
	char c;

	while (read(go[0], &c, 1) < 0 && errno == EINTR)
		;
}

static int check_self(int depth, pid_t me, pid_t parent)
{
	if (getpid() != me) {
		test_msg("depth %d: getpid() = %d, expected %d", depth, getpid(), me);
		return 1;
	}
	if (parent && getppid() != parent) {
		test_msg("depth %d (pid %d): getppid() = %d, expected %d",
			 depth, me, getppid(), parent);
		return 1;
	}
	return 0;
}

static int reap(int depth, pid_t pid)
{
	int status;
	pid_t ret;

	do
		ret = waitpid(pid, &status, 0);
	while (ret < 0 && errno == EINTR);
	if (ret != pid) {
		test_msg("depth %d: waitpid(%d) = %d: %s", depth, pid, ret, strerror(errno));
		return 1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		test_msg("depth %d: child %d ended with status 0x%x", depth, pid, status);
		return 1;
	}
	return 0;
}

/* The process at @depth (1..DEPTH-1) below parent @parent. */
static void __attribute__((noreturn)) link_proc(int depth, pid_t parent)
{
	pid_t me = getpid(), next = 0;
	char c = 'r';
	int ret;

	if (depth + 1 < DEPTH) {
		next = fork();
		if (next < 0) {
			test_msg("depth %d: fork: %s", depth, strerror(errno));
			_exit(3);
		}
		if (next == 0)
			link_proc(depth + 1, me);
	}
	close(go[1]);
	close(ready[0]);
	if (write(ready[1], &c, 1) != 1)
		_exit(3);
	close(ready[1]);

	wait_go();
	ret = check_self(depth, me, parent);
	if (next)
		ret |= reap(depth, next);
	_exit(ret);
}

int main(int argc, char **argv)
{
	pid_t me, first;
	int n, bad;
	char c;

	test_init(argc, argv);
	me = getpid();

	if (pipe(go) || pipe(ready))
		test_setup_fail("pipe: %s", strerror(errno));

	first = fork();
	if (first < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (first == 0)
		link_proc(1, me);

	close(ready[1]);
	for (n = 1; n < DEPTH; n++)
		if (read(ready[0], &c, 1) != 1)
			test_setup_fail("a process of the chain died during setup");
	close(ready[0]);
	close(go[0]);

	test_daemon();
	test_waitsig();

	if (test_break()) {
		/*
		 * Cut the chain in the middle: the process above the victim
		 * sees it killed, and the failure travels up.
		 */
		pid_t victim = first;

		for (n = 1; n < DEPTH / 2; n++) {
			char path[64], buf[256];
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%d/task/%d/children", victim, victim);
			f = fopen(path, "r");
			if (!f || !fgets(buf, sizeof(buf), f))
				fail("break: cannot walk the chain at depth %d", n);
			fclose(f);
			victim = atoi(buf);
		}
		kill(victim, SIGKILL);
	}

	close(go[1]);
	bad = check_self(0, me, 0);
	bad |= reap(0, first);
	if (bad)
		fail("the process chain changed (see messages above)");
	pass();
}
