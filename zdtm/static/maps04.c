// SPDX-License-Identifier: GPL-2.0
/*
 * Zero pages: read-faulted pages of an anonymous mapping (backed by the
 * shared zero page) stay zero and writable, next to written pages, in a
 * mapping that also has never-touched pages.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NPAGES 512

static long psz;

/* 0: untouched, 1: read-faulted, 2: written. */
static int kind(int pg)
{
	if (pg % 5 == 0 || (pg > 200 && pg < 260))
		return 1;
	if (pg % 3 == 0)
		return 2;
	return 0;
}

int main(int argc, char **argv)
{
	volatile unsigned long sink = 0;
	char *m;
	int pg;

	test_init(argc, argv);
	psz = sysconf(_SC_PAGESIZE);
	m = mmap(NULL, NPAGES * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));
	madvise(m, NPAGES * psz, MADV_NOHUGEPAGE);
	for (pg = 0; pg < NPAGES; pg++) {
		if (kind(pg) == 1)
			sink += *(volatile unsigned long *)(m + pg * psz + 8 * (pg % 64));
		else if (kind(pg) == 2)
			datagen(m + pg * psz, psz, 500 + pg);
	}
	if (sink)
		test_setup_fail("fresh anonymous memory is not zero");

	test_daemon();
	test_waitsig();

	if (test_break())
		m[5 * psz + 1000] = 7;

	for (pg = 0; pg < NPAGES; pg++) {
		char *p = m + pg * psz;
		long i;

		if (kind(pg) == 2) {
			if (!datachk(p, psz, 500 + pg))
				fail("written page %d differs", pg);
			continue;
		}
		for (i = 0; i < psz; i++)
			if (p[i])
				fail("%s page %d has %#x at %ld", kind(pg) ? "read-faulted" : "untouched",
				     pg, (unsigned char)p[i], i);
	}
	/* The zero pages must be private and writable. */
	for (pg = 0; pg < NPAGES; pg++)
		if (kind(pg) == 1)
			m[pg * psz] = 1;
	for (pg = 0; pg < NPAGES; pg++)
		if (kind(pg) == 1 && (m[pg * psz] != 1 || m[pg * psz + psz - 1]))
			fail("zero page %d not writable as a private page", pg);
	pass();
}
