// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink sockets: a NETLINK_ROUTE socket bound to its port id with the
 * link and IPv4-address groups (bind) and group 33 (NETLINK_ADD_MEMBERSHIP,
 * beyond the first 32), with NETLINK_NO_ENOBUFS and NETLINK_EXT_ACK; an
 * unbound one. After restore: the same port id and groups, the flags, and
 * a link dump request is answered.
 */
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zdtmtst.h"

static int groups_of(int fd, uint32_t *g, int words)
{
	socklen_t len = words * sizeof(*g);

	memset(g, 0, len);
	return getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, g, &len);
}

static int flag(int fd, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	return getsockopt(fd, SOL_NETLINK, name, &v, &len) ? -1 : v;
}

/* RTM_GETLINK dump: the kernel answers with at least the loopback device */
static int link_dump_answers(int fd)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req = { .h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 7 } };
	char buf[16384];
	ssize_t n;

	if (send(fd, &req, sizeof(req), 0) != sizeof(req))
		return 0;
	n = recv(fd, buf, sizeof(buf), 0);
	return n > (ssize_t)sizeof(struct nlmsghdr) &&
	       ((struct nlmsghdr *)buf)->nlmsg_type == RTM_NEWLINK;
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR };
	struct sockaddr_nl name, now;
	socklen_t len = sizeof(name);
	uint32_t before[4], after[4];
	int a, b, one = 1, g40 = 33;

	test_init(argc, argv);
	a = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	b = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE);
	if (a < 0 || b < 0 || bind(a, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(a, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g40, sizeof(g40)) ||
	    setsockopt(a, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one)) ||
	    setsockopt(a, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    getsockname(a, (struct sockaddr *)&name, &len) || groups_of(a, before, 4))
		test_setup_fail("netlink: %s", strerror(errno));
	test_msg("port id %u, groups %#x %#x", name.nl_pid, before[0], before[1]);

	test_daemon();
	test_waitsig();

	if (test_break())
		setsockopt(a, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &g40, sizeof(g40));

	len = sizeof(now);
	if (getsockname(a, (struct sockaddr *)&now, &len) || now.nl_pid != name.nl_pid)
		fail("the port id changed: %u, was %u", now.nl_pid, name.nl_pid);
	if (groups_of(a, after, 4) || memcmp(before, after, sizeof(before)))
		fail("the groups changed: %#x %#x, were %#x %#x", after[0], after[1], before[0],
		     before[1]);
	if (flag(a, NETLINK_NO_ENOBUFS) != 1 || flag(a, NETLINK_EXT_ACK) != 1 ||
	    flag(a, NETLINK_PKTINFO) != 0)
		fail("netlink flags changed");
	len = sizeof(now);
	if (getsockname(b, (struct sockaddr *)&now, &len) || now.nl_pid)
		fail("the unbound socket got bound (port %u)", now.nl_pid);
	if (!link_dump_answers(a) || !link_dump_answers(b))
		fail("a link dump request gets no answer");
	pass();
}
