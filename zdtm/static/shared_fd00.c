// SPDX-License-Identifier: GPL-2.0
/*
 * A file description shared between a parent and its child over fork(),
 * next to a description of the same file private to the child. After
 * restore kcmp() says the shared fds are one description and the private
 * one is not, and an lseek() in one process is seen in the other, both
 * ways.
 */
#include <fcntl.h>
#include <linux/kcmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

static int go[2], reply[2];

static int xread(int fd)
{
	char c;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -1;
}

static void __attribute__((noreturn)) child(int sfd)
{
	int pfd;
	char c = 'c';

	close(go[1]);
	close(reply[0]);
	pfd = open("shared_fd00.data", O_RDONLY);
	if (pfd < 0 || lseek(pfd, 3, SEEK_SET) != 3)
		_exit(3);
	if (write(reply[1], &c, 1) != 1)	/* ready */
		_exit(3);

	if (xread(go[0]))
		_exit(4);
	if (lseek(sfd, 0, SEEK_CUR) != 20) {
		test_msg("child: shared offset %lld, expected 20 (set by the parent)",
			 (long long)lseek(sfd, 0, SEEK_CUR));
		_exit(5);
	}
	if (lseek(pfd, 0, SEEK_CUR) != 3) {
		test_msg("child: private offset %lld, expected 3",
			 (long long)lseek(pfd, 0, SEEK_CUR));
		_exit(6);
	}
	if (syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, sfd, pfd) == 0) {
		test_msg("child: private fd shares the description");
		_exit(7);
	}
	if (lseek(sfd, 30, SEEK_SET) != 30)
		_exit(8);
	if (write(reply[1], &c, 1) != 1)
		_exit(9);
	_exit(0);
}

int main(int argc, char **argv)
{
	int sfd, status;
	pid_t pid;
	char c = 'p';

	test_init(argc, argv);

	sfd = open("shared_fd00.data", O_CREAT | O_RDWR | O_EXCL, 0600);
	if (sfd < 0)
		test_setup_fail("open: %s", strerror(errno));
	if (write(sfd, "shared file description\n", 24) != 24)
		test_setup_fail("write: %s", strerror(errno));
	if (lseek(sfd, 10, SEEK_SET) != 10)
		test_setup_fail("lseek: %s", strerror(errno));
	if (pipe(go) || pipe(reply))
		test_setup_fail("pipe: %s", strerror(errno));

	pid = fork();
	if (pid < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (pid == 0)
		child(sfd);
	close(go[0]);
	close(reply[1]);
	if (xread(reply[0]))
		test_setup_fail("the child died during setup");

	test_daemon();
	test_waitsig();

	if (test_break()) {
		/* The parent's fd becomes its own description. */
		int nfd = open("shared_fd00.data", O_RDWR);

		lseek(nfd, 10, SEEK_SET);
		dup2(nfd, sfd);
		close(nfd);
	}

	if (lseek(sfd, 0, SEEK_CUR) != 10)
		fail("shared offset %lld, expected 10", (long long)lseek(sfd, 0, SEEK_CUR));
	if (syscall(SYS_kcmp, getpid(), pid, KCMP_FILE, sfd, sfd) != 0)
		fail("kcmp: the parent's and the child's fd %d are not one description", sfd);
	if (lseek(sfd, 20, SEEK_SET) != 20)
		pfail("lseek");
	if (write(go[1], &c, 1) != 1)
		pfail("write to the child");
	if (xread(reply[0]))
		test_msg("the child did not answer");
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			pfail("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("the child failed: status 0x%x", status);
	if (lseek(sfd, 0, SEEK_CUR) != 30)
		fail("the child's lseek is not seen: offset %lld, expected 30",
		     (long long)lseek(sfd, 0, SEEK_CUR));
	pass();
}
