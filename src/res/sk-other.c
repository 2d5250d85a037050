// SPDX-License-Identifier: GPL-2.0
/*
 * Sockets of every family no other kind claims (vsock, alg, ...):
 * matched last, so the refusal names the family instead of the inode.
 */
#include <stdio.h>
#include <sys/socket.h>

#include "engine/files.h"
#include "res/table.h"
#include "util/log.h"

static const char *family_name(int family)
{
	switch (family) {
	case AF_VSOCK:
		return "vsock";
	case AF_ALG:
		return "AF_ALG (crypto)";
	case AF_BLUETOOTH:
		return "bluetooth";
	case AF_XDP:
		return "XDP";
	case AF_TIPC:
		return "TIPC";
	case AF_KEY:
		return "PF_KEY";
	default:
		return NULL;
	}
}

static bool othersk_match(const struct fd_parms *p)
{
	return S_ISSOCK(p->st.st_mode);
}

static int othersk_dump(const struct fd_parms *p, uint32_t id)
{
	int family = -1, type = -1;
	socklen_t len = sizeof(family);
	const char *name;

	(void)id;
	getsockopt(p->lfd, SOL_SOCKET, SO_DOMAIN, &family, &len);
	len = sizeof(type);
	getsockopt(p->lfd, SOL_SOCKET, SO_TYPE, &type, &len);
	name = family_name(family);
	if (name)
		pr_err("unsupported: %s socket (type %d) fd %d of pid %d\n", name, type, p->fd,
		       p->pid);
	else
		pr_err("unsupported: socket of family %d (type %d) fd %d of pid %d\n", family, type,
		       p->fd, p->pid);
	return -1;
}

/* never in an image: the dump refuses first */
const struct fd_kind othersk_kind = {
	.name = "socket of another family",
	.type = 0,
	.match = othersk_match,
	.dump = othersk_dump,
};
