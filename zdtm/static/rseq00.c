// SPDX-License-Identifier: GPL-2.0
/*
 * glibc's rseq registration survives: the kernel still knows the area (a
 * second registration with the same arguments fails with EBUSY) and keeps
 * its cpu_id fields current as the task moves between CPUs.
 */
#include <sched.h>
#include <stdio.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

#ifndef RSEQ_SIG
#define RSEQ_SIG 0x53053053
#endif

static struct rseq *area(void)
{
	char *tp;

	asm("mov %%fs:0, %0" : "=r"(tp));
	return (struct rseq *)(tp + __rseq_offset);
}

/* 1 if the kernel has exactly this area registered. */
static int registered(struct rseq *rs)
{
	static const unsigned lens[] = { 32, sizeof(struct rseq) };
	unsigned i;

	for (i = 0; i < 2; i++) {
		if (syscall(SYS_rseq, rs, lens[i], 0, RSEQ_SIG) == 0)
			return -1; /* it was not registered: now it is */
		if (errno == EBUSY)
			return 1;
	}
	return 0;
}

static int cur_cpu(void)
{
	unsigned cpu;

	if (syscall(SYS_getcpu, &cpu, NULL, NULL))
		return -1;
	return cpu;
}

/* Pin to each allowed CPU; rseq must follow. NULL or an error message. */
static const char *follow(struct rseq *rs, char *buf, size_t len)
{
	cpu_set_t all, one;
	int i, k, c;

	if (sched_getaffinity(0, sizeof(all), &all))
		return "sched_getaffinity failed";
	for (i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &all))
			continue;
		CPU_ZERO(&one);
		CPU_SET(i, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			return "sched_setaffinity failed";
		for (k = 0; k < 3; k++) {
			sched_yield();
			c = cur_cpu();
			if (c != i) {
				snprintf(buf, len, "pinned to %d but running on %d", i, c);
				return buf;
			}
			if ((int)__atomic_load_n(&rs->cpu_id, __ATOMIC_RELAXED) != i ||
			    (int)__atomic_load_n(&rs->cpu_id_start, __ATOMIC_RELAXED) != i) {
				snprintf(buf, len, "on cpu %d, rseq cpu_id %d cpu_id_start %d", i,
					 (int)rs->cpu_id, (int)rs->cpu_id_start);
				return buf;
			}
		}
	}
	sched_setaffinity(0, sizeof(all), &all);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *err;
	struct rseq *rs;
	char buf[128];
	int r;

	test_init(argc, argv);
	if (!__rseq_size) {
		test_daemon();
		test_waitsig();
		test_msg("glibc did not register rseq (disabled?): nothing to check");
		pass();
	}
	rs = area();
	r = registered(rs);
	if (r != 1)
		test_setup_fail("glibc's rseq area is not registered as expected (%d: %s)", r,
				strerror(errno));
	if ((err = follow(rs, buf, sizeof(buf))))
		test_setup_fail("%s", err);

	test_daemon();
	test_waitsig();

	if (test_break())
		syscall(SYS_rseq, rs, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG);

	if ((err = follow(rs, buf, sizeof(buf))))
		fail("%s", err);
	r = registered(rs);
	if (r != 1)
		fail("the rseq area is not registered (%d)", r);
	pass();
}
