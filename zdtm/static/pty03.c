// SPDX-License-Identifier: GPL-2.0
/*
 * A pty with more queued than one line discipline buffer holds: the slave
 * (raw, output processing off) writes, in chunks of 1 to 4096 bytes, as
 * much as the pty takes without blocking, beyond the master's 4 KiB read
 * buffer into the kernel's flip buffers; the master sends 3000 bytes to
 * the slave, which does not read.
 * After restore the master reads every byte the slave wrote, in order, and
 * the slave reads the 3000 bytes.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "zdtmtst.h"

#define OUT_MAX (256 * 1024)
#define IN_LEN 3000

/* Read until @len bytes came or nothing more arrives for a second. */
static size_t get(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&pfd, 1, 1000) != 1)
			break;
		n = read(fd, buf + got, len - got);
		if (n <= 0)
			break;
		got += n;
	}
	return got;
}

int main(int argc, char **argv)
{
	static uint8_t out[OUT_MAX], in[IN_LEN], buf[OUT_MAX + 1];
	struct termios t;
	size_t out_len = 0, n;
	int m, s, unlock = 0;

	test_init(argc, argv);

	m = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	if (m < 0 || ioctl(m, TIOCSPTLCK, &unlock))
		test_setup_fail("ptmx: %s", strerror(errno));
	s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (s < 0 || tcgetattr(s, &t))
		test_setup_fail("slave: %s", strerror(errno));
	cfmakeraw(&t);
	if (tcsetattr(s, TCSANOW, &t))
		test_setup_fail("tcsetattr: %s", strerror(errno));
	datagen(out, sizeof(out), 7);
	datagen(in, sizeof(in), 8);
	/* writes of every size: the pty's buffers fill in different patterns */
	for (int k = 0; out_len < sizeof(out); k++) {
		static const size_t sizes[] = { 1, 7, 512, 4096, 100 };
		size_t chunk = sizes[k % 5];
		ssize_t w = write(s, out + out_len, chunk);

		if (w <= 0)
			break;
		out_len += w;
	}
	if (out_len <= 4096)
		test_setup_fail("the pty took only %zu bytes", out_len);
	if (write(m, in, IN_LEN) != IN_LEN)
		test_setup_fail("write to the master: %s", strerror(errno));
	test_msg("%zu bytes queued for the master, %d for the slave\n", out_len, IN_LEN);

	test_daemon();
	test_waitsig();

	if (test_break() && read(m, buf, 1) != 1)
		test_msg("break: read: %s", strerror(errno));

	n = get(m, buf, out_len + 1);
	if (n != out_len || memcmp(buf, out, out_len))
		fail("the master read %zu bytes (%s), expected the %zu written", n,
		     memcmp(buf, out, n < out_len ? n : out_len) ? "different" : "same so far",
		     out_len);
	n = get(s, buf, IN_LEN + 1);
	if (n != IN_LEN || memcmp(buf, in, IN_LEN))
		fail("the slave read %zu bytes, expected the %d sent", n, IN_LEN);
	pass();
}
