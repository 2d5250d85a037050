// SPDX-License-Identifier: GPL-2.0
/*
 * A real program as a child: bash running a loop that appends an
 * increasing counter to a file, pausing between steps in a timed-out read
 * from a FIFO nobody writes to (a builtin, so that the process tree stays
 * the same from one moment to the next, as a static test's must). After
 * restore the same bash (same pid, same program) is still our child and
 * the file holds the gapless sequence 1..N, still growing: the loop went
 * on from where it was instead of starting again at 1.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define PROG "/bin/bash"
#define OUT "prog_bash.out"
#define FIFO "prog_bash.fifo"

static char *const prog_argv[] = {
	"bash", "-c",
	"exec 3<>" FIFO "; i=0; "
	"while :; do i=$((i+1)); echo $i >> " OUT "; read -t 0.05 -u 3 x; done",
	NULL
};

static char *const prog_env[] = { "PATH=/usr/bin:/bin", "LC_ALL=C", NULL };

int main(int argc, char **argv)
{
	test_init(argc, argv);
	if (mkfifo(FIFO, 0600))
		test_setup_fail("mkfifo: %s", strerror(errno));
	counting_program_test(PROG, prog_argv, prog_env, OUT);
}
