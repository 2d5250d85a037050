// SPDX-License-Identifier: GPL-2.0
/* The file creation mask survives. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define MASK 0257

int main(int argc, char **argv)
{
	char buf[64], fname[64];
	mode_t m;
	struct stat st;
	int fd;

	test_init(argc, argv);
	umask(MASK);

	test_daemon();
	test_waitsig();

	if (test_break())
		umask(022);

	if (!proc_field("/proc/self/status", "Umask", buf, sizeof(buf)))
		fail("no Umask in /proc/self/status");
	if (strtoul(buf, NULL, 8) != MASK)
		fail("/proc/self/status Umask %s, expected %04o", buf, MASK);
	m = umask(MASK);
	if (m != MASK)
		fail("umask is %04o, expected %04o", m, MASK);

	/* And it is applied. */
	snprintf(fname, sizeof(fname), "umask00.%d.tmp", getpid());
	fd = open(fname, O_CREAT | O_EXCL | O_WRONLY, 0777);
	if (fd < 0)
		pfail("create %s", fname);
	if (fstat(fd, &st))
		pfail("fstat");
	close(fd);
	unlink(fname);
	if ((st.st_mode & 0777) != (0777 & ~MASK))
		fail("new file has mode %04o, expected %04o", st.st_mode & 0777, 0777 & ~MASK);
	pass();
}
