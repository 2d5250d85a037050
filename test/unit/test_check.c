// SPDX-License-Identifier: GPL-2.0
/*
 * criu check: the feature table, check_feature() and what cmd_check() prints
 * and returns. Probing needs root; as another user those tests say so and
 * pass without probing.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/check.h"
#include "cmd/cmds.h"
#include "util/log.h"
#include "util/options.h"

/* Every name CRIU scripts and the zdtm runner may ask for. */
static const char *const required[] = {
	"mnt_id", "aio_remap", "timerfd", "tun", "userns", "fdinfo_lock", "seccomp_filters",
	"loginuid", "cgroupns", "timens", "ns_pid", "get_rseq_conf", "pagemap_scan",
	"mem_dirty_track", "uffd", "uffd_wp", "memfd_hugetlb", "ipv6_freebind", "link_nsid",
	"sk_unix_file", "has_ipt_legacy", "nftables", "network_lock_nftables",
	"move_mount_set_group", "tun_ns", "newifindex", "net_diag_raw", "sockopt_buf_lock",
	"autofs", "ptrace_seize", "map_files", "kcmp", "clone3_set_tid", "prctl_mm_map",
	"pidfd_getfd", "sock_diag_unix", "sock_diag_inet", "sock_diag_packet",
	"sock_diag_netlink", "tcp_repair", "memfd", "pagemap", "xsave",
};

static bool is_root(void)
{
	if (geteuid() == 0)
		return true;
	fprintf(stderr, "test_check: not root, probes not run\n");
	return false;
}

static unsigned int nr_features(void)
{
	unsigned int n = 0;

	while (check_feature_name(n))
		n++;
	return n;
}

/* Run cmd_check() with stdout going to a buffer. Returns its exit code. */
static char out[16384];

static int run_check(void)
{
	char path[] = "/tmp/criu-test-check.XXXXXX";
	int fd, saved, ret;
	ssize_t n;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	saved = dup(STDOUT_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fd, STDOUT_FILENO), 0);
	ret = cmd_check();
	ck_assert_int_ge(dup2(saved, STDOUT_FILENO), 0);
	close(saved);
	n = pread(fd, out, sizeof(out) - 1, 0);
	ck_assert_int_ge(n, 0);
	out[n] = 0;
	close(fd);
	return ret;
}

static void setup(void)
{
	opts_init(&opts);
	opts.command = CMD_CHECK;
	log_set_level(LOG_WARN);
}

START_TEST(test_list_not_empty)
{
	unsigned int n = nr_features();

	ck_assert_uint_ge(n, 40);
	ck_assert_ptr_null(check_feature_name(n));
	for (unsigned int i = 0; i < n; i++) {
		const char *a = check_feature_name(i);

		ck_assert_ptr_nonnull(a);
		ck_assert_uint_gt(strlen(a), 0);
		for (unsigned int j = i + 1; j < n; j++)
			ck_assert_str_ne(a, check_feature_name(j));
	}
}
END_TEST

START_TEST(test_required_names_known)
{
	unsigned int n = nr_features();

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		bool found = false;

		for (unsigned int j = 0; j < n; j++)
			if (!strcmp(required[i], check_feature_name(j)))
				found = true;
		ck_assert_msg(found, "feature %s is not in the table", required[i]);
	}
}
END_TEST

START_TEST(test_mandatory_flags)
{
	ck_assert(check_feature_mandatory("ptrace_seize"));
	ck_assert(check_feature_mandatory("clone3_set_tid"));
	ck_assert(check_feature_mandatory("prctl_mm_map"));
	ck_assert(!check_feature_mandatory("pagemap_scan"));
	ck_assert(!check_feature_mandatory("has_ipt_legacy"));
	ck_assert(!check_feature_mandatory("bogus"));
}
END_TEST

START_TEST(test_unknown)
{
	ck_assert_int_eq(check_feature("bogus"), -1);
	ck_assert_int_eq(check_feature(""), -1);
	ck_assert_int_eq(check_feature("list"), -1);
	ck_assert_int_eq(check_feature("PAGEMAP_SCAN"), -1);
}
END_TEST

