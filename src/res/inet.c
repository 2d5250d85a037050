// SPDX-License-Identifier: GPL-2.0
/*
 * IPv4 and IPv6 TCP, UDP and raw sockets: TCP sockets unbound, bound,
 * listening (with an empty accept queue) or established (tcp.c, with
 * --tcp-established); UDP sockets bound or connected with their queued
 * datagrams (udp.c) and multicast memberships (mcast.c); raw sockets bound
 * or connected with no packet queued
 * (a raw socket's peer is read from /proc/net/raw*).
 *
 * Options are saved when they differ from those of a fresh socket of the
 * same kind, so a default (an auto-tuned buffer size) stays a default.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/files.h"
#include "fdinfo.pb-c.h"
#include "images/store.h"
#include "inet.pb-c.h"
#include "res/table.h"
#include "res/mcast.h"
#include "res/tcp.h"
#include "res/udp.h"
#include "util/options.h"
#include "util/inet_diag.h"
#include "util/log.h"
#include "util/procnet.h"
#include "util/sockopt.h"

struct sk_opt {
	int level, name;
	bool tcp_only, udp_only;	/* udp_only: datagram sockets, raw ones too */
	bool raw_only;
	int family;	/* 0: both, or the one it belongs to */
	int proto;	/* 0: any, or the only protocol it belongs to */
};

#ifndef ICMP_FILTER
#define ICMP_FILTER 1
#endif
#ifndef ICMP6_FILTER
#define ICMP6_FILTER 1
#endif

