// SPDX-License-Identifier: GPL-2.0
/*
 * pidfds. fdinfo names the process (Pid:, -1 once it exited and was
 * reaped); three cases:
 *  - a task of the dumped tree: it does not exist yet when criu opens the
 *    descriptions, so criu puts a stand-in there and the task that fills the
 *    fd table replaces it with pidfd_open() of the restored task (every task
 *    exists by then). A pidfd of a thread other than the leader would need
 *    the thread, which is created later: refused at dump;
 *  - a process outside the tree: opened again by pid if that pid still is
 *    the same process (same start time), else the restore fails;
 *  - a reaped process: a pidfd of a short-lived child of criu, reaped.
 * The fds of one in-tree pidfd description in one fd table share it again;
 * a description shared between fd tables (inherited over fork) becomes one
 * per table.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/files.h"
#include "engine/pstree.h"
#include "fdinfo.pb-c.h"
#include "images/image.h"
#include "images/store.h"
#include "pidfd.pb-c.h"
#include "res/table.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/sys.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif
#define PIDFD_OPEN_FLAGS (O_NONBLOCK | PIDFD_THREAD)

static struct img_store store = IMG_STORE(IMG_PIDFD);

static bool pidfd_match(const struct fd_parms *p)
{
	return !strcmp(p->link, "anon_inode:[pidfd]");
}

static int pidfd_dump(const struct fd_parms *p, uint32_t id)
{
	PidfdEntry pe = PIDFD_ENTRY__INIT;
	const char *pid = fdinfo_field(p->fdinfo, "Pid:");
	const struct task *t;
	struct proc_stat st;
	bool thread;

	if (!pid) {
		pr_err("No Pid in fdinfo of pidfd fd %d of pid %d\n", p->fd, p->pid);
		return -1;
	}
	pe.id = id;
	pe.flags = p->flags;
	pe.pid = strtol(pid, NULL, 10);
	if (pe.pid == 0) {
		pr_err("unsupported: pidfd fd %d of pid %d names a process of another pid namespace\n",
		       p->fd, p->pid);
		return -1;
	}
	t = pe.pid > 0 ? tree_find_any(p->task, pe.pid, &thread) : NULL;
	if (t && thread && t->pid != pe.pid) {
		pr_err("unsupported: pidfd fd %d of pid %d names thread %d of task %d\n", p->fd,
		       p->pid, pe.pid, t->pid);
		return -1;
	}
	pe.in_tree = t != NULL;
	if (pe.pid > 0 && !t) {
		if (proc_parse_stat(pe.pid, 0, &st)) {
			pr_err("Can't read the process %d of pidfd fd %d of pid %d\n", pe.pid, p->fd,
			       p->pid);
			return -1;
		}
		pe.has_start_time = true;
		pe.start_time = st.start_time;
	}
	return img_store_write(&store, &pe.base);
}

static int pidfd_dump_finish(void)
{
	return img_store_finish(&store);
}

/* ---- restore ---- */

static int pidfd_collect(void)
{
	return img_store_load(&store);
}

static PidfdEntry *find_pidfd(uint32_t id)
{
	PidfdEntry *pe = (PidfdEntry *)img_store_find(&store, "id", id);

	if (!pe)
		pr_err("pidfd %u is missing from pidfd.img\n", id);
	return pe;
}

/* A pidfd of a process that is gone: a child of ours, reaped. */
static int reaped_pidfd(uint32_t id, unsigned flags)
{
	int fd;
	pid_t c = fork();

	if (c < 0) {
		pr_perror("Can't fork for pidfd %u", id);
		return -1;
	}
	if (c == 0) {
		pause();
		_exit(0);
	}
	fd = sys_pidfd_open(c, flags);
	if (fd < 0)
		pr_perror("Can't open a pidfd for pidfd %u", id);
	kill(c, SIGKILL);
	if (waitpid(c, NULL, 0) != c) {
		pr_perror("Can't reap the stand-in of pidfd %u", id);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int outside_pidfd(const PidfdEntry *pe, unsigned flags)
{
	struct proc_stat st;
	int fd = sys_pidfd_open(pe->pid, flags);

	if (fd < 0) {
		pr_perror("pidfd %u: can't open process %d outside the tree", pe->id, pe->pid);
		return -1;
	}
	/* the pidfd pins the pid: if it is the same process now, it stays so */
	if (proc_parse_stat(pe->pid, 0, &st) || st.start_time != pe->start_time) {
		pr_err("pidfd %u: process %d outside the tree is gone (pid reused)\n", pe->id,
		       pe->pid);
		close(fd);
		return -1;
	}
	return fd;
}

static int pidfd_open_one(uint32_t id)
{
	PidfdEntry *pe = find_pidfd(id);
	unsigned flags;

	if (!pe)
		return -1;
	flags = pe->flags & PIDFD_OPEN_FLAGS;
	if (pe->pid < 0)
		return reaped_pidfd(id, flags);
	if (!pe->in_tree)
		return outside_pidfd(pe, flags);
	/* a stand-in until the task that fills the table opens the real one */
	return sys_pidfd_open(getpid(), 0);
}

static int open_in_tree(uint32_t id)
{
	PidfdEntry *pe = find_pidfd(id);
	int fd;

	if (!pe)
		return -1;
	fd = sys_pidfd_open(pe->pid, pe->flags & PIDFD_OPEN_FLAGS);
	if (fd < 0)
		pr_perror("Can't open a pidfd of task %d", pe->pid);
	return fd;
}

static int pidfd_installed(uint32_t id, int fd, unsigned files_id)
{
	PidfdEntry *pe = find_pidfd(id);

	(void)files_id;
	if (!pe)
		return -1;
	return pe->in_tree ? fd_replace_standin(FD_TYPE__PIDFD, id, fd, open_in_tree) : 0;
}

static void pidfd_reset(void)
{
	img_store_reset(&store);
}

const struct fd_kind pidfd_kind = {
	.name = "pidfd",
	.type = FD_TYPE__PIDFD,
	.match = pidfd_match,
	.dump = pidfd_dump,
	.dump_finish = pidfd_dump_finish,
	.collect = pidfd_collect,
	.open = pidfd_open_one,
	.installed = pidfd_installed,
	.reset = pidfd_reset,
	.may_fly = true,
};
