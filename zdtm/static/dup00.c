// SPDX-License-Identifier: GPL-2.0
/*
 * One file description behind several fds: dup(), dup2() to fd 1000 and
 * F_DUPFD_CLOEXEC at or above 500. After restore they still share one
 * description (kcmp says so, and lseek through one moves them all); the
 * close-on-exec flag stays per fd.
 */
#include <fcntl.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NR_FDS 4

static int same_file(int a, int b)
{
	pid_t p = getpid();

	return syscall(SYS_kcmp, p, p, KCMP_FILE, a, b);
}

int main(int argc, char **argv)
{
	int fds[NR_FDS], cloexec[NR_FDS] = { 0, 0, 0, FD_CLOEXEC };
	int i, fd, other;
	off_t off;

	test_init(argc, argv);

	fd = open("dup00.data", O_CREAT | O_RDWR | O_EXCL, 0600);
	if (fd < 0)
		test_setup_fail("open: %s", strerror(errno));
	if (write(fd, "0123456789abcdefghij", 20) != 20)
		test_setup_fail("write: %s", strerror(errno));
	fds[0] = fd;
	fds[1] = dup(fd);
	fds[2] = dup2(fd, 1000);
	fds[3] = fcntl(fd, F_DUPFD_CLOEXEC, 500);
	if (fds[1] < 0 || fds[2] != 1000 || fds[3] < 500)
		test_setup_fail("dup: %s", strerror(errno));
	/* A second description of the same file, not shared. */
	other = open("dup00.data", O_RDONLY);
	if (other < 0)
		test_setup_fail("open: %s", strerror(errno));
	if (lseek(fd, 5, SEEK_SET) != 5 || lseek(other, 2, SEEK_SET) != 2)
		test_setup_fail("lseek: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break()) {
		/* Replace fd 1000 with its own description of the file. */
		int nfd = open("dup00.data", O_RDWR);

		lseek(nfd, 5, SEEK_SET);
		dup2(nfd, 1000);
		close(nfd);
	}

	for (i = 0; i < NR_FDS; i++) {
		int fl = fcntl(fds[i], F_GETFD);

		if (fl != cloexec[i])
			fail("fd %d: F_GETFD %d, expected %d", fds[i], fl, cloexec[i]);
		if (lseek(fds[i], 0, SEEK_CUR) != 5)
			fail("fd %d: offset %lld, expected 5", fds[i],
			     (long long)lseek(fds[i], 0, SEEK_CUR));
		if (i && same_file(fds[0], fds[i]))
			fail("fd %d and fd %d are not one file description", fds[0], fds[i]);
	}
	if (same_file(fds[0], other) == 0)
		fail("fd %d and fd %d became one file description", fds[0], other);
	if (lseek(other, 0, SEEK_CUR) != 2)
		fail("the unshared fd's offset changed");

	/* Moving one moves all; the unshared one stays. */
	for (i = 0; i < NR_FDS; i++) {
		int j;

		off = 7 + i;
		if (lseek(fds[i], off, SEEK_SET) != off)
			pfail("lseek fd %d", fds[i]);
		for (j = 0; j < NR_FDS; j++)
			if (lseek(fds[j], 0, SEEK_CUR) != off)
				fail("lseek on fd %d did not move fd %d", fds[i], fds[j]);
	}
	if (lseek(other, 0, SEEK_CUR) != 2)
		fail("lseek on a shared fd moved the unshared one");
	pass();
}
