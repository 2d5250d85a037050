// SPDX-License-Identifier: GPL-2.0
/*
 * One anonymous mapping split into many VMAs by mprotect(): every page gets
 * a protection from a pattern, so neighbours differ and the mapping becomes
 * a run of VMAs. A second mapping is split and merged back. Each VMA's
 * bounds and protections are checked, and every page's content.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NPAGES 24
#define NPAGES2 8

static const int prots[] = {
	PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE, PROT_READ | PROT_EXEC,
	PROT_READ | PROT_WRITE | PROT_EXEC,
};

static long psz;
static char *m1, *m2;

/* Runs: pages [0,2) prot0, [2,3) prot1, ... lengths 2,1,3,1,2 repeating. */
static int page_prot(int pg)
{
	static const int runlen[] = { 2, 1, 3, 1, 2 };
	int run = 0, p = 0;

	for (;;) {
		int l = runlen[run % 5];

		if (pg < p + l)
			return prots[run % 5];
		p += l;
		run++;
	}
}

static void prot_str(int prot, char *buf)
{
	buf[0] = prot & PROT_READ ? 'r' : '-';
	buf[1] = prot & PROT_WRITE ? 'w' : '-';
	buf[2] = prot & PROT_EXEC ? 'x' : '-';
	buf[3] = 'p';
	buf[4] = 0;
}

static void check_split(void)
{
	struct vma_info vi;
	char want[5];
	int pg;

	for (pg = 0; pg < NPAGES; pg++) {
		char *a = m1 + pg * psz;
		int prot = page_prot(pg);
		int first = pg, last = pg;

		while (first > 0 && page_prot(first - 1) == prot)
			first--;
		while (last < NPAGES - 1 && page_prot(last + 1) == prot)
			last++;
		if (!vma_find(a, &vi))
			fail("page %d is not mapped", pg);
		prot_str(prot, want);
		if (strcmp(vi.perms, want))
			fail("page %d: perms %s, expected %s", pg, vi.perms, want);
		if (vi.start != (unsigned long)(m1 + first * psz) ||
		    vi.end != (unsigned long)(m1 + (last + 1) * psz))
			fail("page %d: VMA %lx-%lx, expected %p-%p", pg, vi.start, vi.end,
			     m1 + first * psz, m1 + (last + 1) * psz);
	}
	for (pg = 0; pg < NPAGES; pg++)
		if (!(page_prot(pg) & PROT_READ))
			mprotect(m1 + pg * psz, psz, PROT_READ);
	for (pg = 0; pg < NPAGES; pg++)
		if (!datachk(m1 + pg * psz, psz, 100 + pg))
			fail("page %d: content differs", pg);
}

int main(int argc, char **argv)
{
	struct vma_info vi;
	int pg;

	test_init(argc, argv);
	psz = sysconf(_SC_PAGESIZE);

	/* Guard pages on both sides keep neighbours from merging in. */
	m1 = mmap(NULL, (NPAGES + 2) * psz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m1 == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));
	m1 += psz;
	if (mprotect(m1, NPAGES * psz, PROT_READ | PROT_WRITE))
		test_setup_fail("mprotect: %s", strerror(errno));
	for (pg = 0; pg < NPAGES; pg++)
		datagen(m1 + pg * psz, psz, 100 + pg);
	for (pg = 0; pg < NPAGES; pg++)
		if (mprotect(m1 + pg * psz, psz, page_prot(pg)))
			test_setup_fail("mprotect: %s", strerror(errno));

	/* Split then merged back: one read-write VMA. */
	m2 = mmap(NULL, (NPAGES2 + 2) * psz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m2 == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));
	m2 += psz;
	if (mprotect(m2, NPAGES2 * psz, PROT_READ | PROT_WRITE))
		test_setup_fail("mprotect: %s", strerror(errno));
	datagen(m2, NPAGES2 * psz, 7);
	if (mprotect(m2 + 2 * psz, 3 * psz, PROT_READ) ||
	    mprotect(m2 + 2 * psz, 3 * psz, PROT_READ | PROT_WRITE))
		test_setup_fail("mprotect: %s", strerror(errno));
	if (!vma_find(m2, &vi) || vi.start != (unsigned long)m2 ||
	    vi.end != (unsigned long)(m2 + NPAGES2 * psz))
		test_setup_fail("the kernel did not merge the VMAs back");

	test_daemon();
	test_waitsig();

	if (test_break())
		mprotect(m1 + 5 * psz, psz, PROT_READ | PROT_WRITE);

	check_split();

	if (!vma_find(m2, &vi))
		fail("merged mapping is gone");
	if (vi.start != (unsigned long)m2 || vi.end != (unsigned long)(m2 + NPAGES2 * psz) ||
	    strcmp(vi.perms, "rw-p"))
		fail("merged mapping is %lx-%lx %s, expected %p-%p rw-p", vi.start, vi.end,
		     vi.perms, m2, m2 + NPAGES2 * psz);
	if (!datachk(m2, NPAGES2 * psz, 7))
		fail("merged mapping: content differs");
	pass();
}
