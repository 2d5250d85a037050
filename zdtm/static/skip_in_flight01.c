// SPDX-License-Identifier: GPL-2.0
/*
 * --skip-in-flight with both ends in the tree: a client connected to a
 * listener of the tree and sent a request, which the server never
 * accepted; another connection to the same listener was accepted. The
 * queued connection is dropped with the listener's queue, so its client
 * end comes back closed: it reads end of file at once instead of waiting
 * for ever. The accepted connection is carried as usual, and the listener
 * has nothing queued and accepts new connections.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	struct pollfd pf;
	int l, queued, cli, srv, late;
	char buf[16];

	test_init(argc, argv);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	cli = socket(AF_INET, SOCK_STREAM, 0);
	queued = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || cli < 0 || queued < 0 || bind(l, (struct sockaddr *)&sa, len) ||
	    getsockname(l, (struct sockaddr *)&sa, &len) || listen(l, 4) ||
	    connect(cli, (struct sockaddr *)&sa, len))
		test_setup_fail("sockets: %s", strerror(errno));
	srv = accept(l, NULL, NULL);
	if (srv < 0 || connect(queued, (struct sockaddr *)&sa, len) ||
	    send(queued, "hello", 5, 0) != 5 || send(cli, "ping", 4, 0) != 4)
		test_setup_fail("connect: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	/* the dropped connection: end of file, not a wait for ever */
	if (test_break()) {
		/* what the old restore gave: a connection nobody answers */
		queued = socket(AF_INET, SOCK_STREAM, 0);
		if (queued < 0 || connect(queued, (struct sockaddr *)&sa, len))
			test_msg("break: connect: %s\n", strerror(errno));
	}
	pf = (struct pollfd){ .fd = queued, .events = POLLIN };
	if (poll(&pf, 1, 3000) != 1)
		fail("the client of the dropped connection still waits");
	if (recv(queued, buf, sizeof(buf), 0) != 0)
		fail("the client of the dropped connection reads data, not end of file: %s",
		     strerror(errno));
	/* the accepted one is intact */
	if (recv(srv, buf, sizeof(buf), 0) != 4 || memcmp(buf, "ping", 4))
		fail("the accepted connection lost its data");
	/* nothing left queued; a new connection comes in */
	fcntl(l, F_SETFL, O_NONBLOCK);
	if (accept(l, NULL, NULL) >= 0 || errno != EAGAIN)
		fail("the listener still has a queued connection");
	late = socket(AF_INET, SOCK_STREAM, 0);
	if (late < 0 || connect(late, (struct sockaddr *)&sa, len))
		fail("a new connection is refused: %s", strerror(errno));
	pf = (struct pollfd){ .fd = l, .events = POLLIN };
	if (poll(&pf, 1, 3000) != 1 || accept(l, NULL, NULL) < 0)
		fail("the listener does not accept: %s", strerror(errno));
	pass();
}
