// SPDX-License-Identifier: GPL-2.0
/*
 * Several fds on the same file, each with its own file description and
 * offset: at the start, inside, at EOF and past EOF. After restore every
 * offset is where it was, reads return the right bytes from there, and the
 * file size did not change.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define FSIZE 100000
#define SEED 0x0ff5e7

struct ofd {
	int flags;
	off_t off;
	int fd;
};

static struct ofd fds[] = {
	{ O_RDONLY, 0, -1 },
	{ O_RDONLY, 17, -1 },
	{ O_RDWR, 4096, -1 },
	{ O_RDONLY, 65537, -1 },
	{ O_WRONLY, 99999, -1 },
	{ O_RDWR, FSIZE, -1 },		/* at EOF */
	{ O_RDONLY, FSIZE + 5000, -1 },	/* past EOF */
	{ O_WRONLY, (off_t)1 << 40, -1 },	/* far past EOF */
};

#define NR_FDS ((int)(sizeof(fds) / sizeof(fds[0])))

static unsigned char data[FSIZE];

int main(int argc, char **argv)
{
	unsigned char buf[512];
	struct stat st;
	int i, fd, bad = 0;

	test_init(argc, argv);

	datagen(data, sizeof(data), SEED);
	fd = open("file_offset00.data", O_CREAT | O_WRONLY | O_EXCL, 0600);
	if (fd < 0 || write(fd, data, sizeof(data)) != sizeof(data))
		test_setup_fail("create file: %s", strerror(errno));
	close(fd);

	for (i = 0; i < NR_FDS; i++) {
		fds[i].fd = open("file_offset00.data", fds[i].flags);
		if (fds[i].fd < 0)
			test_setup_fail("open: %s", strerror(errno));
		if (lseek(fds[i].fd, fds[i].off, SEEK_SET) != fds[i].off)
			test_setup_fail("lseek: %s", strerror(errno));
	}

	test_daemon();
	test_waitsig();

	if (test_break())
		lseek(fds[3].fd, 1, SEEK_CUR);

	for (i = 0; i < NR_FDS; i++) {
		off_t cur = lseek(fds[i].fd, 0, SEEK_CUR);

		if (cur != fds[i].off) {
			test_msg("fd %d: offset %lld, expected %lld", fds[i].fd,
				 (long long)cur, (long long)fds[i].off);
			bad = 1;
		}
	}
	if (bad)
		fail("offsets changed (see messages above)");

	/* Reads continue from the offsets. */
	for (i = 0; i < NR_FDS; i++) {
		off_t off = fds[i].off;
		size_t want;
		ssize_t n;

		if ((fds[i].flags & O_ACCMODE) == O_WRONLY)
			continue;
		want = off >= FSIZE ? 0 : FSIZE - off;
		if (want > sizeof(buf))
			want = sizeof(buf);
		n = read(fds[i].fd, buf, sizeof(buf));
		if (n != (ssize_t)want)
			fail("fd %d: read %zd bytes at %lld, expected %zu", fds[i].fd, n,
			     (long long)off, want);
		if (memcmp(buf, data + (off < FSIZE ? off : 0), want))
			fail("fd %d: wrong bytes at offset %lld", fds[i].fd, (long long)off);
		if (lseek(fds[i].fd, 0, SEEK_CUR) != off + (off_t)want)
			fail("fd %d: offset did not advance", fds[i].fd);
	}

	if (fstat(fds[0].fd, &st))
		pfail("fstat");
	if (st.st_size != FSIZE)
		fail("file size %lld, expected %d", (long long)st.st_size, FSIZE);
	pass();
}
