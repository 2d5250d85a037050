/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_UTIL_SOCK_DIAG_H
#define CR_UTIL_SOCK_DIAG_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stddef.h>

/* Called for each SOCK_DIAG_BY_FAMILY message of an answer; nonzero stops. */
typedef int (*sock_diag_one)(const struct nlmsghdr *h, void *arg);

/*
 * Walk one buffer of a sock_diag dump answer. Returns 1 when NLMSG_DONE was
 * seen, 0 when more is to come, -1 on an error message (errno set from it),
 * damage or a failed @one.
 */
int sock_diag_walk(const void *buf, size_t len, sock_diag_one one, void *arg);
/*
 * Room for one more socket: @arr grown to @nr + 1 elements of @size, the
 * new one zeroed; NULL (and @arr untouched) when out of memory.
 */
void *sock_diag_grow(void *arr, int nr, size_t size);
/* Call @fn on each attribute after the @body-byte fixed part of @h; -1 if
 * @h is shorter than that or @fn fails. */
int sock_diag_attrs(const struct nlmsghdr *h, size_t body,
		    int (*fn)(const struct rtattr *rta, void *arg), void *arg);
/* Send the dump request @req (@what names it in errors) and walk every answer. */
int sock_diag_dump(const void *req, size_t len, const char *what, sock_diag_one one, void *arg);

#endif
