// SPDX-License-Identifier: GPL-2.0
/* signalfd descriptions: the signal mask, read from fdinfo. The signals
 * themselves are pending in the task and restored with it; a signalfd reads
 * whatever is pending in the task that reads it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/files.h"
#include "fdinfo.pb-c.h"
#include "images/image.h"
#include "images/store.h"
#include "res/table.h"
#include "signalfd.pb-c.h"
#include "util/log.h"

static bool signalfd_match(const struct fd_parms *p)
{
	return !strcmp(p->link, "anon_inode:[signalfd]");
}

static struct img_store store = IMG_STORE(IMG_SIGNALFD);

static int signalfd_dump(const struct fd_parms *p, uint32_t id)
{
	SignalfdEntry se = SIGNALFD_ENTRY__INIT;
	const char *mask = fdinfo_field(p->fdinfo, "sigmask:");
	char *end;

	if (!mask) {
		pr_err("No sigmask in fdinfo of fd %d of pid %d\n", p->fd, p->pid);
		return -1;
	}
	se.id = id;
	se.flags = p->flags;
	/* the kernel's sigset as one hex number: bit N-1 for signal N */
	errno = 0;
	se.sigmask = strtoull(mask, &end, 16);
	if (errno || end == mask) {
		pr_err("Bad sigmask in fdinfo of fd %d of pid %d\n", p->fd, p->pid);
		return -1;
	}
	return img_store_write(&store, &se.base);
}

static int signalfd_dump_finish(void)
{
	return img_store_finish(&store);
}

/* ---- restore ---- */

static int signalfd_collect(void)
{
	return img_store_load(&store);
}

static int signalfd_open(uint32_t id)
{
	SignalfdEntry *se = NULL;
	int flags = SFD_CLOEXEC, fd;
	uint64_t mask;

	se = (SignalfdEntry *)img_store_find(&store, "id", id);
	if (!se) {
		pr_err("signalfd %u is missing from signalfd.img\n", id);
		return -1;
	}
	if (se->flags & O_NONBLOCK)
		flags |= SFD_NONBLOCK;
	/*
	 * The raw call takes the kernel's 64-bit set as is; glibc's sigaddset
	 * would refuse the signals it keeps for itself (32, 33).
	 */
	mask = se->sigmask;
	fd = syscall(SYS_signalfd4, -1, &mask, sizeof(mask), flags);
	if (fd < 0) {
		pr_perror("Can't create signalfd %u for mask %#llx", id,
			  (unsigned long long)se->sigmask);
		return -1;
	}
	if (fcntl(fd, F_SETFL, se->flags & ~O_ACCMODE)) {
		pr_perror("Can't set flags %#x on signalfd %u", se->flags, id);
		close(fd);
		return -1;
	}
	return fd;
}

static void signalfd_reset(void)
{
	img_store_reset(&store);
}

const struct fd_kind signalfd_kind = {
	.name = "signalfd",
	.type = FD_TYPE__SIGNALFD,
	.match = signalfd_match,
	.dump = signalfd_dump,
	.dump_finish = signalfd_dump_finish,
	.collect = signalfd_collect,
	.open = signalfd_open,
	.open_in_task = fd_opens_anywhere,
	.reset = signalfd_reset,
	.may_fly = true,
};
