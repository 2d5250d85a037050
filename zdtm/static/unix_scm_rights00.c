// SPDX-License-Identifier: GPL-2.0
/*
 * A descriptor in flight: a pipe's write end sent with SCM_RIGHTS over a
 * dgram socketpair and not received, its only copy. After restore (and after
 * the dump, when the tree runs on) the message and its fd are still queued,
 * not duplicated, the peek offset unchanged: the receiver gets the fd, writes
 * through it and reads the bytes from the pipe, then EOF (no other copy).
 */
#include <sys/wait.h>

#include "unix_sk.h"

int main(int argc, char **argv)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr a;
	} ctl;
	char buf[16];
	struct iovec iov = { "fd-here", 7 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *c;
	int sv[2], p[2], fd, bad = 0;

	test_init(argc, argv);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) || pipe(p))
		test_setup_fail("socketpair/pipe: %s", strerror(errno));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &p[1], sizeof(int));
	if (sendmsg(sv[0], &mh, 0) != 7)
		test_setup_fail("sendmsg: %s", strerror(errno));
	close(p[1]);

	test_daemon();
	test_waitsig();

	if (test_break() && recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT) < 0)
		test_msg("break: recv: %s", strerror(errno));
	bad += expect_opt(sv[1], SO_PEEK_OFF, -1, "peek offset");
	iov = (struct iovec){ buf, sizeof(buf) };
	mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			      .msg_controllen = sizeof(ctl.b) };
	if (recvmsg(sv[1], &mh, MSG_DONTWAIT) != 7 || memcmp(buf, "fd-here", 7)) {
		test_msg("the message is gone: %s", strerror(errno));
		fail("%d mismatches", bad + 1);
	}
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		fail("the fd in flight is gone");
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (write(fd, "through", 7) != 7)
		pfail("write through the passed fd");
	close(fd);
	if (read(p[0], buf, sizeof(buf)) != 7 || memcmp(buf, "through", 7))
		fail("the pipe did not get the bytes");
	/* no copy of the write end may be left anywhere: EOF now */
	if (read(p[0], buf, sizeof(buf)) != 0)
		fail("a copy of the passed fd is still open");
	if (bad)
		fail("%d mismatches", bad);
	pass();
}
