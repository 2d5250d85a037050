/* SPDX-License-Identifier: GPL-2.0 */
/* Checks shared by the unix socket tests; each returns 0 or 1 (a mismatch,
 * told with test_msg) so a test can add them up and report every one. */
#ifndef ZDTM_UNIX_SK_H
#define ZDTM_UNIX_SK_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "zdtmtst.h"

/* glibc 2.36 does not name them */
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 4
#endif

static inline void sk_send(int fd, const void *buf, size_t len)
{
	if (send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
		test_setup_fail("send %zu bytes on fd %d: %s", len, fd, strerror(errno));
}

static inline void sk_sends(int fd, const char *s)
{
	sk_send(fd, s, strlen(s));
}

/* The next message (or stream chunk of the same length) is exactly @want. */
static inline int expect_msg(int fd, const char *want, const char *what)
{
	char buf[4096];
	size_t len = strlen(want);
	ssize_t n = recv(fd, buf, len ? len + (len < sizeof(buf) - 1) : sizeof(buf),
			 MSG_DONTWAIT);

	if (n < 0) {
		test_msg("%s: recv: %s (wanted \"%s\")", what, strerror(errno), want);
		return 1;
	}
	if ((size_t)n != len || memcmp(buf, want, len)) {
		test_msg("%s: got \"%.*s\" (%zd bytes), wanted \"%s\"", what, (int)n, buf, n, want);
		return 1;
	}
	return 0;
}

static inline int expect_eagain(int fd, const char *what)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	test_msg("%s: expected an empty queue, recv gave %zd (%s)", what, n,
		 n < 0 ? strerror(errno) : "data");
	return 1;
}

static inline int expect_eof(int fd, const char *what)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);

	if (n == 0)
		return 0;
	test_msg("%s: expected end of data, recv gave %zd (%s)", what, n,
		 n < 0 ? strerror(errno) : "data");
	return 1;
}

/* send must fail with EPIPE (the way is shut down). */
static inline int expect_epipe(int fd, const char *what)
{
	ssize_t n = send(fd, "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0 && errno == EPIPE)
		return 0;
	test_msg("%s: expected EPIPE, send gave %zd (%s)", what, n, n < 0 ? strerror(errno) : "ok");
	return 1;
}

static inline int sk_opt(int fd, int opt)
{
	int v = -12345;
	socklen_t l = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, opt, &v, &l))
		return -12345;
	return v;
}

static inline int expect_opt(int fd, int opt, int want, const char *what)
{
	int v = sk_opt(fd, opt);

	if (v == want)
		return 0;
	test_msg("%s: option is %d, wanted %d", what, v, want);
	return 1;
}

static inline socklen_t sk_addr(struct sockaddr_un *a, const char *name, bool abstract)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (abstract) {
		strncpy(a->sun_path + 1, name, sizeof(a->sun_path) - 2);
		return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
	}
	strncpy(a->sun_path, name, sizeof(a->sun_path) - 1);
	return offsetof(struct sockaddr_un, sun_path) + strlen(name) + 1;
}

/* getsockname (or getpeername) names exactly @name. */
static inline int expect_name(int fd, bool peer, const char *name, bool abstract,
			      const char *what)
{
	struct sockaddr_un a, w;
	socklen_t l = sizeof(a), wl = sk_addr(&w, name, abstract);

	memset(&a, 0, sizeof(a));
	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&a, &l)) {
		test_msg("%s: get%sname: %s", what, peer ? "peer" : "sock", strerror(errno));
		return 1;
	}
	/* the kernel may or may not count the terminating zero of a path */
	if (!abstract && l == wl - 1)
		l++;
	if (l != wl || memcmp(a.sun_path, w.sun_path, wl - offsetof(struct sockaddr_un, sun_path))) {
		test_msg("%s: %s name is %s%.*s (%u), wanted %s%s", what, peer ? "peer" : "own",
			 a.sun_path[0] ? "" : "@", (int)(l - 3), a.sun_path + !a.sun_path[0],
			 l, abstract ? "@" : "", name);
		return 1;
	}
	return 0;
}

/*
 * The next message is @want and carries this process's credentials
 * (pid, uid, gid): the receiver has SO_PASSCRED on.
 */
static inline int expect_own_creds(int fd, const char *want, const char *what)
{
	union {
		char b[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr a;
	} ctl;
	char buf[64];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *c;
	struct ucred uc;
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

	if (n != (ssize_t)strlen(want) || memcmp(buf, want, n)) {
		test_msg("%s: recvmsg gave %zd (%s), wanted \"%s\"", what, n,
			 n < 0 ? strerror(errno) : "other data", want);
		return 1;
	}
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_CREDENTIALS) {
		test_msg("%s: no SCM_CREDENTIALS", what);
		return 1;
	}
	memcpy(&uc, CMSG_DATA(c), sizeof(uc));
	if (uc.pid != getpid() || uc.uid != getuid() || uc.gid != getgid()) {
		test_msg("%s: credentials %d/%d/%d, wanted %d/%d/%d", what, uc.pid, uc.uid, uc.gid,
			 getpid(), getuid(), getgid());
		return 1;
	}
	return 0;
}

#endif
