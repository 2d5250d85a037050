// SPDX-License-Identifier: GPL-2.0
/*
 * Listening unix sockets with connections queued but not accepted:
 *   L  stream listener at "l.sock", backlog 4: A0 accepted from C0 earlier,
 *      then C1, C2, C3 connected and left pending; C2 shut down for writing;
 *   SL seqpacket listener at an abstract name with SC pending.
 * After restore the pending connections come out of accept() in the order
 * they were made (each client then speaks, and its own accepted socket must
 * hear it), C2's shutdown reaches its accepted end, and A0/C0 still talk.
 */
#include "unix_sk.h"

static int L, A0, C0, C[4], SL, SC;
static char abs_name[64];

static int client(int type, const char *name, bool abstract)
{
	struct sockaddr_un a;
	socklen_t l = sk_addr(&a, name, abstract);
	int fd = socket(AF_UNIX, type, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, l))
		test_setup_fail("connect %s: %s", name, strerror(errno));
	return fd;
}

static int listener(int type, const char *name, bool abstract, int backlog)
{
	struct sockaddr_un a;
	socklen_t l = sk_addr(&a, name, abstract);
	int fd = socket(AF_UNIX, type, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, l) || listen(fd, backlog))
		test_setup_fail("listen %s: %s", name, strerror(errno));
	return fd;
}

int main(int argc, char **argv)
{
	char msg[8];
	int bad = 0, a;

	test_init(argc, argv);
	snprintf(abs_name, sizeof(abs_name), "zdtm-unix-listen-%d", getpid());
	L = listener(SOCK_STREAM, "l.sock", false, 4);
	C0 = client(SOCK_STREAM, "l.sock", false);
	A0 = accept(L, NULL, NULL);
	if (A0 < 0)
		test_setup_fail("accept: %s", strerror(errno));
	for (int i = 1; i <= 3; i++)
		C[i] = client(SOCK_STREAM, "l.sock", false);
	if (shutdown(C[2], SHUT_WR))
		test_setup_fail("shutdown: %s", strerror(errno));
	SL = listener(SOCK_SEQPACKET, abs_name, true, 2);
	SC = client(SOCK_SEQPACKET, abs_name, true);

	test_daemon();
	test_waitsig();

	/* a listener that lost its queue must not hang the check */
	if (fcntl(L, F_SETFL, O_NONBLOCK) || fcntl(SL, F_SETFL, O_NONBLOCK))
		pfail("O_NONBLOCK");
	if (test_break()) {
		a = accept(L, NULL, NULL);
		if (a < 0)
			test_msg("break: accept: %s", strerror(errno));
	}

	bad += expect_opt(L, SO_ACCEPTCONN, 1, "L listens");
	for (int i = 1; i <= 3; i++) {
		a = accept4(L, NULL, NULL, SOCK_NONBLOCK);
		if (a < 0) {
			test_msg("accept %d: %s", i, strerror(errno));
			bad++;
			continue;
		}
		bad += expect_name(a, false, "l.sock", false, "accepted");
		if (i == 2) {
			bad += expect_eof(a, "C2 shut down for writing");
			bad += expect_epipe(C[i], "C2 cannot write");
		} else {
			snprintf(msg, sizeof(msg), "c%d", i);
			sk_sends(C[i], msg);
			bad += expect_msg(a, msg, "accepted in order");
			sk_sends(a, "ack");
			bad += expect_msg(C[i], "ack", "client hears back");
		}
		close(a);
	}
	a = accept4(L, NULL, NULL, SOCK_NONBLOCK);
	if (a >= 0 || errno != EAGAIN) {
		test_msg("L: a fourth pending connection (%s)", a >= 0 ? "accepted" : strerror(errno));
		bad++;
	}
	a = accept4(SL, NULL, NULL, SOCK_NONBLOCK);
	if (a < 0) {
		test_msg("SL: accept: %s", strerror(errno));
		bad++;
	} else {
		sk_sends(SC, "seq");
		bad += expect_msg(a, "seq", "SL accepted");
	}
	sk_sends(C0, "old");
	bad += expect_msg(A0, "old", "A0");
	if (bad)
		fail("%d mismatches in listening unix sockets", bad);
	pass();
}
