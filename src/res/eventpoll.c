// SPDX-License-Identifier: GPL-2.0
/*
 * epoll descriptions and their targets (fd, events, data) from fdinfo.
 *
 * The kernel keys a target by its file and the fd number it was added by,
 * and EPOLL_CTL_ADD finds the file through the caller's fd table: so the
 * targets are added back by the task that fills the fd table they were
 * dumped from, once all its fds are in place (the `installed` hook). The
 * dump checks with kcmp(KCMP_EPOLL_TFD) that each target is still the file
 * at its fd number in that table; a target whose fd was closed or reused
 * cannot be added back and is refused.
 *
 * A one-shot target that already fired has no events left, and
 * EPOLL_CTL_ADD always adds EPOLLERR|EPOLLHUP: it is added alone, asking for
 * every event, and made to fire once more, which needs its file to be ready
 * (checked at dump, the restored file is in the same state).
 *
 * Not kept: which edge-triggered events were already reported; the kernel
 * reports a ready target once more after restore.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "engine/files.h"
#include "eventpoll.pb-c.h"
#include "fdinfo.pb-c.h"
#include "images/image.h"
#include "images/store.h"
#include "res/table.h"
#include "util/fdinfo.h"
#include "util/log.h"
#include "util/sys.h"

#define KCMP_EPOLL_TFD_TYPE 7	/* KCMP_EPOLL_TFD; linux/kcmp.h clashes with util/sys.h */

/* bits epoll keeps in a target that are not events */
#define EP_FLAG_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EP_ALL_EVENTS (EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLRDNORM | EPOLLRDBAND | \
		       EPOLLWRNORM | EPOLLWRBAND | EPOLLMSG | EPOLLRDHUP)

static bool fired_oneshot(uint32_t events)
{
	return (events & EPOLLONESHOT) && !(events & ~EP_FLAG_BITS);
}

struct epoll_slot {
	uint32_t efd, tfd, toff;
};

static struct img_store store = IMG_STORE(IMG_EVENTPOLL);

static bool eventpoll_match(const struct fd_parms *p)
{
	return !strcmp(p->link, "anon_inode:[eventpoll]");
}

static int parse_tfd(const char *line, EventpollTfdEntry *te, const struct fd_parms *p)
{
	struct fdinfo_epoll_tfd t;

	if (fdinfo_parse_epoll_tfd(line, &t)) {
		pr_err("Can't parse epoll target \"%.60s\" of fd %d of pid %d\n", line, p->fd,
		       p->pid);
		return -1;
	}
	te->tfd = t.tfd;
	te->events = t.events;
	te->data = t.data;
	return 0;
}

/* Is target @tfd of the epoll still the file at fd @tfd of the task? */
static int check_target(const struct fd_parms *p, uint32_t tfd)
{
	struct epoll_slot slot = { p->fd, tfd, 0 };
	long r = sys_kcmp(p->pid, p->pid, KCMP_EPOLL_TFD_TYPE, tfd, (unsigned long)&slot);

	if (r == 0)
		return 0;
	if (r < 0 && errno != EBADF && errno != ENOENT) {
		pr_perror("Can't compare target %u of epoll fd %d of pid %d", tfd, p->fd, p->pid);
		return -1;
	}
	pr_err("unsupported: epoll fd %d of pid %d watches a file no longer at fd %u\n", p->fd,
	       p->pid, tfd);
	return -1;
}

/* A fired one-shot target is fired again on restore: its file must be ready. */
static int check_ready(const struct fd_parms *p, uint32_t tfd)
{
	struct pollfd pfd = { .events = EP_ALL_EVENTS };
	int r;

	pfd.fd = task_fd_copy(p->pid, tfd);
	if (pfd.fd < 0) {
		pr_perror("Can't get a copy of fd %u of pid %d", tfd, p->pid);
		return -1;
	}
	r = poll(&pfd, 1, 0);
	close(pfd.fd);
	if (r > 0)
		return 0;
	pr_err("unsupported: epoll fd %d of pid %d has a fired one-shot target fd %u that is not ready\n",
	       p->fd, p->pid, tfd);
	return -1;
}

