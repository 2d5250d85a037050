// SPDX-License-Identifier: GPL-2.0
/*
 * A job of an interactive shell (runner/shell_job.py holds the session and
 * the pty master, outside the tree; dumped and restored with -j). The job
 * leads its own group in the terminal's foreground, has the terminal on
 * stdin in non-canonical mode without echo (VMIN 2) and /dev/tty open.
 * After restore, under another terminal: stdin is a terminal with the same
 * modes, it is the controlling terminal of the job's session (which is not
 * the job's own), the job's group is in front, and /dev/tty names it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	struct termios t, now;
	struct stat st, tst;
	pid_t fg = -1;
	int tty;

	test_init(argc, argv);

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &t))
		test_setup_fail("stdin is not a terminal: %s", strerror(errno));
	t.c_lflag &= ~(ECHO | ICANON);
	t.c_cc[VMIN] = 2;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) || tcgetattr(STDIN_FILENO, &t))
		test_setup_fail("tcsetattr: %s", strerror(errno));
	tty = open("/dev/tty", O_RDWR);
	if (tty < 0)
		test_setup_fail("open /dev/tty: %s", strerror(errno));
	if (getsid(0) == getpid())
		test_setup_fail("the job leads its own session");

	test_daemon();
	test_waitsig();

	if (test_break()) {
		now = t;
		now.c_lflag |= ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &now);
	}

	if (tcgetattr(STDIN_FILENO, &now))
		pfail("stdin: tcgetattr");
	if (now.c_lflag != t.c_lflag || now.c_iflag != t.c_iflag || now.c_cc[VMIN] != 2)
		fail("terminal modes: lflag %o, expected %o; VMIN %d", now.c_lflag, t.c_lflag,
		     now.c_cc[VMIN]);
	if (getsid(0) == getpid())
		fail("the job leads its own session");
	if (tcgetsid(STDIN_FILENO) != getsid(0))
		fail("the terminal belongs to session %d, the job is in %d",
		     tcgetsid(STDIN_FILENO), getsid(0));
	if (tcgetpgrp(STDIN_FILENO) != getpgrp())
		fail("foreground group %d, the job's is %d", tcgetpgrp(STDIN_FILENO), getpgrp());
	if (fstat(STDIN_FILENO, &st) || stat_field(7) != (long long)st.st_rdev)
		fail("controlling terminal %lld in stat is not stdin's %lld", stat_field(7),
		     (long long)st.st_rdev);
	if (fstat(tty, &tst) || tst.st_rdev != makedev(5, 0))
		fail("/dev/tty fd is not /dev/tty");
	if (ioctl(tty, TIOCGPGRP, &fg) || fg != getpgrp())
		fail("/dev/tty: foreground group %d, expected %d", fg, getpgrp());
	pass();
}
