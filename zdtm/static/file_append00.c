// SPDX-License-Identifier: GPL-2.0
/*
 * An O_APPEND fd whose offset was moved back to the start, next to a plain
 * O_RDWR fd on the same file. After restore O_APPEND is still set, writes
 * through the append fd land at the end whatever its offset, and writes
 * through the plain fd land at its own offset.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

static const char part1[] = "first part, written before the dump\n";
static const char part2[] = "second part, appended after restore\n";

int main(int argc, char **argv)
{
	char buf[256], expect[256];
	int afd, pfd, fl;
	size_t len;
	ssize_t n;

	test_init(argc, argv);

	afd = open("file_append00.data", O_CREAT | O_WRONLY | O_APPEND | O_EXCL, 0600);
	if (afd < 0)
		test_setup_fail("open: %s", strerror(errno));
	if (write(afd, part1, strlen(part1)) != (ssize_t)strlen(part1))
		test_setup_fail("write: %s", strerror(errno));
	/* The offset of an O_APPEND fd may be moved; writes still append. */
	if (lseek(afd, 0, SEEK_SET) != 0)
		test_setup_fail("lseek: %s", strerror(errno));
	pfd = open("file_append00.data", O_RDWR);
	if (pfd < 0)
		test_setup_fail("open: %s", strerror(errno));
	if (lseek(pfd, 6, SEEK_SET) != 6)
		test_setup_fail("lseek: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		fcntl(afd, F_SETFL, fcntl(afd, F_GETFL) & ~O_APPEND);

	fl = fcntl(afd, F_GETFL);
	if (fl < 0)
		pfail("F_GETFL");
	if (!(fl & O_APPEND) || (fl & O_ACCMODE) != O_WRONLY)
		fail("append fd: F_GETFL 0%o, expected O_WRONLY|O_APPEND", fl);
	if (lseek(afd, 0, SEEK_CUR) != 0)
		fail("append fd: offset moved before any write");
	if (write(afd, part2, strlen(part2)) != (ssize_t)strlen(part2))
		pfail("write through the append fd");
	if (lseek(afd, 0, SEEK_CUR) != (off_t)(strlen(part1) + strlen(part2)))
		fail("append fd: offset is not at the end after the write");

	/* The plain fd overwrites in place at offset 6. */
	if (write(pfd, "PART", 4) != 4)
		pfail("write through the plain fd");

	snprintf(expect, sizeof(expect), "%s%s", part1, part2);
	memcpy(expect + 6, "PART", 4);
	len = strlen(expect);
	n = pread(pfd, buf, sizeof(buf), 0);
	if (n != (ssize_t)len)
		fail("file holds %zd bytes, expected %zu", n, len);
	if (memcmp(buf, expect, len))
		fail("file content is '%.*s', expected '%s'", (int)n, buf, expect);
	pass();
}
