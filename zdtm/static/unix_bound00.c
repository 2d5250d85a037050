// SPDX-License-Identifier: GPL-2.0
/*
 * Unix sockets bound to names, with connections through them:
 *   L   stream listener at relative "sock.L", A1 accepted from it, C1 its
 *       client; data queued both ways;
 *   DS  dgram socket at "sub/dgram.sock" (another directory, mode 0640)
 *       holding "d1" from the connected unnamed DC, "from-dn" from DN
 *       (bound at an absolute path in sub2/), "d2" from DC again;
 *   DEL dgram socket bound to "del.sock", then unlinked; DC2 connected to it
 *       with "to-deleted" queued;
 *   R1  dgram socket bound to "reused.sock", unlinked, and R2 bound to the
 *       same path afterwards;
 *   AL  seqpacket listener at an abstract name, AA accepted from AC, "abs"
 *       queued for AA; DA dgram socket at another abstract name.
 * After restore: names and peer names, queues with their senders, the
 * socket files (present or not, mode), and new connections and datagrams
 * through every name.
 */
#include <limits.h>

#include "unix_sk.h"

static int L, A1, C1, DS, DC, DN, DEL, DC2, R1, R2, AL, AA, AC, DA;
static char abs_l[64], abs_d[64], dn_path[PATH_MAX];

static int sk(int type)
{
	int fd = socket(AF_UNIX, type, 0);

	if (fd < 0)
		test_setup_fail("socket: %s", strerror(errno));
	return fd;
}

static int bound(int type, const char *name, bool abstract)
{
	struct sockaddr_un a;
	socklen_t l = sk_addr(&a, name, abstract);
	int fd = sk(type);

	if (bind(fd, (struct sockaddr *)&a, l))
		test_setup_fail("bind %s: %s", name, strerror(errno));
	return fd;
}

static int do_connect(int fd, const char *name, bool abstract)
{
	struct sockaddr_un a;
	socklen_t l = sk_addr(&a, name, abstract);

	return connect(fd, (struct sockaddr *)&a, l);
}

static void sendto_name(int fd, const char *msg, const char *name)
{
	struct sockaddr_un a;
	socklen_t l = sk_addr(&a, name, false);

	if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&a, l) != (ssize_t)strlen(msg))
		test_setup_fail("sendto %s: %s", name, strerror(errno));
}

static void setup(void)
{
	char cwd[PATH_MAX - 32];

	if (!getcwd(cwd, sizeof(cwd)))
		test_setup_fail("getcwd: %s", strerror(errno));
	snprintf(abs_l, sizeof(abs_l), "zdtm-unix-bound-L-%d", getpid());
	snprintf(abs_d, sizeof(abs_d), "zdtm-unix-bound-D-%d", getpid());
	snprintf(dn_path, sizeof(dn_path), "%s/sub2/dn.sock", cwd);
	if (mkdir("sub", 0755) || mkdir("sub2", 0755))
		test_setup_fail("mkdir: %s", strerror(errno));

	L = bound(SOCK_STREAM, "sock.L", false);
	if (listen(L, 5))
		test_setup_fail("listen: %s", strerror(errno));
	C1 = sk(SOCK_STREAM);
	if (do_connect(C1, "sock.L", false))
		test_setup_fail("connect L: %s", strerror(errno));
	A1 = accept(L, NULL, NULL);
	if (A1 < 0)
		test_setup_fail("accept: %s", strerror(errno));
	sk_sends(C1, "hello-server");
	sk_sends(A1, "hello-client");

	DS = bound(SOCK_DGRAM, "sub/dgram.sock", false);
	if (chmod("sub/dgram.sock", 0640))
		test_setup_fail("chmod: %s", strerror(errno));
	DC = sk(SOCK_DGRAM);
	if (do_connect(DC, "sub/dgram.sock", false))
		test_setup_fail("connect DS: %s", strerror(errno));
	DN = bound(SOCK_DGRAM, dn_path, false);
	sk_sends(DC, "d1");
	sendto_name(DN, "from-dn", "sub/dgram.sock");
	sk_sends(DC, "d2");

	DEL = bound(SOCK_DGRAM, "del.sock", false);
	DC2 = sk(SOCK_DGRAM);
	if (do_connect(DC2, "del.sock", false))
		test_setup_fail("connect DEL: %s", strerror(errno));
	sk_sends(DC2, "to-deleted");
	if (unlink("del.sock"))
		test_setup_fail("unlink: %s", strerror(errno));

	R1 = bound(SOCK_DGRAM, "reused.sock", false);
	if (unlink("reused.sock"))
		test_setup_fail("unlink: %s", strerror(errno));
	R2 = bound(SOCK_DGRAM, "reused.sock", false);

	AL = bound(SOCK_SEQPACKET, abs_l, true);
	if (listen(AL, 3))
		test_setup_fail("listen: %s", strerror(errno));
	AC = sk(SOCK_SEQPACKET);
	if (do_connect(AC, abs_l, true))
		test_setup_fail("connect AL: %s", strerror(errno));
	AA = accept(AL, NULL, NULL);
	if (AA < 0)
		test_setup_fail("accept: %s", strerror(errno));
	sk_sends(AC, "abs");
	DA = bound(SOCK_DGRAM, abs_d, true);
}

