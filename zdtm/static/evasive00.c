// SPDX-License-Identifier: GPL-2.0
/*
 * --evasive-devices: /dev/null opened through a node of our own, which is
 * then removed. Reopening the path is impossible; with the option the
 * restore reaches the same device through another node. After restore the
 * fd is still the null device (1:3), writable, reading EOF.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	struct stat st;
	char c;
	int fd;

	test_init(argc, argv);
	if (mknod("evasive00.null", S_IFCHR | 0600, makedev(1, 3)))
		test_setup_fail("mknod: %s", strerror(errno));
	fd = open("evasive00.null", O_RDWR);
	if (fd < 0 || unlink("evasive00.null"))
		test_setup_fail("open/unlink: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		dup2(open("/dev/zero", O_RDONLY), fd);

	if (fstat(fd, &st) || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		fail("the fd is no longer the null device");
	if (write(fd, "x", 1) != 1 || read(fd, &c, 1) != 0)
		fail("the null device does not behave as one");
	pass();
}
