// SPDX-License-Identifier: GPL-2.0
/*
 * Pending blocked signals survive with their siginfo: per-thread ones (tgkill
 * and pthread_sigqueue to the main thread and to a second thread), process
 * wide ones (kill, sigqueue), several instances of the same real-time signal
 * with different payloads, and a standard signal queued twice (kept once).
 * After restore each thread unblocks and checks what arrives, in order.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

#define MAX_LOG 64

struct rec {
	int sig, code, val;
	pid_t pid;
	uid_t uid;
};

struct expect {
	int sig, code, val;
};

static __thread struct rec tlog[MAX_LOG];
static __thread int tlog_n;

static pid_t main_tid, thr_tid;
static int to_thr[2], from_thr[2];
static char thr_err[200];
static sigset_t blocked;

#define RT(n) (SIGRTMIN + (n))

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (tlog_n < MAX_LOG) {
		tlog[tlog_n].sig = sig;
		tlog[tlog_n].code = si->si_code;
		tlog[tlog_n].val = si->si_value.sival_int;
		tlog[tlog_n].pid = si->si_pid;
		tlog[tlog_n].uid = si->si_uid;
	}
	tlog_n++;
}

/*
 * Compare the log with @exp: per signal number the same sequence, and
 * nothing else. Returns NULL or a message in @buf.
 */
static const char *check_log(const struct expect *exp, int n, char *buf, size_t len)
{
	int i, j, k;

	if (tlog_n != n) {
		snprintf(buf, len, "%d signals delivered, expected %d", tlog_n, n);
		return buf;
	}
	for (i = 0; i < n; i++) {
		/* The k-th instance of exp[i].sig in exp must be the k-th in the log. */
		for (k = 0, j = 0; j < i; j++)
			k += exp[j].sig == exp[i].sig;
		for (j = 0; j < tlog_n; j++) {
			if (tlog[j].sig != exp[i].sig)
				continue;
			if (k-- == 0)
				break;
		}
		if (j == tlog_n) {
			snprintf(buf, len, "signal %d (#%d) not delivered", exp[i].sig, i);
			return buf;
		}
		if (tlog[j].code != exp[i].code ||
		    (exp[i].code == SI_QUEUE && tlog[j].val != exp[i].val) ||
		    tlog[j].pid != getpid() || tlog[j].uid != getuid()) {
			snprintf(buf, len,
				 "signal %d: code %d value %d pid %d uid %d, expected code %d value %d pid %d uid %d",
				 tlog[j].sig, tlog[j].code, tlog[j].val, tlog[j].pid, tlog[j].uid,
				 exp[i].code, exp[i].val, getpid(), getuid());
			return buf;
		}
	}
	return NULL;
}

static const struct expect thr_exp[] = {
	{ SIGUSR1, SI_TKILL, 0 },
	{ 0, SI_QUEUE, 40 }, /* RT(4), filled in at run time */
	{ 0, SI_QUEUE, 41 },
	{ 0, SI_QUEUE, 42 },
};

static void *thread_fn(void *arg)
{
	struct expect exp[4];
	const char *err;
	char c, buf[200];
	int i;

	(void)arg;
	thr_tid = syscall(SYS_gettid);
	if (write(from_thr[1], "r", 1) != 1)
		return NULL;
	while (read(to_thr[0], &c, 1) < 0 && errno == EINTR)
		;
	memcpy(exp, thr_exp, sizeof(exp));
	for (i = 1; i < 4; i++)
		exp[i].sig = RT(4);
	pthread_sigmask(SIG_UNBLOCK, &blocked, NULL);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	err = check_log(exp, 4, buf, sizeof(buf));
	if (err)
		snprintf(thr_err, sizeof(thr_err), "%s", err);
	if (write(from_thr[1], "d", 1) != 1)
		return NULL;
	return NULL;
}

static uint64_t bits(const sigset_t *s)
{
	uint64_t m = 0;
	int i;

	for (i = 1; i <= 64; i++)
		if (sigismember(s, i) == 1)
			m |= 1ULL << (i - 1);
	return m;
}

static uint64_t sigbit(int sig)
{
	return 1ULL << (sig - 1);
}

static uint64_t status_mask(pid_t tid, const char *key)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	if (!proc_field(path, key, buf, sizeof(buf)))
		return ~0ULL;
	return strtoull(buf, NULL, 16);
}

static uint64_t want_shd, want_main, want_thr;