/* The next datagram is @want from the socket named @src ("" for unnamed). */
static int expect_from(int fd, const char *want, const char *src, const char *what)
{
	struct sockaddr_un a;
	socklen_t l = sizeof(a);
	char buf[64];
	ssize_t n;

	memset(&a, 0, sizeof(a));
	n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&a, &l);
	if (n != (ssize_t)strlen(want) || memcmp(buf, want, n)) {
		test_msg("%s: got %zd bytes \"%.*s\" (%s), wanted \"%s\"", what, n,
			 (int)(n > 0 ? n : 0), buf, n < 0 ? strerror(errno) : "", want);
		return 1;
	}
	if (strcmp(a.sun_path, src) || (!*src && l > offsetof(struct sockaddr_un, sun_path))) {
		test_msg("%s: sender \"%s\" (%u), wanted \"%s\"", what, a.sun_path, l, src);
		return 1;
	}
	return 0;
}

static int check_new_connection(int lfd, const char *name, bool abstract, int type)
{
	int c = socket(AF_UNIX, type, 0), a, bad = 0;

	if (c < 0 || do_connect(c, name, abstract)) {
		test_msg("new connection to %s: %s", name, strerror(errno));
		return 1;
	}
	a = accept(lfd, NULL, NULL);
	if (a < 0) {
		test_msg("accept on %s: %s", name, strerror(errno));
		return 1;
	}
	sk_sends(c, "new");
	bad += expect_msg(a, "new", "new connection");
	close(a);
	close(c);
	return bad;
}

int main(int argc, char **argv)
{
	struct stat st;
	char c;
	int bad = 0, fd;

	test_init(argc, argv);
	setup();
	test_daemon();
	test_waitsig();

	if (test_break() && recv(DS, &c, 1, MSG_DONTWAIT) < 0)
		test_msg("break: recv: %s", strerror(errno));

	/* L and its connection */
	bad += expect_name(L, false, "sock.L", false, "L");
	bad += expect_name(A1, false, "sock.L", false, "A1");
	bad += expect_name(C1, true, "sock.L", false, "C1 peer");
	bad += expect_msg(A1, "hello-server", "A1");
	bad += expect_msg(C1, "hello-client", "C1");
	bad += expect_eagain(A1, "A1 after");
	sk_sends(A1, "more");
	bad += expect_msg(C1, "more", "C1 after restore");
	bad += check_new_connection(L, "sock.L", false, SOCK_STREAM);

	/* DS: the queue with its senders, the file and its mode */
	bad += expect_name(DS, false, "sub/dgram.sock", false, "DS");
	bad += expect_name(DC, true, "sub/dgram.sock", false, "DC peer");
	bad += expect_name(DN, false, dn_path, false, "DN");
	bad += expect_from(DS, "d1", "", "DS first");
	bad += expect_from(DS, "from-dn", dn_path, "DS second");
	bad += expect_from(DS, "d2", "", "DS third");
	bad += expect_eagain(DS, "DS after");
	sk_sends(DC, "d3");
	bad += expect_from(DS, "d3", "", "DS after restore");
	if (stat("sub/dgram.sock", &st) || !S_ISSOCK(st.st_mode) || (st.st_mode & 0777) != 0640 ||
	    st.st_uid != getuid()) {
		test_msg("sub/dgram.sock: mode %o uid %d (%s)", st.st_mode, st.st_uid, strerror(errno));
		bad++;
	}

	/* DEL: still named, its file gone, its client still connected */
	bad += expect_name(DEL, false, "del.sock", false, "DEL");
	bad += expect_msg(DEL, "to-deleted", "DEL");
	sk_sends(DC2, "again");
	bad += expect_msg(DEL, "again", "DEL after restore");
	if (!lstat("del.sock", &st)) {
		test_msg("del.sock exists again");
		bad++;
	}

	/* R1 keeps the unlinked name; the path is R2's */
	bad += expect_name(R1, false, "reused.sock", false, "R1");
	bad += expect_name(R2, false, "reused.sock", false, "R2");
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	sendto_name(fd, "to-path", "reused.sock");
	close(fd);
	bad += expect_msg(R2, "to-path", "R2 by its path");
	bad += expect_eagain(R1, "R1");

	/* abstract names */
	bad += expect_name(AL, false, abs_l, true, "AL");
	bad += expect_name(AA, false, abs_l, true, "AA");
	bad += expect_name(AC, true, abs_l, true, "AC peer");
	bad += expect_msg(AA, "abs", "AA");
	bad += check_new_connection(AL, abs_l, true, SOCK_SEQPACKET);
	bad += expect_name(DA, false, abs_d, true, "DA");
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || do_connect(fd, abs_d, true)) {
		test_msg("connect DA: %s", strerror(errno));
		bad++;
	} else {
		sk_sends(fd, "to-abstract");
		bad += expect_msg(DA, "to-abstract", "DA");
	}

	if (bad)
		fail("%d mismatches in bound unix sockets", bad);
	pass();
}
