// SPDX-License-Identifier: GPL-2.0
/*
 * A FIFO in the work dir opened once for reading (O_NONBLOCK) and once for
 * writing, with data queued in it. After restore both fds are the FIFO at
 * its path, flags are kept, the data reads back exactly, then EAGAIN, and
 * the FIFO still carries new data.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define LEN 12345
#define SEED 0xf1f0

static unsigned char buf[1 << 16];

static int is_fifo(int fd, const struct stat *path_st)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISFIFO(st.st_mode) && st.st_dev == path_st->st_dev &&
	       st.st_ino == path_st->st_ino;
}

int main(int argc, char **argv)
{
	int rfd, wfd, rfl, wfl;
	struct stat st;
	ssize_t n, total = 0;

	test_init(argc, argv);

	if (mkfifo("fifo00.fifo", 0640))
		test_setup_fail("mkfifo: %s", strerror(errno));
	rfd = open("fifo00.fifo", O_RDONLY | O_NONBLOCK);
	if (rfd < 0)
		test_setup_fail("open for reading: %s", strerror(errno));
	wfd = open("fifo00.fifo", O_WRONLY);
	if (wfd < 0)
		test_setup_fail("open for writing: %s", strerror(errno));
	datagen(buf, LEN, SEED);
	if (write(wfd, buf, LEN) != LEN)
		test_setup_fail("write: %s", strerror(errno));
	rfl = fcntl(rfd, F_GETFL);
	wfl = fcntl(wfd, F_GETFL);

	test_daemon();
	test_waitsig();

	if (test_break())
		if (write(wfd, "x", 1) != 1)
			test_msg("break: write: %s", strerror(errno));

	if (stat("fifo00.fifo", &st))
		pfail("stat fifo00.fifo");
	if (!S_ISFIFO(st.st_mode) || (st.st_mode & 07777) != 0640)
		fail("fifo00.fifo: mode 0%o", st.st_mode);
	if (!is_fifo(rfd, &st) || !is_fifo(wfd, &st))
		fail("the fds are not the FIFO at its path");
	if (fcntl(rfd, F_GETFL) != rfl || fcntl(wfd, F_GETFL) != wfl)
		fail("flags changed: 0%o 0%o, expected 0%o 0%o", fcntl(rfd, F_GETFL),
		     fcntl(wfd, F_GETFL), rfl, wfl);
	while ((n = read(rfd, buf + total, sizeof(buf) - total)) > 0)
		total += n;
	if (n == 0 || errno != EAGAIN)
		fail("after the data: %s", n == 0 ? "EOF" : strerror(errno));
	if (total != LEN || !datachk(buf, LEN, SEED))
		fail("read %zd bytes, expected %d of the pattern", total, LEN);
	if (write(wfd, "new", 3) != 3 || read(rfd, buf, 16) != 3 || memcmp(buf, "new", 3))
		fail("the FIFO does not carry new data");
	pass();
}
