// SPDX-License-Identifier: GPL-2.0
/*
 * The UNIX_DIAG answer parser on hand-built netlink buffers laid out as the
 * kernel sends them (normal, several per buffer, errors and damage), then
 * one live query on sockets of this test process.
 */
#include <check.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "nlbuf.h"
#include "util/unix_diag.h"

static void msg_start(struct nlbuf *nb, uint16_t type, uint32_t ino, uint8_t sktype,
		      uint8_t state)
{
	struct unix_diag_msg m = { .udiag_family = AF_UNIX, .udiag_ino = ino,
				   .udiag_type = sktype, .udiag_state = state };

	nl_start(nb, type, &m, sizeof(m));
}

/* A listener at /srv/s with two pending connections, then a socketpair end. */
static void build_pair(struct nlbuf *nb)
{
	struct unix_diag_vfs vfs = { .udiag_vfs_ino = 777, .udiag_vfs_dev = (254 << 20) | 1 };
	struct unix_diag_rqlen rq = { .udiag_rqueue = 2, .udiag_wqueue = 16 };
	uint32_t icons[2] = { 501, 502 }, peer = 301;
	uint8_t shut = 0;

	msg_start(nb, SOCK_DIAG_BY_FAMILY, 100, SOCK_STREAM, 10);
	attr(nb, UNIX_DIAG_NAME, "/srv/s", 6);
	attr(nb, UNIX_DIAG_VFS, &vfs, sizeof(vfs));
	attr(nb, UNIX_DIAG_ICONS, icons, sizeof(icons));
	attr(nb, UNIX_DIAG_RQLEN, &rq, sizeof(rq));
	attr(nb, UNIX_DIAG_SHUTDOWN, &shut, 1);
	msg_end(nb);

	rq = (struct unix_diag_rqlen){ .udiag_rqueue = 5, .udiag_wqueue = 0 };
	shut = 3;
	msg_start(nb, SOCK_DIAG_BY_FAMILY, 300, SOCK_SEQPACKET, 1);
	attr(nb, UNIX_DIAG_PEER, &peer, sizeof(peer));
	attr(nb, UNIX_DIAG_ICONS, icons, 0);
	attr(nb, UNIX_DIAG_RQLEN, &rq, sizeof(rq));
	attr(nb, UNIX_DIAG_SHUTDOWN, &shut, 1);
	msg_end(nb);
}

START_TEST(test_parse_full)
{
	struct unix_diag_set set = { 0 };
	struct unix_diag_sk *l, *p;
	struct nlbuf nb = { .len = 0 };

	build_pair(&nb);
	done(&nb);
	ck_assert_int_eq(unix_diag_parse(nb.b, nb.len, &set), 1);
	ck_assert_int_eq(set.nr, 2);
	l = unix_diag_find(&set, 100);
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(l->type, SOCK_STREAM);
	ck_assert_int_eq(l->state, 10);
	ck_assert(l->has_name && l->name_len == 6 && !memcmp(l->name, "/srv/s", 6));
	ck_assert(l->has_vfs && l->vfs_ino == 777 && l->vfs_dev == ((254 << 20) | 1));
	ck_assert(!l->has_peer);
	ck_assert_uint_eq(l->nr_icons, 2);
	ck_assert_uint_eq(l->icons[0], 501);
	ck_assert_uint_eq(l->icons[1], 502);
	ck_assert(l->has_rqlen && l->rqueue == 2 && l->wqueue == 16);
	p = unix_diag_find(&set, 300);
	ck_assert_ptr_nonnull(p);
	ck_assert(p->has_peer && p->peer == 301);
	ck_assert(!p->has_name && !p->has_vfs);
	ck_assert_uint_eq(p->nr_icons, 0);
	ck_assert_int_eq(p->shutdown, 3);
	ck_assert_uint_eq(p->rqueue, 5);
	ck_assert_ptr_null(unix_diag_find(&set, 0));
	ck_assert_ptr_null(unix_diag_find(&set, 301));
	unix_diag_free(&set);
	ck_assert_int_eq(set.nr, 0);
}
END_TEST

/* An abstract name holds a leading zero byte and is not terminated. */
START_TEST(test_parse_abstract_and_closed_peer)
{
	struct unix_diag_set set = { 0 };
	struct nlbuf nb = { .len = 0 };
	uint32_t zero = 0;

	msg_start(&nb, SOCK_DIAG_BY_FAMILY, 42, SOCK_DGRAM, 7);
	attr(&nb, UNIX_DIAG_NAME, "\0abs\0x", 6);
	attr(&nb, UNIX_DIAG_PEER, &zero, sizeof(zero));
	msg_end(&nb);
	ck_assert_int_eq(unix_diag_parse(nb.b, nb.len, &set), 0);
	ck_assert_int_eq(set.nr, 1);
	ck_assert(set.sk[0].has_name && set.sk[0].name_len == 6);
	ck_assert(!memcmp(set.sk[0].name, "\0abs\0x", 6));
	ck_assert(set.sk[0].has_peer && set.sk[0].peer == 0);
	unix_diag_free(&set);
}
END_TEST

/* The answer split over two reads: the first is not the end. */
START_TEST(test_parse_two_buffers)
{
	struct unix_diag_set set = { 0 };
	struct nlbuf a = { .len = 0 }, b = { .len = 0 };

	build_pair(&a);
	done(&b);
	ck_assert_int_eq(unix_diag_parse(a.b, a.len, &set), 0);
	ck_assert_int_eq(unix_diag_parse(b.b, b.len, &set), 1);
	ck_assert_int_eq(set.nr, 2);
	unix_diag_free(&set);
}
END_TEST

