// SPDX-License-Identifier: GPL-2.0
/*
 * Files of a tmpfs that was unmounted (lazily) while they stayed open: "a"
 * at the mount's root, read part way, and "sub/b", 100 000 bytes, opened
 * twice (two descriptions of one file). No path reaches them any more. After
 * restore each names the same place below the gone mount, holds the same
 * bytes at the same position, the two descriptions are of one file (a write
 * through one is read through the other), and all three are on one tmpfs
 * that is not the test directory's filesystem.
 */
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "zdtmtst.h"

#define BIG 100000

static uint8_t buf[BIG];

int main(int argc, char **argv)
{
	struct stat sa, sb, sc, here;
	struct statfs sf;
	char link[256];
	int a, b, c;

	test_init(argc, argv);
	if (mkdir("mnt", 0755) || mount("none", "mnt", "tmpfs", 0, "mode=0755") ||
	    mkdir("mnt/sub", 0700))
		test_setup_fail("tmpfs: %s", strerror(errno));
	a = open("mnt/a", O_CREAT | O_RDWR, 0640);
	b = open("mnt/sub/b", O_CREAT | O_RDWR, 0600);
	datagen(buf, BIG, 0x9ee);
	if (a < 0 || b < 0 || write(a, "tmpfs file a", 12) != 12 || lseek(a, 6, SEEK_SET) != 6 ||
	    write(b, buf, BIG) != BIG)
		test_setup_fail("files: %s", strerror(errno));
	c = open("mnt/sub/b", O_RDONLY);
	if (c < 0 || lseek(c, 1000, SEEK_SET) != 1000 || umount2("mnt", MNT_DETACH))
		test_setup_fail("open/umount: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		pwrite(b, "x", 1, 500);
	fd_link(a, link, sizeof(link));
	if (strcmp(link, "/a"))
		fail("a names %s", link);
	fd_link(c, link, sizeof(link));
	if (strcmp(link, "/sub/b"))
		fail("b names %s", link);
	if (lseek(a, 0, SEEK_CUR) != 6 || lseek(c, 0, SEEK_CUR) != 1000 ||
	    lseek(b, 0, SEEK_CUR) != BIG)
		fail("positions changed");
	memset(buf, 0, BIG);
	if (pread(a, buf, 20, 0) != 12 || memcmp(buf, "tmpfs file a", 12))
		fail("a holds other bytes");
	if (pread(c, buf, BIG, 0) != BIG || !datachk(buf, BIG, 0x9ee))
		fail("b holds other bytes");
	if (pwrite(b, "B", 1, 7) != 1 || pread(c, buf, 1, 7) != 1 || buf[0] != 'B')
		fail("the two descriptions of b are not of one file");
	if (fstat(a, &sa) || fstat(b, &sb) || fstat(c, &sc) || stat(".", &here) ||
	    fstatfs(a, &sf))
		fail("stat: %s", strerror(errno));
	if (sa.st_dev != sb.st_dev || sb.st_dev != sc.st_dev || sb.st_ino != sc.st_ino ||
	    sa.st_dev == here.st_dev || sf.f_type != TMPFS_MAGIC || (sa.st_mode & 07777) != 0640)
		fail("the files are not on one tmpfs of their own any more");
	pass();
}
