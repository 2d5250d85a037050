// SPDX-License-Identifier: GPL-2.0
/*
 * An inotify watch on a file that was unlinked while the task keeps it
 * open: the watched inode has no name any more, so neither its handle nor a
 * path can find it after restore and the dump must refuse it (crfail).
 * Without criu the test passes: a write to the file is reported.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	char buf[sizeof(struct inotify_event) + NAME_MAX + 1] __attribute__((aligned(8)));
	struct inotify_event *ev = (void *)buf;
	int fd, in, wd;

	test_init(argc, argv);

	fd = open("ino.gone", O_CREAT | O_RDWR, 0644);
	in = inotify_init1(IN_NONBLOCK);
	if (fd < 0 || in < 0)
		test_setup_fail("open/inotify_init1: %s", strerror(errno));
	wd = inotify_add_watch(in, "ino.gone", IN_MODIFY);
	if (wd < 0 || unlink("ino.gone"))
		test_setup_fail("watch/unlink: %s", strerror(errno));
	while (read(in, buf, sizeof(buf)) > 0)
		;

	test_daemon();
	test_waitsig();

	if (test_break())
		inotify_rm_watch(in, wd);
	while (read(in, buf, sizeof(buf)) > 0)	/* IN_ATTRIB of the unlink */
		;
	if (write(fd, "x", 1) != 1)
		pfail("write");
	if (read(in, buf, sizeof(buf)) < (ssize_t)sizeof(*ev) || ev->wd != wd ||
	    !(ev->mask & IN_MODIFY))
		fail("the write was not reported on watch %d", wd);
	pass();
}
