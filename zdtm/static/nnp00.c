// SPDX-License-Identifier: GPL-2.0
/*
 * PR_SET_NO_NEW_PRIVS survives. It cannot be unset, so this test does not
 * honour ZDTM_BREAK.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	char buf[32];
	int v;

	test_init(argc, argv);
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0)
		test_setup_fail("no_new_privs already set");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		test_setup_fail("PR_SET_NO_NEW_PRIVS: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	v = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	if (v != 1)
		fail("no_new_privs is %d", v);
	if (!proc_field("/proc/self/status", "NoNewPrivs", buf, sizeof(buf)))
		fail("no NoNewPrivs in /proc/self/status");
	if (strcmp(buf, "1"))
		fail("/proc/self/status NoNewPrivs: %s", buf);
	pass();
}
