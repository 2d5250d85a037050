// SPDX-License-Identifier: GPL-2.0
/*
 * Packet socket memberships (PACKET_ADD_MEMBERSHIP) on lo:
 *   A: SOCK_RAW: promiscuous mode added twice, all-multicast, the IPv4
 *      multicast address 01:00:5e:00:00:fb;
 *   B: SOCK_DGRAM: the IPv6 multicast address 33:33:00:00:00:01, then
 *      promiscuous mode.
 * After restore packet_diag lists, for each socket, the same memberships
 * (interface, type, address, count) in the same order.
 */
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/packet_diag.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define MAX_MC 8

struct mcs {
	int n;
	struct packet_diag_mclist mc[MAX_MC];
};

static int add(int sk, int ifindex, int type, const unsigned char *addr, int alen)
{
	struct packet_mreq mr = { .mr_ifindex = ifindex, .mr_type = type, .mr_alen = alen };

	memcpy(mr.mr_address, addr, alen);
	return setsockopt(sk, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr));
}

static int parse(const struct nlmsghdr *h, unsigned int ino, struct mcs *out)
{
	const struct packet_diag_msg *m = NLMSG_DATA(h);
	const struct rtattr *rta = (const void *)(m + 1);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));

	if (m->pdiag_ino != ino)
		return 0;
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type != PACKET_DIAG_MCLIST)
			continue;
		out->n = RTA_PAYLOAD(rta) / sizeof(out->mc[0]);
		if (out->n > MAX_MC)
			return -1;
		memcpy(out->mc, RTA_DATA(rta), out->n * sizeof(out->mc[0]));
	}
	return 1;
}

/* The memberships packet_diag lists for the socket @sk. */
static int memberships(int sk, struct mcs *out)
{
	struct {
		struct nlmsghdr h;
		struct packet_diag_req r;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = AF_PACKET, .pdiag_show = PACKET_SHOW_MCLIST },
	};
	static char buf[32768] __attribute__((aligned(8)));
	int nl, found = 0;
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (fstat(sk, &st))
		return -1;
	nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG);
	if (nl < 0 || send(nl, &req, sizeof(req), 0) < 0)
		return -1;
	for (;;) {
		int n = recv(nl, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n <= 0)
			break;
		for (; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
				goto out;
			if (!found)
				found = parse(h, st.st_ino, out);
		}
	}
out:
	close(nl);
	return found == 1 ? 0 : -1;
}

static void show(const char *what, const struct mcs *m)
{
	for (int i = 0; i < m->n; i++)
		test_msg("%s: if %u type %u alen %u count %u addr %02x..%02x\n", what,
			 m->mc[i].pdmc_index, m->mc[i].pdmc_type, m->mc[i].pdmc_alen,
			 m->mc[i].pdmc_count, m->mc[i].pdmc_addr[0], m->mc[i].pdmc_addr[5]);
}

int main(int argc, char **argv)
{
	static const unsigned char mc4[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	static const unsigned char mc6[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };
	struct mcs before[2], after[2];
	int sk[2], lo, ret = 0;

	test_init(argc, argv);
	lo = if_nametoindex("lo");
	sk[0] = socket(AF_PACKET, SOCK_RAW, 0);
	sk[1] = socket(AF_PACKET, SOCK_DGRAM, 0);
	if (!lo || sk[0] < 0 || sk[1] < 0)
		test_setup_fail("socket: %s", strerror(errno));
	if (add(sk[0], lo, PACKET_MR_PROMISC, NULL, 0) ||
	    add(sk[0], lo, PACKET_MR_PROMISC, NULL, 0) ||
	    add(sk[0], lo, PACKET_MR_ALLMULTI, NULL, 0) ||
	    add(sk[0], lo, PACKET_MR_MULTICAST, mc4, 6) ||
	    add(sk[1], lo, PACKET_MR_MULTICAST, mc6, 6) || add(sk[1], lo, PACKET_MR_PROMISC, NULL, 0))
		test_setup_fail("PACKET_ADD_MEMBERSHIP: %s", strerror(errno));
	for (int i = 0; i < 2; i++)
		if (memberships(sk[i], &before[i]))
			test_setup_fail("packet_diag of socket %d: %s", i, strerror(errno));
	if (before[0].n != 3 || before[1].n != 2)
		test_setup_fail("packet_diag lists %d and %d memberships", before[0].n, before[1].n);

	test_daemon();
	test_waitsig();

	if (test_break()) {
		struct packet_mreq mr = { .mr_ifindex = lo, .mr_type = PACKET_MR_PROMISC };

		setsockopt(sk[0], SOL_PACKET, PACKET_DROP_MEMBERSHIP, &mr, sizeof(mr));
	}
	for (int i = 0; i < 2; i++) {
		if (memberships(sk[i], &after[i])) {
			fail("packet_diag of socket %d after restore: %s", i, strerror(errno));
		}
		if (after[i].n != before[i].n ||
		    memcmp(after[i].mc, before[i].mc, before[i].n * sizeof(before[i].mc[0]))) {
			show("before", &before[i]);
			show("after", &after[i]);
			ret = -1;
		}
	}
	if (ret)
		fail("the memberships changed");
	pass();
}
