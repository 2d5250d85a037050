// SPDX-License-Identifier: GPL-2.0
/*
 * A shared writable mapping of a file: pages written before the dump are in
 * the file; after restore, writes through the mapping reach the file and
 * writes to the file show in the mapping.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NPAGES 16

static long psz;

int main(int argc, char **argv)
{
	const char *fname = test_opt_str("filename", "mmap_file_shared.test");
	struct vma_info vi;
	struct stat st;
	char *m, *buf;
	int fd, pg;

	test_init(argc, argv);
	psz = sysconf(_SC_PAGESIZE);
	buf = malloc(psz);
	fd = open(fname, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || !buf)
		test_setup_fail("create %s: %s", fname, strerror(errno));
	for (pg = 0; pg < NPAGES; pg++) {
		datagen(buf, psz, 10 + pg);
		if (pwrite(fd, buf, psz, pg * psz) != psz)
			test_setup_fail("pwrite: %s", strerror(errno));
	}
	if (fstat(fd, &st))
		test_setup_fail("fstat: %s", strerror(errno));
	/* Map at an offset of one page, leaving page 0 out. */
	m = mmap(NULL, (NPAGES - 1) * psz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, psz);
	if (m == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));
	close(fd);
	/* Mapping page i is file page i + 1. Rewrite the odd ones. */
	for (pg = 1; pg < NPAGES - 1; pg += 2)
		datagen(m + pg * psz, psz, 200 + pg);

	test_daemon();
	test_waitsig();

	if (test_break())
		m[3 * psz + 3] ^= 1;

	if (!vma_find(m, &vi))
		fail("mapping is gone");
	if (vi.inode != st.st_ino || vi.offset != (unsigned long)psz ||
	    strcmp(vi.perms, "rw-s"))
		fail("mapping %lx-%lx %s off %lx ino %lu, expected rw-s off %lx ino %lu", vi.start,
		     vi.end, vi.perms, vi.offset, vi.inode, psz, (unsigned long)st.st_ino);
	for (pg = 0; pg < NPAGES - 1; pg++)
		if (!datachk(m + pg * psz, psz, pg % 2 ? 200 + pg : 11 + pg))
			fail("mapping page %d differs", pg);

	fd = open(fname, O_RDWR);
	if (fd < 0)
		pfail("open %s", fname);
	for (pg = 0; pg < NPAGES; pg++) {
		uint32_t s = pg == 0 ? 10 : (pg - 1) % 2 ? 200 + pg - 1 : 10 + pg;

		if (pread(fd, buf, psz, pg * psz) != psz)
			pfail("pread");
		if (!datachk(buf, psz, s))
			fail("file page %d differs", pg);
	}
	/* Both directions still share the page cache. */
	datagen(m + 4 * psz, psz, 999);
	if (pread(fd, buf, psz, 5 * psz) != psz || !datachk(buf, psz, 999))
		fail("a write through the mapping did not reach the file");
	datagen(buf, psz, 777);
	if (pwrite(fd, buf, psz, 7 * psz) != psz)
		pfail("pwrite");
	if (!datachk(m + 6 * psz, psz, 777))
		fail("a write to the file does not show in the mapping");
	close(fd);
	unlink(fname);
	pass();
}
