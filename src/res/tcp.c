// SPDX-License-Identifier: GPL-2.0
/*
 * Established TCP connections for the inet socket kind (--tcp-established),
 * through TCP_REPAIR: in repair mode a socket reports and accepts its
 * sequence numbers, window, negotiated options and the contents of both
 * queues, and it neither sends nor answers anything. Closing it in repair
 * mode drops it silently, so a dumped tree that is killed sends no FIN or
 * RST; a tree that goes on gets its sockets out of repair first.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "inet.pb-c.h"
#include "engine/action.h"
#include "res/tcp.h"
#include "util/log.h"

/*
 * Our copies of the sockets put in repair mode by this dump, with their
 * SO_REUSEADDR: leaving repair mode clears it, and a connection that lost
 * it leaves a TIME_WAIT behind that keeps its listener from binding again.
 */
struct repaired_sk {
	int fd, reuse;
};
static struct repaired_sk *repaired;
static int nr_repaired;

extern char **environ;

/*
 * The network lock. From the moment a connection's socket is gone (the
 * tree killed after the dump) until its restored copy is live, the peer's
 * segments would be answered with a reset: an iptables rule drops them, so
 * the peer sees only a delay and retransmits.
 */
struct conn_addr {
	struct sockaddr_storage local, peer;
};

static struct conn_addr *locked;
static int nr_locked;
static bool lock_hook_ran;

static void ip_port(const struct sockaddr_storage *ss, char *ip, size_t len, char *port)
{
	const struct sockaddr_in *in = (const void *)ss;
	const struct sockaddr_in6 *in6 = (const void *)ss;

	if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, len);
		sprintf(port, "%u", ntohs(in6->sin6_port));
	} else {
		inet_ntop(AF_INET, &in->sin_addr, ip, len);
		sprintf(port, "%u", ntohs(in->sin_port));
	}
}

/* @op: "-I" lock, "-D" unlock, "-C" is it locked? Returns iptables' exit status or -1. */
static int lock_rule(const char *op, const struct conn_addr *c)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], sport[8], dport[8];
	char *argv[] = { c->local.ss_family == AF_INET6 ? "ip6tables" : "iptables", "-w", (char *)op,
			 "INPUT", "-p", "tcp", "-s", src, "--sport", sport, "-d", dst, "--dport",
			 dport, "-m", "comment", "--comment", "criu network lock", "-j", "DROP",
			 NULL };
	posix_spawn_file_actions_t quiet;
	int st = -1;
	pid_t pid;

	ip_port(&c->peer, src, sizeof(src), sport);
	ip_port(&c->local, dst, sizeof(dst), dport);
	/* -C says "does not exist" on stderr when it does not: not an error here */
	if (posix_spawn_file_actions_init(&quiet) ||
	    posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", O_WRONLY, 0))
		return -1;
	if (posix_spawnp(&pid, argv[0], op[1] == 'C' ? &quiet : NULL, NULL, argv, environ)) {
		pr_perror("Can't run %s", argv[0]);
		pid = -1;
	}
	posix_spawn_file_actions_destroy(&quiet);
	if (pid < 0)
		return -1;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
		pr_err("%s %s INPUT for %s:%s -> %s:%s died (status %#x)\n", argv[0], op, src, sport,
		       dst, dport, st);
		return -1;
	}
	if (WEXITSTATUS(st) && op[1] != 'C')
		pr_err("%s %s INPUT for %s:%s -> %s:%s failed (exit %d)\n", argv[0], op, src, sport,
		       dst, dport, WEXITSTATUS(st));
	else if (!WEXITSTATUS(st) && op[1] != 'C')
		pr_info("Network %s: %s:%s -> %s:%s\n", op[1] == 'I' ? "locked" : "unlocked", src,
			sport, dst, dport);
	return WEXITSTATUS(st);
}

