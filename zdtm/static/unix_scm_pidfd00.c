// SPDX-License-Identifier: GPL-2.0
/*
 * A pidfd in flight: a seqpacket receiver with SO_PASSPIDFD holds a
 * message of the test. Its reader would get a pidfd of the sender's own
 * process, which a restore makes anew: criu refuses the dump (crfail). The
 * failed dump leaves the message, its pidfd and the options as they were.
 */
#include <stdlib.h>

#include "unix_sk.h"

/* The next message is @want with a pidfd of this process. */
static int expect_pidfd(int sk, const char *want)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr a;
	} ctl;
	char buf[64], path[64], pid[32] = "";
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *c;
	ssize_t n = recvmsg(sk, &mh, MSG_DONTWAIT);
	int fd;

	if (n != (ssize_t)strlen(want) || memcmp(buf, want, n)) {
		test_msg("recvmsg gave %zd (%s), wanted \"%s\"", n,
			 n < 0 ? strerror(errno) : "other data", want);
		return 1;
	}
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_PIDFD) {
		test_msg("no SCM_PIDFD with the message");
		return 1;
	}
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (!proc_field(path, "Pid", pid, sizeof(pid)) || atoi(pid) != getpid()) {
		test_msg("the pidfd names pid \"%s\", not %d", pid, getpid());
		return 1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	int sv[2], on = 1, bad = 0;
	char c;

	test_init(argc, argv);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) ||
	    setsockopt(sv[1], SOL_SOCKET, SO_PASSPIDFD, &on, sizeof(on)))
		test_setup_fail("socketpair: %s", strerror(errno));
	sk_sends(sv[0], "pidfd");

	test_daemon();
	test_waitsig();

	if (test_break() && recv(sv[1], &c, 1, MSG_DONTWAIT) < 0)
		test_msg("break: recv: %s", strerror(errno));
	bad += expect_opt(sv[1], SO_PASSPIDFD, 1, "sv[1] SO_PASSPIDFD");
	bad += expect_opt(sv[1], SO_PASSCRED, 0, "sv[1] SO_PASSCRED");
	bad += expect_pidfd(sv[1], "pidfd");
	bad += expect_eagain(sv[1], "sv[1] after");
	if (bad)
		fail("%d mismatches in the message with a pidfd in flight", bad);
	pass();
}