/* Set before bind, in this order (V6ONLY and REUSE* matter to bind). */
static const struct sk_opt sk_opts[] = {
	{ .level = SOL_SOCKET, .name = SO_REUSEADDR },
	{ .level = SOL_SOCKET, .name = SO_REUSEPORT },
	{ .level = SOL_SOCKET, .name = SO_KEEPALIVE },
	{ .level = SOL_SOCKET, .name = SO_BROADCAST },
	{ .level = SOL_SOCKET, .name = SO_LINGER },
	{ .level = SOL_SOCKET, .name = SO_SNDBUF },
	{ .level = SOL_SOCKET, .name = SO_RCVBUF },
	{ .level = SOL_SOCKET, .name = SO_PRIORITY },
	{ .level = SOL_SOCKET, .name = SO_RCVLOWAT },
	{ .level = SOL_SOCKET, .name = SO_MARK },
	{ .level = SOL_SOCKET, .name = SO_BINDTODEVICE },
	{ .level = SOL_SOCKET, .name = SO_OOBINLINE },
	{ .level = SOL_SOCKET, .name = SO_DONTROUTE },
	{ .level = SOL_SOCKET, .name = SO_RCVTIMEO_OLD },
	{ .level = SOL_SOCKET, .name = SO_SNDTIMEO_OLD },
	{ .level = IPPROTO_IP, .name = IP_TOS, .family = AF_INET },
	{ .level = IPPROTO_IP, .name = IP_TTL, .family = AF_INET },
	{ .level = IPPROTO_IP, .name = IP_FREEBIND, .family = AF_INET },
	{ .level = IPPROTO_IP, .name = IP_TRANSPARENT, .family = AF_INET },
	{ .level = IPPROTO_IP, .name = IP_RECVERR, .family = AF_INET },
	{ .level = IPPROTO_IP, .name = IP_PKTINFO, .family = AF_INET },
	{ .level = IPPROTO_IP, .name = IP_MTU_DISCOVER, .family = AF_INET },
	{ .level = IPPROTO_IP, .name = IP_MULTICAST_TTL, .family = AF_INET, .udp_only = true },
	{ .level = IPPROTO_IP, .name = IP_MULTICAST_LOOP, .family = AF_INET, .udp_only = true },
	{ .level = IPPROTO_IP, .name = IP_MULTICAST_IF, .family = AF_INET, .udp_only = true },
	{ .level = IPPROTO_IP, .name = IP_MULTICAST_ALL, .family = AF_INET, .udp_only = true },
	{ .level = IPPROTO_IP, .name = IP_BIND_ADDRESS_NO_PORT, .family = AF_INET },
	{ .level = IPPROTO_IPV6, .name = IPV6_V6ONLY, .family = AF_INET6 },
	{ .level = IPPROTO_IPV6, .name = IPV6_TCLASS, .family = AF_INET6 },
	{ .level = IPPROTO_IPV6, .name = IPV6_UNICAST_HOPS, .family = AF_INET6 },
	{ .level = IPPROTO_IPV6, .name = IPV6_FREEBIND, .family = AF_INET6 },
	{ .level = IPPROTO_IPV6, .name = IPV6_RECVPKTINFO, .family = AF_INET6 },
	{ .level = IPPROTO_IPV6, .name = IPV6_MTU_DISCOVER, .family = AF_INET6 },
	{ .level = IPPROTO_IPV6, .name = IPV6_MULTICAST_HOPS, .family = AF_INET6, .udp_only = true },
	{ .level = IPPROTO_IPV6, .name = IPV6_MULTICAST_IF, .family = AF_INET6, .udp_only = true },
	{ .level = IPPROTO_IPV6, .name = IPV6_MULTICAST_LOOP, .family = AF_INET6, .udp_only = true },
	{ .level = IPPROTO_TCP, .name = TCP_NODELAY, .tcp_only = true },
	{ .level = IPPROTO_TCP, .name = TCP_KEEPIDLE, .tcp_only = true },
	{ .level = IPPROTO_TCP, .name = TCP_KEEPINTVL, .tcp_only = true },
	{ .level = IPPROTO_TCP, .name = TCP_KEEPCNT, .tcp_only = true },
	{ .level = IPPROTO_TCP, .name = TCP_MAXSEG, .tcp_only = true },
	{ .level = IPPROTO_TCP, .name = TCP_DEFER_ACCEPT, .tcp_only = true },
	{ .level = IPPROTO_TCP, .name = TCP_USER_TIMEOUT, .tcp_only = true },
	{ .level = IPPROTO_TCP, .name = TCP_SYNCNT, .tcp_only = true },
	{ .level = IPPROTO_TCP, .name = TCP_LINGER2, .tcp_only = true },
	{ .level = IPPROTO_TCP, .name = TCP_WINDOW_CLAMP, .tcp_only = true },
	{ .level = IPPROTO_TCP, .name = TCP_NOTSENT_LOWAT, .tcp_only = true },
	{ .level = IPPROTO_TCP, .name = TCP_CONGESTION, .tcp_only = true },
	{ .level = IPPROTO_TCP, .name = TCP_FASTOPEN, .tcp_only = true },
	{ .level = IPPROTO_UDP, .name = UDP_CORK, .proto = IPPROTO_UDP },
	{ .level = IPPROTO_IP, .name = IP_HDRINCL, .family = AF_INET, .raw_only = true },
	{ .level = SOL_RAW, .name = ICMP_FILTER, .family = AF_INET, .raw_only = true,
	  .proto = IPPROTO_ICMP },
	{ .level = IPPROTO_IPV6, .name = IPV6_CHECKSUM, .family = AF_INET6, .raw_only = true },
	{ .level = IPPROTO_ICMPV6, .name = ICMP6_FILTER, .family = AF_INET6, .raw_only = true,
	  .proto = IPPROTO_ICMPV6 },
};

#define NR_SK_OPTS (sizeof(sk_opts) / sizeof(sk_opts[0]))
#define OPT_MAX 64

static struct img_store store = IMG_STORE(IMG_INETSK);

static bool applies(const struct sk_opt *o, int family, int type, int proto)
{
	if ((o->family && o->family != family) || (o->proto && o->proto != proto))
		return false;
	if ((o->tcp_only && proto != IPPROTO_TCP) || (o->raw_only && type != SOCK_RAW))
		return false;
	/* a raw socket of protocol UDP or TCP has no UDP or TCP layer */
	if (type == SOCK_RAW && (o->level == IPPROTO_UDP || o->level == IPPROTO_TCP))
		return false;
	return !o->udp_only || proto == IPPROTO_UDP || type == SOCK_RAW;
}

