/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The body of unix_ext00 (dumped with --ext-unix-sk) and unix_ext01 (without
 * it, crfail): T, a dgram socket bound to "t.sock", is connected to
 * "ext.sock", the socket of a python helper outside the tree (double forked,
 * its own session) that answers every datagram with "pong:" + it, sent to
 * "t.sock". After restore T is still connected to the helper's socket: a
 * datagram sent with send() comes back answered.
 */
#ifndef ZDTM_UNIX_EXT_H
#define ZDTM_UNIX_EXT_H

#include <poll.h>
#include <sys/wait.h>

#include "unix_sk.h"

static const char helper_py[] =
	"import os, signal, socket\n"
	"signal.alarm(120)\n"
	"s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
	"s.bind('ext.sock')\n"
	"os.write(1, b'r')\n"
	"while True:\n"
	"    m = s.recv(100)\n"
	"    if m == b'bye':\n"
	"        break\n"
	"    try:\n"
	"        s.sendto(b'pong:' + m, 't.sock')\n"
	"    except OSError:\n"
	"        pass\n";

static void start_helper(void)
{
	int p[2], status;
	pid_t pid;
	char c;

	if (pipe(p))
		test_setup_fail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		setsid();
		if (fork())
			_exit(0);
		dup2(p[1], 1);
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		execlp("python3", "python3", "-c", helper_py, (char *)NULL);
		_exit(1);
	}
	close(p[1]);
	waitpid(pid, &status, 0);
	if (read(p[0], &c, 1) != 1)
		test_setup_fail("the helper did not start");
	close(p[0]);
}

static int ping(int t, const char *msg)
{
	struct pollfd pfd = { t, POLLIN, 0 };
	char want[64], buf[64];
	ssize_t n;

	snprintf(want, sizeof(want), "pong:%s", msg);
	if (send(t, msg, strlen(msg), MSG_DONTWAIT) != (ssize_t)strlen(msg)) {
		test_msg("send %s: %s", msg, strerror(errno));
		return 1;
	}
	if (poll(&pfd, 1, 5000) != 1) {
		test_msg("no answer to %s", msg);
		return 1;
	}
	n = recv(t, buf, sizeof(buf), MSG_DONTWAIT);
	if (n != (ssize_t)strlen(want) || memcmp(buf, want, n)) {
		test_msg("answer \"%.*s\", wanted \"%s\"", (int)(n > 0 ? n : 0), buf, want);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un a;
	socklen_t l;
	int t, bad = 0;

	test_init(argc, argv);
	start_helper();
	t = socket(AF_UNIX, SOCK_DGRAM, 0);
	l = sk_addr(&a, "t.sock", false);
	if (t < 0 || bind(t, (struct sockaddr *)&a, l))
		test_setup_fail("bind t.sock: %s", strerror(errno));
	l = sk_addr(&a, "ext.sock", false);
	if (connect(t, (struct sockaddr *)&a, l))
		test_setup_fail("connect ext.sock: %s", strerror(errno));
	if (ping(t, "before"))
		test_setup_fail("the helper does not answer");

	test_daemon();
	test_waitsig();

	if (test_break()) {
		a.sun_family = AF_UNSPEC;
		if (connect(t, (struct sockaddr *)&a, sizeof(sa_family_t)))
			test_msg("break: disconnect: %s", strerror(errno));
	}
	bad += expect_name(t, true, "ext.sock", false, "T's peer");
	bad += ping(t, "after");
	if (send(t, "bye", 3, MSG_DONTWAIT) != 3)
		test_msg("bye: %s", strerror(errno));
	if (bad)
		fail("%d mismatches with the external peer", bad);
	pass();
}

#endif
