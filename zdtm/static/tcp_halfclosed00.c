// SPDX-License-Identifier: GPL-2.0
/*
 * TCP connections (both ends in the tree) that are closing, dumped with
 * --tcp-established:
 *   A: the client shut down its sending side (FIN_WAIT2) after a request
 *      the server has not read; the server (CLOSE_WAIT) has its reply
 *      half sent and unread by the client;
 *   B: both sides shut down sending and read everything: both sockets are
 *      closed (TCP_CLOSE) and read end of file;
 *   C: as A, on a listener with SO_REUSEADDR whose accepted socket has it
 *      too (leaving repair mode must not clear it);
 *   D: the client wrote until the server's window closed, then shut down
 *      sending: its FIN waits behind unsent data (FIN_WAIT1).
 * After restore the server reads the request then end of file, the client
 * reads the whole reply then end of file once the server shuts down, the
 * states are FIN_WAIT2 and CLOSE_WAIT again (then TCP_CLOSE for both once
 * the server's FIN is through), writes on a shut side fail with EPIPE,
 * B's sockets read end of file and fail writes, and D's server reads every
 * byte, then end of file, while D's client gets to FIN_WAIT2.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "zdtmtst.h"

#define REQ "GET /index.html"
#define REPLY_A "200 OK: the first half, "
#define REPLY_B "and the second half."

struct pair {
	int cli, srv;
};

static int state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) ? -1 : ti.tcpi_state;
}

static void make_pair(struct pair *p, int reuse)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int lst = socket(AF_INET, SOCK_STREAM, 0);

	p->cli = socket(AF_INET, SOCK_STREAM, 0);
	if (lst < 0 || p->cli < 0 ||
	    setsockopt(lst, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse)) ||
	    bind(lst, (struct sockaddr *)&sa, len) || getsockname(lst, (struct sockaddr *)&sa, &len) ||
	    listen(lst, 1) || connect(p->cli, (struct sockaddr *)&sa, len))
		test_setup_fail("connect: %s", strerror(errno));
	p->srv = accept(lst, NULL, NULL);
	if (p->srv < 0)
		test_setup_fail("accept: %s", strerror(errno));
	close(lst);
}

/* Wait up to 3 s for @fd to reach @want (a FIN being retransmitted). */
static int wait_state(int fd, int want, const char *who)
{
	struct timespec ms = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < 300; i++) {
		if (state(fd) == want)
			return 0;
		nanosleep(&ms, NULL);
	}
	test_msg("%s: state %d, not %d\n", who, state(fd), want);
	return -1;
}

static int read_all(int fd, char *buf, size_t size)
{
	size_t got = 0;

	for (;;) {
		ssize_t n = recv(fd, buf + got, size - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : (int)got;
		got += n;
		if (got == size)
			return got;
	}
}

static int eof_and_epipe(int fd, const char *who)
{
	char c;

	if (recv(fd, &c, 1, MSG_DONTWAIT) != 0) {
		test_msg("%s: no end of file: %s\n", who, strerror(errno));
		return -1;
	}
	if (send(fd, "x", 1, MSG_NOSIGNAL) != -1 || errno != EPIPE) {
		test_msg("%s: a write did not fail with EPIPE: %s\n", who, strerror(errno));
		return -1;
	}
	return 0;
}

/* A after restore: the rest of the exchange, then both ends closed. */
static int finish_half(struct pair *p, const char *name)
{
	char buf[128];
	int n;

	if (wait_state(p->cli, TCP_FIN_WAIT2, name) || wait_state(p->srv, TCP_CLOSE_WAIT, name))
		return -1;
	n = read_all(p->srv, buf, sizeof(buf));
	if (n != (int)strlen(REQ) || memcmp(buf, REQ, n)) {
		test_msg("%s: the server read %d bytes of the request\n", name, n);
		return -1;
	}
	if (send(p->cli, "x", 1, MSG_NOSIGNAL) != -1 || errno != EPIPE) {
		test_msg("%s: the client could write after its shutdown\n", name);
		return -1;
	}
	if (send(p->srv, REPLY_B, strlen(REPLY_B), 0) != (int)strlen(REPLY_B) ||
	    shutdown(p->srv, SHUT_WR)) {
		test_msg("%s: the server could not finish: %s\n", name, strerror(errno));
		return -1;
	}
	n = read_all(p->cli, buf, sizeof(buf));
	if (n != (int)strlen(REPLY_A REPLY_B) || memcmp(buf, REPLY_A REPLY_B, n)) {
		test_msg("%s: the client read %d bytes of the reply\n", name, n);
		return -1;
	}
	if (wait_state(p->cli, TCP_CLOSE, name) || wait_state(p->srv, TCP_CLOSE, name))
		return -1;
	return 0;
}

static void start_half(struct pair *p, int reuse)
{
	make_pair(p, reuse);
	if (send(p->cli, REQ, strlen(REQ), 0) != (int)strlen(REQ) || shutdown(p->cli, SHUT_WR) ||
	    send(p->srv, REPLY_A, strlen(REPLY_A), 0) != (int)strlen(REPLY_A))
		test_setup_fail("half close: %s", strerror(errno));
	if (wait_state(p->cli, TCP_FIN_WAIT2, "setup") || wait_state(p->srv, TCP_CLOSE_WAIT, "setup"))
		test_setup_fail("the connection did not half close");
}

static uint8_t d_byte(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 12) + 3);
}

