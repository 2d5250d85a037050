// SPDX-License-Identifier: GPL-2.0
/*
 * Connections whose listener has been closed since accept():
 *   A/a  stream, listener at "kept.sock" closed, its socket file left;
 *   B/b  seqpacket, listener at "gone.sock" closed and the file unlinked;
 *   C/c  stream, listener at an abstract name closed.
 * Each accepted end (A, B, C) still carries the listener's name, each
 * client sees it as its peer's name, data is queued both ways. After
 * restore names, files and queues are as they were and the pairs talk.
 */
#include "unix_sk.h"

static int A, a, B, b, C, c;
static char abs_name[64];

static void accepted(int type, const char *name, bool abstract, int *srv, int *cli)
{
	struct sockaddr_un ad;
	socklen_t l = sk_addr(&ad, name, abstract);
	int lfd = socket(AF_UNIX, type, 0);

	*cli = socket(AF_UNIX, type, 0);
	if (lfd < 0 || *cli < 0 || bind(lfd, (struct sockaddr *)&ad, l) || listen(lfd, 1) ||
	    connect(*cli, (struct sockaddr *)&ad, l))
		test_setup_fail("listen/connect %s: %s", name, strerror(errno));
	*srv = accept(lfd, NULL, NULL);
	if (*srv < 0)
		test_setup_fail("accept: %s", strerror(errno));
	close(lfd);
}

static int check_pair(int srv, int cli, const char *name, bool abstract, const char *what)
{
	int bad = 0;

	bad += expect_name(srv, false, name, abstract, what);
	bad += expect_name(cli, true, name, abstract, what);
	bad += expect_msg(srv, "to-server", what);
	bad += expect_msg(cli, "to-client", what);
	sk_sends(cli, "again");
	bad += expect_msg(srv, "again", what);
	return bad;
}

int main(int argc, char **argv)
{
	struct stat st;
	int bad = 0;
	char ch;

	test_init(argc, argv);
	snprintf(abs_name, sizeof(abs_name), "zdtm-unix-accepted-%d", getpid());
	accepted(SOCK_STREAM, "kept.sock", false, &A, &a);
	accepted(SOCK_SEQPACKET, "gone.sock", false, &B, &b);
	if (unlink("gone.sock"))
		test_setup_fail("unlink: %s", strerror(errno));
	accepted(SOCK_STREAM, abs_name, true, &C, &c);
	for (int i = 0; i < 3; i++) {
		int srv = i == 0 ? A : i == 1 ? B : C, cli = i == 0 ? a : i == 1 ? b : c;

		sk_sends(cli, "to-server");
		sk_sends(srv, "to-client");
	}

	test_daemon();
	test_waitsig();

	if (test_break() && recv(B, &ch, 1, MSG_DONTWAIT) < 0)
		test_msg("break: recv: %s", strerror(errno));
	bad += check_pair(A, a, "kept.sock", false, "A");
	bad += check_pair(B, b, "gone.sock", false, "B");
	bad += check_pair(C, c, abs_name, true, "C");
	if (lstat("kept.sock", &st) || !S_ISSOCK(st.st_mode)) {
		test_msg("kept.sock is not there");
		bad++;
	}
	if (!lstat("gone.sock", &st)) {
		test_msg("gone.sock is back");
		bad++;
	}
	if (bad)
		fail("%d mismatches in connections without their listener", bad);
	pass();
}
