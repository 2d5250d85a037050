// SPDX-License-Identifier: GPL-2.0
/* The PACKET_DIAG netlink query, for what getsockopt cannot read back: the
 * memberships (PACKET_ADD_MEMBERSHIP) of every packet socket. */
#include <linux/packet_diag.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/packet_diag.h"
#include "util/sock_diag.h"

static int parse_mclist(struct packet_diag_sk *sk, const void *data, size_t len)
{
	const struct packet_diag_mclist *m = data;
	int n = len / sizeof(*m);

	if (len % sizeof(*m))
		return -1;
	free(sk->mc);
	sk->nr_mc = 0;
	sk->mc = calloc(n ? n : 1, sizeof(*sk->mc));
	if (!sk->mc)
		return -1;
	for (int i = 0; i < n; i++) {
		struct packet_diag_mclist one;
		struct packet_mc *mc = &sk->mc[i];

		memcpy(&one, m + i, sizeof(one));
		if (one.pdmc_alen > sizeof(mc->addr))
			return -1;
		mc->ifindex = one.pdmc_index;
		mc->count = one.pdmc_count;
		mc->type = one.pdmc_type;
		mc->alen = one.pdmc_alen;
		memcpy(mc->addr, one.pdmc_addr, sizeof(mc->addr));
	}
	sk->nr_mc = n;
	return 0;
}

static int parse_attr(const struct rtattr *rta, void *arg)
{
	if (rta->rta_type != PACKET_DIAG_MCLIST)
		return 0;
	return parse_mclist(arg, RTA_DATA(rta), RTA_PAYLOAD(rta));
}

static int parse_one(const struct nlmsghdr *h, void *arg)
{
	const struct packet_diag_msg *m = NLMSG_DATA(h);
	struct packet_diag_set *set = arg;
	struct packet_diag_sk *ns;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return -1;
	ns = sock_diag_grow(set->sk, set->nr, sizeof(*ns));
	if (!ns)
		return -1;
	set->sk = ns;
	ns[set->nr].ino = m->pdiag_ino;
	return sock_diag_attrs(h, sizeof(*m), parse_attr, &ns[set->nr++]);
}

int packet_diag_parse(const void *buf, size_t len, struct packet_diag_set *set)
{
	return sock_diag_walk(buf, len, parse_one, set);
}

int packet_diag_collect(struct packet_diag_set *set)
{
	struct {
		struct nlmsghdr h;
		struct packet_diag_req r;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.r = { .sdiag_family = AF_PACKET, .pdiag_show = PACKET_SHOW_MCLIST },
	};

	return sock_diag_dump(&req, sizeof(req), "PACKET_DIAG", parse_one, set);
}

struct packet_diag_sk *packet_diag_find(const struct packet_diag_set *set, uint32_t ino)
{
	for (int i = 0; i < set->nr; i++)
		if (set->sk[i].ino == ino)
			return &set->sk[i];
	return NULL;
}

void packet_diag_free(struct packet_diag_set *set)
{
	for (int i = 0; i < set->nr; i++)
		free(set->sk[i].mc);
	free(set->sk);
	set->sk = NULL;
	set->nr = 0;
}
