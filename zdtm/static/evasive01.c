// SPDX-License-Identifier: GPL-2.0
/*
 * Without --evasive-devices, a device opened through a node that is gone
 * must fail the dump with one line (the path leads nowhere); the fd still
 * works afterwards.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	struct stat st;
	int fd;

	test_init(argc, argv);
	if (mknod("evasive01.zero", S_IFCHR | 0600, makedev(1, 5)))
		test_setup_fail("mknod: %s", strerror(errno));
	fd = open("evasive01.zero", O_RDONLY);
	if (fd < 0 || unlink("evasive01.zero"))
		test_setup_fail("open/unlink: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		close(fd);

	if (fstat(fd, &st) || st.st_rdev != makedev(1, 5))
		fail("the fd no longer reaches the zero device");
	pass();
}
