// SPDX-License-Identifier: GPL-2.0
/*
 * An epoll descriptor in flight: its targets are fds of the table of the
 * task that has it, which a descriptor in flight has none of. Not supported:
 * the dump must fail with one line naming it (crfail), and the message keeps
 * its descriptor: once received it is the same epoll, still watching.
 */
#include <sys/epoll.h>

#include "unix_sk.h"

int main(int argc, char **argv)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr a;
	} ctl;
	struct epoll_event ev = { .events = EPOLLIN };
	struct iovec iov = { "ep", 2 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *c;
	int sv[2], p[2], ep, got;
	char buf[4];

	test_init(argc, argv);
	ep = epoll_create1(0);
	if (ep < 0 || pipe(p) || socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev))
		test_setup_fail("setting up: %s", strerror(errno));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &ep, sizeof(int));
	if (sendmsg(sv[0], &mh, 0) != 2)
		test_setup_fail("sendmsg: %s", strerror(errno));
	close(ep);

	test_daemon();
	test_waitsig();

	if (test_break())
		recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT);
	iov = (struct iovec){ buf, sizeof(buf) };
	mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			      .msg_controllen = sizeof(ctl.b) };
	if (recvmsg(sv[1], &mh, MSG_DONTWAIT) != 2 || !(c = CMSG_FIRSTHDR(&mh)))
		fail("the message with the epoll in flight is gone: %s", strerror(errno));
	memcpy(&got, CMSG_DATA(c), sizeof(int));
	if (write(p[1], "x", 1) != 1 || epoll_wait(got, &ev, 1, 1000) != 1)
		fail("the epoll received does not watch the pipe any more");
	pass();
}
