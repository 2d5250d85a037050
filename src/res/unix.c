// SPDX-License-Identifier: GPL-2.0
/*
 * Unix sockets: stream, datagram and seqpacket; socketpairs, sockets bound
 * to paths (present or unlinked) and abstract names, connections made
 * through listeners, connections still pending on a listener, shutdowns,
 * options and the data queued for each socket.
 *
 * Dump: sock_diag tells peers, names, pending connections and shutdowns of
 * every socket at once; the receive queue is copied with MSG_PEEK under a
 * temporary SO_PEEK_OFF, so nothing is taken out. How each socket will be
 * re-made depends on its peer, which may be dumped after it: records are
 * kept and checked together at the end of the dump, while the tree can
 * still be given back.
 *
 * Restore: the first open builds every socket of the image at once, in an
 * order the kernel accepts (bind, listen, queue datagrams to named sockets
 * before anyone connects to them, connect and accept, pending connections
 * in queue order, stream data from the peer, then unlink unlinked names,
 * then shutdowns and options); each open hands out a copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/files.h"
#include "fdinfo.pb-c.h"
#include "images/image.h"
#include "images/store.h"
#include "res/table.h"
#include "unix.pb-c.h"
#include "util/log.h"
#include "util/options.h"
#include "util/proc.h"
#include "util/sockopt.h"
#include "util/sys.h"
#include "util/unix_diag.h"

#define ST_ESTABLISHED 1
#define ST_CLOSE 7
#define ST_LISTEN 10
#define RCV_SHUT 1
#define SEND_SHUT 2
/* the largest datagram the dump copies */
#define PEEK_BUF (4u << 20)
#define SCM_MAX_FDS 253	/* the most one SCM_RIGHTS carries */
#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS 83
#endif
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 4
#endif

static struct img_store store = IMG_STORE(IMG_UNIXSK);

static bool unixsk_match(const struct fd_parms *p)
{
	int domain;
	socklen_t len = sizeof(domain);

	if (!S_ISSOCK(p->st.st_mode))
		return false;
	return !getsockopt(p->lfd, SOL_SOCKET, SO_DOMAIN, &domain, &len) && domain == AF_UNIX;
}

/* ---- credentials in flight ---- */

/*
 * Each queued message keeps what its reader gets as SCM_CREDENTIALS: a
 * reference to the sender's pid (read as its number in the reader's pid
 * namespace, even once the sender is gone), its uid and its gid. One
 * queued while neither end had SO_PASSCRED carries none: it reads as pid
 * 0 with the overflow uid and gid.
 *
 * criu sends them again with explicit SCM_CREDENTIALS: as root it may name
 * any ids, and any pid that exists at that moment. A pid nobody has (a
 * task of the tree not made yet, a sender that exited) is taken by a
 * holder, a child of criu made with that pid that lives while criu sends
 * and is reaped before anyone needs the pid again.
 */
struct msg_cred {
	uint32_t pid, uid, gid;
	bool has_start;
	uint64_t start;		/* of the process that had the pid at dump */
};

struct holder {
	pid_t pid;
	pid_t child;		/* 0: the pid's own process stands */
};
static struct holder *holders;
static int nr_holders;

static struct {
	bool known;
	uint32_t uid, gid;
} overflow;

/* A few senders' start times, looked up once per dump. */
static struct {
	pid_t pid;
	bool alive;
	uint64_t start;
} seen[64];
static int nr_seen;

/* The start time of whoever has pid @pid now; false when nobody does. */
static bool pid_start(pid_t pid, uint64_t *start)
{
	struct proc_stat st;

	if (proc_try_stat(pid, &st))
		return false;
	*start = st.start_time;
	return true;
}

static int read_id(const char *path, uint32_t *id)
{
	char *buf = read_whole_file(path, NULL), *end;
	unsigned long v;

	if (!buf) {
		pr_perror("Can't read %s", path);
		return -1;
	}
	v = strtoul(buf, &end, 10);
	if (end == buf || v > UINT32_MAX) {
		pr_err("Can't parse %s: \"%.20s\"\n", path, buf);
		free(buf);
		return -1;
	}
	free(buf);
	*id = v;
	return 0;
}

/* What a message without credentials reads as here. */
static int overflow_ids(uint32_t *uid, uint32_t *gid)
{
	if (!overflow.known) {
		if (read_id("/proc/sys/kernel/overflowuid", &overflow.uid) ||
		    read_id("/proc/sys/kernel/overflowgid", &overflow.gid))
			return -1;
		overflow.known = true;
	}
	*uid = overflow.uid;
	*gid = overflow.gid;
	return 0;
}

/*
 * Make @c's pid one that explicit credentials may name. A process that has
 * it already will do when @any, or when it is the one that had it at dump
 * (its start time); otherwise it is someone else now, and the credentials
 * cannot be given back. @what names the message for errors.
 */
static int hold_pid(const struct msg_cred *c, bool any, const char *what)
{
	pid_t want = c->pid, parent = getpid(), child;
	struct clone_args ca = { .exit_signal = SIGCHLD, .set_tid = (uint64_t)(uintptr_t)&want,
				 .set_tid_size = 1 };
	struct holder *nh;
	uint64_t now;

	for (int i = 0; i < nr_holders; i++)
		if (holders[i].pid == want)
			return 0;
	nh = realloc(holders, (nr_holders + 1) * sizeof(*nh));
	if (!nh)
		return -1;
	holders = nh;
	child = sys_clone3(&ca);
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		for (;;)
			pause();
	}
	if (child < 0 && errno == EEXIST) {
		if (!any && (!pid_start(want, &now) || !c->has_start || now != c->start)) {
			pr_err("%s carries the credentials of pid %d, which another process has now\n",
			       what, want);
			return -1;
		}
		child = 0;
	} else if (child < 0) {
		pr_perror("Can't make pid %d for the credentials of %s", want, what);
		return -1;
	}
	holders[nr_holders++] = (struct holder){ want, child };
	return 0;
}

/* Holders go before anyone else may want their pids (the tree, as_cred()). */
static void release_holders(void)
{
	for (int i = 0; i < nr_holders; i++) {
		if (holders[i].child <= 0)
			continue;
		kill(holders[i].child, SIGKILL);
		while (waitpid(holders[i].child, NULL, 0) < 0 && errno == EINTR)
			;
	}
	free(holders);
	holders = NULL;
	nr_holders = 0;
}

/* The process that stood for @pid went away: a holder takes its place on retry. */
static void forget_holder(uint32_t pid)
{
	for (int i = 0; i < nr_holders; i++)
		if (holders[i].pid == (pid_t)pid && !holders[i].child)
			holders[i] = holders[--nr_holders];
}

union msg_ctl {
	char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(SCM_MAX_FDS * sizeof(int))];
	struct cmsghdr align;
};

/*
 * Control data for a message: @c's credentials (none for pid 0) first,
 * then @nfds descriptors. Returns the length of the credentials part (all
 * a later part of a stream message carries) or -1 if it does not fit.
 */
static ssize_t fill_ctl(struct msghdr *mh, union msg_ctl *ctl, const struct msg_cred *c,
			const int *fds, size_t nfds)
{
	struct ucred uc;
	struct cmsghdr *cm;
	size_t cred_len = c && c->pid ? CMSG_SPACE(sizeof(uc)) : 0;

	if (nfds > SCM_MAX_FDS)
		return -1;
	memset(ctl, 0, sizeof(*ctl));
	mh->msg_control = ctl->b;
	mh->msg_controllen = cred_len + (nfds ? CMSG_SPACE(nfds * sizeof(int)) : 0);
	if (!mh->msg_controllen) {
		mh->msg_control = NULL;
		return 0;
	}
	cm = CMSG_FIRSTHDR(mh);
	if (cred_len) {
		uc = (struct ucred){ c->pid, c->uid, c->gid };
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_CREDENTIALS;
		cm->cmsg_len = CMSG_LEN(sizeof(uc));
		memcpy(CMSG_DATA(cm), &uc, sizeof(uc));
		cm = CMSG_NXTHDR(mh, cm);
	}
	if (nfds) {
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	return cred_len;
}

/* ---- dump ---- */

struct dumped {
	pid_t pid;
	int fd;
	UnixSkEntry *e;
	uint32_t vfs_ino;	/* the socket file's inode as sock_diag tells */
};

static struct unix_diag_set diag;
static bool diag_done, dump_failed;

/*
 * A queue holding an empty datagram, to be taken out and sent again by its
 * peer once the dump is done, when the tree lives on. The kernel marks an
 * empty datagram once it is peeked at and a peek with SO_PEEK_OFF skips it
 * from then on: a second dump of the running tree would not see it. Sent
 * again, in the same order, every datagram is fresh.
 */
struct rotation {
	pid_t pid, peer_pid;
	int fd, peer_fd;
	uint64_t ino, peer_ino;
	size_t n;
	bool from_peer;		/* every datagram came from the peer */
	struct msg_cred *creds;	/* each datagram's, sent again with it */
};
static struct rotation *rotations;
static int nr_rotations;
static struct dumped *dumped;
static int nr_dumped;

static void free_entry(UnixSkEntry *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_queue; i++) {
		free(e->queue[i]->data.data);
		free(e->queue[i]->src.data);
		free(e->queue[i]->fd_ids);
		free(e->queue[i]->fd_types);
		free(e->queue[i]);
	}
	free(e->queue);
	free(e->name.data);
	free(e->ext_name.data);
	free(e->dir);
	free(e->icons);
	if (e->opts)
		free(e->opts->filter);
	free(e->opts);
	free(e);
}

