// SPDX-License-Identifier: GPL-2.0
/*
 * An nginx-like pair, both in the tree, dumped with --tcp-established: a
 * server child accepts connections in a loop on a listener with
 * SO_REUSEADDR (as nginx's); the test opens connection
 * after connection, each carrying one request (a sequence number and a
 * body) and one response, then closed by both sides, with a few
 * connections open at once in different phases. Dumps land on sockets in
 * every state the churn goes through: listening with connections not yet
 * accepted, established with half a request or response sent, closed on
 * one side. Every byte of every exchange is checked on both sides; after
 * SIGTERM the server reports how many requests it served right, which
 * must be how many the client completed.
 *
 * A connection the server has not accepted yet cannot be carried (the
 * kernel holds it in the listener's queue, where nothing can put it back):
 * the test is dumped with --skip-in-flight, which drops such connections,
 * and the client does what HTTP clients do when a connection breaks before
 * any of the response came: it sends the request again on a new one. A
 * request is served once, whatever was dropped.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define REQ_BODY 3000
#define RESP_LEN 5000
#define IN_FLIGHT 3
#define DONE_SEQ UINT64_MAX

static uint8_t pattern(uint64_t seq, size_t i, uint8_t salt)
{
	return (uint8_t)(seq * 31 + i * 7 + (i >> 8) + salt);
}

static int full_io(int fd, void *buf, size_t len, bool out)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = out ? send(fd, (char *)buf + done, len - done, MSG_NOSIGNAL) :
				  recv(fd, (char *)buf + done, len - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

/* Serve until the request numbered DONE_SEQ, then answer with the count served. */
static void __attribute__((noreturn)) server(int lst)
{
	static uint8_t body[REQ_BODY], resp[RESP_LEN];
	uint64_t served = 0, seq;

	alarm(600);
	for (;;) {
		int c = accept(lst, NULL, NULL);

		if (c < 0 && errno == EINTR)
			continue;
		if (c < 0)
			_exit(2);
		/* a connection dropped by the dump before it was accepted */
		if (full_io(c, &seq, sizeof(seq), false)) {
			close(c);
			continue;
		}
		if (seq == DONE_SEQ) {
			full_io(c, &served, sizeof(served), true);
			close(c);
			_exit(0);
		}
		if (full_io(c, body, sizeof(body), false)) {
			close(c);
			continue;
		}
		for (size_t i = 0; i < sizeof(body); i++)
			if (body[i] != pattern(seq, i, 0x11))
				_exit(4);
		for (size_t i = 0; i < sizeof(resp); i++)
			resp[i] = pattern(seq, i, 0x77);
		if (full_io(c, resp, sizeof(resp), true))
			_exit(5);
		close(c);
		served++;
	}
}

struct conn {
	int fd;
	uint64_t seq;
	size_t got;	/* bytes of the response read so far */
};

/*
 * connect(), finished by poll when a signal cut it short. A freeze stops
 * it as a signal would: it is restarted, and finds the connection made
 * (EISCONN) when the handshake ended in between.
 */
static int connect_done(int fd, const struct sockaddr_in *sa)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0;

	if (!connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) || errno == EISCONN)
		return 0;
	if (errno != EINTR && errno != EALREADY && errno != EINPROGRESS)
		return -1;
	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -1;
	errno = err;
	return err ? -1 : 0;
}

static bool dropped(int err)
{
	return err == ECONNRESET || err == EPIPE || err == ENOTCONN || err == ECONNREFUSED;
}

/* 0: request sent; 2: the connection was dropped, try again; -1: failed. */
static int open_conn(const struct sockaddr_in *sa, struct conn *c, uint64_t seq)
{
	static uint8_t body[REQ_BODY];

	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	c->seq = seq;
	c->got = 0;
	if (c->fd < 0 || connect_done(c->fd, sa)) {
		test_msg("connect %llu: %s\n", (unsigned long long)seq, strerror(errno));
		return c->fd >= 0 && dropped(errno) ? 2 : -1;
	}
	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = pattern(seq, i, 0x11);
	/* the request goes in two halves, so some dumps find half of it */
	if (full_io(c->fd, &seq, sizeof(seq), true) ||
	    full_io(c->fd, body, sizeof(body) / 2, true) ||
	    full_io(c->fd, body + sizeof(body) / 2, sizeof(body) - sizeof(body) / 2, true)) {
		test_msg("send %llu: %s\n", (unsigned long long)seq, strerror(errno));
		return dropped(errno) ? 2 : -1;
	}
	return 0;
}

