// SPDX-License-Identifier: GPL-2.0
/*
 * An open, unlinked 4 MiB file: larger than the default limit for copying
 * unlinked files into the images, so a dump without --link-remap (or a
 * larger --ghost-limit) must refuse it (crfail). Without criu it passes:
 * contents, size, no links, offset.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define FSIZE (4 << 20)
#define SEED 0x1a26e

static unsigned char expect[FSIZE], buf[FSIZE];

int main(int argc, char **argv)
{
	struct stat st;
	int fd;

	test_init(argc, argv);

	datagen(expect, sizeof(expect), SEED);
	fd = open("unlink_large.data", O_CREAT | O_RDWR | O_EXCL, 0600);
	if (fd < 0)
		test_setup_fail("open: %s", strerror(errno));
	if (write(fd, expect, FSIZE) != FSIZE)
		test_setup_fail("write: %s", strerror(errno));
	if (lseek(fd, 777, SEEK_SET) != 777)
		test_setup_fail("lseek: %s", strerror(errno));
	if (unlink("unlink_large.data"))
		test_setup_fail("unlink: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		if (pwrite(fd, "X", 1, FSIZE - 1) != 1)
			test_msg("break: pwrite: %s", strerror(errno));

	if (fstat(fd, &st))
		pfail("fstat");
	if (st.st_nlink != 0)
		fail("the file has %lu links, expected 0", (unsigned long)st.st_nlink);
	if (st.st_size != FSIZE)
		fail("size %lld, expected %d", (long long)st.st_size, FSIZE);
	if (lseek(fd, 0, SEEK_CUR) != 777)
		fail("offset %lld, expected 777", (long long)lseek(fd, 0, SEEK_CUR));
	if (pread(fd, buf, FSIZE, 0) != FSIZE)
		pfail("pread");
	if (memcmp(buf, expect, FSIZE))
		fail("contents differ");
	pass();
}