static int sock_int(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	return getsockopt(fd, level, name, &v, &len) ? -1 : v;
}

static bool inetsk_match(const struct fd_parms *p)
{
	int domain;

	if (!S_ISSOCK(p->st.st_mode))
		return false;
	domain = sock_int(p->lfd, SOL_SOCKET, SO_DOMAIN);
	return domain == AF_INET || domain == AF_INET6;
}

/* ---- dump ---- */

static const char *addr_str(const void *sa, size_t len, char *buf, size_t size)
{
	const struct sockaddr_in *in = sa;
	const struct sockaddr_in6 *in6 = sa;
	char ip[INET6_ADDRSTRLEN] = "?";

	if (len >= sizeof(*in) && in->sin_family == AF_INET) {
		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		snprintf(buf, size, "%s:%u", ip, ntohs(in->sin_port));
	} else if (len >= sizeof(*in6) && in6->sin6_family == AF_INET6) {
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, size, "[%s]:%u", ip, ntohs(in6->sin6_port));
	} else {
		snprintf(buf, size, "(no address)");
	}
	return buf;
}

/* Refuse what this kind cannot carry: one line naming fd and pid. */
/* the TCP sockets of the host, asked for once per dump when needed */
static struct inet_diag_set tcp_diag;
static bool tcp_diag_read;

