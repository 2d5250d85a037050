// SPDX-License-Identifier: GPL-2.0
/*
 * SO_PASSRIGHTS turned off on one end of a socketpair (Linux 6.16): after
 * restore it is still off there, and on at the other end, so descriptors
 * sent to the first are refused (EPERM) and to the second still pass.
 */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zdtmtst.h"

#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS 83
#endif

static int passrights(int sk)
{
	socklen_t len = sizeof(int);
	int v = -1;

	return getsockopt(sk, SOL_SOCKET, SO_PASSRIGHTS, &v, &len) ? -1 : v;
}

/* Send fd 0 over @sk: 0 when it went, else errno. */
static int send_fd(int sk)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, c = 'x';
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	int fd = 0;

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	return sendmsg(sk, &mh, MSG_DONTWAIT) == 1 ? 0 : errno;
}

int main(int argc, char **argv)
{
	int sv[2], off = 0;

	test_init(argc, argv);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) ||
	    setsockopt(sv[1], SOL_SOCKET, SO_PASSRIGHTS, &off, sizeof(off)))
		test_setup_fail("SO_PASSRIGHTS: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break()) {
		int on = 1;

		setsockopt(sv[1], SOL_SOCKET, SO_PASSRIGHTS, &on, sizeof(on));
	}
	if (passrights(sv[1]) != 0 || passrights(sv[0]) != 1)
		fail("SO_PASSRIGHTS is %d and %d, not 0 and 1", passrights(sv[1]),
		     passrights(sv[0]));
	if (send_fd(sv[0]) != EPERM)
		fail("a descriptor sent to the end that refuses them was not refused");
	if (send_fd(sv[1]))
		fail("a descriptor sent to the other end was refused: %s", strerror(errno));
	pass();
}
