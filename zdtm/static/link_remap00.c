// SPDX-License-Identifier: GPL-2.0
/*
 * --link-remap, for open files whose name is gone:
 *   - A: a file with a second hard link B, opened as A, then A unlinked
 *     (link_remap00);
 *   - T: an O_TMPFILE file of 3 MiB (over the 1 MiB --ghost-limit), never
 *     linked anywhere (link_remap02, which includes this file).
 * After restore the fd of A is still the inode B names (a write through
 * it shows in B), T holds its data and still has no name, and no
 * link_remap.* name is left in the directory.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define TMP_SIZE (3 << 20)

static int leftovers(void)
{
	DIR *d = opendir(".");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "link_remap.", 11)) {
			test_msg("left behind: %s", de->d_name);
			n++;
		}
	if (d)
		closedir(d);
	return n;
}

#ifndef REMAP_TMPFILE
int main(int argc, char **argv)
{
	struct stat sa, sb;
	char c;
	int a;

	test_init(argc, argv);
	a = open("link_remap00.A", O_CREAT | O_EXCL | O_RDWR, 0600);
	if (a < 0 || write(a, "before", 6) != 6 || link("link_remap00.A", "link_remap00.B") ||
	    unlink("link_remap00.A"))
		test_setup_fail("A/B: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		unlink("link_remap00.B");
	if (fstat(a, &sa) || stat("link_remap00.B", &sb) || sa.st_ino != sb.st_ino ||
	    sa.st_dev != sb.st_dev)
		fail("the fd of A is no longer the inode B names");
	if (pwrite(a, "!", 1, 0) != 1 || (a = open("link_remap00.B", O_RDONLY)) < 0 ||
	    read(a, &c, 1) != 1 || c != '!')
		fail("a write through A's fd does not show in B");
	if (leftovers())
		fail("link_remap names were left behind");
	pass();
}
#else
int main(int argc, char **argv)
{
	char *buf = malloc(TMP_SIZE);
	struct stat st;
	int t;

	test_init(argc, argv);
	t = open(".", O_TMPFILE | O_RDWR, 0600);
	datagen(buf, TMP_SIZE, 3);
	if (t < 0 || write(t, buf, TMP_SIZE) != TMP_SIZE || lseek(t, 100, SEEK_SET) != 100)
		test_setup_fail("O_TMPFILE: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		pwrite(t, "X", 1, 5000);
	memset(buf, 0, TMP_SIZE);
	if (fstat(t, &st) || st.st_nlink != 0 || st.st_size != TMP_SIZE ||
	    lseek(t, 0, SEEK_CUR) != 100)
		fail("the O_TMPFILE file changed: %lu links, %ld bytes", (unsigned long)st.st_nlink,
		     (long)st.st_size);
	if (pread(t, buf, TMP_SIZE, 0) != TMP_SIZE || !datachk(buf, TMP_SIZE, 3))
		fail("the O_TMPFILE file's data changed");
	if (leftovers())
		fail("link_remap names were left behind");
	pass();
}
#endif
