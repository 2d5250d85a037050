// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink sockets: protocol, port id, multicast groups (all of them, from
 * NETLINK_LIST_MEMBERSHIPS), the destination of a connected socket, and
 * the netlink flags. Messages queued to the socket are kernel replies or
 * notifications that cannot be made again: a socket with any is refused.
 */
#include <fcntl.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/files.h"
#include "fdinfo.pb-c.h"
#include "images/store.h"
#include "netlink.pb-c.h"
#include "res/table.h"
#include "util/log.h"

#define MAX_GROUP_WORDS 64	/* 2048 groups: more than any family has */

static const int nl_flags[] = {
	NETLINK_PKTINFO,      NETLINK_BROADCAST_ERROR, NETLINK_NO_ENOBUFS,
	NETLINK_LISTEN_ALL_NSID, NETLINK_CAP_ACK,      NETLINK_EXT_ACK,
	NETLINK_GET_STRICT_CHK,
};

#define NR_NL_FLAGS (sizeof(nl_flags) / sizeof(nl_flags[0]))

static struct img_store store = IMG_STORE(IMG_NETLINKSK);

static bool netlink_match(const struct fd_parms *p)
{
	int domain = -1;
	socklen_t len = sizeof(domain);

	return S_ISSOCK(p->st.st_mode) &&
	       !getsockopt(p->lfd, SOL_SOCKET, SO_DOMAIN, &domain, &len) && domain == AF_NETLINK;
}

static int sock_int(int fd, int level, int name, int *v)
{
	socklen_t len = sizeof(*v);

	return getsockopt(fd, level, name, v, &len);
}

static int netlink_dump(const struct fd_parms *p, uint32_t id)
{
	NetlinkSkEntry e = NETLINK_SK_ENTRY__INIT;
	uint32_t groups[MAX_GROUP_WORDS], flags[NR_NL_FLAGS];
	socklen_t glen = sizeof(groups), len;
	struct sockaddr_nl name, peer;
	int type, proto;
	ssize_t queued;
	char c;

	if (sock_int(p->lfd, SOL_SOCKET, SO_TYPE, &type) ||
	    sock_int(p->lfd, SOL_SOCKET, SO_PROTOCOL, &proto)) {
		pr_perror("Can't read netlink socket fd %d of pid %d", p->fd, p->pid);
		return -1;
	}
	/* netlink has no SIOCINQ: peek one byte, MSG_TRUNC tells the message size */
	queued = recv(p->lfd, &c, 1, MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC);
	if (queued >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
		pr_err("unsupported: netlink socket fd %d of pid %d has messages queued (%zd bytes first)\n",
		       p->fd, p->pid, queued);
		return -1;
	}
	len = sizeof(name);
	if (getsockname(p->lfd, (struct sockaddr *)&name, &len) ||
	    getsockopt(p->lfd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups, &glen)) {
		pr_perror("Can't read the address of netlink fd %d of pid %d", p->fd, p->pid);
		return -1;
	}
	if (glen > sizeof(groups)) {
		pr_err("unsupported: netlink fd %d of pid %d is in more than %d groups\n", p->fd,
		       p->pid, MAX_GROUP_WORDS * 32);
		return -1;
	}
	e.id = id;
	e.flags = p->flags;
	e.type = type;
	e.protocol = proto;
	e.portid = name.nl_pid;
	e.n_groups = glen / sizeof(uint32_t);
	e.groups = groups;
	len = sizeof(peer);
	if (!getpeername(p->lfd, (struct sockaddr *)&peer, &len) && (peer.nl_pid || peer.nl_groups)) {
		e.has_dst_portid = e.has_dst_group = true;
		e.dst_portid = peer.nl_pid;
		e.dst_group = peer.nl_groups;
	}
	for (size_t i = 0; i < NR_NL_FLAGS; i++) {
		int v = 0;

		/* older kernels lack some flags: they are off there */
		flags[e.n_nl_flags] = 0;
		if (!sock_int(p->lfd, SOL_NETLINK, nl_flags[i], &v) && v)
			flags[e.n_nl_flags++] = nl_flags[i];
	}
	e.nl_flags = flags;
	pr_info("fd %d of pid %d: netlink protocol %d, port %u, %zu group words\n", p->fd, p->pid,
		proto, e.portid, e.n_groups);
	return img_store_write(&store, &e.base);
}

static int netlink_dump_finish(void)
{
	return img_store_finish(&store);
}

/* ---- restore ---- */

static int netlink_collect(void)
{
	return img_store_load(&store);
}

static int join_groups(int fd, const NetlinkSkEntry *e)
{
	for (size_t w = 0; w < e->n_groups; w++)
		for (int b = 0; b < 32; b++) {
			int group = w * 32 + b + 1;

			if (!(e->groups[w] & (1u << b)))
				continue;
			if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
				       sizeof(group))) {
				pr_perror("Can't join group %d on netlink socket %u", group, e->id);
				return -1;
			}
		}
	return 0;
}

static int netlink_open(uint32_t id)
{
	NetlinkSkEntry *e = (NetlinkSkEntry *)img_store_find(&store, "id", id);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, one = 1;

	if (!e) {
		pr_err("Socket %u is missing from netlinksk.img\n", id);
		return -1;
	}
	fd = socket(AF_NETLINK, e->type | SOCK_CLOEXEC, e->protocol);
	if (fd < 0) {
		pr_perror("Can't create netlink socket %u (protocol %u)", id, e->protocol);
		return -1;
	}
	for (size_t i = 0; i < e->n_nl_flags; i++)
		if (setsockopt(fd, SOL_NETLINK, e->nl_flags[i], &one, sizeof(one))) {
			pr_perror("Can't set netlink flag %u on socket %u", e->nl_flags[i], id);
			goto err;
		}
	/* port 0: never bound; the kernel binds it at the first send as before */
	sa.nl_pid = e->portid;
	if (e->portid && bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		pr_perror("Can't bind netlink socket %u to port %u", id, e->portid);
		goto err;
	}
	if (join_groups(fd, e))
		goto err;
	if (e->has_dst_portid) {
		sa.nl_pid = e->dst_portid;
		sa.nl_groups = e->dst_group;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			pr_perror("Can't connect netlink socket %u", id);
			goto err;
		}
	}
	if (fcntl(fd, F_SETFL, e->flags & ~O_ACCMODE)) {
		pr_perror("Can't set flags %#x on netlink socket %u", e->flags, id);
		goto err;
	}
	return fd;
err:
	close(fd);
	return -1;
}

static void netlink_reset(void)
{
	img_store_reset(&store);
}

const struct fd_kind netlinksk_kind = {
	.name = "netlink socket",
	.type = FD_TYPE__NETLINKSK,
	.match = netlink_match,
	.dump = netlink_dump,
	.dump_finish = netlink_dump_finish,
	.collect = netlink_collect,
	.open = netlink_open,
	.reset = netlink_reset,
	.may_fly = true,
};
