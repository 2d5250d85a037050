// SPDX-License-Identifier: GPL-2.0
/*
 * The datagrams queued on a UDP socket. Dump peeks at them (SO_PEEK_OFF,
 * nothing taken out) with IP_PKTINFO on for the moment, so each comes with
 * its sender and the local address it was sent to. Restore sends each again
 * through a raw socket writing its own IP header (IP_HDRINCL,
 * IPV6_HDRINCL) with the original sender as source: the restored socket
 * reads the same datagrams, from the same addresses, in the same order.
 *
 * The kernel marks an empty datagram once it is peeked at, and a later peek
 * with SO_PEEK_OFF skips it: when the tree lives on after the dump, a queue
 * that holds one is taken out and sent again the same way, so that a
 * second dump sees it too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "res/udp.h"
#include "util/log.h"
#include "util/sys.h"

#define DGRAM_MAX 65536
#ifndef IPV6_HDRINCL
#define IPV6_HDRINCL 36
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* IP_PKTINFO (IPV6_RECVPKTINFO) on, for the local address of each datagram; *@old: as it was. */
static int pktinfo_on(int fd, int family, int *old)
{
	int level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	int name = family == AF_INET ? IP_PKTINFO : IPV6_RECVPKTINFO, one = 1;
	socklen_t len = sizeof(*old);

	if (getsockopt(fd, level, name, old, &len))
		return -1;
	return setsockopt(fd, level, name, &one, sizeof(one));
}

static int pktinfo_back(int fd, int family, int old)
{
	if (family == AF_INET)
		return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &old, sizeof(old));
	return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &old, sizeof(old));
}

/* One datagram, peeked at or taken (@flags): its bytes, sender and local address. */
static ssize_t recv_dgram(int fd, int flags, uint8_t *buf, struct addr *src, struct addr *dst)
{
	char ctl[256];
	struct iovec iov = { buf, DGRAM_MAX };
	struct msghdr mh = { .msg_name = &src->ss, .msg_namelen = sizeof(src->ss),
			     .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	ssize_t n = recvmsg(fd, &mh, flags | MSG_DONTWAIT);

	dst->len = 0;
	if (n < 0)
		return n;
	src->len = mh.msg_namelen;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		memset(&dst->ss, 0, sizeof(dst->ss));
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct sockaddr_in *in = (struct sockaddr_in *)&dst->ss;
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			in->sin_family = AF_INET;
			in->sin_addr = pi.ipi_addr;
			dst->len = sizeof(*in);
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&dst->ss;
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			in6->sin6_family = AF_INET6;
			in6->sin6_addr = pi.ipi6_addr;
			dst->len = sizeof(*in6);
		}
	}
	return n;
}

static uint8_t *dup_bytes(const void *p, size_t len)
{
	uint8_t *d = malloc(len ? len : 1);

	if (d)
		memcpy(d, p, len);
	return d;
}

static int add_dgram(InetSkEntry *e, const uint8_t *buf, size_t n, const struct addr *src,
		     const struct addr *dst)
{
	UdpDgram **nq = realloc(e->queue, (e->n_queue + 1) * sizeof(*nq)), *d;

	if (!nq)
		return -1;
	e->queue = nq;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -1;
	udp_dgram__init(d);
	e->queue[e->n_queue++] = d;
	d->data.len = n;
	d->data.data = dup_bytes(buf, n);
	d->src.len = src->len;
	d->src.data = dup_bytes(&src->ss, src->len);
	if (dst->len) {
		d->has_dst = true;
		d->dst.len = dst->len;
		d->dst.data = dup_bytes(&dst->ss, dst->len);
	}
	return d->data.data && d->src.data && (!dst->len || d->dst.data) ? 0 : -1;
}

/* ---- sending a datagram again, from its sender ---- */

