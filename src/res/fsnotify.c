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
#include <unistd.h>

#include "engine/files.h"
#include "fdinfo.pb-c.h"
#include "fsnotify.pb-c.h"
#include "images/image.h"
#include "images/store.h"
#include "res/table.h"
#include "util/log.h"
#include "util/options.h"
#include "util/proc.h"

#ifndef FAN_MARK_IGNORE
#define FAN_MARK_IGNORE 0x00000400
#endif

#define MAX_HANDLE 128	/* MAX_HANDLE_SZ */
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
	bool found = false;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		char root[PATH_MAX], mp[PATH_MAX];
		int id;

		if (sscanf(line, "%d %*d %u:%u %4095s %4095s", &id, &maj, &min, root, mp) != 5)
			continue;
		if (sdev ? (maj != KDEV_MAJOR(sdev) || min != KDEV_MINOR(sdev)) : id != mnt_id)
			continue;
		/* mountinfo escapes blanks as \040: such mount points are not handled */
		if (found && strcmp(root, "/"))
			continue;
		snprintf(out, len, "%s", mp);
		found = true;
		if (!strcmp(root, "/"))
			break;
	}
	free(text);
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

	if (len > MAX_HANDLE || find_mount(sdev, 0, mnt, sizeof(mnt)))
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

static int hex_bytes(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = v;
	}
	return 0;
}

static const char *after(const char *line, const char *key)
{
	const char *s = strstr(line, key);

	return s ? s + strlen(key) : NULL;
}

/*
 * Fill @o from the "ino: sdev: ... fhandle-bytes: fhandle-type: f_handle:"
 * part of a watch line; check the object can be found again; with
 * --force-irmap resolve it to a path. @what names it in messages.
 */
static int dump_object(const char *line, FsnotifyObject *o, const char *what,
		       const struct fd_parms *p)
{
	const char *ino = after(line, " ino:"), *sdev = after(line, "sdev:");
	const char *hb = after(line, "fhandle-bytes:"), *ht = after(line, "fhandle-type:");
	const char *hd = after(line, "f_handle:");
	char path[64], target[PATH_MAX];
	unsigned len;
	struct stat st;
	ssize_t n;
	int fd;

	if (!sdev || !hb || !ht || !hd || sscanf(hb, "%x", &len) != 1 || len > MAX_HANDLE ||
	    sscanf(sdev, "%x", &o->sdev) != 1 || sscanf(ht, "%x", &o->handle_type) != 1) {
		pr_err("unsupported: %s of fd %d of pid %d has no file handle\n", what, p->fd,
		       p->pid);
		return -1;
	}
	o->has_handle_type = o->has_handle = true;
	if (ino) {
		o->has_ino = true;
		o->ino = strtoull(ino, NULL, 16);
	}
	o->handle.len = len;
	o->handle.data = malloc(len ? len : 1);
	if (!o->handle.data || hex_bytes(hd, o->handle.data, len)) {
		pr_err("Bad file handle of %s of fd %d of pid %d\n", what, p->fd, p->pid);
		return -1;
	}
	fd = open_handle(o->sdev, o->handle_type, o->handle.data, len);
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

/* The lines of @fdinfo that start with @prefix, as pointers into it. */
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
		v[n++] = s;
	}
	*out = v;
	return n;
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

	n = watch_lines(p->fdinfo, "inotify wd:", &lines);
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
		char what[64];

		inotify_wd_entry__init(&wds[i]);
		fsnotify_object__init(&objs[i]);
		wds[i].obj = &objs[i];
		ptrs[i] = &wds[i];
		if (sscanf(lines[i], "%x", &wds[i].wd) != 1 || !after(lines[i], "mask:") ||
		    sscanf(after(lines[i], "mask:"), "%x", &wds[i].mask) != 1) {
			pr_err("Can't parse inotify watch of fd %d of pid %d\n", p->fd, p->pid);
			goto out;
		}
		snprintf(what, sizeof(what), "inotify watch %u", wds[i].wd);
		if (dump_object(lines[i], &objs[i], what, p))
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

static int dump_mark(const char *line, FanotifyMarkEntry *m, const struct fd_parms *p)
{
	const char *mf = after(line, "mflags:"), *mask = after(line, " mask:");
	const char *ign = after(line, "ignored_mask:");
	char mp[PATH_MAX];
	int mnt_id;

	if (!mf || !mask || !ign || sscanf(mf, "%x", &m->mflags) != 1 ||
	    sscanf(mask, "%x", &m->mask) != 1 || sscanf(ign, "%x", &m->ignored_mask) != 1) {
		pr_err("Can't parse fanotify mark \"%.60s\" of fd %d of pid %d\n", line, p->fd,
		       p->pid);
		return -1;
	}
	if (!strncmp(line, "ino:", 4)) {
		m->kind = FANOTIFY_MARK_KIND__INODE;
		return dump_object(line - 1, m->obj, "fanotify inode mark", p);
	}
	if (!strncmp(line, "mnt_id:", 7)) {
		m->kind = FANOTIFY_MARK_KIND__MOUNT;
		if (sscanf(line + 7, "%x", &mnt_id) != 1 || find_mount(0, mnt_id, mp, sizeof(mp)))
			goto bad;
		m->mnt_path = strdup(mp);
		return m->mnt_path ? 0 : -1;
	}
	if (!strncmp(line, "sdev:", 5)) {
		m->kind = FANOTIFY_MARK_KIND__SB;
		m->obj->has_handle = false;
		if (sscanf(line + 5, "%x", &m->obj->sdev) != 1 ||
		    find_mount(m->obj->sdev, 0, mp, sizeof(mp)))
			goto bad;
		m->obj->path = strdup(mp);
		return m->obj->path ? 0 : -1;
	}
bad:
	pr_err("unsupported: fanotify mark \"%.60s\" of fd %d of pid %d\n", line, p->fd, p->pid);
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
	if (!head || sscanf(head, "%x event-flags:%x", &fe.init_flags, &fe.event_flags) != 2) {
		pr_err("Can't parse fanotify flags of fd %d of pid %d\n", p->fd, p->pid);
		return -1;
	}
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
		if (!strncmp(lines[i], "flags:", 6))
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
};
