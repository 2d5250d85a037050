// SPDX-License-Identifier: GPL-2.0
/* The descriptor framework: tables of fds, file descriptions shared between
 * them, and the per-kind operations in res/. */
#include <fcntl.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine/files.h"
#include "fdinfo.pb-c.h"
#include "fs.pb-c.h"
#include "images/image.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/options.h"
#include "util/proc.h"
#include "util/sys.h"

/*
 * Descriptions met so far in this dump, in a balanced tree ordered by
 * (dev, ino, kernel file order): kcmp(KCMP_FILE) tells not only whether two
 * fds share a description but which comes first, so finding one is
 * O(log n) even when thousands of fds open the same file.
 */
struct seen_file {
	pid_t pid;
	int fd;
	dev_t dev;
	ino_t ino;
	uint32_t id;
};

static void *seen;
static uint32_t next_file_id = 1;
/* fd tables and fs structs already written (ids) */
static unsigned *tables_done, *fs_done;
static int nr_tables_done, nr_fs_done;

int dump_files_finish(void)
{
	int ret = 0;

	for (int i = 0; i < nr_fd_kinds; i++)
		if (fd_kinds[i]->dump_finish && fd_kinds[i]->dump_finish())
			ret = -1;
	return ret;
}

int dump_files_tree(const struct pstree *tree)
{
	for (int i = 0; i < nr_fd_kinds; i++)
		if (fd_kinds[i]->dump_tree && fd_kinds[i]->dump_tree(tree))
			return -1;
	return 0;
}

void dump_files_reset(void)
{
	tdestroy(seen, free);
	free(tables_done);
	free(fs_done);
	seen = NULL;
	tables_done = fs_done = NULL;
	nr_tables_done = nr_fs_done = 0;
	next_file_id = 1;
}

static int remember(unsigned **arr, int *n, unsigned id)
{
	unsigned *na = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (!na)
		return -1;
	na[(*n)++] = id;
	*arr = na;
	return 0;
}

static bool done_before(const unsigned *arr, int n, unsigned id)
{
	for (int i = 0; i < n; i++)
		if (arr[i] == id)
			return true;
	return false;
}

