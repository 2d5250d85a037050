// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials in flight from several senders, on a stream (S), a datagram
 * (D) and a seqpacket (Q) socketpair whose receivers have SO_PASSCRED.
 * Each queue holds, in order:
 *   "none"   sent before the receiver asked for credentials: none attached
 *            (pid 0, the overflow uid and gid);
 *   "self"   the test itself;
 *   "gone"   a child that exited since (its pid names no process), then
 *            on D and Q an empty datagram of the same child (a dump of the
 *            running tree takes those out and sends them again);
 *   "uid"    a child running as uid 23456, gid 34567, exited since;
 *   "fd"     the test with explicit credentials uid 1000 gid 2000 and a
 *            pipe's write end in flight;
 *   "live"   a child that lives on in the tree;
 *   "alias"  the test naming the live child's pid with uid 4242 gid 4343;
 *   "self2"  the test again.
 * N, a datagram pair whose receiver never had SO_PASSCRED, holds "none"
 * (no credentials) and "sender" (sent while the sender's end had
 * SO_PASSCRED: the test's credentials). P's receiver has SO_PASSPIDFD and
 * nothing queued.
 * After restore every message reads with the same data, boundaries and
 * credentials (N's once SO_PASSCRED is turned on), the pipe end still
 * reaches the pipe, and the options are as they were.
 */
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "unix_sk.h"

#define NR_MSGS 8
#define EMPTY_AFTER 2	/* D and Q have an empty datagram after message 2 */

struct want {
	const char *data;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	bool fd;
};

static int S[2], D[2], Q[2], N[2], P[2], pipefd[2];

static void send_as(int sk, const char *data, const struct ucred *uc, int fd)
{
	union {
		char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int))];
		struct cmsghdr a;
	} ctl;
	struct iovec iov = { (void *)data, strlen(data) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b };
	struct cmsghdr *c;

	memset(&ctl, 0, sizeof(ctl));
	mh.msg_controllen = (uc ? CMSG_SPACE(sizeof(*uc)) : 0) + (fd >= 0 ? CMSG_SPACE(sizeof(fd)) : 0);
	if (!mh.msg_controllen)
		mh.msg_control = NULL;
	c = CMSG_FIRSTHDR(&mh);
	if (uc) {
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_CREDENTIALS;
		c->cmsg_len = CMSG_LEN(sizeof(*uc));
		memcpy(CMSG_DATA(c), uc, sizeof(*uc));
		c = CMSG_NXTHDR(&mh, c);
	}
	if (fd >= 0) {
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(fd));
		memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	}
	if (sendmsg(sk, &mh, MSG_NOSIGNAL) != (ssize_t)strlen(data)) {
		test_msg("sendmsg \"%s\" on fd %d: %s", data, sk, strerror(errno));
		exit(1);
	}
}

static void send_all3(const char *data, const struct ucred *uc, int fd)
{
	send_as(S[0], data, uc, fd);
	send_as(D[0], data, uc, fd);
	send_as(Q[0], data, uc, fd);
}

/*
 * A child that sends @data on every pair as @uid/@gid (-1: the test's),
 * then exits, or (@ready) tells it sent and lives on; returns its pid. One
 * that exits as the test's ids also sends the empty datagrams.
 */
static pid_t child_sends(const char *data, int uid, int gid, int ready)
{
	pid_t pid = fork();

	if (pid < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (pid)
		return pid;
	if (uid >= 0 && (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
			 setresuid(uid, uid, uid)))
		_exit(1);
	send_all3(data, NULL, -1);
	if (ready < 0 && uid < 0) {
		send_as(D[0], "", NULL, -1);
		send_as(Q[0], "", NULL, -1);
	}
	if (ready < 0)
		_exit(0);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	while (1)
		pause();
}

static void reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		test_setup_fail("child %d failed", pid);
}

static unsigned overflow_id(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		test_setup_fail("read %s: %s", path, strerror(errno));
	close(fd);
	return strtoul(buf, NULL, 10);
}

/* The next message is @w: its data, credentials and descriptor. */
static int expect(int sk, const struct want *w, const char *what)
{
	union {
		char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr a;
	} ctl;
	char buf[64], c = 0;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = sizeof(ctl.b) };
	ssize_t n = recvmsg(sk, &mh, MSG_DONTWAIT);
	bool cred = false;
	int fd = -1, bad = 0;

	if (n != (ssize_t)strlen(w->data) || memcmp(buf, w->data, n)) {
		test_msg("%s: got \"%.*s\" (%zd: %s), wanted \"%s\"", what, n > 0 ? (int)n : 0, buf,
			 n, n < 0 ? strerror(errno) : "data", w->data);
		return 1;
	}
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		struct ucred uc;

		if (cm->cmsg_type == SCM_RIGHTS) {
			memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
			continue;
		}
		if (cm->cmsg_type != SCM_CREDENTIALS)
			continue;
		cred = true;
		memcpy(&uc, CMSG_DATA(cm), sizeof(uc));
		if (uc.pid != w->pid || uc.uid != w->uid || uc.gid != w->gid) {
			test_msg("%s \"%s\": credentials %d/%u/%u, wanted %d/%u/%u", what, w->data,
				 uc.pid, uc.uid, uc.gid, w->pid, w->uid, w->gid);
			bad = 1;
		}
	}
	if (!cred) {
		test_msg("%s \"%s\": no SCM_CREDENTIALS", what, w->data);
		bad = 1;
	}
	if (w->fd != (fd >= 0)) {
		test_msg("%s \"%s\": %s descriptor", what, w->data, fd >= 0 ? "an unexpected" : "no");
		bad = 1;
	}
	if (fd >= 0) {
		/* the one in flight is still the pipe's write end */
		if (write(fd, "p", 1) != 1 || read(pipefd[0], &c, 1) != 1 || c != 'p') {
			test_msg("%s \"%s\": the descriptor in flight does not reach the pipe", what,
				 w->data);
			bad = 1;
		}
		close(fd);
	}
	return bad;
}

