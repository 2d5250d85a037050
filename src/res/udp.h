/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_RES_UDP_H
#define CR_RES_UDP_H

#include <stdbool.h>
#include <sys/types.h>

#include "inet.pb-c.h"

/*
 * The datagrams queued on UDP socket @fd (criu's copy of fd @tfd of @pid),
 * peeked at, into @e->queue. Sent again at restore with their senders'
 * addresses, through a raw socket (udp_refill).
 */
int udp_dump_queue(int fd, pid_t pid, int tfd, InetSkEntry *e);
void udp_free_queue(InetSkEntry *e);
/* Dump done: see udp.c; nothing if the tree is about to be killed. */
void udp_dump_release(bool tree_dies);
/* Restore: queue @e's datagrams on @fd, bound (and connected) already. */
int udp_refill(int fd, const InetSkEntry *e);

#endif
