// SPDX-License-Identifier: GPL-2.0
/*
 * Empty datagrams between others on a dgram and a seqpacket socketpair:
 * "a", "", "b", "" each. After restore each queue gives them back in order,
 * empty ones included, then nothing.
 */
#include "unix_sk.h"

static int D[2], Q[2];

int main(int argc, char **argv)
{
	const char *msgs[] = { "a", "", "b", "" };
	char c;
	int bad = 0;

	test_init(argc, argv);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, D) || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, Q))
		test_setup_fail("socketpair: %s", strerror(errno));
	for (int i = 0; i < 4; i++) {
		sk_sends(D[0], msgs[i]);
		sk_sends(Q[0], msgs[i]);
	}
	test_daemon();
	test_waitsig();

	if (test_break() && recv(Q[1], &c, 1, MSG_DONTWAIT) < 0)
		test_msg("break: recv: %s", strerror(errno));
	for (int i = 0; i < 4; i++) {
		bad += expect_msg(D[1], msgs[i], "D[1]");
		bad += expect_msg(Q[1], msgs[i], "Q[1]");
	}
	bad += expect_eagain(D[1], "D[1] after");
	bad += expect_eagain(Q[1], "Q[1] after");
	if (bad)
		fail("%d mismatches in queues with empty datagrams", bad);
	pass();
}
