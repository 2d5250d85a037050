// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials in flight whose pids live outside the dumped tree, for
 * ci/test-scm-creds.py.
 *
 *   scm-creds-target REPORT
 *	A datagram socketpair whose receiver has SO_PASSCRED holds "gone",
 *	sent by a child that exited, and "outside", sent by a grandchild
 *	that left the tree (its parent exited, it went to a session of its
 *	own) and lives on. Prints "GONE_PID OUTSIDE_PID" on stdout once
 *	ready. On SIGTERM it reads both messages and writes to REPORT
 *	(by rename) one line per message, "DATA PID UID GID", then exits.
 *   scm-creds-target hold PID
 *	Takes pid PID (clone3 set_tid, as root) for a process that waits
 *	to be killed; prints "held" once it has it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t term;

static void on_term(int sig)
{
	(void)sig;
	term = 1;
}

static int hold(pid_t pid)
{
	struct clone_args ca = { .exit_signal = SIGCHLD, .set_tid = (uint64_t)(uintptr_t)&pid,
				 .set_tid_size = 1 };
	long child = syscall(SYS_clone3, &ca, sizeof(ca));

	if (child < 0) {
		fprintf(stderr, "clone3 with pid %d: %s\n", pid, strerror(errno));
		return 1;
	}
	if (child == 0) {
		for (;;)
			pause();
	}
	printf("held\n");
	fflush(stdout);
	/* the held pid is our child: it stays taken until we are killed too */
	for (;;)
		pause();
}

static void report_msg(FILE *f, int sk)
{
	union {
		char b[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr a;
	} ctl;
	char buf[64];
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *c;
	struct ucred uc = { -1, -1, -1 };
	ssize_t n = recvmsg(sk, &mh, MSG_DONTWAIT);

	if (n < 0) {
		fprintf(f, "recvmsg: %s\n", strerror(errno));
		return;
	}
	buf[n] = 0;
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_type == SCM_CREDENTIALS)
		memcpy(&uc, CMSG_DATA(c), sizeof(uc));
	fprintf(f, "%s %d %d %d\n", buf, uc.pid, (int)uc.uid, (int)uc.gid);
}

int main(int argc, char **argv)
{
	int sv[2], rp[2], on = 1;
	pid_t gone, mid, outside = 0;
	char tmp[4096];
	FILE *f;

	if (argc == 3 && !strcmp(argv[1], "hold"))
		return hold(atoi(argv[2]));
	if (argc != 2) {
		fprintf(stderr, "usage: scm-creds-target REPORT | hold PID\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) || pipe(rp) ||
	    setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on))) {
		perror("setup");
		return 1;
	}
	gone = fork();
	if (gone == 0)
		_exit(send(sv[0], "gone", 4, 0) != 4);
	waitpid(gone, NULL, 0);
	mid = fork();
	if (mid == 0) {
		pid_t o = fork();

		if (o == 0) {
			setsid();
			if (send(sv[0], "outside", 7, 0) != 7)
				_exit(1);
			/* nothing of the tree stays with it: it only sent */
			for (int fd = 0; fd < 1024; fd++)
				close(fd);
			alarm(120);
			for (;;)
				pause();
		}
		_exit(write(rp[1], &o, sizeof(o)) != sizeof(o));
	}
	waitpid(mid, NULL, 0);
	if (read(rp[0], &outside, sizeof(outside)) != sizeof(outside)) {
		perror("read");
		return 1;
	}
	close(rp[0]);
	close(rp[1]);
	printf("%d %d\n", gone, outside);
	fflush(stdout);
	while (!term)
		pause();
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
	f = fopen(tmp, "w");
	if (!f)
		return 1;
	report_msg(f, sv[1]);
	report_msg(f, sv[1]);
	fclose(f);
	return rename(tmp, argv[1]) ? 1 : 0;
}
