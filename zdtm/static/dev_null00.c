// SPDX-License-Identifier: GPL-2.0
/*
 * Fds on character devices: /dev/null, /dev/zero, /dev/full, /dev/urandom,
 * with different access modes. After restore each fd is the same device
 * (st_rdev), has the same F_GETFL, and behaves like it: null reads EOF and
 * swallows writes, zero reads zeroes, full refuses writes with ENOSPC,
 * urandom gives bytes.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "zdtmtst.h"

enum kind { K_NULL, K_ZERO, K_FULL, K_URANDOM };

struct dfd {
	const char *path;
	int flags;
	enum kind kind;
	int fd;
	int getfl;
	dev_t rdev;
};

static struct dfd fds[] = {
	{ "/dev/null", O_RDWR, K_NULL, -1, 0, 0 },
	{ "/dev/null", O_WRONLY | O_APPEND, K_NULL, -1, 0, 0 },
	{ "/dev/zero", O_RDONLY, K_ZERO, -1, 0, 0 },
	{ "/dev/zero", O_RDWR | O_NONBLOCK, K_ZERO, -1, 0, 0 },
	{ "/dev/full", O_WRONLY, K_FULL, -1, 0, 0 },
	{ "/dev/urandom", O_RDONLY, K_URANDOM, -1, 0, 0 },
};

#define NR_FDS ((int)(sizeof(fds) / sizeof(fds[0])))

static int check(struct dfd *f)
{
	unsigned char buf[64];
	struct stat st;
	int acc = f->flags & O_ACCMODE, i;
	ssize_t n;

	if (fstat(f->fd, &st) || !S_ISCHR(st.st_mode) || st.st_rdev != f->rdev) {
		test_msg("fd %d (%s): not the device any more", f->fd, f->path);
		return 1;
	}
	if (fcntl(f->fd, F_GETFL) != f->getfl) {
		test_msg("fd %d (%s): F_GETFL 0%o, expected 0%o", f->fd, f->path,
			 fcntl(f->fd, F_GETFL), f->getfl);
		return 1;
	}
	if (acc != O_WRONLY) {
		memset(buf, 0xa5, sizeof(buf));
		n = read(f->fd, buf, sizeof(buf));
		switch (f->kind) {
		case K_NULL:
			if (n != 0) {
				test_msg("fd %d: read %zd from /dev/null", f->fd, n);
				return 1;
			}
			break;
		case K_ZERO:
			if (n != sizeof(buf)) {
				test_msg("fd %d: read %zd from /dev/zero", f->fd, n);
				return 1;
			}
			for (i = 0; i < (int)sizeof(buf); i++)
				if (buf[i]) {
					test_msg("fd %d: nonzero byte from /dev/zero", f->fd);
					return 1;
				}
			break;
		case K_URANDOM:
			if (n != sizeof(buf)) {
				test_msg("fd %d: read %zd from /dev/urandom", f->fd, n);
				return 1;
			}
			break;
		default:
			break;
		}
	}
	if (acc != O_RDONLY) {
		n = write(f->fd, buf, 10);
		if (f->kind == K_FULL) {
			if (n >= 0 || errno != ENOSPC) {
				test_msg("fd %d: write to /dev/full gave %zd", f->fd, n);
				return 1;
			}
		} else if (n != 10) {
			test_msg("fd %d (%s): write gave %zd", f->fd, f->path, n);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i, bad = 0;

	test_init(argc, argv);

	for (i = 0; i < NR_FDS; i++) {
		struct dfd *f = &fds[i];
		struct stat st;

		f->fd = open(f->path, f->flags);
		if (f->fd < 0)
			test_setup_fail("open %s: %s", f->path, strerror(errno));
		if (fstat(f->fd, &st))
			test_setup_fail("fstat: %s", strerror(errno));
		f->rdev = st.st_rdev;
		f->getfl = fcntl(f->fd, F_GETFL);
		if (check(f))
			test_setup_fail("%s does not behave", f->path);
	}

	test_daemon();
	test_waitsig();

	if (test_break())
		dup2(fds[2].fd, fds[0].fd);

	for (i = 0; i < NR_FDS; i++)
		bad |= check(&fds[i]);
	if (bad)
		fail("device fds changed (see messages above)");
	pass();
}
