// SPDX-License-Identifier: GPL-2.0
/*
 * The current directory has been removed. After restore the cwd is still a
 * directory with no links: getcwd() fails with ENOENT, stat(".") shows
 * nlink 0 and the mode it had, and nothing can be created in it. The
 * original path stays absent.
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
	char path[PATH_MAX], buf[PATH_MAX];
	struct stat st;
	int fd;

	test_init(argc, argv);

	if (!getcwd(path, sizeof(path) - 16))
		test_setup_fail("getcwd: %s", strerror(errno));
	strcat(path, "/cwd01.gone");
	if (mkdir(path, 0710))
		test_setup_fail("mkdir: %s", strerror(errno));
	if (chdir(path))
		test_setup_fail("chdir: %s", strerror(errno));
	if (rmdir(path))
		test_setup_fail("rmdir: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break() && mkdir(path, 0710) == 0 && chdir(path))
		pfail("break: chdir");

	if (getcwd(buf, sizeof(buf)))
		fail("getcwd() = '%s' in a removed directory", buf);
	if (errno != ENOENT)
		pfail("getcwd failed, but not with ENOENT");
	if (stat(".", &st))
		pfail("stat .");
	if (!S_ISDIR(st.st_mode))
		fail("cwd is not a directory: mode 0%o", st.st_mode);
	if ((st.st_mode & 07777) != 0710)
		fail("cwd mode 0%o, expected 0710", st.st_mode & 07777);
	if (st.st_nlink != 0)
		fail("cwd has %lu links, expected 0", (unsigned long)st.st_nlink);
	fd = open("file", O_CREAT | O_WRONLY, 0600);
	if (fd >= 0)
		fail("created a file in a removed directory");
	if (access(path, F_OK) == 0)
		fail("%s exists again", path);
	pass();
}
