// SPDX-License-Identifier: GPL-2.0
/*
 * inotify and fanotify descriptions with their watches and marks. The two
 * kinds share one file because they share how a watched object is found
 * again: fdinfo gives its file handle and filesystem, open_by_handle_at
 * turns that into a file on restore (--force-irmap: into a path already at
 * dump, which restore then uses).
 *
 * inotify hands out watch descriptors in increasing order (a cyclic id
 * allocator): to give a watch its old wd, restore adds it and removes it
 * again until the allocator reaches that number, then drains the IN_IGNORED
 * events this queued. Events queued at dump time are lost, on both kinds,
 * as are fanotify permission requests not yet answered.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "engine/files.h"
#include "fdinfo.pb-c.h"
#include "fsnotify.pb-c.h"
#include "images/image.h"
#include "images/store.h"
#include "res/table.h"
#include "util/fdinfo.h"
#include "util/log.h"
#include "util/options.h"
#include "util/proc.h"

#ifndef FAN_MARK_IGNORE
#define FAN_MARK_IGNORE 0x00000400
#endif

#define KDEV_MAJOR(d) ((d) >> 20)
#define KDEV_MINOR(d) ((d) & 0xfffff)

static struct img_store inotify_store = IMG_STORE(IMG_INOTIFY);
static struct img_store fanotify_store = IMG_STORE(IMG_FANOTIFY);

/* ---- objects: mounts, handles, paths ---- */

/*
 * A mount point of filesystem @sdev (a mount of its root preferred, so a
 * handle resolves to a full path), or of mount @mnt_id when @sdev is 0.
 */
static int find_mount(uint32_t sdev, int mnt_id, char *out, size_t len)
{
	char *text = proc_read_file("/proc/self/mountinfo"), *line, *save = NULL;
	struct mountinfo_line *mi = malloc(sizeof(*mi));
	bool found = false;

	if (!text || !mi) {
		free(text);
		free(mi);
		return -1;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (proc_parse_mountinfo_line(line, mi))
			continue;
		if (sdev ? (mi->major != KDEV_MAJOR(sdev) || mi->minor != KDEV_MINOR(sdev)) :
			   mi->id != mnt_id)
			continue;
		if (found && strcmp(mi->root, "/"))
			continue;
		snprintf(out, len, "%s", mi->mountpoint);
		found = true;
		if (!strcmp(mi->root, "/"))
			break;
	}
	free(text);
	free(mi);
	if (!found) {
		if (sdev)
			pr_err("No mount of device %u:%u\n", KDEV_MAJOR(sdev), KDEV_MINOR(sdev));
		else
			pr_err("No mount with id %d\n", mnt_id);
		return -1;
	}
	return 0;
}

/* Open the object a handle names, O_PATH; -1 if it is gone. */
static int open_handle(uint32_t sdev, uint32_t type, const uint8_t *h, size_t len)
{
	char mnt[PATH_MAX];
	struct file_handle *fh;
	int mfd, fd;

	if (len > FDINFO_MAX_HANDLE || find_mount(sdev, 0, mnt, sizeof(mnt)))
		return -1;
	/* not O_PATH: open_by_handle_at does not take an O_PATH mount fd */
	mfd = open(mnt, O_RDONLY | O_CLOEXEC);
	if (mfd < 0) {
		pr_perror("Can't open mount %s", mnt);
		return -1;
	}
	fh = malloc(sizeof(*fh) + len);
	if (!fh) {
		close(mfd);
		return -1;
	}
	fh->handle_bytes = len;
	fh->handle_type = type;
	memcpy(fh->f_handle, h, len);
	fd = open_by_handle_at(mfd, fh, O_PATH | O_CLOEXEC);
	if (fd < 0)
		pr_perror("Can't open file handle of inode on %u:%u under %s", KDEV_MAJOR(sdev),
			  KDEV_MINOR(sdev), mnt);
	free(fh);
	close(mfd);
	return fd;
}

/*
 * Fill @o from a parsed watch object; check it can be found again; with
 * --force-irmap resolve it to a path. @what names it in messages.
 */
