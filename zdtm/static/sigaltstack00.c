// SPDX-License-Identifier: GPL-2.0
/*
 * Alternate signal stacks: the main thread and a second thread each have
 * their own; an SA_ONSTACK handler runs on the stack of the thread it
 * interrupts, a handler without SA_ONSTACK on the normal stack.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

#define STK_SIZE (64 * 1024)

static __thread char *volatile seen_sp;
static __thread volatile int seen_flags;
static char *stk_main, *stk_thr;
static int to_thr[2], from_thr[2];
static char thr_err[160];

static void handler(int sig)
{
	char here;
	stack_t ss;

	(void)sig;
	seen_sp = &here;
	seen_flags = -1;
	if (!sigaltstack(NULL, &ss))
		seen_flags = ss.ss_flags;
}

static bool on_stack(const char *sp, const char *stk)
{
	return sp >= stk && sp < stk + STK_SIZE;
}

/* NULL if the calling thread's altstack is @stk and SIGUSR1 runs on it. */
static const char *check(const char *stk, char *buf, size_t len)
{
	stack_t ss;

	if (sigaltstack(NULL, &ss))
		return "sigaltstack query failed";
	if (ss.ss_sp != stk || ss.ss_size != STK_SIZE || ss.ss_flags) {
		snprintf(buf, len, "altstack %p size %zu flags %#x, expected %p size %d flags 0",
			 ss.ss_sp, ss.ss_size, ss.ss_flags, stk, STK_SIZE);
		return buf;
	}
	seen_sp = NULL;
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
	if (!on_stack(seen_sp, stk)) {
		snprintf(buf, len, "SA_ONSTACK handler ran at %p, not on %p", seen_sp, stk);
		return buf;
	}
	if (seen_flags != SS_ONSTACK) {
		snprintf(buf, len, "flags inside the handler %#x, expected SS_ONSTACK", seen_flags);
		return buf;
	}
	seen_sp = NULL;
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR2);
	if (!seen_sp || on_stack(seen_sp, stk)) {
		snprintf(buf, len, "the handler without SA_ONSTACK ran at %p", seen_sp);
		return buf;
	}
	return NULL;
}

static char *alloc_stack(void)
{
	char *p = mmap(NULL, STK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));
	return p;
}

static void set_stack(char *p)
{
	stack_t ss = { .ss_sp = p, .ss_size = STK_SIZE, .ss_flags = 0 };

	if (sigaltstack(&ss, NULL))
		test_setup_fail("sigaltstack: %s", strerror(errno));
}

static void *thread_fn(void *arg)
{
	const char *err;
	char c, buf[160];

	(void)arg;
	set_stack(stk_thr);
	if (write(from_thr[1], "r", 1) != 1)
		return NULL;
	while (read(to_thr[0], &c, 1) < 0 && errno == EINTR)
		;
	err = check(stk_thr, buf, sizeof(buf));
	if (err)
		snprintf(thr_err, sizeof(thr_err), "%s", err);
	if (write(from_thr[1], "d", 1) != 1)
		return NULL;
	return NULL;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = handler, .sa_flags = SA_ONSTACK };
	const char *err;
	char c, buf[160];
	pthread_t th;
	sigset_t set;

	test_init(argc, argv);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_flags = 0;
	sigaction(SIGUSR2, &sa, NULL);
	stk_main = alloc_stack();
	stk_thr = alloc_stack();
	set_stack(stk_main);
	if (pipe(to_thr) || pipe(from_thr))
		test_setup_fail("pipe: %s", strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&th, NULL, thread_fn, NULL))
		test_setup_fail("pthread_create");
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (read(from_thr[0], &c, 1) != 1)
		test_setup_fail("thread did not start");

	test_daemon();
	test_waitsig();

	if (test_break()) {
		stack_t ss = { .ss_flags = SS_DISABLE };

		sigaltstack(&ss, NULL);
	}

	err = check(stk_main, buf, sizeof(buf));
	if (err)
		fail("main thread: %s", err);
	if (write(to_thr[1], "c", 1) != 1 || read(from_thr[0], &c, 1) != 1)
		fail("thread did not report");
	pthread_join(th, NULL);
	if (thr_err[0])
		fail("thread: %s", thr_err);
	pass();
}
