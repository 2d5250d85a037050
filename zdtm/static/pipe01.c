// SPDX-License-Identifier: GPL-2.0
/*
 * Two pipes between a parent and its child, resized with F_SETPIPE_SZ and
 * holding more data than a default-sized pipe could: P (parent to child)
 * and Q (child to parent). Nothing is read before the dump. After restore
 * the sizes are kept, each side appends a trailer, and each reader gets
 * exactly the queued bytes plus the trailer, then EOF.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define P_SIZE (256 * 1024)
#define Q_SIZE (128 * 1024)
#define P_LEN (100 * 1024)
#define Q_LEN (70 * 1024)
#define SEED_P 0x1001
#define SEED_Q 0x2002

static int P[2], Q[2], go[2], ready[2];
static unsigned char buf[P_SIZE + 64];

static ssize_t read_all(int fd, unsigned char *b, size_t len)
{
	ssize_t n, total = 0;

	while ((size_t)total < len) {
		n = read(fd, b + total, len - total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
	}
	return total;
}

static int check_stream(const char *who, unsigned char *b, ssize_t n, size_t len,
			uint32_t seed, const char *trailer)
{
	size_t tlen = strlen(trailer);

	if (n != (ssize_t)(len + tlen)) {
		test_msg("%s: got %zd bytes, expected %zu", who, n, len + tlen);
		return 1;
	}
	if (!datachk(b, len, seed) || memcmp(b + len, trailer, tlen)) {
		test_msg("%s: the bytes differ", who);
		return 1;
	}
	return 0;
}

static void __attribute__((noreturn)) child(void)
{
	ssize_t n;
	char c = 'r';
	int sz;

	close(P[1]);
	close(Q[0]);
	close(go[1]);
	close(ready[0]);
	if (fcntl(Q[1], F_SETPIPE_SZ, Q_SIZE) < Q_SIZE)
		_exit(3);
	datagen(buf, Q_LEN, SEED_Q);
	if (write(Q[1], buf, Q_LEN) != Q_LEN)
		_exit(3);
	if (write(ready[1], &c, 1) != 1)
		_exit(3);
	close(ready[1]);

	while (read(go[0], &c, 1) < 0 && errno == EINTR)
		;
	sz = fcntl(P[0], F_GETPIPE_SZ);
	if (sz != P_SIZE) {
		test_msg("child: pipe P size %d, expected %d", sz, P_SIZE);
		_exit(4);
	}
	n = read_all(P[0], buf, sizeof(buf));
	if (check_stream("child reading P", buf, n, P_LEN, SEED_P, "END-P"))
		_exit(5);
	if (write(Q[1], "END-Q", 5) != 5)
		_exit(6);
	_exit(0);
}

int main(int argc, char **argv)
{
	int status, sz;
	pid_t pid;
	ssize_t n;
	char c;

	test_init(argc, argv);

	if (pipe(P) || pipe(Q) || pipe(go) || pipe(ready))
		test_setup_fail("pipe: %s", strerror(errno));
	if (fcntl(P[1], F_SETPIPE_SZ, P_SIZE) < P_SIZE)
		test_setup_fail("F_SETPIPE_SZ: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (pid == 0)
		child();
	close(P[0]);
	close(Q[1]);
	close(go[0]);
	close(ready[1]);
	datagen(buf, P_LEN, SEED_P);
	if (write(P[1], buf, P_LEN) != P_LEN)
		test_setup_fail("write P: %s", strerror(errno));
	if (read(ready[0], &c, 1) != 1)
		test_setup_fail("the child died during setup");
	close(ready[0]);

	test_daemon();
	test_waitsig();

	if (test_break())
		if (read(Q[0], &c, 1) != 1)
			test_msg("break: read: %s", strerror(errno));

	sz = fcntl(P[1], F_GETPIPE_SZ);
	if (sz != P_SIZE)
		test_msg("parent: pipe P size %d, expected %d", sz, P_SIZE);
	if (fcntl(Q[0], F_GETPIPE_SZ) != Q_SIZE) {
		test_msg("parent: pipe Q size %d, expected %d", fcntl(Q[0], F_GETPIPE_SZ),
			 Q_SIZE);
		sz = -1;
	}
	if (write(P[1], "END-P", 5) != 5)
		pfail("write the trailer to P");
	close(P[1]);
	close(go[1]);

	n = read_all(Q[0], buf, sizeof(buf));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			pfail("waitpid");
	if (check_stream("parent reading Q", buf, n, Q_LEN, SEED_Q, "END-Q"))
		fail("pipe Q lost or gained data");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("the child failed: status 0x%x", status);
	if (sz != P_SIZE)
		fail("pipe sizes changed");
	pass();
}