static int dump_object(const struct fdinfo_object *fo, FsnotifyObject *o, const char *what,
		       const struct fd_parms *p)
{
	char path[64], target[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd;

	if (!fo->has_handle) {
		pr_err("unsupported: %s of fd %d of pid %d has no file handle\n", what, p->fd,
		       p->pid);
		return -1;
	}
	o->sdev = fo->sdev;
	o->has_ino = fo->has_ino;
	o->ino = fo->ino;
	o->has_handle_type = o->has_handle = true;
	o->handle_type = fo->handle_type;
	o->handle.len = fo->handle_bytes;
	o->handle.data = malloc(fo->handle_bytes ? fo->handle_bytes : 1);
	if (!o->handle.data)
		return -1;
	memcpy(o->handle.data, fo->handle, fo->handle_bytes);
	fd = open_handle(o->sdev, o->handle_type, o->handle.data, o->handle.len);
	if (fd < 0) {
		pr_err("unsupported: %s of fd %d of pid %d: its file can't be found again\n",
		       what, p->fd, p->pid);
		return -1;
	}
	if (fstat(fd, &st) || st.st_nlink == 0) {
		pr_err("unsupported: %s of fd %d of pid %d watches a deleted file\n", what, p->fd,
		       p->pid);
		close(fd);
		return -1;
	}
	if (opts.force_irmap) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0) {
			pr_perror("Can't resolve %s of fd %d of pid %d to a path", what, p->fd,
				  p->pid);
			close(fd);
			return -1;
		}
		target[n] = 0;
		o->path = strdup(target);
		if (!o->path) {
			close(fd);
			return -1;
		}
		pr_debug("%s of fd %d of pid %d is %s\n", what, p->fd, p->pid, o->path);
	}
	close(fd);
	return 0;
}

static void free_object(FsnotifyObject *o)
{
	if (!o)
		return;
	free(o->handle.data);
	free(o->path);
}

