// SPDX-License-Identifier: GPL-2.0
/*
 * Signal dispositions: handlers with SA_SIGINFO, SA_RESTART, SA_NODEFER,
 * SA_RESETHAND, SA_NOCLDSTOP|SA_NOCLDWAIT, SA_ONSTACK, various sa_masks,
 * SIG_IGN and SIG_DFL. Every disposition is compared with sigaction()
 * queries, then exercised: masks seen inside handlers, NODEFER, RESETHAND,
 * NOCLDWAIT auto-reaping, SIG_IGN'd SIGPIPE, SA_RESTART versus EINTR.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NSIG_MAX 64

static struct sigaction saved[NSIG_MAX + 1];
static volatile int last_sig, last_code;
static sigset_t mask_in_handler;
static pid_t main_tid;

static void h_plain(int sig)
{
	last_sig = sig;
	sigprocmask(SIG_BLOCK, NULL, &mask_in_handler);
}

static void h_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	last_sig = sig;
	last_code = si->si_code;
	sigprocmask(SIG_BLOCK, NULL, &mask_in_handler);
}

static void set(int sig, void *handler, int flags, const int *mask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	if (flags & SA_SIGINFO)
		sa.sa_sigaction = handler;
	else
		sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	for (; mask && *mask; mask++)
		sigaddset(&sa.sa_mask, *mask);
	if (sigaction(sig, &sa, NULL))
		test_setup_fail("sigaction(%d): %s", sig, strerror(errno));
}

static bool same(const struct sigaction *a, const struct sigaction *b, char *why, size_t len)
{
	int s;

	if (a->sa_handler != b->sa_handler) {
		snprintf(why, len, "handler %p, expected %p", (void *)b->sa_handler,
			 (void *)a->sa_handler);
		return false;
	}
	if (a->sa_flags != b->sa_flags) {
		snprintf(why, len, "flags %#x, expected %#x", b->sa_flags, a->sa_flags);
		return false;
	}
	if (a->sa_restorer != b->sa_restorer) {
		snprintf(why, len, "restorer %p, expected %p", (void *)b->sa_restorer,
			 (void *)a->sa_restorer);
		return false;
	}
	for (s = 1; s <= NSIG_MAX; s++)
		if (sigismember(&a->sa_mask, s) != sigismember(&b->sa_mask, s)) {
			snprintf(why, len, "signal %d in sa_mask differs", s);
			return false;
		}
	return true;
}

/* Sends @sig to the main thread once it sleeps in read(), then writes. */
static int kick_pipe[2];
static int kick_sig;

static void *kicker(void *arg)
{
	char path[64], buf[64];
	int i;

	(void)arg;
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", main_tid);
	for (i = 0; i < 5000; i++) {
		if (proc_field(path, "State", buf, sizeof(buf)) && buf[0] == 'S')
			break;
		usleep(1000);
	}
	usleep(20000);
	syscall(SYS_tgkill, getpid(), main_tid, kick_sig);
	usleep(50000);
	if (write(kick_pipe[1], "x", 1) != 1)
		return NULL;
	return NULL;
}

/* read() interrupted by @sig: returns 1 if restarted (data read), 0 on EINTR. */
static int restarted(int sig)
{
	pthread_t th;
	ssize_t n;
	char c;

	kick_sig = sig;
	if (pipe(kick_pipe))
		pfail("pipe");
	if (pthread_create(&th, NULL, kicker, NULL))
		fail("pthread_create");
	n = read(kick_pipe[0], &c, 1);
	pthread_join(th, NULL);
	close(kick_pipe[0]);
	close(kick_pipe[1]);
	if (n == 1)
		return 1;
	if (n < 0 && errno == EINTR)
		return 0;
	pfail("read");
}

