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

#endif
