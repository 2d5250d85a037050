// SPDX-License-Identifier: GPL-2.0
/*
 * Peer credentials (SO_PEERCRED) of unix sockets, which socketpair(),
 * listen() and connect() stamp with the caller's pid, uid and gid:
 *   P: a stream socketpair of the test itself;
 *   D: a datagram socketpair made by a child running as uid/gid 12345,
 *      which passed it over and exited (its pid names no process now);
 *   L, C, A: a listener of the test, a client connected to it by another
 *      child as uid 23456 (so A, the accepted end, names that child), C
 *      passed back.
 * After restore every end reports the same pid, uid and gid.
 */
#include <grp.h>
#include <stddef.h>
#include <sys/wait.h>

#include "unix_sk.h"

#define NR 7

static int recv_fd(int sk)
{
	union {
		char b[CMSG_SPACE(sizeof(int) * 2)];
		struct cmsghdr a;
	} ctl;
	char c;
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = sizeof(ctl.b) };
	int fd;

	if (recvmsg(sk, &mh, 0) != 1 || !CMSG_FIRSTHDR(&mh))
		test_setup_fail("recvmsg: %s", strerror(errno));
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof(int));
	return fd;
}

static void send_fd(int sk, int fd)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr a;
	} ctl;
	struct iovec iov = { "f", 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sk, &mh, 0) != 1)
		_exit(2);
}

/* A child as @uid: a datagram socketpair (@name NULL) or a client of @name; passed back. */
static pid_t child_makes(int back, uid_t uid, const struct sockaddr_un *name, socklen_t len)
{
	pid_t pid = fork();

	if (pid < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		int sv[2];

		if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
			_exit(1);
		if (!name) {
			if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
				_exit(1);
			send_fd(back, sv[0]);
			send_fd(back, sv[1]);
		} else {
			sv[0] = socket(AF_UNIX, SOCK_STREAM, 0);
			if (sv[0] < 0 || connect(sv[0], (const struct sockaddr *)name, len))
				_exit(1);
			send_fd(back, sv[0]);
		}
		_exit(0);
	}
	return pid;
}

static struct ucred cred_of(int fd)
{
	struct ucred c = { 0 };
	socklen_t len = sizeof(c);

	getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len);
	return c;
}

int main(int argc, char **argv)
{
	struct sockaddr_un name = { .sun_family = AF_UNIX };
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + 16;
	struct ucred before[NR];
	int fd[NR], back[2], bad = 0;
	pid_t kid;

	test_init(argc, argv);
	memcpy(name.sun_path, "\0zdtm_peercred00", 16);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, &fd[0]) ||
	    socketpair(AF_UNIX, SOCK_DGRAM, 0, back))
		test_setup_fail("socketpair: %s", strerror(errno));
	kid = child_makes(back[1], 12345, NULL, 0);
	fd[2] = recv_fd(back[0]);
	fd[3] = recv_fd(back[0]);
	waitpid(kid, NULL, 0);
	fd[4] = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd[4] < 0 || bind(fd[4], (struct sockaddr *)&name, len) || listen(fd[4], 4))
		test_setup_fail("listener: %s", strerror(errno));
	kid = child_makes(back[1], 23456, &name, len);
	fd[5] = recv_fd(back[0]);
	fd[6] = accept(fd[4], NULL, NULL);
	waitpid(kid, NULL, 0);
	if (fd[6] < 0)
		test_setup_fail("accept: %s", strerror(errno));
	for (int i = 0; i < NR; i++)
		before[i] = cred_of(fd[i]);
	if (before[2].uid != 12345 || before[6].uid != 23456 || before[5].pid != getpid())
		test_setup_fail("the credentials are not what the test made");

	test_daemon();
	test_waitsig();

	/* D's end made again by the test itself: its own uid, not 12345 */
	if (test_break()) {
		close(fd[2]);
		socketpair(AF_UNIX, SOCK_DGRAM, 0, back);
	}
	for (int i = 0; i < NR; i++) {
		struct ucred now = cred_of(fd[i]);

		if (now.pid != before[i].pid || now.uid != before[i].uid || now.gid != before[i].gid) {
			test_msg("socket %d: pid %d uid %u gid %u, was pid %d uid %u gid %u", i,
				 now.pid, now.uid, now.gid, before[i].pid, before[i].uid,
				 before[i].gid);
			bad = 1;
		}
	}
	if (bad)
		fail("peer credentials changed");
	pass();
}
