/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_UTIL_PROCNET_H
#define CR_UTIL_PROCNET_H

#include <sys/socket.h>

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

#endif