static void dump_forget(void)
{
	for (int i = 0; i < nr_dumped; i++)
		free_entry(dumped[i].e);
	free(dumped);
	dumped = NULL;
	nr_dumped = 0;
	nr_seen = 0;
	overflow.known = false;
	unix_diag_free(&diag);
	diag_done = dump_failed = false;
}

static int getint(int fd, int opt, int *val)
{
	socklen_t len = sizeof(*val);

	return getsockopt(fd, SOL_SOCKET, opt, val, &len);
}

static int dump_opts(const struct fd_parms *p, UnixSkOpts *o)
{
	struct timeval rt, st;
	socklen_t tl = sizeof(rt), sl = sizeof(st);
	int sndbuf, rcvbuf, passcred, passsec, passpidfd, passrights, peek, lowat, lock;
	char what[64];

	if (getint(p->lfd, SO_SNDBUF, &sndbuf) || getint(p->lfd, SO_RCVBUF, &rcvbuf) ||
	    getint(p->lfd, SO_PASSCRED, &passcred) || getint(p->lfd, SO_PASSSEC, &passsec) ||
	    getint(p->lfd, SO_PASSPIDFD, &passpidfd) ||
	    getint(p->lfd, SO_PEEK_OFF, &peek) || getint(p->lfd, SO_RCVLOWAT, &lowat) ||
	    getint(p->lfd, SO_LOCK_FILTER, &lock) ||
	    getsockopt(p->lfd, SOL_SOCKET, SO_RCVTIMEO_OLD, &rt, &tl) ||
	    getsockopt(p->lfd, SOL_SOCKET, SO_SNDTIMEO_OLD, &st, &sl)) {
		pr_perror("Can't read options of unix socket fd %d of pid %d", p->fd, p->pid);
		return -1;
	}
	o->sndbuf = sndbuf;
	o->rcvbuf = rcvbuf;
	o->passcred = passcred;
	o->passsec = passsec;
	o->has_passpidfd = true;
	o->passpidfd = passpidfd;
	o->peek_off = peek;
	o->rcvlowat = lowat;
	o->rcvtimeo_us = rt.tv_sec * 1000000ULL + rt.tv_usec;
	o->sndtimeo_us = st.tv_sec * 1000000ULL + st.tv_usec;
	o->has_lock_filter = true;
	o->lock_filter = lock;
	/* kernels before 6.16 have no SO_PASSRIGHTS: descriptors always pass */
	if (!getint(p->lfd, SO_PASSRIGHTS, &passrights)) {
		o->has_passrights = true;
		o->passrights = passrights;
	} else if (errno != ENOPROTOOPT) {
		pr_perror("Can't read SO_PASSRIGHTS of unix socket fd %d of pid %d", p->fd, p->pid);
		return -1;
	}
	snprintf(what, sizeof(what), "unix socket fd %d of pid %d", p->fd, p->pid);
	return sk_filter_dump(p->lfd, what, &o->filter, &o->n_filter);
}

static int add_msg(UnixSkEntry *e, const void *data, size_t len, const struct sockaddr_un *src,
		   socklen_t srclen)
{
	UnixSkMsg **nq = realloc(e->queue, (e->n_queue + 1) * sizeof(*nq));
	UnixSkMsg *m;

	if (!nq)
		return -1;
	e->queue = nq;
	m = malloc(sizeof(*m));
	if (!m)
		return -1;
	unix_sk_msg__init(m);
	e->queue[e->n_queue++] = m;
	m->data.len = len;
	m->data.data = malloc(len ? len : 1);
	if (!m->data.data)
		return -1;
	memcpy(m->data.data, data, len);
	if (srclen > offsetof(struct sockaddr_un, sun_path)) {
		m->has_src = true;
		m->src.len = srclen - offsetof(struct sockaddr_un, sun_path);
		m->src.data = malloc(m->src.len);
		if (!m->src.data)
			return -1;
		memcpy(m->src.data, src->sun_path, m->src.len);
	}
	return 0;
}

/* What travels with one queued message: descriptions (SCM_RIGHTS) and credentials. */
struct flight {
	uint32_t ids[SCM_MAX_FDS];
	int32_t types[SCM_MAX_FDS];
	size_t n;
	bool has_cred;
	struct ucred uc;	/* as the peek read them */
	struct msg_cred cred;
};

static void sender_start(struct msg_cred *c)
{
	for (int i = 0; i < nr_seen; i++)
		if (seen[i].pid == (pid_t)c->pid) {
			c->has_start = seen[i].alive;
			c->start = seen[i].start;
			return;
		}
	c->has_start = pid_start(c->pid, &c->start);
	if (nr_seen < (int)(sizeof(seen) / sizeof(seen[0])))
		seen[nr_seen++] = (typeof(seen[0])){ c->pid, c->has_start, c->start };
}

/*
 * A message without credentials reads as pid 0 and the overflow ids; pid 0
 * with other ids is a sender whose pid namespace the reader cannot see,
 * whose credentials criu cannot name again.
 */
static int check_cred(const struct fd_parms *p, struct flight *fl)
{
	const struct ucred *uc = &fl->uc;
	uint32_t ouid, ogid;

	if (!fl->has_cred) {
		pr_err("A message queued on unix socket fd %d of pid %d was peeked at without its credentials\n",
		       p->fd, p->pid);
		return -1;
	}
	fl->cred = (struct msg_cred){ uc->pid, uc->uid, uc->gid, false, 0 };
	if (uc->pid) {
		sender_start(&fl->cred);
		return 0;
	}
	if (overflow_ids(&ouid, &ogid))
		return -1;
	if (uc->uid == ouid && uc->gid == ogid)
		return 0;
	pr_err("unsupported: a message queued on unix socket fd %d of pid %d carries the credentials of a sender outside criu's pid namespace (pid 0, uid %u, gid %u)\n",
	       p->fd, p->pid, uc->uid, uc->gid);
	return -1;
}

/* a socket in flight is dumped by dump_flying_file(): its own queue must be plain */
static int flying_depth;

static int dump_flying(const struct fd_parms *p, int fd, struct flight *fl)
{
	int ret;

	if (flying_depth) {
		pr_err("unsupported: descriptors in flight to a unix socket that is itself in flight to fd %d of pid %d\n",
		       p->fd, p->pid);
		return -1;
	}
	flying_depth++;
	ret = fl->n < SCM_MAX_FDS ? dump_flying_file(p, fd, &fl->ids[fl->n], &fl->types[fl->n]) : -1;
	flying_depth--;
	if (!ret)
		fl->n++;
	return ret;
}

/*
 * Descriptions in flight are dumped with the message (a peek installed
 * copies of them in criu), and so are its credentials.
 */
static int check_cmsgs(const struct fd_parms *p, struct msghdr *mh, struct flight *fl)
{
	int ret = 0;

	fl->n = 0;
	fl->has_cred = false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (int i = 0; i < n; i++) {
				int fd = ((int *)CMSG_DATA(c))[i];

				if (!ret && dump_flying(p, fd, fl))
					ret = -1;
				close(fd);
			}
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
			   c->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
			fl->has_cred = true;
			memcpy(&fl->uc, CMSG_DATA(c), sizeof(fl->uc));
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_PIDFD) {
			int fd;

			/* refused by dump_one(): the peek only must not leave it open */
			memcpy(&fd, CMSG_DATA(c), sizeof(fd));
			close(fd);
		}
	}
	if (!ret && (mh->msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		pr_err("unsupported: a queued message of over %u bytes on unix socket fd %d of pid %d\n",
		       PEEK_BUF, p->fd, p->pid);
		ret = -1;
	}
	return ret;
}

static int add_rotation(const struct fd_parms *p, const struct unix_diag_sk *d,
			const UnixSkEntry *e)
{
	struct rotation *nr = realloc(rotations, (nr_rotations + 1) * sizeof(*nr));

	if (!nr)
		return -1;
	rotations = nr;
	rotations[nr_rotations++] = (struct rotation){ .pid = p->pid, .fd = p->fd, .ino = e->ino,
						       .peer_ino = d->has_peer ? d->peer : 0 };
	return 0;
}

