// SPDX-License-Identifier: GPL-2.0
/*
 * Inet sockets without connection state, IPv4 and IPv6:
 *   - TCP listening on 127.0.0.1 with SO_REUSEADDR, SO_KEEPALIVE and its
 *     timers, TCP_NODELAY, SO_LINGER, IP_TOS, IP_TTL, SO_RCVBUF, backlog 7,
 *     O_NONBLOCK; shared with a child (one description);
 *   - TCP listening on [::1] with IPV6_V6ONLY and SO_REUSEPORT;
 *   - a TCP socket bound to a port but not listening; an unbound one;
 *   - UDP bound to 127.0.0.1; UDP connected to it from another socket.
 * After restore: same addresses and options, the listeners accept new
 * connections (also the child's copy), UDP datagrams flow both ways.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

struct opt {
	int level, name, value;
};

static const struct opt lst4_opts[] = {
	{ SOL_SOCKET, SO_REUSEADDR, 1 },  { SOL_SOCKET, SO_KEEPALIVE, 1 },
	{ IPPROTO_TCP, TCP_KEEPIDLE, 77 }, { IPPROTO_TCP, TCP_KEEPINTVL, 11 },
	{ IPPROTO_TCP, TCP_KEEPCNT, 5 },  { IPPROTO_TCP, TCP_NODELAY, 1 },
	{ IPPROTO_IP, IP_TOS, 0x10 },	   { IPPROTO_IP, IP_TTL, 33 },
};

static const struct opt lst6_opts[] = {
	{ IPPROTO_IPV6, IPV6_V6ONLY, 1 },
	{ SOL_SOCKET, SO_REUSEPORT, 1 },
};

#define NR(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int set_opts(int fd, const struct opt *o, int n)
{
	for (int i = 0; i < n; i++)
		if (setsockopt(fd, o[i].level, o[i].name, &o[i].value, sizeof(int)))
			return -1;
	return 0;
}

static int check_opts(int fd, const char *what, const struct opt *o, int n)
{
	int bad = 0;

	for (int i = 0; i < n; i++) {
		int v = -1;
		socklen_t len = sizeof(v);

		if (getsockopt(fd, o[i].level, o[i].name, &v, &len) || v != o[i].value) {
			test_msg("%s: option %d:%d is %d, expected %d", what, o[i].level, o[i].name,
				 v, o[i].value);
			bad++;
		}
	}
	return bad;
}

static int bound(int family, int type, struct sockaddr_storage *ss, socklen_t *len)
{
	int fd = socket(family, type, 0);

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		*len = sizeof(*in6);
	}
	return fd;
}

static int do_bind(int fd, struct sockaddr_storage *ss, socklen_t *len)
{
	if (bind(fd, (struct sockaddr *)ss, *len))
		return -1;
	return getsockname(fd, (struct sockaddr *)ss, len);
}

static int same_name(int fd, const struct sockaddr_storage *ss, socklen_t len, const char *what)
{
	struct sockaddr_storage now;
	socklen_t nl = sizeof(now);

	if (getsockname(fd, (struct sockaddr *)&now, &nl) || nl != len || memcmp(&now, ss, len)) {
		test_msg("%s: address changed", what);
		return 1;
	}
	return 0;
}

/* connect a fresh client to @ss and accept it on @lfd (nonblocking listener: poll) */
static int can_accept(int lfd, const struct sockaddr_storage *ss, socklen_t len, const char *what)
{
	int c = socket(ss->ss_family, SOCK_STREAM, 0), a = -1;

	if (c < 0 || connect(c, (const struct sockaddr *)ss, len)) {
		test_msg("%s: connect: %s", what, strerror(errno));
		close(c);
		return 1;
	}
	for (int i = 0; i < 1000 && a < 0; i++) {
		a = accept(lfd, NULL, NULL);
		if (a < 0)
			usleep(1000);
	}
	close(c);
	if (a < 0) {
		test_msg("%s: accept: %s", what, strerror(errno));
		return 1;
	}
	close(a);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage a4, a6, ab, au;
	socklen_t l4, l6, lb, lu;
	int lst4, lst6, tb, tu, ub, uc, bad = 0, rcvbuf, st;
	struct linger lg = { 1, 9 }, lg2;
	socklen_t len;
	char buf[16];
	pid_t child;

	test_init(argc, argv);

	lst4 = bound(AF_INET, SOCK_STREAM, &a4, &l4);
	lst6 = bound(AF_INET6, SOCK_STREAM, &a6, &l6);
	tb = bound(AF_INET, SOCK_STREAM, &ab, &lb);
	tu = socket(AF_INET6, SOCK_STREAM, 0);
	ub = bound(AF_INET, SOCK_DGRAM, &au, &lu);
	uc = socket(AF_INET, SOCK_DGRAM, 0);
	rcvbuf = 65536;
	if (lst4 < 0 || lst6 < 0 || tb < 0 || tu < 0 || ub < 0 || uc < 0 ||
	    set_opts(lst4, lst4_opts, NR(lst4_opts)) || set_opts(lst6, lst6_opts, NR(lst6_opts)) ||
	    setsockopt(lst4, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) ||
	    setsockopt(lst4, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		test_setup_fail("sockets: %s", strerror(errno));
	len = sizeof(rcvbuf);
	getsockopt(lst4, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len);
	if (do_bind(lst4, &a4, &l4) || do_bind(lst6, &a6, &l6) || do_bind(tb, &ab, &lb) ||
	    do_bind(ub, &au, &lu) || listen(lst4, 7) || listen(lst6, 3) ||
	    connect(uc, (struct sockaddr *)&au, lu) || fcntl(lst4, F_SETFL, O_NONBLOCK))
		test_setup_fail("bind/listen/connect: %s", strerror(errno));

	child = fork();
	if (child < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (child == 0) {
		/* the child's copy of the listener keeps accepting after restore */
		test_waitsig();
		_exit(can_accept(lst4, &a4, l4, "child's listener"));
	}

	test_daemon();
	test_waitsig();

	if (test_break()) {
		int v = 0;

		setsockopt(lst4, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v));
	}

	bad += same_name(lst4, &a4, l4, "IPv4 listener") + same_name(lst6, &a6, l6, "IPv6 listener");
	bad += same_name(tb, &ab, lb, "bound TCP") + same_name(ub, &au, lu, "bound UDP");
	bad += check_opts(lst4, "IPv4 listener", lst4_opts, NR(lst4_opts));
	bad += check_opts(lst6, "IPv6 listener", lst6_opts, NR(lst6_opts));
	len = sizeof(lg2);
	if (getsockopt(lst4, SOL_SOCKET, SO_LINGER, &lg2, &len) || !lg2.l_onoff ||
	    lg2.l_linger != 9)
		bad++, test_msg("SO_LINGER changed");
	len = sizeof(st);
	if (getsockopt(lst4, SOL_SOCKET, SO_RCVBUF, &st, &len) || st != rcvbuf)
		bad++, test_msg("SO_RCVBUF is %d, expected %d", st, rcvbuf);
	if (!(fcntl(lst4, F_GETFL) & O_NONBLOCK))
		bad++, test_msg("the IPv4 listener lost O_NONBLOCK");
	len = sizeof(st);
	if (getsockopt(tb, SOL_SOCKET, SO_ACCEPTCONN, &st, &len) || st)
		bad++, test_msg("the bound TCP socket listens");
	bad += can_accept(lst4, &a4, l4, "IPv4 listener") + can_accept(lst6, &a6, l6, "IPv6 listener");
	if (send(uc, "ping", 4, 0) != 4 || recv(ub, buf, sizeof(buf), 0) != 4 ||
	    memcmp(buf, "ping", 4))
		bad++, test_msg("UDP: the connected socket cannot reach the bound one");
	kill(child, SIGTERM);
	if (waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st))
		bad++, test_msg("the child's listener failed");
	if (bad)
		fail("sockets changed (see messages above)");
	pass();
}