START_TEST(test_pagemap_scan)
{
	if (!is_root())
		return;
	ck_assert_int_eq(check_feature("pagemap_scan"), 1);
}
END_TEST

START_TEST(test_mandatory_work_here)
{
	unsigned int n = nr_features();

	if (!is_root())
		return;
	for (unsigned int i = 0; i < n; i++) {
		const char *name = check_feature_name(i);

		if (check_feature_mandatory(name))
			ck_assert_msg(check_feature(name) == 1, "mandatory %s fails", name);
	}
}
END_TEST

START_TEST(test_mem_dirty_track)
{
	if (!is_root())
		return;
	opts.features[opts.nr_features++] = "mem_dirty_track";
	ck_assert_int_eq(run_check(), 0);
	/* this kernel has no soft-dirty: the uffd method must be the one found */
	ck_assert_msg(strstr(out, "mem_dirty_track is supported (") != NULL, "got: %s", out);
	ck_assert_msg(strstr(out, "uffd-wp-async") != NULL, "got: %s", out);
}
END_TEST

START_TEST(test_cmd_list)
{
	opts.features[opts.nr_features++] = "list";
	ck_assert_int_eq(run_check(), 0);
	ck_assert_ptr_nonnull(strstr(out, "pagemap_scan\n"));
	ck_assert_ptr_nonnull(strstr(out, "mem_dirty_track\n"));
	ck_assert_str_eq(out + strlen(out) - 1, "\n");
}
END_TEST

START_TEST(test_cmd_unknown)
{
	opts.features[opts.nr_features++] = "pagemap_scan";
	opts.features[opts.nr_features++] = "bogus";
	ck_assert_int_eq(run_check(), 1);
	/* refused before probing anything */
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_cmd_feature)
{
	if (!is_root())
		return;
	opts.features[opts.nr_features++] = "pagemap_scan";
	opts.features[opts.nr_features++] = "kcmp";
	ck_assert_int_eq(run_check(), 0);
	ck_assert_str_eq(out, "pagemap_scan is supported\nkcmp is supported\n");
}
END_TEST

START_TEST(test_cmd_default)
{
	if (!is_root())
		return;
	ck_assert_int_eq(run_check(), 0);
	ck_assert_str_eq(out, "Looks good.\n");
}
END_TEST

START_TEST(test_cmd_all)
{
	int ret;

	if (!is_root())
		return;
	opts.check_all = true;
	ret = run_check();
	ck_assert_msg(!strstr(out, "Does not look good."), "got: %s", out);
	if (ret == 0) {
		ck_assert_str_eq(out, "Looks good.\n");
	} else {
		ck_assert_int_eq(ret, 1);
		ck_assert_msg(strstr(out, " is not supported\nLooks good but some kernel features "
					  "are missing\nwhich, depending on your process tree, may "
					  "cause\ndump or restore failure.\n"),
			      "got: %s", out);
	}
}
END_TEST

static Suite *check_suite(void)
{
	Suite *s = suite_create("check");
	TCase *table = tcase_create("table");
	TCase *probe = tcase_create("probe");
	TCase *cmd = tcase_create("cmd");

	suite_add_tcase(s, table);
	suite_add_tcase(s, probe);
	suite_add_tcase(s, cmd);
	tcase_add_checked_fixture(probe, setup, NULL);
	tcase_add_checked_fixture(cmd, setup, NULL);
	/* every probe is bounded by a 5 s alarm; sanitizers make them slower */
	tcase_set_timeout(probe, 60);
	tcase_set_timeout(cmd, 60);

	tcase_add_test(table, test_list_not_empty);
	tcase_add_test(table, test_required_names_known);
	tcase_add_test(table, test_mandatory_flags);
	tcase_add_test(table, test_unknown);

	tcase_add_test(probe, test_pagemap_scan);
	tcase_add_test(probe, test_mandatory_work_here);

	tcase_add_test(cmd, test_mem_dirty_track);
	tcase_add_test(cmd, test_cmd_list);
	tcase_add_test(cmd, test_cmd_unknown);
	tcase_add_test(cmd, test_cmd_feature);
	tcase_add_test(cmd, test_cmd_default);
	tcase_add_test(cmd, test_cmd_all);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(check_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
