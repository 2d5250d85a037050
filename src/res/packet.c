// SPDX-License-Identifier: GPL-2.0
/*
 * Packet sockets (AF_PACKET), SOCK_RAW and SOCK_DGRAM: the protocol they
 * receive, the interface they are bound to (saved by name, found again by
 * name on restore, so the index may differ there), their options where
 * they differ from a fresh packet socket's (PACKET_* and the generic
 * SOL_SOCKET ones), a classic BPF filter and SO_LOCK_FILTER.
 *
 * Memberships (PACKET_ADD_MEMBERSHIP: promiscuous, all-multicast, multicast
 * and unicast addresses, with how many times each was added) are read from
 * packet_diag, which lists them per socket, and added again by interface
 * name on restore.
 *
 * Refused, one line each: a socket in a fanout group (the group is shared
 * with sockets outside the tree and cannot be read back), one with an RX
 * or TX ring (the ring's frames and the task's mapping of it), a mapping
 * of such a ring even where no fd is left, an eBPF filter, a socket bound
 * to an interface that was removed, a socket of another network namespace
 * and the obsolete SOCK_PACKET type.
 *
 * Not carried, by design or for want of a kernel interface:
 * - queued packets: a packet socket drops packets whenever its buffer is
 *   full, so a lost queue is what the task is written for, while sending
 *   them again would put duplicate traffic on the wire. The dump warns
 *   with what was queued.
 * - PACKET_STATISTICS: reading the counters resets them, so they are not
 *   read and start again from zero.
 * - PACKET_COPY_THRESH cannot be read; it only matters to rings, refused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/net_tstamp.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/files.h"
#include "fdinfo.pb-c.h"
#include "images/store.h"
#include "packet.pb-c.h"
#include "res/table.h"
#include "util/log.h"
#include "util/packet_diag.h"
#include "util/procnet.h"
#include "util/sockopt.h"

#ifndef PACKET_VNET_HDR_SZ
#define PACKET_VNET_HDR_SZ 24
#endif

#define PACKET_MAX_MEMBERS 64	/* per socket, a record's worth */
#define PACKET_MAX_COUNT 65536	/* times one membership was added, for damaged images */

struct pk_opt {
	int level, name;
};

/* Set before bind, in this order: PACKET_VNET_HDR_SZ refines PACKET_VNET_HDR. */
static const struct pk_opt pk_opts[] = {
	{ SOL_PACKET, PACKET_VERSION },
	{ SOL_PACKET, PACKET_RESERVE },
	{ SOL_PACKET, PACKET_AUXDATA },
	{ SOL_PACKET, PACKET_ORIGDEV },
	{ SOL_PACKET, PACKET_VNET_HDR },
	{ SOL_PACKET, PACKET_VNET_HDR_SZ },
	{ SOL_PACKET, PACKET_TIMESTAMP },
	{ SOL_PACKET, PACKET_QDISC_BYPASS },
	{ SOL_PACKET, PACKET_IGNORE_OUTGOING },
	{ SOL_PACKET, PACKET_LOSS },
	{ SOL_PACKET, PACKET_TX_HAS_OFF },
	{ SOL_SOCKET, SO_SNDBUF },
	{ SOL_SOCKET, SO_RCVBUF },
	{ SOL_SOCKET, SO_PRIORITY },
	{ SOL_SOCKET, SO_MARK },
	{ SOL_SOCKET, SO_RCVLOWAT },
	{ SOL_SOCKET, SO_RCVTIMEO_OLD },
	{ SOL_SOCKET, SO_SNDTIMEO_OLD },
	{ SOL_SOCKET, SO_TIMESTAMP_OLD },
	{ SOL_SOCKET, SO_TIMESTAMPNS_OLD },
	{ SOL_SOCKET, SO_TIMESTAMPING_OLD },
	{ SOL_SOCKET, SO_RXQ_OVFL },
	{ SOL_SOCKET, SO_BINDTODEVICE },
};

#define NR_PK_OPTS (sizeof(pk_opts) / sizeof(pk_opts[0]))
#define OPT_MAX 32	/* past the longest value: a timeval, an interface name */

