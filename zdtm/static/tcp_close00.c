// SPDX-License-Identifier: GPL-2.0
/*
 * --tcp-close on dump and restore: an established pair in the tree comes
 * back as two unconnected sockets (no peer, reads and writes fail), while
 * the listener next to them comes back listening on its port.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zdtmtst.h"

static int is_closed(int fd, const char *what)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	if (!getpeername(fd, (struct sockaddr *)&sa, &len) || errno != ENOTCONN) {
		test_msg("%s: still connected", what);
		return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int l, c, a, n;

	test_init(argc, argv);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&sa, len) ||
	    getsockname(l, (struct sockaddr *)&sa, &len) || listen(l, 4) ||
	    connect(c, (struct sockaddr *)&sa, len))
		test_setup_fail("sockets: %s", strerror(errno));
	a = accept(l, NULL, NULL);
	if (a < 0 || send(c, "lost", 4, 0) != 4)
		test_setup_fail("accept: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		close(l);

	if (!is_closed(c, "client") || !is_closed(a, "server side"))
		fail("connections survived --tcp-close");
	n = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(n, (struct sockaddr *)&sa, len) || accept(l, NULL, NULL) < 0)
		fail("the listener does not accept: %s", strerror(errno));
	pass();
}
