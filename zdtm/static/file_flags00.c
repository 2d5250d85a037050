// SPDX-License-Identifier: GPL-2.0
/*
 * Regular files opened with various status flags. After restore fcntl
 * F_GETFL returns exactly what it returned before, each fd still refers to
 * its file, and the access mode is real: reading and writing are allowed
 * or refused as the mode says.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

struct ffd {
	const char *name;
	int flags;
	bool optional;	/* skipped if the file system refuses it */
	int fd;
	int getfl;
	struct stat st;
};

static struct ffd fds[] = {
	{ "rdonly", O_RDONLY, false, -1, 0, {} },
	{ "wronly", O_WRONLY, false, -1, 0, {} },
	{ "rdwr", O_RDWR, false, -1, 0, {} },
	{ "append", O_WRONLY | O_APPEND, false, -1, 0, {} },
	{ "rdwr-append", O_RDWR | O_APPEND, false, -1, 0, {} },
	{ "nonblock", O_RDONLY | O_NONBLOCK, false, -1, 0, {} },
	{ "rdwr-nonblock-append", O_RDWR | O_NONBLOCK | O_APPEND, false, -1, 0, {} },
	{ "sync", O_WRONLY | O_SYNC, false, -1, 0, {} },
	{ "dsync", O_RDWR | O_DSYNC, false, -1, 0, {} },
	{ "noatime", O_RDONLY | O_NOATIME, true, -1, 0, {} },
	{ "direct", O_RDWR | O_DIRECT, true, -1, 0, {} },
};

#define NR_FDS ((int)(sizeof(fds) / sizeof(fds[0])))

static const char content[] = "file_flags00 content\n";

static int check_access(struct ffd *f)
{
	int acc = f->flags & O_ACCMODE;
	char c;
	ssize_t r, w;

	r = read(f->fd, &c, 0);
	w = write(f->fd, &c, 0);
	if ((acc == O_WRONLY) != (r < 0 && errno != EINVAL)) {
		if (acc == O_WRONLY)
			test_msg("%s: read allowed on a write-only fd", f->name);
		else
			test_msg("%s: read refused: %s", f->name, strerror(errno));
		return 1;
	}
	if ((acc == O_RDONLY) != (w < 0)) {
		if (acc == O_RDONLY)
			test_msg("%s: write allowed on a read-only fd", f->name);
		else
			test_msg("%s: write refused: %s", f->name, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i, fd, bad = 0;

	test_init(argc, argv);

	fd = open("file_flags00.data", O_CREAT | O_WRONLY | O_EXCL, 0600);
	if (fd < 0 || write(fd, content, sizeof(content)) != sizeof(content))
		test_setup_fail("create file: %s", strerror(errno));
	close(fd);

	for (i = 0; i < NR_FDS; i++) {
		struct ffd *f = &fds[i];

		f->fd = open("file_flags00.data", f->flags);
		if (f->fd < 0) {
			if (f->optional && (errno == EINVAL || errno == EPERM)) {
				test_msg("%s: not supported here (%s), skipped", f->name,
					 strerror(errno));
				continue;
			}
			test_setup_fail("open %s: %s", f->name, strerror(errno));
		}
		f->getfl = fcntl(f->fd, F_GETFL);
		if (f->getfl < 0 || fstat(f->fd, &f->st))
			test_setup_fail("fcntl/fstat %s: %s", f->name, strerror(errno));
		if ((f->getfl & f->flags) != f->flags)
			test_setup_fail("%s: F_GETFL 0%o lacks 0%o", f->name, f->getfl, f->flags);
		if (check_access(f))
			test_setup_fail("%s: access mode not as opened", f->name);
	}

	test_daemon();
	test_waitsig();

	if (test_break())
		fcntl(fds[5].fd, F_SETFL, fds[5].getfl & ~O_NONBLOCK);

	for (i = 0; i < NR_FDS; i++) {
		struct ffd *f = &fds[i];
		struct stat st;
		int fl;

		if (f->fd < 0)
			continue;
		fl = fcntl(f->fd, F_GETFL);
		if (fl < 0) {
			test_msg("%s: fd %d: F_GETFL: %s", f->name, f->fd, strerror(errno));
			bad = 1;
			continue;
		}
		if (fl != f->getfl) {
			test_msg("%s: fd %d: F_GETFL 0%o, expected 0%o", f->name, f->fd, fl,
				 f->getfl);
			bad = 1;
		}
		if (fstat(f->fd, &st) || st.st_dev != f->st.st_dev ||
		    st.st_ino != f->st.st_ino) {
			test_msg("%s: fd %d no longer refers to the file", f->name, f->fd);
			bad = 1;
		}
		bad |= check_access(f);
	}
	if (bad)
		fail("file flags changed (see messages above)");
	pass();
}
