// SPDX-License-Identifier: GPL-2.0
/*
 * A child created with clone(CLONE_FILES) shares the fd table with the
 * test process. Before the dump each side opened a file; after restore
 * kcmp(KCMP_FILES) says the table is still shared, both see both files,
 * and fds opened now by one side appear in the other.
 */
#include <fcntl.h>
#include <linux/kcmp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define STACK_SIZE (256 * 1024)

/* Both pipes live in the shared table: the same numbers on both sides. */
static int p2c[2], c2p[2];

static int send_int(int fd, int v)
{
	return write(fd, &v, sizeof(v)) == sizeof(v) ? 0 : -1;
}

static int recv_int(int fd, int *v)
{
	ssize_t n;

	do
		n = read(fd, v, sizeof(*v));
	while (n < 0 && errno == EINTR);
	return n == sizeof(*v) ? 0 : -1;
}

/* 0 if @fd is open here and is the file at @path. */
static int is_file(int fd, const char *path, const char *who)
{
	struct stat a, b;

	if (fstat(fd, &a)) {
		test_msg("%s: fd %d (%s) is not open: %s", who, fd, path, strerror(errno));
		return 1;
	}
	if (stat(path, &b) || a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		test_msg("%s: fd %d is not %s", who, fd, path);
		return 1;
	}
	return 0;
}

static int fd_a;
static pid_t child_pid;

/*
 * The child cannot see the parent go away (it holds the same pipe ends
 * through the shared table): kill it on any exit of the parent.
 */
static void kill_child(void)
{
	if (child_pid > 0)
		kill(child_pid, SIGKILL);
}

static int child(void *arg)
{
	int fd_b, fd_c, fd_d;

	(void)arg;
	fd_b = open("fd_table_shared00.b", O_CREAT | O_RDWR | O_EXCL, 0600);
	if (fd_b < 0 || send_int(c2p[1], fd_b))
		return 3;

	if (recv_int(p2c[0], &fd_c))
		return 4;
	if (is_file(fd_a, "fd_table_shared00.a", "child") ||
	    is_file(fd_b, "fd_table_shared00.b", "child") ||
	    is_file(fd_c, "fd_table_shared00.c", "child"))
		return 5;
	fd_d = open("fd_table_shared00.d", O_CREAT | O_RDWR | O_EXCL, 0600);
	if (fd_d < 0 || send_int(c2p[1], fd_d))
		return 6;
	return 0;
}

int main(int argc, char **argv)
{
	int fd_b, fd_c, fd_d, status;
	char *stack;
	pid_t pid;

	test_init(argc, argv);

	fd_a = open("fd_table_shared00.a", O_CREAT | O_RDWR | O_EXCL, 0600);
	if (fd_a < 0)
		test_setup_fail("open: %s", strerror(errno));
	if (pipe(p2c) || pipe(c2p))
		test_setup_fail("pipe: %s", strerror(errno));
	stack = malloc(STACK_SIZE);
	if (!stack)
		test_setup_fail("malloc");
	pid = clone(child, stack + STACK_SIZE, CLONE_FILES | SIGCHLD, NULL);
	if (pid < 0)
		test_setup_fail("clone: %s", strerror(errno));
	child_pid = pid;
	atexit(kill_child);
	if (recv_int(c2p[0], &fd_b))
		test_setup_fail("the child died during setup");
	if (is_file(fd_b, "fd_table_shared00.b", "setup"))
		test_setup_fail("the child's fd is not visible");

	test_daemon();
	test_waitsig();

	if (test_break() && unshare(CLONE_FILES))
		pfail("break: unshare");

	if (syscall(SYS_kcmp, getpid(), pid, KCMP_FILES, 0, 0) != 0)
		fail("kcmp: the fd table is not shared with the child");
	if (is_file(fd_a, "fd_table_shared00.a", "parent") ||
	    is_file(fd_b, "fd_table_shared00.b", "parent"))
		fail("the fds opened before the dump are not all there");

	fd_c = open("fd_table_shared00.c", O_CREAT | O_RDWR | O_EXCL, 0600);
	if (fd_c < 0)
		pfail("open c");
	if (send_int(p2c[1], fd_c))
		pfail("write to the child");
	if (recv_int(c2p[0], &fd_d))
		test_msg("the child did not answer");
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			pfail("waitpid");
	child_pid = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("the child failed: status 0x%x", status);
	if (is_file(fd_d, "fd_table_shared00.d", "parent"))
		fail("the fd the child opened is not visible");
	pass();
}
