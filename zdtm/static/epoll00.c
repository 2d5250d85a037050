// SPDX-License-Identifier: GPL-2.0
/*
 * epoll A (O_NONBLOCK) with targets: the read end of a pipe holding data
 * (level-triggered), an eventfd at fd 100 (edge-triggered), the pipe's write
 * end (one-shot, already fired before the dump, so disabled), a pidfd of a
 * child (restored after the fds are in place: the target must be the real
 * pidfd); epoll B with A as its target (nested); the child holds A too (a
 * copy of the fd table).
 * After restore both fdinfo target lists are the same (fd, events, data),
 * A reports exactly the pipe, B reports A, a write to the eventfd makes A
 * report it with its data, and the child's death makes A report the pidfd.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define EFD 100
#define D_PIPE 0x1111222233334444ULL
#define D_EFD 0xdeadbeefcafef00dULL
#define D_WR 3
#define D_A 0xbULL
#define D_PID 0x9999ULL

/* inode numbers change with the objects */
static void targets(int fd, char *out, size_t len)
{
	fdinfo_lines(fd, "tfd:", " ino:", out, len);
}

static void add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		test_setup_fail("epoll_ctl add %d: %s", fd, strerror(errno));
}

int main(int argc, char **argv)
{
	char ta[1024], tb[1024], now[1024];
	struct epoll_event evs[8];
	int p[2], e, a, b, n, fla, pfd;
	uint64_t one = 1;
	pid_t child;

	test_init(argc, argv);

	child = fork();
	if (child < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (child == 0) {
		while (1)
			pause();
	}
	pfd = syscall(SYS_pidfd_open, child, 0);
	if (pfd < 0 || pipe(p))
		test_setup_fail("pidfd_open/pipe: %s", strerror(errno));
	e = eventfd(0, EFD_NONBLOCK);
	if (e < 0 || dup2(e, EFD) != EFD)
		test_setup_fail("eventfd: %s", strerror(errno));
	close(e);
	a = epoll_create1(0);
	b = epoll_create1(EPOLL_CLOEXEC);
	if (a < 0 || b < 0 || fcntl(a, F_SETFL, O_NONBLOCK))
		test_setup_fail("epoll_create1: %s", strerror(errno));
	add(a, p[0], EPOLLIN, D_PIPE);
	add(a, EFD, EPOLLIN | EPOLLET, D_EFD);
	add(a, p[1], EPOLLOUT | EPOLLONESHOT, D_WR);
	add(a, pfd, EPOLLIN, D_PID);
	add(b, a, EPOLLIN, D_A);
	/* the one-shot target fires now and stays disabled */
	n = epoll_wait(a, evs, 8, 0);
	if (n != 1 || evs[0].data.u64 != D_WR)
		test_setup_fail("first epoll_wait: %d events", n);
	if (write(p[1], "x", 1) != 1)
		test_setup_fail("write: %s", strerror(errno));
	targets(a, ta, sizeof(ta));
	targets(b, tb, sizeof(tb));
	fla = fcntl(a, F_GETFL);

	test_daemon();
	test_waitsig();

	if (test_break())
		epoll_ctl(a, EPOLL_CTL_DEL, p[0], NULL);

	targets(a, now, sizeof(now));
	if (strcmp(now, ta))
		fail("A's targets are\n%s\nexpected\n%s", now, ta);
	targets(b, now, sizeof(now));
	if (strcmp(now, tb))
		fail("B's targets are\n%s\nexpected\n%s", now, tb);
	if (fcntl(a, F_GETFL) != fla)
		fail("A: flags 0%o, expected 0%o", fcntl(a, F_GETFL), fla);
	if (fcntl(b, F_GETFD) != FD_CLOEXEC)
		fail("B lost close-on-exec");

	n = epoll_wait(b, evs, 8, 0);
	if (n != 1 || evs[0].data.u64 != D_A || !(evs[0].events & EPOLLIN))
		fail("B: %d events (first data %#llx), expected A's", n,
		     n > 0 ? (unsigned long long)evs[0].data.u64 : 0ULL);
	n = epoll_wait(a, evs, 8, 0);
	if (n != 1 || evs[0].data.u64 != D_PIPE)
		fail("A: %d events (first data %#llx), expected only the pipe", n,
		     n > 0 ? (unsigned long long)evs[0].data.u64 : 0ULL);
	if (write(EFD, &one, sizeof(one)) != sizeof(one))
		pfail("write eventfd");
	n = epoll_wait(a, evs, 8, 0);
	if (n != 2 || (evs[0].data.u64 != D_EFD && evs[1].data.u64 != D_EFD))
		fail("A: %d events after the eventfd write, expected the pipe and the eventfd", n);
	kill(child, SIGKILL);
	/* the pipe is always ready: poll until the pidfd joins it */
	for (int i = 0; i < 500; i++) {
		n = epoll_wait(a, evs, 8, 0);
		if (n == 2 && (evs[0].data.u64 == D_PID || evs[1].data.u64 == D_PID))
			break;
		usleep(10000);
	}
	if (n != 2 || (evs[0].data.u64 != D_PID && evs[1].data.u64 != D_PID))
		fail("A: %d events after the child died, expected the pipe and the pidfd", n);
	waitpid(child, NULL, 0);
	pass();
}