/* D: fill the connection, then shut down: the FIN is queued after unsent bytes. */
static size_t start_full(struct pair *p)
{
	static uint8_t buf[65536];
	size_t sent = 0;

	make_pair(p, 0);
	fcntl(p->cli, F_SETFL, O_NONBLOCK);
	for (;;) {
		ssize_t n;

		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = d_byte(sent + i);
		n = send(p->cli, buf, sizeof(buf), 0);
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0)
			test_setup_fail("fill: %s", strerror(errno));
		sent += n;
	}
	if (shutdown(p->cli, SHUT_WR) || state(p->cli) != TCP_FIN_WAIT1)
		test_setup_fail("the full connection is in state %d, not FIN_WAIT1", state(p->cli));
	return sent;
}

static int finish_full(struct pair *p, size_t sent)
{
	static uint8_t buf[65536];
	size_t got = 0;

	for (;;) {
		ssize_t n = recv(p->srv, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != d_byte(got + i)) {
				test_msg("D: byte %zu is wrong\n", got + i);
				return -1;
			}
		got += n;
	}
	if (got != sent) {
		test_msg("D: the server read %zu bytes of %zu before end of file\n", got, sent);
		return -1;
	}
	return wait_state(p->cli, TCP_FIN_WAIT2, "D");
}

int main(int argc, char **argv)
{
	struct pair a, b, c, d;
	size_t d_sent;
	int ret = 0, reuse = 0;
	socklen_t len = sizeof(reuse);
	char buf[8];

	test_init(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	start_half(&a, 0);
	start_half(&c, 1);
	d_sent = start_full(&d);

	make_pair(&b, 0);
	if (shutdown(b.cli, SHUT_WR) || read_all(b.srv, buf, sizeof(buf)) != 0 ||
	    shutdown(b.srv, SHUT_WR) || read_all(b.cli, buf, sizeof(buf)) != 0)
		test_setup_fail("full close: %s", strerror(errno));
	if (wait_state(b.cli, TCP_CLOSE, "setup") || wait_state(b.srv, TCP_CLOSE, "setup"))
		test_setup_fail("the connection did not close");

	test_daemon();
	test_waitsig();

	/* a byte of the request gone, as if the restore had lost it */
	if (test_break() && recv(a.srv, buf, 1, 0) != 1)
		test_msg("break: recv: %s\n", strerror(errno));
	ret |= finish_half(&a, "A");
	ret |= finish_half(&c, "C");
	ret |= eof_and_epipe(b.cli, "B client") | eof_and_epipe(b.srv, "B server");
	ret |= finish_full(&d, d_sent);
	if (getsockopt(c.srv, SOL_SOCKET, SO_REUSEADDR, &reuse, &len) || !reuse) {
		test_msg("C: the accepted socket lost SO_REUSEADDR\n");
		ret = -1;
	}
	if (ret)
		fail("a closing connection changed");
	pass();
}
