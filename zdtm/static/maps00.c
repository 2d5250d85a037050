// SPDX-License-Identifier: GPL-2.0
/*
 * Many private anonymous mappings of many shapes and protections: sizes from
 * one page to many, read-only, read-exec, PROT_NONE with data behind it,
 * guard pages and holes punched into mappings. Contents, protections and
 * holes are all checked.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zdtmtst.h"

struct region {
	char *addr;
	size_t pages;
	int prot;
	int hole_start, hole_len; /* pages unmapped inside, 0 length: none */
	bool guards;		  /* PROT_NONE page on both sides */
	uint32_t seed;
};

static struct region regs[] = {
	{ NULL, 1, PROT_READ | PROT_WRITE, 0, 0, false, 0 },
	{ NULL, 2, PROT_READ | PROT_WRITE, 0, 0, true, 0 },
	{ NULL, 3, PROT_READ, 0, 0, false, 0 },
	{ NULL, 5, PROT_READ | PROT_EXEC, 0, 0, true, 0 },
	{ NULL, 7, PROT_NONE, 0, 0, false, 0 },
	{ NULL, 16, PROT_READ | PROT_WRITE, 4, 3, true, 0 },
	{ NULL, 33, PROT_READ | PROT_WRITE | PROT_EXEC, 0, 0, false, 0 },
	{ NULL, 64, PROT_READ, 10, 1, false, 0 },
	{ NULL, 100, PROT_READ | PROT_WRITE, 1, 98, true, 0 },
	{ NULL, 257, PROT_READ | PROT_WRITE, 128, 1, false, 0 },
	{ NULL, 1024, PROT_READ | PROT_WRITE, 0, 0, true, 0 },
	{ NULL, 4, PROT_NONE, 1, 1, true, 0 },
};

#define NR ((int)(sizeof(regs) / sizeof(regs[0])))

static long psz;

static bool in_hole(struct region *r, size_t pg)
{
	return r->hole_len && pg >= (size_t)r->hole_start &&
	       pg < (size_t)(r->hole_start + r->hole_len);
}

static const char *prot_str(int prot, char *buf)
{
	buf[0] = prot & PROT_READ ? 'r' : '-';
	buf[1] = prot & PROT_WRITE ? 'w' : '-';
	buf[2] = prot & PROT_EXEC ? 'x' : '-';
	buf[3] = 'p';
	buf[4] = 0;
	return buf;
}

static void setup(void)
{
	int i;

	for (i = 0; i < NR; i++) {
		struct region *r = &regs[i];
		size_t len = r->pages * psz, pg;
		char *p;

		r->seed = 0x1000 + i;
		/* Reserve room for the guards and place the region inside. */
		p = mmap(NULL, len + 2 * psz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			test_setup_fail("mmap: %s", strerror(errno));
		if (!r->guards) {
			munmap(p, psz);
			munmap(p + psz + len, psz);
		}
		r->addr = p + psz;
		if (mprotect(r->addr, len, PROT_READ | PROT_WRITE))
			test_setup_fail("mprotect: %s", strerror(errno));
		for (pg = 0; pg < r->pages; pg++)
			datagen(r->addr + pg * psz, psz, r->seed + pg);
		if (mprotect(r->addr, len, r->prot))
			test_setup_fail("mprotect: %s", strerror(errno));
	}
	/* Holes last, so that no later mapping lands in one. */
	for (i = 0; i < NR; i++) {
		struct region *r = &regs[i];

		if (r->hole_len && munmap(r->addr + r->hole_start * psz, r->hole_len * psz))
			test_setup_fail("munmap: %s", strerror(errno));
	}
}

static void check_region(int i)
{
	struct region *r = &regs[i];
	struct vma_info vi;
	unsigned char vec;
	char want[5];
	size_t pg;

	prot_str(r->prot, want);
	for (pg = 0; pg < r->pages; pg++) {
		char *a = r->addr + pg * psz;

		if (in_hole(r, pg)) {
			if (mincore(a, psz, &vec) == 0 || errno != ENOMEM)
				fail("region %d page %zu: the hole is mapped", i, pg);
			continue;
		}
		if (!vma_find(a, &vi))
			fail("region %d page %zu (%p) is not mapped", i, pg, a);
		if (strcmp(vi.perms, want))
			fail("region %d page %zu: perms %s, expected %s", i, pg, vi.perms, want);
		if (vi.inode || vi.path[0])
			fail("region %d page %zu: not anonymous (%s)", i, pg, vi.path);
	}
	if (r->guards) {
		if (!vma_find(r->addr - psz, &vi) || strcmp(vi.perms, "---p"))
			fail("region %d: guard page below is gone", i);
		if (!vma_find(r->addr + r->pages * psz, &vi) || strcmp(vi.perms, "---p"))
			fail("region %d: guard page above is gone", i);
	}

	/* Contents: make PROT_NONE readable for the check. */
	if (!(r->prot & PROT_READ))
		for (pg = 0; pg < r->pages; pg++)
			if (!in_hole(r, pg) && mprotect(r->addr + pg * psz, psz, PROT_READ))
				pfail("mprotect");
	for (pg = 0; pg < r->pages; pg++) {
		if (in_hole(r, pg))
			continue;
		if (!datachk(r->addr + pg * psz, psz, r->seed + pg))
			fail("region %d page %zu: content differs", i, pg);
	}
}

int main(int argc, char **argv)
{
	int i;

	test_init(argc, argv);
	psz = sysconf(_SC_PAGESIZE);
	setup();

	test_daemon();
	test_waitsig();

	if (test_break())
		regs[9].addr[200 * psz + 17] ^= 0x40;

	for (i = 0; i < NR; i++)
		check_region(i);
	pass();
}
