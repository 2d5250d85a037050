// SPDX-License-Identifier: GPL-2.0
/*
 * Established TCP connections with both ends in the tree, dumped and
 * restored with --tcp-established, IPv4 and IPv6:
 *   - client -> server: the client wrote until its send buffer was full
 *     (the server reads nothing), so bytes sit unread at the server, sent
 *     but unacknowledged, and never sent at the client;
 *   - server -> client: a short message, unread;
 *   - the listener stays open, on the same port as the accepted socket.
 * After restore every byte arrives once, in order (a generated pattern),
 * both ways, the names are the same, and the connection and the listener
 * still work.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zdtmtst.h"

struct conn {
	int family, lst, cli, srv;
	size_t sent;	/* client -> server bytes */
	struct sockaddr_storage cname, sname;
	socklen_t clen, slen;
	uint8_t *data;
};

#define MAX_DATA (16 << 20)

static void make_conn(struct conn *c, int family)
{
	struct sockaddr_storage sa = { .ss_family = family };
	socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	int one = 1;

	if (family == AF_INET)
		((struct sockaddr_in *)&sa)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&sa)->sin6_addr = in6addr_loopback;
	c->family = family;
	c->lst = socket(family, SOCK_STREAM, 0);
	c->cli = socket(family, SOCK_STREAM, 0);
	if (c->lst < 0 || c->cli < 0 || bind(c->lst, (struct sockaddr *)&sa, len) ||
	    getsockname(c->lst, (struct sockaddr *)&sa, &len) || listen(c->lst, 4) ||
	    connect(c->cli, (struct sockaddr *)&sa, len))
		test_setup_fail("connect: %s", strerror(errno));
	c->srv = accept(c->lst, NULL, NULL);
	if (c->srv < 0 || setsockopt(c->cli, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		test_setup_fail("accept: %s", strerror(errno));
	c->clen = c->slen = sizeof(c->cname);
	getsockname(c->cli, (struct sockaddr *)&c->cname, &c->clen);
	getsockname(c->srv, (struct sockaddr *)&c->sname, &c->slen);
	c->data = malloc(MAX_DATA);
	datagen(c->data, MAX_DATA, family);
	/* fill everything between the two until the client cannot write */
	fcntl(c->cli, F_SETFL, O_NONBLOCK);
	for (;;) {
		ssize_t r = send(c->cli, c->data + c->sent, 65536, 0);

		if (r < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = c->cli, .events = POLLOUT };

			/* give the stack a moment to move data on; stop when it is stuck */
			if (poll(&p, 1, 200) == 1)
				continue;
			break;
		}
		if (r <= 0)
			test_setup_fail("send: %s", strerror(errno));
		c->sent += r;
		if (c->sent + 65536 > MAX_DATA)
			test_setup_fail("the connection takes more than %d bytes", MAX_DATA);
	}
	fcntl(c->cli, F_SETFL, 0);
	if (send(c->srv, "server says hi", 14, 0) != 14)
		test_setup_fail("send: %s", strerror(errno));
	test_msg("family %d: %zu bytes between client and server", family, c->sent);
}

static int same_name(int fd, const struct sockaddr_storage *ss, socklen_t len)
{
	struct sockaddr_storage now;
	socklen_t nl = sizeof(now);

	return !getsockname(fd, (struct sockaddr *)&now, &nl) && nl == len && !memcmp(&now, ss, len);
}

static int check_conn(struct conn *c)
{
	uint8_t *got = malloc(c->sent + 1);
	char hi[16] = { 0 };
	size_t n = 0;

	if (!same_name(c->cli, &c->cname, c->clen) || !same_name(c->srv, &c->sname, c->slen)) {
		test_msg("family %d: names changed", c->family);
		return 1;
	}
	while (n < c->sent) {
		ssize_t r = recv(c->srv, got + n, c->sent - n, 0);

		if (r <= 0) {
			test_msg("family %d: stream ended after %zu of %zu bytes: %s", c->family, n,
				 c->sent, r ? strerror(errno) : "EOF");
			return 1;
		}
		n += r;
	}
	if (memcmp(got, c->data, c->sent)) {
		test_msg("family %d: the client's bytes changed", c->family);
		return 1;
	}
	if (recv(c->cli, hi, 14, MSG_WAITALL) != 14 || strcmp(hi, "server says hi")) {
		test_msg("family %d: the server's message changed: '%s'", c->family, hi);
		return 1;
	}
	/* and the connection lives on, both ways */
	if (send(c->cli, "more", 4, 0) != 4 || recv(c->srv, hi, 4, MSG_WAITALL) != 4 ||
	    memcmp(hi, "more", 4) || send(c->srv, "back", 4, 0) != 4 ||
	    recv(c->cli, hi, 4, MSG_WAITALL) != 4 || memcmp(hi, "back", 4)) {
		test_msg("family %d: the connection no longer works", c->family);
		return 1;
	}
	free(got);
	return 0;
}

int main(int argc, char **argv)
{
	struct conn c4 = { 0 }, c6 = { 0 };
	int bad;

	test_init(argc, argv);
	make_conn(&c4, AF_INET);
	make_conn(&c6, AF_INET6);

	test_daemon();
	test_waitsig();

	if (test_break())
		c4.data[c4.sent / 2] ^= 1;

	bad = check_conn(&c4) + check_conn(&c6);
	if (bad)
		fail("connections changed (see messages above)");
	pass();
}
