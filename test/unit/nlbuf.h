/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_TEST_NLBUF_H
#define CR_TEST_NLBUF_H

/* Netlink answers built by hand, laid out as the kernel sends them. */
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <string.h>

/* A buffer netlink messages are appended to, 4-byte aligned like the kernel's. */
struct nlbuf {
	char b[4096] __attribute__((aligned(4)));
	size_t len;
	struct nlmsghdr *cur;
};

/* Start a message of @type whose fixed part is @body (@len bytes). */
static inline void nl_start(struct nlbuf *nb, uint16_t type, const void *body, size_t len)
{
	nb->cur = (struct nlmsghdr *)(nb->b + nb->len);
	memset(nb->cur, 0, NLMSG_LENGTH(len));
	nb->cur->nlmsg_type = type;
	nb->cur->nlmsg_len = NLMSG_LENGTH(len);
	memcpy(NLMSG_DATA(nb->cur), body, len);
}

static inline void attr(struct nlbuf *nb, uint16_t type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nb->cur + NLMSG_ALIGN(nb->cur->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	memset((char *)RTA_DATA(rta) + len, 0, RTA_SPACE(len) - RTA_LENGTH(len));
	nb->cur->nlmsg_len = NLMSG_ALIGN(nb->cur->nlmsg_len) + RTA_SPACE(len);
}

static inline void msg_end(struct nlbuf *nb)
{
	nb->len += NLMSG_ALIGN(nb->cur->nlmsg_len);
}

static inline void done(struct nlbuf *nb)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(nb->b + nb->len);

	memset(h, 0, NLMSG_LENGTH(4));
	h->nlmsg_type = NLMSG_DONE;
	h->nlmsg_len = NLMSG_LENGTH(4);
	nb->len += NLMSG_ALIGN(h->nlmsg_len);
}

#endif
