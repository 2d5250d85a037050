// SPDX-License-Identifier: GPL-2.0
/*
 * A private (copy-on-write) mapping of a memfd: not supported, the dump
 * must refuse it with one line naming the mapping (crfail). The test checks
 * that the private copy and the memfd still differ as they did.
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

	fd = memfd_create("zdtm-private", 0);
	if (fd < 0 || ftruncate(fd, LEN) || pwrite(fd, "f", 1, 0) != 1)
		test_setup_fail("memfd: %s", strerror(errno));
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));
	p[0] = 'p';

	test_daemon();
	test_waitsig();

	if (test_break())
		p[0] = 'f';
	if (pread(fd, &c, 1, 0) != 1)
		pfail("pread");
	if (c != 'f' || p[0] != 'p')
		fail("file has %c, private copy %c; expected f and p", c, p[0]);
	pass();
}