static int lock_conn(const void *local, size_t llen, const void *peer, size_t plen)
{
	struct conn_addr c = { 0 }, *nl;

	if (llen > sizeof(c.local) || plen > sizeof(c.peer))
		return -1;
	memcpy(&c.local, local, llen);
	memcpy(&c.peer, peer, plen);
	nl = realloc(locked, (nr_locked + 1) * sizeof(*nl));
	if (!nl)
		return -1;
	locked = nl;
	if (lock_rule("-I", &c))
		return -1;
	locked[nr_locked++] = c;
	/* a script may lock more (another namespace, another host) */
	if (!lock_hook_ran) {
		lock_hook_ran = true;
		return run_action_scripts("network-lock", 0);
	}
	return 0;
}

static void unlock_all(void)
{
	/* a tree dumped with -R or -s was unlocked at the end of its dump */
	for (int i = 0; i < nr_locked; i++)
		if (!lock_rule("-C", &locked[i]))
			lock_rule("-D", &locked[i]);
	if (nr_locked)
		run_action_scripts("network-unlock", 0);
	free(locked);
	locked = NULL;
	nr_locked = 0;
	lock_hook_ran = false;
}

bool tcp_state_carried(int state)
{
	switch (state) {
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
	case TCP_CLOSE_WAIT:
	case TCP_LAST_ACK:
	case TCP_CLOSING:
		return true;
	}
	return false;
}

/* Our FIN is in snd_seq: sent (and maybe acknowledged). */
static bool fin_sent(uint32_t state)
{
	return state == TCP_FIN_WAIT1 || state == TCP_FIN_WAIT2 || state == TCP_LAST_ACK ||
	       state == TCP_CLOSING;
}

/* The peer's FIN is in rcv_seq. */
static bool fin_received(uint32_t state)
{
	return state == TCP_CLOSE_WAIT || state == TCP_LAST_ACK || state == TCP_CLOSING;
}

/* Our FIN sent and not yet acknowledged: SIOCOUTQ counts it as a byte. */
static bool fin_unacked(uint32_t state)
{
	return state == TCP_FIN_WAIT1 || state == TCP_LAST_ACK || state == TCP_CLOSING;
}

static int repair(int fd, int on)
{
	return setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on));
}

static int select_queue(int fd, int queue)
{
	return setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &queue, sizeof(queue));
}

static int get_u32(int fd, int name, uint32_t *v)
{
	int val;
	socklen_t len = sizeof(val);

	if (getsockopt(fd, IPPROTO_TCP, name, &val, &len))
		return -1;
	*v = val;
	return 0;
}

/* Both queues' contents, peeked in repair mode (nothing is consumed); @fin: a
 * FIN that the queue length counts but that holds no data. */
static int peek_queue(int fd, int queue, int ioctl_nr, bool fin, ProtobufCBinaryData *out)
{
	int len = 0;
	ssize_t got;

	if (ioctl(fd, ioctl_nr, &len) || len < 0)
		return -1;
	if (fin && len > 0)
		len--;
	out->len = 0;
	out->data = malloc(len + 1);
	if (!out->data || select_queue(fd, queue))
		return -1;
	got = len ? recv(fd, out->data, len, MSG_PEEK | MSG_DONTWAIT) : 0;
	if (got != len) {
		errno = got < 0 ? errno : EIO;
		return -1;
	}
	out->len = len;
	return 0;
}

static int remember(int fd, int reuse)
{
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	struct repaired_sk *nr;

	if (copy < 0)
		return -1;
	nr = realloc(repaired, (nr_repaired + 1) * sizeof(*nr));
	if (!nr) {
		close(copy);
		return -1;
	}
	repaired = nr;
	repaired[nr_repaired++] = (struct repaired_sk){ copy, reuse };
	return 0;
}

/* Out of repair mode, SO_REUSEADDR as it was. */
static int repair_off(int fd, int how, int reuse)
{
	if (repair(fd, how))
		return -1;
	return reuse ? setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse)) : 0;
}

