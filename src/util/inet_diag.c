// SPDX-License-Identifier: GPL-2.0
/* The INET_DIAG netlink query for TCP sockets: who is at the other end of a
 * connection, and whether it has a file (accepted) or not. */
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/inet_diag.h"
#include "util/sock_diag.h"

static int parse_one(const struct nlmsghdr *h, void *arg)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	struct inet_diag_set *set = arg;
	struct inet_diag_sk *ns, *sk;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return -1;
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return -1;
	ns = sock_diag_grow(set->sk, set->nr, sizeof(*ns));
	if (!ns)
		return -1;
	set->sk = ns;
	sk = &ns[set->nr++];
	sk->family = m->idiag_family;
	sk->state = m->idiag_state;
	sk->ino = m->idiag_inode;
	sk->sport = m->id.idiag_sport;
	sk->dport = m->id.idiag_dport;
	memcpy(sk->src, m->id.idiag_src, sizeof(sk->src));
	memcpy(sk->dst, m->id.idiag_dst, sizeof(sk->dst));
	return 0;
}

int inet_diag_parse(const void *buf, size_t len, struct inet_diag_set *set)
{
	return sock_diag_walk(buf, len, parse_one, set);
}

int inet_diag_collect(struct inet_diag_set *set, uint32_t states)
{
	static const int families[] = { AF_INET, AF_INET6 };

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		struct {
			struct nlmsghdr h;
			struct inet_diag_req_v2 r;
		} req = {
			.h = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
			.r = { .sdiag_family = families[i], .sdiag_protocol = IPPROTO_TCP,
			       .idiag_states = states },
		};

		if (sock_diag_dump(&req, sizeof(req), "INET_DIAG", parse_one, set))
			return -1;
	}
	return 0;
}

void inet_diag_free(struct inet_diag_set *set)
{
	free(set->sk);
	set->sk = NULL;
	set->nr = 0;
}
