// SPDX-License-Identifier: GPL-2.0
/*
 * Pids that were reused. The test keeps one child forked first, then forks
 * and reaps short-lived children until the pid counter wraps around (or a
 * bound is hit), then keeps a second child, whose pid is usually lower than
 * its parent's. After restore both children still have their pids and
 * their parent, and are reaped by pid with the exit codes they choose.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zdtmtst.h"

static int go[2];

static void __attribute__((noreturn)) keeper(int code, pid_t parent)
{
	pid_t me = getpid();
	char c;

	close(go[1]);
	while (read(go[0], &c, 1) < 0 && errno == EINTR)
		;
	if (getpid() != me) {
		test_msg("keeper %d: getpid() = %d", me, getpid());
		_exit(100);
	}
	if (getppid() != parent) {
		test_msg("keeper %d: getppid() = %d, expected %d", me, getppid(), parent);
		_exit(101);
	}
	_exit(code);
}

static long read_pid_max(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	long v = 32768;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = 32768;
		fclose(f);
	}
	return v;
}

static int reap(pid_t pid, int code)
{
	int status;
	pid_t ret;

	do
		ret = waitpid(pid, &status, 0);
	while (ret < 0 && errno == EINTR);
	if (ret != pid) {
		test_msg("waitpid(%d) = %d: %s", pid, ret, strerror(errno));
		return 1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != code) {
		test_msg("child %d: status 0x%x, expected exit %d", pid, status, code);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long i, limit = 2 * read_pid_max() + 1000;
	pid_t me, first, last = 0, second;
	bool wrapped = false;
	int bad;

	test_init(argc, argv);
	me = getpid();
	if (pipe(go))
		test_setup_fail("pipe: %s", strerror(errno));

	first = fork();
	if (first < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (first == 0)
		keeper(11, me);

	for (i = 0; i < limit && !wrapped; i++) {
		pid_t pid = vfork();

		if (pid < 0)
			test_setup_fail("vfork: %s", strerror(errno));
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, NULL, 0) != pid)
			test_setup_fail("waitpid(%d): %s", pid, strerror(errno));
		if (last && pid < last)
			wrapped = true;
		last = pid;
	}
	if (!wrapped)
		test_msg("pids did not wrap after %ld forks", i);
	/*
	 * Right after a wrap every new process on the machine lands at the
	 * bottom of the range: move on a little, so the kept child is not the
	 * pid the next stranger (or the next criu) gets while it is dumped.
	 * The distance is random: another copy of this test wrapping at the
	 * same time (other test runs on the machine) would otherwise keep
	 * the same low pid and take it while ours is dumped and killed.
	 */
	srand(getpid() ^ time(NULL));
	for (volatile long k = 0, n = 1000 + rand() % 3000; wrapped && k < n; k++) {
		pid_t pid = fork();

		if (pid < 0)
			test_setup_fail("vfork: %s", strerror(errno));
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
	}

	second = fork();
	if (second < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (second == 0)
		keeper(22, me);
	close(go[0]);
	test_msg("parent %d, children %d and %d after %ld forks", me, first, second, i);

	test_daemon();
	test_waitsig();

	if (test_break())
		kill(second, SIGKILL);

	close(go[1]);
	bad = getpid() != me;
	if (bad)
		test_msg("getpid() = %d, expected %d", getpid(), me);
	bad |= reap(first, 11);
	bad |= reap(second, 22);
	if (bad)
		fail("pids changed (see messages above)");
	pass();
}
