// SPDX-License-Identifier: GPL-2.0
/*
 * A SysV shared memory segment attached (and another process of the tree
 * attached too): criu does not dump IPC namespaces yet, so the dump must
 * fail with one line, and the segment's contents stay shared and intact.
 */
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define SEG 65536

int main(int argc, char **argv)
{
	int id, st;
	char *p;
	pid_t child;

	test_init(argc, argv);
	id = shmget(IPC_PRIVATE, SEG, IPC_CREAT | 0600);
	p = id < 0 ? NULL : shmat(id, NULL, 0);
	if (!p || p == (void *)-1)
		test_setup_fail("shm: %s", strerror(errno));
	/* gone from the namespace once every attachment is */
	shmctl(id, IPC_RMID, NULL);
	datagen(p, SEG, 7);
	child = fork();
	if (child < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (child == 0) {
		test_waitsig();
		/* the parent's write must be seen here: still one segment */
		_exit(p[0] == 'Z' ? 0 : 1);
	}

	test_daemon();
	test_waitsig();

	if (test_break())
		p[100] ^= 1;

	if (!datachk(p, SEG, 7)) {
		kill(child, SIGKILL);
		fail("the segment's contents changed");
	}
	p[0] = 'Z';
	kill(child, SIGTERM);
	if (waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st))
		fail("the child no longer shares the segment");
	pass();
}
