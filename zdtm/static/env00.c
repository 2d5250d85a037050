// SPDX-License-Identifier: GPL-2.0
/* An environment variable set before test_init() survives. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "zdtmtst.h"

#define ENV_NAME "ZDTM_ENV00_VAR"

static const char value[] = "checkpoint=restore;value with spaces and=signs";

/* Look for NAME=VALUE in /proc/self/environ. */
static int environ_has(const char *entry)
{
	static char buf[1 << 20];
	size_t len = 0, elen = strlen(entry) + 1;
	ssize_t n;
	char *p;
	int fd;

	fd = open("/proc/self/environ", O_RDONLY);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += n;
	close(fd);
	if (n < 0)
		return -1;
	for (p = buf; p < buf + len; p += strlen(p) + 1)
		if ((size_t)(buf + len - p) >= elen && !memcmp(p, entry, elen))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	char entry[256];
	const char *v;

	if (setenv(ENV_NAME, value, 1))
		return 1;
	/* setenv() does not touch /proc/self/environ: re-exec with it. */
	if (!getenv("ZDTM_ENV00_EXEC")) {
		setenv("ZDTM_ENV00_EXEC", "1", 1);
		execv("/proc/self/exe", argv);
		perror("execv");
		return 1;
	}
	test_init(argc, argv);
	snprintf(entry, sizeof(entry), "%s=%s", ENV_NAME, value);
	if (environ_has(entry) != 1)
		test_setup_fail("%s not in /proc/self/environ", ENV_NAME);

	test_daemon();
	test_waitsig();

	if (test_break())
		setenv(ENV_NAME, "broken", 1);

	v = getenv(ENV_NAME);
	if (!v)
		fail("%s is not set", ENV_NAME);
	if (strcmp(v, value))
		fail("%s='%s', expected '%s'", ENV_NAME, v, value);
	if (environ_has(entry) != 1)
		fail("%s not found in /proc/self/environ", entry);
	pass();
}
