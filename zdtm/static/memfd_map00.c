// SPDX-License-Identifier: GPL-2.0
/*
 * Shared mappings of memfds:
 *   M "zdtm-map": 3 pages, sealed against shrinking, its fd kept, pages
 *     1-2 mapped MAP_SHARED read-write at file offset one page;
 *   N "zdtm-maponly": mapped MAP_SHARED, its fd closed, shared with a child
 *     over fork.
 * After restore the contents are the same, M's fd and mapping are one
 * object (a write through either shows through the other), the child and
 * the parent still share N (the child answers a value written by the
 * parent), and M's seals are kept.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define PG 4096
#define SEED 0x6d6d

static char want[3 * PG];

int main(int argc, char **argv)
{
	volatile int *n_mem;
	char *m, buf[3 * PG];
	int fd, nfd, status;
	pid_t child;

	test_init(argc, argv);

	fd = memfd_create("zdtm-map", MFD_ALLOW_SEALING);
	nfd = memfd_create("zdtm-maponly", 0);
	if (fd < 0 || nfd < 0)
		test_setup_fail("memfd_create: %s", strerror(errno));
	datagen(want, sizeof(want), SEED);
	if (pwrite(fd, want, sizeof(want), 0) != sizeof(want) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK))
		test_setup_fail("fill/seal M: %s", strerror(errno));
	m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PG);
	if (m == MAP_FAILED || ftruncate(nfd, PG))
		test_setup_fail("map M: %s", strerror(errno));
	n_mem = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, nfd, 0);
	if ((void *)n_mem == MAP_FAILED)
		test_setup_fail("map N: %s", strerror(errno));
	close(nfd);
	n_mem[0] = 0;
	n_mem[1] = 0;

	child = fork();
	if (child < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (child == 0) {
		/* answer every request in n_mem[0] with its double in n_mem[1] */
		while (1) {
			if (n_mem[0] && n_mem[1] != 2 * n_mem[0])
				n_mem[1] = 2 * n_mem[0];
			usleep(1000);
		}
	}

	test_daemon();
	test_waitsig();

	if (test_break())
		m[10] ^= 1;

	if (pread(fd, buf, sizeof(buf), 0) != sizeof(buf))
		pfail("read M");
	if (memcmp(buf, want, sizeof(want)))
		fail("M: contents differ");
	if (memcmp(m, want + PG, 2 * PG))
		fail("M: mapping differs from the file at offset %d", PG);
	if (fcntl(fd, F_GET_SEALS) != F_SEAL_SHRINK)
		fail("M: seals %#x, expected %#x", fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK);
	m[5] = 'x';
	if (pread(fd, buf, 1, PG + 5) != 1 || buf[0] != 'x')
		fail("M: a write to the mapping does not show through the fd");
	if (pwrite(fd, "y", 1, 2 * PG + 7) != 1 || m[PG + 7] != 'y')
		fail("M: a write through the fd does not show in the mapping");

	n_mem[0] = 21;
	for (int i = 0; i < 500 && n_mem[1] != 42; i++)
		usleep(10000);
	if (n_mem[1] != 42)
		fail("N: the child did not answer through the shared memfd (%d)", n_mem[1]);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	pass();
}
