// SPDX-License-Identifier: GPL-2.0
/* eventfd descriptions: the counter and the semaphore mode, both read from
 * fdinfo; restored with eventfd() before any task runs. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "engine/files.h"
#include "eventfd.pb-c.h"
#include "fdinfo.pb-c.h"
#include "images/image.h"
#include "images/store.h"
#include "res/table.h"
#include "util/log.h"

static bool eventfd_match(const struct fd_parms *p)
{
	return !strcmp(p->link, "anon_inode:[eventfd]");
}

static struct img_store store = IMG_STORE(IMG_EVENTFD);

static int eventfd_dump(const struct fd_parms *p, uint32_t id)
{
	EventfdEntry ee = EVENTFD_ENTRY__INIT;
	const char *count = fdinfo_field(p->fdinfo, "eventfd-count:");
	const char *sem = fdinfo_field(p->fdinfo, "eventfd-semaphore:");
	char *end;

	if (!count) {
		pr_err("No eventfd-count in fdinfo of fd %d of pid %d\n", p->fd, p->pid);
		return -1;
	}
	ee.id = id;
	ee.flags = p->flags;
	errno = 0;
	ee.count = strtoull(count, &end, 16);
	if (errno || end == count) {
		pr_err("Bad eventfd-count in fdinfo of fd %d of pid %d\n", p->fd, p->pid);
		return -1;
	}
	/* older kernels do not show the mode */
	if (sem) {
		ee.has_semaphore = true;
		ee.semaphore = strtoul(sem, NULL, 10) != 0;
	}
	return img_store_write(&store, &ee.base);
}

static int eventfd_dump_finish(void)
{
	return img_store_finish(&store);
}

/* ---- restore ---- */

static int eventfd_collect(void)
{
	return img_store_load(&store);
}

static int eventfd_open(uint32_t id)
{
	EventfdEntry *ee;
	int flags = EFD_CLOEXEC, fd;

	ee = (EventfdEntry *)img_store_find(&store, "id", id);
	if (!ee) {
		pr_err("eventfd %u is missing from eventfd.img\n", id);
		return -1;
	}
	if (ee->count == UINT64_MAX) {
		pr_err("eventfd %u: counter %#llx out of range\n", id,
		       (unsigned long long)ee->count);
		return -1;
	}
	if (ee->flags & O_NONBLOCK)
		flags |= EFD_NONBLOCK;
	if (ee->semaphore)
		flags |= EFD_SEMAPHORE;
	/* eventfd() takes 32 bits; a bigger counter is written in */
	fd = eventfd(ee->count <= UINT_MAX ? ee->count : 0, flags);
	if (fd < 0) {
		pr_perror("Can't create eventfd %u", id);
		return -1;
	}
	if (ee->count > UINT_MAX &&
	    write(fd, &ee->count, sizeof(ee->count)) != sizeof(ee->count)) {
		pr_perror("Can't set the counter of eventfd %u", id);
		close(fd);
		return -1;
	}
	if (fcntl(fd, F_SETFL, ee->flags & ~O_ACCMODE)) {
		pr_perror("Can't set flags %#x on eventfd %u", ee->flags, id);
		close(fd);
		return -1;
	}
	return fd;
}

static void eventfd_reset(void)
{
	img_store_reset(&store);
}

const struct fd_kind eventfd_kind = {
	.name = "eventfd",
	.type = FD_TYPE__EVENTFD,
	.match = eventfd_match,
	.dump = eventfd_dump,
	.dump_finish = eventfd_dump_finish,
	.collect = eventfd_collect,
	.open = eventfd_open,
	.open_in_task = fd_opens_anywhere,
	.reset = eventfd_reset,
	.may_fly = true,
};