static struct img_store store = IMG_STORE(IMG_PACKETSK);
/* every packet socket's memberships, asked for once per dump */
static struct packet_diag_set diag;
static bool diag_read;

static bool packet_match(const struct fd_parms *p)
{
	int domain = -1;
	socklen_t len = sizeof(domain);

	return S_ISSOCK(p->st.st_mode) &&
	       !getsockopt(p->lfd, SOL_SOCKET, SO_DOMAIN, &domain, &len) && domain == AF_PACKET;
}

/*
 * A ring can be set up and never mapped, or mapped by a task that closed
 * its fd. The kernel refuses to change PACKET_VERSION while either ring
 * exists: setting the version the socket already has tells, and changes
 * nothing otherwise.
 */
static int has_ring(int fd)
{
	int v;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, &len))
		return -1;
	if (!setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)))
		return 0;
	return errno == EBUSY ? 1 : -1;
}

/* What cannot be carried, refused with one line; 0 if none. */
static int check_carried(const struct fd_parms *p, int type, const struct sockaddr_ll *sa)
{
	int fanout = 0, ring;
	socklen_t len = sizeof(fanout);

	if (type != SOCK_RAW && type != SOCK_DGRAM) {
		pr_err("unsupported: packet socket of type %d (SOCK_PACKET is obsolete) fd %d of pid %d\n",
		       type, p->fd, p->pid);
		return -1;
	}
	if (sa->sll_ifindex < 0) {
		pr_err("unsupported: packet socket fd %d of pid %d was bound to an interface that is gone\n",
		       p->fd, p->pid);
		return -1;
	}
	if (getsockopt(p->lfd, SOL_PACKET, PACKET_FANOUT, &fanout, &len)) {
		pr_perror("Can't read PACKET_FANOUT of packet socket fd %d of pid %d", p->fd, p->pid);
		return -1;
	}
	if (fanout) {
		pr_err("unsupported: packet socket fd %d of pid %d is in fanout group %u (PACKET_FANOUT)\n",
		       p->fd, p->pid, fanout & 0xffff);
		return -1;
	}
	ring = has_ring(p->lfd);
	if (ring < 0) {
		pr_perror("Can't probe packet socket fd %d of pid %d for a ring", p->fd, p->pid);
		return -1;
	}
	if (ring) {
		pr_err("unsupported: packet socket fd %d of pid %d has a ring (PACKET_RX_RING/PACKET_TX_RING)\n",
		       p->fd, p->pid);
		return -1;
	}
	return 0;
}

static int save_opts(const struct fd_parms *p, int type, PacketSkEntry *e, PacketSkOpt *opts,
		     uint8_t (*vals)[OPT_MAX])
{
	int fresh = socket(AF_PACKET, type | SOCK_CLOEXEC, 0);

	if (fresh < 0) {
		pr_perror("Can't make a packet socket to compare fd %d of pid %d with", p->fd,
			  p->pid);
		return -1;
	}
	for (size_t i = 0; i < NR_PK_OPTS; i++) {
		const struct pk_opt *o = &pk_opts[i];
		socklen_t len = OPT_MAX;
		int diff = sockopt_differs(p->lfd, fresh, o->level, o->name, vals[e->n_opts], &len);

		/* an option this kernel does not have is off */
		if (diff < 0 && errno == ENOPROTOOPT)
			continue;
		if (diff < 0) {
			pr_perror("Can't read option %d:%d of packet socket fd %d of pid %d",
				  o->level, o->name, p->fd, p->pid);
			goto err;
		}
		if (!diff)
			continue;
		opts[e->n_opts] = (PacketSkOpt)PACKET_SK_OPT__INIT;
		opts[e->n_opts].level = o->level;
		opts[e->n_opts].name = o->name;
		opts[e->n_opts].value.data = vals[e->n_opts];
		opts[e->n_opts].value.len = len;
		e->opts[e->n_opts] = &opts[e->n_opts];
		e->n_opts++;
	}
	close(fresh);
	return 0;
err:
	close(fresh);
	return -1;
}