START_TEST(test_parse_error_msg)
{
	struct unix_diag_set set = { 0 };
	struct nlbuf nb = { .len = 0 };
	struct nlmsghdr *h = (struct nlmsghdr *)nb.b;
	struct nlmsgerr *e = NLMSG_DATA(h);

	memset(nb.b, 0, sizeof(nb.b));
	h->nlmsg_type = NLMSG_ERROR;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*e));
	e->error = -EPERM;
	errno = 0;
	ck_assert_int_eq(unix_diag_parse(nb.b, NLMSG_ALIGN(h->nlmsg_len), &set), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(set.nr, 0);
}
END_TEST

START_TEST(test_parse_damage)
{
	struct unix_diag_set set = { 0 };
	struct nlbuf nb = { .len = 0 };
	uint32_t icons[3] = { 1, 2, 3 };
	char longname[120];
	size_t full;

	/* cut short inside the second message */
	build_pair(&nb);
	full = nb.len;
	ck_assert_int_eq(unix_diag_parse(nb.b, full - 8, &set), -1);
	unix_diag_free(&set);

	/* a header shorter than unix_diag_msg */
	nb.len = 0;
	msg_start(&nb, SOCK_DIAG_BY_FAMILY, 1, SOCK_STREAM, 7);
	nb.cur->nlmsg_len = NLMSG_LENGTH(4);
	msg_end(&nb);
	ck_assert_int_eq(unix_diag_parse(nb.b, nb.len, &set), -1);
	unix_diag_free(&set);

	/* icons not a whole number of inodes */
	nb.len = 0;
	msg_start(&nb, SOCK_DIAG_BY_FAMILY, 1, SOCK_STREAM, 10);
	attr(&nb, UNIX_DIAG_ICONS, icons, 10);
	msg_end(&nb);
	ck_assert_int_eq(unix_diag_parse(nb.b, nb.len, &set), -1);
	unix_diag_free(&set);

	/* a name longer than sun_path */
	nb.len = 0;
	memset(longname, 'a', sizeof(longname));
	msg_start(&nb, SOCK_DIAG_BY_FAMILY, 1, SOCK_STREAM, 7);
	attr(&nb, UNIX_DIAG_NAME, longname, sizeof(longname));
	msg_end(&nb);
	ck_assert_int_eq(unix_diag_parse(nb.b, nb.len, &set), -1);
	unix_diag_free(&set);

	/* short fixed-size attributes */
	nb.len = 0;
	msg_start(&nb, SOCK_DIAG_BY_FAMILY, 1, SOCK_STREAM, 7);
	attr(&nb, UNIX_DIAG_RQLEN, icons, 4);
	msg_end(&nb);
	ck_assert_int_eq(unix_diag_parse(nb.b, nb.len, &set), -1);
	unix_diag_free(&set);

	/* a message of another type */
	nb.len = 0;
	msg_start(&nb, RTM_NEWLINK, 1, SOCK_STREAM, 7);
	msg_end(&nb);
	ck_assert_int_eq(unix_diag_parse(nb.b, nb.len, &set), -1);
	unix_diag_free(&set);
}
END_TEST

/* The kernel's own answer about a socketpair and a listener of ours. */
START_TEST(test_live)
{
	struct unix_diag_set set = { 0 };
	struct unix_diag_sk *a, *b, *l;
	struct stat sa, sb, sl;
	int sv[2], lfd;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(write(sv[0], "abc", 3), 3);
	ck_assert_int_eq(shutdown(sv[0], SHUT_WR), 0);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&(struct sockaddr_un){ AF_UNIX, "\0criu-unit-diag" },
			      sizeof(sa_family_t) + 15), 0);
	ck_assert_int_eq(listen(lfd, 5), 0);
	fstat(sv[0], &sa);
	fstat(sv[1], &sb);
	fstat(lfd, &sl);
	ck_assert_int_eq(unix_diag_collect(&set), 0);
	a = unix_diag_find(&set, sa.st_ino);
	b = unix_diag_find(&set, sb.st_ino);
	l = unix_diag_find(&set, sl.st_ino);
	ck_assert(a && b && l);
	ck_assert(a->has_peer && a->peer == sb.st_ino);
	ck_assert(b->has_peer && b->peer == sa.st_ino);
	ck_assert_int_eq(b->rqueue, 3);
	ck_assert_int_eq(a->shutdown, 2);
	ck_assert_int_eq(b->shutdown, 1);
	ck_assert_int_eq(l->state, 10);
	ck_assert_int_eq(l->type, SOCK_SEQPACKET);
	ck_assert_int_eq(l->wqueue, 5);
	ck_assert(l->has_name && l->name_len == 15 && !memcmp(l->name, "\0criu-unit-diag", 15));
	unix_diag_free(&set);
	close(sv[0]);
	close(sv[1]);
	close(lfd);
}
END_TEST

static Suite *unix_diag_suite(void)
{
	Suite *s = suite_create("unix_diag");
	TCase *tc = tcase_create("parse");

	suite_add_tcase(s, tc);
	tcase_add_test(tc, test_parse_full);
	tcase_add_test(tc, test_parse_abstract_and_closed_peer);
	tcase_add_test(tc, test_parse_two_buffers);
	tcase_add_test(tc, test_parse_error_msg);
	tcase_add_test(tc, test_parse_damage);
	tcase_add_test(tc, test_live);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(unix_diag_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
