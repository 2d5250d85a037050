// SPDX-License-Identifier: GPL-2.0
/*
 * Descriptors of several kinds in flight on a stream socketpair, not yet
 * received:
 *   message "one": F, a regular file the task also holds (same
 *                  description), and E, an eventfd holding 7 that only the
 *                  message holds;
 *   message "two": U, one end of a dgram socketpair whose other end the
 *                  task holds, and F again;
 *   then plain bytes "three".
 * After restore the stream gives back "one", "two", "three" with their
 * descriptors: F moves the task's own offset (one description), E reads 7,
 * what is sent on U arrives at the task's end.
 */
#include "unix_sk.h"

#include <sys/eventfd.h>

static void send_fds(int sk, const char *text, const int *fds, int n)
{
	union {
		char b[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr a;
	} ctl;
	struct iovec iov = { (void *)text, strlen(text) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	if (sendmsg(sk, &mh, 0) != (ssize_t)strlen(text))
		test_setup_fail("sendmsg %s: %s", text, strerror(errno));
}

/* The next message: @text and @n descriptors into @fds; 0 if so. */
static int recv_fds(int sk, const char *text, int *fds, int n)
{
	union {
		char b[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr a;
	} ctl;
	char buf[16] = "";
	struct iovec iov = { buf, strlen(text) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *c;

	if (recvmsg(sk, &mh, MSG_DONTWAIT) != (ssize_t)strlen(text) || strcmp(buf, text)) {
		test_msg("message %s: got \"%s\" (%s)", text, buf, strerror(errno));
		return 1;
	}
	c = CMSG_FIRSTHDR(&mh);
	if (n && (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int) * n))) {
		test_msg("message %s: its %d descriptors are not there", text, n);
		return 1;
	}
	if (n)
		memcpy(fds, CMSG_DATA(c), sizeof(int) * n);
	return 0;
}

int main(int argc, char **argv)
{
	int sv[2], up[2], f, e, got[2], got2[2], bad = 0;
	uint64_t v;
	char c;

	test_init(argc, argv);
	f = open("scm01.file", O_CREAT | O_RDWR, 0600);
	e = eventfd(7, 0);
	if (f < 0 || e < 0 || write(f, "0123456789", 10) != 10 || lseek(f, 2, SEEK_SET) != 2 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || socketpair(AF_UNIX, SOCK_DGRAM, 0, up))
		test_setup_fail("setting up: %s", strerror(errno));
	send_fds(sv[0], "one", (int[]){ f, e }, 2);
	send_fds(sv[0], "two", (int[]){ up[0], f }, 2);
	sk_sends(sv[0], "three");
	close(e);
	close(up[0]);

	test_daemon();
	test_waitsig();

	if (test_break())
		lseek(f, 5, SEEK_SET);
	bad |= recv_fds(sv[1], "one", got, 2);
	bad |= recv_fds(sv[1], "two", got2, 2);
	bad |= expect_msg(sv[1], "three", "three");
	bad |= expect_eagain(sv[1], "the stream after three");
	if (bad)
		fail("the messages changed");
	if (lseek(got[0], 0, SEEK_CUR) != 2 || lseek(got[0], 6, SEEK_SET) != 6 ||
	    lseek(f, 0, SEEK_CUR) != 6 || lseek(got2[1], 0, SEEK_CUR) != 6)
		fail("F in flight is not the task's description any more");
	if (read(got[1], &v, sizeof(v)) != sizeof(v) || v != 7)
		fail("E in flight reads %llu", (unsigned long long)v);
	if (send(got2[0], "u", 1, 0) != 1 || recv(up[1], &c, 1, MSG_DONTWAIT) != 1 || c != 'u')
		fail("U in flight does not reach the task's end: %s", strerror(errno));
	pass();
}
