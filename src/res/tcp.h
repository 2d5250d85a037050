/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_RES_TCP_H
#define CR_RES_TCP_H

#include <stdbool.h>

#include "inet.pb-c.h"

/* A connection in @state (TCP_*) is carried: established, or closing with a FIN sent or received. */
bool tcp_state_carried(int state);

/*
 * Dump: lock the connection @local <-> @peer against the network (an
 * iptables rule drops the peer's segments), put @fd (criu's copy) in repair
 * mode and read the connection.
 */
int tcp_dump_conn(int fd, const void *local, size_t llen, const void *peer, size_t plen,
		  TcpConnEntry *tc);
void tcp_free_conn(TcpConnEntry *tc);
/* Dump done: out of repair mode and unlocked, unless the tree is about to be killed. */
void tcp_dump_release(bool tree_dies);

/* Restore, on a fresh socket: repair mode and sequence numbers (before bind) ... */
int tcp_restore_seqs(int fd, const TcpConnEntry *tc);
/* ... and after connect: options, queues, window; still in repair mode. */
int tcp_restore_conn(int fd, const InetSkEntry *e);
/* --tcp-close: connection @e comes back closed; its lock goes at go_live. */
int tcp_forget_lock(const InetSkEntry *e);
/* Every socket exists: out of repair, the unsent bytes sent, the network unlocked. */
int tcp_restore_go_live(void);
/* Forget (close silently) connections never brought to life. */
void tcp_restore_reset(void);

#endif
