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
#include "res/table.h"
#include "signalfd.pb-c.h"
#include "util/log.h"

static bool signalfd_match(const struct fd_parms *p)
{
	return !strcmp(p->link, "anon_inode:[signalfd]");
}

/* The value of "KEY" at the start of a line of @text, or NULL. */
static const char *fdinfo_field(const char *text, const char *key)
{
	size_t len = strlen(key);
	const char *s = text;

	while (s) {
		if (!strncmp(s, key, len))
			return s + len;
		s = strchr(s, '\n');
		if (s)
			s++;
	}
	return NULL;
}

static struct cr_img *dump_img;

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
	if (!dump_img)
		dump_img = img_open(IMG_SIGNALFD, O_WRONLY, 0);
	return dump_img ? img_write(dump_img, &se.base) : -1;
}

static int signalfd_dump_finish(void)
{
	int ret = img_close(dump_img);

	dump_img = NULL;
	return ret;
}

/* ---- restore ---- */

static SignalfdEntry **entries;
static int nr_entries;

static int signalfd_collect(void)
{
	struct cr_img *img = img_open_optional(IMG_SIGNALFD, 0);
	ProtobufCMessage *msg;
	int r;

	if (!img)
		return errno == ENOENT ? 0 : -1;
	while ((r = img_read(img, &msg)) > 0) {
		SignalfdEntry **ne = realloc(entries, (nr_entries + 1) * sizeof(*entries));

		if (!ne) {
			img_free(img, msg);
			r = -1;
			break;
		}
		entries = ne;
		entries[nr_entries++] = (SignalfdEntry *)msg;
	}
	img_close(img);
	return r < 0 ? -1 : 0;
}

static int signalfd_open(uint32_t id)
{
	SignalfdEntry *se = NULL;
	int flags = SFD_CLOEXEC, fd;
	uint64_t mask;

	for (int i = 0; i < nr_entries && !se; i++)
		if (entries[i]->id == id)
			se = entries[i];
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
	for (int i = 0; i < nr_entries; i++)
		protobuf_c_message_free_unpacked(&entries[i]->base, NULL);
	free(entries);
	entries = NULL;
	nr_entries = 0;
}

const struct fd_kind signalfd_kind = {
	.name = "signalfd",
	.type = FD_TYPE__SIGNALFD,
	.match = signalfd_match,
	.dump = signalfd_dump,
	.dump_finish = signalfd_dump_finish,
	.collect = signalfd_collect,
	.open = signalfd_open,
	.reset = signalfd_reset,
};
