// SPDX-License-Identifier: GPL-2.0
/*
 * Two fanotify groups (root only):
 *   G1: FAN_CLASS_NOTIF | FAN_REPORT_FID, FAN_NONBLOCK; an inode mark on a
 *       directory (FAN_CREATE | FAN_ONDIR | FAN_EVENT_ON_CHILD);
 *   G2: FAN_CLASS_NOTIF, event flags O_RDONLY; a mount mark on /dev/shm
 *       (FAN_CLOSE_WRITE), a filesystem mark on it (FAN_CLOSE_NOWRITE) and
 *       an inode mark on a file with only an ignored mask (FAN_MODIFY,
 *       surviving modification).
 * Queued events are read out before the dump. After restore both fdinfo
 * texts list the same flags and marks (inodes, masks, mark flags), and
 * creating a file in G1's directory queues a FAN_CREATE event there.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

/* fdinfo lines of the group, without file handles (mount ids stay the same) */
static void marks(int fd, char *out, size_t len)
{
	fdinfo_lines(fd, "fanotify ", " fhandle-bytes", out, len);
}

static void mark(int fd, unsigned flags, uint64_t mask, const char *path)
{
	if (fanotify_mark(fd, FAN_MARK_ADD | flags, mask, AT_FDCWD, path))
		test_setup_fail("fanotify_mark %s: %s", path, strerror(errno));
}

static void drain(int fd)
{
	char buf[8192];
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	fcntl(fd, F_SETFL, fl);
}

int main(int argc, char **argv)
{
	char b1[2048], b2[2048], now[2048], buf[4096] __attribute__((aligned(8)));
	struct fanotify_event_metadata *md = (void *)buf;
	int g1, g2, fl1, fl2;
	ssize_t r;

	test_init(argc, argv);

	if (mkdir("fan.dir", 0755) || close(open("fan.file", O_CREAT | O_WRONLY, 0644)))
		test_setup_fail("mkdir/create: %s", strerror(errno));
	g1 = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID | FAN_NONBLOCK, 0);
	g2 = fanotify_init(FAN_CLASS_NOTIF, O_RDONLY);
	if (g1 < 0 || g2 < 0)
		test_setup_fail("fanotify_init: %s", strerror(errno));
	mark(g1, 0, FAN_CREATE | FAN_ONDIR | FAN_EVENT_ON_CHILD, "fan.dir");
	mark(g2, FAN_MARK_MOUNT, FAN_CLOSE_WRITE, "/dev/shm");
	mark(g2, FAN_MARK_FILESYSTEM, FAN_CLOSE_NOWRITE, "/dev/shm");
	mark(g2, FAN_MARK_IGNORED_MASK | FAN_MARK_IGNORED_SURV_MODIFY, FAN_MODIFY, "fan.file");
	drain(g1);
	drain(g2);
	marks(g1, b1, sizeof(b1));
	marks(g2, b2, sizeof(b2));
	fl1 = fcntl(g1, F_GETFL);
	fl2 = fcntl(g2, F_GETFL);

	test_daemon();
	test_waitsig();

	if (test_break())
		fanotify_mark(g1, FAN_MARK_REMOVE, FAN_CREATE | FAN_ONDIR | FAN_EVENT_ON_CHILD,
			      AT_FDCWD, "fan.dir");

	marks(g1, now, sizeof(now));
	if (strcmp(now, b1))
		fail("G1 marks are\n%s\nexpected\n%s", now, b1);
	marks(g2, now, sizeof(now));
	if (strcmp(now, b2))
		fail("G2 marks are\n%s\nexpected\n%s", now, b2);
	if (fcntl(g1, F_GETFL) != fl1 || fcntl(g2, F_GETFL) != fl2)
		fail("flags 0%o 0%o, expected 0%o 0%o", fcntl(g1, F_GETFL), fcntl(g2, F_GETFL),
		     fl1, fl2);
	drain(g1);
	if (close(open("fan.dir/new", O_CREAT | O_WRONLY, 0644)))
		pfail("create fan.dir/new");
	r = read(g1, buf, sizeof(buf));
	if (r < (ssize_t)sizeof(*md) || !(md->mask & FAN_CREATE))
		fail("no FAN_CREATE event on G1 (read %zd, mask %#llx)", r,
		     r > 0 ? (unsigned long long)md->mask : 0ULL);
	pass();
}