static int add_flight(UnixSkMsg *m, const struct flight *fl)
{
	m->has_cred_pid = m->has_cred_uid = m->has_cred_gid = true;
	m->cred_pid = fl->cred.pid;
	m->cred_uid = fl->cred.uid;
	m->cred_gid = fl->cred.gid;
	m->has_cred_start = fl->cred.has_start;
	m->cred_start = fl->cred.start;
	if (!fl->n)
		return 0;
	m->fd_ids = malloc(fl->n * sizeof(*m->fd_ids));
	m->fd_types = malloc(fl->n * sizeof(*m->fd_types));
	if (!m->fd_ids || !m->fd_types)
		return -1;
	memcpy(m->fd_ids, fl->ids, fl->n * sizeof(*m->fd_ids));
	memcpy(m->fd_types, fl->types, fl->n * sizeof(*m->fd_types));
	m->n_fd_ids = m->n_fd_types = fl->n;
	return 0;
}

static int peek_queue(const struct fd_parms *p, const struct unix_diag_sk *d, UnixSkEntry *e)
{
	struct flight fl;
	char *buf = malloc(PEEK_BUF);
	union {
		char b[CMSG_SPACE(sizeof(int) * SCM_MAX_FDS) + CMSG_SPACE(sizeof(struct ucred)) +
		       CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	int old = -1, zero = 0, one = 1, ret = -1;
	socklen_t ol = sizeof(old);
	bool eof_ok = (d->shutdown & RCV_SHUT) || (d->has_peer && !d->peer), empty = false;
	/*
	 * Credentials ride with messages whether the receiver reads them or
	 * not (it may turn SO_PASSCRED on later): they are read with it on.
	 */
	bool cred_off = !e->opts->passcred;

	if (!buf)
		return -1;
	if (getsockopt(p->lfd, SOL_SOCKET, SO_PEEK_OFF, &old, &ol) ||
	    setsockopt(p->lfd, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero))) {
		pr_perror("Can't set a peek offset on unix socket fd %d of pid %d", p->fd, p->pid);
		free(buf);
		return -1;
	}
	if (cred_off && setsockopt(p->lfd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one))) {
		pr_perror("Can't turn SO_PASSCRED on to peek at unix socket fd %d of pid %d",
			  p->fd, p->pid);
		cred_off = false;
		goto out;
	}
	for (int i = 0; i < 1000000; i++) {
		struct sockaddr_un src;
		struct iovec iov = { buf, PEEK_BUF };
		struct msghdr mh = { .msg_name = &src, .msg_namelen = sizeof(src),
				     .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
		ssize_t n = recvmsg(p->lfd, &mh, MSG_PEEK | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

		if (n < 0 && errno == EAGAIN) {
			ret = 0;
			break;
		}
		if (n < 0) {
			pr_perror("Can't peek at the queue of unix socket fd %d of pid %d", p->fd,
				  p->pid);
			break;
		}
		if (check_cmsgs(p, &mh, &fl))
			break;
		/*
		 * A stream says end of data with 0; so does a shut-down seqpacket
		 * socket, where only the credentials every real message carries
		 * (SO_PASSCRED is on) tell an empty datagram.
		 */
		if (n == 0 && (e->type == SOCK_STREAM || (eof_ok && !fl.has_cred))) {
			ret = 0;
			break;
		}
		if (check_cred(p, &fl) ||
		    add_msg(e, buf, n, &src, e->type == SOCK_STREAM ? 0 : mh.msg_namelen) ||
		    add_flight(e->queue[e->n_queue - 1], &fl))
			break;
		empty |= n == 0;
	}
	if (!ret && empty && add_rotation(p, d, e))
		ret = -1;
out:
	if (cred_off && setsockopt(p->lfd, SOL_SOCKET, SO_PASSCRED, &zero, sizeof(zero))) {
		pr_perror("Can't turn SO_PASSCRED off again on unix socket fd %d of pid %d",
			  p->fd, p->pid);
		ret = -1;
	}
	if (setsockopt(p->lfd, SOL_SOCKET, SO_PEEK_OFF, &old, sizeof(old))) {
		pr_perror("Can't reset the peek offset of unix socket fd %d of pid %d", p->fd,
			  p->pid);
		ret = -1;
	}
	free(buf);
	return ret;
}

/* Find where a bound path is now: present (same socket file), or unlinked. */
static int dump_path(const struct fd_parms *p, const struct unix_diag_sk *d, UnixSkEntry *e)
{
	char full[PATH_MAX * 2], cwd[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (d->name[0] != '/') {
		char link[64];

		snprintf(link, sizeof(link), "/proc/%d/cwd", p->pid);
		n = readlink(link, cwd, sizeof(cwd) - 1);
		if (n < 0) {
			pr_perror("Can't read %s", link);
			return -1;
		}
		cwd[n] = 0;
		e->dir = strdup(cwd);
		if (!e->dir)
			return -1;
		snprintf(full, sizeof(full), "%s/%.*s", cwd, d->name_len, d->name);
	} else {
		snprintf(full, sizeof(full), "%.*s", d->name_len, d->name);
	}
	if (d->has_vfs && !lstat(full, &st) && S_ISSOCK(st.st_mode) && st.st_ino == d->vfs_ino &&
	    major(st.st_dev) == d->vfs_dev >> 20 && minor(st.st_dev) == (d->vfs_dev & 0xfffff)) {
		e->has_file_mode = e->has_file_uid = e->has_file_gid = e->has_name_ino = true;
		e->file_mode = st.st_mode & 07777;
		e->file_uid = st.st_uid;
		e->file_gid = st.st_gid;
		e->name_ino = st.st_ino;
		return 0;
	}
	/*
	 * An unlinked relative name is taken as bound from the current
	 * directory: the kernel does not keep the directory it came from.
	 */
	if (e->dir)
		pr_warn("Unix socket fd %d of pid %d: relative name %.*s is gone, taken as unlinked from %s\n",
			p->fd, p->pid, d->name_len, d->name, e->dir);
	e->has_deleted = true;
	e->deleted = true;
	return 0;
}

/* The listener whose pending connections include @ino, or NULL. */
static const struct unix_diag_sk *pending_on(uint32_t ino)
{
	for (int i = 0; i < diag.nr; i++) {
		const struct unix_diag_sk *l = &diag.sk[i];

		if (l->state != ST_LISTEN)
			continue;
		for (uint32_t k = 0; k < l->nr_icons; k++)
			if (l->icons[k] == ino)
				return l;
	}
	return NULL;
}

static int fill_entry(const struct fd_parms *p, const struct unix_diag_sk *d, UnixSkEntry *e)
{
	const struct unix_diag_sk *l;

	struct ucred cred;
	socklen_t clen = sizeof(cred);

	e->type = d->type;
	e->state = d->state;
	e->flags = p->flags;
	e->shutdown = d->shutdown;
	if (!getsockopt(p->lfd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) && cred.pid > 0) {
		e->has_peer_pid = e->has_peer_uid = e->has_peer_gid = true;
		e->peer_pid = cred.pid;
		e->peer_uid = cred.uid;
		e->peer_gid = cred.gid;
	}
	if (d->has_peer) {
		e->has_peer = true;
		e->peer = service_sk_ino && d->peer == service_sk_ino ? 0 : d->peer;
	}
	if (d->has_name && d->name_len) {
		e->has_name = true;
		e->name.len = d->name_len;
		e->name.data = malloc(d->name_len);
		if (!e->name.data)
			return -1;
		memcpy(e->name.data, d->name, d->name_len);
		if (d->name[0] && dump_path(p, d, e))
			return -1;
	}
	if (d->state == ST_LISTEN) {
		e->has_backlog = true;
		e->backlog = d->wqueue;
		e->n_icons = d->nr_icons;
		e->icons = calloc(d->nr_icons + 1, sizeof(*e->icons));
		if (!e->icons)
			return -1;
		for (uint32_t i = 0; i < d->nr_icons; i++)
			e->icons[i] = d->icons[i];
		return 0;
	}
	l = d->state == ST_ESTABLISHED && d->has_peer && !d->peer ? pending_on(d->ino) : NULL;
	if (l) {
		/* what it sent waits in a socket that has no file: nothing can read it */
		if (d->wqueue) {
			pr_err("unsupported: unix socket fd %d of pid %d sent data on a connection not yet accepted\n",
			       p->fd, p->pid);
			return -1;
		}
		e->has_peer = false;
		e->has_queued_on = true;
		e->queued_on = l->ino;
	}
	/* only connected stream sockets have anything to read */
	if (d->type != SOCK_DGRAM && d->state != ST_ESTABLISHED)
		return 0;
	return peek_queue(p, d, e);
}

static int dump_one(const struct fd_parms *p, uint32_t id);

static int unixsk_dump(const struct fd_parms *p, uint32_t id)
{
	if (dump_one(p, id)) {
		dump_failed = true;
		return -1;
	}
	return 0;
}

static int dump_one(const struct fd_parms *p, uint32_t id)
{
	const struct unix_diag_sk *d;
	struct dumped *nd;
	UnixSkEntry *e;

	if (!diag_done) {
		if (unix_diag_collect(&diag))
			return -1;
		diag_done = true;
	}
	d = unix_diag_find(&diag, p->st.st_ino);
	if (!d) {
		pr_err("unsupported: unix socket fd %d of pid %d is not in criu's network namespace\n",
		       p->fd, p->pid);
		return -1;
	}
	nd = realloc(dumped, (nr_dumped + 1) * sizeof(*nd));
	if (!nd)
		return -1;
	dumped = nd;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -1;
	unix_sk_entry__init(e);
	dumped[nr_dumped++] = (struct dumped){ p->pid, p->fd, e, d->has_vfs ? d->vfs_ino : 0 };
	e->id = id;
	e->ino = p->st.st_ino;
	e->opts = malloc(sizeof(*e->opts));
	if (!e->opts)
		return -1;
	unix_sk_opts__init(e->opts);
	if (dump_opts(p, e->opts) || fill_entry(p, d, e))
		return -1;
	/* a pidfd names the sender's own process, which restore makes anew */
	if (e->opts->passpidfd && e->n_queue) {
		pr_err("unsupported: SO_PASSPIDFD with data queued on unix socket fd %d of pid %d (pidfds of the senders in flight)\n",
		       p->fd, p->pid);
		return -1;
	}
	return 0;
}

static struct dumped *dumped_by_ino(uint64_t ino)
{
	if (!ino)
		return NULL;
	for (int i = 0; i < nr_dumped; i++)
		if (dumped[i].e->ino == ino)
			return &dumped[i];
	return NULL;
}

static bool same_name(const UnixSkEntry *a, const UnixSkEntry *b)
{
	return a->has_name && b->has_name && a->name.len == b->name.len &&
	       !memcmp(a->name.data, b->name.data, a->name.len);
}

static bool ext_allowed(uint64_t ino)
{
	const char *s = opts.ext_unix_sk_list;

	if (!opts.ext_unix_sk)
		return false;
	if (!s)
		return true;
	for (; *s; s += strcspn(s, ",") + (s[strcspn(s, ",")] ? 1 : 0))
		if (strtoull(s, NULL, 10) == ino)
			return true;
	return false;
}

static int check_external(struct dumped *x)
{
	UnixSkEntry *e = x->e;
	const struct unix_diag_sk *pd = unix_diag_find(&diag, e->peer);

	if (!ext_allowed(e->peer)) {
		pr_err("unsupported: unix socket fd %d of pid %d is connected to socket %lu outside the tree (see --ext-unix-sk)\n",
		       x->fd, x->pid, (unsigned long)e->peer);
		return -1;
	}
	if (!pd || !pd->has_name || !pd->name_len) {
		pr_err("unsupported: unix socket fd %d of pid %d: its peer %lu outside the tree has no name to reconnect to\n",
		       x->fd, x->pid, (unsigned long)e->peer);
		return -1;
	}
	if (e->n_queue) {
		pr_err("unsupported: unix socket fd %d of pid %d holds data from its peer %lu outside the tree\n",
		       x->fd, x->pid, (unsigned long)e->peer);
		return -1;
	}
	e->has_ext_name = true;
	e->ext_name.len = pd->name_len;
	e->ext_name.data = malloc(pd->name_len);
	if (!e->ext_name.data)
		return -1;
	memcpy(e->ext_name.data, pd->name, pd->name_len);
	e->has_peer = false;
	return 0;
}

/* The listener in the tree whose name a connected stream socket carries. */
static struct dumped *listener_of(const struct dumped *x)
{
	for (int i = 0; i < nr_dumped; i++) {
		struct dumped *l = &dumped[i];

		if (l->e->state == ST_LISTEN && l->e->type == x->e->type && same_name(l->e, x->e) &&
		    l->vfs_ino == x->vfs_ino)
			return l;
	}
	return NULL;
}

static int check_stream_peer(struct dumped *x, struct dumped *peer)
{
	struct dumped *l;

	if (!x->e->has_name && !peer->e->has_name)
		return 0;	/* a socketpair */
	l = listener_of(x);
	if (l) {
		x->e->has_accepted_on = true;
		x->e->accepted_on = l->e->ino;
		return 0;
	}
	if (listener_of(peer) || !x->e->has_name)
		return 0;
	if (!peer->e->has_name) {
		/* accepted from a listener closed since: restore makes a stand-in */
		x->e->has_accepted_on = true;
		x->e->accepted_on = 0;
		return 0;
	}
	pr_err("unsupported: unix socket fd %d of pid %d and its peer both have names and no listener: which one was accepted cannot be told\n",
	       x->fd, x->pid);
	return -1;
}

/* Who will send each queued datagram again; see refill_dgram(). */
static int check_dgram_queue(struct dumped *x)
{
	UnixSkEntry *e = x->e;
	struct dumped *peer = e->has_peer ? dumped_by_ino(e->peer) : NULL;
	bool mutual = peer && peer->e->has_peer && peer->e->peer == e->ino;
	bool dead = e->has_peer && !e->peer;

	for (size_t i = 0; i < e->n_queue; i++) {
		UnixSkMsg *m = e->queue[i];
		bool found = false;

		if (!m->has_src) {
			if (mutual || dead || e->has_name)
				continue;
			pr_err("unsupported: datagrams queued on unix socket fd %d of pid %d cannot be sent again (unnamed socket, sender gone)\n",
			       x->fd, x->pid);
			return -1;
		}
		for (int k = 0; k < nr_dumped && !found; k++) {
			UnixSkEntry *s = dumped[k].e;

			found = s->has_name && s->name.len == m->src.len &&
				!memcmp(s->name.data, m->src.data, m->src.len) &&
				!s->has_accepted_on;
		}
		if (!found || (dead && !mutual) || (!e->has_name && !mutual)) {
			pr_err("unsupported: datagrams queued on unix socket fd %d of pid %d come from a named socket outside the tree or cannot be sent again\n",
			       x->fd, x->pid);
			return -1;
		}
	}
	return 0;
}

static int check_one(struct dumped *x)
{
	UnixSkEntry *e = x->e;
	struct dumped *peer;

	if (e->has_queued_on && !dumped_by_ino(e->queued_on)) {
		pr_err("unsupported: unix socket fd %d of pid %d waits to be accepted by listener %lu outside the tree\n",
		       x->fd, x->pid, (unsigned long)e->queued_on);
		return -1;
	}
	for (size_t i = 0; i < e->n_icons; i++)
		if (!dumped_by_ino(e->icons[i])) {
			pr_err("unsupported: listening unix socket fd %d of pid %d has a pending connection from socket %lu outside the tree\n",
			       x->fd, x->pid, (unsigned long)e->icons[i]);
			return -1;
		}
	if (e->has_peer && e->peer) {
		peer = dumped_by_ino(e->peer);
		if (!peer)
			return check_external(x);
		if (e->type != SOCK_DGRAM && check_stream_peer(x, peer))
			return -1;
	}
	if (e->type == SOCK_DGRAM)
		return check_dgram_queue(x);
	return 0;
}

/* Whether the peer in the tree sent every datagram of @r's queue: it can send them again. */
static void find_sender(struct rotation *r)
{
	struct dumped *x = dumped_by_ino(r->ino), *peer = dumped_by_ino(r->peer_ino);

	/* nothing can be sent to a socket shut down for reading (EPIPE) */
	if (!x || !peer || !peer->e->has_peer || peer->e->peer != r->ino ||
	    (x->e->shutdown & RCV_SHUT))
		return;
	r->from_peer = true;
	for (size_t i = 0; i < x->e->n_queue && r->from_peer; i++) {
		UnixSkMsg *m = x->e->queue[i];

		r->from_peer = !m->has_src || (peer->e->has_name && m->src.len == peer->e->name.len &&
					       !memcmp(m->src.data, peer->e->name.data, m->src.len));
	}
	r->n = x->e->n_queue;
	r->peer_pid = peer->pid;
	r->peer_fd = peer->fd;
	r->creds = calloc(r->n + 1, sizeof(*r->creds));
	if (!r->creds) {
		r->from_peer = false;
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		UnixSkMsg *m = x->e->queue[i];

		r->creds[i] = (struct msg_cred){ m->cred_pid, m->cred_uid, m->cred_gid,
						 m->has_cred_start, m->cred_start };
	}
}

static int unixsk_dump_finish(void)
{
	int ret = 0;

	/* after a failed dump the reason is already told */
	if (dump_failed)
		ret = -1;
	for (int i = 0; i < nr_dumped && !ret; i++)
		ret = check_one(&dumped[i]);
	for (int i = 0; i < nr_dumped && !ret; i++)
		ret = img_store_write(&store, &dumped[i].e->base);
	if (img_store_finish(&store))
		ret = -1;
	for (int i = 0; i < nr_rotations; i++)
		find_sender(&rotations[i]);
	dump_forget();
	return ret;
}

/* SO_PASSCRED and SO_PASSPIDFD of @fd off, their values kept in @val; or (@back) as in @val. */
static int quiet_creds(int fd, int val[2], bool back)
{
	static const int opt[2] = { SO_PASSCRED, SO_PASSPIDFD };
	int zero = 0;

	for (int i = 0; i < 2; i++) {
		socklen_t len = sizeof(val[i]);

		if (back) {
			if (setsockopt(fd, SOL_SOCKET, opt[i], &val[i], sizeof(val[i])))
				return -1;
			continue;
		}
		if (getsockopt(fd, SOL_SOCKET, opt[i], &val[i], &len) ||
		    setsockopt(fd, SOL_SOCKET, opt[i], &zero, sizeof(zero)))
			return -1;
	}
	return 0;
}

/*
 * One datagram taken out of @rx goes back in from @tx with the credentials
 * it had. None: the kernel adds the sender's if either end asks for them,
 * so neither does for that moment.
 */
static int resend(int rx, int tx, const void *buf, size_t len, const int *fds, size_t nfds,
		  const struct msg_cred *c, const struct rotation *r)
{
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	union msg_ctl ctl;
	int rxv[2], txv[2], ret;
	char what[96];

	snprintf(what, sizeof(what), "a datagram queued on unix socket fd %d of pid %d", r->fd,
		 r->pid);
	if (c->pid && hold_pid(c, true, what))
		return -1;
	if (fill_ctl(&mh, &ctl, c, fds, nfds) < 0)
		return -1;
	if (c->pid)
		return sendmsg(tx, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
	if (quiet_creds(rx, rxv, false))
		return -1;
	ret = -1;
	if (!quiet_creds(tx, txv, false)) {
		ret = sendmsg(tx, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
		if (quiet_creds(tx, txv, true))
			ret = -1;
	}
	if (quiet_creds(rx, rxv, true))
		ret = -1;
	return ret;
}

/* The next datagram of @rx into @buf, its descriptors in flight into @fds (criu's now). */
static ssize_t take(int rx, char *buf, int *fds, size_t *nfds)
{
	union msg_ctl ctl;
	struct iovec iov = { buf, PEEK_BUF };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = sizeof(ctl.b) };
	ssize_t n = recvmsg(rx, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	*nfds = 0;
	if (n < 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		*nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fds, CMSG_DATA(c), *nfds * sizeof(int));
	}
	return n;
}

/* Take each datagram of @r's queue out and have the peer send it again. */
static void rotate(const struct rotation *r)
{
	int rx = task_fd_copy(r->pid, r->fd), tx = task_fd_copy(r->peer_pid, r->peer_fd);
	char *buf = malloc(PEEK_BUF);
	int off = -1, fds[SCM_MAX_FDS];
	socklen_t ol = sizeof(off);
	size_t i = 0, nfds;

	if (rx < 0 || tx < 0 || !buf || getsockopt(rx, SOL_SOCKET, SO_PEEK_OFF, &off, &ol)) {
		pr_perror("Can't refresh the queue of unix socket fd %d of pid %d", r->fd, r->pid);
		goto out;
	}
	for (; i < r->n; i++) {
		ssize_t n = take(rx, buf, fds, &nfds);
		int bad = n < 0 || resend(rx, tx, buf, n, fds, nfds, &r->creds[i], r);

		for (size_t k = 0; k < nfds; k++)
			close(fds[k]);
		if (bad)
			break;
	}
	release_holders();
	if (i < r->n)
		pr_perror("Lost datagram %zu of %zu queued on unix socket fd %d of pid %d", i + 1,
			  r->n, r->fd, r->pid);
	/* taking datagrams out moved the task's peek offset back */
	if (off >= 0 && setsockopt(rx, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off)))
		pr_perror("Can't give unix socket fd %d of pid %d its peek offset back", r->fd,
			  r->pid);
out:
	free(buf);
	if (rx >= 0)
		close(rx);
	if (tx >= 0)
		close(tx);
}

static void unixsk_dump_release(bool tree_dies)
{
	for (int i = 0; i < nr_rotations && !tree_dies; i++) {
		struct rotation *r = &rotations[i];

		if (r->from_peer)
			rotate(r);
		else
			pr_warn("Unix socket fd %d of pid %d holds empty datagrams from outside its pair, or is shut down for reading: a later dump of the running tree will not see them\n",
				r->fd, r->pid);
	}
	for (int i = 0; i < nr_rotations; i++)
		free(rotations[i].creds);
	free(rotations);
	rotations = NULL;
	nr_rotations = 0;
}

/* ---- restore ---- */

struct live_sk {
	UnixSkEntry *e;
	int fd;
	int tmp;		/* the other end made for a peer that was closed */
	char aside[PATH_MAX + 32];	/* a file moved away to bind an unlinked name */
};

static struct live_sk *lives;
static int nr_lives;
static bool built;

static bool in_image(uint64_t ino)
{
	for (int i = 0; i < store.nr; i++)
		if (((UnixSkEntry *)store.recs[i])->ino == ino)
			return true;
	return false;
}

/* Every socket an entry names must be in the image, before anything is made. */
static int check_entry(int rec, const UnixSkEntry *e)
{
	const char *bad = NULL;

	if (e->type != SOCK_STREAM && e->type != SOCK_DGRAM && e->type != SOCK_SEQPACKET)
		bad = "an unknown socket type";
	else if (e->name.len > sizeof(((struct sockaddr_un *)0)->sun_path) ||
		 e->ext_name.len > sizeof(((struct sockaddr_un *)0)->sun_path))
		bad = "a name longer than sun_path";
	else if (e->has_peer && e->peer && !in_image(e->peer))
		bad = "a peer that is not in the image";
	else if (e->has_accepted_on && e->accepted_on && !in_image(e->accepted_on))
		bad = "a listener that is not in the image";
	else if (e->has_queued_on && !in_image(e->queued_on))
		bad = "a listener that is not in the image";
	for (size_t i = 0; !bad && i < e->n_icons; i++)
		if (!in_image(e->icons[i]))
			bad = "a pending connection that is not in the image";
	if (!bad)
		return 0;
	pr_err("unixsk.img record %d (socket %lu) names %s\n", rec, (unsigned long)e->ino, bad);
	return -1;
}

/* Descriptions in flight are sent again from criu's own copies. */
static int hold_flying(const UnixSkEntry *e)
{
	for (size_t i = 0; i < e->n_queue; i++) {
		const UnixSkMsg *m = e->queue[i];

		if (m->n_fd_ids != m->n_fd_types || m->n_fd_ids > SCM_MAX_FDS) {
			pr_err("unixsk.img: socket %lu has a message with bad descriptors in flight\n",
			       (unsigned long)e->ino);
			return -1;
		}
		for (size_t k = 0; k < m->n_fd_ids; k++)
			if (restore_file_hold(m->fd_ids[k], m->fd_types[k]))
				return -1;
	}
	return 0;
}

/*
 * Credentials that cannot be given back fail the restore before anything
 * is made: a pid another process has now, ids a message without
 * credentials would not read as here.
 */
static int check_creds(int rec, const UnixSkEntry *e)
{
	pid_t last = 0;

	for (size_t i = 0; i < e->n_queue; i++) {
		const UnixSkMsg *m = e->queue[i];
		uint32_t ouid, ogid;
		uint64_t now;

		if (!m->has_cred_pid)
			continue;
		if (!m->has_cred_uid || !m->has_cred_gid) {
			pr_err("unixsk.img record %d (socket %lu): message %zu has a pid and no ids in its credentials\n",
			       rec, (unsigned long)e->ino, i);
			return -1;
		}
		if (!m->cred_pid) {
			if (overflow_ids(&ouid, &ogid))
				return -1;
			if (m->cred_uid == ouid && m->cred_gid == ogid)
				continue;
			pr_err("unixsk.img record %d (socket %lu): message %zu has no credentials, read as uid %u gid %u at dump and as %u %u here\n",
			       rec, (unsigned long)e->ino, i, m->cred_uid, m->cred_gid, ouid, ogid);
			return -1;
		}
		if ((pid_t)m->cred_pid == last)
			continue;
		last = m->cred_pid;
		if (!pid_start(m->cred_pid, &now))
			continue;
		if (!m->has_cred_start || now != m->cred_start) {
			pr_err("unixsk.img record %d (socket %lu): message %zu carries the credentials of pid %u, which another process has now\n",
			       rec, (unsigned long)e->ino, i, m->cred_pid);
			return -1;
		}
	}
	return 0;
}

static int unixsk_collect(void)
{
	if (img_store_load(&store))
		return -1;
	for (int i = 0; i < store.nr; i++)
		if (check_entry(i, (UnixSkEntry *)store.recs[i]) ||
		    check_creds(i, (UnixSkEntry *)store.recs[i]) ||
		    hold_flying((UnixSkEntry *)store.recs[i]))
			return -1;
	return 0;
}

static struct live_sk *live_by_ino(uint64_t ino)
{
	if (!ino)
		return NULL;
	for (int i = 0; i < nr_lives; i++)
		if (lives[i].e->ino == ino)
			return &lives[i];
	return NULL;
}

static socklen_t make_addr(struct sockaddr_un *a, const ProtobufCBinaryData *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path, name->data, name->len);
	return offsetof(struct sockaddr_un, sun_path) + name->len;
}

static bool is_path(const UnixSkEntry *e)
{
	return e->has_name && e->name.len && e->name.data[0];
}

static void full_path(const UnixSkEntry *e, char *buf, size_t len)
{
	if (e->dir)
		snprintf(buf, len, "%s/%.*s", e->dir, (int)e->name.len, e->name.data);
	else
		snprintf(buf, len, "%.*s", (int)e->name.len, e->name.data);
}

/* bind, or connect, to @e's name; relative names from the directory they had */
static int at_name(int fd, const UnixSkEntry *e, const ProtobufCBinaryData *name, bool do_bind)
{
	struct sockaddr_un a;
	socklen_t len;
	int cwd = -1, ret;

	if (name->len > sizeof(a.sun_path)) {
		pr_err("Unix socket %lu: name of %zu bytes\n", (unsigned long)e->ino, name->len);
		return -1;
	}
	len = make_addr(&a, name);
	if (e->dir && a.sun_path[0] != '/' && a.sun_path[0]) {
		cwd = open(".", O_PATH | O_CLOEXEC);
		if (cwd < 0 || chdir(e->dir)) {
			pr_perror("Can't enter %s to reach unix socket %lu's name", e->dir,
				  (unsigned long)e->ino);
			if (cwd >= 0)
				close(cwd);
			return -1;
		}
	}
	ret = do_bind ? bind(fd, (struct sockaddr *)&a, len) : connect(fd, (struct sockaddr *)&a, len);
	if (ret)
		pr_perror("Can't %s unix socket %lu %s %s%.*s", do_bind ? "bind" : "connect",
			  (unsigned long)e->ino, do_bind ? "to" : "at", a.sun_path[0] ? "" : "@",
			  (int)name->len - !a.sun_path[0], a.sun_path + !a.sun_path[0]);
	if (cwd >= 0) {
		if (fchdir(cwd))
			pr_perror("Can't go back to criu's directory");
		close(cwd);
	}
	return ret ? -1 : 0;
}

static int bind_one(struct live_sk *ls)
{
	UnixSkEntry *e = ls->e;
	char path[PATH_MAX];
	struct stat st;

	if (!is_path(e))
		return at_name(ls->fd, e, &e->name, true);
	full_path(e, path, sizeof(path));
	if (!lstat(path, &st)) {
		if (e->deleted) {
			/* the name is someone else's now: borrow it while binding */
			snprintf(ls->aside, sizeof(ls->aside), "%s.criu-aside-%lu", path,
				 (unsigned long)e->ino);
			if (rename(path, ls->aside)) {
				pr_perror("Can't move %s aside to bind unix socket %lu", path,
					  (unsigned long)e->ino);
				ls->aside[0] = 0;
				return -1;
			}
		} else if (!S_ISSOCK(st.st_mode)) {
			pr_err("Can't bind unix socket %lu to %s: it exists and is not a socket\n",
			       (unsigned long)e->ino, path);
			return -1;
		} else if (unlink(path)) {
			pr_perror("Can't remove the stale socket file %s", path);
			return -1;
		}
	}
	if (at_name(ls->fd, e, &e->name, true))
		return -1;
	if (e->has_file_mode && (lchown(path, e->file_uid, e->file_gid) ||
				 chmod(path, e->file_mode))) {
		pr_perror("Can't give socket file %s its owner and mode", path);
		return -1;
	}
	return 0;
}

/* Unlinked names go away once nobody needs them to connect. */
static int drop_name(struct live_sk *ls)
{
	char path[PATH_MAX];

	if (!is_path(ls->e) || !ls->e->deleted)
		return 0;
	full_path(ls->e, path, sizeof(path));
	if (unlink(path)) {
		pr_perror("Can't unlink %s of unix socket %lu", path, (unsigned long)ls->e->ino);
		return -1;
	}
	if (ls->aside[0] && rename(ls->aside, path)) {
		pr_perror("Can't move %s back to %s", ls->aside, path);
		return -1;
	}
	ls->aside[0] = 0;
	return 0;
}

static struct msg_cred cred_of(const UnixSkMsg *m)
{
	/* an image from before credentials were kept: none */
	if (!m->has_cred_pid)
		return (struct msg_cred){ 0 };
	return (struct msg_cred){ m->cred_pid, m->cred_uid, m->cred_gid, m->has_cred_start,
				  m->cred_start };
}

/*
 * A message goes back with its descriptions in flight (criu's copies) and
 * its credentials. One without credentials is sent before either end has
 * SO_PASSCRED (finish_one() sets options after every queue is full), so
 * the kernel adds none.
 */
static int send_all(int fd, const UnixSkMsg *m, const struct sockaddr_un *to, socklen_t tolen,
		    const UnixSkEntry *e)
{
	struct msghdr mh = { .msg_name = (void *)to, .msg_namelen = to ? tolen : 0 };
	struct msg_cred c = cred_of(m);
	int fds[SCM_MAX_FDS];
	union msg_ctl ctl;
	ssize_t cred_len;
	size_t off = 0;
	bool retried = false;
	char what[64];

	snprintf(what, sizeof(what), "a message to unix socket %lu", (unsigned long)e->ino);
	for (size_t i = 0; i < m->n_fd_ids && i < SCM_MAX_FDS; i++) {
		fds[i] = restore_file_fd(m->fd_ids[i]);
		if (fds[i] < 0) {
			pr_err("Unix socket %lu: can't have the descriptors in flight at hand\n",
			       (unsigned long)e->ino);
			return -1;
		}
	}
	if (c.pid && hold_pid(&c, false, what))
		return -1;
	cred_len = fill_ctl(&mh, &ctl, &c, fds, m->n_fd_ids);
	if (cred_len < 0) {
		pr_err("Unix socket %lu: a message with %zu descriptors in flight\n",
		       (unsigned long)e->ino, m->n_fd_ids);
		return -1;
	}
	do {
		struct iovec iov = { m->data.data + off, m->data.len - off };
		ssize_t n;

		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == ESRCH && c.pid && !retried) {
			/* the process that had the pid went since: a holder takes it */
			retried = true;
			forget_holder(c.pid);
			if (hold_pid(&c, false, what))
				return -1;
			continue;
		}
		if (n < 0) {
			pr_perror("Can't queue %zu bytes on unix socket %lu again", m->data.len,
				  (unsigned long)e->ino);
			return -1;
		}
		/* the descriptors go with the first part only, the credentials with each */
		mh.msg_controllen = cred_len;
		if (!cred_len)
			mh.msg_control = NULL;
		off += n;
	} while (off < m->data.len && e->type == SOCK_STREAM);
	if (off != m->data.len) {
		pr_err("Unix socket %lu: a message of %zu bytes went out as %zu\n",
		       (unsigned long)e->ino, m->data.len, off);
		return -1;
	}
	return 0;
}

static struct live_sk *named(const ProtobufCBinaryData *src)
{
	for (int i = 0; i < nr_lives; i++) {
		UnixSkEntry *s = lives[i].e;

		if (s->has_name && !s->has_accepted_on && s->name.len == src->len &&
		    !memcmp(s->name.data, src->data, src->len))
			return &lives[i];
	}
	return NULL;
}

/* Sockets whose peer is one of ours, both unnamed, or a closed peer: socketpair(). */
static bool made_in_pair(const UnixSkEntry *e, const UnixSkEntry *pe)
{
	if (e->type == SOCK_DGRAM)
		return !e->has_name || !pe->has_name;
	return !e->has_name && !pe->has_name;
}

/* Senders need room for everything they put back at once. */
static void big_sndbuf(int fd)
{
	int big = 32 << 20;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
}

/*
 * Datagrams come back from whoever can send them: the named sender itself,
 * the connected peer, the stand-in for a closed peer, or a fresh unnamed
 * socket aimed at the receiver's name. Only a socket's peer may send to it
 * once it is connected, so named receivers are filled before connecting.
 */
static int refill_dgram(struct live_sk *ls, bool connected_phase)
{
	UnixSkEntry *e = ls->e;
	struct live_sk *peer = e->has_peer ? live_by_ino(e->peer) : NULL;
	bool paired = ls->tmp >= 0 || (peer && peer->e->has_peer && peer->e->peer == e->ino &&
				       made_in_pair(e, peer->e));
	struct sockaddr_un to;
	socklen_t tolen = 0;
	int anon = -1, ret = 0;

	if ((paired || !e->has_name) != connected_phase || !e->n_queue)
		return 0;
	if (paired) {
		int fd = ls->tmp >= 0 ? ls->tmp : peer->fd;

		big_sndbuf(fd);
		for (size_t i = 0; i < e->n_queue && !ret; i++)
			ret = send_all(fd, e->queue[i], NULL, 0, e);
		return ret;
	}
	if (!e->has_name) {
		pr_err("Unix socket %lu has queued datagrams and nobody to send them\n",
		       (unsigned long)e->ino);
		return -1;
	}
	tolen = make_addr(&to, &e->name);
	for (size_t i = 0; i < e->n_queue && !ret; i++) {
		UnixSkMsg *m = e->queue[i];
		struct live_sk *s = m->has_src ? named(&m->src) : NULL;

		if (s) {
			big_sndbuf(s->fd);
			ret = send_all(s->fd, m, &to, tolen, e);
			continue;
		}
		if (anon < 0) {
			anon = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			if (anon < 0) {
				pr_perror("Can't make a socket to refill unix socket %lu",
					  (unsigned long)e->ino);
				return -1;
			}
			big_sndbuf(anon);
		}
		ret = send_all(anon, m, &to, tolen, e);
	}
	if (anon >= 0)
		close(anon);
	return ret;
}

static int refill_stream(struct live_sk *ls)
{
	UnixSkEntry *e = ls->e;
	struct live_sk *peer = e->has_peer ? live_by_ino(e->peer) : NULL;
	int fd = ls->tmp >= 0 ? ls->tmp : peer ? peer->fd : -1;

	if (!e->n_queue)
		return 0;
	if (fd < 0) {
		pr_err("Unix socket %lu has queued data and no peer to send it\n",
		       (unsigned long)e->ino);
		return -1;
	}
	big_sndbuf(fd);
	for (size_t i = 0; i < e->n_queue; i++)
		if (send_all(fd, e->queue[i], NULL, 0, e))
			return -1;
	return 0;
}

static int setint(struct live_sk *ls, int opt, int val, const char *what)
{
	if (setsockopt(ls->fd, SOL_SOCKET, opt, &val, sizeof(val))) {
		pr_perror("Can't set %s of unix socket %lu", what, (unsigned long)ls->e->ino);
		return -1;
	}
	return 0;
}

static int set_opts(struct live_sk *ls)
{
	UnixSkOpts *o = ls->e->opts;
	struct timeval rt = { o->rcvtimeo_us / 1000000, o->rcvtimeo_us % 1000000 };
	struct timeval st = { o->sndtimeo_us / 1000000, o->sndtimeo_us % 1000000 };
	char what[64];

	/* the kernel doubles what it is given */
	if (setint(ls, SO_SNDBUFFORCE, o->sndbuf / 2, "SO_SNDBUF") ||
	    setint(ls, SO_RCVBUFFORCE, o->rcvbuf / 2, "SO_RCVBUF") ||
	    setint(ls, SO_PASSCRED, o->passcred, "SO_PASSCRED") ||
	    setint(ls, SO_PASSSEC, o->passsec, "SO_PASSSEC") ||
	    setint(ls, SO_PASSPIDFD, o->has_passpidfd && o->passpidfd, "SO_PASSPIDFD") ||
	    setint(ls, SO_RCVLOWAT, o->rcvlowat, "SO_RCVLOWAT") ||
	    setint(ls, SO_PEEK_OFF, o->peek_off, "SO_PEEK_OFF"))
		return -1;
	if (setsockopt(ls->fd, SOL_SOCKET, SO_RCVTIMEO_OLD, &rt, sizeof(rt)) ||
	    setsockopt(ls->fd, SOL_SOCKET, SO_SNDTIMEO_OLD, &st, sizeof(st))) {
		pr_perror("Can't set timeouts of unix socket %lu", (unsigned long)ls->e->ino);
		return -1;
	}
	snprintf(what, sizeof(what), "unix socket %lu", (unsigned long)ls->e->ino);
	if (sk_filter_restore(ls->fd, what, o->filter, o->n_filter))
		return -1;
	if (o->lock_filter && setint(ls, SO_LOCK_FILTER, 1, "SO_LOCK_FILTER"))
		return -1;
	/* on by default: set only when the task turned it off */
	if (o->has_passrights && !o->passrights && setint(ls, SO_PASSRIGHTS, 0, "SO_PASSRIGHTS"))
		return -1;
	return 0;
}

static int finish_one(struct live_sk *ls)
{
	UnixSkEntry *e = ls->e;
	int how = -1;

	if ((e->shutdown & (RCV_SHUT | SEND_SHUT)) == (RCV_SHUT | SEND_SHUT))
		how = SHUT_RDWR;
	else if (e->shutdown & RCV_SHUT)
		how = SHUT_RD;
	else if (e->shutdown & SEND_SHUT)
		how = SHUT_WR;
	if (how >= 0 && shutdown(ls->fd, how) && errno != ENOTCONN) {
		pr_perror("Can't shut down unix socket %lu", (unsigned long)e->ino);
		return -1;
	}
	if (set_opts(ls))
		return -1;
	if (fcntl(ls->fd, F_SETFL, e->flags & ~O_ACCMODE)) {
		pr_perror("Can't set flags %#x on unix socket %lu", e->flags, (unsigned long)e->ino);
		return -1;
	}
	return 0;
}

/*
 * socketpair(), listen() and connect() stamp the caller's pid, uid and gid
 * as the peer credentials (SO_PEERCRED). They run in a short-lived child
 * that shares criu's fd table and has the pid (when it is free; a task of
 * the tree does not exist yet) and the ids that @e's record names.
 */
static int as_cred(const UnixSkEntry *e, int (*op)(void *), void *arg)
{
	struct clone_args ca = { .flags = CLONE_FILES, .exit_signal = SIGCHLD };
	pid_t want, child;
	int status;

	if (!e->has_peer_pid || !e->peer_pid)
		return op(arg);
	want = e->peer_pid;
	ca.set_tid = (uint64_t)&want;
	ca.set_tid_size = 1;
	child = sys_clone3(&ca);
	if (child < 0 && errno == EEXIST) {
		pr_info("Unix socket %lu: pid %d of its peer credentials is in use; another one stands\n",
			(unsigned long)e->ino, want);
		ca.set_tid = ca.set_tid_size = 0;
		child = sys_clone3(&ca);
	}
	if (child < 0) {
		pr_perror("Can't start a process to make unix socket %lu", (unsigned long)e->ino);
		return -1;
	}
	if (child == 0) {
		if (setgroups(0, NULL) || setresgid(e->peer_gid, e->peer_gid, e->peer_gid) ||
		    setresuid(e->peer_uid, e->peer_uid, e->peer_uid)) {
			pr_perror("Can't take uid %u gid %u for unix socket %lu", e->peer_uid,
				  e->peer_gid, (unsigned long)e->ino);
			_exit(1);
		}
		_exit(op(arg) ? 1 : 0);
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status)) {
		pr_err("Unix socket %lu could not be made as pid %d, uid %u\n",
		       (unsigned long)e->ino, want, e->peer_uid);
		return -1;
	}
	return 0;
}

