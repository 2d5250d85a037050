// SPDX-License-Identifier: GPL-2.0
/*
 * Without --link-remap, a file whose opened name was removed while it has
 * another name must fail the dump (its path no longer leads to it); the
 * fd still reaches the file afterwards.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	struct stat sa, sb;
	int a;

	test_init(argc, argv);
	a = open("link_remap01.A", O_CREAT | O_EXCL | O_RDWR, 0600);
	if (a < 0 || link("link_remap01.A", "link_remap01.B") || unlink("link_remap01.A"))
		test_setup_fail("A/B: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		close(a);

	if (fstat(a, &sa) || stat("link_remap01.B", &sb) || sa.st_ino != sb.st_ino)
		fail("the fd no longer reaches the file");
	pass();
}