/* Address and port of a sockaddr_in/in6 as INET_DIAG lays them out. */
static void diag_addr(const struct sockaddr_storage *ss, uint8_t addr[16], uint16_t *port)
{
	memset(addr, 0, 16);
	if (ss->ss_family == AF_INET6) {
		memcpy(addr, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
		*port = ((const struct sockaddr_in6 *)ss)->sin6_port;
	} else {
		memcpy(addr, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		*port = ((const struct sockaddr_in *)ss)->sin_port;
	}
}

static int cmp_sport(const void *a, const void *b)
{
	const struct inet_diag_sk *x = a, *y = b;

	return (int)x->sport - (int)y->sport;
}

/* tcp_diag sorted by local port: every lookup names one */
static const struct inet_diag_sk *find_tcp(int family, int state, const uint8_t *src,
					   uint16_t sport, const uint8_t *dst, uint16_t dport)
{
	static const uint8_t any[16];
	int lo = 0, hi = tcp_diag.nr;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (tcp_diag.sk[mid].sport < sport)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (int i = lo; i < tcp_diag.nr && tcp_diag.sk[i].sport == sport; i++) {
		const struct inet_diag_sk *k = &tcp_diag.sk[i];

		if (k->family != family || k->state != state)
			continue;
		if (state == TCP_LISTEN && (!memcmp(k->src, src, 16) || !memcmp(k->src, any, 16)))
			return k;
		if (state != TCP_LISTEN && k->dport == dport && !memcmp(k->src, src, 16) &&
		    !memcmp(k->dst, dst, 16))
			return k;
	}
	return NULL;
}

static bool task_holds(pid_t pid, const char *want)
{
	char path[64], link[64];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	while (d && !found && (de = readdir(d))) {
		ssize_t n = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);

		if (n > 0) {
			link[n] = 0;
			found = !strcmp(link, want);
		}
	}
	if (d)
		closedir(d);
	return found;
}

static bool subtree_holds(const struct task *t, const char *want)
{
	bool found = t->kind == TASK_ALIVE && task_holds(t->pid, want);

	for (int i = 0; i < t->nr_kids && !found; i++)
		found = subtree_holds(t->kids[i], want);
	return found;
}

/* The socket at the other end of the connection @la:@lp -> @pa:@pp. */
static const struct inet_diag_sk *other_end(int family, const uint8_t *la, uint16_t lp,
					    const uint8_t *pa, uint16_t pp)
{
	const struct inet_diag_sk *k = find_tcp(family, TCP_ESTABLISHED, pa, pp, la, lp);

	return k ? k : find_tcp(family, TCP_CLOSE_WAIT, pa, pp, la, lp);
}

/* An IPv4 address (first 4 bytes) as IPv6 shows it: ::ffff:a.b.c.d */
static void map_v4(uint8_t a[16])
{
	memmove(a + 12, a, 4);
	memset(a, 0, 10);
	a[10] = a[11] = 0xff;
}

/* Does a task of @t's tree hold socket inode @ino? */
static bool tree_holds(const struct task *t, uint32_t ino)
{
	char want[32];

	while (t->parent)
		t = t->parent;
	snprintf(want, sizeof(want), "socket:[%u]", ino);
	return subtree_holds(t, want);
}

/*
 * With --skip-in-flight the connections a listener of the tree has not
 * accepted yet are dropped with its queue. The other end of such a
 * connection, a task's socket, would come back talking to nobody and wait
 * for ever: it comes back closed instead (it reads end of file).
 */
static int peer_dropped(const struct fd_parms *p, const struct sockaddr_storage *local,
			const struct sockaddr_storage *peer, bool *dropped)
{
	const struct inet_diag_sk *child, *lst;
	uint8_t la[16], pa[16];
	uint16_t lp, pp;

	*dropped = false;
	if (!tcp_diag_read) {
		if (inet_diag_collect(&tcp_diag, 1 << TCP_ESTABLISHED | 1 << TCP_CLOSE_WAIT |
							 1 << TCP_LISTEN))
			return -1;
		qsort(tcp_diag.sk, tcp_diag.nr, sizeof(*tcp_diag.sk), cmp_sport);
		tcp_diag_read = true;
	}
	diag_addr(local, la, &lp);
	diag_addr(peer, pa, &pp);
	child = other_end(local->ss_family, la, lp, pa, pp);
	/* an IPv4 client of an IPv6 listener: its other end has v4-mapped addresses */
	if (!child && local->ss_family == AF_INET) {
		map_v4(la);
		map_v4(pa);
		child = other_end(AF_INET6, la, lp, pa, pp);
	}
	/* accepted (it has a file), or an orphan: not in a listener's queue */
	if (!child || child->ino)
		return 0;
	lst = find_tcp(child->family, TCP_LISTEN, pa, pp, NULL, 0);
	if (!lst || !tree_holds(p->task, lst->ino))
		return 0;
	pr_warn("fd %d of pid %d: its peer was not yet accepted by listener socket:[%u] of the tree, which drops it (--skip-in-flight): it comes back closed\n",
		p->fd, p->pid, lst->ino);
	*dropped = true;
	return 0;
}

/* A connection whose other end --skip-in-flight drops comes back closed. */
static int check_peer_dropped(const struct fd_parms *p, const struct sockaddr_storage *name,
			      bool *established, bool *closed, bool *eof)
{
	struct sockaddr_storage peer;
	socklen_t pl = sizeof(peer);
	bool dropped;

	if (!opts.skip_in_flight)
		return 0;
	if (getpeername(p->lfd, (struct sockaddr *)&peer, &pl) ||
	    peer_dropped(p, name, &peer, &dropped)) {
		pr_perror("Can't find the peer of TCP fd %d of pid %d", p->fd, p->pid);
		return -1;
	}
	if (dropped) {
		*established = false;
		*closed = *eof = true;
	}
	return 0;
}

/* A connection, open or closing: carried with --tcp-established, closed with --tcp-close. */
static int check_conn(const struct fd_parms *p, int state, bool *established, bool *closed)
{
	/* --tcp-close: not saved, not locked: it comes back closed */
	if (opts.tcp_close) {
		*closed = true;
		return 0;
	}
	if (!opts.tcp_established) {
		pr_err("fd %d of pid %d is %s TCP connection: dump with --tcp-established\n", p->fd,
		       p->pid, state == TCP_ESTABLISHED ? "an established" : "a closing");
		return -1;
	}
	*established = true;
	return 0;
}

/*
 * A closed TCP socket is either one that never connected or one whose
 * connection ended (both sides closed): the second reads end of file, which
 * its shut-down flags tell, and may hold bytes never read, which cannot be
 * queued on a socket that is not connected.
 */
static int check_finished(const struct fd_parms *p, bool *closed, bool *eof)
{
	struct pollfd pf = { .fd = p->lfd, .events = POLLIN | POLLRDHUP };
	int unread = 0;

	if (poll(&pf, 1, 0) < 0 || ioctl(p->lfd, SIOCINQ, &unread)) {
		pr_perror("Can't poll closed TCP socket fd %d of pid %d", p->fd, p->pid);
		return -1;
	}
	if (!(pf.revents & POLLRDHUP))
		return 0;
	if (unread) {
		pr_err("unsupported: TCP socket fd %d of pid %d is closed with %d bytes not yet read\n",
		       p->fd, p->pid, unread);
		return -1;
	}
	*closed = *eof = true;
	return 0;
}

static int check_state(const struct fd_parms *p, int type, int proto, bool *listening,
		       uint32_t *backlog, bool *established, bool *closed, bool *eof)
{
	const char *what = type == SOCK_RAW ? "raw" : proto == IPPROTO_TCP ? "TCP" : "UDP";
	int queued = 0;

	*listening = *established = *closed = *eof = false;
	if (!(type == SOCK_STREAM && proto == IPPROTO_TCP) &&
	    !(type == SOCK_DGRAM && proto == IPPROTO_UDP) && type != SOCK_RAW) {
		pr_err("unsupported: inet socket of type %d protocol %d, fd %d of pid %d\n", type,
		       proto, p->fd, p->pid);
		return -1;
	}
	if (proto == IPPROTO_TCP) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);

		if (getsockopt(p->lfd, IPPROTO_TCP, TCP_INFO, &ti, &len)) {
			pr_perror("Can't read TCP_INFO of fd %d of pid %d", p->fd, p->pid);
			return -1;
		}
		if (ti.tcpi_state == TCP_LISTEN) {
			/* for a listener the kernel reports its accept queue here */
			if (ti.tcpi_unacked && opts.skip_in_flight) {
				pr_warn("fd %d of pid %d: %u connections not yet accepted are dropped (--skip-in-flight)\n",
					p->fd, p->pid, ti.tcpi_unacked);
			} else if (ti.tcpi_unacked) {
				pr_err("unsupported: listening TCP socket fd %d of pid %d has %u connections not yet accepted\n",
				       p->fd, p->pid, ti.tcpi_unacked);
				return -1;
			}
			*listening = true;
			*backlog = ti.tcpi_sacked;
			return 0;
		}
		if (tcp_state_carried(ti.tcpi_state))
			return check_conn(p, ti.tcpi_state, established, closed);
		/* half-open: a connection being set up */
		if ((ti.tcpi_state == TCP_SYN_SENT || ti.tcpi_state == TCP_SYN_RECV) &&
		    opts.skip_in_flight) {
			pr_warn("fd %d of pid %d: a connection being set up comes back closed (--skip-in-flight)\n",
				p->fd, p->pid);
			*closed = true;
			return 0;
		}
		if (ti.tcpi_state == TCP_CLOSE)
			return check_finished(p, closed, eof);
		pr_err("unsupported: TCP socket fd %d of pid %d in state %u (connecting%s)\n", p->fd,
		       p->pid, ti.tcpi_state,
		       ti.tcpi_state == TCP_SYN_SENT ? "; see --skip-in-flight" : "");
		return -1;
	}
	/* UDP datagrams are carried (udp.c); a raw socket's packets are not */
	if (type == SOCK_RAW && (ioctl(p->lfd, SIOCINQ, &queued) || queued)) {
		pr_err("unsupported: %s socket fd %d of pid %d has packets queued\n", what, p->fd,
		       p->pid);
		return -1;
	}
	return 0;
}

