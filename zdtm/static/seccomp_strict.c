// SPDX-License-Identifier: GPL-2.0
/*
 * A thread in SECCOMP_MODE_STRICT (only read, write, exit, sigreturn) blocked
 * in read() across the dump. After restore it answers a token and exits;
 * the process survives, so the mode was kept on that thread only.
 * Does not honour ZDTM_BREAK: nothing of the state can be undone.
 */
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

static int to_thr[2], from_thr[2];
static pid_t thr_tid;

static void *thread_fn(void *arg)
{
	uint32_t tok;

	(void)arg;
	thr_tid = syscall(SYS_gettid);
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0))
		syscall(SYS_exit, 1);
	/* From here on: read, write and exit only. */
	syscall(SYS_write, from_thr[1], "r", 1);
	while (syscall(SYS_read, to_thr[0], &tok, sizeof(tok)) != sizeof(tok))
		;
	tok = ~tok;
	syscall(SYS_write, from_thr[1], &tok, sizeof(tok));
	syscall(SYS_exit, 0);
	return NULL;
}

static bool strict_mode(void)
{
	char path[64], v[32];

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", thr_tid);
	return proc_field(path, "Seccomp", v, sizeof(v)) && !strcmp(v, "1");
}

int main(int argc, char **argv)
{
	uint32_t tok = 0xc0ffee11, reply = 0;
	char v[32];
	pthread_t th;
	sigset_t set, old;
	char c;

	test_init(argc, argv);
	if (pipe(to_thr) || pipe(from_thr))
		test_setup_fail("pipe: %s", strerror(errno));
	/* The strict thread must never run a signal handler. */
	sigfillset(&set);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	if (pthread_create(&th, NULL, thread_fn, NULL))
		test_setup_fail("pthread_create");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (read(from_thr[0], &c, 1) != 1 || c != 'r')
		test_setup_fail("the thread did not enter strict mode");
	if (!strict_mode())
		test_setup_fail("the thread is not in strict mode");

	test_daemon();
	test_waitsig();

	if (!strict_mode())
		fail("the thread is not in strict mode");
	if (!proc_field("/proc/self/status", "Seccomp", v, sizeof(v)) || strcmp(v, "0"))
		fail("main thread Seccomp: %s, expected 0", v);
	if (write(to_thr[1], &tok, sizeof(tok)) != sizeof(tok))
		pfail("write");
	if (read(from_thr[0], &reply, sizeof(reply)) != sizeof(reply))
		fail("no reply from the strict thread");
	if (reply != ~tok)
		fail("reply %#x, expected %#x", reply, ~tok);
	pthread_join(th, NULL);
	pass();
}