/* socketpair() into two fds criu reserved: the child's own numbers stay unknown */
struct pair_op {
	int type;
	int slot[2];
};

static int op_pair(void *arg)
{
	struct pair_op *po = arg;
	int sv[2];

	if (socketpair(AF_UNIX, po->type | SOCK_CLOEXEC, 0, sv))
		return -1;
	if (dup3(sv[0], po->slot[0], O_CLOEXEC) < 0 || dup3(sv[1], po->slot[1], O_CLOEXEC) < 0)
		return -1;
	close(sv[0]);
	close(sv[1]);
	return 0;
}

static int make_pair(const UnixSkEntry *e, int sv[2])
{
	struct pair_op po = { e->type, { open("/dev/null", O_RDONLY | O_CLOEXEC), -1 } };

	po.slot[1] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (po.slot[0] < 0 || po.slot[1] < 0 || as_cred(e, op_pair, &po)) {
		if (po.slot[0] >= 0)
			close(po.slot[0]);
		if (po.slot[1] >= 0)
			close(po.slot[1]);
		return -1;
	}
	sv[0] = po.slot[0];
	sv[1] = po.slot[1];
	return 0;
}

struct listen_op {
	int fd, backlog;
};

static int op_listen(void *arg)
{
	struct listen_op *lo = arg;

	return listen(lo->fd, lo->backlog);
}

