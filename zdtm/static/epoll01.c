// SPDX-License-Identifier: GPL-2.0
/*
 * An epoll target whose fd was dup'ed and closed: the epoll still watches
 * the file under its old fd number, which the task no longer has, so the
 * target cannot be added back and the dump must refuse it (crfail). Without
 * criu the test passes: the epoll still reports the pipe under its data.
 */
#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 };
	int p[2], ep, keep;

	test_init(argc, argv);

	ep = epoll_create1(0);
	if (ep < 0 || pipe(p) || epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev))
		test_setup_fail("epoll: %s", strerror(errno));
	keep = dup(p[0]);
	if (keep < 0 || close(p[0]) || write(p[1], "x", 1) != 1)
		test_setup_fail("dup/close/write: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break()) {
		char c;

		if (read(keep, &c, 1) != 1)
			test_msg("break: read: %s", strerror(errno));
	}
	if (epoll_wait(ep, &ev, 1, 0) != 1 || ev.data.u64 != 42)
		fail("the epoll does not report its target");
	pass();
}
