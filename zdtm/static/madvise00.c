// SPDX-License-Identifier: GPL-2.0
/*
 * madvise() flags kept on VMAs: MADV_DONTFORK (dc), MADV_WIPEONFORK (wf),
 * MADV_HUGEPAGE (hg), MADV_NOHUGEPAGE (nh), MADV_DONTDUMP (dd); checked in
 * /proc/self/smaps VmFlags, and the fork behaviour of dc and wf.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

struct adv {
	int advice;
	const char *flag;
	size_t len;
	char *addr;
};

static struct adv advs[] = {
	{ MADV_DONTFORK, "dc", 4096 * 3, NULL },
	{ MADV_WIPEONFORK, "wf", 4096 * 2, NULL },
	{ MADV_HUGEPAGE, "hg", 4UL << 20, NULL },
	{ MADV_NOHUGEPAGE, "nh", 4096 * 5, NULL },
	{ MADV_DONTDUMP, "dd", 4096 * 4, NULL },
};

#define NR ((int)(sizeof(advs) / sizeof(advs[0])))

static const char *all_flags[] = { "dc", "wf", "hg", "nh", "dd" };

static void check_flags(bool setup)
{
	int i, j;

	for (i = 0; i < NR; i++) {
		for (j = 0; j < NR; j++) {
			int want = !strcmp(all_flags[j], advs[i].flag);
			int have = vma_has_flag(advs[i].addr, all_flags[j]);
			char vmf[256] = "";

			if (have == want)
				continue;
			vma_vmflags(advs[i].addr, vmf, sizeof(vmf));
			if (setup)
				test_setup_fail("region %s: flag %s is %d (VmFlags: %s)", advs[i].flag,
						all_flags[j], have, vmf);
			fail("region %s: flag %s is %d, expected %d (VmFlags: %s)", advs[i].flag,
			     all_flags[j], have, want, vmf);
		}
	}
}

int main(int argc, char **argv)
{
	long psz = sysconf(_SC_PAGESIZE);
	unsigned char vec;
	int i, status;
	pid_t pid;

	test_init(argc, argv);
	for (i = 0; i < NR; i++) {
		/* A guard page on each side so that VMAs never merge. */
		char *m = mmap(NULL, advs[i].len + 2 * psz, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED)
			test_setup_fail("mmap: %s", strerror(errno));
		advs[i].addr = m + psz;
		if (mprotect(advs[i].addr, advs[i].len, PROT_READ | PROT_WRITE))
			test_setup_fail("mprotect: %s", strerror(errno));
		datagen(advs[i].addr, advs[i].len, 60 + i);
		if (madvise(advs[i].addr, advs[i].len, advs[i].advice))
			test_setup_fail("madvise %s: %s", advs[i].flag, strerror(errno));
	}
	check_flags(true);

	test_daemon();
	test_waitsig();

	if (test_break())
		madvise(advs[4].addr, advs[4].len, MADV_DODUMP);

	check_flags(false);
	for (i = 0; i < NR; i++)
		if (!datachk(advs[i].addr, advs[i].len, 60 + i))
			fail("region %s: content differs", advs[i].flag);

	/* The child has no dc region and a zeroed wf region. */
	pid = fork();
	if (pid < 0)
		pfail("fork");
	if (pid == 0) {
		size_t k;

		if (mincore(advs[0].addr, psz, &vec) == 0 || errno != ENOMEM)
			_exit(1);
		for (k = 0; k < advs[1].len; k++)
			if (advs[1].addr[k])
				_exit(2);
		if (!datachk(advs[3].addr, advs[3].len, 63))
			_exit(3);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		pfail("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("fork check failed: status %#x (1: dc mapped, 2: wf not wiped, 3: copy)",
		     status);
	pass();
}
