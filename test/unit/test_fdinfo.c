// SPDX-License-Identifier: GPL-2.0
/*
 * The parsers of kind-specific fdinfo lines (epoll targets, inotify
 * watches, fanotify marks) and of mountinfo lines: real kernel text,
 * odd but valid text, damaged text; then the live forms on objects this
 * test makes.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/fdinfo.h"
#include "util/proc.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------- epoll */

START_TEST(test_epoll_real)
{
	struct fdinfo_epoll_tfd t;

	/* kernel 6.18: "tfd: %8d events: %8x data: %16llx  pos:%lli ino:%lx sdev:%x" */
	ck_assert_int_eq(fdinfo_parse_epoll_tfd("tfd:        3 events: 80000019 data: "
						"1122334455667788  pos:0 ino:508c01 sdev:f\n",
						&t), 0);
	ck_assert_uint_eq(t.tfd, 3);
	ck_assert_uint_eq(t.events, 0x80000019);
	ck_assert_uint_eq(t.data, 0x1122334455667788ULL);
	ck_assert_int_eq(fdinfo_parse_epoll_tfd("tfd:      100 events:       19 data: "
						"               3  pos:0 ino:40e sdev:10", &t), 0);
	ck_assert_uint_eq(t.tfd, 100);
	ck_assert_uint_eq(t.events, 0x19);
	ck_assert_uint_eq(t.data, 3);
	ck_assert_int_eq(fdinfo_parse_epoll_tfd("tfd: 7 events: ffffffff data: ffffffffffffffff",
						&t), 0);
	ck_assert_uint_eq(t.events, 0xffffffffu);
	ck_assert_uint_eq(t.data, UINT64_MAX);
}
END_TEST

START_TEST(test_epoll_bad)
{
	static const char *const bad[] = {
		"",
		"tfd:",
		"tfd: 3",
		"tfd: 3 events: 19",
		"tfd: 3 events: 19 data:",
		"tfd: x events: 19 data: 1",
		"pos:\t0",
		"tfd: 3 event: 19 data: 1",
	};
	struct fdinfo_epoll_tfd t;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(fdinfo_parse_epoll_tfd(bad[i], &t) == -1, "accepted [%s]", bad[i]);
}
END_TEST

/* -------------------------------------------------------------- inotify */

static const char ino_real[] = "inotify wd:2 ino:35d sdev:fe00000 mask:80000100 ignored_mask:0 "
			       "fhandle-bytes:8 fhandle-type:1 f_handle:5d03000000000000\n";

START_TEST(test_inotify_real)
{
	static const uint8_t h[8] = { 0x5d, 0x03, 0, 0, 0, 0, 0, 0 };
	struct fdinfo_inotify_wd w;

	ck_assert_int_eq(fdinfo_parse_inotify_wd(ino_real, &w), 0);
	ck_assert_uint_eq(w.wd, 2);
	ck_assert_uint_eq(w.mask, 0x80000100);
	ck_assert_uint_eq(w.ignored_mask, 0);
	ck_assert(w.obj.has_ino && w.obj.has_handle);
	ck_assert_uint_eq(w.obj.ino, 0x35d);
	ck_assert_uint_eq(w.obj.sdev, 0xfe00000);
	ck_assert_uint_eq(w.obj.handle_bytes, 8);
	ck_assert_uint_eq(w.obj.handle_type, 1);
	ck_assert_mem_eq(w.obj.handle, h, 8);
}
END_TEST

/* wd in hex, a long handle (btrfs-like), a 64-bit inode */
START_TEST(test_inotify_odd)
{
	struct fdinfo_inotify_wd w;

	ck_assert_int_eq(fdinfo_parse_inotify_wd("inotify wd:1a ino:123456789a sdev:2d mask:fff "
						 "ignored_mask:0 fhandle-bytes:1c fhandle-type:4d "
						 "f_handle:000102030405060708090a0b0c0d0e0f10111213"
						 "1415161718191a1b", &w), 0);
	ck_assert_uint_eq(w.wd, 0x1a);
	ck_assert_uint_eq(w.obj.ino, 0x123456789aULL);
	ck_assert_uint_eq(w.obj.handle_bytes, 28);
	ck_assert_uint_eq(w.obj.handle_type, 0x4d);
	for (int i = 0; i < 28; i++)
		ck_assert_uint_eq(w.obj.handle[i], i);
}
END_TEST

/* a filesystem without file handles: fdinfo shows none */
START_TEST(test_inotify_no_handle)
{
	struct fdinfo_inotify_wd w;
	struct fdinfo_fanotify_mark m;

	ck_assert_int_eq(fdinfo_parse_inotify_wd("inotify wd:1 ino:1 sdev:5 mask:2 "
						 "ignored_mask:0\n", &w), 0);
	ck_assert(w.obj.has_ino && !w.obj.has_handle);
	ck_assert_uint_eq(w.obj.sdev, 5);
	ck_assert_int_eq(fdinfo_parse_fanotify_mark("fanotify ino:3c51a sdev:fe00000 mflags:0 "
						    "mask:2 ignored_mask:0", &m), 0);
	ck_assert_int_eq(m.kind, FDINFO_FAN_INODE);
	ck_assert(!m.obj.has_handle);
}
END_TEST

