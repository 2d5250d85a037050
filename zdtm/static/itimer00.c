// SPDX-License-Identifier: GPL-2.0
/*
 * Interval timers ITIMER_REAL, ITIMER_VIRTUAL and ITIMER_PROF, armed far in
 * the future with intervals: after restore the intervals are unchanged and
 * the remaining values are positive and not larger than at setup.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>

#include "zdtmtst.h"

static const struct {
	int which;
	const char *name;
	struct itimerval val;
} timers[] = {
	{ ITIMER_REAL, "REAL", { { 7, 500000 }, { 3000, 250000 } } },
	{ ITIMER_VIRTUAL, "VIRTUAL", { { 3, 125000 }, { 2000, 0 } } },
	{ ITIMER_PROF, "PROF", { { 2, 999000 }, { 1000, 1000 } } },
};

static struct itimerval set_val[3];
static volatile int fired;

static void handler(int sig)
{
	(void)sig;
	fired++;
}

static long long us(const struct timeval *tv)
{
	return tv->tv_sec * 1000000LL + tv->tv_usec;
}

int main(int argc, char **argv)
{
	struct itimerval cur;
	int i;

	test_init(argc, argv);
	signal(SIGALRM, handler);
	signal(SIGVTALRM, handler);
	signal(SIGPROF, handler);
	for (i = 0; i < 3; i++) {
		if (setitimer(timers[i].which, &timers[i].val, NULL))
			test_setup_fail("setitimer %s: %s", timers[i].name, strerror(errno));
		if (getitimer(timers[i].which, &set_val[i]))
			test_setup_fail("getitimer: %s", strerror(errno));
	}

	test_daemon();
	test_waitsig();

	if (test_break()) {
		struct itimerval v = timers[0].val;

		v.it_interval.tv_sec++;
		setitimer(ITIMER_REAL, &v, NULL);
	}

	for (i = 0; i < 3; i++) {
		if (getitimer(timers[i].which, &cur))
			pfail("getitimer %s", timers[i].name);
		if (us(&cur.it_interval) != us(&set_val[i].it_interval))
			fail("ITIMER_%s interval %lld us, expected %lld us", timers[i].name,
			     us(&cur.it_interval), us(&set_val[i].it_interval));
		if (us(&cur.it_value) <= 0 || us(&cur.it_value) > us(&set_val[i].it_value))
			fail("ITIMER_%s value %lld us, expected in (0, %lld]", timers[i].name,
			     us(&cur.it_value), us(&set_val[i].it_value));
	}
	if (fired)
		fail("%d timer signals arrived, none expected", fired);
	pass();
}
