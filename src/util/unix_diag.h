/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_UTIL_UNIX_DIAG_H
#define CR_UTIL_UNIX_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What sock_diag (UNIX_DIAG) tells about one unix socket. */
struct unix_diag_sk {
	uint32_t ino;		/* 0 for a connection not yet accepted (no file) */
	uint8_t type, state;
	bool has_peer;		/* connected; peer 0 means the peer is closed */
	uint32_t peer;
	bool has_name;
	uint8_t name_len;	/* bytes of sun_path; abstract names start with 0 */
	char name[108];
	bool has_vfs;		/* bound to a path: the socket file */
	uint32_t vfs_ino, vfs_dev;	/* vfs_dev in the kernel's major<<20|minor form */
	bool has_rqlen;
	uint32_t rqueue, wqueue; /* listeners: pending connections and backlog */
	uint8_t shutdown;	/* RCV_SHUTDOWN 1, SEND_SHUTDOWN 2 */
	uint32_t nr_icons;	/* listeners: peers of pending connections, queue order */
	uint32_t *icons;
};

struct unix_diag_set {
	struct unix_diag_sk *sk;
	int nr;
};

/*
 * Parse one buffer of netlink messages answering a UNIX_DIAG dump into @set
 * (appending). Returns 1 when NLMSG_DONE was seen, 0 when more is to come,
 * -1 on an error message or damage.
 */
int unix_diag_parse(const void *buf, size_t len, struct unix_diag_set *set);
/* Ask the kernel about every unix socket of criu's network namespace. */
int unix_diag_collect(struct unix_diag_set *set);
/* The socket with inode @ino (never matches 0), or NULL. */
struct unix_diag_sk *unix_diag_find(const struct unix_diag_set *set, uint32_t ino);
void unix_diag_free(struct unix_diag_set *set);

#endif
