// SPDX-License-Identifier: GPL-2.0
/*
 * The PACKET_DIAG answer parser on hand-built netlink buffers (memberships,
 * none, errors and damage), then one live query on a packet socket of this
 * test process with memberships on lo (needs CAP_NET_RAW; skipped without).
 */
#include <check.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nlbuf.h"
#include "util/packet_diag.h"

static void msg_start(struct nlbuf *nb, uint32_t ino)
{
	struct packet_diag_msg m = { .pdiag_family = AF_PACKET, .pdiag_type = SOCK_RAW,
				     .pdiag_ino = ino };

	nl_start(nb, SOCK_DIAG_BY_FAMILY, &m, sizeof(m));
}

/* Socket 10: promiscuous twice on if 1, then a multicast address; 20: none. */
static void build_two(struct nlbuf *nb)
{
	struct packet_diag_mclist mc[2] = {
		{ .pdmc_index = 1, .pdmc_count = 1, .pdmc_type = PACKET_MR_MULTICAST,
		  .pdmc_alen = 6, .pdmc_addr = { 0x01, 0x00, 0x5e, 0, 0, 0xfb } },
		{ .pdmc_index = 1, .pdmc_count = 2, .pdmc_type = PACKET_MR_PROMISC },
	};

	msg_start(nb, 10);
	attr(nb, PACKET_DIAG_MCLIST, mc, sizeof(mc));
	msg_end(nb);
	msg_start(nb, 20);
	attr(nb, PACKET_DIAG_MCLIST, mc, 0);
	msg_end(nb);
}

START_TEST(test_parse_members)
{
	struct packet_diag_set set = { 0 };
	struct packet_diag_sk *a, *b;
	struct nlbuf nb = { .len = 0 };

	build_two(&nb);
	done(&nb);
	ck_assert_int_eq(packet_diag_parse(nb.b, nb.len, &set), 1);
	ck_assert_int_eq(set.nr, 2);
	a = packet_diag_find(&set, 10);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->nr_mc, 2);
	ck_assert_uint_eq(a->mc[0].type, PACKET_MR_MULTICAST);
	ck_assert_uint_eq(a->mc[0].alen, 6);
	ck_assert_uint_eq(a->mc[0].addr[5], 0xfb);
	ck_assert_uint_eq(a->mc[1].type, PACKET_MR_PROMISC);
	ck_assert_uint_eq(a->mc[1].count, 2);
	ck_assert_uint_eq(a->mc[1].ifindex, 1);
	b = packet_diag_find(&set, 20);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(b->nr_mc, 0);
	ck_assert_ptr_null(packet_diag_find(&set, 30));
	packet_diag_free(&set);
	ck_assert_int_eq(set.nr, 0);
}
END_TEST

START_TEST(test_parse_more_to_come)
{
	struct packet_diag_set set = { 0 };
	struct nlbuf nb = { .len = 0 };

	build_two(&nb);
	ck_assert_int_eq(packet_diag_parse(nb.b, nb.len, &set), 0);
	ck_assert_int_eq(set.nr, 2);
	packet_diag_free(&set);
}
END_TEST

START_TEST(test_parse_error_msg)
{
	struct packet_diag_set set = { 0 };
	struct nlbuf nb = { .len = 0 };
	struct nlmsgerr e = { .error = -ENOENT };

	nl_start(&nb, NLMSG_ERROR, &e, sizeof(e));
	msg_end(&nb);
	errno = 0;
	ck_assert_int_eq(packet_diag_parse(nb.b, nb.len, &set), -1);
	ck_assert_int_eq(errno, ENOENT);
	packet_diag_free(&set);
}
END_TEST

START_TEST(test_parse_damage)
{
	struct packet_diag_mclist mc = { .pdmc_alen = 33 };
	struct packet_diag_set set = { 0 };
	struct nlbuf nb = { .len = 0 };

	/* a list that is not a whole number of entries */
	msg_start(&nb, 10);
	attr(&nb, PACKET_DIAG_MCLIST, &mc, sizeof(mc) - 1);
	msg_end(&nb);
	ck_assert_int_eq(packet_diag_parse(nb.b, nb.len, &set), -1);
	packet_diag_free(&set);

	/* an address longer than any link layer's */
	nb.len = 0;
	msg_start(&nb, 10);
	attr(&nb, PACKET_DIAG_MCLIST, &mc, sizeof(mc));
	msg_end(&nb);
	ck_assert_int_eq(packet_diag_parse(nb.b, nb.len, &set), -1);
	packet_diag_free(&set);

	/* a message cut short */
	nb.len = 0;
	build_two(&nb);
	ck_assert_int_eq(packet_diag_parse(nb.b, nb.len - 4, &set), -1);
	packet_diag_free(&set);
}
END_TEST

START_TEST(test_live)
{
	struct packet_mreq mr = { .mr_type = PACKET_MR_ALLMULTI };
	struct packet_diag_set set = { 0 };
	struct packet_diag_sk *sk;
	struct stat st;
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	if (fd < 0 && (errno == EPERM || errno == EACCES))
		return;	/* no CAP_NET_RAW: nothing to ask about */
	ck_assert_int_ge(fd, 0);
	mr.mr_ifindex = if_nametoindex("lo");
	ck_assert_int_eq(setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(packet_diag_collect(&set), 0);
	sk = packet_diag_find(&set, st.st_ino);
	ck_assert_ptr_nonnull(sk);
	ck_assert_int_eq(sk->nr_mc, 1);
	ck_assert_uint_eq(sk->mc[0].type, PACKET_MR_ALLMULTI);
	ck_assert_uint_eq(sk->mc[0].ifindex, mr.mr_ifindex);
	ck_assert_uint_eq(sk->mc[0].count, 1);
	packet_diag_free(&set);
	close(fd);
}
END_TEST

static Suite *packet_diag_suite(void)
{
	Suite *s = suite_create("packet_diag");
	TCase *tc = tcase_create("parse");

	suite_add_tcase(s, tc);
	tcase_add_test(tc, test_parse_members);
	tcase_add_test(tc, test_parse_more_to_come);
	tcase_add_test(tc, test_parse_error_msg);
	tcase_add_test(tc, test_parse_damage);
	tcase_add_test(tc, test_live);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(packet_diag_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
