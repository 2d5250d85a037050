// SPDX-License-Identifier: GPL-2.0
/*
 * pidfds of every kind of process:
 *   C: a running child (PIDFD_NONBLOCK), at two fds (dup at fd 50);
 *   S: the test itself;
 *   Z: a zombie child (exit status 7);
 *   R: a child already reaped (fdinfo Pid: -1);
 *   O: pid 1, outside the dumped tree.
 * After restore fdinfo names the same pids with the same flags, C's two fds
 * are still one description (kcmp); C's pidfd
 * kills the child and waitid(P_PIDFD) reaps it; Z's reaps the zombie with
 * status 7; R's signals fail with ESRCH; S's signal 0 succeeds.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#define DUP_FD 50

static int pidfd_open(pid_t pid, unsigned flags)
{
	return syscall(SYS_pidfd_open, pid, flags);
}

static int send_sig(int pfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0);
}

static long fdinfo_pid(int fd)
{
	char path[64], buf[32];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (!proc_field(path, "Pid", buf, sizeof(buf)))
		return -100;
	return strtol(buf, NULL, 10);
}

static pid_t child(int code)
{
	pid_t c = fork();

	if (c < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (c == 0) {
		if (code >= 0)
			_exit(code);
		while (1)
			pause();
	}
	return c;
}

struct want {
	const char *name;
	int fd;
	long pid;
	int flags;
};

int main(int argc, char **argv)
{
	pid_t c, z, r, o;
	int pc, ps, pz, pr, po, n;
	struct want w[6];
	siginfo_t si;

	test_init(argc, argv);

	c = child(-1);
	z = child(7);
	r = child(-1);
	o = 1;
	pc = pidfd_open(c, PIDFD_NONBLOCK);
	ps = pidfd_open(getpid(), 0);
	pz = pidfd_open(z, 0);
	pr = pidfd_open(r, 0);
	po = pidfd_open(o, 0);
	if (pc < 0 || ps < 0 || pz < 0 || pr < 0 || po < 0 || dup2(pc, DUP_FD) != DUP_FD)
		test_setup_fail("pidfd_open: %s", strerror(errno));
	kill(r, SIGKILL);
	if (waitpid(r, NULL, 0) != r)
		test_setup_fail("waitpid R: %s", strerror(errno));
	/* Z exits by itself: wait until it is a zombie, without reaping it */
	if (waitid(P_PID, z, &si, WEXITED | WNOWAIT))
		test_setup_fail("waitid Z: %s", strerror(errno));

	w[0] = (struct want){ "C", pc, c, fcntl(pc, F_GETFL) };
	w[1] = (struct want){ "C dup", DUP_FD, c, fcntl(pc, F_GETFL) };
	w[2] = (struct want){ "S", ps, getpid(), fcntl(ps, F_GETFL) };
	w[3] = (struct want){ "Z", pz, z, fcntl(pz, F_GETFL) };
	w[4] = (struct want){ "R", pr, -1, fcntl(pr, F_GETFL) };
	w[5] = (struct want){ "O", po, o, fcntl(po, F_GETFL) };
	if (!(w[0].flags & O_NONBLOCK))
		test_setup_fail("C's pidfd is blocking");
	for (n = 0; n < 6; n++)
		if (fdinfo_pid(w[n].fd) != w[n].pid)
			test_setup_fail("%s: fdinfo Pid %ld, expected %ld", w[n].name,
					fdinfo_pid(w[n].fd), w[n].pid);

	test_daemon();
	test_waitsig();

	if (test_break())
		dup2(ps, pc);

	for (n = 0; n < 6; n++) {
		if (fdinfo_pid(w[n].fd) != w[n].pid)
			fail("%s: fdinfo Pid %ld, expected %ld", w[n].name, fdinfo_pid(w[n].fd),
			     w[n].pid);
		if (fcntl(w[n].fd, F_GETFL) != w[n].flags)
			fail("%s: flags 0%o, expected 0%o", w[n].name, fcntl(w[n].fd, F_GETFL),
			     w[n].flags);
	}
	if (syscall(SYS_kcmp, getpid(), getpid(), 0 /* KCMP_FILE */, pc, DUP_FD))
		fail("C's two fds are not one description any more");
	if (send_sig(ps, 0))
		pfail("signal 0 through S's pidfd");
	if (send_sig(pr, 0) != -1 || errno != ESRCH)
		fail("R's pidfd can signal");
	if (send_sig(DUP_FD, SIGKILL))
		pfail("kill C through its pidfd");
	/* C's pidfd is non-blocking: wait until the child is gone */
	do {
		memset(&si, 0, sizeof(si));
		n = waitid(P_PIDFD, pc, &si, WEXITED);
	} while (n && errno == EAGAIN && !usleep(10000));
	if (n || si.si_pid != c || si.si_code != CLD_KILLED)
		fail("C: waitid through the pidfd: pid %d code %d (%s)", si.si_pid, si.si_code,
		     strerror(errno));
	memset(&si, 0, sizeof(si));
	if (waitid(P_PIDFD, pz, &si, WEXITED) || si.si_pid != z || si.si_code != CLD_EXITED ||
	    si.si_status != 7)
		fail("Z: waitid through the pidfd: pid %d code %d status %d (%s)", si.si_pid,
		     si.si_code, si.si_status, strerror(errno));
	pass();
}
