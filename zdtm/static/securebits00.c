// SPDX-License-Identifier: GPL-2.0
/* Securebits (PR_SET_SECUREBITS), some of them locked, survive. */
#include <linux/securebits.h>
#include <stdio.h>
#include <sys/prctl.h>

#include "zdtmtst.h"

#define BITS (SECBIT_KEEP_CAPS | SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED | \
	      SECBIT_NOROOT | SECBIT_NO_CAP_AMBIENT_RAISE)

int main(int argc, char **argv)
{
	int v;

	test_init(argc, argv);
	if (prctl(PR_SET_SECUREBITS, BITS, 0, 0, 0))
		test_setup_fail("PR_SET_SECUREBITS: %s", strerror(errno));
	v = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	if (v != BITS)
		test_setup_fail("securebits %#x after setting %#x", v, BITS);

	test_daemon();
	test_waitsig();

	if (test_break())
		prctl(PR_SET_SECUREBITS, BITS & ~SECBIT_KEEP_CAPS, 0, 0, 0);

	v = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	if (v < 0)
		pfail("PR_GET_SECUREBITS");
	if (v != BITS)
		fail("securebits %#x, expected %#x", v, BITS);
	if (prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) != 1)
		fail("PR_GET_KEEPCAPS is not 1");
	pass();
}
