// SPDX-License-Identifier: GPL-2.0
/*
 * One parent with 40 children. After restore every child checks its pid and
 * its parent's pid; the parent reaps each one by its recorded pid and checks
 * its exit code, which encodes the child's index.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NR_CHILDREN 40

static int go[2];
static int ready[2];

static void __attribute__((noreturn)) child(int idx, pid_t parent)
{
	pid_t me = getpid();
	char c = 'r';

	close(go[1]);
	close(ready[0]);
	if (write(ready[1], &c, 1) != 1)
		_exit(200);
	close(ready[1]);

	while (read(go[0], &c, 1) < 0 && errno == EINTR)
		;
	if (getpid() != me) {
		test_msg("child %d: getpid() = %d, expected %d", idx, getpid(), me);
		_exit(201);
	}
	if (getppid() != parent) {
		test_msg("child %d (pid %d): getppid() = %d, expected %d",
			 idx, me, getppid(), parent);
		_exit(202);
	}
	/* A distinct exit code per child proves the parent reaps the right one. */
	_exit(idx + 1);
}

int main(int argc, char **argv)
{
	pid_t me, kids[NR_CHILDREN];
	int i, bad = 0;
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
			child(i, me);
	}
	close(ready[1]);
	for (i = 0; i < NR_CHILDREN; i++)
		if (read(ready[0], &c, 1) != 1)
			test_setup_fail("a child died during setup");
	close(ready[0]);
	close(go[0]);

	test_daemon();
	test_waitsig();

	if (test_break())
		kill(kids[NR_CHILDREN / 2], SIGKILL);

	close(go[1]);
	if (getpid() != me) {
		test_msg("parent: getpid() = %d, expected %d", getpid(), me);
		bad = 1;
	}
	for (i = 0; i < NR_CHILDREN; i++) {
		int status;
		pid_t ret;

		do
			ret = waitpid(kids[i], &status, 0);
		while (ret < 0 && errno == EINTR);
		if (ret != kids[i]) {
			test_msg("waitpid(%d) = %d: %s", kids[i], ret, strerror(errno));
			bad = 1;
			continue;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != i + 1) {
			test_msg("child %d (pid %d) ended with status 0x%x, expected exit %d",
				 i, kids[i], status, i + 1);
			bad = 1;
		}
	}
	if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD) {
		test_msg("an unexpected child is left");
		bad = 1;
	}
	if (bad)
		fail("the children changed (see messages above)");
	pass();
}
