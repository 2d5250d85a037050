/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_UTIL_INET_DIAG_H
#define CR_UTIL_INET_DIAG_H

#include <stddef.h>
#include <stdint.h>

/* One TCP socket as INET_DIAG tells it: addresses in network order. */
struct inet_diag_sk {
	uint8_t family, state;	/* AF_INET/AF_INET6, TCP_* */
	uint32_t ino;		/* 0: no file (not accepted yet, or orphaned) */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;	/* network byte order */
};

struct inet_diag_set {
	struct inet_diag_sk *sk;
	int nr;
};

/*
 * Parse one buffer of an INET_DIAG dump answer into @set (appending).
 * Returns 1 when NLMSG_DONE was seen, 0 when more is to come, -1 on an
 * error message or damage.
 */
int inet_diag_parse(const void *buf, size_t len, struct inet_diag_set *set);
/* Every TCP socket of criu's network namespace in one of @states (1 << TCP_*). */
int inet_diag_collect(struct inet_diag_set *set, uint32_t states);
void inet_diag_free(struct inet_diag_set *set);

#endif
