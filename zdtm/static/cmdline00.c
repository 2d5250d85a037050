// SPDX-License-Identifier: GPL-2.0
/* The command line (argv memory and /proc/self/cmdline) survives. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "zdtmtst.h"

static char saved[8192];
static size_t saved_len;

static ssize_t read_cmdline(char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open("/proc/self/cmdline", O_RDONLY);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + len, size - len)) > 0)
		len += n;
	close(fd);
	return n < 0 ? -1 : (ssize_t)len;
}

int main(int argc, char **argv)
{
	char buf[8192], *argv2[64];
	int i, j;
	ssize_t len;

	/* Re-exec with extra unusual arguments: spaces, UTF-8, an empty value. */
	if (!getenv("ZDTM_CMDLINE00_EXEC")) {
		if (argc > 50)
			return 1;
		for (i = 0; i < argc; i++)
			argv2[i] = argv[i];
		argv2[i++] = "--cmdline00-a=with  two spaces";
		argv2[i++] = "--cmdline00-b=\xc3\xa9t\xc3\xa9 \t tab";
		argv2[i++] = "--cmdline00-c=";
		argv2[i] = NULL;
		setenv("ZDTM_CMDLINE00_EXEC", "1", 1);
		execv("/proc/self/exe", argv2);
		perror("execv");
		return 1;
	}

	/* The expected cmdline, built from argv as given at exec. */
	for (i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;

		if (saved_len + l > sizeof(saved))
			return 1;
		memcpy(saved + saved_len, argv[i], l);
		saved_len += l;
	}

	test_init(argc, argv);

	if (strcmp(test_opt_str("cmdline00-a", ""), "with  two spaces") ||
	    strcmp(test_opt_str("cmdline00-c", "x"), ""))
		test_setup_fail("options not passed through exec");
	len = read_cmdline(buf, sizeof(buf));
	if (len != (ssize_t)saved_len || memcmp(buf, saved, len))
		test_setup_fail("/proc/self/cmdline differs from argv before the dump");

	test_daemon();
	test_waitsig();

	if (test_break())
		argv[argc - 1][0] = '#';

	for (i = 0, j = 0; i < argc; i++) {
		if (strcmp(argv[i], saved + j))
			fail("argv[%d] = '%s', expected '%s'", i, argv[i], saved + j);
		j += strlen(saved + j) + 1;
	}
	len = read_cmdline(buf, sizeof(buf));
	if (len < 0)
		pfail("read /proc/self/cmdline");
	if (len != (ssize_t)saved_len)
		fail("/proc/self/cmdline is %zd bytes, expected %zu", len, saved_len);
	if (memcmp(buf, saved, len))
		fail("/proc/self/cmdline content differs");
	pass();
}
