/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_UTIL_PROCNET_H
#define CR_UTIL_PROCNET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/*
 * The remote address of raw socket @ino as /proc/net/raw (AF_INET) or
 * raw6 (AF_INET6) shows it: sock_diag for raw sockets is not always built
 * and getpeername() does not tell for raw sockets. 1 and the address if
 * the socket is connected, 0 if not, -1 if the socket is not listed.
 */
int procnet_raw_peer(int family, unsigned long ino, struct sockaddr_storage *peer,
		     socklen_t *len);
/* The same on the text of such a file. */
int procnet_raw_peer_buf(const char *buf, int family, unsigned long ino,
			 struct sockaddr_storage *peer, socklen_t *len);

/* A multicast group joined on an interface, as /proc/net/igmp and igmp6 list them. */
struct mcast_group {
	int ifindex;
	char ifname[16];
	unsigned char addr[16];	/* in_addr or in6_addr, network order */
};

/*
 * Every group of @family (AF_INET: /proc/net/igmp, AF_INET6: igmp6) joined
 * by anything on this host; *@out is malloc'ed. 0 or -1.
 */
int procnet_mcast_groups(int family, struct mcast_group **out, int *nr);
int procnet_mcast_groups_buf(const char *buf, int family, struct mcast_group **out, int *nr);

/* One row of /proc/PID/net/packet. */
struct procnet_packet {
	int type;		/* SOCK_RAW, SOCK_DGRAM, SOCK_PACKET */
	uint16_t proto;		/* host byte order, as the file prints it */
	int ifindex;		/* 0: every interface; -1: its interface is gone */
	bool running;		/* hooked to receive */
	unsigned long rmem;	/* bytes charged to its receive queue */
	unsigned long ino;
};

/*
 * The row of packet socket @ino in /proc/@pid/net/packet, that is in the
 * network namespace of @pid (packet_diag is not always built, and nothing
 * else tells what is queued). 0 if found, 1 if not listed there, -1 if the
 * file cannot be read.
 */
int procnet_packet(pid_t pid, unsigned long ino, struct procnet_packet *row);
/* The same on the text of such a file. */
int procnet_packet_buf(const char *buf, unsigned long ino, struct procnet_packet *row);

#endif
