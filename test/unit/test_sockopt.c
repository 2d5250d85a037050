// SPDX-License-Identifier: GPL-2.0
/*
 * The socket option helpers the socket kinds share: a classic BPF filter
 * read back and attached again in the packed form of the images, options
 * compared with a fresh socket's, buffer sizes set back as they were read.
 */
#include <check.h>
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/sockopt.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct sock_filter prog[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
	BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 3, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, 0),
	BPF_STMT(BPF_RET | BPF_K, 0xfffffffe),
};

START_TEST(test_filter_none)
{
	int sk = socket(AF_INET, SOCK_DGRAM, 0);
	uint64_t *p = (uint64_t *)1;
	size_t n = 7;

	ck_assert_int_ge(sk, 0);
	ck_assert_int_eq(sk_filter_dump(sk, "test socket", &p, &n), 0);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(n, 0);
	/* nothing to attach is no error */
	ck_assert_int_eq(sk_filter_restore(sk, "test socket", NULL, 0), 0);
	close(sk);
}
END_TEST

START_TEST(test_filter_round_trip)
{
	struct sock_fprog fp = { ARRAY_SIZE(prog), prog };
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sock_filter back[ARRAY_SIZE(prog)];
	socklen_t blen = ARRAY_SIZE(back);
	uint64_t *p;
	size_t n;

	ck_assert_int_eq(setsockopt(a, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)), 0);
	ck_assert_int_eq(sk_filter_dump(a, "test socket", &p, &n), 0);
	ck_assert_uint_eq(n, ARRAY_SIZE(prog));
	/* the packed form: code | jt << 16 | jf << 24 | k << 32 */
	ck_assert_uint_eq(p[1], (uint64_t)(BPF_JMP | BPF_JGT | BPF_K) | 1ull << 16 | 3ull << 32);
	ck_assert_uint_eq(p[3], (uint64_t)(BPF_RET | BPF_K) | 0xfffffffeull << 32);
	/* on another family, too */
	ck_assert_int_eq(sk_filter_restore(b, "test socket", p, n), 0);
	ck_assert_int_eq(getsockopt(b, SOL_SOCKET, SO_GET_FILTER, back, &blen), 0);
	ck_assert_uint_eq(blen, ARRAY_SIZE(prog));
	ck_assert_mem_eq(back, prog, sizeof(prog));
	free(p);
	close(a);
	close(b);
}
END_TEST

START_TEST(test_filter_damage)
{
	uint64_t bad[] = { 0xffff };	/* no such instruction */
	int sk = socket(AF_INET, SOCK_DGRAM, 0);
	uint64_t *many = calloc(BPF_MAXINSNS + 1, sizeof(*many));

	ck_assert_int_eq(sk_filter_restore(sk, "test socket", bad, 1), -1);
	ck_assert_int_eq(sk_filter_restore(sk, "test socket", many, BPF_MAXINSNS + 1), -1);
	free(many);
	close(sk);
	/* not a socket at all */
	ck_assert_int_eq(sk_filter_dump(-1, "no fd", &many, &(size_t){ 0 }), -1);
}
END_TEST

START_TEST(test_differs)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), fresh = socket(AF_INET, SOCK_DGRAM, 0);
	int v = 0, prio = 3;
	socklen_t len = sizeof(v);

	ck_assert_int_eq(sockopt_differs(a, fresh, SOL_SOCKET, SO_PRIORITY, &v, &len), 0);
	ck_assert_int_eq(setsockopt(a, SOL_SOCKET, SO_PRIORITY, &prio, sizeof(prio)), 0);
	len = sizeof(v);
	ck_assert_int_eq(sockopt_differs(a, fresh, SOL_SOCKET, SO_PRIORITY, &v, &len), 1);
	ck_assert_int_eq(v, 3);
	ck_assert_int_eq(len, sizeof(v));
	/* an option @fresh does not have counts as different */
	len = sizeof(v);
	ck_assert_int_eq(sockopt_differs(a, -1, SOL_SOCKET, SO_PRIORITY, &v, &len), 1);
	/* @fd cannot tell: an error */
	len = sizeof(v);
	ck_assert_int_eq(sockopt_differs(-1, fresh, SOL_SOCKET, SO_PRIORITY, &v, &len), -1);
	close(a);
	close(fresh);
}
END_TEST

/* A size read back, set again, reads back the same (SO_*BUFFORCE: root only). */
START_TEST(test_restore_bufsize)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
	int size = 123456, got = 0, again = 0;
	socklen_t len = sizeof(got);

	ck_assert_int_eq(setsockopt(a, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)), 0);
	ck_assert_int_eq(getsockopt(a, SOL_SOCKET, SO_RCVBUF, &got, &len), 0);
	if (sockopt_restore(b, SOL_SOCKET, SO_RCVBUF, &got, sizeof(got))) {
		ck_assert_int_eq(errno, EPERM);
	} else {
		len = sizeof(again);
		ck_assert_int_eq(getsockopt(b, SOL_SOCKET, SO_RCVBUF, &again, &len), 0);
		ck_assert_int_eq(again, got);
	}
	/* other options pass through as they are */
	ck_assert_int_eq(sockopt_restore(b, SOL_SOCKET, SO_PRIORITY, &(int){ 2 }, sizeof(int)), 0);
	len = sizeof(again);
	ck_assert_int_eq(getsockopt(b, SOL_SOCKET, SO_PRIORITY, &again, &len), 0);
	ck_assert_int_eq(again, 2);
	close(a);
	close(b);
}
END_TEST

static Suite *sockopt_suite(void)
{
	Suite *s = suite_create("sockopt");
	TCase *tc = tcase_create("sockopt");

	suite_add_tcase(s, tc);
	tcase_add_test(tc, test_filter_none);
	tcase_add_test(tc, test_filter_round_trip);
	tcase_add_test(tc, test_filter_damage);
	tcase_add_test(tc, test_differs);
	tcase_add_test(tc, test_restore_bufsize);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sockopt_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