/* An O_PATH fd of the object: by path if the dump resolved one, else by handle. */
static int open_object(const FsnotifyObject *o)
{
	int fd;

	if (!o->path)
		return o->has_handle ? open_handle(o->sdev, o->handle_type, o->handle.data,
						   o->handle.len) : -1;
	fd = open(o->path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		pr_perror("Can't open %s", o->path);
	return fd;
}

/* The lines of @fdinfo that start with @prefix, as pointers into it (to the prefix). */
static int watch_lines(const char *fdinfo, const char *prefix, const char ***out)
{
	const char **v = NULL;
	int n = 0;

	for (const char *s = fdinfo_field(fdinfo, prefix); s; s = fdinfo_field(s, prefix)) {
		const char **nv = realloc(v, (n + 1) * sizeof(*v));

		if (!nv) {
			free(v);
			return -1;
		}
		v = nv;
		v[n++] = s - strlen(prefix);
	}
	*out = v;
	return n;
}

/* Queued events cannot be queued again: say what is lost rather than lose it quietly. */
static void warn_queued(const struct fd_parms *p, const char *kind)
{
	int bytes = 0;

	if (!ioctl(p->lfd, FIONREAD, &bytes) && bytes > 0)
		pr_warn("%s fd %d of pid %d: %d bytes of queued events are not carried\n", kind,
			p->fd, p->pid, bytes);
}

static bool inotify_match(const struct fd_parms *p)
{
	return !strcmp(p->link, "anon_inode:inotify");
}

static int inotify_dump(const struct fd_parms *p, uint32_t id)
{
	InotifyFileEntry ie = INOTIFY_FILE_ENTRY__INIT;
	InotifyWdEntry *wds = NULL, **ptrs = NULL;
	FsnotifyObject *objs = NULL;
	const char **lines = NULL;
	int n, ret = -1;

	warn_queued(p, "inotify");
	n = watch_lines(p->fdinfo, "inotify ", &lines);
	if (n < 0)
		return -1;
	if (n) {
		wds = calloc(n, sizeof(*wds));
		ptrs = calloc(n, sizeof(*ptrs));
		objs = calloc(n, sizeof(*objs));
		if (!wds || !ptrs || !objs)
			goto out;
	}
	for (int i = 0; i < n; i++) {
		struct fdinfo_inotify_wd w;
		char what[64];

		inotify_wd_entry__init(&wds[i]);
		fsnotify_object__init(&objs[i]);
		wds[i].obj = &objs[i];
		ptrs[i] = &wds[i];
		if (fdinfo_parse_inotify_wd(lines[i], &w)) {
			pr_err("Can't parse inotify watch \"%.60s\" of fd %d of pid %d\n", lines[i],
			       p->fd, p->pid);
			goto out;
		}
		wds[i].wd = w.wd;
		wds[i].mask = w.mask;
		snprintf(what, sizeof(what), "inotify watch %u", w.wd);
		if (dump_object(&w.obj, &objs[i], what, p))
			goto out;
	}
	ie.id = id;
	ie.flags = p->flags;
	ie.n_wd = n;
	ie.wd = ptrs;
	ret = img_store_write(&inotify_store, &ie.base);
out:
	for (int i = 0; objs && i < n; i++)
		free_object(&objs[i]);
	free(objs);
	free(wds);
	free(ptrs);
	free(lines);
	return ret;
}

static int inotify_dump_finish(void)
{
	return img_store_finish(&inotify_store);
}

static bool fanotify_match(const struct fd_parms *p)
{
	return !strcmp(p->link, "anon_inode:[fanotify]");
}

/* The id of the mount a lookup of @path lands on (restore marks that one). */
static int top_mount_id(const char *path)
{
	int fd = open(path, O_PATH | O_CLOEXEC), id = -1;
	char *info;
	const char *v;

	if (fd < 0)
		return -1;
	info = proc_read_file("/proc/self/fdinfo/%d", fd);
	v = info ? fdinfo_field(info, "mnt_id:") : NULL;
	if (v)
		id = strtol(v, NULL, 10);
	free(info);
	close(fd);
	return id;
}

static int dump_mark(const char *line, FanotifyMarkEntry *m, const struct fd_parms *p)
{
	struct fdinfo_fanotify_mark fm;
	char mp[PATH_MAX];

	if (fdinfo_parse_fanotify_mark(line, &fm)) {
		pr_err("unsupported: fanotify mark \"%.60s\" of fd %d of pid %d\n", line, p->fd,
		       p->pid);
		return -1;
	}
	m->mflags = fm.mflags;
	m->mask = fm.mask;
	m->ignored_mask = fm.ignored_mask;
	switch (fm.kind) {
	case FDINFO_FAN_INODE:
		m->kind = FANOTIFY_MARK_KIND__INODE;
		return dump_object(&fm.obj, m->obj, "fanotify inode mark", p);
	case FDINFO_FAN_MOUNT:
		m->kind = FANOTIFY_MARK_KIND__MOUNT;
		if (find_mount(0, fm.mnt_id, mp, sizeof(mp)))
			return -1;
		if (top_mount_id(mp) != fm.mnt_id) {
			pr_err("unsupported: fanotify mark of fd %d of pid %d is on mount %d, which another mount hides at %s\n",
			       p->fd, p->pid, fm.mnt_id, mp);
			return -1;
		}
		m->mnt_path = strdup(mp);
		return m->mnt_path ? 0 : -1;
	case FDINFO_FAN_SB:
		m->kind = FANOTIFY_MARK_KIND__SB;
		m->obj->sdev = fm.obj.sdev;
		if (find_mount(fm.obj.sdev, 0, mp, sizeof(mp)))
			return -1;
		m->obj->path = strdup(mp);
		return m->obj->path ? 0 : -1;
	}
	return -1;
}

static int fanotify_dump(const struct fd_parms *p, uint32_t id)
{
	FanotifyFileEntry fe = FANOTIFY_FILE_ENTRY__INIT;
	FanotifyMarkEntry *marks = NULL, **ptrs = NULL;
	FsnotifyObject *objs = NULL;
	const char **lines = NULL, *head;
	int n, nm = 0, ret = -1;

	head = fdinfo_field(p->fdinfo, "fanotify flags:");
	if (!head || fdinfo_parse_fanotify_head(head - strlen("fanotify flags:"), &fe.init_flags,
						&fe.event_flags)) {
		pr_err("Can't parse fanotify flags of fd %d of pid %d\n", p->fd, p->pid);
		return -1;
	}
	warn_queued(p, "fanotify");
	n = watch_lines(p->fdinfo, "fanotify ", &lines);
	if (n < 0)
		return -1;
	if (n) {
		marks = calloc(n, sizeof(*marks));
		ptrs = calloc(n, sizeof(*ptrs));
		objs = calloc(n, sizeof(*objs));
		if (!marks || !ptrs || !objs)
			goto out;
	}
	for (int i = 0; i < n; i++) {
		if (!strncmp(lines[i], "fanotify flags:", 15))
			continue;
		fanotify_mark_entry__init(&marks[nm]);
		fsnotify_object__init(&objs[nm]);
		marks[nm].obj = &objs[nm];
		if (dump_mark(lines[i], &marks[nm], p))
			goto out;
		if (marks[nm].kind == FANOTIFY_MARK_KIND__MOUNT)
			marks[nm].obj = NULL;
		ptrs[nm] = &marks[nm];
		nm++;
	}
	fe.id = id;
	fe.flags = p->flags;
	fe.n_mark = nm;
	fe.mark = ptrs;
	ret = img_store_write(&fanotify_store, &fe.base);
out:
	for (int i = 0; objs && i < n; i++) {
		free_object(&objs[i]);
		if (marks)
			free(marks[i].mnt_path);
	}
	free(objs);
	free(marks);
	free(ptrs);
	free(lines);
	return ret;
}

static int fanotify_dump_finish(void)
{
	return img_store_finish(&fanotify_store);
}

/* ---- restore ---- */

static int inotify_collect(void)
{
	return img_store_load(&inotify_store);
}

static int cmp_wd(const void *a, const void *b)
{
	const InotifyWdEntry *x = *(InotifyWdEntry *const *)a, *y = *(InotifyWdEntry *const *)b;

	return x->wd < y->wd ? -1 : x->wd > y->wd;
}

/* Add watch @w so that it gets its old number. */
static int add_watch(int ifd, const InotifyWdEntry *w, uint32_t id)
{
	char path[64];
	int obj = open_object(w->obj), wd = -1;

	if (obj < 0) {
		pr_err("Can't find the file of watch %u of inotify %u\n", w->wd, id);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", obj);
	for (;;) {
		wd = inotify_add_watch(ifd, path, w->mask);
		if (wd < 0) {
			pr_perror("Can't add watch %u (mask %#x) to inotify %u", w->wd, w->mask, id);
			break;
		}
		if ((uint32_t)wd >= w->wd)
			break;
		/* the allocator moves past every number handed out, freed or not */
		if (inotify_rm_watch(ifd, wd)) {
			pr_perror("Can't remove temporary watch %d of inotify %u", wd, id);
			wd = -1;
			break;
		}
	}
	close(obj);
	if (wd >= 0 && (uint32_t)wd != w->wd) {
		pr_err("inotify %u: watch %u came back as %d\n", id, w->wd, wd);
		return -1;
	}
	return wd < 0 ? -1 : 0;
}

/* Read out the events the wd numbering queued. */
static int drain(int ifd, uint32_t id)
{
	char buf[64 * 1024];

	for (;;) {
		ssize_t r = read(ifd, buf, sizeof(buf));

		if (r > 0)
			continue;
		if (r < 0 && errno == EAGAIN)
			return 0;
		pr_perror("Can't drain inotify %u", id);
		return -1;
	}
}

static int inotify_open(uint32_t id)
{
	InotifyFileEntry *ie = (InotifyFileEntry *)img_store_find(&inotify_store, "id", id);
	InotifyWdEntry **sorted;
	int fd, ret = -1;

	if (!ie) {
		pr_err("inotify %u is missing from inotify.img\n", id);
		return -1;
	}
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0) {
		pr_perror("Can't create inotify %u", id);
		return -1;
	}
	sorted = calloc(ie->n_wd + 1, sizeof(*sorted));
	if (!sorted)
		goto out;
	memcpy(sorted, ie->wd, ie->n_wd * sizeof(*sorted));
	qsort(sorted, ie->n_wd, sizeof(*sorted), cmp_wd);
	for (size_t i = 0; i < ie->n_wd; i++)
		if (add_watch(fd, sorted[i], id))
			goto out;
	if (drain(fd, id))
		goto out;
	if (fcntl(fd, F_SETFL, ie->flags & ~O_ACCMODE)) {
		pr_perror("Can't set flags %#x on inotify %u", ie->flags, id);
		goto out;
	}
	ret = 0;
out:
	free(sorted);
	if (ret) {
		close(fd);
		return -1;
	}
	return fd;
}

static void inotify_reset(void)
{
	img_store_reset(&inotify_store);
}

static int fanotify_collect(void)
{
	return img_store_load(&fanotify_store);
}

static int add_mark(int fd, const FanotifyMarkEntry *m, uint32_t id)
{
	unsigned flags = FAN_MARK_ADD | m->mflags, ign;
	char path[64];
	int obj;

	if (m->kind == FANOTIFY_MARK_KIND__MOUNT) {
		flags |= FAN_MARK_MOUNT;
		obj = m->mnt_path ? open(m->mnt_path, O_PATH | O_CLOEXEC) : -1;
	} else {
		if (m->kind == FANOTIFY_MARK_KIND__SB)
			flags |= FAN_MARK_FILESYSTEM;
		obj = m->obj ? open_object(m->obj) : -1;
	}
	if (obj < 0) {
		pr_perror("Can't find the object of a mark of fanotify %u", id);
		return -1;
	}
	/* a path, not the fd: fanotify_mark does not take O_PATH descriptors */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", obj);
	/* the ignore mask goes in a second call, with the flag saying which style */
	flags &= ~(FAN_MARK_IGNORE | FAN_MARK_IGNORED_MASK);
	ign = (m->mflags & FAN_MARK_IGNORE) ? FAN_MARK_IGNORE : FAN_MARK_IGNORED_MASK;
	if ((m->mask && fanotify_mark(fd, flags, m->mask, AT_FDCWD, path)) ||
	    (m->ignored_mask &&
	     fanotify_mark(fd, flags | ign, m->ignored_mask, AT_FDCWD, path))) {
		pr_perror("Can't add mark (flags %#x mask %#x ignored %#x) to fanotify %u",
			  m->mflags, m->mask, m->ignored_mask, id);
		close(obj);
		return -1;
	}
	close(obj);
	return 0;
}

static int fanotify_open(uint32_t id)
{
	FanotifyFileEntry *fe = (FanotifyFileEntry *)img_store_find(&fanotify_store, "id", id);
	int fd;

	if (!fe) {
		pr_err("fanotify %u is missing from fanotify.img\n", id);
		return -1;
	}
	/* exactly the old flags: fdinfo shows FAN_CLOEXEC and FAN_NONBLOCK as given */
	fd = fanotify_init(fe->init_flags, fe->event_flags);
	if (fd < 0) {
		pr_perror("Can't create fanotify %u (flags %#x, event flags %#x)", id,
			  fe->init_flags, fe->event_flags);
		return -1;
	}
	for (size_t i = 0; i < fe->n_mark; i++)
		if (add_mark(fd, fe->mark[i], id)) {
			close(fd);
			return -1;
		}
	if (fcntl(fd, F_SETFL, fe->flags & ~O_ACCMODE)) {
		pr_perror("Can't set flags %#x on fanotify %u", fe->flags, id);
		close(fd);
		return -1;
	}
	return fd;
}

static void fanotify_reset(void)
{
	img_store_reset(&fanotify_store);
}

const struct fd_kind inotify_kind = {
	.name = "inotify",
	.type = FD_TYPE__INOTIFY,
	.match = inotify_match,
	.dump = inotify_dump,
	.dump_finish = inotify_dump_finish,
	.collect = inotify_collect,
	.open = inotify_open,
	.reset = inotify_reset,
	.may_fly = true,
};

const struct fd_kind fanotify_kind = {
	.name = "fanotify",
	.type = FD_TYPE__FANOTIFY,
	.match = fanotify_match,
	.dump = fanotify_dump,
	.dump_finish = fanotify_dump_finish,
	.collect = fanotify_collect,
	.open = fanotify_open,
	.reset = fanotify_reset,
	.may_fly = true,
};
