/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Common body of the tests of kinds criu refuses (crfail): the dump must
 * fail with one line naming the fd, and the fd must be what it was after
 * the failed dump. test_break() closes it, which the check must catch.
 */
#include <stdio.h>
#include <unistd.h>

#include "zdtmtst.h"

static void refuse_test(int fd, const char *link)
{
	char path[64], now[256];
	ssize_t n;

	test_daemon();
	test_waitsig();

	if (test_break())
		close(fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, now, sizeof(now) - 1);
	if (n < 0)
		pfail("readlink fd %d", fd);
	now[n] = 0;
	if (strcmp(now, link))
		fail("fd %d is %s, expected %s", fd, now, link);
	pass();
}
