// SPDX-License-Identifier: GPL-2.0
/*
 * --skip-in-flight: a listener with a connection in its accept queue that
 * was never accepted is dumped anyway; the queued connection is dropped and
 * the listener comes back empty, accepting new connections.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int l, c, a;

	test_init(argc, argv);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&sa, len) ||
	    getsockname(l, (struct sockaddr *)&sa, &len) || listen(l, 4) ||
	    connect(c, (struct sockaddr *)&sa, len))
		test_setup_fail("sockets: %s", strerror(errno));
	/* the client goes; its connection waits in the accept queue */
	close(c);
	fcntl(l, F_SETFL, O_NONBLOCK);

	test_daemon();
	test_waitsig();

	a = accept(l, NULL, NULL);
	if (test_break() && a < 0)
		a = 0;
	if (a >= 0)
		fail("a connection queued before the dump came back (fd %d)", a);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(c, (struct sockaddr *)&sa, len))
		fail("connect: %s", strerror(errno));
	for (int i = 0; i < 1000 && (a = accept(l, NULL, NULL)) < 0; i++)
		usleep(1000);
	if (a < 0)
		fail("the listener does not accept: %s", strerror(errno));
	pass();
}