/* Options of @fd that differ from those of @fresh, appended to @e. */
/*
 * On a connection the MSS follows the peer (restored with the connection).
 * Buffer sizes are kept even when auto-tuned: the restored queues must fit.
 */
static bool derived(const struct sk_opt *o)
{
	return o->level == IPPROTO_TCP && o->name == TCP_MAXSEG;
}

static int save_opts(int fd, int fresh, const InetSkEntry *k, bool established,
		     InetSkEntry *e, InetSkOpt *opts, uint8_t (*vals)[OPT_MAX])
{
	for (size_t i = 0; i < NR_SK_OPTS; i++) {
		const struct sk_opt *o = &sk_opts[i];
		uint8_t mine[OPT_MAX] = { 0 };
		socklen_t ml = sizeof(mine);
		int diff;

		if (!applies(o, k->family, k->type, k->protocol) || (established && derived(o)))
			continue;
		diff = sockopt_differs(fd, fresh, o->level, o->name, mine, &ml);
		if (diff < 0) {
			pr_perror("Can't read socket option %d:%d", o->level, o->name);
			return -1;
		}
		if (!diff)
			continue;
		memcpy(vals[e->n_opts], mine, ml);
		opts[e->n_opts] = (InetSkOpt)INET_SK_OPT__INIT;
		opts[e->n_opts].level = o->level;
		opts[e->n_opts].name = o->name;
		opts[e->n_opts].value.data = vals[e->n_opts];
		opts[e->n_opts].value.len = ml;
		e->opts[e->n_opts] = &opts[e->n_opts];
		e->n_opts++;
	}
	return 0;
}

