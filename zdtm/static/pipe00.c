// SPDX-License-Identifier: GPL-2.0
/*
 * Pipes in several states, nothing read before the dump:
 *   A: both ends open, data queued, read end O_NONBLOCK;
 *   B: both ends open, empty, write end O_NONBLOCK;
 *   C: write end closed, data queued (reads give the data, then EOF);
 *   D: read end closed (writes fail with EPIPE).
 * After restore the ends of each pipe are still one pipe, flags and sizes
 * are kept, and the queued bytes read back exactly, no more, no less.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define A_LEN 3000
#define C_LEN 5000
#define SEED_A 0xa0a0
#define SEED_C 0xc0c0

static unsigned char buf[1 << 16];

static int same_pipe(int a, int b)
{
	struct stat sa, sb;

	if (fstat(a, &sa) || fstat(b, &sb))
		return 0;
	return S_ISFIFO(sa.st_mode) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Read what is queued in a read end set O_NONBLOCK; returns the count. */
static ssize_t drain(int fd, int *last_errno)
{
	ssize_t n, total = 0;

	for (;;) {
		n = read(fd, buf + total, sizeof(buf) - total);
		if (n <= 0)
			break;
		total += n;
	}
	*last_errno = n < 0 ? errno : 0;
	return total;
}

int main(int argc, char **argv)
{
	int a[2], b[2], c[2], d[2], fl[8], e, i;
	int *ends[8] = { &a[0], &a[1], &b[0], &b[1], &c[0], &c[1], &d[0], &d[1] };
	ssize_t n;

	test_init(argc, argv);
	signal(SIGPIPE, SIG_IGN);

	if (pipe(a) || pipe(b) || pipe(c) || pipe(d))
		test_setup_fail("pipe: %s", strerror(errno));
	if (fcntl(a[0], F_SETFL, O_NONBLOCK) || fcntl(b[1], F_SETFL, O_NONBLOCK))
		test_setup_fail("F_SETFL: %s", strerror(errno));

	datagen(buf, A_LEN, SEED_A);
	if (write(a[1], buf, A_LEN) != A_LEN)
		test_setup_fail("write A: %s", strerror(errno));
	datagen(buf, C_LEN, SEED_C);
	if (write(c[1], buf, C_LEN) != C_LEN)
		test_setup_fail("write C: %s", strerror(errno));
	close(c[1]);
	close(d[0]);
	c[1] = d[0] = -1;
	for (i = 0; i < 8; i++)
		fl[i] = *ends[i] >= 0 ? fcntl(*ends[i], F_GETFL) : 0;

	test_daemon();
	test_waitsig();

	if (test_break())
		if (write(a[1], "x", 1) != 1)
			test_msg("break: write: %s", strerror(errno));

	for (i = 0; i < 8; i++) {
		int f;

		if (*ends[i] < 0)
			continue;
		f = fcntl(*ends[i], F_GETFL);
		if (f != fl[i])
			fail("pipe end fd %d: F_GETFL 0%o, expected 0%o", *ends[i], f, fl[i]);
	}
	if (!same_pipe(a[0], a[1]) || !same_pipe(b[0], b[1]))
		fail("the two ends are no longer one pipe");
	if (same_pipe(a[0], b[0]) || same_pipe(a[0], c[0]) || same_pipe(b[0], c[0]) ||
	    same_pipe(c[0], d[1]))
		fail("two pipes became one");

	/* A: exactly the queued bytes, then EAGAIN (the write end is open). */
	n = drain(a[0], &e);
	if (n != A_LEN || !datachk(buf, A_LEN, SEED_A))
		fail("pipe A: read %zd bytes, expected %d of the pattern", n, A_LEN);
	if (e != EAGAIN)
		fail("pipe A: after the data: %s, expected EAGAIN", strerror(e));

	/* B: empty; works both ways. */
	if (fcntl(b[0], F_SETFL, O_NONBLOCK))
		pfail("F_SETFL");
	n = drain(b[0], &e);
	if (n != 0 || e != EAGAIN)
		fail("pipe B: read %zd bytes (%s), expected none and EAGAIN", n, strerror(e));
	if (write(b[1], "ping", 4) != 4 || read(b[0], buf, 16) != 4 || memcmp(buf, "ping", 4))
		fail("pipe B does not carry data");

	/* C: the data, then EOF. */
	if (fcntl(c[0], F_SETFL, O_NONBLOCK))
		pfail("F_SETFL");
	n = drain(c[0], &e);
	if (n != C_LEN || !datachk(buf, C_LEN, SEED_C))
		fail("pipe C: read %zd bytes, expected %d of the pattern", n, C_LEN);
	if (e != 0)
		fail("pipe C: %s after the data, expected EOF", strerror(e));

	/* D: no reader. */
	if (write(d[1], "x", 1) != -1 || errno != EPIPE)
		fail("pipe D: a write did not fail with EPIPE");
	pass();
}