struct connect_op {
	int fd;
	const UnixSkEntry *to;
	const ProtobufCBinaryData *name;
};

static int op_connect(void *arg)
{
	struct connect_op *co = arg;

	return at_name(co->fd, co->to, co->name, false);
}

static int create_one(struct live_sk *ls)
{
	UnixSkEntry *e = ls->e;
	struct live_sk *peer = e->has_peer ? live_by_ino(e->peer) : NULL;
	int sv[2];

	if (ls->fd >= 0)
		return 0;
	if (opts.check_only) {
		ls->fd = socket(AF_UNIX, e->type | SOCK_CLOEXEC, 0);
		goto out;
	}
	if (e->has_peer && !e->peer) {
		if (make_pair(e, sv))
			goto out;
		ls->fd = sv[0];
		ls->tmp = sv[1];
		goto out;
	}
	if (peer && peer->e->has_peer && peer->e->peer == e->ino && made_in_pair(e, peer->e)) {
		if (make_pair(e, sv))
			goto out;
		ls->fd = sv[0];
		peer->fd = sv[1];
		goto out;
	}
	if (e->has_accepted_on)
		return 0;	/* comes out of accept() */
	ls->fd = socket(AF_UNIX, e->type | SOCK_CLOEXEC, 0);
out:
	if (ls->fd < 0) {
		pr_perror("Can't create unix socket %lu", (unsigned long)e->ino);
		return -1;
	}
	return 0;
}