static int read_conn(int fd, TcpConnEntry *tc)
{
	struct tcp_repair_window w;
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int unsent = 0;

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) || ioctl(fd, SIOCOUTQNSD, &unsent))
		return -1;
	tc->options = ti.tcpi_options;
	if (ti.tcpi_options & TCPI_OPT_WSCALE) {
		tc->has_snd_wscale = tc->has_rcv_wscale = true;
		tc->snd_wscale = ti.tcpi_snd_wscale;
		tc->rcv_wscale = ti.tcpi_rcv_wscale;
	}
	if (ti.tcpi_options & TCPI_OPT_TIMESTAMPS) {
		tc->has_timestamp = true;
		if (get_u32(fd, TCP_TIMESTAMP, &tc->timestamp))
			return -1;
	}
	if (get_u32(fd, TCP_MAXSEG, &tc->mss))
		return -1;
	len = sizeof(w);
	if (getsockopt(fd, IPPROTO_TCP, TCP_REPAIR_WINDOW, &w, &len))
		return -1;
	tc->snd_wl1 = w.snd_wl1;
	tc->snd_wnd = w.snd_wnd;
	tc->max_window = w.max_window;
	tc->rcv_wnd = w.rcv_wnd;
	tc->rcv_wup = w.rcv_wup;
	if (select_queue(fd, TCP_SEND_QUEUE) || get_u32(fd, TCP_QUEUE_SEQ, &tc->snd_seq) ||
	    select_queue(fd, TCP_RECV_QUEUE) || get_u32(fd, TCP_QUEUE_SEQ, &tc->rcv_seq))
		return -1;
	if (ti.tcpi_state != TCP_ESTABLISHED) {
		tc->has_state = true;
		tc->state = ti.tcpi_state;
	}
	if (peek_queue(fd, TCP_RECV_QUEUE, SIOCINQ, false, &tc->rcv_queue) ||
	    peek_queue(fd, TCP_SEND_QUEUE, SIOCOUTQ, fin_unacked(ti.tcpi_state), &tc->snd_queue))
		return -1;
	tc->unsent = unsent < 0 || (size_t)unsent > tc->snd_queue.len ? 0 : unsent;
	return 0;
}

int tcp_dump_conn(int fd, const void *local, size_t llen, const void *peer, size_t plen,
		  TcpConnEntry *tc)
{
	socklen_t len = sizeof(int);
	int reuse = 0;

	*tc = (TcpConnEntry)TCP_CONN_ENTRY__INIT;
	if (getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, &len) ||
	    lock_conn(local, llen, peer, plen) || repair(fd, TCP_REPAIR_ON))
		return -1;
	if (remember(fd, reuse)) {
		repair_off(fd, TCP_REPAIR_OFF_NO_WP, reuse);
		return -1;
	}
	return read_conn(fd, tc);
}

void tcp_free_conn(TcpConnEntry *tc)
{
	free(tc->rcv_queue.data);
	free(tc->snd_queue.data);
	tc->rcv_queue.data = tc->snd_queue.data = NULL;
}

void tcp_dump_release(bool tree_dies)
{
	for (int i = 0; i < nr_repaired; i++) {
		/* a dying tree closes its sockets in repair mode: no FIN, no RST */
		if (!tree_dies &&
		    repair_off(repaired[i].fd, TCP_REPAIR_OFF_NO_WP, repaired[i].reuse))
			pr_perror("Can't take a TCP socket out of repair mode");
		close(repaired[i].fd);
	}
	free(repaired);
	repaired = NULL;
	nr_repaired = 0;
	/* a killed tree's connections stay locked until their restore */
	if (!tree_dies)
		unlock_all();
	free(locked);
	locked = NULL;
	nr_locked = 0;
	lock_hook_ran = false;
}

/* ---- restore ---- */

