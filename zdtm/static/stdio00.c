// SPDX-License-Identifier: GPL-2.0
/*
 * The standard fds as the test library sets them up: stdin on /dev/null,
 * stdout and stderr sharing one O_APPEND description of the outfile. After
 * restore each is the same file with the same flags and path, stdout and
 * stderr are still one description, and lines written through fd 1, fd 2
 * and stdio all land in the outfile.
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

struct std_fd {
	struct stat st;
	int getfl, getfd;
	char path[PATH_MAX];
};

static int snap(int fd, struct std_fd *s)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, s->path, sizeof(s->path) - 1);
	if (n < 0)
		return -1;
	s->path[n] = 0;
	if (fstat(fd, &s->st))
		return -1;
	s->getfl = fcntl(fd, F_GETFL);
	s->getfd = fcntl(fd, F_GETFD);
	return s->getfl < 0 || s->getfd < 0 ? -1 : 0;
}

/* Whether the file behind @fd holds @needle; true if we may not read it. */
static bool file_has(int fd, const char *needle)
{
	static char buf[1 << 16];
	char link[64];
	ssize_t n;
	int rfd;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	rfd = open(link, O_RDONLY);
	if (rfd < 0 && errno == EACCES) {
		test_msg("stdio00: the outfile is not readable, contents not checked");
		return true;
	}
	if (rfd < 0)
		return false;
	n = read(rfd, buf, sizeof(buf) - 1);
	close(rfd);
	if (n < 0)
		return false;
	buf[n] = 0;
	return strstr(buf, needle) != NULL;
}

int main(int argc, char **argv)
{
	struct std_fd before[3], now;
	char line[128], c;
	int i, n;

	test_init(argc, argv);

	for (i = 0; i < 3; i++)
		if (snap(i, &before[i]))
			test_setup_fail("fd %d: %s", i, strerror(errno));
	if (!S_ISCHR(before[0].st.st_mode) || strcmp(before[0].path, "/dev/null"))
		test_setup_fail("stdin is not /dev/null but %s", before[0].path);
	if (!S_ISREG(before[1].st.st_mode))
		test_setup_fail("stdout is not a regular file");

	test_daemon();
	test_waitsig();

	if (test_break()) {
		int fd = open("/dev/zero", O_RDONLY);

		dup2(fd, 0);
		close(fd);
	}

	for (i = 0; i < 3; i++) {
		if (snap(i, &now))
			pfail("fd %d", i);
		if (now.st.st_dev != before[i].st.st_dev || now.st.st_ino != before[i].st.st_ino ||
		    now.st.st_rdev != before[i].st.st_rdev)
			fail("fd %d is not the same file: now %s, was %s", i, now.path,
			     before[i].path);
		if (strcmp(now.path, before[i].path))
			fail("fd %d path is %s, was %s", i, now.path, before[i].path);
		if (now.getfl != before[i].getfl)
			fail("fd %d: F_GETFL 0%o, was 0%o", i, now.getfl, before[i].getfl);
		if (now.getfd != before[i].getfd)
			fail("fd %d: F_GETFD %d, was %d", i, now.getfd, before[i].getfd);
	}
	if (syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, 1, 2) != 0)
		fail("stdout and stderr are no longer one description");
	n = read(0, &c, 1);
	if (n != 0)
		fail("stdin: read gave %d, expected EOF", n);

	snprintf(line, sizeof(line), "stdio00: via fd 1 from %d\n", getpid());
	if (write(1, line, strlen(line)) != (ssize_t)strlen(line))
		pfail("write to fd 1");
	if (!file_has(1, line))
		fail("a line written to fd 1 is not in the outfile");
	snprintf(line, sizeof(line), "stdio00: via fd 2 from %d\n", getpid());
	if (write(2, line, strlen(line)) != (ssize_t)strlen(line))
		pfail("write to fd 2");
	if (!file_has(1, line))
		fail("a line written to fd 2 is not in the outfile");
	snprintf(line, sizeof(line), "stdio00: via stdio from %d\n", getpid());
	fputs(line, stdout);
	fflush(stdout);
	if (!file_has(1, line))
		fail("a line written with stdio is not in the outfile");
	pass();
}
