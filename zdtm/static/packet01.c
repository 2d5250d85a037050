// SPDX-License-Identifier: GPL-2.0
/*
 * A packet socket with an RX ring (PACKET_RX_RING, TPACKET_V2) mapped by
 * the task cannot be carried: the dump must fail naming the packet ring,
 * and the socket keeps working afterwards: a UDP datagram sent over
 * loopback lands in a frame of the ring, which the task reads through its
 * mapping.
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
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "packet.h"
#include "zdtmtst.h"

#define FRAME 2048
#define NR_FRAMES 16

static uint8_t *ring;
static unsigned next;

/* Hand back every filled frame; 0 if one holds @payload within 3 s. */
static int in_ring(int sk, const char *payload)
{
	struct pollfd pfd = { sk, POLLIN, 0 };
	time_t end = time(NULL) + 3;
	int found = -1;

	while (found && time(NULL) <= end) {
		struct tpacket2_hdr *h = (struct tpacket2_hdr *)(ring + next * FRAME);

		if (!(__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)) {
			poll(&pfd, 1, 500);
			continue;
		}
		if (memmem((uint8_t *)h + h->tp_mac, h->tp_snaplen, payload, strlen(payload)))
			found = 0;
		__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		next = (next + 1) % NR_FRAMES;
	}
	return found;
}

int main(int argc, char **argv)
{
	struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };
	struct tpacket_req req = { .tp_block_size = 4 * FRAME, .tp_block_nr = NR_FRAMES / 4,
				   .tp_frame_size = FRAME, .tp_frame_nr = NR_FRAMES };
	uint16_t port = test_port();
	struct sock_filter f[PORT_FILTER_LEN];
	struct sock_fprog prog = { PORT_FILTER_LEN, f };
	int sk, v2 = TPACKET_V2;
	char payload[64];

	test_init(argc, argv);
	/* UDP to the test's port only: nothing else fills the queues */
	port_filter(f, 0, port);
	sa.sll_ifindex = if_nametoindex("lo");
	sk = socket(AF_PACKET, SOCK_DGRAM, 0);
	if (sk < 0 || !sa.sll_ifindex)
		test_setup_fail("packet socket: %s", strerror(errno));
	if (setsockopt(sk, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ||
	    setsockopt(sk, SOL_PACKET, PACKET_VERSION, &v2, sizeof(v2)) ||
	    setsockopt(sk, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) ||
	    bind(sk, (struct sockaddr *)&sa, sizeof(sa)))
		test_setup_fail("setting up the ring: %s", strerror(errno));
	ring = mmap(NULL, FRAME * NR_FRAMES, PROT_READ | PROT_WRITE, MAP_SHARED, sk, 0);
	if (ring == MAP_FAILED)
		test_setup_fail("mmap of the ring: %s", strerror(errno));
	snprintf(payload, sizeof(payload), "zdtm packet01 %d before", getpid());
	if (send_udp(port, payload) || in_ring(sk, payload))
		test_setup_fail("the ring got nothing before the dump");

	test_daemon();
	test_waitsig();

	if (test_break()) {
		/* plain memory where the ring was: no frame ever fills */
		munmap(ring, FRAME * NR_FRAMES);
		ring = mmap(NULL, FRAME * NR_FRAMES, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	}

	snprintf(payload, sizeof(payload), "zdtm packet01 %d after", getpid());
	if (send_udp(port, payload))
		fail("can't send a UDP datagram: %s", strerror(errno));
	if (in_ring(sk, payload))
		fail("the datagram over lo did not land in the ring");
	pass();
}
