// SPDX-License-Identifier: GPL-2.0
/* The library ci/test-digest.sh changes under a dumped program. Its code
 * does the counting, so a restored program that goes on counting ran it. */
#include <stdio.h>
#include <unistd.h>

int digest_lib_tick(int fd, unsigned long n)
{
	char line[32];
	int len = snprintf(line, sizeof(line), "%lu\n", n);

	return write(fd, line, len) == len ? 0 : -1;
}
