// SPDX-License-Identifier: GPL-2.0
/*
 * A small process tree: the test process with three children, each with one
 * child of its own. After restore every process checks its own pid and its
 * parent's pid against what was recorded at fork time, and every parent
 * reaps its child and checks that it exited cleanly.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NR_CHILDREN 3

/* The go pipe: closed by the test process after SIGTERM; everyone waits on EOF. */
static int go[2];
/* Readiness: every helper process writes one byte here once it exists. */
static int ready[2];

static void wait_go(void)
{
	char c;

	while (read(go[0], &c, 1) < 0 && errno == EINTR)
		;
}

static void say_ready(void)
{
	char c = 'r';

	if (write(ready[1], &c, 1) != 1)
		_exit(3);
	close(ready[1]);
}

/* Check pid and ppid; returns 0 when both are as recorded. */
static int check_self(const char *who, pid_t me, pid_t parent)
{
	if (getpid() != me) {
		test_msg("%s: getpid() = %d, expected %d", who, getpid(), me);
		return 1;
	}
	if (getppid() != parent) {
		test_msg("%s %d: getppid() = %d, expected %d", who, me, getppid(), parent);
		return 1;
	}
	return 0;
}

/* Reap @pid and check that it exited with 0; returns 0 when it did. */
static int reap(const char *who, pid_t pid)
{
	int status;
	pid_t ret;

	do
		ret = waitpid(pid, &status, 0);
	while (ret < 0 && errno == EINTR);
	if (ret != pid) {
		test_msg("%s: waitpid(%d) = %d: %s", who, pid, ret, strerror(errno));
		return 1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		test_msg("%s: child %d ended with status 0x%x", who, pid, status);
		return 1;
	}
	return 0;
}

static void grandchild(pid_t parent)
{
	pid_t me = getpid();

	close(go[1]);
	close(ready[0]);
	say_ready();
	wait_go();
	_exit(check_self("grandchild", me, parent));
}

static void child(pid_t parent)
{
	pid_t me = getpid(), gc;
	int ret;

	gc = fork();
	if (gc < 0) {
		test_msg("child %d: fork: %s", me, strerror(errno));
		_exit(3);
	}
	if (gc == 0)
		grandchild(me);

	close(go[1]);
	close(ready[0]);
	say_ready();
	wait_go();
	ret = check_self("child", me, parent);
	ret |= reap("child", gc);
	_exit(ret);
}

int main(int argc, char **argv)
{
	pid_t me, kids[NR_CHILDREN];
	int i, n, bad = 0;
	char c;

	test_init(argc, argv);
	me = getpid();

	if (pipe(go) || pipe(ready))
		test_setup_fail("pipe: %s", strerror(errno));

	for (i = 0; i < NR_CHILDREN; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			test_setup_fail("fork: %s", strerror(errno));
		if (kids[i] == 0)
			child(me);
	}
	close(ready[1]);
	for (n = 0; n < 2 * NR_CHILDREN; n++)
		if (read(ready[0], &c, 1) != 1)
			test_setup_fail("a helper process died during setup");
	close(ready[0]);
	close(go[0]);

	test_daemon();
	test_waitsig();

	if (test_break()) {
		/* The second child dies: its parent must notice. */
		kill(kids[1], SIGKILL);
	}

	close(go[1]);
	if (getpid() != me) {
		test_msg("test: getpid() = %d, expected %d", getpid(), me);
		bad = 1;
	}
	for (i = 0; i < NR_CHILDREN; i++)
		bad |= reap("test", kids[i]);
	if (bad)
		fail("the process tree changed (see messages above)");
	pass();
}