static uint16_t csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (b[i] << 8) | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* An IPv4-mapped IPv6 address (a v6 socket's IPv4 peer) as the IPv4 one. */
static void unmap(struct addr *a)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->ss;
	struct sockaddr_in in = { .sin_family = AF_INET };

	if (a->ss.ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
		return;
	in.sin_port = in6->sin6_port;
	memcpy(&in.sin_addr, &in6->sin6_addr.s6_addr[12], 4);
	memset(&a->ss, 0, sizeof(a->ss));
	memcpy(&a->ss, &in, sizeof(in));
	a->len = sizeof(in);
}

struct injector {
	int raw4, raw6;
};

static int raw_socket(int family)
{
	int one = 1, fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);

	if (fd >= 0 && family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_HDRINCL, &one, sizeof(one))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		pr_perror("Can't open a raw IPv%d socket to queue UDP datagrams",
			  family == AF_INET ? 4 : 6);
	return fd;
}

/* @len bytes to the UDP port of @dst, as if @src had sent them. */
static int inject(struct injector *in, const uint8_t *data, size_t len, struct addr src,
		  struct addr dst)
{
	uint8_t pkt[40 + 8 + DGRAM_MAX];
	struct udphdr uh = { .len = htons(8 + len) };
	size_t hl;
	int fd;

	unmap(&src);
	unmap(&dst);
	if (src.ss.ss_family != dst.ss.ss_family || len > DGRAM_MAX - 48) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (src.ss.ss_family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&src.ss, *d = (struct sockaddr_in *)&dst.ss;
		uint8_t ip[20] = { 0x45, 0, 0, 0, 0, 0, 0, 0, 64, IPPROTO_UDP };

		memcpy(ip + 12, &s->sin_addr, 4);
		memcpy(ip + 16, &d->sin_addr, 4);
		uh.source = s->sin_port;
		uh.dest = d->sin_port;
		/* the kernel fills in the total length and the header checksum; UDP's may be 0 */
		memcpy(pkt, ip, hl = sizeof(ip));
		fd = in->raw4 >= 0 ? in->raw4 : (in->raw4 = raw_socket(AF_INET));
		d->sin_port = 0;
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&src.ss;
		struct sockaddr_in6 *d = (struct sockaddr_in6 *)&dst.ss;
		uint8_t ip[40] = { 0x60, 0, 0, 0, 0, 0, IPPROTO_UDP, 64 };
		uint32_t plen = htonl(8 + len), nh = htonl(IPPROTO_UDP), sum;

		ip[4] = (8 + len) >> 8;
		ip[5] = (8 + len) & 0xff;
		memcpy(ip + 8, &s->sin6_addr, 16);
		memcpy(ip + 24, &d->sin6_addr, 16);
		uh.source = s->sin6_port;
		uh.dest = d->sin6_port;
		/* UDP over IPv6 must carry a checksum, pseudo header included */
		sum = csum_add(0, ip + 8, 32);
		sum = csum_add(sum, &plen, 4);
		sum = csum_add(sum, &nh, 4);
		sum = csum_add(sum, &uh, sizeof(uh));
		sum = (uint16_t)~csum_add(sum, data, len);
		uh.check = htons(sum ? sum : 0xffff);
		memcpy(pkt, ip, hl = sizeof(ip));
		fd = in->raw6 >= 0 ? in->raw6 : (in->raw6 = raw_socket(AF_INET6));
		d->sin6_port = 0;
	}
	if (fd < 0)
		return -1;
	memcpy(pkt + hl, &uh, sizeof(uh));
	memcpy(pkt + hl + sizeof(uh), data, len);
	return sendto(fd, pkt, hl + sizeof(uh) + len, 0, (struct sockaddr *)&dst.ss, dst.len) < 0 ? -1 : 0;
}

static void injector_close(struct injector *in)
{
	if (in->raw4 >= 0)
		close(in->raw4);
	if (in->raw6 >= 0)
		close(in->raw6);
}

/* Datagrams sent from one CPU arrive in order: each CPU's backlog is a queue. */
static int pin_cpu(cpu_set_t *old)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	if (sched_getaffinity(0, sizeof(*old), old))
		return -1;
	return sched_setaffinity(0, sizeof(one), &one);
}

static struct addr name_of(int fd)
{
	struct addr me = { .len = sizeof(me.ss) };

	getsockname(fd, (struct sockaddr *)&me.ss, &me.len);
	return me;
}

