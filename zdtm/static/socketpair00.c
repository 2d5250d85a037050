// SPDX-License-Identifier: GPL-2.0
/*
 * Unix socketpairs of every type with data queued both ways:
 *   S stream, D dgram, Q seqpacket: a few messages each way (D and Q keep
 *     their boundaries); S[1] has peeked 4 bytes
 *     with SO_PEEK_OFF, D[1] got a filter that cuts new datagrams to 4 bytes
 *     after its data was queued; D[0] is O_NONBLOCK; Q[0] has SO_SNDBUF and
 *     SO_RCVBUF set;
 *   W stream, W[0] shut down for writing after queuing "last words";
 *   R seqpacket, R[1] shut down for reading;
 *   X stream whose X[1] sent "bye" and was closed;
 *   C seqpacket with SO_PASSCRED on C[1] and nothing queued;
 *   U: one unnamed, unconnected socket of each type.
 * After restore every queue holds exactly what it held, in order, every
 * shutdown and option is in place, and the sockets still talk.
 */
#include <linux/filter.h>
#include <sys/wait.h>

#include "unix_sk.h"

static int S[2], D[2], Q[2], W[2], R[2], X[2], C[2], U[3];
static const int types[3] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
static int q_snd, q_rcv;

static void pair(int type, int sv[2])
{
	if (socketpair(AF_UNIX, type, 0, sv))
		test_setup_fail("socketpair: %s", strerror(errno));
}

