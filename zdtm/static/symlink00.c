// SPDX-License-Identifier: GPL-2.0
/*
 * A file opened through a symlink (and through a chain of two). After
 * restore /proc/self/fd/N resolves to the target's real path, the fd is the
 * target inode and the symlinks themselves are unchanged.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

static int check_fd(int fd, const char *target, const struct stat *tst)
{
	char path[64], buf[PATH_MAX];
	struct stat st;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0) {
		test_msg("readlink %s: %s", path, strerror(errno));
		return 1;
	}
	buf[n] = 0;
	if (strcmp(buf, target)) {
		test_msg("fd %d resolves to '%s', expected '%s'", fd, buf, target);
		return 1;
	}
	if (fstat(fd, &st) || st.st_dev != tst->st_dev || st.st_ino != tst->st_ino) {
		test_msg("fd %d is not the target inode", fd);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char cwd[PATH_MAX], target[PATH_MAX + 32], buf[PATH_MAX];
	struct stat tst;
	int fd1, fd2, bad;
	ssize_t n;

	test_init(argc, argv);

	if (!getcwd(cwd, sizeof(cwd)))
		test_setup_fail("getcwd: %s", strerror(errno));
	snprintf(target, sizeof(target), "%s/symlink00.dir/target", cwd);
	if (mkdir("symlink00.dir", 0755))
		test_setup_fail("mkdir: %s", strerror(errno));
	fd1 = open(target, O_CREAT | O_RDWR | O_EXCL, 0600);
	if (fd1 < 0)
		test_setup_fail("create target: %s", strerror(errno));
	close(fd1);
	if (stat(target, &tst))
		test_setup_fail("stat: %s", strerror(errno));
	if (symlink("symlink00.dir/target", "symlink00.link") ||
	    symlink("symlink00.link", "symlink00.link2"))
		test_setup_fail("symlink: %s", strerror(errno));

	fd1 = open("symlink00.link", O_RDWR);
	fd2 = open("symlink00.link2", O_RDONLY);
	if (fd1 < 0 || fd2 < 0)
		test_setup_fail("open through symlink: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break()) {
		int other = open("symlink00.dir", O_RDONLY | O_DIRECTORY);

		dup2(other, fd2);
		close(other);
	}

	bad = check_fd(fd1, target, &tst);
	bad |= check_fd(fd2, target, &tst);
	if (bad)
		fail("fds opened through symlinks changed (see messages above)");
	n = readlink("symlink00.link", buf, sizeof(buf) - 1);
	if (n < 0 || (buf[n] = 0, strcmp(buf, "symlink00.dir/target")))
		fail("symlink00.link changed");
	n = readlink("symlink00.link2", buf, sizeof(buf) - 1);
	if (n < 0 || (buf[n] = 0, strcmp(buf, "symlink00.link")))
		fail("symlink00.link2 changed");
	pass();
}