/* Where a datagram goes: the address it came to, on the port of the socket named @me. */
static struct addr local_dst(const struct addr *me_p, const struct addr *came_to)
{
	struct addr me = *me_p, d = *came_to;

	if (!d.len) {
		d = me;
		/* bound to any address: loopback reaches it */
		if (d.ss.ss_family == AF_INET &&
		    ((struct sockaddr_in *)&d.ss)->sin_addr.s_addr == htonl(INADDR_ANY))
			((struct sockaddr_in *)&d.ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (d.ss.ss_family == AF_INET6 &&
		    IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&d.ss)->sin6_addr))
			((struct sockaddr_in6 *)&d.ss)->sin6_addr = in6addr_loopback;
	} else if (d.ss.ss_family == AF_INET) {
		((struct sockaddr_in *)&d.ss)->sin_port = ((struct sockaddr_in *)&me.ss)->sin_port;
	} else {
		((struct sockaddr_in6 *)&d.ss)->sin6_port = ((struct sockaddr_in6 *)&me.ss)->sin6_port;
	}
	return d;
}

/* ---- dump ---- */

/* queues holding empty datagrams, sent again once the dump is done */
struct rotation {
	pid_t pid;
	int fd, family;
	size_t n;
};
static struct rotation *rotations;
static int nr_rotations;

static int peek_all(int fd, InetSkEntry *e, bool *empty)
{
	uint8_t *buf = malloc(DGRAM_MAX);
	int ret = -1;

	*empty = false;
	for (int i = 0; buf && i < 100000; i++) {
		struct addr src, dst;
		ssize_t n = recv_dgram(fd, MSG_PEEK, buf, &src, &dst);

		if (n < 0) {
			ret = errno == EAGAIN ? 0 : -1;
			break;
		}
		if (add_dgram(e, buf, n, &src, &dst))
			break;
		*empty |= n == 0;
	}
	free(buf);
	return ret;
}

int udp_dump_queue(int fd, pid_t pid, int tfd, InetSkEntry *e)
{
	int gro = 0, off = -1, zero = 0, info = 0, ret;
	socklen_t len = sizeof(gro), ol = sizeof(off);
	bool empty;

	if (!getsockopt(fd, IPPROTO_UDP, UDP_GRO, &gro, &len) && gro) {
		pr_err("unsupported: UDP socket fd %d of pid %d has UDP_GRO on and datagrams queued\n",
		       tfd, pid);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &off, &ol) ||
	    setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero)) ||
	    pktinfo_on(fd, e->family, &info)) {
		pr_perror("Can't prepare to peek at UDP socket fd %d of pid %d", tfd, pid);
		return -1;
	}
	ret = peek_all(fd, e, &empty);
	if (ret)
		pr_perror("Can't peek at the queue of UDP socket fd %d of pid %d", tfd, pid);
	if (pktinfo_back(fd, e->family, info) ||
	    setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off))) {
		pr_perror("Can't give UDP socket fd %d of pid %d its options back", tfd, pid);
		ret = -1;
	}
	pr_info("fd %d of pid %d: %zu UDP datagrams queued\n", tfd, pid, e->n_queue);
	if (!ret && empty) {
		struct rotation *nr = realloc(rotations, (nr_rotations + 1) * sizeof(*nr));

		if (!nr)
			return -1;
		rotations = nr;
		rotations[nr_rotations++] = (struct rotation){ pid, tfd, e->family, e->n_queue };
	}
	return ret;
}

void udp_free_queue(InetSkEntry *e)
{
	for (size_t i = 0; i < e->n_queue; i++) {
		free(e->queue[i]->data.data);
		free(e->queue[i]->src.data);
		free(e->queue[i]->dst.data);
		free(e->queue[i]);
	}
	free(e->queue);
	e->queue = NULL;
	e->n_queue = 0;
}