static int check_timestamping(const struct fd_parms *p, const PacketSkEntry *e)
{
	for (size_t i = 0; i < e->n_opts; i++) {
		int v;

		if (e->opts[i]->level != SOL_SOCKET || e->opts[i]->name != SO_TIMESTAMPING_OLD ||
		    e->opts[i]->value.len != sizeof(v))
			continue;
		memcpy(&v, e->opts[i]->value.data, sizeof(v));
		/* the PHC it was bound to is not told back */
		if (v & SOF_TIMESTAMPING_BIND_PHC) {
			pr_err("unsupported: SO_TIMESTAMPING bound to a PHC on packet socket fd %d of pid %d\n",
			       p->fd, p->pid);
			return -1;
		}
	}
	return 0;
}

/* Queued packets are dropped (see the top of the file); say how many bytes. */
static void warn_queued(const struct fd_parms *p, const struct procnet_packet *row)
{
	int first = 0;

	if (ioctl(p->lfd, SIOCINQ, &first))
		first = 0;
	if (row->rmem || first)
		pr_warn("packet socket fd %d of pid %d: %lu bytes of packets queued (the first %d bytes) are dropped, not carried\n",
			p->fd, p->pid, row->rmem, first);
}

static int name_ifindex(const struct fd_parms *p, int ifindex, char *name)
{
	struct ifreq ifr = { .ifr_ifindex = ifindex };

	/* in the socket's own namespace */
	if (ioctl(p->lfd, SIOCGIFNAME, &ifr)) {
		pr_perror("Can't name interface %d of packet socket fd %d of pid %d", ifindex,
			  p->fd, p->pid);
		return -1;
	}
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	return 0;
}

struct members {
	PacketSkMember m[PACKET_MAX_MEMBERS], *ptr[PACKET_MAX_MEMBERS];
	char ifname[PACKET_MAX_MEMBERS][IFNAMSIZ];
};

static int dump_members(const struct fd_parms *p, PacketSkEntry *e, struct members *ms)
{
	const struct packet_diag_sk *sk;

	if (!diag_read) {
		if (packet_diag_collect(&diag))
			return -1;
		diag_read = true;
	}
	sk = packet_diag_find(&diag, p->st.st_ino);
	if (!sk) {
		pr_err("Packet socket fd %d of pid %d is missing from packet_diag\n", p->fd, p->pid);
		return -1;
	}
	if (sk->nr_mc > PACKET_MAX_MEMBERS) {
		pr_err("unsupported: packet socket fd %d of pid %d has %d memberships (over %d)\n",
		       p->fd, p->pid, sk->nr_mc, PACKET_MAX_MEMBERS);
		return -1;
	}
	/* the kernel lists the newest first */
	for (int i = 0; i < sk->nr_mc; i++) {
		const struct packet_mc *mc = &sk->mc[sk->nr_mc - 1 - i];
		PacketSkMember *m = &ms->m[i];

		packet_sk_member__init(m);
		if (name_ifindex(p, mc->ifindex, ms->ifname[i]))
			return -1;
		m->ifname = ms->ifname[i];
		m->type = mc->type;
		m->count = mc->count;
		m->has_addr = mc->alen > 0;
		m->addr.len = mc->alen;
		m->addr.data = (uint8_t *)mc->addr;
		ms->ptr[i] = m;
	}
	e->n_members = sk->nr_mc;
	e->members = ms->ptr;
	return 0;
}

