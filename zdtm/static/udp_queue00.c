// SPDX-License-Identifier: GPL-2.0
/*
 * Datagrams queued on UDP sockets, not yet read:
 *   U4: bound to 127.0.0.1, from two bound senders (127.0.0.1 and
 *       127.0.0.2) and an unbound one, an empty datagram and a 60 000-byte
 *       one among them;
 *   U6: bound to ::1, from a sender on ::1;
 *   UA: bound to the any address, IP_PKTINFO on, sent to 127.0.0.3;
 *   UC: connected to the first sender, from it.
 * After restore each reads the same datagrams in the same order, from the
 * same senders (UA: to the same local address), then nothing.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zdtmtst.h"

#define BIG 60000
#define NR_SENT 16

struct sent {
	int to;			/* index of the receiving socket */
	int from;		/* index of the sending socket */
	size_t len;
	uint32_t seed;
};

static int sk[8];	/* U4, U6, UA, UC, S1, S2, S3 (unbound), S6 */
static struct sockaddr_storage name[8];
static struct sent sent[NR_SENT];
static int nr_sent;
static uint8_t buf[BIG + 1];

static int udp(int family, const char *addr)
{
	struct sockaddr_storage ss = { .ss_family = family };
	int fd = socket(family, SOCK_DGRAM, 0);

	if (fd < 0)
		test_setup_fail("socket: %s", strerror(errno));
	if (!addr)
		return fd;
	if (family == AF_INET)
		inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->sin_addr);
	else
		inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)&ss)->sin6_addr);
	if (bind(fd, (struct sockaddr *)&ss, sizeof(ss)))
		test_setup_fail("bind %s: %s", addr, strerror(errno));
	return fd;
}

static void send_one(int from, int to, size_t len, const char *to_addr)
{
	struct sockaddr_storage dst = name[to];
	struct sent *s = &sent[nr_sent];

	if (to_addr)
		inet_pton(AF_INET, to_addr, &((struct sockaddr_in *)&dst)->sin_addr);
	*s = (struct sent){ to, from, len, 0x5eed + nr_sent };
	datagen(buf, len, s->seed);
	if (sendto(sk[from], buf, len, 0, (struct sockaddr *)&dst, sizeof(dst)) != (ssize_t)len)
		test_setup_fail("sendto: %s", strerror(errno));
	nr_sent++;
}

/* The next datagram of @s's socket: the one sent, from its sender; 0 if so. */
static int expect(const struct sent *s)
{
	struct sockaddr_storage from, sender;
	char ctl[128];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	socklen_t len = sizeof(sender);
	ssize_t n = recvmsg(sk[s->to], &mh, MSG_DONTWAIT);

	if (n < 0) {
		test_msg("socket %d: datagram %ld missing: %s", s->to, (long)(s - sent),
			 strerror(errno));
		return 1;
	}
	getsockname(sk[s->from], (struct sockaddr *)&sender, &len);
	if ((size_t)n != s->len || !datachk(buf, n, s->seed)) {
		test_msg("socket %d: datagram %ld is %zd bytes, or others", s->to, (long)(s - sent), n);
		return 1;
	}
	/* an unbound sender's name has the any address: its port tells it */
	if (sender.ss_family == AF_INET &&
	    ((struct sockaddr_in *)&sender)->sin_addr.s_addr == htonl(INADDR_ANY))
		((struct sockaddr_in *)&sender)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (memcmp(&from, &sender, len)) {
		test_msg("socket %d: datagram %ld from another sender", s->to, (long)(s - sent));
		return 1;
	}
	if (s->to == 2) {
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		struct in_pktinfo pi;

		if (!c || c->cmsg_type != IP_PKTINFO)
			return test_msg("UA: no IP_PKTINFO"), 1;
		memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		if (ntohl(pi.ipi_addr.s_addr) != 0x7f000003)
			return test_msg("UA: sent to %s", inet_ntoa(pi.ipi_addr)), 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int one = 1, bad = 0;

	test_init(argc, argv);
	sk[0] = udp(AF_INET, "127.0.0.1");
	sk[1] = udp(AF_INET6, "::1");
	sk[2] = udp(AF_INET, "0.0.0.0");
	sk[3] = udp(AF_INET, "127.0.0.1");
	sk[4] = udp(AF_INET, "127.0.0.1");
	sk[5] = udp(AF_INET, "127.0.0.2");
	sk[6] = udp(AF_INET, NULL);
	sk[7] = udp(AF_INET6, "::1");
	for (int i = 0; i < 8; i++) {
		socklen_t len = sizeof(name[i]);

		getsockname(sk[i], (struct sockaddr *)&name[i], &len);
	}
	if (connect(sk[3], (struct sockaddr *)&name[4], sizeof(struct sockaddr_in)) ||
	    setsockopt(sk[2], IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)))
		test_setup_fail("connect/IP_PKTINFO: %s", strerror(errno));
	send_one(4, 0, 100, NULL);
	send_one(5, 0, 0, NULL);
	send_one(6, 0, BIG, NULL);
	send_one(4, 0, 1, NULL);
	send_one(7, 1, 200, NULL);
	send_one(7, 1, 0, NULL);
	send_one(4, 2, 300, "127.0.0.3");
	send_one(4, 3, 400, NULL);
	send_one(4, 3, 0, NULL);
	/* an unbound sender got a port with its first datagram */
	{
		socklen_t len = sizeof(name[6]);

		getsockname(sk[6], (struct sockaddr *)&name[6], &len);
	}

	test_daemon();
	test_waitsig();

	if (test_break())
		recv(sk[0], buf, sizeof(buf), MSG_DONTWAIT);
	for (int i = 0; i < nr_sent; i++)
		bad |= expect(&sent[i]);
	for (int i = 0; i < 4; i++)
		if (recv(sk[i], buf, sizeof(buf), MSG_DONTWAIT) >= 0) {
			test_msg("socket %d holds a datagram more", i);
			bad = 1;
		}
	if (bad)
		fail("the queued datagrams changed");
	pass();
}
