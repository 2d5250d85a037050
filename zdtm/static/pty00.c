// SPDX-License-Identifier: GPL-2.0
/*
 * Two pty pairs with their modes and queued bytes:
 *   A: canonical, no echo, odd control characters, 9600 baud, 33x111;
 *      "hello\nwor" sent by the master (one line and a line being typed),
 *      "out1\nout2" written by the slave (ONLCR makes it "out1\r\nout2");
 *   B: raw, packet mode on, exclusive, locked after its slave was opened,
 *      "xyz" written by the slave.
 * After restore: the same pts indexes, termios, window size, modes, the
 * slave of A reads "hello\n" then, once the master finishes the line,
 * "world\n"; the masters read exactly what was queued.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "zdtmtst.h"

struct pair {
	int m, s, index;
	struct termios tio;
	struct winsize ws;
};

static void open_pair(struct pair *p)
{
	int unlock = 0;

	p->m = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	if (p->m < 0 || ioctl(p->m, TIOCSPTLCK, &unlock) || ioctl(p->m, TIOCGPTN, &p->index))
		test_setup_fail("ptmx: %s", strerror(errno));
	p->s = ioctl(p->m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (p->s < 0)
		test_setup_fail("TIOCGPTPEER: %s", strerror(errno));
}

static void set_modes(struct pair *p, bool raw, unsigned short rows, unsigned short cols)
{
	if (tcgetattr(p->s, &p->tio))
		test_setup_fail("tcgetattr: %s", strerror(errno));
	if (raw) {
		cfmakeraw(&p->tio);
	} else {
		p->tio.c_lflag &= ~(ECHO | ECHOE);
		p->tio.c_cc[VINTR] = 'X' - '@';
		p->tio.c_cc[VERASE] = 'H' - '@';
		cfsetispeed(&p->tio, B9600);
		cfsetospeed(&p->tio, B9600);
	}
	p->ws = (struct winsize){ rows, cols, 640, 480 };
	if (tcsetattr(p->s, TCSANOW, &p->tio) || ioctl(p->s, TIOCSWINSZ, &p->ws))
		test_setup_fail("tcsetattr: %s", strerror(errno));
	/* what the kernel kept, to compare with later */
	tcgetattr(p->s, &p->tio);
}

static void put(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		test_setup_fail("write: %s", strerror(errno));
}

/* Read what is ready on @fd within a short while. */
static ssize_t get(int fd, char *buf, size_t len)
{
	struct pollfd pfd = { fd, POLLIN, 0 };

	if (poll(&pfd, 1, 1000) != 1)
		return 0;
	return read(fd, buf, len);
}

static void check_modes(const char *who, struct pair *p)
{
	struct termios t;
	struct winsize w;
	int n = -1;

	if (ioctl(p->m, TIOCGPTN, &n) || n != p->index)
		fail("%s: pts index %d, expected %d", who, n, p->index);
	if (tcgetattr(p->s, &t))
		pfail("%s: tcgetattr", who);
	if (t.c_iflag != p->tio.c_iflag || t.c_oflag != p->tio.c_oflag ||
	    t.c_cflag != p->tio.c_cflag || t.c_lflag != p->tio.c_lflag ||
	    memcmp(t.c_cc, p->tio.c_cc, NCCS) || cfgetospeed(&t) != cfgetospeed(&p->tio))
		fail("%s: termios changed (lflag %o -> %o, cflag %o -> %o)", who, p->tio.c_lflag,
		     t.c_lflag, p->tio.c_cflag, t.c_cflag);
	if (ioctl(p->s, TIOCGWINSZ, &w) || memcmp(&w, &p->ws, sizeof(w)))
		fail("%s: window size %dx%d, expected %dx%d", who, w.ws_row, w.ws_col,
		     p->ws.ws_row, p->ws.ws_col);
}

static void expect(const char *who, int fd, const char *want, size_t len)
{
	char buf[64];
	ssize_t n = get(fd, buf, sizeof(buf));

	if (n != (ssize_t)len || memcmp(buf, want, len))
		fail("%s: read %zd bytes \"%.*s\", expected \"%.*s\"", who, n, n > 0 ? (int)n : 0,
		     buf, (int)len, want);
}

int main(int argc, char **argv)
{
	struct pair a, b;
	int on = 1, v;
	char path[32];
	struct stat st;

	test_init(argc, argv);

	open_pair(&a);
	open_pair(&b);
	set_modes(&a, false, 33, 111);
	set_modes(&b, true, 50, 200);
	put(a.m, "hello\nwor");
	put(a.s, "out1\nout2");
	if (ioctl(b.m, TIOCPKT, &on) || ioctl(b.s, TIOCEXCL) || ioctl(b.m, TIOCSPTLCK, &on))
		test_setup_fail("B modes: %s", strerror(errno));
	put(b.s, "xyz");
	snprintf(path, sizeof(path), "/dev/pts/%d", b.index);
	if (stat(path, &st))
		test_setup_fail("stat %s: %s", path, strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break()) {
		char c;

		if (read(a.m, &c, 1) != 1)
			test_msg("break: read: %s", strerror(errno));
	}

	check_modes("A", &a);
	check_modes("B", &b);
	if (ioctl(b.m, TIOCGPKT, &v) || v != 1)
		fail("B: packet mode lost");
	if (ioctl(b.s, TIOCGEXCL, &v) || v != 1)
		fail("B: exclusive mode lost");
	if (ioctl(b.m, TIOCGPTLCK, &v) || v != 1)
		fail("B: lock lost");
	{
		struct stat now;

		if (stat(path, &now) || now.st_uid != st.st_uid || now.st_mode != st.st_mode)
			fail("B: %s owner/mode changed", path);
	}

	expect("A slave", a.s, "hello\n", 6);
	if (write(a.m, "ld\n", 3) != 3)
		pfail("A: write");
	expect("A slave", a.s, "world\n", 6);
	expect("A master", a.m, "out1\r\nout2", 10);
	expect("B master", b.m, "\0xyz", 4);
	pass();
}
