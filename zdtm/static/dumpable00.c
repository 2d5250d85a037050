// SPDX-License-Identifier: GPL-2.0
/* PR_GET_DUMPABLE stays 1 (SUID_DUMP_USER) for a test that switched uid. */
#include <sys/prctl.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	int d;

	test_init(argc, argv);
	d = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	if (d != 1)
		test_setup_fail("dumpable is %d before the dump", d);

	test_daemon();
	test_waitsig();

	if (test_break())
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

	d = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	if (d != 1)
		fail("dumpable is %d, expected 1", d);
	/* A non-dumpable task's /proc files belong to root. */
	if (access("/proc/self/environ", R_OK))
		pfail("/proc/self/environ not readable");
	pass();
}
