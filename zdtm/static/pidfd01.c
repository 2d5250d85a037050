// SPDX-License-Identifier: GPL-2.0
/*
 * A pidfd of a thread that is not the leader (PIDFD_THREAD): the thread is
 * created late in a restore, after the fds are in place, so the dump must
 * refuse it (crfail). Without criu the test passes: the pidfd signals the
 * thread, which sees it.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

static volatile pid_t tid;
static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	(void)sig;
	if (syscall(SYS_gettid) == tid)
		got = 1;
}

static void *thread(void *arg)
{
	(void)arg;
	tid = syscall(SYS_gettid);
	while (1)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	sigset_t usr1;
	pthread_t th;
	int pfd;

	test_init(argc, argv);

	/* only the thread takes SIGUSR1 */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	signal(SIGUSR1, on_usr1);
	if (pthread_create(&th, NULL, thread, NULL))
		test_setup_fail("pthread_create");
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	while (!tid)
		usleep(1000);
	pfd = syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
	if (pfd < 0)
		test_setup_fail("pidfd_open of thread %d: %s", tid, strerror(errno));

	test_daemon();
	test_waitsig();

	if (!test_break() && syscall(SYS_pidfd_send_signal, pfd, SIGUSR1, NULL, 0))
		pfail("pidfd_send_signal");
	for (int i = 0; i < 500 && !got; i++)
		usleep(10000);
	if (!got)
		fail("the thread did not get SIGUSR1 through its pidfd");
	pass();
}
