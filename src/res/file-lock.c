// SPDX-License-Identifier: GPL-2.0
/*
 * File locks (flock, POSIX, OFD) and leases held through the tree's
 * descriptors, as fdinfo's "lock:" lines show them. Dumped only with
 * -l/--file-locks: without it a lock would silently vanish on restore.
 * Restored by the task that owns the fd table, through the same fd, once
 * every fd is in place: a POSIX lock belongs to that task's fd table, the
 * others to the description, which the fd reaches.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>

#include "engine/files.h"
#include "file-lock.pb-c.h"
#include "images/store.h"
#include "res/table.h"
#include "util/log.h"
#include "util/options.h"
#include "util/proc.h"

static struct img_store store = IMG_STORE(IMG_FILE_LOCKS);

static const char *kind_name(int kind)
{
	static const char *const names[] = {
		[FILE_LOCK_KIND__FLOCK] = "FLOCK",
		[FILE_LOCK_KIND__POSIX] = "POSIX",
		[FILE_LOCK_KIND__OFD] = "OFD",
		[FILE_LOCK_KIND__LEASE] = "LEASE",
	};

	return kind > 0 && kind <= FILE_LOCK_KIND__LEASE ? names[kind] : "?";
}

static const char *type_name(int type)
{
	return type == F_RDLCK ? "READ" : type == F_WRLCK ? "WRITE" : "UNLCK";
}

/* A lock the images cannot carry: one line, the dump stops. */
static int refuse(const struct fd_parms *p, const struct proc_lock *l, const char *why)
{
	pr_err("unsupported: %s lock on %s fd %d of pid %d: %s\n",
	       l->kind == PLK_DELEG ? "DELEG" : kind_name(l->kind), p->link, p->fd, p->pid, why);
	return -1;
}

static int dump_one_lock(const struct fd_parms *p, unsigned files_id, bool first,
			 const struct proc_lock *l)
{
	FileLockEntry fl = FILE_LOCK_ENTRY__INIT;

	if (l->waiter)
		return 0;	/* the waiting task retries when it runs again */
	if (!opts.file_locks) {
		pr_err("fd %d of pid %d holds a %s %s lock on %s: dump with -l/--file-locks\n",
		       p->fd, p->pid, l->kind == PLK_DELEG ? "DELEG" : kind_name(l->kind),
		       type_name(l->type), p->link);
		return -1;
	}
	if (l->kind == PLK_DELEG)
		return refuse(p, l, "NFS delegations are not restorable");
	if (l->kind == PLK_LEASE && (l->breaking || l->type == F_UNLCK))
		return refuse(p, l, "the lease is being broken");
	/* the description owns it: once, from its first fd */
	if (l->kind != PLK_POSIX && !first)
		return 0;
	fl.files_id = files_id;
	fl.fd = p->fd;
	fl.kind = l->kind == PLK_FLOCK ? FILE_LOCK_KIND__FLOCK :
		  l->kind == PLK_POSIX ? FILE_LOCK_KIND__POSIX :
		  l->kind == PLK_OFD   ? FILE_LOCK_KIND__OFD :
					 FILE_LOCK_KIND__LEASE;
	fl.type = l->type;
	fl.start = l->start;
	fl.len = l->end < 0 ? 0 : l->end - l->start + 1;
	fl.pid = l->pid;
	pr_info("fd %d of pid %d: %s %s lock %ld+%ld\n", p->fd, p->pid, kind_name(fl.kind),
		type_name(fl.type), (long)fl.start, (long)fl.len);
	return img_store_write(&store, &fl.base);
}

static int lock_dump(const struct fd_parms *p, unsigned files_id, bool first)
{
	const char *line;

	for (line = p->fdinfo; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		struct proc_lock l;

		if (strncmp(line, "lock:\t", 6))
			continue;
		if (parse_lock_line(line + 6, &l)) {
			pr_err("Can't parse a lock line in fdinfo of fd %d of pid %d\n", p->fd, p->pid);
			return -1;
		}
		if (dump_one_lock(p, files_id, first, &l))
			return -1;
	}
	return 0;
}

static int lock_dump_finish(void)
{
	return img_store_finish(&store);
}

/* ---- restore ---- */

static int lock_collect(void)
{
	return img_store_load(&store);
}

static int take_lock(const FileLockEntry *fl)
{
	struct flock f = {
		.l_type = fl->type,
		.l_whence = SEEK_SET,
		.l_start = fl->start,
		.l_len = fl->len,
	};

	switch (fl->kind) {
	case FILE_LOCK_KIND__FLOCK:
		return flock(fl->fd, (fl->type == F_WRLCK ? LOCK_EX : LOCK_SH) | LOCK_NB);
	case FILE_LOCK_KIND__POSIX:
		return fcntl(fl->fd, F_SETLK, &f);
	case FILE_LOCK_KIND__OFD:
		return fcntl(fl->fd, F_OFD_SETLK, &f);
	case FILE_LOCK_KIND__LEASE:
		return fcntl(fl->fd, F_SETLEASE, fl->type);
	default:
		errno = EINVAL;
		return -1;
	}
}

static int lock_restore(struct task *t)
{
	for (int i = 0; i < store.nr; i++) {
		const FileLockEntry *fl = (const FileLockEntry *)store.recs[i];

		if (fl->files_id != t->files_id)
			continue;
		if (fl->type != F_RDLCK && fl->type != F_WRLCK) {
			pr_err("Bad lock type %u for fd %u of pid %d in file-locks.img\n", fl->type,
			       fl->fd, t->pid);
			return -1;
		}
		if (take_lock(fl)) {
			pr_perror("Can't take the %s %s lock %ld+%ld on fd %u of pid %d",
				  kind_name(fl->kind), type_name(fl->type), (long)fl->start,
				  (long)fl->len, fl->fd, t->pid);
			return -1;
		}
	}
	return 0;
}

static void lock_reset(void)
{
	img_store_reset(&store);
}

const struct fd_extra file_lock_extra = {
	.name = "file locks",
	.dump = lock_dump,
	.dump_finish = lock_dump_finish,
	.collect = lock_collect,
	.restore = lock_restore,
	.reset = lock_reset,
};
