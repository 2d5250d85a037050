// SPDX-License-Identifier: GPL-2.0
/*
 * MAP_SHARED|MAP_ANONYMOUS memory shared by a parent and its child: each
 * side writes after fork and again after restore, and the other side sees
 * the writes.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NPAGES 64

static long psz;
static char *shm;
static size_t half;
static task_waiter_t *w;

static void child(void)
{
	task_waiter_wait4(w, 1);
	if (!datachk(shm, half, 1))
		_exit(11);
	datagen(shm + half, half, 2);
	task_waiter_complete(w, 2);

	/* After the restore. */
	task_waiter_wait4(w, 3);
	if (!datachk(shm, half, 3))
		_exit(13);
	if (!datachk(shm + half, half, 2))
		_exit(14);
	datagen(shm + half, half, 4);
	task_waiter_complete(w, 4);
	_exit(0);
}

int main(int argc, char **argv)
{
	int status;
	pid_t pid;

	test_init(argc, argv);
	psz = sysconf(_SC_PAGESIZE);
	half = NPAGES / 2 * psz;
	shm = mmap(NULL, NPAGES * psz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));
	w = task_waiter_create();

	pid = fork();
	if (pid < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		child();
	}

	datagen(shm, half, 1);
	task_waiter_complete(w, 1);
	task_waiter_wait4(w, 2);
	if (!datachk(shm + half, half, 2))
		test_setup_fail("the child's write is not visible");

	test_daemon();
	test_waitsig();

	if (test_break())
		shm[half + 3 * psz] ^= 1;

	if (!datachk(shm, half, 1))
		fail("first half (written by the parent) differs");
	if (!datachk(shm + half, half, 2))
		fail("second half (written by the child) differs");

	datagen(shm, half, 3);
	task_waiter_complete(w, 3);
	task_waiter_wait4(w, 4);
	if (!datachk(shm + half, half, 4))
		fail("the child's write after restore is not visible");
	if (waitpid(pid, &status, 0) != pid)
		pfail("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("child failed: status %#x (13: parent's write not visible)", status);
	pass();
}
