// SPDX-License-Identifier: GPL-2.0
/*
 * Ten threads, each with its own signal mask, name and __thread values.
 * Every thread checks its own state after restore; the main thread checks
 * their masks from /proc too.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NTHREADS 10
#define TLS_BUF 200

static __thread long tls_val;
static __thread char tls_buf[TLS_BUF];

struct th {
	pthread_t t;
	int idx;
	pid_t tid;
	long *tls_ptr;
	char err[160];
};

static struct th ths[NTHREADS];
static pthread_barrier_t barrier;

static void thread_mask(int i, sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	if (i & 1)
		sigaddset(set, SIGUSR1);
	if (i & 2)
		sigaddset(set, SIGUSR2);
	if (i & 4)
		sigaddset(set, SIGHUP);
	if (i & 8)
		sigaddset(set, SIGWINCH);
	sigaddset(set, SIGRTMIN + i);
	sigaddset(set, SIGRTMAX - 2 * i);
}

static uint64_t mask_bits(const sigset_t *set)
{
	uint64_t m = 0;
	int s;

	for (s = 1; s <= 64; s++)
		if (sigismember(set, s) == 1)
			m |= 1ULL << (s - 1);
	return m;
}

static void *thread_fn(void *arg)
{
	struct th *t = arg;
	char name[16], got[16];
	sigset_t set, cur;

	thread_mask(t->idx, &set);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	tls_val = 0x1234000 + t->idx;
	datagen(tls_buf, TLS_BUF, 700 + t->idx);
	snprintf(name, sizeof(name), "zdtm-th-%d", t->idx);
	pthread_setname_np(pthread_self(), name);
	t->tid = syscall(SYS_gettid);
	t->tls_ptr = &tls_val;

	pthread_barrier_wait(&barrier); /* ready */
	pthread_barrier_wait(&barrier); /* check */

	pthread_sigmask(SIG_SETMASK, NULL, &cur);
	if (mask_bits(&cur) != mask_bits(&set))
		snprintf(t->err, sizeof(t->err), "mask %#llx, expected %#llx",
			 (unsigned long long)mask_bits(&cur), (unsigned long long)mask_bits(&set));
	else if (tls_val != 0x1234000 + t->idx)
		snprintf(t->err, sizeof(t->err), "tls_val %#lx", tls_val);
	else if (!datachk(tls_buf, TLS_BUF, 700 + t->idx))
		snprintf(t->err, sizeof(t->err), "tls_buf differs");
	else if (t->tid != syscall(SYS_gettid))
		snprintf(t->err, sizeof(t->err), "tid %ld, expected %d", syscall(SYS_gettid), t->tid);
	else if (pthread_getname_np(pthread_self(), got, sizeof(got)) || strcmp(got, name))
		snprintf(t->err, sizeof(t->err), "name '%s', expected '%s'", got, name);
	return NULL;
}

int main(int argc, char **argv)
{
	char path[64], buf[64];
	sigset_t set;
	int i;

	test_init(argc, argv);
	tls_val = 0x777;
	datagen(tls_buf, TLS_BUF, 699);
	if (pthread_barrier_init(&barrier, NULL, NTHREADS + 1))
		test_setup_fail("pthread_barrier_init");
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < NTHREADS; i++) {
		ths[i].idx = i;
		if (pthread_create(&ths[i].t, NULL, thread_fn, &ths[i]))
			test_setup_fail("pthread_create");
	}
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	pthread_barrier_wait(&barrier);

	test_daemon();
	test_waitsig();

	if (test_break())
		*ths[3].tls_ptr ^= 1;

	/* Masks as seen from /proc. */
	for (i = 0; i < NTHREADS; i++) {
		unsigned long long blk;

		thread_mask(i, &set);
		snprintf(path, sizeof(path), "/proc/self/task/%d/status", ths[i].tid);
		if (!proc_field(path, "SigBlk", buf, sizeof(buf)))
			fail("thread %d (tid %d): no SigBlk in %s", i, ths[i].tid, path);
		blk = strtoull(buf, NULL, 16);
		if (blk != mask_bits(&set))
			fail("thread %d: SigBlk %llx, expected %llx", i, blk,
			     (unsigned long long)mask_bits(&set));
	}
	if (tls_val != 0x777 || !datachk(tls_buf, TLS_BUF, 699))
		fail("main thread's TLS differs");

	pthread_barrier_wait(&barrier);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(ths[i].t, NULL);
		if (ths[i].err[0])
			fail("thread %d: %s", i, ths[i].err);
	}
	pass();
}
