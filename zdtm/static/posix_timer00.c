// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX timers: several timer_create() timers on different clocks with
 * different signals and sigev values, some periodic, one one-shot far away,
 * one SIGEV_NONE, one disarmed, one SIGEV_THREAD_ID aimed at a thread. After
 * restore: same ids, same intervals, sane remaining times, and the periodic
 * ones keep firing with the right signal, si_value and si_timerid.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "zdtmtst.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

#define MS 1000000L

enum { T_RT, T_MONO, T_ONESHOT, T_NONE, T_OFF, T_THREAD, T_CPU, NT };

struct tmr {
	const char *name;
	clockid_t clock;
	int notify;
	int sig; /* offset from SIGRTMIN, or a plain signal if >= 100 */
	int value;
	struct itimerspec its;
	timer_t id;
	struct itimerspec set;
	volatile int count;
	int min_fired; /* in the 300 ms after restore */
};

static struct tmr tm[NT] = {
	[T_RT] = { "realtime", CLOCK_REALTIME, SIGEV_SIGNAL, 1, 0x1001,
		   { { 0, 10 * MS }, { 0, 10 * MS } }, 0, {}, 0, 5 },
	[T_MONO] = { "monotonic", CLOCK_MONOTONIC, SIGEV_SIGNAL, 2, 0x2002,
		     { { 0, 17 * MS }, { 0, 5 * MS } }, 0, {}, 0, 3 },
	[T_ONESHOT] = { "oneshot", CLOCK_MONOTONIC, SIGEV_SIGNAL, 100 + SIGUSR1, 0x3003,
			{ { 0, 0 }, { 3600, 0 } }, 0, {}, 0, 0 },
	[T_NONE] = { "none", CLOCK_REALTIME, SIGEV_NONE, 0, 0,
		     { { 1, 0 }, { 1000, 0 } }, 0, {}, 0, 0 },
	[T_OFF] = { "disarmed", CLOCK_BOOTTIME, SIGEV_SIGNAL, 100 + SIGUSR2, 0x5005,
		    { { 0, 0 }, { 0, 0 } }, 0, {}, 0, 0 },
	[T_THREAD] = { "thread", CLOCK_MONOTONIC, SIGEV_THREAD_ID, 5, 0x6006,
		       { { 0, 13 * MS }, { 0, 13 * MS } }, 0, {}, 0, 3 },
	[T_CPU] = { "cputime", CLOCK_PROCESS_CPUTIME_ID, SIGEV_NONE, 0, 0,
		    { { 5, 0 }, { 100, 0 } }, 0, {}, 0, 0 },
};

static volatile int bad;
static char bad_msg[160];
static pid_t thr_tid;
static int thr_pipe[2];

static int tsig(struct tmr *t)
{
	return t->sig >= 100 ? t->sig - 100 : SIGRTMIN + t->sig;
}

static void handler(int sig, siginfo_t *si, void *uc)
{
	int i;

	(void)uc;
	for (i = 0; i < NT; i++) {
		struct tmr *t = &tm[i];

		if (t->notify == SIGEV_NONE || si->si_value.sival_int != t->value)
			continue;
		if (sig != tsig(t) || si->si_code != SI_TIMER ||
		    si->si_timerid != (int)(long)t->id ||
		    (i == T_THREAD && syscall(SYS_gettid) != thr_tid)) {
			if (!bad)
				snprintf(bad_msg, sizeof(bad_msg),
					 "timer %s: sig %d code %d timerid %d tid %ld", t->name, sig,
					 si->si_code, si->si_timerid, syscall(SYS_gettid));
			bad = 1;
		}
		t->count++;
		return;
	}
	if (!bad)
		snprintf(bad_msg, sizeof(bad_msg), "signal %d with unknown value %#x", sig,
			 si->si_value.sival_int);
	bad = 1;
}

static void *thread_fn(void *arg)
{
	char c;

	(void)arg;
	thr_tid = syscall(SYS_gettid);
	while (read(thr_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static long long ns(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * MS };

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_RESTART };
	int i, before[NT];
	struct itimerspec cur;
	pthread_t th;
	sigset_t set;

	test_init(argc, argv);
	if (pipe(thr_pipe))
		test_setup_fail("pipe: %s", strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&th, NULL, thread_fn, NULL))
		test_setup_fail("pthread_create");
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	while (!__atomic_load_n(&thr_tid, __ATOMIC_SEQ_CST))
		usleep(1000);

	for (i = 0; i < NT; i++) {
		struct tmr *t = &tm[i];
		struct sigevent sev;

		memset(&sev, 0, sizeof(sev));
		sev.sigev_notify = t->notify;
		if (t->notify != SIGEV_NONE) {
			sev.sigev_signo = tsig(t);
			sev.sigev_value.sival_int = t->value;
			sigaction(tsig(t), &sa, NULL);
		}
		if (t->notify == SIGEV_THREAD_ID)
			sev.sigev_notify_thread_id = thr_tid;
		if (timer_create(t->clock, &sev, &t->id))
			test_setup_fail("timer_create %s: %s", t->name, strerror(errno));
		if (timer_settime(t->id, 0, &t->its, NULL))
			test_setup_fail("timer_settime %s: %s", t->name, strerror(errno));
		if (timer_gettime(t->id, &t->set))
			test_setup_fail("timer_gettime %s: %s", t->name, strerror(errno));
	}
	sleep_ms(100);
	if (!tm[T_RT].count || !tm[T_MONO].count || !tm[T_THREAD].count)
		test_setup_fail("periodic timers do not fire");
	if (bad)
		test_setup_fail("%s", bad_msg);

	test_daemon();
	test_waitsig();

	if (test_break())
		timer_delete(tm[T_MONO].id);

	for (i = 0; i < NT; i++) {
		struct tmr *t = &tm[i];

		if (timer_gettime(t->id, &cur))
			pfail("timer_gettime %s", t->name);
		if (ns(&cur.it_interval) != ns(&t->set.it_interval))
			fail("timer %s: interval %lld ns, expected %lld", t->name,
			     ns(&cur.it_interval), ns(&t->set.it_interval));
		if (!ns(&t->its.it_value)) {
			if (ns(&cur.it_value))
				fail("timer %s: disarmed timer is armed", t->name);
		} else if (ns(&cur.it_value) <= 0 ||
			   (ns(&cur.it_value) > ns(&t->its.it_value) &&
			    ns(&cur.it_value) > ns(&t->its.it_interval))) {
			fail("timer %s: remaining %lld ns out of range", t->name, ns(&cur.it_value));
		}
		before[i] = t->count;
	}
	sleep_ms(300);
	for (i = 0; i < NT; i++) {
		struct tmr *t = &tm[i];

		if (t->count - before[i] < t->min_fired)
			fail("timer %s fired %d times in 300ms, expected >= %d", t->name,
			     t->count - before[i], t->min_fired);
	}
	if (tm[T_ONESHOT].count || tm[T_OFF].count)
		fail("a timer that should not fire did");
	if (bad)
		fail("%s", bad_msg);
	for (i = 0; i < NT; i++)
		if (timer_delete(tm[i].id))
			pfail("timer_delete %s", tm[i].name);
	close(thr_pipe[1]);
	pthread_join(th, NULL);
	pass();
}