/* A connection through a listener: the client connects, the listener accepts. */
/*
 * The listener it came from is closed: a stand-in bound to the same name
 * (left on disk or unlinked as the name was at dump) listens just long
 * enough for this one connection.
 */
static int connect_orphan(struct live_sk *acc, struct live_sk *client)
{
	struct live_sk tl = { acc->e, socket(AF_UNIX, acc->e->type | SOCK_CLOEXEC, 0), -1, "" };
	struct listen_op lo = { tl.fd, 1 };
	struct connect_op co = { client->fd, acc->e, &acc->e->name };
	char path[PATH_MAX];
	struct stat st;
	int ret = -1;

	if (tl.fd < 0) {
		pr_perror("Can't make a listener for unix socket %lu", (unsigned long)acc->e->ino);
		return -1;
	}
	if (bind_one(&tl))
		goto out;
	/*
	 * The client connects as whoever connected first (below), through a
	 * socket file criu just made: open to anyone for that moment only.
	 */
	full_path(acc->e, path, sizeof(path));
	if (is_path(acc->e) && (stat(path, &st) || chmod(path, 0777))) {
		pr_perror("Can't open the stand-in socket file %s for the client", path);
		goto out;
	}
	/* the client's peer credentials are the listener's, the accepted one's the client's */
	if (as_cred(client->e, op_listen, &lo)) {
		pr_perror("Can't listen for unix socket %lu", (unsigned long)acc->e->ino);
		goto out;
	}
	if (as_cred(acc->e, op_connect, &co))
		goto out;
	if (is_path(acc->e) && chmod(path, st.st_mode & 07777))
		pr_perror("Can't give the stand-in socket file %s its mode back", path);
	acc->fd = accept4(tl.fd, NULL, NULL, SOCK_CLOEXEC);
	if (acc->fd < 0)
		pr_perror("Can't accept unix socket %lu", (unsigned long)acc->e->ino);
	else
		ret = 0;
out:
	close(tl.fd);
	if (drop_name(&tl))
		ret = -1;
	return ret;
}

