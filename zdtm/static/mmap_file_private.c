// SPDX-License-Identifier: GPL-2.0
/*
 * A private writable mapping of a file with some pages dirtied: the dirty
 * pages keep the new contents, the clean ones still show the file, and the
 * file itself is unchanged.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NPAGES 20

static long psz;

static bool dirty(int pg)
{
	return pg % 4 == 1 || pg == NPAGES - 1;
}

int main(int argc, char **argv)
{
	const char *fname = test_opt_str("filename", "mmap_file_private.test");
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
	m = mmap(NULL, NPAGES * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));
	close(fd);
	for (pg = 0; pg < NPAGES; pg++) {
		if (dirty(pg))
			datagen(m + pg * psz, psz, 100 + pg);
		else if (!datachk(m + pg * psz, psz, 10 + pg))
			test_setup_fail("mapping does not show the file");
	}

	test_daemon();
	test_waitsig();

	if (test_break())
		m[2 * psz + 9] ^= 1;

	if (!vma_find(m, &vi))
		fail("mapping is gone");
	if (vi.inode != st.st_ino || vi.offset != 0 || strcmp(vi.perms, "rw-p") ||
	    vi.end - vi.start != (unsigned long)NPAGES * psz)
		fail("mapping is %lx-%lx %s off %lx ino %lu (%s), expected ino %lu", vi.start,
		     vi.end, vi.perms, vi.offset, vi.inode, vi.path, (unsigned long)st.st_ino);
	for (pg = 0; pg < NPAGES; pg++) {
		if (!datachk(m + pg * psz, psz, dirty(pg) ? 100 + pg : 10 + pg))
			fail("%s page %d differs", dirty(pg) ? "dirty" : "clean", pg);
	}
	fd = open(fname, O_RDONLY);
	if (fd < 0)
		pfail("open %s", fname);
	for (pg = 0; pg < NPAGES; pg++) {
		if (pread(fd, buf, psz, pg * psz) != psz)
			pfail("pread");
		if (!datachk(buf, psz, 10 + pg))
			fail("file page %d changed: private writes leaked", pg);
	}
	close(fd);
	unlink(fname);
	pass();
}
