// SPDX-License-Identifier: GPL-2.0
/* An mlock()ed page keeps its lock ("lo" in VmFlags) and contents. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	long psz = sysconf(_SC_PAGESIZE);
	char *m, buf[64];

	test_init(argc, argv);
	/* Guard pages around so that the locked VMA is exactly one page. */
	m = mmap(NULL, 3 * psz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));
	m += psz;
	if (mprotect(m, psz, PROT_READ | PROT_WRITE))
		test_setup_fail("mprotect: %s", strerror(errno));
	datagen(m, psz, 17);
	if (mlock(m, psz))
		test_setup_fail("mlock: %s", strerror(errno));
	if (vma_has_flag(m, "lo") != 1)
		test_setup_fail("no lo flag after mlock");

	test_daemon();
	test_waitsig();

	if (test_break())
		munlock(m, psz);

	if (vma_has_flag(m, "lo") != 1)
		fail("the page is not locked any more");
	if (vma_has_flag(m - psz, "lo") != 0 || vma_has_flag(m + psz, "lo") != 0)
		fail("lock spread to the guard pages");
	if (!datachk(m, psz, 17))
		fail("locked page content differs");
	if (!proc_field("/proc/self/status", "VmLck", buf, sizeof(buf)) || atoi(buf) < psz / 1024)
		fail("VmLck is %s", buf);
	pass();
}
