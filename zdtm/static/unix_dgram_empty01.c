// SPDX-License-Identifier: GPL-2.0
/*
 * Empty datagrams on receivers shut down for reading, a datagram and a
 * seqpacket socketpair: "a", "", "b" each, then shutdown(SHUT_RD) of the
 * receiving ends. A shut-down seqpacket socket reads 0 at the end of its
 * queue too: only the credentials every real datagram carries tell the
 * two apart at dump. After restore each queue gives back "a", "", "b",
 * then nothing (D) or the end of data (Q); the receivers read the empty
 * datagrams with their sender's credentials once they ask for them.
 */
#include "unix_sk.h"

static int D[2], Q[2];

int main(int argc, char **argv)
{
	const char *msgs[] = { "a", "", "b" };
	int bad = 0, on = 1;
	char c;

	test_init(argc, argv);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, D) || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, Q) ||
	    setsockopt(Q[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)))
		test_setup_fail("socketpair: %s", strerror(errno));
	for (int i = 0; i < 3; i++) {
		sk_sends(D[0], msgs[i]);
		sk_sends(Q[0], msgs[i]);
	}
	if (shutdown(D[1], SHUT_RD) || shutdown(Q[1], SHUT_RD))
		test_setup_fail("shutdown: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break() && recv(D[1], &c, 1, MSG_DONTWAIT) < 0)
		test_msg("break: recv: %s", strerror(errno));
	if (setsockopt(Q[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)))
		pfail("SO_PASSCRED on Q[1]");
	for (int i = 0; i < 3; i++) {
		bad += expect_msg(D[1], msgs[i], "D[1]");
		bad += expect_own_creds(Q[1], msgs[i], "Q[1]");
	}
	bad += expect_eagain(D[1], "D[1] after");
	bad += expect_eof(Q[1], "Q[1] after");
	if (bad)
		fail("%d mismatches in shut-down queues with empty datagrams", bad);
	pass();
}