START_TEST(test_inotify_bad)
{
	static const char *const bad[] = {
		"",
		"inotify",
		"fanotify wd:2 ino:35d sdev:fe00000 mask:2 ignored_mask:0 fhandle-bytes:8 "
		"fhandle-type:1 f_handle:5d03000000000000",
		/* handle shorter than it says */
		"inotify wd:2 ino:35d sdev:fe00000 mask:2 ignored_mask:0 fhandle-bytes:8 "
		"fhandle-type:1 f_handle:5d03",
		/* handle longer than MAX_HANDLE_SZ */
		"inotify wd:2 ino:35d sdev:fe00000 mask:2 ignored_mask:0 fhandle-bytes:81 "
		"fhandle-type:1 f_handle:5d03",
		"inotify wd:2 ino:35d sdev:fe00000 mask:2 ignored_mask:0 fhandle-bytes:2 "
		"fhandle-type:1 f_handle:zz00",
		"inotify wd: ino:35d sdev:fe00000 mask:2 ignored_mask:0 fhandle-bytes:1 "
		"fhandle-type:1 f_handle:00",
		"inotify wd:2 ino:35d mask:2 ignored_mask:0 fhandle-bytes:1 fhandle-type:1 "
		"f_handle:00",
		"inotify wd:2 ino:35d sdev:fe00000 mask:1ffffffff ignored_mask:0 fhandle-bytes:1 "
		"fhandle-type:1 f_handle:00",
	};
	struct fdinfo_inotify_wd w;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(fdinfo_parse_inotify_wd(bad[i], &w) == -1, "accepted [%s]", bad[i]);
}
END_TEST

/* ------------------------------------------------------------- fanotify */

START_TEST(test_fanotify_real)
{
	struct fdinfo_fanotify_mark m;
	uint32_t fl, efl;

	ck_assert_int_eq(fdinfo_parse_fanotify_head("fanotify flags:200 event-flags:8000\n", &fl,
						    &efl), 0);
	ck_assert_uint_eq(fl, 0x200);
	ck_assert_uint_eq(efl, 0x8000);

	ck_assert_int_eq(fdinfo_parse_fanotify_mark(
				 "fanotify ino:3c51a sdev:fe00000 mflags:40 mask:40000100 "
				 "ignored_mask:2 fhandle-bytes:8 fhandle-type:1 "
				 "f_handle:1ac5030000000000\n", &m), 0);
	ck_assert_int_eq(m.kind, FDINFO_FAN_INODE);
	ck_assert_uint_eq(m.mflags, 0x40);
	ck_assert_uint_eq(m.mask, 0x40000100);
	ck_assert_uint_eq(m.ignored_mask, 2);
	ck_assert_uint_eq(m.obj.ino, 0x3c51a);
	ck_assert_uint_eq(m.obj.sdev, 0xfe00000);
	ck_assert(m.obj.has_handle);
	ck_assert_uint_eq(m.obj.handle[0], 0x1a);

	ck_assert_int_eq(fdinfo_parse_fanotify_mark("fanotify mnt_id:1a mflags:0 mask:20 "
						    "ignored_mask:0\n", &m), 0);
	ck_assert_int_eq(m.kind, FDINFO_FAN_MOUNT);
	ck_assert_int_eq(m.mnt_id, 0x1a);
	ck_assert_uint_eq(m.mask, 0x20);

	ck_assert_int_eq(fdinfo_parse_fanotify_mark("fanotify sdev:16 mflags:0 mask:10 "
						    "ignored_mask:0", &m), 0);
	ck_assert_int_eq(m.kind, FDINFO_FAN_SB);
	ck_assert_uint_eq(m.obj.sdev, 0x16);
	ck_assert(!m.obj.has_handle);
}
END_TEST

START_TEST(test_fanotify_bad)
{
	static const char *const bad[] = {
		"",
		"fanotify ",
		"fanotify flags:0 event-flags:8000",
		"fanotify mnt_id:1a mask:20 ignored_mask:0",
		"fanotify mnt_id:zz mflags:0 mask:20 ignored_mask:0",
		"fanotify what:1 mflags:0 mask:2 ignored_mask:0",
		"inotify sdev:16 mflags:0 mask:10 ignored_mask:0",
	};
	struct fdinfo_fanotify_mark m;
	uint32_t fl, efl;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(fdinfo_parse_fanotify_mark(bad[i], &m) == -1, "accepted [%s]",
			      bad[i]);
	ck_assert_int_eq(fdinfo_parse_fanotify_head("fanotify flags:200", &fl, &efl), -1);
	ck_assert_int_eq(fdinfo_parse_fanotify_head("fanotify ino:1 sdev:2", &fl, &efl), -1);
}
END_TEST

/* ------------------------------------------------------------ mountinfo */

