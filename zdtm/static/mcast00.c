// SPDX-License-Identifier: GPL-2.0
/*
 * Multicast memberships of UDP sockets, on the loopback device:
 *   A (IPv4): 239.77.1.1 any source; 239.77.2.2 all sources but
 *      127.0.0.2 (exclude filter); 232.77.3.3 from 127.0.0.1 only (include
 *      filter); IP_MULTICAST_TTL 5;
 *   B (IPv6): ff02::77:1.
 * After restore each group is joined with the same filter, no other is,
 * and a datagram sent to 239.77.1.1 on the loopback device reaches A.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zdtmtst.h"

struct want {
	int family;
	const char *group;
	bool joined;
	unsigned fmode;
	const char *source;	/* the one source of the filter, or NULL */
};

static const struct want wants[] = {
	{ AF_INET, "239.77.1.1", true, MCAST_EXCLUDE, NULL },
	{ AF_INET, "239.77.2.2", true, MCAST_EXCLUDE, "127.0.0.2" },
	{ AF_INET, "232.77.3.3", true, MCAST_INCLUDE, "127.0.0.1" },
	{ AF_INET6, "ff02::77:1", true, MCAST_EXCLUDE, NULL },
	{ AF_INET, "239.77.9.9", false, 0, NULL },
};

static unsigned lo;

static void to_ss(struct sockaddr_storage *ss, int family, const char *addr)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = family;
	if (family == AF_INET)
		inet_pton(AF_INET, addr, &((struct sockaddr_in *)ss)->sin_addr);
	else
		inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)ss)->sin6_addr);
}

static int level(int family)
{
	return family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
}

static void join(int sk, const struct want *w)
{
	struct group_source_req gsr = { .gsr_interface = lo };
	struct group_req gr = { .gr_interface = lo };
	int ret;

	to_ss(&gr.gr_group, w->family, w->group);
	if (w->fmode == MCAST_INCLUDE) {
		gsr.gsr_group = gr.gr_group;
		to_ss(&gsr.gsr_source, w->family, w->source);
		ret = setsockopt(sk, level(w->family), MCAST_JOIN_SOURCE_GROUP, &gsr, sizeof(gsr));
	} else {
		ret = setsockopt(sk, level(w->family), MCAST_JOIN_GROUP, &gr, sizeof(gr));
		if (!ret && w->source) {
			gsr.gsr_group = gr.gr_group;
			to_ss(&gsr.gsr_source, w->family, w->source);
			ret = setsockopt(sk, level(w->family), MCAST_BLOCK_SOURCE, &gsr,
					 sizeof(gsr));
		}
	}
	if (ret)
		test_setup_fail("joining %s: %s", w->group, strerror(errno));
}

/* The socket's membership of @w's group is as wanted; 0 if so. */
static int check(int sk, const struct want *w)
{
	char buf[sizeof(struct group_filter) + 4 * sizeof(struct sockaddr_storage)];
	struct group_filter *gf = (struct group_filter *)buf;
	struct sockaddr_storage src;
	socklen_t len = sizeof(buf);

	memset(buf, 0, sizeof(buf));
	gf->gf_interface = lo;
	to_ss(&gf->gf_group, w->family, w->group);
	gf->gf_numsrc = 4;
	if (getsockopt(sk, level(w->family), MCAST_MSFILTER, gf, &len)) {
		if (!w->joined && errno == EADDRNOTAVAIL)
			return 0;
		test_msg("%s: not joined: %s", w->group, strerror(errno));
		return 1;
	}
	if (!w->joined) {
		test_msg("%s: joined, it never was", w->group);
		return 1;
	}
	if (gf->gf_fmode != w->fmode || gf->gf_numsrc != (w->source ? 1u : 0u)) {
		test_msg("%s: mode %u with %u sources", w->group, gf->gf_fmode, gf->gf_numsrc);
		return 1;
	}
	if (w->source) {
		to_ss(&src, w->family, w->source);
		if (memcmp(&gf->gf_slist[0], &src, sizeof(src))) {
			test_msg("%s: another source in the filter", w->group);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in any = { .sin_family = AF_INET }, to = { .sin_family = AF_INET };
	struct sockaddr_in6 any6 = { .sin6_family = AF_INET6 };
	struct in_addr lo_addr = { htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(any);
	int a, b, s, ttl = 5, got = 0, bad = 0;
	char buf[8];

	test_init(argc, argv);
	lo = if_nametoindex("lo");
	a = socket(AF_INET, SOCK_DGRAM, 0);
	b = socket(AF_INET6, SOCK_DGRAM, 0);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (!lo || a < 0 || b < 0 || s < 0 || bind(a, (struct sockaddr *)&any, sizeof(any)) ||
	    getsockname(a, (struct sockaddr *)&any, &alen) ||
	    bind(b, (struct sockaddr *)&any6, sizeof(any6)) ||
	    setsockopt(a, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) ||
	    setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &lo_addr, sizeof(lo_addr)))
		test_setup_fail("setting up: %s", strerror(errno));
	for (int i = 0; i < 4; i++)
		join(wants[i].family == AF_INET ? a : b, &wants[i]);

	test_daemon();
	test_waitsig();

	if (test_break()) {
		struct group_req gr = { .gr_interface = lo };

		to_ss(&gr.gr_group, AF_INET, "239.77.2.2");
		setsockopt(a, IPPROTO_IP, MCAST_LEAVE_GROUP, &gr, sizeof(gr));
	}
	for (int i = 0; i < 5; i++)
		bad |= check(wants[i].family == AF_INET ? a : b, &wants[i]);
	alen = sizeof(ttl);
	if (getsockopt(a, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, &alen) || ttl != 5)
		bad |= (test_msg("A: IP_MULTICAST_TTL %d", ttl), 1);
	to.sin_port = any.sin_port;
	inet_pton(AF_INET, "239.77.1.1", &to.sin_addr);
	if (sendto(s, "mc", 2, 0, (struct sockaddr *)&to, sizeof(to)) == 2) {
		struct timeval tv = { 2, 0 };

		setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		got = recv(a, buf, sizeof(buf), 0) == 2;
	}
	if (!got)
		bad |= (test_msg("A: nothing from 239.77.1.1: %s", strerror(errno)), 1);
	if (bad)
		fail("the multicast memberships changed");
	pass();
}