static int cmp_seen(const void *a, const void *b)
{
	const struct seen_file *x = a, *y = b;
	int order;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	order = sys_kcmp(x->pid, y->pid, KCMP_FILE, x->fd, y->fd);
	if (order == 0)
		return 0;
	if (order == 1)
		return -1;
	if (order == 2)
		return 1;
	/* kcmp failed: fall back to a stable order, the fds count as distinct */
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

/* The id of an already dumped description equal to this one, or 0. */
static uint32_t find_shared(const struct fd_parms *p)
{
	struct seen_file key = { p->pid, p->fd, p->st.st_dev, p->st.st_ino, 0 };
	struct seen_file **found = tfind(&key, &seen, cmp_seen);

	return found ? (*found)->id : 0;
}

static int remember_file(const struct fd_parms *p, uint32_t id)
{
	struct seen_file *sf = malloc(sizeof(*sf));

	if (!sf)
		return -1;
	*sf = (struct seen_file){ p->pid, p->fd, p->st.st_dev, p->st.st_ino, id };
	if (!tsearch(sf, &seen, cmp_seen)) {
		free(sf);
		return -1;
	}
	return 0;
}

const char *fdinfo_field(const char *fdinfo, const char *key)
{
	size_t len = strlen(key);
	const char *s = fdinfo;

	while (s) {
		if (!strncmp(s, key, len))
			return s + len;
		s = strchr(s, '\n');
		if (s)
			s++;
	}
	return NULL;
}

static int parse_fdinfo(struct fd_parms *p)
{
	const char *pos, *flags;

	p->fdinfo = proc_read_file("/proc/%d/fdinfo/%d", p->pid, p->fd);
	if (!p->fdinfo)
		return -1;
	pos = fdinfo_field(p->fdinfo, "pos:");
	flags = fdinfo_field(p->fdinfo, "flags:");
	if (!pos || !flags) {
		pr_err("Can't parse /proc/%d/fdinfo/%d\n", p->pid, p->fd);
		return -1;
	}
	p->pos = strtoull(pos, NULL, 10);
	p->flags = strtoul(flags, NULL, 8);
	p->cloexec = p->flags & O_CLOEXEC;
	p->flags &= ~O_CLOEXEC;
	return 0;
}

static int fill_parms(int pidfd, pid_t pid, int fd, struct fd_parms *p)
{
	char path[64];
	ssize_t n;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->fd = fd;
	p->lfd = sys_pidfd_getfd(pidfd, fd);
	if (p->lfd < 0) {
		pr_perror("Can't get a copy of fd %d of pid %d", fd, pid);
		return -1;
	}
	if (fstat(p->lfd, &p->st)) {
		pr_perror("Can't stat fd %d of pid %d", fd, pid);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	n = readlink(path, p->link, sizeof(p->link) - 1);
	if (n < 0) {
		pr_perror("Can't read link %s", path);
		return -1;
	}
	p->link[n] = 0;
	return parse_fdinfo(p);
}

static const struct fd_kind *kind_of(const struct fd_parms *p)
{
	for (int i = 0; i < nr_fd_kinds; i++)
		if (fd_kinds[i]->match(p))
			return fd_kinds[i];
	return NULL;
}

static int dump_one_fd(int pidfd, pid_t pid, int fd, struct cr_img *img)
{
	FdinfoEntry fe = FDINFO_ENTRY__INIT;
	const struct fd_kind *kind;
	struct fd_parms p;
	int ret = -1;

	if (fill_parms(pidfd, pid, fd, &p))
		goto out;
	kind = kind_of(&p);
	if (!kind) {
		pr_err("unsupported: %s fd %d of pid %d\n", p.link, fd, pid);
		goto out;
	}
	fe.fd = fd;
	fe.type = kind->type;
	fe.fd_flags = p.cloexec ? FD_CLOEXEC : 0;
	fe.id = find_shared(&p);
	if (!fe.id) {
		fe.id = next_file_id++;
		if (remember_file(&p, fe.id) || kind->dump(&p, fe.id))
			goto out;
	}
	ret = img_write(img, &fe.base);
out:
	if (p.lfd > 0)
		close(p.lfd);
	free(p.fdinfo);
	return ret;
}

static int list_fds(pid_t pid, int **fds, int *nr)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	return list_dir_numbers(path, fds, nr);
}

int dump_task_files(struct task *t)
{
	struct cr_img *img;
	int *fds, nr, pidfd, ret = -1;

	if (fault_hit(FAULT_DUMP_FILES)) {
		pr_err("Can't collect descriptors of %d (injected fault)\n", t->pid);
		return -1;
	}
	if (done_before(tables_done, nr_tables_done, t->files_id))
		return 0;
	if (list_fds(t->pid, &fds, &nr))
		return -1;
	pidfd = sys_pidfd_open(t->pid, 0);
	if (pidfd < 0) {
		pr_perror("Can't open pidfd of %d", t->pid);
		free(fds);
		return -1;
	}
	img = img_open(IMG_FDINFO, O_WRONLY, t->files_id);
	if (!img)
		goto out;
	ret = 0;
	for (int i = 0; i < nr && !ret; i++)
		ret = dump_one_fd(pidfd, t->pid, fds[i], img);
	if (img_close(img))
		ret = -1;
	if (!ret)
		ret = remember(&tables_done, &nr_tables_done, t->files_id);
out:
	close(pidfd);
	free(fds);
	return ret;
}

static char *task_link(pid_t pid, const char *what)
{
	char path[64], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		pr_perror("Can't read %s", path);
		return NULL;
	}
	target[n] = 0;
	if (strstr(target, " (deleted)")) {
		pr_err("unsupported: %s of pid %d is a deleted directory %s\n", what, pid, target);
		return NULL;
	}
	return strdup(target);
}

int dump_task_fs(struct task *t)
{
	FsEntry fe = FS_ENTRY__INIT;
	int ret = -1;

	if (done_before(fs_done, nr_fs_done, t->fs_id))
		return 0;
	fe.cwd = task_link(t->pid, "cwd");
	fe.root = task_link(t->pid, "root");
	if (fe.cwd && fe.root && !img_write_single(IMG_FS, t->fs_id, &fe.base))
		ret = remember(&fs_done, &nr_fs_done, t->fs_id);
	free(fe.cwd);
	free(fe.root);
	return ret;
}

/* ---- restore ---- */

struct open_file {
	uint32_t id;
	int fd;		/* criu's fd for it, above every task fd */
};

static struct open_file *opened;
static int nr_opened;

