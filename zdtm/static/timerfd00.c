// SPDX-License-Identifier: GPL-2.0
/*
 * Timerfds in several states:
 *   A: CLOCK_MONOTONIC, periodic every 50 ms, running; it has fired and
 *      nobody read it when the dump comes;
 *   B: CLOCK_BOOTTIME one-shot an hour away, O_NONBLOCK;
 *   C: CLOCK_MONOTONIC one-shot that expired, with 5 expirations pending
 *      (TFD_IOC_SET_TICKS), O_NONBLOCK;
 *   D: CLOCK_REALTIME absolute one-shot an hour away with
 *      TFD_TIMER_CANCEL_ON_SET;
 *   E: CLOCK_MONOTONIC, first expiry an hour away, then every half hour.
 * After restore: flags, clocks and settime flags as set; A reads its pending
 * expirations, then keeps ticking every 50 ms; B, D and E have not fired
 * and have no more time left than the time since setup allows; C reads 5
 * and then nothing.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "zdtmtst.h"

#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t)
#endif
#ifndef TFD_TIMER_CANCEL_ON_SET
#define TFD_TIMER_CANCEL_ON_SET (1 << 1)
#endif

#define MS 1000000LL
#define SEC (1000 * MS)
#define A_PERIOD (50 * MS)
#define ONE_HOUR (3600 * SEC)
#define HALF_HOUR (1800 * SEC)
#define C_TICKS 5

enum { A, B, C, D, E, NT };

static const struct {
	const char *name;
	clockid_t clock;
	int flags;	/* TFD_NONBLOCK */
	int sflags;	/* settime flags */
} tm[NT] = {
	[A] = { "A", CLOCK_MONOTONIC, 0, 0 },
	[B] = { "B", CLOCK_BOOTTIME, TFD_NONBLOCK, 0 },
	[C] = { "C", CLOCK_MONOTONIC, TFD_NONBLOCK, 0 },
	[D] = { "D", CLOCK_REALTIME, 0, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET },
	[E] = { "E", CLOCK_MONOTONIC, TFD_NONBLOCK, 0 },
};

static int fd[NT], fl[NT];

static long long ns(const struct timespec *ts)
{
	return ts->tv_sec * SEC + ts->tv_nsec;
}

static long long now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ns(&ts);
}

static struct timespec ts_of(long long v)
{
	return (struct timespec){ v / SEC, v % SEC };
}

static long long fdinfo_num(int i, const char *key, int base)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd[i]);
	if (!proc_field(path, key, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, base);
}

