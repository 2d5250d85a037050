// SPDX-License-Identifier: GPL-2.0
/*
 * A client that wrote on a connection its listener has not accepted yet:
 * the bytes wait in a socket without a file, which criu cannot read, so it
 * refuses the dump (crfail). Afterwards the connection is still pending
 * and accept() gives the bytes.
 */
#include "unix_sk.h"

int main(int argc, char **argv)
{
	struct sockaddr_un a;
	socklen_t l = sk_addr(&a, "pending.sock", false);
	int lfd, c, s;

	test_init(argc, argv);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || c < 0 || bind(lfd, (struct sockaddr *)&a, l) || listen(lfd, 2) ||
	    connect(c, (struct sockaddr *)&a, l))
		test_setup_fail("listen/connect: %s", strerror(errno));
	sk_sends(c, "early");

	test_daemon();
	test_waitsig();

	if (fcntl(lfd, F_SETFL, O_NONBLOCK))
		pfail("O_NONBLOCK");
	if (test_break())
		close(accept(lfd, NULL, NULL));
	s = accept(lfd, NULL, NULL);
	if (s < 0)
		pfail("the pending connection is gone");
	if (expect_msg(s, "early", "accepted"))
		fail("the early bytes are gone");
	pass();
}
