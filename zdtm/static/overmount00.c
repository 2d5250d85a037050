// SPDX-License-Identifier: GPL-2.0
/*
 * A file whose directory got a tmpfs mounted over it while the file stayed
 * open: its path now names nothing or another file, and the file itself is
 * still on a mounted filesystem that criu cannot reach by a name. Not
 * supported: the dump must fail with one line naming it (crfail); the file
 * is unchanged afterwards.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	char buf[16] = "";
	int fd;

	test_init(argc, argv);
	if (mkdir("dir", 0755))
		test_setup_fail("mkdir: %s", strerror(errno));
	fd = open("dir/file", O_CREAT | O_RDWR, 0600);
	if (fd < 0 || write(fd, "under", 5) != 5 ||
	    mount("none", "dir", "tmpfs", 0, "mode=0755"))
		test_setup_fail("setting up: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		pwrite(fd, "other", 5, 0);
	/* the mount goes first: a failing check must not leave it behind */
	umount2("dir", MNT_DETACH);
	if (pread(fd, buf, sizeof(buf), 0) != 5 || memcmp(buf, "under", 5))
		fail("the file holds \"%s\"", buf);
	pass();
}
