// SPDX-License-Identifier: GPL-2.0
/*
 * memfds and their descriptions:
 *   A "zdtm-a": 3 MiB with a 1 MiB hole in the middle, sealed against
 *     shrinking and growing, O_RDWR at position 12345, also dup'ed (one
 *     description at two fds), and reopened O_RDONLY through /proc (a second
 *     description of the same object) at position 777;
 *   C "zdtm c": made without MFD_ALLOW_SEALING (so F_SEAL_SEAL), O_APPEND,
 *     a few bytes;
 *   D "zdtm-d": MFD_NOEXEC_SEAL, contents then write-sealed and F_SEAL_SEAL.
 * After restore every name, size, seal, mode, position and byte is the same,
 * the hole is still a hole, a write through A shows through its reopen, and
 * D still refuses writes.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define MiB (1 << 20)
#define A_SIZE (3 * MiB)
#define SEED 0x3e3f
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

static char buf[A_SIZE], want[A_SIZE];

struct expect {
	const char *name;
	int fd, flags, seals;
	off_t pos, size;
	mode_t mode;
};

static void check_one(const struct expect *e)
{
	char path[64], link[256], want[256];
	struct stat st;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", e->fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		pfail("readlink fd %d", e->fd);
	link[n] = 0;
	snprintf(want, sizeof(want), "/memfd:%s (deleted)", e->name);
	if (strcmp(link, want))
		fail("fd %d is %s, expected %s", e->fd, link, want);
	if (fcntl(e->fd, F_GETFL) != e->flags)
		fail("fd %d: flags 0%o, expected 0%o", e->fd, fcntl(e->fd, F_GETFL), e->flags);
	if (fcntl(e->fd, F_GET_SEALS) != e->seals)
		fail("fd %d: seals %#x, expected %#x", e->fd, fcntl(e->fd, F_GET_SEALS), e->seals);
	if (lseek(e->fd, 0, SEEK_CUR) != e->pos)
		fail("fd %d: position %ld, expected %ld", e->fd, (long)lseek(e->fd, 0, SEEK_CUR),
		     (long)e->pos);
	if (fstat(e->fd, &st))
		pfail("fstat fd %d", e->fd);
	if (st.st_size != e->size || (st.st_mode & 07777) != e->mode)
		fail("fd %d: size %ld mode 0%o, expected %ld 0%o", e->fd, (long)st.st_size,
		     st.st_mode & 07777, (long)e->size, e->mode);
	if (st.st_uid != getuid())
		fail("fd %d: owner %u, expected %u", e->fd, st.st_uid, getuid());
}

int main(int argc, char **argv)
{
	int a, a2, b, c, d;
	struct stat sa, sb;
	struct expect ex[5];
	char small[32];

	test_init(argc, argv);

	a = memfd_create("zdtm-a", MFD_ALLOW_SEALING);
	c = memfd_create("zdtm c", 0);
	d = memfd_create("zdtm-d", MFD_NOEXEC_SEAL);
	if (a < 0 || c < 0 || d < 0)
		test_setup_fail("memfd_create: %s", strerror(errno));
	datagen(want, A_SIZE, SEED);
	memset(want + MiB, 0, MiB);
	if (pwrite(a, want, MiB, 0) != MiB || pwrite(a, want + 2 * MiB, MiB, 2 * MiB) != MiB)
		test_setup_fail("write A: %s", strerror(errno));
	if (fcntl(a, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW))
		test_setup_fail("seal A: %s", strerror(errno));
	lseek(a, 12345, SEEK_SET);
	a2 = dup(a);
	snprintf(small, sizeof(small), "/proc/self/fd/%d", a);
	b = open(small, O_RDONLY);
	if (a2 < 0 || b < 0)
		test_setup_fail("dup/reopen A: %s", strerror(errno));
	lseek(b, 777, SEEK_SET);

	if (write(c, "hello", 5) != 5 || fcntl(c, F_SETFL, O_APPEND))
		test_setup_fail("C: %s", strerror(errno));
	if (write(d, "sealed", 6) != 6 || fcntl(d, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SEAL))
		test_setup_fail("D: %s", strerror(errno));

	ex[0] = (struct expect){ "zdtm-a", a, fcntl(a, F_GETFL), F_SEAL_SHRINK | F_SEAL_GROW,
				 12345, A_SIZE, 0777 };
	ex[1] = ex[0];
	ex[1].fd = a2;
	ex[2] = ex[0];
	ex[2].fd = b;
	ex[2].flags = fcntl(b, F_GETFL);
	ex[2].pos = 777;
	ex[3] = (struct expect){ "zdtm c", c, fcntl(c, F_GETFL), F_SEAL_SEAL, 5, 5, 0777 };
	ex[4] = (struct expect){ "zdtm-d", d, fcntl(d, F_GETFL),
				 fcntl(d, F_GET_SEALS), 6, 6, 0666 };
	if (!(ex[4].seals & F_SEAL_EXEC))
		test_setup_fail("D has no F_SEAL_EXEC: seals %#x", ex[4].seals);
	for (int i = 0; i < 5; i++)
		check_one(&ex[i]);

	test_daemon();
	test_waitsig();

	if (test_break())
		if (pwrite(a, "X", 1, 100) != 1)
			test_msg("break: pwrite: %s", strerror(errno));

	for (int i = 0; i < 5; i++)
		check_one(&ex[i]);
	if (fstat(a, &sa) || fstat(b, &sb))
		pfail("fstat");
	if (sa.st_ino != sb.st_ino)
		fail("A and its reopen are different objects");
	if (lseek(a, 12345, SEEK_CUR) != 2 * 12345 || lseek(a2, 0, SEEK_CUR) != 2 * 12345)
		fail("A and its dup do not share a position");
	if (lseek(b, 0, SEEK_CUR) != 777)
		fail("the reopen of A shares A's position");

	memset(buf, 0, sizeof(buf));
	if (pread(b, buf, A_SIZE, 0) != A_SIZE)
		pfail("read A");
	for (int i = 0; i < A_SIZE; i++)
		if (buf[i] != want[i])
			fail("A: byte %d is %#x, expected %#x", i, buf[i] & 0xff, want[i] & 0xff);
	if (lseek(b, MiB, SEEK_DATA) != 2 * MiB)
		fail("A: the hole at 1 MiB is gone (next data at %ld)",
		     (long)lseek(b, MiB, SEEK_DATA));
	if (pwrite(a, "Z", 1, 5) != 1 || pread(b, small, 1, 5) != 1 || small[0] != 'Z')
		fail("a write through A does not show through its reopen");

	if (pread(c, small, sizeof(small), 0) != 5 || memcmp(small, "hello", 5))
		fail("C: contents differ");
	if (write(c, "!", 1) != 1 || lseek(c, 0, SEEK_CUR) != 6)
		fail("C: not appending");
	if (pread(d, small, sizeof(small), 0) != 6 || memcmp(small, "sealed", 6))
		fail("D: contents differ");
	if (pwrite(d, "x", 1, 0) != -1 || errno != EPERM)
		fail("D: a write was not refused with EPERM");
	pass();
}