static int packet_dump(const struct fd_parms *p, uint32_t id)
{
	PacketSkEntry e = PACKET_SK_ENTRY__INIT;
	PacketSkOpt opts[NR_PK_OPTS], *optp[NR_PK_OPTS];
	uint8_t vals[NR_PK_OPTS][OPT_MAX];
	struct procnet_packet row;
	struct sockaddr_ll sa = { 0 };
	struct members *ms = NULL;
	char ifname[IFNAMSIZ];
	socklen_t len = sizeof(sa);
	int type = -1, lock = 0, ret;
	char what[64];

	ret = procnet_packet(p->pid, p->st.st_ino, &row);
	if (ret < 0) {
		pr_perror("Can't read /proc/%d/net/packet for fd %d", p->pid, p->fd);
		return -1;
	}
	if (ret) {
		pr_err("unsupported: packet socket fd %d of pid %d belongs to another network namespace\n",
		       p->fd, p->pid);
		return -1;
	}
	len = sizeof(type);
	if (getsockopt(p->lfd, SOL_SOCKET, SO_TYPE, &type, &len)) {
		pr_perror("Can't read the type of packet socket fd %d of pid %d", p->fd, p->pid);
		return -1;
	}
	len = sizeof(sa);
	if (type != SOCK_PACKET && getsockname(p->lfd, (struct sockaddr *)&sa, &len)) {
		pr_perror("Can't read the address of packet socket fd %d of pid %d", p->fd, p->pid);
		return -1;
	}
	if (check_carried(p, type, &sa))
		return -1;
	e.id = id;
	e.flags = p->flags;
	e.type = type;
	/* SO_PROTOCOL says 0 for packet sockets: bind may change what they take */
	e.protocol = sa.sll_protocol;
	if (sa.sll_ifindex > 0) {
		if (name_ifindex(p, sa.sll_ifindex, ifname))
			return -1;
		e.ifname = ifname;
		e.has_ifindex = true;
		e.ifindex = sa.sll_ifindex;
	}
	e.opts = optp;
	if (save_opts(p, type, &e, opts, vals) || check_timestamping(p, &e))
		return -1;
	len = sizeof(lock);
	if (getsockopt(p->lfd, SOL_SOCKET, SO_LOCK_FILTER, &lock, &len)) {
		pr_perror("Can't read SO_LOCK_FILTER of packet socket fd %d of pid %d", p->fd,
			  p->pid);
		return -1;
	}
	e.has_lock_filter = lock;
	e.lock_filter = lock;
	snprintf(what, sizeof(what), "packet socket fd %d of pid %d", p->fd, p->pid);
	if (sk_filter_dump(p->lfd, what, &e.filter, &e.n_filter))
		return -1;
	ms = malloc(sizeof(*ms));
	if (!ms || dump_members(p, &e, ms)) {
		free(ms);
		free(e.filter);
		return -1;
	}
	warn_queued(p, &row);
	pr_info("fd %d of pid %d: packet %s protocol 0x%04x on %s, %zu options, %zu filter insns, %zu memberships\n",
		p->fd, p->pid, type == SOCK_RAW ? "raw" : "dgram", ntohs(e.protocol),
		e.ifname ? e.ifname : "every interface", e.n_opts, e.n_filter, e.n_members);
	ret = img_store_write(&store, &e.base);
	free(ms);
	free(e.filter);
	return ret;
}

/* Only ring sockets can be mapped, refused by name rather than as a mapping. */
static bool packet_refuse_mapping(pid_t pid, const struct stat *st, unsigned long start)
{
	struct procnet_packet row;

	if (!S_ISSOCK(st->st_mode) || procnet_packet(pid, st->st_ino, &row))
		return false;
	pr_err("unsupported: ring of packet socket socket:[%lu] (PACKET_RX_RING/PACKET_TX_RING) mapped at 0x%lx in pid %d\n",
	       (unsigned long)st->st_ino, start, pid);
	return true;
}

static int packet_dump_finish(void)
{
	packet_diag_free(&diag);
	diag_read = false;
	return img_store_finish(&store);
}

/* ---- restore ---- */

static int packet_collect(void)
{
	return img_store_load(&store);
}

static int set_opts(int fd, const PacketSkEntry *e)
{
	char what[32];
	int one = 1;

	for (size_t i = 0; i < e->n_opts; i++) {
		const PacketSkOpt *o = e->opts[i];

		if (sockopt_restore(fd, o->level, o->name, o->value.data, o->value.len)) {
			pr_perror("Can't set option %d:%d of packet socket %u", o->level, o->name,
				  e->id);
			return -1;
		}
	}
	snprintf(what, sizeof(what), "packet socket %u", e->id);
	if (sk_filter_restore(fd, what, e->filter, e->n_filter))
		return -1;
	if (e->lock_filter && setsockopt(fd, SOL_SOCKET, SO_LOCK_FILTER, &one, sizeof(one))) {
		pr_perror("Can't set SO_LOCK_FILTER of packet socket %u", e->id);
		return -1;
	}
	return 0;
}

