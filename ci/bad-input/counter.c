// SPDX-License-Identifier: GPL-2.0
/*
 * The workload of ci/test-bad-input.sh: becomes a session leader, writes
 * its pid to PIDFILE, then appends one number to COUNTFILE every 20 ms,
 * forever. COUNTFILE is opened O_WRONLY|O_APPEND, like a log file, so a
 * restored copy goes on appending wherever the file ends. It also holds
 * a pty pair with a few bytes queued, so that the damaged-image checks
 * cover the terminal images too.
 * Usage: counter COUNTFILE PIDFILE
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char buf[32], tmp[4096];
	int fd, pfd, n, m, unlock = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: counter COUNTFILE PIDFILE\n");
		return 2;
	}
	/* nothing inherited but stdin, stdout and stderr goes into the images */
	close_range(3, ~0U, 0);
	if (getsid(0) != getpid() && setsid() < 0) {
		perror("setsid");
		return 1;
	}
	m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || ioctl(m, TIOCSPTLCK, &unlock) ||
	    ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC) < 0 || write(m, "q\n", 2) != 2) {
		perror("pty");
		return 1;
	}
	fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	/* written under another name and renamed: the pid file appears whole */
	n = snprintf(buf, sizeof(buf), "%d\n", getpid());
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	pfd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (pfd < 0 || write(pfd, buf, n) != n || close(pfd) || rename(tmp, argv[2])) {
		perror(argv[2]);
		return 1;
	}
	for (unsigned long i = 0;; i++) {
		n = snprintf(buf, sizeof(buf), "%lu\n", i);
		if (write(fd, buf, n) != n)
			return 1;
		nanosleep(&ts, NULL);
	}
}