/*
 * A TCP or UDP socket is bound once it has a port (an address alone cannot
 * be bound without one); a raw socket's "port" is its protocol, and it is
 * bound when it has an address.
 */
static bool bound(const struct sockaddr_storage *ss, int type)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

	if (type != SOCK_RAW)
		return in->sin_port != 0;
	if (ss->ss_family == AF_INET)
		return in->sin_addr.s_addr != 0;
	return !IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
}

static int inetsk_dump(const struct fd_parms *p, uint32_t id)
{
	InetSkEntry e = INET_SK_ENTRY__INIT;
	InetSkOpt opts[NR_SK_OPTS], *optp[NR_SK_OPTS];
	uint8_t vals[NR_SK_OPTS][OPT_MAX];
	struct sockaddr_storage name, peer;
	socklen_t nl = sizeof(name), pl = sizeof(peer);
	int family = sock_int(p->lfd, SOL_SOCKET, SO_DOMAIN);
	int type = sock_int(p->lfd, SOL_SOCKET, SO_TYPE);
	int proto = sock_int(p->lfd, SOL_SOCKET, SO_PROTOCOL);
	TcpConnEntry tc;
	bool listening, established, closed, eof;
	uint32_t backlog = 0;
	char buf[80];
	int fresh, ret;

	if (check_state(p, type, proto, &listening, &backlog, &established, &closed, &eof))
		return -1;
	e.id = id;
	e.flags = p->flags;
	e.family = family;
	e.type = type;
	e.protocol = proto;
	e.opts = optp;
	fresh = socket(family, type | SOCK_CLOEXEC, proto);
	if (fresh < 0) {
		pr_perror("Can't make a socket to compare fd %d of pid %d with", p->fd, p->pid);
		return -1;
	}
	ret = save_opts(p->lfd, fresh, &e, established || closed, &e, opts, vals);
	close(fresh);
	if (ret)
		return -1;
	if (getsockname(p->lfd, (struct sockaddr *)&name, &nl)) {
		pr_perror("Can't read the address of fd %d of pid %d", p->fd, p->pid);
		return -1;
	}
	if (established && check_peer_dropped(p, &name, &established, &closed, &eof))
		return -1;
	if (closed)
		e.has_closed_conn = e.closed_conn = true;
	e.has_eof = e.eof = eof;
	if (bound(&name, type) && !closed) {
		e.has_name = true;
		e.name.data = (uint8_t *)&name;
		e.name.len = nl;
	}
	if (type == SOCK_RAW) {
		ret = procnet_raw_peer(family, p->st.st_ino, &peer, &pl);
		if (ret < 0) {
			pr_err("Can't find raw socket fd %d of pid %d in /proc/net\n", p->fd, p->pid);
			return -1;
		}
		e.has_peer = ret;
	} else if ((proto == IPPROTO_UDP || established) && !closed) {
		e.has_peer = !getpeername(p->lfd, (struct sockaddr *)&peer, &pl);
	}
	if (e.has_peer) {
		e.peer.data = (uint8_t *)&peer;
		e.peer.len = pl;
	}
	if (listening) {
		e.has_backlog = true;
		e.backlog = backlog;
	}
	if (established) {
		if (!e.has_peer) {
			pr_perror("Can't read the peer of TCP fd %d of pid %d", p->fd, p->pid);
			return -1;
		}
		if (tcp_dump_conn(p->lfd, &name, nl, &peer, pl, &tc)) {
			pr_perror("Can't read the TCP connection of fd %d of pid %d in repair mode",
				  p->fd, p->pid);
			tcp_free_conn(&tc);
			return -1;
		}
		e.tcp = &tc;
	}
	if ((type == SOCK_DGRAM && proto == IPPROTO_UDP &&
	     udp_dump_queue(p->lfd, p->pid, p->fd, &e)) ||
	    (type != SOCK_STREAM && mcast_dump(p->lfd, p->pid, p->fd, &e))) {
		udp_free_queue(&e);
		mcast_free(&e);
		return -1;
	}
	pr_info("fd %d of pid %d: %s %s %s%s, %zu options\n", p->fd, p->pid,
		family == AF_INET ? "IPv4" : "IPv6",
		type == SOCK_RAW ? "raw" : proto == IPPROTO_TCP ? "TCP" : "UDP",
		e.has_name ? addr_str(&name, nl, buf, sizeof(buf)) : "unbound",
		listening ? " listening" : established ? " established" :
		closed ? " (comes back closed)" : e.has_peer ? " connected" : "",
		e.n_opts);
	ret = img_store_write(&store, &e.base);
	if (established)
		tcp_free_conn(&tc);
	udp_free_queue(&e);
	mcast_free(&e);
	return ret;
}

