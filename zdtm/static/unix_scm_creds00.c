// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials in flight: a seqpacket receiver with SO_PASSCRED holds a
 * message whose credentials the restore could not give back (the sender's
 * pid does not exist yet when criu queues data). criu refuses the dump
 * (crfail); the tree gets the message with the sender's credentials.
 */
#include "unix_sk.h"

int main(int argc, char **argv)
{
	union {
		char b[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr a;
	} ctl;
	char buf[16];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *c;
	struct ucred uc;
	int sv[2], on = 1;

	test_init(argc, argv);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) ||
	    setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)))
		test_setup_fail("socketpair: %s", strerror(errno));
	sk_sends(sv[0], "creds");

	test_daemon();
	test_waitsig();

	if (test_break() && recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT) < 0)
		test_msg("break: recv: %s", strerror(errno));
	if (recvmsg(sv[1], &mh, MSG_DONTWAIT) != 5 || memcmp(buf, "creds", 5))
		fail("the message is gone");
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_CREDENTIALS)
		fail("no credentials");
	memcpy(&uc, CMSG_DATA(c), sizeof(uc));
	if (uc.pid != getpid() || uc.uid != getuid() || uc.gid != getgid())
		fail("credentials %d/%d/%d, wanted %d/%d/%d", uc.pid, uc.uid, uc.gid, getpid(),
		     getuid(), getgid());
	pass();
}
