// SPDX-License-Identifier: GPL-2.0
/*
 * Two processes increment counters in MAP_SHARED memory continuously: one
 * pair of fields under a futex-based lock (a counter and a value derived
 * from it, which must always agree) and one counter with atomic adds. Each
 * process also counts its own increments in private memory. After SIGTERM
 * the child stops and reports its counts; the shared counters must equal
 * the sums and the locked pair must still agree.
 */
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

struct shared {
	int lock;		/* 0 free, 1 taken, 2 taken with waiters */
	int stop;
	uint64_t counter;	/* under the lock */
	uint64_t shadow;	/* under the lock: always mix(counter) */
	uint64_t atomic;	/* atomic adds */
	uint64_t child_locked, child_atomic;
	uint64_t torn;		/* times counter and shadow disagreed */
};

static struct shared *sh;

static uint64_t mix(uint64_t v)
{
	return v * 0x9e3779b97f4a7c15ULL ^ (v >> 7);
}

static void futex(int *addr, int op, int val)
{
	syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

static void lock(int *l)
{
	int c = 0;

	if (__atomic_compare_exchange_n(l, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	if (c != 2)
		c = __atomic_exchange_n(l, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		futex(l, FUTEX_WAIT, 2);
		c = __atomic_exchange_n(l, 2, __ATOMIC_ACQUIRE);
	}
}

static void unlock(int *l)
{
	if (__atomic_fetch_sub(l, 1, __ATOMIC_RELEASE) != 1) {
		__atomic_store_n(l, 0, __ATOMIC_RELEASE);
		futex(l, FUTEX_WAKE, 1);
	}
}

/* One step: returns after one locked and one atomic increment. */
static void step(uint64_t *mine_locked, uint64_t *mine_atomic)
{
	lock(&sh->lock);
	if (sh->shadow != mix(sh->counter))
		sh->torn++;
	sh->counter++;
	sh->shadow = mix(sh->counter);
	unlock(&sh->lock);
	(*mine_locked)++;
	__atomic_fetch_add(&sh->atomic, 1, __ATOMIC_SEQ_CST);
	(*mine_atomic)++;
}

static void __attribute__((noreturn)) child(void)
{
	uint64_t locked = 0, atomic = 0;

	while (!__atomic_load_n(&sh->stop, __ATOMIC_SEQ_CST))
		step(&locked, &atomic);
	sh->child_locked = locked;
	sh->child_atomic = atomic;
	_exit(0);
}

int main(int argc, char **argv)
{
	uint64_t locked = 0, atomic = 0;
	int status;
	pid_t pid;

	test_init(argc, argv);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));
	sh->shadow = mix(0);
	pid = fork();
	if (pid < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (pid == 0)
		child();

	test_daemon();

	while (test_running())
		step(&locked, &atomic);

	__atomic_store_n(&sh->stop, 1, __ATOMIC_SEQ_CST);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			pfail("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("the child failed: status 0x%x", status);

	if (test_break())
		sh->counter++;

	if (sh->torn)
		fail("the locked pair disagreed %llu times", (unsigned long long)sh->torn);
	if (sh->shadow != mix(sh->counter))
		fail("the locked pair disagrees");
	if (sh->counter != locked + sh->child_locked)
		fail("locked counter %llu, but %llu + %llu increments were made",
		     (unsigned long long)sh->counter, (unsigned long long)locked,
		     (unsigned long long)sh->child_locked);
	if (sh->atomic != atomic + sh->child_atomic)
		fail("atomic counter %llu, but %llu + %llu increments were made",
		     (unsigned long long)sh->atomic, (unsigned long long)atomic,
		     (unsigned long long)sh->child_atomic);
	if (!locked || !sh->child_locked)
		fail("a process made no increments (%llu, %llu)", (unsigned long long)locked,
		     (unsigned long long)sh->child_locked);
	if (sh->lock != 0)
		fail("the lock is left taken: %d", sh->lock);
	test_msg("%llu + %llu increments", (unsigned long long)locked,
		 (unsigned long long)sh->child_locked);
	pass();
}
