// SPDX-License-Identifier: GPL-2.0
/*
 * A FIFO opened O_RDWR through a single fd (no other opener), with data
 * queued, plus a second O_RDWR|O_NONBLOCK fd on another FIFO that is empty.
 * After restore flags are kept, the data reads back exactly through the
 * same fd, and the empty FIFO is still empty (EAGAIN).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define LEN 7777
#define SEED 0xf1f1

static unsigned char buf[1 << 16];

int main(int argc, char **argv)
{
	int fd, efd, fl, efl;
	struct stat st, pst;
	ssize_t n, total = 0;

	test_init(argc, argv);

	if (mkfifo("fifo01.fifo", 0600) || mkfifo("fifo01.empty", 0600))
		test_setup_fail("mkfifo: %s", strerror(errno));
	fd = open("fifo01.fifo", O_RDWR);
	efd = open("fifo01.empty", O_RDWR | O_NONBLOCK);
	if (fd < 0 || efd < 0)
		test_setup_fail("open: %s", strerror(errno));
	datagen(buf, LEN, SEED);
	if (write(fd, buf, LEN) != LEN)
		test_setup_fail("write: %s", strerror(errno));
	fl = fcntl(fd, F_GETFL);
	efl = fcntl(efd, F_GETFL);

	test_daemon();
	test_waitsig();

	if (test_break())
		if (read(fd, buf, 1) != 1)
			test_msg("break: read: %s", strerror(errno));

	if (fcntl(fd, F_GETFL) != fl || fcntl(efd, F_GETFL) != efl)
		fail("flags changed: 0%o 0%o, expected 0%o 0%o", fcntl(fd, F_GETFL),
		     fcntl(efd, F_GETFL), fl, efl);
	if ((fl & O_ACCMODE) != O_RDWR)
		fail("not O_RDWR");
	if (fstat(fd, &st) || stat("fifo01.fifo", &pst) || !S_ISFIFO(st.st_mode) ||
	    st.st_ino != pst.st_ino || st.st_dev != pst.st_dev)
		fail("the fd is not the FIFO at its path");
	if (read(efd, buf, 1) != -1 || errno != EAGAIN)
		fail("the empty FIFO is not empty");
	if (fcntl(fd, F_SETFL, fl | O_NONBLOCK))
		pfail("F_SETFL");
	while ((n = read(fd, buf + total, sizeof(buf) - total)) > 0)
		total += n;
	if (n == 0 || errno != EAGAIN)
		fail("after the data: %s", n == 0 ? "EOF" : strerror(errno));
	if (total != LEN || !datachk(buf, LEN, SEED))
		fail("read %zd bytes, expected %d of the pattern", total, LEN);
	pass();
}