/* never blocks criu: the queues were sized to hold all of it */
static int send_all(int fd, const uint8_t *data, size_t len)
{
	while (len) {
		ssize_t r = send(fd, data, len, MSG_DONTWAIT);

		if (r <= 0)
			return -1;
		data += r;
		len -= r;
	}
	return 0;
}

/* In repair mode, send() fills the selected queue instead of sending. */
static int send_queue(int fd, int queue, const uint8_t *data, size_t len)
{
	return select_queue(fd, queue) || send_all(fd, data, len) ? -1 : 0;
}

static int set_u32(int fd, int name, uint32_t v)
{
	int val = v;

	return setsockopt(fd, IPPROTO_TCP, name, &val, sizeof(val));
}

/*
 * Restored connections stay in repair mode (silent) until every socket of
 * the tree exists: a peer restored later would otherwise answer the first
 * segment with a reset.
 */
struct pending {
	int fd;			/* criu's own copy */
	int reuse;		/* SO_REUSEADDR, cleared by leaving repair mode */
	const uint8_t *unsent;	/* in the image store, alive until reset */
	size_t len;
	struct conn_addr addr;
};

static struct pending *pending;
static int nr_pending;

/* SO_REUSEADDR as dumped (an option is saved only when it differs from a fresh socket's). */
static int reuse_of(const InetSkEntry *e)
{
	for (size_t i = 0; i < e->n_opts; i++) {
		const InetSkOpt *o = e->opts[i];
		int v = 0;

		if (o->level == SOL_SOCKET && o->name == SO_REUSEADDR && o->value.len >= sizeof(v)) {
			memcpy(&v, o->value.data, sizeof(v));
			return v;
		}
	}
	return 0;
}

static int remember_pending(int fd, const InetSkEntry *e, size_t sent)
{
	const TcpConnEntry *tc = e->tcp;
	struct pending *np = realloc(pending, (nr_pending + 1) * sizeof(*np));
	int copy;

	if (!np)
		return -1;
	pending = np;
	copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (copy < 0)
		return -1;
	pending[nr_pending] = (struct pending){ .fd = copy, .reuse = reuse_of(e),
						.unsent = tc->snd_queue.data + sent,
						.len = tc->snd_queue.len - sent };
	memcpy(&pending[nr_pending].addr.local, e->name.data, e->name.len);
	memcpy(&pending[nr_pending].addr.peer, e->peer.data, e->peer.len);
	nr_pending++;
	return 0;
}

/*
 * A closing connection comes back established, its FINs taken out of the
 * sequence numbers: ours is sent again from repair mode (shutdown queues it
 * as already sent, so it is retransmitted once live, and a peer that had it
 * acknowledges it again); the peer's is replayed by shutting our read side
 * (it reads end of file). A peer restored with us sends its FIN again and
 * the states meet where they were.
 */
int tcp_restore_seqs(int fd, const TcpConnEntry *tc)
{
	uint32_t snd_una = tc->snd_seq - (uint32_t)tc->snd_queue.len - fin_sent(tc->state);
	uint32_t copied = tc->rcv_seq - (uint32_t)tc->rcv_queue.len - fin_received(tc->state);

	if (repair(fd, TCP_REPAIR_ON) || select_queue(fd, TCP_SEND_QUEUE) ||
	    set_u32(fd, TCP_QUEUE_SEQ, snd_una) || select_queue(fd, TCP_RECV_QUEUE) ||
	    set_u32(fd, TCP_QUEUE_SEQ, copied))
		return -1;
	return 0;
}