static int inetsk_dump_finish(void)
{
	inet_diag_free(&tcp_diag);
	tcp_diag_read = false;
	mcast_dump_finish();
	return img_store_finish(&store);
}

/* ---- restore ---- */

static int inetsk_collect(void)
{
	return img_store_load(&store);
}

static int set_opts(int fd, const InetSkEntry *e)
{
	for (size_t i = 0; i < e->n_opts; i++) {
		const InetSkOpt *o = e->opts[i];

		if (o->value.len > OPT_MAX) {
			pr_err("Socket %u: option %d:%d is %zu bytes\n", e->id, o->level, o->name,
			       o->value.len);
			return -1;
		}
		if (sockopt_restore(fd, o->level, o->name, o->value.data, o->value.len)) {
			pr_perror("Can't set option %d:%d of socket %u", o->level, o->name, e->id);
			return -1;
		}
	}
	return 0;
}

/*
 * The port of a TCP socket may still be held by connections of the dumped
 * tree that ended (TIME_WAIT) or are ending (orphans), which SO_REUSEADDR
 * does not get past when they had it off. A socket in repair mode binds
 * regardless: one that is not a connection (whose repair mode lasts) binds
 * in it and leaves it, which clears SO_REUSEADDR: it is set again before the
 * socket listens, which checks the port once more (TIME_WAIT connections of
 * a listener that had SO_REUSEADDR then let it listen again).
 */
static int bind_again(int fd, const InetSkEntry *e)
{
	int reuse_val, *reuse = &reuse_val;
	socklen_t len = sizeof(*reuse);
	int on = TCP_REPAIR_ON, off = TCP_REPAIR_OFF_NO_WP;

	if (e->protocol != IPPROTO_TCP || e->tcp)
		return bind(fd, (struct sockaddr *)e->name.data, e->name.len);
	if (getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, reuse, &len) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on)))
		return -1;
	if (bind(fd, (struct sockaddr *)e->name.data, e->name.len) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off)))
		return -1;
	return setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, reuse, sizeof(*reuse));
}

