// SPDX-License-Identifier: GPL-2.0
/*
 * Two byte streams, one each way, over a unix stream connection made
 * through a listener at "us.sock" (the parent accepts, a child connects),
 * both ends writing and reading all the time with non-blocking sockets, so
 * the queues hold data in both directions whenever the dump comes. After
 * SIGTERM each side stops writing, shuts its direction down and drains the
 * other to EOF; each checks every byte it got and that it got exactly what
 * the other side wrote. The listener also keeps a spare connection pending.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define UP 0		/* child to parent */
#define DOWN (1ULL << 40)	/* parent to child: another part of the sequence */

struct shared {
	int stop;
	uint64_t written[2], got[2], bad[2];
};

static inline uint8_t stream_byte(uint64_t k)
{
	uint64_t x = (k >> 3) * 0x9e3779b97f4a7c15ULL;

	x ^= x >> 29;
	return (uint8_t)((x >> (8 * (k & 7))) ^ k);
}

/* Write sequence @out and check sequence @in on @fd until both are over. */
static void pump(struct shared *sh, int fd, int me, uint64_t out, uint64_t in, bool brk)
{
	static uint8_t buf[65536];
	uint64_t w = 0, r = 0, round = 0;
	bool writing = true, eof = false;

	while (writing || !eof) {
		struct pollfd p = { fd, POLLIN | (writing ? POLLOUT : 0), 0 };

		/* the parent tells both sides when SIGTERM came */
		if (me == 0 && test_go())
			__atomic_store_n(&sh->stop, 1, __ATOMIC_SEQ_CST);

		if (writing && __atomic_load_n(&sh->stop, __ATOMIC_SEQ_CST)) {
			if (brk)
				w++;	/* claim a byte that was never sent */
			sh->written[me] = w;
			if (shutdown(fd, SHUT_WR))
				test_msg("shutdown: %s", strerror(errno));
			writing = false;
			continue;
		}
		if (poll(&p, 1, 100) < 0) {
			if (errno == EINTR)
				continue;
			test_msg("poll: %s", strerror(errno));
			break;
		}
		if (p.revents & POLLOUT) {
			size_t len = 1 + (round++ * 7919) % 20000;
			ssize_t n;

			for (size_t i = 0; i < len; i++)
				buf[i] = stream_byte(out + w + i);
			n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n > 0)
				w += n;
			else if (n < 0 && errno != EAGAIN && errno != EINTR)
				test_msg("send: %s", strerror(errno));
		}
		if (p.revents & (POLLIN | POLLHUP)) {
			ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

			if (n == 0)
				eof = true;
			for (ssize_t i = 0; i < n; i++)
				if (buf[i] != stream_byte(in + r + i))
					sh->bad[me]++;
			if (n > 0)
				r += n;
		}
	}
	sh->got[me] = r;
}

static socklen_t addr(struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path, "us.sock");
	return sizeof(*a);
}

int main(int argc, char **argv)
{
	struct sockaddr_un a;
	struct shared *sh;
	int l, s, spare, status;
	pid_t pid;

	test_init(argc, argv);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, addr(&a)) || listen(l, 4))
		test_setup_fail("listen: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);

		close(l);
		if (c < 0 || connect(c, (struct sockaddr *)&a, addr(&a)))
			_exit(2);
		pump(sh, c, 1, UP, DOWN, false);
		_exit(0);
	}
	s = accept(l, NULL, NULL);
	spare = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || spare < 0 || connect(spare, (struct sockaddr *)&a, addr(&a)))
		test_setup_fail("accept/connect: %s", strerror(errno));

	test_daemon();
	pump(sh, s, 0, DOWN, UP, test_break());
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			pfail("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("the child failed: status 0x%x", status);
	if (sh->bad[0] || sh->bad[1])
		fail("wrong bytes: %llu upstream, %llu downstream", (unsigned long long)sh->bad[0],
		     (unsigned long long)sh->bad[1]);
	if (sh->got[0] != sh->written[1] || sh->got[1] != sh->written[0])
		fail("up: %llu written, %llu read; down: %llu written, %llu read",
		     (unsigned long long)sh->written[1], (unsigned long long)sh->got[0],
		     (unsigned long long)sh->written[0], (unsigned long long)sh->got[1]);
	test_msg("%llu bytes up, %llu down", (unsigned long long)sh->got[0],
		 (unsigned long long)sh->got[1]);
	pass();
}
