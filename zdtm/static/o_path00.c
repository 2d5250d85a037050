// SPDX-License-Identifier: GPL-2.0
/*
 * O_PATH descriptors of every kind of file: a regular file, a directory, a
 * symlink itself (O_NOFOLLOW), a FIFO and a device. After restore each is
 * still O_PATH, names the same path and inode, and works as one: a file
 * opens relative to the directory, the symlink reads through readlinkat.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

struct held {
	const char *what;
	int fd;
	struct stat st;
	char link[PATH_MAX];
	int flags;
};

static void look(struct held *h)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", h->fd);
	n = readlink(path, h->link, sizeof(h->link) - 1);
	h->link[n < 0 ? 0 : n] = 0;
	h->flags = fcntl(h->fd, F_GETFL);
	if (fstatat(h->fd, "", &h->st, AT_EMPTY_PATH))
		memset(&h->st, 0, sizeof(h->st));
}

int main(int argc, char **argv)
{
	static const char *const what[5] = { "file", "dir", "symlink", "fifo", "device" };
	struct held h[5];
	char buf[64];
	ssize_t n;
	int fd;

	test_init(argc, argv);
	fd = open("o_path00.file", O_CREAT | O_WRONLY, 0600);
	if (fd < 0 || mkdir("o_path00.dir", 0755) || symlink("o_path00.file", "o_path00.link") ||
	    mkfifo("o_path00.fifo", 0600))
		test_setup_fail("making the files: %s", strerror(errno));
	close(fd);
	fd = open("o_path00.dir/inner", O_CREAT | O_WRONLY, 0600);
	if (fd < 0)
		test_setup_fail("inner: %s", strerror(errno));
	close(fd);
	for (int i = 0; i < 5; i++)
		h[i].what = what[i];
	h[0].fd = open("o_path00.file", O_PATH);
	h[1].fd = open("o_path00.dir", O_PATH | O_DIRECTORY);
	h[2].fd = open("o_path00.link", O_PATH | O_NOFOLLOW);
	h[3].fd = open("o_path00.fifo", O_PATH);
	h[4].fd = open("/dev/null", O_PATH | O_CLOEXEC);
	for (int i = 0; i < 5; i++) {
		if (h[i].fd < 0)
			test_setup_fail("O_PATH %s: %s", h[i].what, strerror(errno));
		look(&h[i]);
	}

	test_daemon();
	test_waitsig();

	if (test_break()) {
		close(h[1].fd);
		open("o_path00.dir", O_RDONLY | O_DIRECTORY);
	}
	for (int i = 0; i < 5; i++) {
		struct held now = h[i];

		look(&now);
		if (!(now.flags & O_PATH) || now.flags != h[i].flags)
			fail("%s: flags 0%o, were 0%o", h[i].what, now.flags, h[i].flags);
		if (strcmp(now.link, h[i].link))
			fail("%s: names %s, named %s", h[i].what, now.link, h[i].link);
		if (now.st.st_ino != h[i].st.st_ino || now.st.st_dev != h[i].st.st_dev ||
		    now.st.st_mode != h[i].st.st_mode)
			fail("%s: another inode or type", h[i].what);
	}
	if (!(fcntl(h[4].fd, F_GETFD) & FD_CLOEXEC))
		fail("device: lost FD_CLOEXEC");
	fd = openat(h[1].fd, "inner", O_RDONLY);
	if (fd < 0)
		fail("no file opens relative to the directory: %s", strerror(errno));
	close(fd);
	n = readlinkat(h[2].fd, "", buf, sizeof(buf) - 1);
	if (n < 0 || (buf[n] = 0, strcmp(buf, "o_path00.file")))
		fail("the symlink reads %s", n < 0 ? strerror(errno) : buf);
	pass();
}
