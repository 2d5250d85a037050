// SPDX-License-Identifier: GPL-2.0
/*
 * Run one command and say how long it took and how much memory it used.
 *
 *   timeit TIMEOUT_S OUTFILE PROGRAM [ARG...]
 *
 * Forks (a real fork, not vfork), execs PROGRAM, waits for it with wait4()
 * and writes to OUTFILE:
 *     status=N start_ns=N end_ns=N maxrss_kb=N user_us=N sys_us=N timed_out=0|1
 * start_ns/end_ns are CLOCK_MONOTONIC just before fork() and just after
 * wait4() returned. After TIMEOUT_S seconds the program is killed.
 *
 * Why not measure from python: python starts programs with vfork(), and a
 * vforked child execs while sharing python's address space, so the kernel
 * charges python's own peak RSS to the child's ru_maxrss. This program is
 * small and forks, so ru_maxrss is the command's own peak.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t child;
static volatile int timed_out;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void on_alarm(int sig)
{
	timed_out = 1;
	kill(child, SIGKILL);
}

int main(int argc, char **argv)
{
	unsigned long long t0, t1;
	struct sigaction sa = { .sa_handler = on_alarm };
	struct rusage ru;
	FILE *out;
	int st;

	if (argc < 4) {
		fprintf(stderr, "usage: timeit TIMEOUT_S OUTFILE PROGRAM [ARG...]\n");
		return 2;
	}
	sigaction(SIGALRM, &sa, NULL);
	t0 = now_ns();
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		execv(argv[3], argv + 3);
		perror(argv[3]);
		_exit(127);
	}
	alarm(atoi(argv[1]));
	while (wait4(child, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("wait4");
			return 1;
		}
	}
	t1 = now_ns();
	alarm(0);
	out = fopen(argv[2], "w");
	if (!out) {
		perror(argv[2]);
		return 1;
	}
	fprintf(out, "status=%d start_ns=%llu end_ns=%llu maxrss_kb=%ld user_us=%lld sys_us=%lld "
		     "timed_out=%d\n", st, t0, t1, ru.ru_maxrss,
		(long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
		(long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec, timed_out);
	return fclose(out) ? 1 : 0;
}