static int inetsk_open(uint32_t id)
{
	InetSkEntry *e = (InetSkEntry *)img_store_find(&store, "id", id);
	char buf[80];
	int fd;

	if (!e) {
		pr_err("Socket %u is missing from inetsk.img\n", id);
		return -1;
	}
	if ((e->family != AF_INET && e->family != AF_INET6) ||
	    (e->has_name && e->name.len > sizeof(struct sockaddr_storage)) ||
	    (e->has_peer && e->peer.len > sizeof(struct sockaddr_storage))) {
		pr_err("Socket %u: bad family or address in inetsk.img\n", id);
		return -1;
	}
	fd = socket(e->family, e->type | SOCK_CLOEXEC, e->protocol);
	if (fd < 0) {
		pr_perror("Can't create socket %u", id);
		return -1;
	}
	if (e->tcp && !opts.tcp_established && !opts.tcp_close) {
		pr_err("Socket %u is an established TCP connection: restore with --tcp-established (or --tcp-close)\n",
		       id);
		goto err;
	}
	/* --tcp-close, or a connection dumped closed: a fresh, unconnected socket */
	if ((e->tcp && opts.tcp_close) || e->closed_conn) {
		if (set_opts(fd, e))
			goto err;
		if (e->tcp)
			tcp_forget_lock(e);
		/* not connected: the flags are set all the same (and ENOTCONN said) */
		if (e->eof)
			shutdown(fd, SHUT_RDWR);
		goto flags;
	}
	if (set_opts(fd, e))
		goto err;
	if (e->tcp && tcp_restore_seqs(fd, e->tcp)) {
		pr_perror("Can't set the sequence numbers of TCP socket %u", id);
		goto err;
	}
	if (e->has_name && bind_again(fd, e)) {
		pr_perror("Can't bind socket %u to %s", id,
			  addr_str(e->name.data, e->name.len, buf, sizeof(buf)));
		goto err;
	}
	if (e->has_backlog && listen(fd, e->backlog)) {
		pr_perror("Can't listen on socket %u (%s)", id,
			  addr_str(e->name.data, e->name.len, buf, sizeof(buf)));
		goto err;
	}
	if (e->has_peer && connect(fd, (struct sockaddr *)e->peer.data, e->peer.len)) {
		pr_perror("Can't connect socket %u to %s", id,
			  addr_str(e->peer.data, e->peer.len, buf, sizeof(buf)));
		goto err;
	}
	if (mcast_restore(fd, e) || (e->n_queue && udp_refill(fd, e)))
		goto err;
	if (e->tcp && tcp_restore_conn(fd, e)) {
		pr_perror("Can't restore the TCP connection of socket %u (%s)", id,
			  addr_str(e->peer.data, e->peer.len, buf, sizeof(buf)));
		goto err;
	}
flags:
	if (fcntl(fd, F_SETFL, e->flags & ~O_ACCMODE)) {
		pr_perror("Can't set flags %#x on socket %u", e->flags, id);
		goto err;
	}
	return fd;
err:
	close(fd);
	return -1;
}

static void inetsk_dump_release(bool tree_dies)
{
	tcp_dump_release(tree_dies);
	udp_dump_release(tree_dies);
}

static void inetsk_reset(void)
{
	tcp_restore_reset();
	img_store_reset(&store);
}

const struct fd_kind inetsk_kind = {
	.name = "inet socket",
	.type = FD_TYPE__INETSK,
	.match = inetsk_match,
	.dump = inetsk_dump,
	.dump_finish = inetsk_dump_finish,
	.dump_release = inetsk_dump_release,
	.collect = inetsk_collect,
	.open = inetsk_open,
	.go_live = tcp_restore_go_live,
	.reset = inetsk_reset,
	.may_fly = true,
};
