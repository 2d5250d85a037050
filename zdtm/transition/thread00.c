// SPDX-License-Identifier: GPL-2.0
/*
 * Threads created and joined in a loop while being dumped. Each round
 * starts a few threads; each computes a value from its argument, bumps a
 * shared counter and returns the value. After SIGTERM the test checks that
 * every join returned the right value and that the counter equals the
 * number of threads joined.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "zdtmtst.h"

#define THREADS_PER_ROUND 4

static uint64_t started;

static uint64_t work(uint64_t x)
{
	uint64_t v = x, k;

	for (k = 0; k < 1000; k++)
		v = v * 6364136223846793005ULL + 1442695040888963407ULL;
	return v;
}

static void *thread_fn(void *arg)
{
	uint64_t x = (uintptr_t)arg;

	__atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
	return (void *)(uintptr_t)work(x);
}

int main(int argc, char **argv)
{
	pthread_t th[THREADS_PER_ROUND];
	uint64_t rounds = 0, joined = 0, errors = 0, arg = 0;
	int i, err;

	test_init(argc, argv);
	test_daemon();

	while (test_running() && errors < 10) {
		int n = 0;

		for (i = 0; i < THREADS_PER_ROUND; i++) {
			err = pthread_create(&th[i], NULL, thread_fn,
					     (void *)(uintptr_t)(arg + i));
			if (err == EAGAIN)
				break;
			if (err)
				fail("pthread_create: %s", strerror(err));
			n++;
		}
		for (i = 0; i < n; i++) {
			void *ret;

			err = pthread_join(th[i], &ret);
			if (err) {
				test_msg("pthread_join: %s", strerror(err));
				errors++;
				continue;
			}
			joined++;
			if ((uintptr_t)ret != (uintptr_t)work(arg + i)) {
				test_msg("round %llu thread %d returned a wrong value",
					 (unsigned long long)rounds, i);
				errors++;
			}
		}
		arg += THREADS_PER_ROUND;
		rounds++;
	}

	if (test_break())
		started++;

	if (errors)
		fail("%llu joins went wrong (see messages above)", (unsigned long long)errors);
	if (!joined)
		fail("no thread ran");
	if (started != joined)
		fail("%llu threads started, %llu joined", (unsigned long long)started,
		     (unsigned long long)joined);
	test_msg("%llu rounds, %llu threads", (unsigned long long)rounds,
		 (unsigned long long)joined);
	pass();
}
