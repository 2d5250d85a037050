// SPDX-License-Identifier: GPL-2.0
/*
 * Files of /sys and of /proc that are not a task's: /sys/devices/system/cpu/online
 * and /proc/sys/kernel/ostype read part way, the /sys/class directory read
 * part way with getdents. After restore each names the same path, is at the
 * same position and reads the same; the directory goes on listing the
 * entries that were not read yet.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

struct held {
	const char *path;
	int fd;
	off_t pos;
	char text[256];
};

/* The names getdents gives from the current position to the end, as one string. */
static void rest_of_dir(int fd, char *out, size_t len)
{
	char buf[4096];
	long n;

	out[0] = 0;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			strncat(out, d->d_name, len - strlen(out) - 2);
			strcat(out, " ");
			off += d->d_reclen;
		}
}

int main(int argc, char **argv)
{
	struct held h[2] = { { "/sys/devices/system/cpu/online", -1, 0, "" },
			     { "/proc/sys/kernel/ostype", -1, 0, "" } };
	char link[PATH_MAX], buf[4096], rest[8192], rest_now[8192];
	int dir;
	off_t dpos;

	test_init(argc, argv);
	for (int i = 0; i < 2; i++) {
		h[i].fd = open(h[i].path, O_RDONLY);
		if (h[i].fd < 0 || pread(h[i].fd, h[i].text, sizeof(h[i].text) - 1, 0) < 2 ||
		    read(h[i].fd, buf, 1) != 1)
			test_setup_fail("%s: %s", h[i].path, strerror(errno));
		h[i].pos = lseek(h[i].fd, 0, SEEK_CUR);
	}
	dir = open("/sys/class", O_RDONLY | O_DIRECTORY);
	/* one small batch of entries read, the others left for later */
	if (dir < 0 || syscall(SYS_getdents64, dir, buf, 128) <= 0)
		test_setup_fail("/sys/class: %s", strerror(errno));
	dpos = lseek(dir, 0, SEEK_CUR);
	rest_of_dir(dir, rest, sizeof(rest));
	if (lseek(dir, dpos, SEEK_SET) != dpos || !rest[0])
		test_setup_fail("/sys/class: nothing left after the first entries");

	test_daemon();
	test_waitsig();

	if (test_break())
		lseek(h[0].fd, 0, SEEK_SET);
	for (int i = 0; i < 2; i++) {
		char text[256] = "";

		fd_link(h[i].fd, link, sizeof(link));
		if (strcmp(link, h[i].path))
			fail("%s: fd names %s", h[i].path, link);
		if (lseek(h[i].fd, 0, SEEK_CUR) != h[i].pos)
			fail("%s: at %ld, was at %ld", h[i].path, (long)lseek(h[i].fd, 0, SEEK_CUR),
			     (long)h[i].pos);
		if (pread(h[i].fd, text, sizeof(text) - 1, 0) < 2 || strcmp(text, h[i].text))
			fail("%s: reads \"%s\", read \"%s\"", h[i].path, text, h[i].text);
	}
	fd_link(dir, link, sizeof(link));
	if (strcmp(link, "/sys/class") || lseek(dir, 0, SEEK_CUR) != dpos)
		fail("/sys/class: names %s at %ld, was at %ld", link, (long)lseek(dir, 0, SEEK_CUR),
		     (long)dpos);
	rest_of_dir(dir, rest_now, sizeof(rest_now));
	if (strcmp(rest, rest_now))
		fail("/sys/class lists on \"%.60s...\", it was \"%.60s...\"", rest_now, rest);
	pass();
}
