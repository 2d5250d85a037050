// SPDX-License-Identifier: GPL-2.0
/*
 * Packet sockets (AF_PACKET):
 *   R: SOCK_RAW, ETH_P_ALL, bound to lo, PACKET_AUXDATA, a classic BPF
 *      filter letting in only UDP datagrams to this test's port, locked
 *      (SO_LOCK_FILTER), PACKET_IGNORE_OUTGOING, SO_PRIORITY, SO_MARK,
 *      SO_RCVBUF, O_NONBLOCK;
 *   D: SOCK_DGRAM, ETH_P_IP, unbound (every interface), PACKET_VERSION
 *      TPACKET_V2, PACKET_ORIGDEV, PACKET_TIMESTAMP;
 *   Z: SOCK_RAW, protocol 0, bound to lo (takes nothing), PACKET_RESERVE,
 *      PACKET_QDISC_BYPASS, PACKET_LOSS, PACKET_VNET_HDR with a 12-byte
 *      header (PACKET_VNET_HDR_SZ), SO_SNDBUF.
 * After restore each reports the same address, options and filter, and R
 * and D still receive: a UDP datagram sent over loopback arrives on R
 * (with its auxiliary data) and on D, once what they queued before is
 * drained.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/net_tstamp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "packet.h"
#include "zdtmtst.h"

#define NR_SK 3

#ifndef PACKET_VNET_HDR_SZ
#define PACKET_VNET_HDR_SZ 24
#endif

struct opt {
	int sk, level, name, val;
};

static uint16_t port;

static int getint(int sk, int level, int name, int *v)
{
	socklen_t len = sizeof(*v);

	return getsockopt(sk, level, name, v, &len);
}

/* ethertype IPv4, then UDP to the test's port */
static void make_filter(struct sock_filter *f)
{
	f[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12);
	/* not IPv4: to the "nothing" at the end of the port filter */
	f[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0,
					    PORT_FILTER_LEN - 2);
	port_filter(f + 2, ETH_HLEN, port);
}

#define FILTER_LEN (2 + PORT_FILTER_LEN)