/* Take each datagram out of @r's queue and send it again, from its sender. */
static void rotate(const struct rotation *r)
{
	struct injector in = { -1, -1 };
	uint8_t *buf = malloc(DGRAM_MAX);
	int fd = task_fd_copy(r->pid, r->fd), info = 0;
	struct addr me;
	cpu_set_t cpus;
	size_t i = 0;

	if (fd < 0 || !buf || pktinfo_on(fd, r->family, &info) || pin_cpu(&cpus)) {
		pr_perror("Can't refresh the queue of UDP socket fd %d of pid %d", r->fd, r->pid);
		goto out;
	}
	me = name_of(fd);
	for (; i < r->n; i++) {
		struct addr src, dst;
		ssize_t n = recv_dgram(fd, 0, buf, &src, &dst);

		if (n < 0 || inject(&in, buf, n, src, local_dst(&me, &dst)))
			break;
	}
	if (i < r->n)
		pr_perror("Lost datagram %zu of %zu queued on UDP socket fd %d of pid %d", i + 1,
			  r->n, r->fd, r->pid);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	pktinfo_back(fd, r->family, info);
out:
	injector_close(&in);
	free(buf);
	if (fd >= 0)
		close(fd);
}

void udp_dump_release(bool tree_dies)
{
	for (int i = 0; i < nr_rotations && !tree_dies; i++)
		rotate(&rotations[i]);
	free(rotations);
	rotations = NULL;
	nr_rotations = 0;
}

/* ---- restore ---- */

/*
 * Sending from one CPU keeps the datagrams in order (each CPU's backlog is
 * a queue); a last one to a socket of criu's, once it arrives, tells that
 * every one before it did. The restored socket itself is not peeked at: a
 * peek would mark its empty datagrams (see above).
 */
static int sentinel(struct injector *in, int family)
{
	struct timeval tv = { 2, 0 };
	struct addr me = { .len = sizeof(me.ss) }, from;
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = -1;
	char c;

	memset(&me.ss, 0, sizeof(me.ss));
	me.ss.ss_family = family;
	if (family == AF_INET)
		((struct sockaddr_in *)&me.ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&me.ss)->sin6_addr = in6addr_loopback;
	if (fd < 0 || bind(fd, (struct sockaddr *)&me.ss, family == AF_INET ?
			   sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) ||
	    getsockname(fd, (struct sockaddr *)&me.ss, &me.len) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		goto out;
	from = me;
	if (inject(in, (const uint8_t *)"", 0, from, me))
		goto out;
	ret = recv(fd, &c, 1, 0) == 0 ? 0 : -1;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

int udp_refill(int fd, const InetSkEntry *e)
{
	struct injector in = { -1, -1 };
	bool v4 = false, v6 = false;
	struct addr me = name_of(fd);
	cpu_set_t cpus;
	int ret = -1;

	if (!e->n_queue)
		return 0;
	if (pin_cpu(&cpus)) {
		pr_perror("Can't keep criu on one CPU to queue datagrams on socket %u", e->id);
		return -1;
	}
	for (size_t i = 0; i < e->n_queue; i++) {
		const UdpDgram *d = e->queue[i];
		struct addr src = { .len = d->src.len }, dst = { .len = 0 };

		if (d->src.len > sizeof(src.ss) || (d->has_dst && d->dst.len > sizeof(dst.ss))) {
			pr_err("Socket %u: bad address of datagram %zu in inetsk.img\n", e->id, i);
			goto out;
		}
		memcpy(&src.ss, d->src.data, d->src.len);
		if (d->has_dst) {
			memcpy(&dst.ss, d->dst.data, d->dst.len);
			dst.len = d->dst.len;
		}
		if (inject(&in, d->data.data, d->data.len, src, local_dst(&me, &dst))) {
			pr_perror("Can't queue datagram %zu of %zu on socket %u", i + 1, e->n_queue,
				  e->id);
			goto out;
		}
		unmap(&src);
		v4 |= src.ss.ss_family == AF_INET;
		v6 |= src.ss.ss_family == AF_INET6;
	}
	if ((v4 && sentinel(&in, AF_INET)) || (v6 && sentinel(&in, AF_INET6))) {
		pr_perror("The datagrams queued on socket %u did not all arrive", e->id);
		goto out;
	}
	ret = 0;
out:
	sched_setaffinity(0, sizeof(cpus), &cpus);
	injector_close(&in);
	return ret;
}