/* Open a connection for request @seq, again as long as one is dropped. */
static int open_retry(const struct sockaddr_in *sa, struct conn *c, uint64_t seq,
		      uint64_t *retried)
{
	int r;

	while ((r = open_conn(sa, c, seq)) == 2) {
		close(c->fd);
		++*retried;
	}
	return r;
}

/* Read what the response has ready; 1 once it is whole and the server closed. */
static int step_conn(struct conn *c)
{
	uint8_t buf[2048];
	ssize_t n = recv(c->fd, buf, sizeof(buf), 0);

	if (n < 0 && errno == EINTR)
		return 0;
	if ((n < 0 && dropped(errno)) || (n == 0 && !c->got))
		return 2;	/* dropped before the server took it: ask again */
	if (n < 0) {
		test_msg("recv %llu: %s\n", (unsigned long long)c->seq, strerror(errno));
		return -1;
	}
	if (n == 0) {
		if (c->got != RESP_LEN) {
			test_msg("response %llu ends at %zu bytes\n", (unsigned long long)c->seq,
				 c->got);
			return -1;
		}
		close(c->fd);
		return 1;
	}
	for (ssize_t i = 0; i < n; i++)
		if (c->got + i >= RESP_LEN || buf[i] != pattern(c->seq, c->got + i, 0x77)) {
			test_msg("response %llu: wrong byte at %zu\n", (unsigned long long)c->seq,
				 c->got + i);
			return -1;
		}
	c->got += n;
	return 0;
}

int main(int argc, char **argv)
{
	struct conn conns[IN_FLIGHT];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	uint64_t next = 0, done = 0, served = 0, last = DONE_SEQ, retried = 0;
	int lst, st, ret = 0, one = 1;
	pid_t srv;

	test_init(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lst = socket(AF_INET, SOCK_STREAM, 0);
	if (lst < 0 || setsockopt(lst, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) || bind(lst, (struct sockaddr *)&sa, len) ||
	    getsockname(lst, (struct sockaddr *)&sa, &len) || listen(lst, 16))
		test_setup_fail("listen: %s", strerror(errno));
	srv = fork();
	if (srv < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (srv == 0)
		server(lst);
	close(lst);

	test_daemon();

	for (int i = 0; i < IN_FLIGHT && !ret; i++)
		ret = open_retry(&sa, &conns[i], next++, &retried);
	while (!ret) {
		/* the oldest connection is the one the sequential server answers */
		struct conn *c = &conns[done % IN_FLIGHT];
		int r = step_conn(c);

		if (r < 0)
			ret = -1;
		if (r == 2) {
			close(c->fd);
			retried++;
			ret = open_retry(&sa, c, c->seq, &retried);
			continue;
		}
		if (r <= 0)
			continue;
		done++;
		if (test_go()) {
			if (done == next)
				break;
			continue;
		}
		ret = open_retry(&sa, c, next++, &retried);
	}
	if (test_break())
		done++;
	if (!ret) {
		struct conn fin;

		fin.fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fin.fd < 0 || connect(fin.fd, (struct sockaddr *)&sa, sizeof(sa)) ||
		    full_io(fin.fd, &last, sizeof(last), true) ||
		    full_io(fin.fd, &served, sizeof(served), false))
			ret = -1;
	}
	if (ret)
		kill(srv, SIGKILL);
	if (waitpid(srv, &st, 0) != srv || (!ret && (!WIFEXITED(st) || WEXITSTATUS(st))))
		fail("the server failed: status 0x%x", st);
	if (ret)
		fail("an exchange failed after %llu", (unsigned long long)done);
	if (served != done)
		fail("the server served %llu requests, the client completed %llu",
		     (unsigned long long)served, (unsigned long long)done);
	test_msg("%llu exchanges, %llu requests sent again\n", (unsigned long long)done,
		 (unsigned long long)retried);
	pass();
}
