// SPDX-License-Identifier: GPL-2.0
/* The task names (PR_SET_NAME) of the process and of a thread survive. */
#include <pthread.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

#define MAIN_NAME "zdtm comm-00\xc3\xa9"
#define THREAD_NAME "th:read.name!"

static pid_t thread_tid;
static int pfd[2];

static void *thread_fn(void *arg)
{
	char c;

	(void)arg;
	prctl(PR_SET_NAME, THREAD_NAME, 0, 0, 0);
	__atomic_store_n(&thread_tid, syscall(SYS_gettid), __ATOMIC_SEQ_CST);
	while (read(pfd[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static int read_comm(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

int main(int argc, char **argv)
{
	char name[32], path[64];
	pthread_t th;
	sigset_t set;

	test_init(argc, argv);
	if (pipe(pfd))
		test_setup_fail("pipe: %s", strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&th, NULL, thread_fn, NULL))
		test_setup_fail("pthread_create");
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (prctl(PR_SET_NAME, MAIN_NAME, 0, 0, 0))
		test_setup_fail("PR_SET_NAME: %s", strerror(errno));
	while (!__atomic_load_n(&thread_tid, __ATOMIC_SEQ_CST))
		usleep(1000);

	test_daemon();
	test_waitsig();

	if (test_break())
		prctl(PR_SET_NAME, "broken", 0, 0, 0);

	memset(name, 0, sizeof(name));
	if (prctl(PR_GET_NAME, name, 0, 0, 0))
		pfail("PR_GET_NAME");
	if (strcmp(name, MAIN_NAME))
		fail("PR_GET_NAME '%s', expected '%s'", name, MAIN_NAME);
	if (read_comm("/proc/self/comm", name, sizeof(name)) || strcmp(name, MAIN_NAME))
		fail("/proc/self/comm '%s', expected '%s'", name, MAIN_NAME);
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", thread_tid);
	if (read_comm(path, name, sizeof(name)))
		fail("can't read %s", path);
	if (strcmp(name, THREAD_NAME))
		fail("thread comm '%s', expected '%s'", name, THREAD_NAME);
	close(pfd[1]);
	pthread_join(th, NULL);
	pass();
}
