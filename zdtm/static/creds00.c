// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials with every id distinct: real/effective/saved/fs uids and gids
 * and supplementary groups, set as root and then kept by a task that is no
 * longer root. (The pid file is written with fsuid = the test uid.)
 */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "zdtmtst.h"

#define RUID 18943
#define EUID 18944
#define SUID 18945
#define FSUID RUID
#define RGID 58467
#define EGID 58468
#define SGID 58469
#define FSGID RGID

static const gid_t groups[] = { 49437, 58467, 1234, 7, 65530 };
#define NGROUPS ((int)(sizeof(groups) / sizeof(groups[0])))

static int cmp_gid(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

static void check_status(const char *key, unsigned a, unsigned b, unsigned c, unsigned d)
{
	char buf[128], want[128];

	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", a, b, c, d);
	if (!proc_field("/proc/self/status", key, buf, sizeof(buf)))
		fail("no %s in /proc/self/status", key);
	if (strcmp(buf, want))
		fail("/proc/self/status %s: '%s', expected '%s'", key, buf, want);
}

int main(int argc, char **argv)
{
	gid_t got[64], want[NGROUPS];
	uid_t r, e, s;
	gid_t rg, eg, sg;
	int n, i;

	test_init(argc, argv);
	if (getuid() != 0)
		test_setup_fail("must start as root (a suid test)");
	if (setgroups(NGROUPS, groups))
		test_setup_fail("setgroups: %s", strerror(errno));
	if (setresgid(RGID, EGID, SGID))
		test_setup_fail("setresgid: %s", strerror(errno));
	setfsgid(FSGID);
	if (setresuid(RUID, EUID, SUID))
		test_setup_fail("setresuid: %s", strerror(errno));
	setfsuid(FSUID);
	if ((uid_t)setfsuid(-1) != FSUID || (gid_t)setfsgid(-1) != FSGID)
		test_setup_fail("fsuid/fsgid not set");
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);

	test_daemon();
	test_waitsig();

	if (test_break())
		setresuid(-1, RUID, -1);

	if (getresuid(&r, &e, &s))
		pfail("getresuid");
	if (r != RUID || e != EUID || s != SUID)
		fail("uids %u/%u/%u, expected %u/%u/%u", r, e, s, RUID, EUID, SUID);
	if (getresgid(&rg, &eg, &sg))
		pfail("getresgid");
	if (rg != RGID || eg != EGID || sg != SGID)
		fail("gids %u/%u/%u, expected %u/%u/%u", rg, eg, sg, RGID, EGID, SGID);
	check_status("Uid", RUID, EUID, SUID, FSUID);
	check_status("Gid", RGID, EGID, SGID, FSGID);

	n = getgroups(64, got);
	if (n < 0)
		pfail("getgroups");
	memcpy(want, groups, sizeof(want));
	qsort(want, NGROUPS, sizeof(gid_t), cmp_gid);
	qsort(got, n, sizeof(gid_t), cmp_gid);
	if (n != NGROUPS)
		fail("%d supplementary groups, expected %d", n, NGROUPS);
	for (i = 0; i < n; i++)
		if (got[i] != want[i])
			fail("supplementary group %u, expected %u", got[i], want[i]);
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1)
		fail("not dumpable any more");
	pass();
}