/*
 * Damage for --break: D's messages taken out and sent again by the test
 * itself, same data in the same order, the test's credentials on each.
 */
static void resend_as_self(int rx, int tx)
{
	char buf[64];

	for (int i = 0; i < NR_MSGS + 1; i++) {
		ssize_t n = recv(rx, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 || send(tx, buf, n, 0) != n)
			test_msg("break: message %d: %s", i, strerror(errno));
	}
}

int main(int argc, char **argv)
{
	struct want w[NR_MSGS], nw[2], empty;
	struct ucred explicit, alias;
	unsigned ouid, ogid;
	int on = 1, off = 0, ready[2], bad = 0;
	pid_t me, gone, uid, live;
	char r;

	test_init(argc, argv);
	me = getpid();
	ouid = overflow_id("/proc/sys/kernel/overflowuid");
	ogid = overflow_id("/proc/sys/kernel/overflowgid");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, S) || socketpair(AF_UNIX, SOCK_DGRAM, 0, D) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, Q) || socketpair(AF_UNIX, SOCK_DGRAM, 0, N) ||
	    socketpair(AF_UNIX, SOCK_DGRAM, 0, P) || pipe(pipefd) || pipe(ready))
		test_setup_fail("socketpair: %s", strerror(errno));

	send_all3("none", NULL, -1);
	if (setsockopt(S[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) ||
	    setsockopt(D[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) ||
	    setsockopt(Q[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) ||
	    setsockopt(P[1], SOL_SOCKET, SO_PASSPIDFD, &on, sizeof(on)))
		test_setup_fail("SO_PASSCRED: %s", strerror(errno));
	send_all3("self", NULL, -1);
	gone = child_sends("gone", -1, -1, -1);
	reap(gone);
	uid = child_sends("uid", 23456, 34567, -1);
	reap(uid);
	explicit = (struct ucred){ me, 1000, 2000 };
	send_all3("fd", &explicit, pipefd[1]);
	live = child_sends("live", -1, -1, ready[1]);
	if (read(ready[0], &r, 1) != 1)
		test_setup_fail("the live child did not send");
	alias = (struct ucred){ live, 4242, 4343 };
	send_all3("alias", &alias, -1);
	send_all3("self2", NULL, -1);

	sk_sends(N[0], "none");
	if (setsockopt(N[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)))
		test_setup_fail("SO_PASSCRED: %s", strerror(errno));
	sk_sends(N[0], "sender");
	if (setsockopt(N[0], SOL_SOCKET, SO_PASSCRED, &off, sizeof(off)))
		test_setup_fail("SO_PASSCRED: %s", strerror(errno));

	w[0] = (struct want){ "none", 0, ouid, ogid, false };
	w[1] = (struct want){ "self", me, 0, 0, false };
	w[2] = (struct want){ "gone", gone, 0, 0, false };
	w[3] = (struct want){ "uid", uid, 23456, 34567, false };
	w[4] = (struct want){ "fd", me, 1000, 2000, true };
	w[5] = (struct want){ "live", live, 0, 0, false };
	w[6] = (struct want){ "alias", live, 4242, 4343, false };
	w[7] = (struct want){ "self2", me, 0, 0, false };
	empty = (struct want){ "", gone, 0, 0, false };
	nw[0] = (struct want){ "none", 0, ouid, ogid, false };
	nw[1] = (struct want){ "sender", me, 0, 0, false };

	test_daemon();
	test_waitsig();

	if (test_break())
		resend_as_self(D[1], D[0]);
	bad += expect_opt(S[1], SO_PASSCRED, 1, "S[1] SO_PASSCRED");
	bad += expect_opt(D[1], SO_PASSCRED, 1, "D[1] SO_PASSCRED");
	bad += expect_opt(Q[1], SO_PASSCRED, 1, "Q[1] SO_PASSCRED");
	bad += expect_opt(N[1], SO_PASSCRED, 0, "N[1] SO_PASSCRED");
	bad += expect_opt(N[0], SO_PASSCRED, 0, "N[0] SO_PASSCRED");
	bad += expect_opt(S[0], SO_PASSCRED, 0, "S[0] SO_PASSCRED");
	bad += expect_opt(P[1], SO_PASSPIDFD, 1, "P[1] SO_PASSPIDFD");
	bad += expect_opt(P[0], SO_PASSPIDFD, 0, "P[0] SO_PASSPIDFD");
	for (int i = 0; i < NR_MSGS; i++) {
		bad += expect(S[1], &w[i], "S");
		bad += expect(D[1], &w[i], "D");
		bad += expect(Q[1], &w[i], "Q");
		if (i == EMPTY_AFTER) {
			bad += expect(D[1], &empty, "D");
			bad += expect(Q[1], &empty, "Q");
		}
	}
	bad += expect_eagain(S[1], "S after");
	bad += expect_eagain(D[1], "D after");
	bad += expect_eagain(Q[1], "Q after");
	if (setsockopt(N[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)))
		pfail("SO_PASSCRED on N[1]");
	bad += expect(N[1], &nw[0], "N");
	bad += expect(N[1], &nw[1], "N");
	bad += expect_eagain(N[1], "N after");
	kill(live, SIGKILL);
	waitpid(live, NULL, 0);
	if (bad)
		fail("%d mismatches in messages and their credentials", bad);
	pass();
}
