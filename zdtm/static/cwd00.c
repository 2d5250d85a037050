// SPDX-License-Identifier: GPL-2.0
/*
 * The current directory is a subdirectory of the work dir. After restore
 * getcwd() names the same path and "." is the same inode; a relative
 * lookup finds the file created there.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	char cwd[PATH_MAX], now[PATH_MAX];
	struct stat st, st2;
	int fd;

	test_init(argc, argv);

	if (mkdir("cwd00.d", 0755) || mkdir("cwd00.d/sub dir", 0700))
		test_setup_fail("mkdir: %s", strerror(errno));
	if (chdir("cwd00.d/sub dir"))
		test_setup_fail("chdir: %s", strerror(errno));
	fd = open("marker", O_CREAT | O_WRONLY | O_EXCL, 0600);
	if (fd < 0)
		test_setup_fail("create marker: %s", strerror(errno));
	close(fd);
	if (!getcwd(cwd, sizeof(cwd)))
		test_setup_fail("getcwd: %s", strerror(errno));
	if (stat(".", &st))
		test_setup_fail("stat .: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break() && chdir(".."))
		pfail("break: chdir");

	if (!getcwd(now, sizeof(now)))
		pfail("getcwd");
	if (strcmp(now, cwd))
		fail("cwd is '%s', expected '%s'", now, cwd);
	if (stat(".", &st2))
		pfail("stat .");
	if (st.st_dev != st2.st_dev || st.st_ino != st2.st_ino)
		fail("cwd is inode %lu:%lu, expected %lu:%lu", (unsigned long)st2.st_dev,
		     (unsigned long)st2.st_ino, (unsigned long)st.st_dev,
		     (unsigned long)st.st_ino);
	if (access("marker", F_OK))
		pfail("marker not found relative to cwd");
	pass();
}
