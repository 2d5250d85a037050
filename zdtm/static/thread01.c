// SPDX-License-Identifier: GPL-2.0
/*
 * Threads blocked in system calls across the dump: one in read() on a pipe,
 * one in nanosleep() (interrupted after restore by a signal handler without
 * SA_RESTART: EINTR and a sane remaining time), one in pthread_cond_wait().
 * All are woken after restore and report what they saw.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "zdtmtst.h"

#define TOKEN 0x5eed1234u
#define SLEEP_SEC 1000

static int pfd[2];
static pid_t tids[3];
static uint32_t got_token;
static ssize_t got_len;
static int sleep_ret, sleep_errno;
static struct timespec sleep_rem;
static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int cond_value;
static int cond_seen;

static void usr1(int sig)
{
	(void)sig;
}

static void *reader(void *arg)
{
	(void)arg;
	tids[0] = syscall(SYS_gettid);
	got_len = read(pfd[0], &got_token, sizeof(got_token));
	return NULL;
}

static void *sleeper(void *arg)
{
	struct timespec ts = { SLEEP_SEC, 0 };

	(void)arg;
	tids[1] = syscall(SYS_gettid);
	sleep_ret = nanosleep(&ts, &sleep_rem);
	sleep_errno = errno;
	return NULL;
}

static void *waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mtx);
	tids[2] = syscall(SYS_gettid);
	while (!cond_value)
		pthread_cond_wait(&cond, &mtx);
	cond_seen = cond_value;
	pthread_mutex_unlock(&mtx);
	return NULL;
}

/* Wait until thread @tid sleeps (state S) in the kernel. */
static bool wait_sleeping(pid_t tid)
{
	char path[64], buf[64];
	int i;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	for (i = 0; i < 5000; i++) {
		if (proc_field(path, "State", buf, sizeof(buf)) && buf[0] == 'S')
			return true;
		usleep(1000);
	}
	return false;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = usr1 };
	void *(*fns[3])(void *) = { reader, sleeper, waiter };
	pthread_t th[3];
	uint32_t tok = TOKEN;
	sigset_t set;
	int i;

	test_init(argc, argv);
	if (pipe(pfd))
		test_setup_fail("pipe: %s", strerror(errno));
	sigaction(SIGUSR1, &sa, NULL); /* no SA_RESTART */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < 3; i++)
		if (pthread_create(&th[i], NULL, fns[i], NULL))
			test_setup_fail("pthread_create");
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	for (i = 0; i < 3; i++) {
		while (!__atomic_load_n(&tids[i], __ATOMIC_SEQ_CST))
			usleep(1000);
		if (!wait_sleeping(tids[i]))
			test_setup_fail("thread %d does not block", i);
	}

	test_daemon();
	test_waitsig();

	if (test_break())
		close(pfd[1]);

	if (write(pfd[1], &tok, sizeof(tok)) != sizeof(tok))
		pfail("write to the reader");
	pthread_join(th[0], NULL);
	if (got_len != sizeof(tok) || got_token != TOKEN)
		fail("reader got %zd bytes, token %#x", got_len, got_token);

	if (syscall(SYS_tgkill, getpid(), tids[1], SIGUSR1))
		pfail("tgkill");
	pthread_join(th[1], NULL);
	if (sleep_ret != -1 || sleep_errno != EINTR)
		fail("nanosleep returned %d (%s), expected EINTR", sleep_ret, strerror(sleep_errno));
	if (sleep_rem.tv_sec >= SLEEP_SEC || sleep_rem.tv_sec < SLEEP_SEC - 600)
		fail("nanosleep remaining time %ld.%09lds is not sane", (long)sleep_rem.tv_sec,
		     sleep_rem.tv_nsec);

	pthread_mutex_lock(&mtx);
	cond_value = 42;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&mtx);
	pthread_join(th[2], NULL);
	if (cond_seen != 42)
		fail("condition waiter saw %d", cond_seen);
	pass();
}
