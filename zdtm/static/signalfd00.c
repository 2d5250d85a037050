// SPDX-License-Identifier: GPL-2.0
/*
 * Signalfds with their masks:
 *   A: SIGUSR1|SIGUSR2, O_NONBLOCK; both signals blocked, one SIGUSR1
 *      pending in the process when it is dumped;
 *   B: SIGHUP|SIGRTMIN+1, blocking, nothing pending.
 * After restore fdinfo shows the same masks and flags, A reads the SIGUSR1
 * (sent by this process) and then EAGAIN, B has nothing to read.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "zdtmtst.h"

static uint64_t sigbit(int sig)
{
	return 1ULL << (sig - 1);
}

static uint64_t fdinfo_mask(int fd)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (!proc_field(path, "sigmask", buf, sizeof(buf)))
		return 0;
	return strtoull(buf, NULL, 16);
}

int main(int argc, char **argv)
{
	struct signalfd_siginfo si;
	uint64_t want_a, want_b;
	sigset_t ma, mb;
	int a, b, fla, flb;
	ssize_t n;

	test_init(argc, argv);

	sigemptyset(&ma);
	sigaddset(&ma, SIGUSR1);
	sigaddset(&ma, SIGUSR2);
	sigemptyset(&mb);
	sigaddset(&mb, SIGHUP);
	sigaddset(&mb, SIGRTMIN + 1);
	want_a = sigbit(SIGUSR1) | sigbit(SIGUSR2);
	want_b = sigbit(SIGHUP) | sigbit(SIGRTMIN + 1);
	if (sigprocmask(SIG_BLOCK, &ma, NULL) || sigprocmask(SIG_BLOCK, &mb, NULL))
		test_setup_fail("sigprocmask: %s", strerror(errno));
	a = signalfd(-1, &ma, SFD_NONBLOCK);
	b = signalfd(-1, &mb, 0);
	if (a < 0 || b < 0)
		test_setup_fail("signalfd: %s", strerror(errno));
	if (kill(getpid(), SIGUSR1))
		test_setup_fail("kill: %s", strerror(errno));
	fla = fcntl(a, F_GETFL);
	flb = fcntl(b, F_GETFL);
	if (fdinfo_mask(a) != want_a || fdinfo_mask(b) != want_b)
		test_setup_fail("fdinfo masks %llx %llx, expected %llx %llx",
				(unsigned long long)fdinfo_mask(a), (unsigned long long)fdinfo_mask(b),
				(unsigned long long)want_a, (unsigned long long)want_b);

	test_daemon();
	test_waitsig();

	if (test_break()) {
		struct timespec zero = { 0, 0 };

		sigtimedwait(&ma, NULL, &zero);
	}

	if (fdinfo_mask(a) != want_a)
		fail("A: fdinfo sigmask %llx, expected %llx", (unsigned long long)fdinfo_mask(a),
		     (unsigned long long)want_a);
	if (fdinfo_mask(b) != want_b)
		fail("B: fdinfo sigmask %llx, expected %llx", (unsigned long long)fdinfo_mask(b),
		     (unsigned long long)want_b);
	if (fcntl(a, F_GETFL) != fla)
		fail("A: F_GETFL 0%o, expected 0%o", fcntl(a, F_GETFL), fla);
	if (fcntl(b, F_GETFL) != flb)
		fail("B: F_GETFL 0%o, expected 0%o", fcntl(b, F_GETFL), flb);

	n = read(a, &si, sizeof(si));
	if (n < 0)
		pfail("A: read");
	if (n != sizeof(si))
		fail("A: read %zd bytes, expected %zu", n, sizeof(si));
	if (si.ssi_signo != SIGUSR1 || (pid_t)si.ssi_pid != getpid() || si.ssi_uid != getuid())
		fail("A: signal %u from pid %u uid %u, expected %d from %d uid %d", si.ssi_signo,
		     si.ssi_pid, si.ssi_uid, SIGUSR1, getpid(), getuid());
	if (read(a, &si, sizeof(si)) != -1 || errno != EAGAIN)
		fail("A: a second read did not fail with EAGAIN");

	if (fcntl(b, F_SETFL, flb | O_NONBLOCK))
		pfail("B: F_SETFL");
	if (read(b, &si, sizeof(si)) != -1 || errno != EAGAIN)
		fail("B: a read did not fail with EAGAIN");
	pass();
}
