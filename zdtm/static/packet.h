/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the packet socket tests share: a UDP datagram sent over loopback
 * to a port of the test's own, and a classic BPF filter that lets in only
 * such datagrams, so the traffic of others on lo stays out.
 */
#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PORT_FILTER_LEN 7

static uint16_t test_port(void)
{
	return 20000 + getpid() % 20000;
}

static int send_udp(uint16_t port, const char *payload)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	ssize_t n;

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	n = sendto(u, payload, strlen(payload), 0, (struct sockaddr *)&to, sizeof(to));
	close(u);
	return n == (ssize_t)strlen(payload) ? 0 : -1;
}

/*
 * IPv4 UDP to @port, the IP header at @ip (0 on a SOCK_DGRAM socket, 14
 * past the Ethernet header on a SOCK_RAW one): the whole packet; else
 * nothing. The caller checks the ethertype first when it needs to.
 */
static void port_filter(struct sock_filter *f, unsigned ip, uint16_t port)
{
	struct sock_filter prog[PORT_FILTER_LEN] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ip + 9),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 3),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, ip),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, ip + 2),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
	};

	memcpy(f, prog, sizeof(prog));
}
