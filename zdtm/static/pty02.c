// SPDX-License-Identifier: GPL-2.0
/*
 * Ptys whose slave side is not open in the tree:
 *   H: a pty opened and closed first, so the others sit above a free index;
 *   P: the slave never opened by the test; the master sent "abc\n" to it;
 *   Q: the slave wrote "bye" and was closed; the master is non-blocking.
 * After restore P and Q keep their indexes; a slave opened on P reads
 * "abc\n"; Q's master reads "bye" and then, the slave being closed, EIO.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "zdtmtst.h"

static int new_master(int *index, int flags)
{
	int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | flags), unlock = 0;

	if (m < 0 || ioctl(m, TIOCSPTLCK, &unlock) || ioctl(m, TIOCGPTN, index))
		test_setup_fail("ptmx: %s", strerror(errno));
	return m;
}

int main(int argc, char **argv)
{
	int h, p, q, s, hi, pi, qi, v;
	struct pollfd pfd;
	char buf[16];
	ssize_t n;

	test_init(argc, argv);

	h = new_master(&hi, 0);
	p = new_master(&pi, 0);
	q = new_master(&qi, O_NONBLOCK);
	close(h);
	if (write(p, "abc\n", 4) != 4)
		test_setup_fail("write P: %s", strerror(errno));
	s = ioctl(q, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (s < 0 || write(s, "bye", 3) != 3)
		test_setup_fail("Q slave: %s", strerror(errno));
	close(s);

	test_daemon();
	test_waitsig();

	if (test_break()) {
		s = ioctl(p, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK);
		if (s < 0 || read(s, buf, 2) != 2)
			test_msg("break: read P: %s", strerror(errno));
	}

	if (ioctl(p, TIOCGPTN, &v) || v != pi)
		fail("P: index %d, expected %d", v, pi);
	if (ioctl(q, TIOCGPTN, &v) || v != qi)
		fail("Q: index %d, expected %d", v, qi);
	if (!(fcntl(q, F_GETFL) & O_NONBLOCK))
		fail("Q: master lost O_NONBLOCK");

	s = ioctl(p, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (s < 0)
		pfail("P: open the slave");
	pfd = (struct pollfd){ s, POLLIN, 0 };
	poll(&pfd, 1, 1000);
	n = read(s, buf, sizeof(buf));
	if (n != 4 || memcmp(buf, "abc\n", 4))
		fail("P: the slave read %zd bytes, expected \"abc\\n\"", n);

	n = read(q, buf, sizeof(buf));
	if (n != 3 || memcmp(buf, "bye", 3))
		fail("Q: the master read %zd bytes (%s), expected \"bye\"", n,
		     n < 0 ? strerror(errno) : "");
	n = read(q, buf, sizeof(buf));
	if (n != -1 || errno != EIO)
		fail("Q: the master read %zd (%s) after the data, expected EIO", n,
		     n < 0 ? strerror(errno) : "");
	pass();
}
