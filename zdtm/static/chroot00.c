// SPDX-License-Identifier: GPL-2.0
/*
 * A process whose root is a subdirectory of the work dir (chroot as root).
 * The chrooted process is a child of the test process, so that the test
 * process itself can still write its pidfile and outfile by path.
 * After restore the child checks that "/" is the same inode as before, that
 * "/.." is "/" itself, that a file created inside is found at its absolute
 * path and that the cwd is "/"; the test process checks the child's exit
 * code and that its own root is unchanged.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

static int go[2];
static int ready[2];

static bool same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static int check_jail(const struct stat *root)
{
	char cwd[PATH_MAX];
	struct stat st;

	if (stat("/", &st)) {
		test_msg("child: stat /: %s", strerror(errno));
		return 1;
	}
	if (!same(&st, root)) {
		test_msg("child: / is inode %lu, expected %lu", (unsigned long)st.st_ino,
			 (unsigned long)root->st_ino);
		return 1;
	}
	if (stat("/..", &st) || !same(&st, root)) {
		test_msg("child: /.. escapes the root");
		return 1;
	}
	if (access("/inner/marker", F_OK)) {
		test_msg("child: /inner/marker: %s", strerror(errno));
		return 1;
	}
	if (stat(".", &st) || !same(&st, root)) {
		test_msg("child: cwd is not the root");
		return 1;
	}
	if (!getcwd(cwd, sizeof(cwd)) || strcmp(cwd, "/")) {
		test_msg("child: getcwd() is not '/'");
		return 1;
	}
	return 0;
}

static void __attribute__((noreturn)) jailed(const struct stat *root)
{
	char c = 'r';

	close(go[1]);
	close(ready[0]);
	if (chroot("chroot00.root")) {
		test_msg("child: chroot: %s", strerror(errno));
		_exit(3);
	}
	if (chdir("/")) {
		test_msg("child: chdir /: %s", strerror(errno));
		_exit(3);
	}
	if (write(ready[1], &c, 1) != 1)
		_exit(3);
	close(ready[1]);

	while (read(go[0], &c, 1) < 0 && errno == EINTR)
		;
	/* ZDTM_BREAK: move the root one level down. */
	if (test_break() && chroot("/inner"))
		test_msg("child: break: chroot: %s", strerror(errno));
	_exit(check_jail(root));
}

int main(int argc, char **argv)
{
	struct stat root, real_root, st;
	int fd, status;
	pid_t pid;
	char c;

	test_init(argc, argv);

	if (mkdir("chroot00.root", 0755) || mkdir("chroot00.root/inner", 0755))
		test_setup_fail("mkdir: %s", strerror(errno));
	fd = open("chroot00.root/inner/marker", O_CREAT | O_WRONLY | O_EXCL, 0600);
	if (fd < 0)
		test_setup_fail("create marker: %s", strerror(errno));
	close(fd);
	if (stat("chroot00.root", &root) || stat("/", &real_root))
		test_setup_fail("stat: %s", strerror(errno));
	if (pipe(go) || pipe(ready))
		test_setup_fail("pipe: %s", strerror(errno));

	pid = fork();
	if (pid < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (pid == 0)
		jailed(&root);
	close(ready[1]);
	close(go[0]);
	if (read(ready[0], &c, 1) != 1)
		test_setup_fail("the chrooted child died during setup");
	close(ready[0]);

	test_daemon();
	test_waitsig();

	close(go[1]);
	if (stat("/", &st))
		pfail("stat /");
	if (!same(&st, &real_root))
		fail("the test process's root changed");
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			pfail("waitpid(%d)", pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("the chrooted child failed (status 0x%x, see messages above)", status);
	pass();
}
