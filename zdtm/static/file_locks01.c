// SPDX-License-Identifier: GPL-2.0
/*
 * A process holding a flock, dumped without -l/--file-locks: the dump must
 * fail (the lock would vanish on restore) and give the process back with
 * its lock still held: a stranger's flock is still refused.
 */
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	int fd, st;
	pid_t pid;

	test_init(argc, argv);
	fd = open("file_locks01.data", O_CREAT | O_RDWR | O_EXCL, 0600);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB))
		test_setup_fail("flock: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		flock(fd, LOCK_UN);

	pid = fork();
	if (pid == 0) {
		int other = open("file_locks01.data", O_RDWR);

		_exit(other >= 0 && flock(other, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		fail("the flock is no longer held");
	pass();
}
