// SPDX-License-Identifier: GPL-2.0
/*
 * An inotify instance (O_NONBLOCK) whose watches have numbers with gaps:
 * watches 1 and 4 were removed, 2 watches a file (IN_MODIFY, one-shot),
 * 3 a directory (IN_CREATE | IN_DELETE), 5 another directory
 * (IN_ATTRIB, IN_EXCL_UNLINK). Queued events are read out before the dump
 * (criu does not keep them). After restore the watch list in fdinfo is the
 * same (numbers, masks, inodes), no stray event is queued, creating a file
 * in the directory gives IN_CREATE on wd 3 with its name, writing the file
 * gives IN_MODIFY on wd 2, and a new watch gets a number above 5.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define EVBUF (sizeof(struct inotify_event) + NAME_MAX + 1)

/* handles may differ in generation-free ways; inode numbers do not */
static void watches(int fd, char *out, size_t len)
{
	fdinfo_lines(fd, "inotify wd:", " fhandle-bytes", out, len);
}

static int add(int fd, const char *path, uint32_t mask)
{
	int wd = inotify_add_watch(fd, path, mask);

	if (wd < 0)
		test_setup_fail("inotify_add_watch %s: %s", path, strerror(errno));
	return wd;
}

static void drain(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* The next event; fails the test if there is none. */
static struct inotify_event *next_event(int fd, char *buf)
{
	ssize_t r = read(fd, buf, EVBUF);

	if (r < (ssize_t)sizeof(struct inotify_event))
		fail("no inotify event (read %zd: %s)", r, strerror(errno));
	return (struct inotify_event *)buf;
}

int main(int argc, char **argv)
{
	char before[2048], after[2048], buf[EVBUF] __attribute__((aligned(8)));
	struct inotify_event *ev;
	int fd, w1, w2, w3, w4, w5, wnew, ffd;

	test_init(argc, argv);

	if (mkdir("ino.dir", 0755) || mkdir("ino.dir2", 0755))
		test_setup_fail("mkdir: %s", strerror(errno));
	ffd = open("ino.file", O_CREAT | O_RDWR, 0644);
	if (ffd < 0)
		test_setup_fail("create: %s", strerror(errno));
	fd = inotify_init1(IN_NONBLOCK);
	if (fd < 0)
		test_setup_fail("inotify_init1: %s", strerror(errno));
	w1 = add(fd, ".", IN_OPEN);
	w2 = add(fd, "ino.file", IN_MODIFY | IN_ONESHOT);
	w3 = add(fd, "ino.dir", IN_CREATE | IN_DELETE);
	w4 = add(fd, "/", IN_ACCESS);
	w5 = add(fd, "ino.dir2", IN_ATTRIB | IN_EXCL_UNLINK);
	if (w1 != 1 || w2 != 2 || w3 != 3 || w4 != 4 || w5 != 5)
		test_setup_fail("watches numbered %d %d %d %d %d", w1, w2, w3, w4, w5);
	if (inotify_rm_watch(fd, w1) || inotify_rm_watch(fd, w4))
		test_setup_fail("inotify_rm_watch: %s", strerror(errno));
	drain(fd);
	watches(fd, before, sizeof(before));

	test_daemon();
	test_waitsig();

	if (test_break())
		inotify_rm_watch(fd, w3);

	watches(fd, after, sizeof(after));
	if (strcmp(before, after))
		fail("watches are\n%s\nexpected\n%s", after, before);
	if (!(fcntl(fd, F_GETFL) & O_NONBLOCK))
		fail("O_NONBLOCK lost");
	if (read(fd, buf, EVBUF) >= 0 || errno != EAGAIN)
		fail("an event is queued after restore: wd %d mask %#x",
		     ((struct inotify_event *)buf)->wd, ((struct inotify_event *)buf)->mask);

	close(open("ino.dir/new", O_CREAT | O_WRONLY, 0644));
	ev = next_event(fd, buf);
	if (ev->wd != w3 || !(ev->mask & IN_CREATE) || strcmp(ev->name, "new"))
		fail("event wd %d mask %#x name %s, expected IN_CREATE of new on %d", ev->wd,
		     ev->mask, ev->len ? ev->name : "", w3);
	if (write(ffd, "x", 1) != 1)
		pfail("write");
	ev = next_event(fd, buf);
	if (ev->wd != w2 || !(ev->mask & IN_MODIFY))
		fail("event wd %d mask %#x, expected IN_MODIFY on %d", ev->wd, ev->mask, w2);
	wnew = inotify_add_watch(fd, "ino.dir/new", IN_OPEN);
	if (wnew <= w5)
		fail("a new watch got number %d, not above %d", wnew, w5);
	pass();
}
