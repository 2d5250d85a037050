// SPDX-License-Identifier: GPL-2.0
/* The parent-death signal (PR_SET_PDEATHSIG) survives. */
#include <signal.h>
#include <sys/prctl.h>

#include "zdtmtst.h"

#define SIG (SIGRTMIN + 5)

int main(int argc, char **argv)
{
	int sig = 0;

	test_init(argc, argv);
	/* Caught and ignored should the runner ever die. */
	signal(SIG, SIG_IGN);
	if (prctl(PR_SET_PDEATHSIG, SIG, 0, 0, 0))
		test_setup_fail("PR_SET_PDEATHSIG: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);

	if (prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0))
		pfail("PR_GET_PDEATHSIG");
	if (sig != SIG)
		fail("pdeath signal is %d, expected %d", sig, SIG);
	pass();
}
