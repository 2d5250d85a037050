// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduling state survives: nice value, policy (SCHED_BATCH for the main
 * thread, SCHED_IDLE for a second thread) and CPU affinity of each.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NICE_MAIN 7
#define NICE_THREAD 13

static pid_t thread_tid;
static int pfd[2];
static cpu_set_t main_set, thread_set;
static int ncpus;

static void *thread_fn(void *arg)
{
	struct sched_param sp = { .sched_priority = 0 };
	char c;

	(void)arg;
	if (setpriority(PRIO_PROCESS, 0, NICE_THREAD) ||
	    sched_setscheduler(0, SCHED_IDLE, &sp) ||
	    sched_setaffinity(0, sizeof(thread_set), &thread_set))
		thread_tid = -1;
	else
		thread_tid = syscall(SYS_gettid);
	while (read(pfd[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void check(pid_t tid, const char *who, int policy, int nice, cpu_set_t *set)
{
	cpu_set_t cur;
	int p, n;

	p = sched_getscheduler(tid);
	if (p != policy)
		fail("%s: policy %d, expected %d", who, p, policy);
	errno = 0;
	n = getpriority(PRIO_PROCESS, tid);
	if (errno)
		pfail("%s: getpriority", who);
	if (n != nice)
		fail("%s: nice %d, expected %d", who, n, nice);
	if (sched_getaffinity(tid, sizeof(cur), &cur))
		pfail("%s: sched_getaffinity", who);
	if (!CPU_EQUAL(&cur, set))
		fail("%s: affinity mask differs (%d cpus, expected %d)", who, CPU_COUNT(&cur),
		     CPU_COUNT(set));
}

int main(int argc, char **argv)
{
	struct sched_param sp = { .sched_priority = 0 };
	cpu_set_t all;
	pthread_t th;
	sigset_t set;
	int i, first = -1, last = -1;

	test_init(argc, argv);
	if (sched_getaffinity(0, sizeof(all), &all))
		test_setup_fail("sched_getaffinity: %s", strerror(errno));
	ncpus = CPU_COUNT(&all);
	for (i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &all))
			continue;
		if (first < 0)
			first = i;
		last = i;
	}
	/* Main thread: the last CPU only; thread: the first one only. */
	CPU_ZERO(&main_set);
	CPU_SET(last, &main_set);
	CPU_ZERO(&thread_set);
	CPU_SET(first, &thread_set);
	if (ncpus == 1)
		test_msg("only one CPU: affinity masks are trivial");

	if (pipe(pfd))
		test_setup_fail("pipe: %s", strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&th, NULL, thread_fn, NULL))
		test_setup_fail("pthread_create");
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	if (setpriority(PRIO_PROCESS, 0, NICE_MAIN))
		test_setup_fail("setpriority: %s", strerror(errno));
	if (sched_setscheduler(0, SCHED_BATCH, &sp))
		test_setup_fail("SCHED_BATCH: %s", strerror(errno));
	if (sched_setaffinity(0, sizeof(main_set), &main_set))
		test_setup_fail("sched_setaffinity: %s", strerror(errno));
	while (!__atomic_load_n(&thread_tid, __ATOMIC_SEQ_CST))
		usleep(1000);
	if (thread_tid < 0)
		test_setup_fail("thread could not set its scheduling state");

	test_daemon();
	test_waitsig();

	if (test_break())
		setpriority(PRIO_PROCESS, 0, NICE_MAIN + 1);

	check(0, "main", SCHED_BATCH, NICE_MAIN, &main_set);
	check(thread_tid, "thread", SCHED_IDLE, NICE_THREAD, &thread_set);
	close(pfd[1]);
	pthread_join(th, NULL);
	pass();
}
