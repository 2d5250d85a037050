// SPDX-License-Identifier: GPL-2.0
/* /proc/self/oom_score_adj survives. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "zdtmtst.h"

#define VALUE 737

static int rw(const char *val, char *buf, size_t len)
{
	int fd = open("/proc/self/oom_score_adj", val ? O_WRONLY : O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	if (val)
		n = write(fd, val, strlen(val));
	else
		n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	if (!val)
		buf[n] = 0;
	return 0;
}

int main(int argc, char **argv)
{
	char buf[32];
	long v;

	test_init(argc, argv);
	snprintf(buf, sizeof(buf), "%d", VALUE);
	if (rw(buf, NULL, 0))
		test_setup_fail("write oom_score_adj: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		rw("738", NULL, 0);

	if (rw(NULL, buf, sizeof(buf)))
		pfail("read oom_score_adj");
	v = strtol(buf, NULL, 10);
	if (v != VALUE)
		fail("oom_score_adj %ld, expected %d", v, VALUE);
	pass();
}
