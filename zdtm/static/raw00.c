// SPDX-License-Identifier: GPL-2.0
/*
 * Raw inet sockets:
 *   A: IPv4 ICMP, ICMP_FILTER letting only echo replies in, bound to
 *      127.0.0.1 and connected to 127.0.0.2;
 *   H: IPv4 raw UDP with IP_HDRINCL, neither bound nor connected;
 *   S: IPv6 ICMPv6, ICMP6_FILTER letting only echo replies in, bound and
 *      connected to ::1.
 * After restore each has the same address and options, and A and S still
 * ping: an echo request sent with send() (so only if still connected) gets
 * its reply on the same socket.
 */
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zdtmtst.h"

#ifndef ICMP_FILTER
#define ICMP_FILTER 1	/* linux/icmp.h, which clashes with netinet/ip_icmp.h */
#endif

static uint16_t checksum(const void *buf, size_t len)
{
	const uint16_t *w = buf;
	uint32_t sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	if (len)
		sum += *(const uint8_t *)w;
	sum = (sum >> 16) + (sum & 0xffff);
	sum += sum >> 16;
	return ~sum;
}

/* An echo request with @id through connected @sk; 0 if its reply comes back on @sk. */
static int ping(int sk, bool v6, uint16_t id)
{
	uint8_t req[16] = { 0 }, rep[256];
	struct pollfd pfd = { sk, POLLIN, 0 };
	ssize_t n;

	req[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	memcpy(req + 4, &id, 2);
	memcpy(req + 8, "zdtmraw0", 8);
	if (!v6) {
		uint16_t c = checksum(req, sizeof(req));

		memcpy(req + 2, &c, 2);
	}
	if (send(sk, req, sizeof(req), 0) != sizeof(req))
		return -1;
	while (poll(&pfd, 1, 3000) == 1) {
		const uint8_t *icmp = rep;

		n = recv(sk, rep, sizeof(rep), 0);
		if (n <= 0)
			return -1;
		if (!v6)	/* an IPv4 raw socket gets the IP header too */
			icmp = rep + (rep[0] & 0xf) * 4;
		if (icmp[0] == (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY) && !memcmp(icmp + 4, &id, 2))
			return 0;
	}
	return -1;
}

static void addr_of(int sk, struct sockaddr_storage *ss)
{
	socklen_t len = sizeof(*ss);

	memset(ss, 0, sizeof(*ss));
	if (getsockname(sk, (struct sockaddr *)ss, &len))
		test_setup_fail("getsockname: %s", strerror(errno));
}

static int sockopt(int sk, int level, int name, void *val, socklen_t len)
{
	return getsockopt(sk, level, name, val, &len);
}

int main(int argc, char **argv)
{
	struct sockaddr_in lo = { .sin_family = AF_INET }, lo2 = { .sin_family = AF_INET };
	struct sockaddr_in6 lo6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_storage na[3], nb[3];
	struct icmp6_filter f6, g6;
	uint32_t f4 = ~(1u << ICMP_ECHOREPLY), g4 = 0;
	int a, h, s, one = 1, hdr = 0;

	test_init(argc, argv);
	inet_pton(AF_INET, "127.0.0.1", &lo.sin_addr);
	inet_pton(AF_INET, "127.0.0.2", &lo2.sin_addr);
	ICMP6_FILTER_SETBLOCKALL(&f6);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f6);
	a = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	h = socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
	s = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	if (a < 0 || h < 0 || s < 0)
		test_setup_fail("socket: %s", strerror(errno));
	if (setsockopt(a, SOL_RAW, ICMP_FILTER, &f4, sizeof(f4)) ||
	    bind(a, (struct sockaddr *)&lo, sizeof(lo)) ||
	    connect(a, (struct sockaddr *)&lo2, sizeof(lo2)) ||
	    setsockopt(h, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) ||
	    setsockopt(s, IPPROTO_ICMPV6, ICMP6_FILTER, &f6, sizeof(f6)) ||
	    bind(s, (struct sockaddr *)&lo6, sizeof(lo6)) ||
	    connect(s, (struct sockaddr *)&lo6, sizeof(lo6)))
		test_setup_fail("setting up: %s", strerror(errno));
	if (ping(a, false, 0x1234) || ping(s, true, 0x1235))
		test_setup_fail("ping before the dump: %s", strerror(errno));
	addr_of(a, &na[0]);
	addr_of(h, &na[1]);
	addr_of(s, &na[2]);

	test_daemon();
	test_waitsig();

	if (test_break()) {
		close(a);
		a = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	}
	addr_of(a, &nb[0]);
	addr_of(h, &nb[1]);
	addr_of(s, &nb[2]);
	for (int i = 0; i < 3; i++)
		if (memcmp(&na[i], &nb[i], sizeof(na[i])))
			fail("socket %c: its address changed", "AHS"[i]);
	if (sockopt(a, SOL_RAW, ICMP_FILTER, &g4, sizeof(g4)) || g4 != f4)
		fail("A: ICMP_FILTER is %#x, expected %#x", g4, f4);
	if (sockopt(h, IPPROTO_IP, IP_HDRINCL, &hdr, sizeof(hdr)) || hdr != 1)
		fail("H: IP_HDRINCL is %d", hdr);
	if (sockopt(s, IPPROTO_ICMPV6, ICMP6_FILTER, &g6, sizeof(g6)) || memcmp(&g6, &f6, sizeof(f6)))
		fail("S: ICMP6_FILTER changed");
	if (ping(a, false, 0x4321))
		fail("A does not ping 127.0.0.2 any more: %s", strerror(errno));
	if (ping(s, true, 0x4322))
		fail("S does not ping ::1 any more: %s", strerror(errno));
	pass();
}
