// SPDX-License-Identifier: GPL-2.0
/*
 * An established TCP connection (both ends in the test): without
 * --tcp-established support the dump must fail with one line and give the
 * process back with the connection working, bytes in flight kept.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int l, c, a;
	char buf[16];

	test_init(argc, argv);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&sa, len) ||
	    getsockname(l, (struct sockaddr *)&sa, &len) || listen(l, 1) ||
	    connect(c, (struct sockaddr *)&sa, len))
		test_setup_fail("sockets: %s", strerror(errno));
	a = accept(l, NULL, NULL);
	if (a < 0 || send(c, "in-fl", 5, 0) != 5)
		test_setup_fail("accept/send: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break() && send(c, "X", 1, 0) != 1)
		test_msg("break: send: %s", strerror(errno));

	if (send(c, "ight", 4, 0) != 4)
		fail("send after the failed dump: %s", strerror(errno));
	if (recv(a, buf, 9, MSG_WAITALL) != 9 || memcmp(buf, "in-flight", 9))
		fail("the stream lost bytes");
	pass();
}