static int connect_accepted(struct live_sk *acc)
{
	struct connect_op co;
	struct live_sk *l = live_by_ino(acc->e->accepted_on);
	struct live_sk *client = live_by_ino(acc->e->peer);

	if (client && client->fd >= 0 && !acc->e->accepted_on)
		return connect_orphan(acc, client);
	if (!l || !client || l->fd < 0 || client->fd < 0) {
		pr_err("Unix socket %lu: its listener or client is missing from the image\n",
		       (unsigned long)acc->e->ino);
		return -1;
	}
	co = (struct connect_op){ client->fd, l->e, &l->e->name };
	if (as_cred(acc->e, op_connect, &co))
		return -1;
	acc->fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
	if (acc->fd < 0) {
		pr_perror("Can't accept unix socket %lu on listener %lu", (unsigned long)acc->e->ino,
			  (unsigned long)l->e->ino);
		return -1;
	}
	return 0;
}

static int build(void)
{
	int ret = 0;

	nr_lives = store.nr;
	lives = calloc(nr_lives + 1, sizeof(*lives));
	if (!lives)
		return -1;
	for (int i = 0; i < nr_lives; i++)
		lives[i] = (struct live_sk){ (UnixSkEntry *)store.recs[i], -1, -1, "" };
	for (int i = 0; i < nr_lives && !ret; i++)
		ret = create_one(&lives[i]);
	if (ret || opts.check_only)
		return ret;
	/* names still in place first: an unlinked one may have to borrow their path */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < nr_lives && !ret; i++)
			if (lives[i].e->has_name && !lives[i].e->has_accepted_on &&
			    lives[i].fd >= 0 && lives[i].e->deleted == (pass == 1))
				ret = bind_one(&lives[i]);
	for (int i = 0; i < nr_lives && !ret; i++) {
		struct listen_op lo = { lives[i].fd, lives[i].e->backlog };

		if (lives[i].e->state == ST_LISTEN && as_cred(lives[i].e, op_listen, &lo)) {
			pr_perror("Can't listen on unix socket %lu", (unsigned long)lives[i].e->ino);
			ret = -1;
		}
	}
	for (int i = 0; i < nr_lives && !ret; i++)
		if (lives[i].e->type == SOCK_DGRAM)
			ret = refill_dgram(&lives[i], false);
	release_holders();
	/* datagram sockets that connect to a peer by its name */
	for (int i = 0; i < nr_lives && !ret; i++) {
		UnixSkEntry *e = lives[i].e;
		struct live_sk *peer = e->has_peer ? live_by_ino(e->peer) : NULL;

		if (e->type != SOCK_DGRAM || !peer || lives[i].tmp >= 0)
			continue;
		if (peer->e->has_peer && peer->e->peer == e->ino && made_in_pair(e, peer->e))
			continue;
		if (!peer->e->has_name) {
			pr_err("Unix socket %lu: its peer %lu has no name to connect to\n",
			       (unsigned long)e->ino, (unsigned long)peer->e->ino);
			ret = -1;
		} else {
			ret = at_name(lives[i].fd, peer->e, &peer->e->name, false);
		}
	}
	for (int i = 0; i < nr_lives && !ret; i++)
		if (lives[i].e->has_accepted_on)
			ret = connect_accepted(&lives[i]);
	/* pending connections, in the order they wait in each listener's queue */
	for (int i = 0; i < nr_lives && !ret; i++) {
		UnixSkEntry *l = lives[i].e;

		for (size_t k = 0; k < l->n_icons && !ret; k++) {
			struct live_sk *c = live_by_ino(l->icons[k]);

			ret = c ? at_name(c->fd, l, &l->name, false) : -1;
		}
	}
	for (int i = 0; i < nr_lives && !ret; i++)
		if (lives[i].e->has_ext_name)
			ret = at_name(lives[i].fd, lives[i].e, &lives[i].e->ext_name, false);
	for (int i = 0; i < nr_lives && !ret; i++)
		ret = lives[i].e->type == SOCK_DGRAM ? refill_dgram(&lives[i], true) :
						       refill_stream(&lives[i]);
	release_holders();
	for (int i = 0; i < nr_lives; i++)
		if (lives[i].tmp >= 0) {
			close(lives[i].tmp);
			lives[i].tmp = -1;
		}
	/* an accepted socket's name is its listener's, dropped with the listener */
	for (int i = 0; i < nr_lives && !ret; i++)
		if (!lives[i].e->has_accepted_on)
			ret = drop_name(&lives[i]);
	for (int i = 0; i < nr_lives && !ret; i++)
		ret = finish_one(&lives[i]);
	return ret;
}