static int eventpoll_dump(const struct fd_parms *p, uint32_t id)
{
	EventpollFileEntry ee = EVENTPOLL_FILE_ENTRY__INIT;
	EventpollTfdEntry *tes = NULL, **ptrs = NULL;
	const char *s;
	size_t n = 0;
	int ret = -1;

	for (s = fdinfo_field(p->fdinfo, "tfd:"); s; s = fdinfo_field(s, "tfd:"))
		n++;
	if (n) {
		tes = calloc(n, sizeof(*tes));
		ptrs = calloc(n, sizeof(*ptrs));
		if (!tes || !ptrs)
			goto out;
	}
	n = 0;
	for (s = fdinfo_field(p->fdinfo, "tfd:"); s; s = fdinfo_field(s, "tfd:")) {
		EventpollTfdEntry *te = &tes[n];

		eventpoll_tfd_entry__init(te);
		if (parse_tfd(s - strlen("tfd:"), te, p))
			goto out;
		for (size_t i = 0; i < n; i++)
			if (tes[i].tfd == te->tfd) {
				pr_err("unsupported: epoll fd %d of pid %d has two targets added by fd %u\n",
				       p->fd, p->pid, te->tfd);
				goto out;
			}
		if (check_target(p, te->tfd) ||
		    (fired_oneshot(te->events) && check_ready(p, te->tfd)))
			goto out;
		ptrs[n++] = te;
	}
	ee.id = id;
	ee.flags = p->flags;
	ee.files_id = p->task->files_id;
	ee.n_tfd = n;
	ee.tfd = ptrs;
	ret = img_store_write(&store, &ee.base);
out:
	free(tes);
	free(ptrs);
	return ret;
}

static int eventpoll_dump_finish(void)
{
	return img_store_finish(&store);
}

/* ---- restore ---- */

/* epolls whose targets this process has added (a table may hold one twice) */
static uint32_t *armed;
static int nr_armed;

static int eventpoll_collect(void)
{
	return img_store_load(&store);
}

static EventpollFileEntry *find_epoll(uint32_t id)
{
	EventpollFileEntry *ee = (EventpollFileEntry *)img_store_find(&store, "id", id);

	if (!ee)
		pr_err("epoll %u is missing from eventpoll.img\n", id);
	return ee;
}

static int eventpoll_open(uint32_t id)
{
	EventpollFileEntry *ee = find_epoll(id);
	int fd;

	if (!ee)
		return -1;
	fd = epoll_create1(EPOLL_CLOEXEC);
	if (fd < 0) {
		pr_perror("Can't create epoll %u", id);
		return -1;
	}
	if (fcntl(fd, F_SETFL, ee->flags & ~O_ACCMODE)) {
		pr_perror("Can't set flags %#x on epoll %u", ee->flags, id);
		close(fd);
		return -1;
	}
	return fd;
}

static int add_target(int fd, const EventpollTfdEntry *te, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = te->data };

	if (epoll_ctl(fd, EPOLL_CTL_ADD, te->tfd, &ev)) {
		pr_perror("Can't add fd %u with events %#x to epoll fd %d", te->tfd, events, fd);
		return -1;
	}
	return 0;
}

/* Add a one-shot target that had fired, and fire it: alone in the epoll so far. */
static int add_fired(int fd, const EventpollTfdEntry *te)
{
	struct epoll_event ev;

	if (add_target(fd, te, te->events | EP_ALL_EVENTS))
		return -1;
	if (epoll_wait(fd, &ev, 1, 0) != 1 || ev.data.u64 != te->data) {
		pr_err("Can't fire one-shot target fd %u of epoll fd %d again: not ready\n",
		       te->tfd, fd);
		return -1;
	}
	return 0;
}

static int eventpoll_installed(uint32_t id, int fd, unsigned files_id)
{
	EventpollFileEntry *ee = find_epoll(id);
	uint32_t *na;

	if (!ee)
		return -1;
	if (ee->files_id != files_id)
		return 0;
	for (int i = 0; i < nr_armed; i++)
		if (armed[i] == id)
			return 0;
	for (size_t i = 0; i < ee->n_tfd; i++)
		if (fired_oneshot(ee->tfd[i]->events) && add_fired(fd, ee->tfd[i]))
			return -1;
	for (size_t i = 0; i < ee->n_tfd; i++)
		if (!fired_oneshot(ee->tfd[i]->events) &&
		    add_target(fd, ee->tfd[i], ee->tfd[i]->events))
			return -1;
	na = realloc(armed, (nr_armed + 1) * sizeof(*armed));
	if (!na)
		return -1;
	armed = na;
	armed[nr_armed++] = id;
	return 0;
}

static void eventpoll_reset(void)
{
	free(armed);
	armed = NULL;
	nr_armed = 0;
	img_store_reset(&store);
}

const struct fd_kind eventpoll_kind = {
	.name = "epoll",
	.type = FD_TYPE__EVENTPOLL,
	.match = eventpoll_match,
	.dump = eventpoll_dump,
	.dump_finish = eventpoll_dump_finish,
	.collect = eventpoll_collect,
	.open = eventpoll_open,
	.installed = eventpoll_installed,
	.reset = eventpoll_reset,
};