START_TEST(test_mountinfo_real)
{
	struct mountinfo_line m;

	ck_assert_int_eq(proc_parse_mountinfo_line("29 24 0:26 / /dev/shm rw,relatime - tmpfs "
						   "tmpfs rw,size=24683620k\n", &m), 0);
	ck_assert_int_eq(m.id, 29);
	ck_assert_int_eq(m.parent, 24);
	ck_assert_uint_eq(m.major, 0);
	ck_assert_uint_eq(m.minor, 26);
	ck_assert_str_eq(m.root, "/");
	ck_assert_str_eq(m.mountpoint, "/dev/shm");

	/* a bind mount of a subdirectory, blanks and a backslash escaped */
	ck_assert_int_eq(proc_parse_mountinfo_line("300 29 254:0 /a\\040b /mnt/x\\134y\\011z "
						   "rw shared:5 - ext4 /dev/vda rw", &m), 0);
	ck_assert_uint_eq(m.major, 254);
	ck_assert_str_eq(m.root, "/a b");
	ck_assert_str_eq(m.mountpoint, "/mnt/x\\y\tz");
}
END_TEST

START_TEST(test_mountinfo_bad)
{
	static const char *const bad[] = {
		"",
		"29",
		"29 24 0:26",
		"29 24 0:26 /",
		"29 24 026 / /dev/shm rw - tmpfs tmpfs rw",
		"x 24 0:26 / /dev/shm rw - tmpfs tmpfs rw",
	};
	struct mountinfo_line m;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(proc_parse_mountinfo_line(bad[i], &m) == -1, "accepted [%s]",
			      bad[i]);
}
END_TEST

/* ----------------------------------------------------------------- live */

/* The first line of our fdinfo of @fd starting with @prefix (static). */
static const char *live_line(int fd, const char *prefix)
{
	static char buf[8192];
	char *text = proc_read_file("/proc/self/fdinfo/%d", fd), *s;

	ck_assert_ptr_nonnull(text);
	s = strstr(text, prefix);
	ck_assert_ptr_nonnull(s);
	snprintf(buf, sizeof(buf), "%s", s);
	free(text);
	return buf;
}

START_TEST(test_live_epoll)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 0xfeedULL };
	struct fdinfo_epoll_tfd t;
	int p[2], ep = epoll_create1(0);

	ck_assert_int_ge(ep, 0);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
	ck_assert_int_eq(fdinfo_parse_epoll_tfd(live_line(ep, "tfd:"), &t), 0);
	ck_assert_uint_eq(t.tfd, p[0]);
	ck_assert_uint_eq(t.events & (EPOLLIN | EPOLLET), EPOLLIN | EPOLLET);
	ck_assert_uint_eq(t.data, 0xfeed);
}
END_TEST

START_TEST(test_live_inotify)
{
	struct fdinfo_inotify_wd w;
	struct stat st;
	int in = inotify_init1(0), wd;

	ck_assert_int_ge(in, 0);
	wd = inotify_add_watch(in, "/", IN_CREATE | IN_ONESHOT);
	ck_assert_int_gt(wd, 0);
	ck_assert_int_eq(stat("/", &st), 0);
	ck_assert_int_eq(fdinfo_parse_inotify_wd(live_line(in, "inotify "), &w), 0);
	ck_assert_uint_eq(w.wd, wd);
	ck_assert_uint_eq(w.mask, IN_CREATE | IN_ONESHOT);
	ck_assert_uint_eq(w.obj.ino, st.st_ino);
	ck_assert_uint_eq(w.obj.sdev >> 20, major(st.st_dev));
	ck_assert_uint_eq(w.obj.sdev & 0xfffff, minor(st.st_dev));
}
END_TEST

START_TEST(test_live_mountinfo)
{
	char *text = proc_read_file("/proc/self/mountinfo"), *line, *save = NULL;
	struct mountinfo_line m;
	bool root = false;

	ck_assert_ptr_nonnull(text);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		ck_assert_msg(proc_parse_mountinfo_line(line, &m) == 0, "rejected [%s]", line);
		root |= !strcmp(m.mountpoint, "/");
	}
	ck_assert(root);
	free(text);
}
END_TEST

static Suite *fdinfo_suite(void)
{
	Suite *s = suite_create("fdinfo");
	TCase *text = tcase_create("text"), *live = tcase_create("live");

	suite_add_tcase(s, text);
	suite_add_tcase(s, live);
	tcase_add_test(text, test_epoll_real);
	tcase_add_test(text, test_epoll_bad);
	tcase_add_test(text, test_inotify_real);
	tcase_add_test(text, test_inotify_odd);
	tcase_add_test(text, test_inotify_no_handle);
	tcase_add_test(text, test_inotify_bad);
	tcase_add_test(text, test_fanotify_real);
	tcase_add_test(text, test_fanotify_bad);
	tcase_add_test(text, test_mountinfo_real);
	tcase_add_test(text, test_mountinfo_bad);
	tcase_add_test(live, test_live_epoll);
	tcase_add_test(live, test_live_inotify);
	tcase_add_test(live, test_live_mountinfo);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fdinfo_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
