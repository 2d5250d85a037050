// SPDX-License-Identifier: GPL-2.0
/*
 * A MAP_SHARED mapping of a memfd. Mappings of memfds are not dumped yet
 * (the mapping would have to share the restored memfd object), so the dump
 * must refuse it with one line naming the mapping (crfail); the test checks
 * that the mapping and the fd still share their bytes afterwards.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zdtmtst.h"

#define LEN 8192

int main(int argc, char **argv)
{
	char *p, c;
	int fd;

	test_init(argc, argv);

	fd = memfd_create("zdtm-map", 0);
	if (fd < 0 || ftruncate(fd, LEN))
		test_setup_fail("memfd: %s", strerror(errno));
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));
	p[LEN - 1] = 'm';

	test_daemon();
	test_waitsig();

	if (test_break())
		p[LEN - 1] = 'x';
	if (pread(fd, &c, 1, LEN - 1) != 1)
		pfail("pread");
	if (c != 'm')
		fail("the fd reads %c where the mapping wrote m", c);
	if (pwrite(fd, "w", 1, 0) != 1 || p[0] != 'w')
		fail("a write through the fd does not show in the mapping");
	pass();
}
