// SPDX-License-Identifier: GPL-2.0
/* The UNIX_DIAG netlink query: one dump of every unix socket, parsed into a
 * flat table that the unix socket kind looks peers, names and queues up in. */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/log.h"
#include "util/sock_diag.h"
#include "util/unix_diag.h"

static int parse_attr(const struct rtattr *rta, void *arg)
{
	struct unix_diag_sk *sk = arg;
	const void *data = RTA_DATA(rta);
	size_t len = RTA_PAYLOAD(rta);

	switch (rta->rta_type) {
	case UNIX_DIAG_NAME:
		if (len > sizeof(sk->name))
			return -1;
		memcpy(sk->name, data, len);
		sk->name_len = len;
		sk->has_name = true;
		break;
	case UNIX_DIAG_VFS: {
		struct unix_diag_vfs v;

		if (len < sizeof(v))
			return -1;
		memcpy(&v, data, sizeof(v));
		sk->has_vfs = true;
		sk->vfs_ino = v.udiag_vfs_ino;
		sk->vfs_dev = v.udiag_vfs_dev;
		break;
	}
	case UNIX_DIAG_PEER:
		if (len < sizeof(uint32_t))
			return -1;
		memcpy(&sk->peer, data, sizeof(uint32_t));
		sk->has_peer = true;
		break;
	case UNIX_DIAG_ICONS:
		if (len % sizeof(uint32_t))
			return -1;
		free(sk->icons);
		sk->nr_icons = len / sizeof(uint32_t);
		sk->icons = malloc(len ? len : 1);
		if (!sk->icons)
			return -1;
		memcpy(sk->icons, data, len);
		break;
	case UNIX_DIAG_RQLEN: {
		struct unix_diag_rqlen q;

		if (len < sizeof(q))
			return -1;
		memcpy(&q, data, sizeof(q));
		sk->has_rqlen = true;
		sk->rqueue = q.udiag_rqueue;
		sk->wqueue = q.udiag_wqueue;
		break;
	}
	case UNIX_DIAG_SHUTDOWN:
		if (len < 1)
			return -1;
		sk->shutdown = *(const uint8_t *)data;
		break;
	}
	return 0;
}

static int parse_one(const struct nlmsghdr *h, void *arg)
{
	const struct unix_diag_msg *m = NLMSG_DATA(h);
	struct unix_diag_set *set = arg;
	struct unix_diag_sk *sk, *ns;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return -1;
	ns = sock_diag_grow(set->sk, set->nr, sizeof(*ns));
	if (!ns)
		return -1;
	set->sk = ns;
	sk = &set->sk[set->nr++];
	sk->ino = m->udiag_ino;
	sk->type = m->udiag_type;
	sk->state = m->udiag_state;
	return sock_diag_attrs(h, sizeof(*m), parse_attr, sk);
}

int unix_diag_parse(const void *buf, size_t len, struct unix_diag_set *set)
{
	return sock_diag_walk(buf, len, parse_one, set);
}

int unix_diag_collect(struct unix_diag_set *set)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.r = { .sdiag_family = AF_UNIX, .udiag_states = -1,
		       .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER |
				     UDIAG_SHOW_ICONS | UDIAG_SHOW_RQLEN },
	};

	return sock_diag_dump(&req, sizeof(req), "UNIX_DIAG", parse_one, set);
}

struct unix_diag_sk *unix_diag_find(const struct unix_diag_set *set, uint32_t ino)
{
	if (!ino)
		return NULL;
	for (int i = 0; i < set->nr; i++)
		if (set->sk[i].ino == ino)
			return &set->sk[i];
	return NULL;
}

void unix_diag_free(struct unix_diag_set *set)
{
	for (int i = 0; i < set->nr; i++)
		free(set->sk[i].icons);
	free(set->sk);
	set->sk = NULL;
	set->nr = 0;
}
