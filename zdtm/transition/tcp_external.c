// SPDX-License-Identifier: GPL-2.0
/*
 * A TCP client in the tree talking to a server outside it (loopback),
 * dumped and restored with --tcp-established: the server is a grandchild
 * whose parent exits at once, so it is adopted outside the tree and keeps
 * running through the dump, the kill and the restore. Both sides stream a
 * deterministic byte sequence to each other without pause and check every
 * byte they receive. After SIGTERM the client stops sending and shuts its
 * side down; the server then closes cleanly if every byte it got was
 * right, or resets the connection if not. The client drains the server's
 * stream to EOF: nothing lost, doubled or reordered in either direction.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

static inline uint8_t stream_byte(uint64_t k, uint8_t salt)
{
	uint64_t x = (k >> 3) * 0x9e3779b97f4a7c15ULL;

	x ^= x >> 29;
	return (uint8_t)((x >> (8 * (k & 7))) ^ k ^ salt);
}

static void fill(uint8_t *buf, size_t len, uint64_t from, uint8_t salt)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = stream_byte(from + i, salt);
}

/* Server: check what comes in, stream out, until the client shuts down. */
static void __attribute__((noreturn)) server(int lst)
{
	static uint8_t in[16384], out[8192];
	uint64_t got = 0, sent = 0, bad = 0;
	struct linger rst = { 1, 0 };
	int c;

	alarm(300);	/* a restore that never comes must not leave it behind */
	c = accept(lst, NULL, NULL);
	close(lst);
	if (c < 0)
		_exit(1);
	fcntl(c, F_SETFL, O_NONBLOCK);
	for (;;) {
		struct pollfd p = { .fd = c, .events = POLLIN | POLLOUT };
		ssize_t n;

		if (poll(&p, 1, -1) < 0)
			continue;
		if (p.revents & POLLIN) {
			n = recv(c, in, sizeof(in), 0);
			if (n == 0)
				break;
			if (n < 0 && errno != EAGAIN)
				_exit(2);
			for (ssize_t i = 0; i < n; i++)
				bad += in[i] != stream_byte(got + i, 0x5a);
			got += n > 0 ? n : 0;
		}
		if (p.revents & POLLOUT) {
			size_t len = 1 + (sent * 131 + 17) % sizeof(out);

			fill(out, len, sent, 0xa5);
			n = send(c, out, len, MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN)
				_exit(3);
			sent += n > 0 ? n : 0;
		}
	}
	/* the verdict: a clean close, or a reset */
	if (bad)
		setsockopt(c, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
	close(c);
	_exit(0);
}

static int listen_loopback(struct sockaddr_in *sa)
{
	socklen_t len = sizeof(*sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)sa, len) ||
	    getsockname(fd, (struct sockaddr *)sa, &len) || listen(fd, 1))
		test_setup_fail("listen: %s", strerror(errno));
	return fd;
}

#ifdef SERVER_IN_TREE
static pid_t server_pid;

/* The server is the test's child: both ends are dumped and restored. */
static void start_server(int lst)
{
	server_pid = fork();
	if (server_pid < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (server_pid == 0)
		server(lst);
	close(lst);
}
#else
/* The server's grandparent exits at once: the server lives outside the tree. */
static void start_server(int lst)
{
	pid_t mid = fork(), st;

	if (mid < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (mid == 0) {
		setsid();
		if (fork() == 0)
			server(lst);
		_exit(0);
	}
	if (waitpid(mid, &st, 0) != mid)
		test_setup_fail("waitpid: %s", strerror(errno));
	close(lst);
}
#endif

int main(int argc, char **argv)
{
	static uint8_t in[16384], out[8192];
	uint64_t got = 0, sent = 0, bad = 0, bad_at = 0;
	struct sockaddr_in sa;
	bool stopping = false;
	int c;

	test_init(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	start_server(listen_loopback(&sa));
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof(sa)))
		test_setup_fail("connect: %s", strerror(errno));
	fcntl(c, F_SETFL, O_NONBLOCK);

	test_daemon();

	for (;;) {
		struct pollfd p = { .fd = c, .events = POLLIN | (stopping ? 0 : POLLOUT) };
		ssize_t n;

		if (test_go() && !stopping) {
			stopping = true;
			if (test_break()) {
				/* one byte the server does not expect */
				out[0] = ~stream_byte(sent, 0x5a);
				send(c, out, 1, 0);
			}
			if (shutdown(c, SHUT_WR))
				pfail("shutdown");
		}
		if (poll(&p, 1, 1000) < 0)
			continue;
		if (p.revents & POLLIN) {
			n = recv(c, in, sizeof(in), 0);
			if (n == 0)
				break;
			if (n < 0 && errno == ECONNRESET)
				fail("the server reset the connection: it saw a wrong byte in %llu sent",
				     (unsigned long long)sent);
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				pfail("recv");
			for (ssize_t i = 0; i < n; i++)
				if (in[i] != stream_byte(got + i, 0xa5) && !bad++)
					bad_at = got + i;
			got += n > 0 ? n : 0;
		}
		if (!stopping && (p.revents & POLLOUT)) {
			size_t len = 1 + (sent * 977) % sizeof(out);

			fill(out, len, sent, 0x5a);
			n = send(c, out, len, 0);
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				pfail("send");
			sent += n > 0 ? n : 0;
		}
	}
	if (bad)
		fail("%llu wrong bytes from the server, the first at %llu", (unsigned long long)bad,
		     (unsigned long long)bad_at);
#ifdef SERVER_IN_TREE
	{
		int st;

		if (waitpid(server_pid, &st, 0) != server_pid || !WIFEXITED(st) || WEXITSTATUS(st))
			fail("the server failed: status 0x%x", st);
	}
#endif
	test_msg("%llu bytes sent, %llu received", (unsigned long long)sent,
		 (unsigned long long)got);
	pass();
}