int tcp_restore_conn(int fd, const InetSkEntry *e)
{
	const TcpConnEntry *tc = e->tcp;
	struct tcp_repair_opt ro[4];
	struct tcp_repair_window w = {
		.snd_wl1 = tc->snd_wl1,
		.snd_wnd = tc->snd_wnd,
		.max_window = tc->max_window,
		.rcv_wnd = tc->rcv_wnd,
		.rcv_wup = tc->rcv_wup,
	};
	size_t sent = tc->snd_queue.len - tc->unsent;
	int n = 0;

	ro[n++] = (struct tcp_repair_opt){ TCPOPT_MAXSEG, tc->mss };
	if (tc->options & TCPI_OPT_WSCALE)
		ro[n++] = (struct tcp_repair_opt){ TCPOPT_WINDOW,
						   tc->snd_wscale | (tc->rcv_wscale << 16) };
	if (tc->options & TCPI_OPT_SACK)
		ro[n++] = (struct tcp_repair_opt){ TCPOPT_SACK_PERMITTED, 0 };
	if (tc->options & TCPI_OPT_TIMESTAMPS)
		ro[n++] = (struct tcp_repair_opt){ TCPOPT_TIMESTAMP, 0 };
	if (tc->unsent > tc->snd_queue.len) {
		errno = EINVAL;
		return -1;
	}
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_OPTIONS, ro, n * sizeof(ro[0])))
		return -1;
	if (tc->has_timestamp && set_u32(fd, TCP_TIMESTAMP, tc->timestamp))
		return -1;
	/* after our FIN nothing is left to send live: all of it goes before the FIN */
	if (fin_sent(tc->state))
		sent = tc->snd_queue.len;
	if (send_queue(fd, TCP_RECV_QUEUE, tc->rcv_queue.data, tc->rcv_queue.len) ||
	    send_queue(fd, TCP_SEND_QUEUE, tc->snd_queue.data, sent))
		return -1;
	/* the window was last moved past the peer's FIN, which is not back yet */
	if (fin_received(tc->state) && w.rcv_wup == tc->rcv_seq)
		w.rcv_wup--;
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_WINDOW, &w, sizeof(w)))
		return -1;
	/* the send queue is selected: the FIN is queued as sent, not sent */
	if (fin_sent(tc->state) && shutdown(fd, SHUT_WR))
		return -1;
	if (fin_received(tc->state) && shutdown(fd, SHUT_RD))
		return -1;
	if (e->name.len > sizeof(struct sockaddr_storage) ||
	    e->peer.len > sizeof(struct sockaddr_storage)) {
		errno = EINVAL;
		return -1;
	}
	return remember_pending(fd, e, sent);
}

int tcp_forget_lock(const InetSkEntry *e)
{
	struct conn_addr *nl = realloc(locked, (nr_locked + 1) * sizeof(*nl));

	if (!nl || e->name.len > sizeof(nl->local) || e->peer.len > sizeof(nl->peer))
		return -1;
	locked = nl;
	memset(&locked[nr_locked], 0, sizeof(*locked));
	memcpy(&locked[nr_locked].local, e->name.data, e->name.len);
	memcpy(&locked[nr_locked].peer, e->peer.data, e->peer.len);
	nr_locked++;
	return 0;
}

int tcp_restore_go_live(void)
{
	int ret = 0;

	for (int i = 0; i < nr_pending; i++) {
		struct pending *p = &pending[i];

		/* what was never sent goes out as the task would have sent it */
		if (!ret && (repair_off(p->fd, TCP_REPAIR_OFF, p->reuse) ||
			     send_all(p->fd, p->unsent, p->len))) {
			pr_perror("Can't bring a restored TCP connection back to life");
			ret = -1;
		}
		close(p->fd);
		p->fd = -1;
	}
	/* live: the peer's segments may come in again */
	for (int i = 0; i < nr_pending; i++) {
		struct conn_addr *nl = realloc(locked, (nr_locked + 1) * sizeof(*nl));

		if (!nl)
			return -1;
		locked = nl;
		locked[nr_locked++] = pending[i].addr;
	}
	unlock_all();
	tcp_restore_reset();
	return ret;
}

void tcp_restore_reset(void)
{
	for (int i = 0; i < nr_pending; i++)
		if (pending[i].fd >= 0)
			close(pending[i].fd);
	free(pending);
	pending = NULL;
	nr_pending = 0;
}
