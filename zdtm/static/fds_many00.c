// SPDX-License-Identifier: GPL-2.0
/*
 * More descriptors than half the open-files hard limit: criu must not need
 * two fds of its own per fd of the task. The test raises its soft limit to
 * the hard one and opens /dev/null and a data file at positions that tell
 * them apart; every 100th fd is a dup of the one before (a shared
 * description), every 7th is close-on-exec. After restore each fd is still
 * there with its file, position, flags and sharing.
 */
#include <fcntl.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

#define MAX_FDS 12000

static int fds[MAX_FDS];

static bool is_dup(int i)
{
	return i && i % 100 == 0;
}

/* odd slots: the data file at offset i % 4096; even slots: /dev/null */
static int open_slot(int i)
{
	if (is_dup(i))
		return dup(fds[i - 1]);
	if (i & 1) {
		int fd = open("fds_many00.data", O_RDONLY);

		if (fd >= 0 && lseek(fd, i % 4096, SEEK_SET) != i % 4096)
			return -1;
		return fd;
	}
	return open("/dev/null", O_WRONLY);
}

static int check_slot(int i, dev_t null_rdev)
{
	int fd = fds[i], want_cloexec = i % 7 == 0, pid = getpid();
	struct stat st;

	if (fstat(fd, &st)) {
		test_msg("fd %d (slot %d) is gone: %s", fd, i, strerror(errno));
		return 1;
	}
	if (is_dup(i) && syscall(SYS_kcmp, pid, pid, KCMP_FILE, fd, fds[i - 1])) {
		test_msg("fd %d no longer shares its description with fd %d", fd, fds[i - 1]);
		return 1;
	}
	if (!!(fcntl(fd, F_GETFD) & FD_CLOEXEC) != want_cloexec) {
		test_msg("fd %d: close-on-exec changed", fd);
		return 1;
	}
	if (((i & 1) && !is_dup(i)) || (is_dup(i) && ((i - 1) & 1))) {
		off_t want = (is_dup(i) ? i - 1 : i) % 4096;

		if (!S_ISREG(st.st_mode) || lseek(fd, 0, SEEK_CUR) != want) {
			test_msg("fd %d: not the data file at %ld", fd, (long)want);
			return 1;
		}
	} else if (!S_ISCHR(st.st_mode) || st.st_rdev != null_rdev) {
		test_msg("fd %d: not /dev/null", fd);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	struct stat null_st;
	char page[4096] = { 0 };
	int nr, i, fd, bad = 0;

	test_init(argc, argv);

	if (getrlimit(RLIMIT_NOFILE, &rl))
		test_setup_fail("getrlimit: %s", strerror(errno));
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		test_setup_fail("setrlimit: %s", strerror(errno));
	/* above half the hard limit, with room for the library's own fds */
	nr = rl.rlim_max - 64 < MAX_FDS ? (int)rl.rlim_max - 64 : MAX_FDS;
	test_msg("%d fds under a hard limit of %lu", nr, (unsigned long)rl.rlim_max);
	fd = open("fds_many00.data", O_CREAT | O_RDWR | O_EXCL, 0600);
	if (fd < 0 || write(fd, page, sizeof(page)) != sizeof(page) || close(fd))
		test_setup_fail("data file: %s", strerror(errno));
	if (stat("/dev/null", &null_st))
		test_setup_fail("stat /dev/null: %s", strerror(errno));
	for (i = 0; i < nr; i++) {
		fds[i] = open_slot(i);
		if (fds[i] < 0)
			test_setup_fail("fd %d of %d: %s", i, nr, strerror(errno));
		if (i % 7 == 0 && fcntl(fds[i], F_SETFD, FD_CLOEXEC))
			test_setup_fail("fcntl: %s", strerror(errno));
	}

	test_daemon();
	test_waitsig();

	if (test_break())
		close(fds[nr / 2]);

	for (i = 0; i < nr && bad < 10; i++)
		bad += check_slot(i, null_st.st_rdev);
	if (bad)
		fail("descriptors changed (see messages above)");
	pass();
}
