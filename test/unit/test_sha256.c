// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-256: the FIPS 180-4 example messages, padding at every block edge,
 * the same message fed in chunks of every size, and the fd reader. Each
 * test runs once per block function (portable, and SHA extensions where
 * the CPU has them), so a fast path cannot drift from the reference.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/sha256.h"

static const enum sha256_impl impls[] = { SHA256_IMPL_GENERIC, SHA256_IMPL_SHANI };
#define NR_IMPLS ((int)(sizeof(impls) / sizeof(impls[0])))

/* false when this CPU lacks the implementation: the loop iteration passes */
static bool use_impl(int i)
{
	if (sha256_select(impls[i])) {
		ck_assert_int_eq(impls[i], SHA256_IMPL_SHANI);
		return false;
	}
	return true;
}

static void expect(const uint8_t d[SHA256_DIGEST_LEN], const char *want, const char *what)
{
	char hex[2 * SHA256_DIGEST_LEN + 1];

	sha256_hex(d, hex);
	ck_assert_msg(!strcmp(hex, want), "%s (%s): got %s, want %s", what, sha256_impl_name(),
		      hex, want);
}

static void expect_str(const char *msg, const char *want)
{
	uint8_t d[SHA256_DIGEST_LEN];

	sha256(msg, strlen(msg), d);
	expect(d, want, msg);
}

/* Bytes no block function can pass by accident: not periodic in 64. */
static uint8_t *pattern(size_t n)
{
	uint8_t *p = malloc(n);

	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 31 + (i >> 8));
	return p;
}

#define PATTERN_LEN 100000
/* sha256 of pattern(PATTERN_LEN), by an independent implementation */
static const char pattern_digest[] =
	"5f3d22bea9131f434d922d55fb4b3359164af01bc996a9bbfd4b308f4bbebf75";