/* The kernel's packet_mreq with room for any link-layer address. */
struct mreq_max {
	int ifindex;
	unsigned short type, alen;
	unsigned char addr[32];
};

static int add_members(int fd, const PacketSkEntry *e)
{
	for (size_t i = 0; i < e->n_members; i++) {
		const PacketSkMember *m = e->members[i];
		struct mreq_max mr = { .type = m->type, .alen = m->addr.len };

		struct ifreq ifr = { 0 };

		if (m->addr.len > sizeof(mr.addr) || strlen(m->ifname) >= IFNAMSIZ ||
		    m->count > PACKET_MAX_COUNT) {
			pr_err("Packet socket %u: bad membership in packetsk.img\n", e->id);
			return -1;
		}
		strcpy(ifr.ifr_name, m->ifname);
		if (ioctl(fd, SIOCGIFINDEX, &ifr)) {
			pr_perror("Can't find interface %s for a membership of packet socket %u",
				  m->ifname, e->id);
			return -1;
		}
		mr.ifindex = ifr.ifr_ifindex;
		memcpy(mr.addr, m->addr.data, m->addr.len);
		for (uint32_t k = 0; k < m->count; k++)
			if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr))) {
				pr_perror("Can't add membership type %u on %s to packet socket %u",
					  m->type, m->ifname, e->id);
				return -1;
			}
	}
	return 0;
}

/*
 * Created with protocol 0, which receives nothing, and bound to its
 * protocol once its filter and options are in place: a socket made with
 * its protocol would take packets from every interface before bind, some
 * unfiltered. Bound to interface 0, a protocol receives on every interface
 * as it does from socket(): getsockname and /proc/net/packet cannot tell
 * the two apart.
 */
static int packet_open(uint32_t id)
{
	PacketSkEntry *e = (PacketSkEntry *)img_store_find(&store, "id", id);
	struct sockaddr_ll sa = { .sll_family = AF_PACKET };
	struct ifreq ifr = { 0 };
	int fd;

	if (!e) {
		pr_err("Socket %u is missing from packetsk.img\n", id);
		return -1;
	}
	if ((e->type != SOCK_RAW && e->type != SOCK_DGRAM) || e->protocol > 0xffff ||
	    (e->ifname && strlen(e->ifname) >= IFNAMSIZ)) {
		pr_err("Packet socket %u: bad type, protocol or interface in packetsk.img\n", id);
		return -1;
	}
	fd = socket(AF_PACKET, e->type | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		pr_perror("Can't create packet socket %u", id);
		return -1;
	}
	if (set_opts(fd, e))
		goto err;
	if (e->ifname) {
		/* the interface's index here, in the socket's namespace */
		strcpy(ifr.ifr_name, e->ifname);
		if (ioctl(fd, SIOCGIFINDEX, &ifr)) {
			if (errno == ENODEV)
				pr_err("Can't restore packet socket %u: no interface %s here\n", id,
				       e->ifname);
			else
				pr_perror("Can't find interface %s for packet socket %u",
					  e->ifname, id);
			goto err;
		}
		sa.sll_ifindex = ifr.ifr_ifindex;
	}
	sa.sll_protocol = e->protocol;
	if ((sa.sll_ifindex || sa.sll_protocol) && bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		pr_perror("Can't bind packet socket %u to %s, protocol 0x%04x", id,
			  e->ifname ? e->ifname : "every interface", ntohs(e->protocol));
		goto err;
	}
	if (add_members(fd, e))
		goto err;
	if (fcntl(fd, F_SETFL, e->flags & ~O_ACCMODE)) {
		pr_perror("Can't set flags %#x on packet socket %u", e->flags, id);
		goto err;
	}
	return fd;
err:
	close(fd);
	return -1;
}

static void packet_reset(void)
{
	img_store_reset(&store);
}

const struct fd_kind packetsk_kind = {
	.name = "packet socket",
	.type = FD_TYPE__PACKETSK,
	.match = packet_match,
	.dump = packet_dump,
	.refuse_mapping = packet_refuse_mapping,
	.dump_finish = packet_dump_finish,
	.collect = packet_collect,
	.open = packet_open,
	.open_in_task = fd_opens_anywhere,
	.reset = packet_reset,
};
