// SPDX-License-Identifier: GPL-2.0
/*
 * A real program as a child: python3 running a loop that appends an
 * increasing counter to a file, sleeping between steps. After restore the
 * same interpreter (same pid, same program) is still our child and
 * the file holds the gapless sequence 1..N, still growing: the loop went
 * on from where it was instead of starting again at 1.
 */
#include <unistd.h>

#include "zdtmtst.h"

#define PROG "/usr/bin/python3"
#define OUT "prog_python.out"

static char *const prog_argv[] = {
	"python3", "-c",
	"import time\n"
	"i = 0\n"
	"while True:\n"
	"    i += 1\n"
	"    with open('" OUT "', 'a') as f:\n"
	"        f.write('%d\\n' % i)\n"
	"    time.sleep(0.05)\n",
	NULL
};

static char *const prog_env[] = { "PATH=/usr/bin:/bin", "LC_ALL=C", NULL };

int main(int argc, char **argv)
{
	test_init(argc, argv);
	counting_program_test(PROG, prog_argv, prog_env, OUT);
}
