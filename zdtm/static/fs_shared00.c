// SPDX-License-Identifier: GPL-2.0
/*
 * A child created with clone(CLONE_FS) shares cwd and umask with the test
 * process. Before the dump the child moved into a directory and set the
 * umask; after restore kcmp(KCMP_FS) says they still share, the parent sees
 * the child's cwd and umask, and changes made now by either side are seen
 * by the other.
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

static int go[2], reply[2];
static struct stat dir_a, dir_b, dir_c;

static int xread(int fd)
{
	char c;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -1;
}

static mode_t get_umask(void)
{
	mode_t m = umask(0);

	umask(m);
	return m;
}

static int in_dir(const struct stat *d, const char *who, const char *name)
{
	struct stat st;

	if (stat(".", &st) || st.st_dev != d->st_dev || st.st_ino != d->st_ino) {
		test_msg("%s: cwd is not %s", who, name);
		return 1;
	}
	return 0;
}

static int child(void *arg)
{
	char c = 'c';

	(void)arg;
	close(go[1]);
	close(reply[0]);
	if (chdir("fs_shared00.d/a"))
		return 3;
	umask(027);
	if (write(reply[1], &c, 1) != 1)
		return 3;

	if (xread(go[0]))
		return 4;
	if (in_dir(&dir_b, "child", "b"))
		return 5;
	if (get_umask() != 022) {
		test_msg("child: umask 0%o, expected 022 (set by the parent)", get_umask());
		return 6;
	}
	if (chdir("../c"))
		return 7;
	umask(077);
	if (write(reply[1], &c, 1) != 1)
		return 8;
	return 0;
}

int main(int argc, char **argv)
{
	char *stack;
	char c = 'p';
	int status;
	pid_t pid;

	test_init(argc, argv);

	umask(0);
	if (mkdir("fs_shared00.d", 0755) || mkdir("fs_shared00.d/a", 0755) ||
	    mkdir("fs_shared00.d/b", 0755) || mkdir("fs_shared00.d/c", 0755))
		test_setup_fail("mkdir: %s", strerror(errno));
	if (stat("fs_shared00.d/a", &dir_a) || stat("fs_shared00.d/b", &dir_b) ||
	    stat("fs_shared00.d/c", &dir_c))
		test_setup_fail("stat: %s", strerror(errno));
	if (pipe(go) || pipe(reply))
		test_setup_fail("pipe: %s", strerror(errno));
	stack = malloc(STACK_SIZE);
	if (!stack)
		test_setup_fail("malloc");
	pid = clone(child, stack + STACK_SIZE, CLONE_FS | SIGCHLD, NULL);
	if (pid < 0)
		test_setup_fail("clone: %s", strerror(errno));
	close(go[0]);
	close(reply[1]);
	if (xread(reply[0]))
		test_setup_fail("the child died during setup");
	if (in_dir(&dir_a, "setup", "a") || get_umask() != 027)
		test_setup_fail("the child's chdir/umask is not seen");

	test_daemon();
	test_waitsig();

	if (test_break() && unshare(CLONE_FS))
		pfail("break: unshare");

	if (syscall(SYS_kcmp, getpid(), pid, KCMP_FS, 0, 0) != 0)
		fail("kcmp: fs is not shared with the child");
	if (in_dir(&dir_a, "parent", "a"))
		fail("the cwd set by the child before the dump is lost");
	if (get_umask() != 027)
		fail("umask 0%o, expected 027", get_umask());

	if (chdir("../b"))
		pfail("chdir");
	umask(022);
	if (write(go[1], &c, 1) != 1)
		pfail("write to the child");
	if (xread(reply[0]))
		test_msg("the child did not answer");
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			pfail("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("the child failed: status 0x%x", status);
	if (in_dir(&dir_c, "parent", "c"))
		fail("the child's chdir after restore is not seen");
	if (get_umask() != 077)
		fail("the child's umask after restore is not seen: 0%o", get_umask());
	pass();
}
