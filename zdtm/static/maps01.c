// SPDX-License-Identifier: GPL-2.0
/*
 * A 1 GiB private anonymous mapping, only partly touched: scattered pages
 * carry data, some pages were written and then zeroed again, the rest were
 * never touched. Everything reads back as it should, untouched memory as 0.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zdtmtst.h"

#define MAP_SIZE (1UL << 30)

static long psz;
static char *map;

/* Page classes: data every 4099 pages (+ a run at the start), zeroed every 7919. */
static bool is_data(size_t pg)
{
	return pg < 37 || pg % 4099 == 5;
}

static bool is_zeroed(size_t pg)
{
	return !is_data(pg) && pg % 7919 == 3;
}

static bool page_is_zero(const char *p)
{
	const unsigned long *w = (const unsigned long *)p;
	size_t i;

	for (i = 0; i < psz / sizeof(*w); i++)
		if (w[i])
			return false;
	return true;
}

int main(int argc, char **argv)
{
	size_t pg, npages, ndata = 0, nzeroed = 0;

	test_init(argc, argv);
	psz = sysconf(_SC_PAGESIZE);
	npages = MAP_SIZE / psz;
	map = mmap(NULL, MAP_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED)
		test_setup_fail("mmap 1G: %s", strerror(errno));
	/* Keep it in 4K pages so that "untouched" means untouched. */
	madvise(map, MAP_SIZE, MADV_NOHUGEPAGE);
	for (pg = 0; pg < npages; pg++) {
		if (is_data(pg)) {
			datagen(map + pg * psz, psz, pg);
			ndata++;
		} else if (is_zeroed(pg)) {
			datagen(map + pg * psz, psz, pg);
			memset(map + pg * psz, 0, psz);
			nzeroed++;
		}
	}
	test_msg("%zu data pages, %zu zeroed pages of %zu", ndata, nzeroed, npages);

	test_daemon();
	test_waitsig();

	if (test_break())
		map[(npages - 2) * psz + 100] = 1; /* an untouched page */

	for (pg = 0; pg < npages; pg++) {
		char *p = map + pg * psz;

		if (is_data(pg)) {
			if (!datachk(p, psz, pg))
				fail("data page %zu differs", pg);
		} else if (!page_is_zero(p)) {
			fail("%s page %zu is not zero", is_zeroed(pg) ? "zeroed" : "untouched", pg);
		}
	}
	pass();
}
