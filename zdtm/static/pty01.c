// SPDX-License-Identifier: GPL-2.0
/*
 * A session leader with a controlling pty and a foreground group:
 *   T  session leader, /dev/pts/N is its controlling terminal (TIOCSCTTY),
 *      holds the master and the slave;
 *   `- C  its own process group, made the terminal's foreground group;
 *         holds /dev/tty.
 * After restore T checks the terminal's session and foreground group and
 * its own controlling terminal in /proc/self/stat; C checks through its
 * /dev/tty that the terminal is its controlling one with C in front.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "zdtmtst.h"

static int child(int go, pid_t leader)
{
	char c, link[64] = "";
	struct stat st;
	int tty = open("/dev/tty", O_RDWR), bad = 0;
	pid_t fg = -1;

	if (tty < 0)
		return 10;
	/* blocked here until T says the restore is over */
	if (read(go, &c, 1) != 1)
		return 11;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", tty);
	if (fstat(tty, &st) || st.st_rdev != makedev(5, 0))
		bad |= 1;
	if (ioctl(tty, TIOCGPGRP, &fg) || fg != getpid())
		bad |= 2;
	if (tcgetsid(tty) != leader)
		bad |= 4;
	if (getsid(0) != leader || getpgid(0) != getpid())
		bad |= 8;
	return bad;
}

int main(int argc, char **argv)
{
	int m, s, unlock = 0, go[2], status;
	pid_t c, fg;
	struct stat st;
	char ch = 0;

	test_init(argc, argv);

	m = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	if (m < 0 || ioctl(m, TIOCSPTLCK, &unlock))
		test_setup_fail("ptmx: %s", strerror(errno));
	s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (s < 0 || ioctl(s, TIOCSCTTY, 0) || fstat(s, &st))
		test_setup_fail("controlling terminal: %s", strerror(errno));
	if (pipe(go))
		test_setup_fail("pipe: %s", strerror(errno));
	c = fork();
	if (c < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (c == 0) {
		close(go[1]);
		setpgid(0, 0);
		_exit(child(go[0], getppid()));
	}
	close(go[0]);
	if (setpgid(c, c) && errno != EACCES)
		test_setup_fail("setpgid: %s", strerror(errno));
	if (tcsetpgrp(s, c))
		test_setup_fail("tcsetpgrp: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break()) {
		signal(SIGTTOU, SIG_IGN);
		if (tcsetpgrp(s, getpgrp()))
			test_msg("break: tcsetpgrp: %s", strerror(errno));
	}

	if (tcgetsid(s) != getpid())
		fail("terminal's session is %d, expected %d", tcgetsid(s), getpid());
	fg = tcgetpgrp(s);
	if (fg != c)
		fail("foreground group %d, expected %d", fg, c);
	if (stat_field(7) != (long long)st.st_rdev)
		fail("controlling terminal %lld in stat, expected %lld", stat_field(7),
		     (long long)st.st_rdev);
	if (write(go[1], &ch, 1) != 1)
		pfail("write");
	if (waitpid(c, &status, 0) != c)
		pfail("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("child: status 0x%x (bits: 1 /dev/tty, 2 foreground, 4 session, 8 ids)",
		     status);
	pass();
}
