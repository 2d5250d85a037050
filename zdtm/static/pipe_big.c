// SPDX-License-Identifier: GPL-2.0
/*
 * A pipe resized to 1 MiB and filled up to the brim, so that a single more
 * byte does not fit. After restore the size is kept, the pipe is still
 * full (a non-blocking write gets EAGAIN), and the whole 1 MiB reads back
 * exactly, then EAGAIN.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "zdtmtst.h"

#define PIPE_SIZE (1 << 20)
#define SEED 0xb16

static unsigned char buf[PIPE_SIZE + 4096];

int main(int argc, char **argv)
{
	ssize_t n, total = 0;
	int p[2], sz;

	test_init(argc, argv);

	if (pipe2(p, O_NONBLOCK))
		test_setup_fail("pipe: %s", strerror(errno));
	sz = fcntl(p[1], F_SETPIPE_SZ, PIPE_SIZE);
	if (sz != PIPE_SIZE)
		test_setup_fail("F_SETPIPE_SZ(%d) = %d: %s", PIPE_SIZE, sz, strerror(errno));
	datagen(buf, PIPE_SIZE, SEED);
	/* Page-sized writes fill every slot of the pipe. */
	while (total < PIPE_SIZE) {
		n = write(p[1], buf + total, 4096);
		if (n < 0)
			test_setup_fail("write at %zd: %s", total, strerror(errno));
		total += n;
	}
	if (write(p[1], "x", 1) != -1 || errno != EAGAIN)
		test_setup_fail("the pipe is not full after %zd bytes", total);

	test_daemon();
	test_waitsig();

	if (test_break())
		if (read(p[0], buf, 1) != 1)
			test_msg("break: read: %s", strerror(errno));

	sz = fcntl(p[0], F_GETPIPE_SZ);
	if (sz != PIPE_SIZE)
		fail("pipe size %d, expected %d", sz, PIPE_SIZE);
	if (write(p[1], "x", 1) != -1 || errno != EAGAIN)
		fail("the pipe is no longer full");
	total = 0;
	memset(buf, 0, sizeof(buf));
	while ((n = read(p[0], buf + total, sizeof(buf) - total)) > 0)
		total += n;
	if (n < 0 && errno != EAGAIN)
		pfail("read");
	if (total != PIPE_SIZE)
		fail("read %zd bytes, expected %d", total, PIPE_SIZE);
	if (!datachk(buf, PIPE_SIZE, SEED))
		fail("the bytes differ");
	pass();
}
