// SPDX-License-Identifier: GPL-2.0
/*
 * --skip-in-flight with both ends in the tree: the test's child holds a
 * listener; the test connected to it twice and sent on both, and the child
 * accepted only the first. The second, queued, connection is dropped with
 * the listener's queue, so the test's end of it comes back closed: it reads
 * end of file at once instead of waiting for ever. The accepted connection
 * is carried as usual, and the listener has nothing queued and accepts new
 * connections.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

/* The child's half: the accepted connection and the listener, after restore. */
static int listener_side(int l, int srv, const struct sockaddr_in *sa)
{
	struct pollfd pf = { .fd = l, .events = POLLIN };
	socklen_t len = sizeof(*sa);
	char buf[16];
	int late;

	if (recv(srv, buf, sizeof(buf), 0) != 4 || memcmp(buf, "ping", 4))
		return 2;
	fcntl(l, F_SETFL, O_NONBLOCK);
	if (accept(l, NULL, NULL) >= 0 || errno != EAGAIN)
		return 3;
	late = socket(AF_INET, SOCK_STREAM, 0);
	if (late < 0 || connect(late, (const struct sockaddr *)sa, len))
		return 4;
	if (poll(&pf, 1, 3000) != 1 || accept(l, NULL, NULL) < 0)
		return 5;
	return 0;
}

#ifdef DUAL_STACK
/* An IPv6 listener taking IPv4 connections too; @sa gets its port. */
static int make_listener(struct sockaddr_in *sa)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	socklen_t len = sizeof(s6);
	int l = socket(AF_INET6, SOCK_STREAM, 0), off = 0;

	if (l < 0 || setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    bind(l, (struct sockaddr *)&s6, len) || getsockname(l, (struct sockaddr *)&s6, &len) ||
	    listen(l, 4))
		return -1;
	sa->sin_port = s6.sin6_port;
	return l;
}
#else
static int make_listener(struct sockaddr_in *sa)
{
	socklen_t len = sizeof(*sa);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	if (l < 0 || bind(l, (struct sockaddr *)sa, len) ||
	    getsockname(l, (struct sockaddr *)sa, &len) || listen(l, 4))
		return -1;
	return l;
}
#endif

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int l, queued, cli, srv, go[2], st;
	struct pollfd pf;
	char buf[16];
	pid_t child;

	test_init(argc, argv);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = make_listener(&sa);
	cli = socket(AF_INET, SOCK_STREAM, 0);
	queued = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || cli < 0 || queued < 0 || pipe(go) || connect(cli, (struct sockaddr *)&sa, len))
		test_setup_fail("sockets: %s", strerror(errno));
	srv = accept(l, NULL, NULL);
	if (srv < 0 || connect(queued, (struct sockaddr *)&sa, len) ||
	    send(queued, "hello", 5, 0) != 5 || send(cli, "ping", 4, 0) != 4)
		test_setup_fail("connect: %s", strerror(errno));
	child = fork();
	if (child < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (child == 0) {
		close(queued);
		close(go[1]);
		while (read(go[0], buf, 1) < 0 && errno == EINTR)
			;
		_exit(listener_side(l, srv, &sa));
	}
	close(l);
	close(srv);
	close(go[0]);

	test_daemon();
	test_waitsig();

	if (test_break()) {
		/* what the old restore gave: a connection nobody answers */
		queued = socket(AF_INET, SOCK_STREAM, 0);
		if (queued < 0 || connect(queued, (struct sockaddr *)&sa, len))
			test_msg("break: connect: %s\n", strerror(errno));
	}
	pf = (struct pollfd){ .fd = queued, .events = POLLIN };
	if (poll(&pf, 1, 3000) != 1) {
		kill(child, SIGKILL);
		fail("the client of the dropped connection still waits");
	}
	if (recv(queued, buf, sizeof(buf), 0) != 0) {
		kill(child, SIGKILL);
		fail("the client of the dropped connection reads data, not end of file: %s",
		     strerror(errno));
	}
	close(go[1]);
	if (waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st))
		fail("the listener's side failed: status 0x%x (2: data, 3: queue not empty, "
		     "4/5: no new connection)", st);
	pass();
}