static int unixsk_open(uint32_t id)
{
	int fd;

	if (!built) {
		built = true;
		if (build())
			return -1;
	}
	for (int i = 0; i < nr_lives; i++) {
		if (lives[i].e->id != id)
			continue;
		fd = fcntl(lives[i].fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			pr_perror("Can't hand out unix socket %u", id);
		return fd;
	}
	pr_err("Unix socket %u is missing from unixsk.img\n", id);
	return -1;
}

static int unixsk_name(uint32_t id, char *buf, size_t len)
{
	UnixSkEntry *e = (UnixSkEntry *)img_store_find(&store, "id", id);

	if (!e)
		return -1;
	snprintf(buf, len, "socket:[%lu]", (unsigned long)e->ino);
	return 0;
}

static void close_lives(void)
{
	release_holders();
	for (int i = 0; i < nr_lives; i++) {
		if (lives[i].fd >= 0)
			close(lives[i].fd);
		if (lives[i].tmp >= 0)
			close(lives[i].tmp);
		if (lives[i].aside[0])
			drop_name(&lives[i]);
	}
	free(lives);
	lives = NULL;
	nr_lives = 0;
}

/* Every socket has its copies in the tasks' tables now. */
static int unixsk_post_open(void)
{
	close_lives();
	return 0;
}

static void unixsk_reset(void)
{
	close_lives();
	built = false;
	img_store_reset(&store);
	dump_forget();
	overflow.known = false;
}

const struct fd_kind unixsk_kind = {
	.name = "unix socket",
	.type = FD_TYPE__UNIXSK,
	.match = unixsk_match,
	.dump = unixsk_dump,
	.dump_finish = unixsk_dump_finish,
	.dump_release = unixsk_dump_release,
	.collect = unixsk_collect,
	.open = unixsk_open,
	.name_of = unixsk_name,
	.post_open = unixsk_post_open,
	.reset = unixsk_reset,
	.may_fly = true,
};