int main(int argc, char **argv)
{
	struct sigaction cur;
	char why[128];
	int s, status, p[2];
	pid_t pid;

	test_init(argc, argv);
	main_tid = syscall(SYS_gettid);

	set(SIGUSR1, h_info, SA_SIGINFO, (int[]){ SIGUSR2, SIGRTMIN, 0 });
	set(SIGUSR2, h_plain, SA_RESTART | SA_NODEFER, (int[]){ SIGHUP, 0 });
	set(SIGHUP, h_plain, SA_RESETHAND, NULL);
	set(SIGRTMIN + 3, h_info, SA_SIGINFO | SA_ONSTACK | SA_RESTART,
	    (int[]){ SIGUSR1, SIGRTMAX, SIGSEGV, 0 });
	set(SIGPIPE, SIG_IGN, 0, NULL);
	set(SIGCHLD, h_plain, SA_NOCLDSTOP | SA_NOCLDWAIT, NULL);
	set(SIGWINCH, SIG_DFL, 0, NULL);
	set(SIGQUIT, SIG_IGN, SA_RESTART, (int[]){ SIGINT, 0 });
	set(SIGRTMAX - 1, h_plain, 0, (int[]){ SIGUSR1, SIGUSR2, SIGHUP, SIGALRM, SIGRTMIN + 7, 0 });
	for (s = 1; s <= NSIG_MAX; s++)
		if (s != SIGKILL && s != SIGSTOP && (s < 32 || s >= SIGRTMIN) &&
		    sigaction(s, NULL, &saved[s]))
			test_setup_fail("sigaction(%d) query: %s", s, strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		set(SIGUSR1, h_info, SA_SIGINFO, (int[]){ SIGUSR2, 0 });

	for (s = 1; s <= NSIG_MAX; s++) {
		if (s == SIGKILL || s == SIGSTOP || (s >= 32 && s < SIGRTMIN))
			continue;
		if (sigaction(s, NULL, &cur))
			pfail("sigaction(%d)", s);
		if (!same(&saved[s], &cur, why, sizeof(why)))
			fail("signal %d: %s", s, why);
	}

	/* SA_SIGINFO and sa_mask. */
	raise(SIGUSR1);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (last_sig != SIGUSR1 || last_code != SI_TKILL)
		fail("SIGUSR1 handler: sig %d code %d", last_sig, last_code);
	if (!sigismember(&mask_in_handler, SIGUSR1) || !sigismember(&mask_in_handler, SIGUSR2) ||
	    !sigismember(&mask_in_handler, SIGRTMIN) || sigismember(&mask_in_handler, SIGHUP))
		fail("mask inside the SIGUSR1 handler is wrong");
	/* SA_NODEFER. */
	raise(SIGUSR2);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (last_sig != SIGUSR2 || sigismember(&mask_in_handler, SIGUSR2) ||
	    !sigismember(&mask_in_handler, SIGHUP))
		fail("SIGUSR2 (SA_NODEFER) handler mask is wrong");
	/* SA_RESETHAND. */
	last_sig = 0;
	raise(SIGHUP);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (last_sig != SIGHUP)
		fail("SIGHUP handler did not run");
	sigaction(SIGHUP, NULL, &cur);
	if (cur.sa_handler != SIG_DFL)
		fail("SA_RESETHAND did not reset the SIGHUP handler");
	/* SIG_IGN'd SIGPIPE. */
	if (pipe(p))
		pfail("pipe");
	close(p[0]);
	if (write(p[1], "x", 1) != -1 || errno != EPIPE)
		fail("write to a widowed pipe did not fail with EPIPE");
	close(p[1]);
	/* SA_NOCLDWAIT: children are reaped by the kernel. */
	pid = fork();
	if (pid < 0)
		pfail("fork");
	if (pid == 0)
		_exit(0);
	if (waitpid(pid, &status, 0) != -1 || errno != ECHILD)
		fail("SA_NOCLDWAIT: the child was not auto-reaped");
	/* SA_RESTART against EINTR. */
	if (!restarted(SIGRTMIN + 3))
		fail("read was not restarted after an SA_RESTART handler");
	if (restarted(SIGUSR1))
		fail("read was restarted after a handler without SA_RESTART");
	pass();
}
