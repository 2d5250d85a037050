// SPDX-License-Identifier: GPL-2.0
/*
 * Two packet sockets in one fanout group (PACKET_FANOUT, hash mode) on lo
 * cannot be carried: the dump must fail naming the fanout, and afterwards
 * both are still in the group and a UDP datagram sent over loopback
 * reaches the group (one of the two).
 */
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
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

/* 0 if @payload arrives on either socket within 3 s */
static int seen(const int *sk, const char *payload)
{
	struct pollfd pfd[2] = { { sk[0], POLLIN, 0 }, { sk[1], POLLIN, 0 } };
	time_t end = time(NULL) + 3;

	while (time(NULL) <= end && poll(pfd, 2, 500) >= 0)
		for (int i = 0; i < 2; i++) {
			char buf[2048];
			ssize_t n = recv(sk[i], buf, sizeof(buf), MSG_DONTWAIT);

			if (n > 0 && memmem(buf, n, payload, strlen(payload)))
				return 0;
		}
	return -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };
	uint16_t port = test_port();
	int group = getpid() & 0xffff;
	int arg = group | PACKET_FANOUT_HASH << 16;
	struct sock_filter f[PORT_FILTER_LEN];
	struct sock_fprog prog = { PORT_FILTER_LEN, f };
	char payload[64];
	int sk[2];

	test_init(argc, argv);
	/* UDP to the test's port only: nothing else fills the queues */
	port_filter(f, 0, port);
	sa.sll_ifindex = if_nametoindex("lo");
	for (int i = 0; i < 2; i++) {
		sk[i] = socket(AF_PACKET, SOCK_DGRAM, 0);
		if (sk[i] < 0 || !sa.sll_ifindex ||
		    setsockopt(sk[i], SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ||
		    bind(sk[i], (struct sockaddr *)&sa, sizeof(sa)) ||
		    setsockopt(sk[i], SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)))
			test_setup_fail("fanout on lo: %s", strerror(errno));
	}
	snprintf(payload, sizeof(payload), "zdtm packet02 %d before", getpid());
	if (send_udp(port, payload) || seen(sk, payload))
		test_setup_fail("the group got nothing before the dump");

	test_daemon();
	test_waitsig();

	if (test_break()) {
		close(sk[0]);
		sk[0] = socket(AF_PACKET, SOCK_DGRAM, 0);
	}
	for (int i = 0; i < 2; i++) {
		int now = 0;
		socklen_t len = sizeof(now);

		if (getsockopt(sk[i], SOL_PACKET, PACKET_FANOUT, &now, &len) || now != arg)
			fail("socket %d: PACKET_FANOUT is %#x, was %#x", i, now, arg);
	}
	snprintf(payload, sizeof(payload), "zdtm packet02 %d after", getpid());
	if (send_udp(port, payload))
		fail("can't send a UDP datagram: %s", strerror(errno));
	if (seen(sk, payload))
		fail("the datagram over lo did not reach the group");
	pass();
}