static void drain(int sk)
{
	char buf[256];

	while (recv(sk, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;
}

/*
 * Wait up to 3 s for a packet holding @payload on @sk; with @aux, it must
 * come with PACKET_AUXDATA. Others (D takes every IPv4 packet) are skipped.
 */
static int seen(int sk, const char *payload, bool aux)
{
	struct pollfd pfd = { sk, POLLIN, 0 };
	time_t end = time(NULL) + 3;

	while (time(NULL) <= end && poll(&pfd, 1, 1000) >= 0) {
		char buf[2048], cbuf[256];
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		bool has_aux = false;
		ssize_t n = recvmsg(sk, &mh, MSG_DONTWAIT);

		if (n < 0)
			continue;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA)
				has_aux = true;
		if (memmem(buf, n, payload, strlen(payload)))
			return aux && !has_aux ? -2 : 0;
	}
	return -1;
}

static void name_of(int sk, struct sockaddr_ll *sa)
{
	socklen_t len = sizeof(*sa);

	memset(sa, 0, sizeof(*sa));
	if (getsockname(sk, (struct sockaddr *)sa, &len))
		test_setup_fail("getsockname: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	struct sockaddr_ll lo_all = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct sockaddr_ll lo_none = { .sll_family = AF_PACKET };
	struct sockaddr_ll before[NR_SK], after[NR_SK];
	struct sock_filter f[FILTER_LEN], g[FILTER_LEN];
	struct sock_fprog prog = { FILTER_LEN, f };
	socklen_t glen = FILTER_LEN;
	char payload[64];
	int sk[NR_SK], r, d, z, ret;

	test_init(argc, argv);
	port = test_port();
	make_filter(f);
	lo_all.sll_ifindex = lo_none.sll_ifindex = if_nametoindex("lo");
	r = sk[0] = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	d = sk[1] = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	z = sk[2] = socket(AF_PACKET, SOCK_RAW, 0);
	if (r < 0 || d < 0 || z < 0 || !lo_all.sll_ifindex)
		test_setup_fail("packet socket: %s", strerror(errno));

	struct opt opts[] = {
		{ r, SOL_PACKET, PACKET_AUXDATA, 1 },
		{ r, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1 },
		{ r, SOL_SOCKET, SO_PRIORITY, 5 },
		{ r, SOL_SOCKET, SO_MARK, 0x5a },
		{ r, SOL_SOCKET, SO_RCVBUF, 300000 },
		{ d, SOL_PACKET, PACKET_VERSION, TPACKET_V2 },
		{ d, SOL_PACKET, PACKET_ORIGDEV, 1 },
		{ d, SOL_PACKET, PACKET_TIMESTAMP, SOF_TIMESTAMPING_RAW_HARDWARE },
		{ z, SOL_PACKET, PACKET_RESERVE, 64 },
		{ z, SOL_PACKET, PACKET_QDISC_BYPASS, 1 },
		{ z, SOL_PACKET, PACKET_LOSS, 1 },
		{ z, SOL_PACKET, PACKET_VNET_HDR, 1 },
		/* after PACKET_VNET_HDR, which sets the size to 10 */
		{ z, SOL_PACKET, PACKET_VNET_HDR_SZ, 12 },
		{ z, SOL_SOCKET, SO_SNDBUF, 50000 },
	};
	int vals[sizeof(opts) / sizeof(opts[0])];

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (setsockopt(opts[i].sk, opts[i].level, opts[i].name, &opts[i].val,
			       sizeof(int)))
			test_setup_fail("option %zu: %s", i, strerror(errno));
	if (setsockopt(r, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ||
	    setsockopt(r, SOL_SOCKET, SO_LOCK_FILTER, &(int){ 1 }, sizeof(int)) ||
	    bind(r, (struct sockaddr *)&lo_all, sizeof(lo_all)) ||
	    bind(z, (struct sockaddr *)&lo_none, sizeof(lo_none)) ||
	    fcntl(r, F_SETFL, O_NONBLOCK))
		test_setup_fail("setting up: %s", strerror(errno));
	/* what the kernel made of them (SO_RCVBUF doubles) */
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (getint(opts[i].sk, opts[i].level, opts[i].name, &vals[i]))
			test_setup_fail("option %zu: %s", i, strerror(errno));
	snprintf(payload, sizeof(payload), "zdtm packet00 %d before", getpid());
	if (send_udp(port, payload) || seen(r, payload, true) || seen(d, payload, false))
		test_setup_fail("nothing received before the dump");
	for (int i = 0; i < NR_SK; i++)
		name_of(sk[i], &before[i]);

	test_daemon();
	test_waitsig();

	if (test_break())
		setsockopt(d, SOL_PACKET, PACKET_ORIGDEV, &(int){ 0 }, sizeof(int));

	for (int i = 0; i < NR_SK; i++) {
		name_of(sk[i], &after[i]);
		if (after[i].sll_ifindex != before[i].sll_ifindex ||
		    after[i].sll_protocol != before[i].sll_protocol)
			fail("socket %c: bound to %d protocol %#x, was %d protocol %#x", "RDZ"[i],
			     after[i].sll_ifindex, ntohs(after[i].sll_protocol),
			     before[i].sll_ifindex, ntohs(before[i].sll_protocol));
	}
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		int v = -1;

		if (getint(opts[i].sk, opts[i].level, opts[i].name, &v) || v != vals[i])
			fail("option %d:%d of fd %d is %d, was %d", opts[i].level, opts[i].name,
			     opts[i].sk, v, vals[i]);
	}
	if (getsockopt(r, SOL_SOCKET, SO_GET_FILTER, g, &glen) || glen != FILTER_LEN ||
	    memcmp(f, g, sizeof(f)))
		fail("R: its filter changed (%u instructions)", glen);
	if (getint(r, SOL_SOCKET, SO_LOCK_FILTER, &ret) || ret != 1)
		fail("R: its filter is not locked");
	if (!(fcntl(r, F_GETFL) & O_NONBLOCK) || (fcntl(d, F_GETFL) & O_NONBLOCK))
		fail("file status flags changed");
	drain(r);
	drain(d);
	snprintf(payload, sizeof(payload), "zdtm packet00 %d after", getpid());
	if (send_udp(port, payload))
		fail("can't send a UDP datagram: %s", strerror(errno));
	ret = seen(r, payload, true);
	if (ret == -2)
		fail("R: the datagram came without PACKET_AUXDATA");
	if (ret)
		fail("R: the datagram over lo did not arrive");
	if (seen(d, payload, false))
		fail("D: the datagram over lo did not arrive");
	pass();
}