void restore_files_reset(void)
{
	for (int i = 0; i < nr_opened; i++)
		close(opened[i].fd);
	free(opened);
	opened = NULL;
	nr_opened = 0;
	for (int i = 0; i < nr_fd_kinds; i++)
		if (fd_kinds[i]->reset)
			fd_kinds[i]->reset();
}

int restore_files_stage(const struct task *t, enum fd_task_stage stage)
{
	for (int i = 0; i < nr_fd_kinds; i++)
		if (fd_kinds[i]->restore_task && fd_kinds[i]->restore_task(t, stage))
			return -1;
	return 0;
}

static int opened_fd(uint32_t id)
{
	for (int i = 0; i < nr_opened; i++)
		if (opened[i].id == id)
			return opened[i].fd;
	return -1;
}

static const struct fd_kind *kind_by_type(int type)
{
	for (int i = 0; i < nr_fd_kinds; i++)
		if (fd_kinds[i]->type == type)
			return fd_kinds[i];
	return NULL;
}

/* --inherit-fd fd[N]:NAME: criu's fd N stands for the description named NAME. */
static int inherited(const struct fd_kind *kind, uint32_t id)
{
	char name[PATH_MAX];

	if (!kind->name_of || kind->name_of(id, name, sizeof(name)))
		return -1;
	for (int i = 0; i < opts.nr_inherit_fds; i++) {
		int fd;

		if (strcmp(opts.inherit_fds[i].name, name))
			continue;
		fd = fcntl(opts.inherit_fds[i].fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			pr_perror("Can't use inherited fd %d for %s", opts.inherit_fds[i].fd, name);
		else
			pr_info("File %u (%s) is inherited fd %d\n", id, name,
				opts.inherit_fds[i].fd);
		return fd < 0 ? -2 : fd;
	}
	return -1;
}

static int open_one(const FdinfoEntry *fe, int min_fd)
{
	const struct fd_kind *kind = kind_by_type(fe->type);
	struct open_file *no;
	int fd, high;

	if (opened_fd(fe->id) >= 0)
		return 0;
	if (!kind) {
		pr_err("Image names fd %u of unknown type %d\n", fe->fd, fe->type);
		return -1;
	}
	fd = inherited(kind, fe->id);
	if (fd == -2)
		return -1;
	if (fd < 0)
		fd = kind->open(fe->id);
	if (fd < 0)
		return -1;
	high = fcntl(fd, F_DUPFD_CLOEXEC, min_fd);
	if (high < 0) {
		pr_perror("Can't move file %u above fd %d", fe->id, min_fd);
		close(fd);
		return -1;
	}
	close(fd);
	no = realloc(opened, (nr_opened + 1) * sizeof(*opened));
	if (!no) {
		close(high);
		return -1;
	}
	opened = no;
	opened[nr_opened++] = (struct open_file){ fe->id, high };
	return 0;
}

static int for_each_fdinfo(struct task *t, int (*fn)(const FdinfoEntry *, void *), void *arg)
{
	struct cr_img *img = img_open(IMG_FDINFO, O_RDONLY, t->files_id);
	ProtobufCMessage *msg;
	int ret = 0, r;

	if (!img)
		return -1;
	while ((r = img_read(img, &msg)) > 0) {
		ret = fn((FdinfoEntry *)msg, arg);
		img_free(img, msg);
		if (ret)
			break;
	}
	if (r < 0)
		ret = -1;
	img_close(img);
	return ret;
}

static int note_max(const FdinfoEntry *fe, void *arg)
{
	int *max = arg;

	if ((int)fe->fd > *max)
		*max = fe->fd;
	return 0;
}

int restore_max_fd(struct pstree *tree)
{
	int max = 2;

	for (int i = 0; i < tree->nr_tasks; i++) {
		struct task *t = tree->tasks[i];

		if (t->kind == TASK_ZOMBIE || t->kind == TASK_HELPER)
			continue;
		if (for_each_fdinfo(t, note_max, &max))
			return -1;
	}
	return max;
}

static int open_cb(const FdinfoEntry *fe, void *arg)
{
	return open_one(fe, *(int *)arg);
}

int restore_open_files(struct pstree *tree, int min_fd)
{
	if (fault_hit(FAULT_RESTORE_FILES)) {
		pr_err("Can't open files (injected fault)\n");
		return -1;
	}
	for (int i = 0; i < nr_fd_kinds; i++)
		if (fd_kinds[i]->collect && fd_kinds[i]->collect())
			return -1;
	for (int i = 0; i < tree->nr_tasks; i++) {
		struct task *t = tree->tasks[i];

		if (t->kind == TASK_ZOMBIE || t->kind == TASK_HELPER)
			continue;
		if (for_each_fdinfo(t, open_cb, &min_fd))
			return -1;
	}
	for (int i = 0; i < nr_fd_kinds; i++)
		if (fd_kinds[i]->post_open && fd_kinds[i]->post_open())
			return -1;
	return 0;
}

struct fd_plan {
	uint32_t fd, id, cloexec;
};

struct fd_plans {
	struct fd_plan *v;
	int n;
};

static int plan_cb(const FdinfoEntry *fe, void *arg)
{
	struct fd_plans *p = arg;
	struct fd_plan *nv = realloc(p->v, (p->n + 1) * sizeof(*nv));

	if (!nv)
		return -1;
	p->v = nv;
	p->v[p->n++] = (struct fd_plan){ fe->fd, fe->id, fe->fd_flags & FD_CLOEXEC };
	return 0;
}

static int install_one(const struct fd_plan *fp)
{
	int src = opened_fd(fp->id);

	if (src < 0) {
		pr_err("File %u for fd %u was not opened\n", fp->id, fp->fd);
		return -1;
	}
	if (dup3(src, fp->fd, fp->cloexec ? O_CLOEXEC : 0) < 0) {
		pr_perror("Can't put file %u at fd %u", fp->id, fp->fd);
		return -1;
	}
	return 0;
}

static bool opened_fd_is(int fd)
{
	for (int i = 0; i < nr_opened; i++)
		if (opened[i].fd == fd)
			return true;
	return false;
}

static bool is_kept(int fd, const int *keep, int nr_keep)
{
	for (int i = 0; i < nr_keep; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

/* Close every fd that is neither the task's nor criu's service fd. */
static int close_strays(struct task *t, const int *keep, int nr_keep)
{
	int *fds, nr;
	int *mine = NULL, nr_mine = 0;

	(void)t;
	if (list_fds(getpid(), &fds, &nr))
		return -1;
	for (int i = 0; i < nr_opened; i++) {
		int *nm = realloc(mine, (nr_mine + 1) * sizeof(*mine));

		if (!nm) {
			free(fds);
			free(mine);
			return -1;
		}
		mine = nm;
		mine[nr_mine++] = opened[i].fd;
	}
	for (int i = 0; i < nr; i++)
		if (is_kept(fds[i], mine, nr_mine) && !is_kept(fds[i], keep, nr_keep))
			close(fds[i]);
	free(fds);
	free(mine);
	free(opened);
	opened = NULL;
	nr_opened = 0;
	return 0;
}

int restore_install_fds(struct task *t, const int *keep, int nr_keep)
{
	struct fd_plans plans = { NULL, 0 };
	int *fds, nr, ret = -1;

	/* read the whole table first: installing may reuse any low fd number */
	if (for_each_fdinfo(t, plan_cb, &plans))
		goto out;
	/* anything inherited that is neither ours nor the task's goes */
	if (list_fds(getpid(), &fds, &nr))
		goto out;
	for (int i = 0; i < nr; i++)
		if (!opened_fd_is(fds[i]) && !is_kept(fds[i], keep, nr_keep))
			close(fds[i]);
	free(fds);
	for (int i = 0; i < plans.n; i++)
		if (install_one(&plans.v[i]))
			goto out;
	ret = close_strays(t, keep, nr_keep);
out:
	free(plans.v);
	return ret;
}

int restore_task_fs(struct task *t)
{
	ProtobufCMessage *msg;
	FsEntry *fe;
	int ret = -1;

	if (img_read_single(IMG_FS, t->fs_id, &msg))
		return -1;
	fe = (FsEntry *)msg;
	/* both paths are as criu sees them: chdir first, chroot keeps the cwd */
	if (chdir(fe->cwd)) {
		pr_perror("Can't change directory of %d to %s", t->pid, fe->cwd);
		goto out;
	}
	if (strcmp(fe->root, "/") && chroot(fe->root)) {
		pr_perror("Can't change root of %d to %s", t->pid, fe->root);
		goto out;
	}
	ret = 0;
out:
	img_free(NULL, msg);
	return ret;
}
