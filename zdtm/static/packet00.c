// SPDX-License-Identifier: GPL-2.0
/*
 * A packet socket (AF_PACKET) is not supported: the dump must fail with
 * one line naming it, and the socket works afterwards (bound to the
 * loopback device, it still reports that binding).
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct sockaddr_ll now;
	socklen_t len = sizeof(now);
	int fd;

	test_init(argc, argv);
	sa.sll_ifindex = if_nametoindex("lo");
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0 || !sa.sll_ifindex || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		test_setup_fail("packet socket: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		close(fd);

	if (getsockname(fd, (struct sockaddr *)&now, &len) || now.sll_ifindex != sa.sll_ifindex)
		fail("the packet socket lost its binding: %s", strerror(errno));
	pass();
}
