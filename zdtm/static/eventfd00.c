// SPDX-License-Identifier: GPL-2.0
/*
 * Two eventfds with their counters:
 *   A: counter above 2^32, O_NONBLOCK;
 *   B: EFD_SEMAPHORE, counter 3, blocking.
 * After restore the flags are the same, A reads its whole counter once and
 * then EAGAIN, B reads 1 three times and then EAGAIN; fdinfo shows the
 * semaphore mode of each.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "zdtmtst.h"

#define A_COUNT 0x123456789ULL
#define B_COUNT 3

/* The value of "KEY" in /proc/self/fdinfo/FD, or -1 if it is not there. */
static long long fdinfo_num(int fd, const char *key, int base)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (!proc_field(path, key, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, base);
}

int main(int argc, char **argv)
{
	uint64_t v = A_COUNT;
	int a, b, fla, flb, i;

	test_init(argc, argv);

	a = eventfd(0, EFD_NONBLOCK);
	b = eventfd(B_COUNT, EFD_SEMAPHORE);
	if (a < 0 || b < 0)
		test_setup_fail("eventfd: %s", strerror(errno));
	if (write(a, &v, sizeof(v)) != sizeof(v))
		test_setup_fail("write: %s", strerror(errno));
	fla = fcntl(a, F_GETFL);
	flb = fcntl(b, F_GETFL);
	if (fdinfo_num(a, "eventfd-count", 16) != (long long)A_COUNT ||
	    fdinfo_num(b, "eventfd-count", 16) != B_COUNT)
		test_setup_fail("fdinfo does not show the counters");

	test_daemon();
	test_waitsig();

	if (test_break()) {
		v = 1;
		if (write(a, &v, sizeof(v)) != sizeof(v))
			test_msg("break: write: %s", strerror(errno));
	}

	if (fcntl(a, F_GETFL) != fla)
		fail("A: F_GETFL 0%o, expected 0%o", fcntl(a, F_GETFL), fla);
	if (fcntl(b, F_GETFL) != flb)
		fail("B: F_GETFL 0%o, expected 0%o", fcntl(b, F_GETFL), flb);
	/* kernels that show the mode must show the right one */
	if (fdinfo_num(a, "eventfd-semaphore", 10) == 1)
		fail("A: fdinfo says semaphore");
	if (fdinfo_num(b, "eventfd-semaphore", 10) == 0)
		fail("B: fdinfo says not a semaphore");

	v = 0;
	if (read(a, &v, sizeof(v)) != sizeof(v))
		pfail("A: read");
	if (v != A_COUNT)
		fail("A: read %#llx, expected %#llx", (unsigned long long)v, A_COUNT);
	if (read(a, &v, sizeof(v)) != -1 || errno != EAGAIN)
		fail("A: a second read did not fail with EAGAIN");

	if (fcntl(b, F_SETFL, flb | O_NONBLOCK))
		pfail("B: F_SETFL");
	for (i = 0; i < B_COUNT; i++) {
		v = 0;
		if (read(b, &v, sizeof(v)) != sizeof(v))
			pfail("B: read %d", i);
		if (v != 1)
			fail("B: read %d gave %llu, expected 1", i, (unsigned long long)v);
	}
	if (read(b, &v, sizeof(v)) != -1 || errno != EAGAIN)
		fail("B: read %d did not fail with EAGAIN", B_COUNT);
	pass();
}
