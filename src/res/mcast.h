/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_RES_MCAST_H
#define CR_RES_MCAST_H

#include "inet.pb-c.h"

/*
 * The multicast groups socket @fd (fd @tfd of @pid) joined, with their
 * source filters, into @e->mcast. No socket option lists them: every group
 * joined on the host (/proc/net/igmp, igmp6) is asked about (MCAST_MSFILTER
 * answers only for a group the socket is a member of).
 */
int mcast_dump(int fd, pid_t pid, int tfd, InetSkEntry *e);
void mcast_free(InetSkEntry *e);
/* The dump is over: forget the host's groups. */
void mcast_dump_finish(void);
/* Restore: join them again, with their filters. */
int mcast_restore(int fd, const InetSkEntry *e);

#endif