static bool readable(int i)
{
	struct pollfd p = { .fd = fd[i], .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* First expiry an hour away: not fired, time left in [hour - elapsed, hour]. */
static void check_far(int i, long long t0, long long interval)
{
	struct itimerspec cur;
	long long left, lo = ONE_HOUR - (now(tm[i].clock) - t0) - 10 * MS;

	if (timerfd_gettime(fd[i], &cur))
		pfail("%s: timerfd_gettime", tm[i].name);
	left = ns(&cur.it_value);
	if (ns(&cur.it_interval) != interval)
		fail("%s: interval %lld ns, expected %lld", tm[i].name, ns(&cur.it_interval),
		     interval);
	if (left <= 0 || left > ONE_HOUR || left < lo)
		fail("%s: %lld ns left, expected in [%lld, %lld]", tm[i].name, left, lo, ONE_HOUR);
	if (readable(i))
		fail("%s: readable, it has not expired", tm[i].name);
}

int main(int argc, char **argv)
{
	struct itimerspec its, cur;
	long long t0[NT], last, lo, hi;
	uint64_t ticks, v;
	int i;

	test_init(argc, argv);

	for (i = 0; i < NT; i++) {
		fd[i] = timerfd_create(tm[i].clock, tm[i].flags);
		if (fd[i] < 0)
			test_setup_fail("timerfd_create %s: %s", tm[i].name, strerror(errno));
		t0[i] = now(tm[i].clock);
	}
	its = (struct itimerspec){ ts_of(A_PERIOD), ts_of(MS) };
	if (timerfd_settime(fd[A], 0, &its, NULL))
		test_setup_fail("timerfd_settime A: %s", strerror(errno));
	its = (struct itimerspec){ { 0, 0 }, ts_of(ONE_HOUR) };
	if (timerfd_settime(fd[B], 0, &its, NULL))
		test_setup_fail("timerfd_settime B: %s", strerror(errno));
	its = (struct itimerspec){ { 0, 0 }, ts_of(MS) };
	if (timerfd_settime(fd[C], 0, &its, NULL))
		test_setup_fail("timerfd_settime C: %s", strerror(errno));
	its = (struct itimerspec){ { 0, 0 }, ts_of(t0[D] + ONE_HOUR) };
	if (timerfd_settime(fd[D], tm[D].sflags, &its, NULL))
		test_setup_fail("timerfd_settime D: %s", strerror(errno));
	its = (struct itimerspec){ ts_of(HALF_HOUR), ts_of(ONE_HOUR) };
	if (timerfd_settime(fd[E], 0, &its, NULL))
		test_setup_fail("timerfd_settime E: %s", strerror(errno));
	/* A and C fire after 1 ms; neither is read before the dump */
	for (i = 0; i < NT; i++) {
		struct pollfd p = { .fd = fd[i], .events = POLLIN };

		if ((i == A || i == C) && poll(&p, 1, 5000) != 1)
			test_setup_fail("%s did not expire", tm[i].name);
	}
	ticks = C_TICKS;
	if (ioctl(fd[C], TFD_IOC_SET_TICKS, &ticks))
		test_setup_fail("TFD_IOC_SET_TICKS: %s", strerror(errno));
	if (fdinfo_num(C, "ticks", 10) != C_TICKS)
		test_setup_fail("C: fdinfo ticks %lld, expected %d", fdinfo_num(C, "ticks", 10),
				C_TICKS);
	for (i = 0; i < NT; i++)
		fl[i] = fcntl(fd[i], F_GETFL);

	test_daemon();
	test_waitsig();

	if (test_break())
		if (read(fd[C], &v, sizeof(v)) != sizeof(v))
			test_msg("break: read C: %s", strerror(errno));

	for (i = 0; i < NT; i++) {
		if (fcntl(fd[i], F_GETFL) != fl[i])
			fail("%s: F_GETFL 0%o, expected 0%o", tm[i].name, fcntl(fd[i], F_GETFL),
			     fl[i]);
		if (fdinfo_num(i, "clockid", 10) != tm[i].clock)
			fail("%s: clock %lld, expected %d", tm[i].name, fdinfo_num(i, "clockid", 10),
			     tm[i].clock);
		if (fdinfo_num(i, "settime flags", 8) != tm[i].sflags)
			fail("%s: settime flags 0%llo, expected 0%o", tm[i].name,
			     fdinfo_num(i, "settime flags", 8), tm[i].sflags);
	}

	/* C: exactly the pending expirations, then nothing, disarmed */
	v = 0;
	if (read(fd[C], &v, sizeof(v)) != sizeof(v))
		pfail("C: read");
	if (v != C_TICKS)
		fail("C: read %llu expirations, expected %d", (unsigned long long)v, C_TICKS);
	if (read(fd[C], &v, sizeof(v)) != -1 || errno != EAGAIN)
		fail("C: a second read did not fail with EAGAIN");
	if (timerfd_gettime(fd[C], &cur))
		pfail("C: timerfd_gettime");
	if (ns(&cur.it_value) || ns(&cur.it_interval))
		fail("C: armed after it expired");

	check_far(B, t0[B], 0);
	check_far(D, t0[D], 0);
	check_far(E, t0[E], HALF_HOUR);

	/* A: same interval; what it missed, then one tick per period */
	if (timerfd_gettime(fd[A], &cur))
		pfail("A: timerfd_gettime");
	if (ns(&cur.it_interval) != A_PERIOD)
		fail("A: interval %lld ns, expected %lld", ns(&cur.it_interval), A_PERIOD);
	if (!readable(A))
		fail("A: not readable, it expired before the dump");
	v = 0;
	if (read(fd[A], &v, sizeof(v)) != sizeof(v) || v < 1)
		fail("A: first read gave %llu expirations", (unsigned long long)v);
	/*
	 * Count the ticks over 500 ms from a known tick: the next one is due
	 * when gettime says, so the last one was a period before. A is
	 * blocking: poll first, so that a stopped timer fails, not hangs.
	 */
	{
		struct pollfd p = { .fd = fd[A], .events = POLLIN };

		if (poll(&p, 1, 2000) != 1)
			fail("A: no tick within 2 s after the pending ones were read");
	}
	if (read(fd[A], &v, sizeof(v)) != sizeof(v))
		pfail("A: read");
	if (timerfd_gettime(fd[A], &cur))
		pfail("A: timerfd_gettime");
	last = now(CLOCK_MONOTONIC) + ns(&cur.it_value) - A_PERIOD;
	usleep(500000);
	lo = (now(CLOCK_MONOTONIC) - last) / A_PERIOD;
	if (!readable(A))
		fail("A: no tick in 500 ms");
	if (read(fd[A], &v, sizeof(v)) != sizeof(v))
		pfail("A: read");
	hi = (now(CLOCK_MONOTONIC) - last) / A_PERIOD;
	if ((long long)v < lo - 1 || (long long)v > hi + 1)
		fail("A: %llu expirations in about 500 ms, expected %lld to %lld",
		     (unsigned long long)v, lo, hi);
	pass();
}
