// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials in flight: a seqpacket receiver with SO_PASSCRED holds a
 * message of the test itself. After restore it reads the message with the
 * test's pid, uid and gid (criu queued it before the test's pid existed).
 */
#include "unix_sk.h"

int main(int argc, char **argv)
{
	int sv[2], on = 1;
	char c;

	test_init(argc, argv);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) ||
	    setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)))
		test_setup_fail("socketpair: %s", strerror(errno));
	sk_sends(sv[0], "creds");

	test_daemon();
	test_waitsig();

	if (test_break() && recv(sv[1], &c, 1, MSG_DONTWAIT) < 0)
		test_msg("break: recv: %s", strerror(errno));
	if (expect_own_creds(sv[1], "creds", "receiver"))
		fail("the message or its credentials changed");
	pass();
}
