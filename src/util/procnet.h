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