static const char *check_proc(char *buf, size_t len)
{
	uint64_t v;

	if ((v = status_mask(main_tid, "ShdPnd")) != want_shd)
		snprintf(buf, len, "ShdPnd %llx, expected %llx", (unsigned long long)v,
			 (unsigned long long)want_shd);
	else if ((v = status_mask(main_tid, "SigPnd")) != want_main)
		snprintf(buf, len, "main SigPnd %llx, expected %llx", (unsigned long long)v,
			 (unsigned long long)want_main);
	else if ((v = status_mask(thr_tid, "SigPnd")) != want_thr)
		snprintf(buf, len, "thread SigPnd %llx, expected %llx", (unsigned long long)v,
			 (unsigned long long)want_thr);
	else
		return NULL;
	return buf;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
	struct expect exp[16];
	const char *err;
	char c, buf[256];
	pthread_t th;
	sigset_t set;
	int i, n = 0, sigs[] = { SIGUSR1, SIGUSR2, SIGWINCH, SIGURG, RT(1), RT(2), RT(3), RT(4) };

	test_init(argc, argv);
	main_tid = syscall(SYS_gettid);
	sigemptyset(&blocked);
	for (i = 0; i < (int)(sizeof(sigs) / sizeof(sigs[0])); i++) {
		sigaddset(&blocked, sigs[i]);
		sigaction(sigs[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &blocked, NULL);
	if (pipe(to_thr) || pipe(from_thr))
		test_setup_fail("pipe: %s", strerror(errno));
	set = blocked;
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&th, NULL, thread_fn, NULL))
		test_setup_fail("pthread_create");
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (read(from_thr[0], &c, 1) != 1)
		test_setup_fail("thread did not start");

	/* Thread-directed. */
	if (syscall(SYS_tgkill, getpid(), main_tid, SIGUSR2) ||
	    syscall(SYS_tgkill, getpid(), thr_tid, SIGUSR1))
		test_setup_fail("tgkill: %s", strerror(errno));
	for (i = 0; i < 3; i++)
		if (pthread_sigqueue(pthread_self(), RT(2), (union sigval){ .sival_int = 20 + i }) ||
		    pthread_sigqueue(th, RT(4), (union sigval){ .sival_int = 40 + i }))
			test_setup_fail("pthread_sigqueue: %s", strerror(errno));
	/* Process-wide. */
	if (kill(getpid(), SIGWINCH))
		test_setup_fail("kill: %s", strerror(errno));
	for (i = 0; i < 2; i++)
		if (sigqueue(getpid(), SIGURG, (union sigval){ .sival_int = 77 + i }))
			test_setup_fail("sigqueue: %s", strerror(errno));
	for (i = 0; i < 5; i++)
		if (sigqueue(getpid(), RT(1), (union sigval){ .sival_int = 10 + i }))
			test_setup_fail("sigqueue: %s", strerror(errno));
	if (sigqueue(getpid(), RT(3), (union sigval){ .sival_int = 30 }))
		test_setup_fail("sigqueue: %s", strerror(errno));

	want_main = sigbit(SIGUSR2) | sigbit(RT(2));
	want_thr = sigbit(SIGUSR1) | sigbit(RT(4));
	want_shd = sigbit(SIGWINCH) | sigbit(SIGURG) | sigbit(RT(1)) | sigbit(RT(3));
	if ((err = check_proc(buf, sizeof(buf))))
		test_setup_fail("%s", err);

	test_daemon();
	test_waitsig();

	if (test_break()) {
		siginfo_t si;
		struct timespec zero = { 0, 0 };

		sigemptyset(&set);
		sigaddset(&set, RT(1));
		sigtimedwait(&set, &si, &zero);
	}

	if ((err = check_proc(buf, sizeof(buf))))
		fail("%s", err);
	sigpending(&set);
	if (bits(&set) != (want_main | want_shd))
		fail("sigpending() %llx, expected %llx", (unsigned long long)bits(&set),
		     (unsigned long long)(want_main | want_shd));
	if (tlog_n)
		fail("%d signals were delivered while blocked", tlog_n);

	exp[n++] = (struct expect){ SIGUSR2, SI_TKILL, 0 };
	for (i = 0; i < 3; i++)
		exp[n++] = (struct expect){ RT(2), SI_QUEUE, 20 + i };
	exp[n++] = (struct expect){ SIGWINCH, SI_USER, 0 };
	exp[n++] = (struct expect){ SIGURG, SI_QUEUE, 77 };
	for (i = 0; i < 5; i++)
		exp[n++] = (struct expect){ RT(1), SI_QUEUE, 10 + i };
	exp[n++] = (struct expect){ RT(3), SI_QUEUE, 30 };

	sigprocmask(SIG_UNBLOCK, &blocked, NULL);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if ((err = check_log(exp, n, buf, sizeof(buf))))
		fail("main thread: %s", err);
	sigpending(&set);
	if (bits(&set))
		fail("signals %llx still pending in the main thread", (unsigned long long)bits(&set));

	if (write(to_thr[1], "c", 1) != 1)
		pfail("write");
	if (read(from_thr[0], &c, 1) != 1)
		fail("thread did not report");
	pthread_join(th, NULL);
	if (thr_err[0])
		fail("thread: %s", thr_err);
	pass();
}