START_TEST(test_fips_examples)
{
	if (!use_impl(_i))
		return;
	expect_str("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	expect_str("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	expect_str("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		   "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	expect_str("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		   "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		   "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}
END_TEST

START_TEST(test_million_a)
{
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_LEN];
	char a[1000];

	if (!use_impl(_i))
		return;
	memset(a, 'a', sizeof(a));
	sha256_init(&c);
	for (int i = 0; i < 1000; i++)
		sha256_update(&c, a, sizeof(a));
	sha256_final(&c, d);
	expect(d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	       "1,000,000 x 'a'");
}
END_TEST

/* The padding takes one block or two: lengths on both sides of 56 and 64. */
START_TEST(test_block_edges)
{
	static const struct {
		size_t len;
		const char *hex;
	} v[] = {
		{ 55, "27d3069ecafb8507f92fa750312a99afe0908525e67b2abe8942b51659945b1b" },
		{ 56, "3428ab653c0a1ac104ee80fd3bed55135da5556ca4c26da9c781ae56364a6969" },
		{ 63, "b5ec25bd1c4b7c94c9ea9d235272e43f644f561d7c8c7e58ec5fa9aefe95ef07" },
		{ 64, "a08f82c23e6c13629d8e33d0d2a13005fb104363eb793b5e8842044951d27764" },
		{ 65, "c0a0263ae1ab4e9dda9cd2ed6c44b23ee6ff75c90c640185f462fad7f24fcd6f" },
		{ 119, "b4639d08cdba917a7875088b4e05633a7812e14282482de937915c9799b17250" },
		{ 120, "e4fce14f6aa99657bdffe9f1da59ce85f0398479e9af7e9de6ccf53e174447ab" },
		{ 127, "c3328af00588e4c0de651212baf4babe06a69afd3a41320daf2508bd5290fc9e" },
		{ 128, "8bb5dfd6ac2a606ce25701c19ed1fe8fa3a1a7355cd7fe3445ac3e2cc7a45359" },
	};
	uint8_t *p = pattern(128), d[SHA256_DIGEST_LEN];
	char what[32];

	if (!use_impl(_i))
		goto out;
	for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
		snprintf(what, sizeof(what), "%zu pattern bytes", v[k].len);
		sha256(p, v[k].len, d);
		expect(d, v[k].hex, what);
	}
out:
	free(p);
}
END_TEST

/* Every chunk size from 1 to 3 blocks and then some, plus uneven mixes. */
START_TEST(test_multi_chunk)
{
	uint8_t *p = pattern(PATTERN_LEN), d[SHA256_DIGEST_LEN];
	char what[64];

	if (!use_impl(_i))
		goto out;
	sha256(p, PATTERN_LEN, d);
	expect(d, pattern_digest, "one update");
	for (size_t chunk = 1; chunk <= 200; chunk++) {
		struct sha256_ctx c;

		sha256_init(&c);
		for (size_t off = 0; off < PATTERN_LEN; off += chunk)
			sha256_update(&c, p + off,
				      PATTERN_LEN - off < chunk ? PATTERN_LEN - off : chunk);
		sha256_final(&c, d);
		snprintf(what, sizeof(what), "chunks of %zu", chunk);
		expect(d, pattern_digest, what);
	}
	{
		struct sha256_ctx c;
		size_t off = 0, step = 0;

		sha256_init(&c);
		sha256_update(&c, p, 0);
		while (off < PATTERN_LEN) {
			size_t n = (step++ * 7919) % 1000;

			if (n > PATTERN_LEN - off)
				n = PATTERN_LEN - off;
			sha256_update(&c, p + off, n);
			off += n;
		}
		sha256_final(&c, d);
		expect(d, pattern_digest, "uneven chunks, some empty");
	}
out:
	free(p);
}
END_TEST

START_TEST(test_fd)
{
	char path[] = "/tmp/criu-unit-sha256.XXXXXX";
	uint8_t *p = pattern(PATTERN_LEN), d[SHA256_DIGEST_LEN];
	uint64_t size = 0;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	if (!use_impl(_i))
		goto out;
	ck_assert_int_eq(write(fd, p, PATTERN_LEN), PATTERN_LEN);
	/* the digest is of the whole file wherever the offset stands */
	ck_assert_int_eq(sha256_fd(fd, d, &size), 0);
	ck_assert_uint_eq(size, PATTERN_LEN);
	expect(d, pattern_digest, "file");
	ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), PATTERN_LEN);
	ck_assert_int_eq(ftruncate(fd, 0), 0);
	ck_assert_int_eq(sha256_fd(fd, d, &size), 0);
	ck_assert_uint_eq(size, 0);
	expect(d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	       "empty file");
	close(fd);
	fd = -1;
	errno = 0;
	ck_assert_int_eq(sha256_fd(-1, d, &size), -1);
	ck_assert_int_eq(errno, EBADF);
out:
	if (fd >= 0)
		close(fd);
	free(p);
}
END_TEST

START_TEST(test_select)
{
	ck_assert_int_eq(sha256_select(SHA256_IMPL_GENERIC), 0);
	ck_assert_str_eq(sha256_impl_name(), "generic");
	ck_assert_int_eq(sha256_select(SHA256_IMPL_AUTO), 0);
	ck_assert_int_eq(sha256_select((enum sha256_impl)99), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* Not a check: the throughput of each implementation, for the record. */
START_TEST(test_speed)
{
	size_t len = 32UL << 20;
	uint8_t *p = pattern(len), d[SHA256_DIGEST_LEN];
	struct timespec a, b;
	double s;

	if (!use_impl(_i))
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &a);
	sha256(p, len, d);
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("sha256 %s: %.0f MB/s\n", sha256_impl_name(), len / s / 1e6);
out:
	free(p);
}
END_TEST

static Suite *sha256_suite(void)
{
	Suite *s = suite_create("sha256");
	TCase *tc = tcase_create("vectors");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_fips_examples, 0, NR_IMPLS);
	tcase_add_loop_test(tc, test_million_a, 0, NR_IMPLS);
	tcase_add_loop_test(tc, test_block_edges, 0, NR_IMPLS);
	tcase_add_loop_test(tc, test_multi_chunk, 0, NR_IMPLS);
	tcase_add_loop_test(tc, test_fd, 0, NR_IMPLS);
	tcase_add_test(tc, test_select);
	tcase_add_loop_test(tc, test_speed, 0, NR_IMPLS);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sha256_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
