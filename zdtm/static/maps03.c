// SPDX-License-Identifier: GPL-2.0
/*
 * A MAP_GROWSDOWN mapping with data keeps its data and its "gd" flag, and
 * still grows down when touched just below its start.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NPAGES 8
#define HOLE (4UL << 20)

static sigjmp_buf jb;

static void segv(int sig)
{
	(void)sig;
	siglongjmp(jb, 1);
}

int main(int argc, char **argv)
{
	long psz = sysconf(_SC_PAGESIZE);
	struct sigaction sa = { .sa_handler = segv };
	volatile char *below;
	struct vma_info vi;
	char *hole, *m;
	int i;

	test_init(argc, argv);
	/* Find a free range and put the growsdown mapping at its top. */
	hole = mmap(NULL, HOLE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hole == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));
	munmap(hole, HOLE);
	m = mmap(hole + HOLE - NPAGES * psz, NPAGES * psz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED_NOREPLACE, -1, 0);
	if (m == MAP_FAILED)
		test_setup_fail("mmap MAP_GROWSDOWN: %s", strerror(errno));
	for (i = 0; i < NPAGES; i++)
		datagen(m + i * psz, psz, 300 + i);
	if (vma_has_flag(m, "gd") != 1)
		test_setup_fail("no gd flag on the MAP_GROWSDOWN mapping");

	test_daemon();
	test_waitsig();

	if (test_break())
		m[3 * psz] ^= 1;

	if (vma_has_flag(m, "gd") != 1)
		fail("the mapping lost its gd flag");
	if (!vma_find(m, &vi))
		fail("the mapping is gone");
	if (vi.start != (unsigned long)m || vi.end != (unsigned long)(m + NPAGES * psz) ||
	    strcmp(vi.perms, "rw-p"))
		fail("mapping %lx-%lx %s, expected %p-%p rw-p", vi.start, vi.end, vi.perms, m,
		     m + NPAGES * psz);
	for (i = 0; i < NPAGES; i++)
		if (!datachk(m + i * psz, psz, 300 + i))
			fail("page %d differs", i);

	/* Grow it by touching the page below. */
	sigaction(SIGSEGV, &sa, NULL);
	below = m - psz;
	if (sigsetjmp(jb, 1))
		fail("touching below the mapping faulted: it does not grow down");
	*below = 0x5a;
	if (*below != 0x5a)
		fail("grown page lost a write");
	if (!vma_find(m, &vi) || vi.start != (unsigned long)(m - psz))
		fail("the mapping did not grow (starts at %lx)", vi.start);
	pass();
}
