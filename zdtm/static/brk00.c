// SPDX-License-Identifier: GPL-2.0
/* The heap grown with sbrk(): its contents and the current brk survive. */
#include <stdio.h>
#include <unistd.h>

#include "zdtmtst.h"

#define HEAP (37 * 4096 + 123)

int main(int argc, char **argv)
{
	char *start, *end, *cur, *more;

	test_init(argc, argv);
	start = sbrk(HEAP);
	if (start == (void *)-1)
		test_setup_fail("sbrk: %s", strerror(errno));
	end = sbrk(0);
	if (end != start + HEAP)
		test_setup_fail("sbrk(0) = %p, expected %p", end, start + HEAP);
	datagen(start, HEAP, 42);

	test_daemon();
	test_waitsig();

	if (test_break())
		sbrk(4096);

	cur = sbrk(0);
	if (cur != end)
		fail("brk is %p, expected %p", cur, end);
	if (!datachk(start, HEAP, 42))
		fail("heap contents differ");
	/* The heap still grows and shrinks. */
	more = sbrk(65536);
	if (more != end)
		fail("sbrk(64K) returned %p, expected %p", more, end);
	memset(more, 0x77, 65536);
	if (sbrk(-65536) == (void *)-1 || sbrk(0) != end)
		fail("shrinking the heap back failed");
	if (!datachk(start, HEAP, 42))
		fail("heap contents differ after growing");
	pass();
}
