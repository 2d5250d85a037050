// SPDX-License-Identifier: GPL-2.0
/* One sock_diag dump: the netlink round trip every *_DIAG query shares. */
#include <errno.h>
#include <linux/sock_diag.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/log.h"
#include "util/sock_diag.h"

void *sock_diag_grow(void *arr, int nr, size_t size)
{
	char *n = realloc(arr, (nr + 1) * size);

	if (n)
		memset(n + nr * size, 0, size);
	return n;
}

int sock_diag_attrs(const struct nlmsghdr *h, size_t body,
		    int (*fn)(const struct rtattr *rta, void *arg), void *arg)
{
	const struct rtattr *rta;
	int len;

	if (h->nlmsg_len < NLMSG_LENGTH(body))
		return -1;
	len = h->nlmsg_len - NLMSG_LENGTH(body);
	rta = (const struct rtattr *)((const char *)NLMSG_DATA(h) + NLMSG_ALIGN(body));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (fn(rta, arg))
			return -1;
	return 0;
}

int sock_diag_walk(const void *buf, size_t len, sock_diag_one one, void *arg)
{
	const struct nlmsghdr *h = buf;
	int rest = len;

	if (len > INT32_MAX)
		return -1;
	for (; NLMSG_OK(h, rest); h = NLMSG_NEXT(h, rest)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)))
				errno = -e->error;
			return -1;
		}
		if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || one(h, arg))
			return -1;
	}
	/* a truncated message in the middle of a buffer is damage */
	return rest ? -1 : 0;
}

int sock_diag_dump(const void *req, size_t len, const char *what, sock_diag_one one, void *arg)
{
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	static char buf[65536] __attribute__((aligned(8)));
	int fd, ret = -1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0) {
		pr_perror("Can't open a sock_diag netlink socket");
		return -1;
	}
	if (sendto(fd, req, len, 0, (struct sockaddr *)&nl, sizeof(nl)) < 0) {
		pr_perror("Can't send the %s request", what);
		goto out;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		int r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			pr_perror("Can't read the %s answer", what);
			goto out;
		}
		r = sock_diag_walk(buf, n, one, arg);
		if (r < 0) {
			pr_perror("Bad %s answer", what);
			goto out;
		}
		if (r == 1)
			break;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}
