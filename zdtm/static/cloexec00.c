// SPDX-License-Identifier: GPL-2.0
/*
 * FD_CLOEXEC set on some fds and not on others, on several kinds of file
 * (regular file, pipe ends, directory, dup of a close-on-exec fd). After
 * restore F_GETFD returns what it did.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NR_FDS 8

int main(int argc, char **argv)
{
	int fds[NR_FDS], want[NR_FDS], p[2], i, bad = 0;

	test_init(argc, argv);

	fds[0] = open("cloexec00.a", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	fds[1] = open("cloexec00.b", O_CREAT | O_RDWR, 0600);
	if (pipe2(p, O_CLOEXEC))
		test_setup_fail("pipe2: %s", strerror(errno));
	fds[2] = p[0];
	fds[3] = p[1];
	fds[4] = open(".", O_RDONLY | O_DIRECTORY);
	fds[5] = dup(fds[0]);			/* dup() clears close-on-exec */
	fds[6] = fcntl(fds[1], F_DUPFD_CLOEXEC, 100);
	fds[7] = open("/dev/null", O_RDONLY);
	for (i = 0; i < NR_FDS; i++)
		if (fds[i] < 0)
			test_setup_fail("open: %s", strerror(errno));
	/* Flip some of them after the fact. */
	if (fcntl(fds[3], F_SETFD, 0) || fcntl(fds[4], F_SETFD, FD_CLOEXEC) ||
	    fcntl(fds[7], F_SETFD, FD_CLOEXEC))
		test_setup_fail("F_SETFD: %s", strerror(errno));
	for (i = 0; i < NR_FDS; i++)
		want[i] = fcntl(fds[i], F_GETFD);
	if (want[0] != FD_CLOEXEC || want[1] || want[2] != FD_CLOEXEC || want[3] ||
	    want[4] != FD_CLOEXEC || want[5] || want[6] != FD_CLOEXEC ||
	    want[7] != FD_CLOEXEC)
		test_setup_fail("flags are not as set up");

	test_daemon();
	test_waitsig();

	if (test_break())
		fcntl(fds[1], F_SETFD, FD_CLOEXEC);

	for (i = 0; i < NR_FDS; i++) {
		int fl = fcntl(fds[i], F_GETFD);

		if (fl != want[i]) {
			test_msg("fd %d: F_GETFD %d, expected %d", fds[i], fl, want[i]);
			bad = 1;
		}
	}
	if (bad)
		fail("close-on-exec flags changed (see messages above)");
	pass();
}
