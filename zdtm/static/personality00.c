// SPDX-License-Identifier: GPL-2.0
/* The execution domain flags (personality(2)) survive. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/personality.h>
#include <sys/utsname.h>

#include "zdtmtst.h"

#define PERS (PER_LINUX | ADDR_NO_RANDOMIZE | UNAME26 | ADDR_LIMIT_3GB | SHORT_INODE)

int main(int argc, char **argv)
{
	struct utsname u;
	char buf[64];
	int p;

	test_init(argc, argv);
	if (personality(PERS) < 0)
		test_setup_fail("personality: %s", strerror(errno));
	if (personality(0xffffffff) != PERS)
		test_setup_fail("personality not set");

	test_daemon();
	test_waitsig();

	if (test_break())
		personality(PER_LINUX);

	p = personality(0xffffffff);
	if (p != PERS)
		fail("personality 0x%x, expected 0x%x", p, PERS);
	if (proc_field("/proc/self/status", "Personality", buf, sizeof(buf)) &&
	    strtoul(buf, NULL, 16) != PERS)
		fail("/proc/self/status Personality %s", buf);
	/* UNAME26 makes the kernel report a 2.6.x release. */
	if (uname(&u))
		pfail("uname");
	if (strncmp(u.release, "2.6.", 4))
		fail("uname release '%s' despite UNAME26", u.release);
	pass();
}