static void setup(void)
{
	struct sock_filter cut[] = { BPF_STMT(BPF_RET | BPF_K, 4) };
	struct sock_fprog prog = { 1, cut };
	int v, off = 0;
	char b[4];

	pair(SOCK_STREAM, S);
	pair(SOCK_DGRAM, D);
	pair(SOCK_SEQPACKET, Q);
	pair(SOCK_STREAM, W);
	pair(SOCK_SEQPACKET, R);
	pair(SOCK_STREAM, X);
	pair(SOCK_SEQPACKET, C);

	sk_sends(S[0], "stream-one ");
	sk_sends(S[0], "stream-two ");
	sk_sends(S[0], "stream-three");
	sk_sends(S[1], "back-stream");
	if (setsockopt(S[1], SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off)) ||
	    recv(S[1], b, 4, MSG_PEEK) != 4)
		test_setup_fail("peek: %s", strerror(errno));

	sk_sends(D[0], "dgram-1");
	sk_sends(D[0], "dgram-three");
	sk_sends(D[1], "back-1");
	sk_sends(D[1], "back-two");
	if (setsockopt(D[1], SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)))
		test_setup_fail("SO_ATTACH_FILTER: %s", strerror(errno));
	if (fcntl(D[0], F_SETFL, O_NONBLOCK))
		test_setup_fail("O_NONBLOCK: %s", strerror(errno));

	v = 50000;
	if (setsockopt(Q[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)))
		test_setup_fail("SO_SNDBUF: %s", strerror(errno));
	v = 70000;
	if (setsockopt(Q[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)))
		test_setup_fail("SO_RCVBUF: %s", strerror(errno));
	q_snd = sk_opt(Q[0], SO_SNDBUF);
	q_rcv = sk_opt(Q[0], SO_RCVBUF);
	sk_sends(Q[0], "seq-A");
	sk_sends(Q[0], "seq-BB");
	sk_sends(Q[1], "seq-back");

	sk_sends(W[0], "last words");
	if (shutdown(W[0], SHUT_WR))
		test_setup_fail("shutdown W: %s", strerror(errno));
	sk_sends(R[1], "to-R0");
	if (shutdown(R[1], SHUT_RD))
		test_setup_fail("shutdown R: %s", strerror(errno));
	sk_sends(X[1], "bye");
	close(X[1]);
	for (int i = 0; i < 3; i++) {
		U[i] = socket(AF_UNIX, types[i], 0);
		if (U[i] < 0)
			test_setup_fail("socket: %s", strerror(errno));
	}
	v = 1;
	if (setsockopt(C[1], SOL_SOCKET, SO_PASSCRED, &v, sizeof(v)))
		test_setup_fail("SO_PASSCRED: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	char b[16];
	int bad = 0;

	test_init(argc, argv);
	setup();
	test_daemon();
	test_waitsig();

	if (test_break() && recv(D[1], b, sizeof(b), MSG_DONTWAIT) < 0)
		test_msg("break: recv: %s", strerror(errno));

	bad += expect_opt(S[0], SO_TYPE, SOCK_STREAM, "S type");
	bad += expect_opt(D[0], SO_TYPE, SOCK_DGRAM, "D type");
	bad += expect_opt(Q[0], SO_TYPE, SOCK_SEQPACKET, "Q type");

	/* S: the peek offset is kept, the bytes are all there */
	bad += expect_opt(S[1], SO_PEEK_OFF, 4, "S[1] peek offset");
	if (recv(S[1], b, 6, MSG_PEEK | MSG_DONTWAIT) != 6 || memcmp(b, "am-one", 6)) {
		test_msg("S[1]: peeking at offset 4 gave \"%.6s\"", b);
		bad++;
	}
	bad += expect_msg(S[1], "stream-one stream-two stream-three", "S[1]");
	bad += expect_eagain(S[1], "S[1] after");
	bad += expect_msg(S[0], "back-stream", "S[0]");
	bad += expect_eagain(S[0], "S[0] after");
	sk_sends(S[0], "ping");
	bad += expect_msg(S[1], "ping", "S after restore");

	/* D: boundaries, the filter only on new data */
	bad += expect_msg(D[1], "dgram-1", "D[1] first");
	bad += expect_msg(D[1], "dgram-three", "D[1] third");
	bad += expect_eagain(D[1], "D[1] after");
	bad += expect_msg(D[0], "back-1", "D[0] first");
	bad += expect_msg(D[0], "back-two", "D[0] second");
	bad += expect_eagain(D[0], "D[0] after");
	if (!(fcntl(D[0], F_GETFL) & O_NONBLOCK)) {
		test_msg("D[0] lost O_NONBLOCK");
		bad++;
	}
	if (fcntl(D[1], F_GETFL) & O_NONBLOCK) {
		test_msg("D[1] got O_NONBLOCK");
		bad++;
	}
	sk_sends(D[0], "filtered");
	bad += expect_msg(D[1], "filt", "D[1] through the filter");

	/* Q */
	bad += expect_msg(Q[1], "seq-A", "Q[1] first");
	bad += expect_msg(Q[1], "seq-BB", "Q[1] second");
	bad += expect_eagain(Q[1], "Q[1] after");
	bad += expect_msg(Q[0], "seq-back", "Q[0]");
	bad += expect_opt(Q[0], SO_SNDBUF, q_snd, "Q[0] SO_SNDBUF");
	bad += expect_opt(Q[0], SO_RCVBUF, q_rcv, "Q[0] SO_RCVBUF");

	/* W: data, then the end; the writer cannot write */
	bad += expect_msg(W[1], "last words", "W[1]");
	bad += expect_eof(W[1], "W[1] end");
	bad += expect_epipe(W[0], "W[0]");
	sk_sends(W[1], "reply");
	bad += expect_msg(W[0], "reply", "W[0] still reads");

	/* R: R[1] reads nothing more, R[0] cannot send to it */
	bad += expect_msg(R[0], "to-R0", "R[0]");
	bad += expect_eof(R[1], "R[1] shut for reading");
	bad += expect_epipe(R[0], "R[0] towards a shut reader");

	/* X: the last words of a closed peer */
	bad += expect_msg(X[0], "bye", "X[0]");
	bad += expect_eof(X[0], "X[0] end");
	bad += expect_epipe(X[0], "X[0] to a closed peer");

	bad += expect_opt(C[1], SO_PASSCRED, 1, "C[1] SO_PASSCRED");
	bad += expect_opt(C[0], SO_PASSCRED, 0, "C[0] SO_PASSCRED");
	sk_sends(C[0], "cred");
	bad += expect_own_creds(C[1], "cred", "C[1]");

	for (int i = 0; i < 3; i++) {
		struct sockaddr_un a;
		socklen_t l = sizeof(a);

		bad += expect_opt(U[i], SO_TYPE, types[i], "U type");
		if (getpeername(U[i], (struct sockaddr *)&a, &l) == 0 || errno != ENOTCONN) {
			test_msg("U[%d] is connected", i);
			bad++;
		}
	}

	if (bad)
		fail("%d mismatches in unix socketpairs", bad);
	pass();
}
