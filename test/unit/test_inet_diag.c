// SPDX-License-Identifier: GPL-2.0
/*
 * The INET_DIAG answer parser on hand-built netlink buffers (IPv4 and IPv6
 * sockets, errors and damage), then one live query that finds both ends of
 * a loopback connection of this test process and a listener.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nlbuf.h"
#include "util/inet_diag.h"

static void add_sk(struct nlbuf *nb, int family, int state, uint32_t ino, uint16_t sport)
{
	struct inet_diag_msg m = { .idiag_family = family, .idiag_state = state,
				   .idiag_inode = ino };

	m.id.idiag_sport = htons(sport);
	m.id.idiag_dport = htons(4000);
	m.id.idiag_src[0] = htonl(INADDR_LOOPBACK);
	nl_start(nb, SOCK_DIAG_BY_FAMILY, &m, sizeof(m));
	msg_end(nb);
}

START_TEST(test_parse)
{
	struct inet_diag_set set = { 0 };
	struct nlbuf nb = { .len = 0 };

	add_sk(&nb, AF_INET, TCP_LISTEN, 11, 80);
	add_sk(&nb, AF_INET6, TCP_ESTABLISHED, 0, 80);
	done(&nb);
	ck_assert_int_eq(inet_diag_parse(nb.b, nb.len, &set), 1);
	ck_assert_int_eq(set.nr, 2);
	ck_assert_uint_eq(set.sk[0].family, AF_INET);
	ck_assert_uint_eq(set.sk[0].state, TCP_LISTEN);
	ck_assert_uint_eq(set.sk[0].ino, 11);
	ck_assert_uint_eq(ntohs(set.sk[0].sport), 80);
	ck_assert_uint_eq(ntohs(set.sk[0].dport), 4000);
	ck_assert_uint_eq(set.sk[0].src[0], 127);
	ck_assert_uint_eq(set.sk[1].family, AF_INET6);
	ck_assert_uint_eq(set.sk[1].ino, 0);
	inet_diag_free(&set);
	ck_assert_int_eq(set.nr, 0);
}
END_TEST

START_TEST(test_parse_error_and_damage)
{
	struct inet_diag_set set = { 0 };
	struct nlbuf nb = { .len = 0 };
	struct nlmsgerr e = { .error = -EPERM };

	nl_start(&nb, NLMSG_ERROR, &e, sizeof(e));
	msg_end(&nb);
	errno = 0;
	ck_assert_int_eq(inet_diag_parse(nb.b, nb.len, &set), -1);
	ck_assert_int_eq(errno, EPERM);
	inet_diag_free(&set);

	/* a family that is not inet */
	nb.len = 0;
	add_sk(&nb, AF_UNIX, TCP_LISTEN, 1, 1);
	ck_assert_int_eq(inet_diag_parse(nb.b, nb.len, &set), -1);
	inet_diag_free(&set);

	/* cut short */
	nb.len = 0;
	add_sk(&nb, AF_INET, TCP_LISTEN, 1, 1);
	ck_assert_int_eq(inet_diag_parse(nb.b, nb.len - 8, &set), -1);
	inet_diag_free(&set);
}
END_TEST

static const struct inet_diag_sk *find(const struct inet_diag_set *set, uint32_t ino)
{
	for (int i = 0; i < set->nr; i++)
		if (set->sk[i].ino == ino)
			return &set->sk[i];
	return NULL;
}

START_TEST(test_live)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct inet_diag_set set = { 0 };
	const struct inet_diag_sk *lk, *ck;
	socklen_t len = sizeof(sa);
	struct stat ls, cs;
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert(l >= 0 && c >= 0);
	ck_assert_int_eq(bind(l, (struct sockaddr *)&sa, len), 0);
	ck_assert_int_eq(getsockname(l, (struct sockaddr *)&sa, &len), 0);
	ck_assert_int_eq(listen(l, 1), 0);
	ck_assert_int_eq(connect(c, (struct sockaddr *)&sa, len), 0);
	ck_assert_int_eq(fstat(l, &ls), 0);
	ck_assert_int_eq(fstat(c, &cs), 0);
	ck_assert_int_eq(inet_diag_collect(&set, 1 << TCP_LISTEN | 1 << TCP_ESTABLISHED), 0);
	lk = find(&set, ls.st_ino);
	ck = find(&set, cs.st_ino);
	ck_assert_ptr_nonnull(lk);
	ck_assert_ptr_nonnull(ck);
	ck_assert_uint_eq(lk->state, TCP_LISTEN);
	ck_assert_uint_eq(lk->sport, sa.sin_port);
	ck_assert_uint_eq(ck->state, TCP_ESTABLISHED);
	ck_assert_uint_eq(ck->dport, sa.sin_port);
	/* the connection not accepted yet: the other end, with no file */
	for (int i = 0; i < set.nr; i++)
		if (set.sk[i].state == TCP_ESTABLISHED && set.sk[i].sport == sa.sin_port &&
		    set.sk[i].dport == ck->sport)
			ck_assert_uint_eq(set.sk[i].ino, 0);
	inet_diag_free(&set);
	close(c);
	close(l);
}
END_TEST

static Suite *inet_diag_suite(void)
{
	Suite *s = suite_create("inet_diag");
	TCase *tc = tcase_create("parse");

	suite_add_tcase(s, tc);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_parse_error_and_damage);
	tcase_add_test(tc, test_live);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(inet_diag_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
