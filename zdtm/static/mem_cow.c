// SPDX-License-Identifier: GPL-2.0
/*
 * Private anonymous memory inherited over fork, then diverged: the parent
 * rewrites some pages, the child others, some stay shared copy-on-write.
 * Each process keeps its own view.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NPAGES 96

static long psz;
static char *mem;
static task_waiter_t *w;

/* 0: untouched since fork, 1: rewritten by the parent, 2: by the child. */
static int owner(int pg)
{
	return pg % 3;
}

/* The seed of page @pg as seen by a process (1: parent, 2: child). */
static uint32_t seed(int pg, int who)
{
	if (owner(pg) == who)
		return 1000 * who + pg;
	return pg;
}

static int check(int who)
{
	int pg;

	for (pg = 0; pg < NPAGES; pg++)
		if (!datachk(mem + pg * psz, psz, seed(pg, who)))
			return pg;
	return -1;
}

static void diverge(int who)
{
	int pg;

	for (pg = 0; pg < NPAGES; pg++)
		if (owner(pg) == who)
			datagen(mem + pg * psz, psz, seed(pg, who));
}

int main(int argc, char **argv)
{
	int pg, status;
	pid_t pid;

	test_init(argc, argv);
	psz = sysconf(_SC_PAGESIZE);
	mem = mmap(NULL, NPAGES * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));
	for (pg = 0; pg < NPAGES; pg++)
		datagen(mem + pg * psz, psz, pg);
	w = task_waiter_create();

	pid = fork();
	if (pid < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		diverge(2);
		task_waiter_complete(w, 1);
		task_waiter_wait4(w, 2);
		pg = check(2);
		_exit(pg < 0 ? 0 : 1);
	}
	task_waiter_wait4(w, 1);
	diverge(1);
	if (check(1) >= 0)
		test_setup_fail("parent's view is wrong before the dump");

	test_daemon();
	test_waitsig();

	if (test_break())
		mem[3 * psz + 5] ^= 1; /* a page still shared with the child */

	pg = check(1);
	task_waiter_complete(w, 2);
	if (waitpid(pid, &status, 0) != pid)
		pfail("waitpid");
	if (pg >= 0)
		fail("parent: page %d (owner %d) differs", pg, owner(pg));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("child: its view of the memory differs (status %#x)", status);
	pass();
}
