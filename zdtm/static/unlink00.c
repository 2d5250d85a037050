// SPDX-License-Identifier: GPL-2.0
/*
 * An open file that was unlinked. Two fds (separate file descriptions) were
 * opened before the unlink. After restore both fds refer to one and the
 * same file, which has no links, its mode, size (with a hole in the middle)
 * and contents, and each fd keeps its offset; the old name stays absent.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define HEAD 12345
#define HOLE_END (128 * 1024)
#define TAIL 4567
#define FSIZE (HOLE_END + TAIL)
#define SEED 0x0b11e7

static unsigned char expect[FSIZE], buf[FSIZE];

int main(int argc, char **argv)
{
	struct stat st, st2;
	int fd, fd2;

	test_init(argc, argv);

	memset(expect, 0, sizeof(expect));
	datagen(expect, HEAD, SEED);
	datagen(expect + HOLE_END, TAIL, SEED + 1);

	fd = open("unlink00.data", O_CREAT | O_RDWR | O_EXCL, 0640);
	if (fd < 0)
		test_setup_fail("open: %s", strerror(errno));
	if (fchmod(fd, 0640))
		test_setup_fail("fchmod: %s", strerror(errno));
	if (pwrite(fd, expect, HEAD, 0) != HEAD ||
	    pwrite(fd, expect + HOLE_END, TAIL, HOLE_END) != TAIL)
		test_setup_fail("write: %s", strerror(errno));
	fd2 = open("unlink00.data", O_RDONLY);
	if (fd2 < 0)
		test_setup_fail("open: %s", strerror(errno));
	if (lseek(fd, 1234, SEEK_SET) != 1234 || lseek(fd2, HOLE_END + 7, SEEK_SET) != HOLE_END + 7)
		test_setup_fail("lseek: %s", strerror(errno));
	if (unlink("unlink00.data"))
		test_setup_fail("unlink: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		if (pwrite(fd, "X", 1, HEAD / 2) != 1)
			test_msg("break: pwrite: %s", strerror(errno));

	if (fstat(fd, &st) || fstat(fd2, &st2))
		pfail("fstat");
	if (st.st_nlink != 0)
		fail("the file has %lu links, expected 0", (unsigned long)st.st_nlink);
	if (st.st_dev != st2.st_dev || st.st_ino != st2.st_ino)
		fail("the two fds refer to different files");
	if ((st.st_mode & 07777) != 0640 || !S_ISREG(st.st_mode))
		fail("mode 0%o, expected a regular file with 0640", st.st_mode);
	if (st.st_size != FSIZE)
		fail("size %lld, expected %d", (long long)st.st_size, FSIZE);
	if (lseek(fd, 0, SEEK_CUR) != 1234)
		fail("fd offset %lld, expected 1234", (long long)lseek(fd, 0, SEEK_CUR));
	if (lseek(fd2, 0, SEEK_CUR) != HOLE_END + 7)
		fail("fd2 offset %lld, expected %d", (long long)lseek(fd2, 0, SEEK_CUR),
		     HOLE_END + 7);
	if (pread(fd2, buf, sizeof(buf), 0) != FSIZE)
		pfail("pread");
	if (memcmp(buf, expect, FSIZE))
		fail("contents differ");
	if (access("unlink00.data", F_OK) == 0)
		fail("the unlinked name exists again");

	/* Still one file: a write through one fd is seen through the other. */
	if (pwrite(fd, "Z", 1, 0) != 1)
		pfail("pwrite");
	if (pread(fd2, buf, 1, 0) != 1 || buf[0] != 'Z')
		fail("a write through one fd is not seen through the other");
	pass();
}
