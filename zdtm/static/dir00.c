// SPDX-License-Identifier: GPL-2.0
/*
 * Open directory fds. One was never read: after restore getdents64() on it
 * lists exactly the expected entries. Another was read to the end: it is
 * still at the end, and after rewinding it lists the same entries.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

static const char *const names[] = { "alpha", "beta", "gamma", "a dir", "a link" };
#define NR_NAMES ((int)(sizeof(names) / sizeof(names[0])))

/* List @fd from its current offset; 0 if exactly @names plus . and .. are seen. */
static int list_dir(int fd, const char *who, int *count)
{
	char buf[4096];
	bool seen[NR_NAMES] = { false };
	int i, dots = 0, bad = 0;
	long n;

	*count = 0;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		long pos = 0;

		while (pos < n) {
			struct dirent64 *d = (struct dirent64 *)(buf + pos);

			pos += d->d_reclen;
			(*count)++;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..")) {
				dots++;
				continue;
			}
			for (i = 0; i < NR_NAMES; i++)
				if (!strcmp(d->d_name, names[i]))
					break;
			if (i == NR_NAMES) {
				test_msg("%s: unexpected entry '%s'", who, d->d_name);
				bad = 1;
			} else if (seen[i]) {
				test_msg("%s: '%s' listed twice", who, d->d_name);
				bad = 1;
			} else {
				seen[i] = true;
			}
		}
	}
	if (n < 0) {
		test_msg("%s: getdents64: %s", who, strerror(errno));
		return 1;
	}
	if (*count == 0)
		return 0;
	if (dots != 2) {
		test_msg("%s: %d dot entries", who, dots);
		bad = 1;
	}
	for (i = 0; i < NR_NAMES; i++)
		if (!seen[i]) {
			test_msg("%s: '%s' missing", who, names[i]);
			bad = 1;
		}
	return bad;
}

int main(int argc, char **argv)
{
	struct stat st0, st;
	int i, fd1, fd2, count, bad = 0;

	test_init(argc, argv);

	if (mkdir("dir00.d", 0750))
		test_setup_fail("mkdir: %s", strerror(errno));
	for (i = 0; i < 3; i++) {
		char path[64];
		int fd;

		snprintf(path, sizeof(path), "dir00.d/%s", names[i]);
		fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0600);
		if (fd < 0)
			test_setup_fail("create %s: %s", path, strerror(errno));
		close(fd);
	}
	if (mkdir("dir00.d/a dir", 0700) || symlink("alpha", "dir00.d/a link"))
		test_setup_fail("mkdir/symlink: %s", strerror(errno));

	fd1 = open("dir00.d", O_RDONLY | O_DIRECTORY);
	fd2 = open("dir00.d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd1 < 0 || fd2 < 0)
		test_setup_fail("open dir: %s", strerror(errno));
	if (fstat(fd1, &st0))
		test_setup_fail("fstat: %s", strerror(errno));
	if (list_dir(fd2, "setup", &count) || count != NR_NAMES + 2)
		test_setup_fail("the directory does not list as expected");

	test_daemon();
	test_waitsig();

	if (test_break()) {
		int fd = open("dir00.d/intruder", O_CREAT | O_WRONLY, 0600);

		close(fd);
	}

	if (fstat(fd1, &st) || st.st_ino != st0.st_ino || st.st_dev != st0.st_dev)
		fail("fd1 is not the directory any more");
	if (!(fcntl(fd1, F_GETFL) & O_DIRECTORY))
		fail("fd1 lost O_DIRECTORY");
	if (lseek(fd1, 0, SEEK_CUR) != 0)
		fail("fd1 offset moved");
	bad |= list_dir(fd1, "fd1", &count);
	if (count != NR_NAMES + 2) {
		test_msg("fd1: %d entries, expected %d", count, NR_NAMES + 2);
		bad = 1;
	}
	if (fcntl(fd2, F_GETFD) != FD_CLOEXEC || fcntl(fd1, F_GETFD) != 0)
		fail("close-on-exec flags of the directory fds changed");
	/* fd2 was read to the end before the dump. */
	bad |= list_dir(fd2, "fd2 at end", &count);
	if (count) {
		test_msg("fd2: %d entries after the end", count);
		bad = 1;
	}
	if (lseek(fd2, 0, SEEK_SET) != 0)
		pfail("rewind fd2");
	bad |= list_dir(fd2, "fd2 rewound", &count);
	if (count != NR_NAMES + 2) {
		test_msg("fd2: %d entries, expected %d", count, NR_NAMES + 2);
		bad = 1;
	}
	if (bad)
		fail("directory listing changed (see messages above)");
	pass();
}
