/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_UTIL_PACKET_DIAG_H
#define CR_UTIL_PACKET_DIAG_H

#include <stddef.h>
#include <stdint.h>

/* One PACKET_ADD_MEMBERSHIP of a packet socket, as packet_diag lists it. */
struct packet_mc {
	uint32_t ifindex, count;	/* count: how many times it was added */
	uint16_t type, alen;		/* PACKET_MR_*, bytes of addr used */
	uint8_t addr[32];
};

struct packet_diag_sk {
	uint32_t ino;
	int nr_mc;
	struct packet_mc *mc;	/* newest first, as the kernel keeps them */
};

struct packet_diag_set {
	struct packet_diag_sk *sk;
	int nr;
};

/*
 * Parse one buffer of a PACKET_DIAG dump answer into @set (appending).
 * Returns 1 when NLMSG_DONE was seen, 0 when more is to come, -1 on an
 * error message or damage.
 */
int packet_diag_parse(const void *buf, size_t len, struct packet_diag_set *set);
/* Ask the kernel about every packet socket of criu's network namespace. */
int packet_diag_collect(struct packet_diag_set *set);
/* The socket with inode @ino, or NULL. */
struct packet_diag_sk *packet_diag_find(const struct packet_diag_set *set, uint32_t ino);
void packet_diag_free(struct packet_diag_set *set);

#endif
