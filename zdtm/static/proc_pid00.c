// SPDX-License-Identifier: GPL-2.0
/*
 * Files of /proc/PID, for every kind of PID:
 *   G: a child reaped before the dump: its status file (5 bytes read) and
 *      its directory. Reads fail with ESRCH; after restore too, at the same
 *      names and position;
 *   S: the test itself: /proc/self/status opened before forking K, so K
 *      shares it (criu cannot open it: the task does not exist yet), read
 *      7 bytes; and /proc/K/stat, the file of a child;
 *   K: that child holds /proc/PARENT/stat;
 *   O: /proc/1/stat, a task outside the tree.
 * After restore each file names the same path, keeps its position and reads
 * the task it names (Pid: line of S, pid field of K and O).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

static int open_at(const char *path, int flags, size_t skip)
{
	char buf[16];
	int fd = open(path, flags);

	if (fd < 0)
		test_setup_fail("open %s: %s", path, strerror(errno));
	if (skip && read(fd, buf, skip) != (ssize_t)skip)
		test_setup_fail("read %s: %s", path, strerror(errno));
	return fd;
}

/* @fd names @want, is at @pos, and its text from 0 holds @needle */
static void check_live(const char *what, int fd, const char *want, off_t pos, const char *needle)
{
	char link[256], buf[4096];
	ssize_t n;

	fd_link(fd, link, sizeof(link));
	if (strcmp(link, want))
		fail("%s: fd %d names %s, expected %s", what, fd, link, want);
	if (lseek(fd, 0, SEEK_CUR) != pos)
		fail("%s: at %ld, expected %ld", what, (long)lseek(fd, 0, SEEK_CUR), (long)pos);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		fail("%s: read: %s", what, strerror(errno));
	buf[n] = 0;
	if (!strstr(buf, needle))
		fail("%s: \"%s\" not in what it reads", what, needle);
}

static void check_gone(int fd, int dir, pid_t g)
{
	char link[256], want[64], buf[16];

	snprintf(want, sizeof(want), "/proc/%d/status", g);
	fd_link(fd, link, sizeof(link));
	if (strcmp(link, want))
		fail("G: fd %d names %s, expected %s", fd, link, want);
	if (lseek(fd, 0, SEEK_CUR) != 5)
		fail("G: at %ld, expected 5", (long)lseek(fd, 0, SEEK_CUR));
	/* from 0: what a read past the first one returns is seq_file's buffer */
	if (pread(fd, buf, sizeof(buf), 0) != -1 || errno != ESRCH)
		fail("G: the status file of a reaped child reads (%s)", strerror(errno));
	snprintf(want, sizeof(want), "/proc/%d (deleted)", g);
	fd_link(dir, link, sizeof(link));
	if (strcmp(link, want))
		fail("G: directory fd %d names %s, expected %s", dir, link, want);
	if (openat(dir, "status", O_RDONLY) != -1 || errno != ESRCH)
		fail("G: a file opens in the directory of a reaped child (%s)", strerror(errno));
}

int main(int argc, char **argv)
{
	char path[64], self_pid[64], kid_pid[64], one[64];
	int gs, gd, ss, sk, o;
	pid_t g, k;

	test_init(argc, argv);

	g = fork();
	if (g < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (g == 0) {
		pause();
		_exit(0);
	}
	snprintf(path, sizeof(path), "/proc/%d/status", g);
	gs = open_at(path, O_RDONLY, 5);
	snprintf(path, sizeof(path), "/proc/%d", g);
	gd = open_at(path, O_RDONLY | O_DIRECTORY, 0);
	kill(g, SIGKILL);
	if (waitpid(g, NULL, 0) != g)
		test_setup_fail("waitpid G: %s", strerror(errno));

	ss = open_at("/proc/self/status", O_RDONLY, 7);
	k = fork();
	if (k < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (k == 0) {
		snprintf(path, sizeof(path), "/proc/%d/stat", getppid());
		open_at(path, O_RDONLY, 3);
		while (1)
			pause();
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", k);
	sk = open_at(path, O_RDONLY, 2);
	o = open_at("/proc/1/stat", O_RDONLY, 1);

	test_daemon();
	test_waitsig();

	if (test_break()) {
		close(gs);
		open_at("/proc/self/status", O_RDONLY, 5);
	}

	check_gone(gs, gd, g);
	snprintf(path, sizeof(path), "/proc/%d/status", getpid());
	snprintf(self_pid, sizeof(self_pid), "Pid:\t%d\n", getpid());
	check_live("S", ss, path, 7, self_pid);
	snprintf(path, sizeof(path), "/proc/%d/stat", k);
	snprintf(kid_pid, sizeof(kid_pid), "%d (", k);
	check_live("K", sk, path, 2, kid_pid);
	snprintf(one, sizeof(one), "1 (");
	check_live("O", o, "/proc/1/stat", 1, one);
	kill(k, SIGKILL);
	waitpid(k, NULL, 0);
	pass();
}
