// SPDX-License-Identifier: GPL-2.0
/* The descriptor framework: tables of fds, file descriptions shared between
 * them, and the per-kind operations in res/. */
#include <fcntl.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
/* criu's copies of descriptions in flight: seen[] compares with them by kcmp */
static int *flying;
static int nr_flying;
/* fd tables and fs structs already written (ids) */
static unsigned *tables_done, *fs_done;
static int nr_tables_done, nr_fs_done;

int dump_files_finish(void)
{
	int ret = 0;

	for (int i = 0; i < nr_fd_kinds; i++)
		if (fd_kinds[i]->dump_finish && fd_kinds[i]->dump_finish())
			ret = -1;
	for (int i = 0; i < nr_fd_extras; i++)
		if (fd_extras[i]->dump_finish())
			ret = -1;
	return ret;
}

bool dump_mapping_refused(pid_t pid, const struct stat *st, unsigned long start)
{
	for (int i = 0; i < nr_fd_kinds; i++)
		if (fd_kinds[i]->refuse_mapping && fd_kinds[i]->refuse_mapping(pid, st, start))
			return true;
	return false;
}

void dump_files_release(bool tree_dies)
{
	for (int i = 0; i < nr_fd_kinds; i++)
		if (fd_kinds[i]->dump_release)
			fd_kinds[i]->dump_release(tree_dies);
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
	for (int i = 0; i < nr_flying; i++)
		close(flying[i]);
	free(flying);
	flying = NULL;
	nr_flying = 0;
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
	order = kcmp_order(x->pid, y->pid, KCMP_FILE, x->fd, y->fd);
	if (order != 2)
		return order;
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

static int fill_parms(int pidfd, struct task *t, int fd, struct fd_parms *p)
{
	pid_t pid = t->pid;
	char path[64];
	ssize_t n;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->task = t;
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

static int dump_one_fd(int pidfd, struct task *t, int fd, struct cr_img *img)
{
	pid_t pid = t->pid;
	bool first = false;
	FdinfoEntry fe = FDINFO_ENTRY__INIT;
	const struct fd_kind *kind;
	struct fd_parms p;
	int ret = -1;

	if (fill_parms(pidfd, t, fd, &p))
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
		first = true;
		if (remember_file(&p, fe.id) || kind->dump(&p, fe.id))
			goto out;
	}
	for (int i = 0; i < nr_fd_extras; i++)
		if (fd_extras[i]->dump(&p, t->files_id, first))
			goto out;
	ret = img_write(img, &fe.base);
out:
	if (p.lfd > 0)
		close(p.lfd);
	free(p.fdinfo);
	return ret;
}

int dump_flying_file(const struct fd_parms *carrier, int fd, uint32_t *id, int *type)
{
	const struct fd_kind *kind;
	struct fd_parms p;
	char path[64];
	int *nf, ret = -1;
	ssize_t n;

	memset(&p, 0, sizeof(p));
	p.pid = getpid();
	p.task = carrier->task;
	nf = realloc(flying, (nr_flying + 1) * sizeof(*flying));
	if (!nf)
		return -1;
	flying = nf;
	/* kept until the dump ends: the seen tree names it by (criu's pid, fd) */
	p.fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (p.fd < 0) {
		pr_perror("Can't keep a descriptor in flight to fd %d of pid %d", carrier->fd,
			  carrier->pid);
		return -1;
	}
	flying[nr_flying++] = p.fd;
	p.lfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p.fd);
	n = readlink(path, p.link, sizeof(p.link) - 1);
	if (p.lfd < 0 || fstat(p.lfd, &p.st) || n < 0 || parse_fdinfo(&p)) {
		pr_perror("Can't look at a descriptor in flight to fd %d of pid %d", carrier->fd,
			  carrier->pid);
		goto out;
	}
	p.link[n] = 0;
	kind = kind_of(&p);
	if (!kind || !kind->may_fly) {
		pr_err("unsupported: %s in flight (SCM_RIGHTS) to fd %d of pid %d\n", p.link,
		       carrier->fd, carrier->pid);
		goto out;
	}
	*type = kind->type;
	*id = find_shared(&p);
	ret = 0;
	if (!*id) {
		*id = next_file_id++;
		ret = remember_file(&p, *id) || kind->dump(&p, *id) ? -1 : 0;
	}
	pr_info("%s in flight to fd %d of pid %d is file %u\n", p.link, carrier->fd,
		carrier->pid, *id);
out:
	if (p.lfd >= 0)
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
		ret = dump_one_fd(pidfd, t, fds[i], img);
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

/*
 * Every description named by the images, sorted by id. One used by a single
 * fd of a single table, of a kind that can open it from the image alone, is
 * left to that task to open (fd stays -1): criu then holds only the shared
 * ones, so a task with N fds does not need 2N under RLIMIT_NOFILE.
 */
struct open_file {
	uint32_t id;
	int type;
	int refs;	/* fds naming it, over distinct fd tables */
	int fd;		/* criu's fd for it, above every task fd, or -1 */
	bool held;	/* criu needs it itself (a kind's restore_file_hold) */
};

static struct open_file *files;
static int nr_files, files_cap;
static int files_min_fd;

/* stand-ins replaced in this process's fd table: (type, id) -> first fd */
struct placed {
	int type;
	uint32_t id;
	int fd;
};
static struct placed *placed;
static int nr_placed;

int fd_replace_standin(int type, uint32_t id, int fd, int (*open_real)(uint32_t id))
{
	struct placed *np;
	int first = -1, real, fdfl;

	for (int i = 0; i < nr_placed && first < 0; i++)
		if (placed[i].type == type && placed[i].id == id)
			first = placed[i].fd;
	real = first >= 0 ? first : open_real(id);
	if (real < 0)
		return -1;
	fdfl = fcntl(fd, F_GETFD);
	if (fdfl < 0 || dup3(real, fd, (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0) < 0) {
		pr_perror("Can't put file %u at fd %d", id, fd);
		if (first < 0)
			close(real);
		return -1;
	}
	if (first >= 0)
		return 0;
	close(real);
	np = realloc(placed, (nr_placed + 1) * sizeof(*placed));
	if (!np)
		return -1;
	placed = np;
	placed[nr_placed++] = (struct placed){ type, id, fd };
	return 0;
}

void restore_files_reset(void)
{
	free(placed);
	placed = NULL;
	nr_placed = 0;
	for (int i = 0; i < nr_files; i++)
		if (files[i].fd >= 0)
			close(files[i].fd);
	free(files);
	files = NULL;
	nr_files = files_cap = 0;
	for (int i = 0; i < nr_fd_kinds; i++)
		if (fd_kinds[i]->reset)
			fd_kinds[i]->reset();
	for (int i = 0; i < nr_fd_extras; i++)
		fd_extras[i]->reset();
}

int restore_files_stage(const struct task *t, enum fd_task_stage stage)
{
	for (int i = 0; i < nr_fd_kinds; i++)
		if (fd_kinds[i]->restore_task && fd_kinds[i]->restore_task(t, stage))
			return -1;
	return 0;
}

static int cmp_file_id(const void *a, const void *b)
{
	const struct open_file *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static struct open_file *find_file(uint32_t id)
{
	struct open_file key = { .id = id };

	return bsearch(&key, files, nr_files, sizeof(*files), cmp_file_id);
}

static const struct fd_kind *kind_by_type(int type)
{
	for (int i = 0; i < nr_fd_kinds; i++)
		if (fd_kinds[i]->type == type)
			return fd_kinds[i];
	return NULL;
}

/* --inherit-fd fd[N]:NAME: the index of the entry naming this description, or -1. */
static int inherit_entry(const struct fd_kind *kind, uint32_t id)
{
	char name[PATH_MAX];

	if (!opts.nr_inherit_fds || !kind->name_of || kind->name_of(id, name, sizeof(name)))
		return -1;
	for (int i = 0; i < opts.nr_inherit_fds; i++)
		if (!strcmp(opts.inherit_fds[i].name, name))
			return i;
	return -1;
}

static int inherited_fd(uint32_t id, int entry)
{
	int fd = fcntl(opts.inherit_fds[entry].fd, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		pr_perror("Can't use inherited fd %d for %s", opts.inherit_fds[entry].fd,
			  opts.inherit_fds[entry].name);
	else
		pr_info("File %u (%s) is inherited fd %d\n", id, opts.inherit_fds[entry].name,
			opts.inherit_fds[entry].fd);
	return fd;
}

bool fd_opens_anywhere(uint32_t id)
{
	(void)id;
	return true;
}

static bool opens_in_task(const struct open_file *f)
{
	const struct fd_kind *kind = kind_by_type(f->type);

	return f->refs == 1 && !f->held && kind->open_in_task && kind->open_in_task(f->id) &&
	       inherit_entry(kind, f->id) < 0;
}

/* Open @f in criu above @min_fd; with @probe, close it again (checking mode). */
static int open_one(struct open_file *f, int min_fd, bool probe)
{
	const struct fd_kind *kind = kind_by_type(f->type);
	int entry = inherit_entry(kind, f->id);
	int fd, high;

	fd = entry >= 0 ? inherited_fd(f->id, entry) : kind->open(f->id);
	if (fd < 0)
		return -1;
	if (probe) {
		close(fd);
		return 0;
	}
	high = fcntl(fd, F_DUPFD_CLOEXEC, min_fd);
	if (high < 0)
		pr_perror("Can't move file %u above fd %d", f->id, min_fd);
	close(fd);
	f->fd = high;
	return high < 0 ? -1 : 0;
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

/* The tasks that install an fd table: one per distinct files_id. */
static bool first_of_table(struct pstree *tree, int i)
{
	struct task *t = tree->tasks[i];

	if (t->kind == TASK_ZOMBIE || t->kind == TASK_HELPER)
		return false;
	for (int j = 0; j < i; j++)
		if (tree->tasks[j]->kind != TASK_ZOMBIE && tree->tasks[j]->kind != TASK_HELPER &&
		    tree->tasks[j]->files_id == t->files_id)
			return false;
	return true;
}

int restore_max_fd(struct pstree *tree)
{
	int max = 2;

	for (int i = 0; i < tree->nr_tasks; i++)
		if (first_of_table(tree, i) && for_each_fdinfo(tree->tasks[i], note_max, &max))
			return -1;
	return max;
}

static int new_ref(uint32_t id, int type, bool held)
{
	if (nr_files == files_cap) {
		int cap = files_cap ? files_cap * 2 : 64;
		struct open_file *nf = realloc(files, cap * sizeof(*files));

		if (!nf)
			return -1;
		files = nf;
		files_cap = cap;
	}
	files[nr_files++] = (struct open_file){ id, type, 1, -1, held };
	return 0;
}

static int add_ref(const FdinfoEntry *fe, void *arg)
{
	const struct fd_kind *kind = kind_by_type(fe->type);

	(void)arg;
	if (!kind || !kind->open) {
		pr_err("Image names fd %u of unknown type %d\n", fe->fd, fe->type);
		return -1;
	}
	return new_ref(fe->id, fe->type, false);
}

int restore_file_hold(uint32_t id, int type)
{
	const struct fd_kind *kind = kind_by_type(type);

	if (!kind || !kind->open) {
		pr_err("Image names file %u of unknown type %d\n", id, type);
		return -1;
	}
	return new_ref(id, type, true);
}

int restore_file_fd(uint32_t id)
{
	struct open_file *f = find_file(id);

	if (!f || !f->held) {
		pr_err("File %u was not asked for by the kind that needs it\n", id);
		return -1;
	}
	if (f->fd < 0 && open_one(f, files_min_fd, false))
		return -1;
	return f->fd;
}

/* Sort the references by id and fold each run into one entry with its count. */
static int fold_refs(void)
{
	int n = 0;

	qsort(files, nr_files, sizeof(*files), cmp_file_id);
	for (int i = 0; i < nr_files; i++) {
		if (n && files[n - 1].id == files[i].id) {
			if (files[n - 1].type != files[i].type) {
				pr_err("File %u is named with two types (%d, %d)\n", files[i].id,
				       files[n - 1].type, files[i].type);
				return -1;
			}
			/* a hold is criu's own use, not an fd of a table */
			if (files[i].held)
				files[n - 1].held = true;
			else
				files[n - 1].refs++;
			continue;
		}
		files[n++] = files[i];
	}
	nr_files = n;
	return 0;
}

int restore_open_files(struct pstree *tree, int min_fd, bool probe)
{
	if (fault_hit(FAULT_RESTORE_FILES)) {
		pr_err("Can't open files (injected fault)\n");
		return -1;
	}
	for (int i = 0; i < nr_fd_kinds; i++)
		if (fd_kinds[i]->collect && fd_kinds[i]->collect())
			return -1;
	for (int i = 0; i < nr_fd_extras; i++)
		if (fd_extras[i]->collect())
			return -1;
	for (int i = 0; i < tree->nr_tasks; i++)
		if (first_of_table(tree, i) && for_each_fdinfo(tree->tasks[i], add_ref, NULL))
			return -1;
	if (fold_refs())
		return -1;
	files_min_fd = min_fd;
	for (int i = 0; i < nr_files; i++) {
		bool later = opens_in_task(&files[i]);

		/* opened already when a kind asked for it (restore_file_fd) */
		if (files[i].fd >= 0)
			continue;
		if ((!later || probe) && open_one(&files[i], min_fd, probe || later))
			return -1;
	}
	for (int i = 0; i < nr_fd_kinds; i++)
		if (fd_kinds[i]->post_open && fd_kinds[i]->post_open())
			return -1;
	return 0;
}

int restore_files_go_live(void)
{
	for (int i = 0; i < nr_fd_kinds; i++)
		if (fd_kinds[i]->go_live && fd_kinds[i]->go_live())
			return -1;
	return 0;
}

struct fd_plan {
	uint32_t fd, id, cloexec;
	int type;
};

struct fd_plans {
	struct fd_plan *v;
	int n, cap;
};

static int plan_cb(const FdinfoEntry *fe, void *arg)
{
	struct fd_plans *p = arg;

	if (p->n == p->cap) {
		int cap = p->cap ? p->cap * 2 : 64;
		struct fd_plan *nv = realloc(p->v, cap * sizeof(*nv));

		if (!nv)
			return -1;
		p->v = nv;
		p->cap = cap;
	}
	p->v[p->n++] = (struct fd_plan){ fe->fd, fe->id, fe->fd_flags & FD_CLOEXEC, fe->type };
	return 0;
}

/* A description only this fd uses: open it here, in the task, and move it in place. */
static int install_private(const struct fd_plan *fp, struct open_file *f)
{
	int fd = kind_by_type(f->type)->open(f->id);

	if (fd < 0)
		return -1;
	if (fd == (int)fp->fd)
		return fp->cloexec ? 0 : fcntl(fd, F_SETFD, 0);
	if (dup3(fd, fp->fd, fp->cloexec ? O_CLOEXEC : 0) < 0) {
		pr_perror("Can't put file %u at fd %u", fp->id, fp->fd);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int install_one(const struct fd_plan *fp)
{
	struct open_file *f = find_file(fp->id);

	if (!f) {
		pr_err("File %u for fd %u was not opened\n", fp->id, fp->fd);
		return -1;
	}
	if (f->fd < 0)
		return install_private(fp, f);
	if (dup3(f->fd, fp->fd, fp->cloexec ? O_CLOEXEC : 0) < 0) {
		pr_perror("Can't put file %u at fd %u", fp->id, fp->fd);
		return -1;
	}
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/* criu's copies of the shared descriptions, sorted */
static int *criu_copies(int *nr)
{
	int *v = malloc((nr_files + 1) * sizeof(*v));

	*nr = 0;
	if (!v)
		return NULL;
	for (int i = 0; i < nr_files; i++)
		if (files[i].fd >= 0)
			v[(*nr)++] = files[i].fd;
	qsort(v, *nr, sizeof(*v), cmp_int);
	return v;
}

static bool is_kept(int fd, const int *keep, int nr_keep)
{
	for (int i = 0; i < nr_keep; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

/* Close every fd of ours that is a copy (@copies) or not (!@copies), but @keep. */
static int close_fds(const int *sorted, int nr_sorted, bool copies, const int *keep, int nr_keep)
{
	int *fds, nr;

	if (list_fds(getpid(), &fds, &nr))
		return -1;
	for (int i = 0; i < nr; i++) {
		bool copy = bsearch(&fds[i], sorted, nr_sorted, sizeof(int), cmp_int);

		if (copy == copies && !is_kept(fds[i], keep, nr_keep))
			close(fds[i]);
	}
	free(fds);
	return 0;
}

int restore_install_fds(struct task *t, const int *keep, int nr_keep)
{
	struct fd_plans plans = { NULL, 0, 0 };
	int *copies, nr_copies, ret = -1;

	copies = criu_copies(&nr_copies);
	if (!copies)
		return -1;
	/* read the whole table first: installing may reuse any low fd number */
	if (for_each_fdinfo(t, plan_cb, &plans))
		goto out;
	/* anything inherited that is neither ours nor the task's goes */
	if (close_fds(copies, nr_copies, false, keep, nr_keep))
		goto out;
	for (int i = 0; i < plans.n; i++)
		if (install_one(&plans.v[i]))
			goto out;
	/* kind by kind in table order: a kind may replace its fds (pidfd), and a
	 * later kind may name them (epoll targets) */
	for (int k = 0; k < nr_fd_kinds; k++) {
		const struct fd_kind *kind = fd_kinds[k];

		for (int i = 0; kind->installed && i < plans.n; i++)
			if (plans.v[i].type == kind->type &&
			    kind->installed(plans.v[i].id, plans.v[i].fd, t->files_id))
				goto out;
	}
	if (close_fds(copies, nr_copies, true, keep, nr_keep))
		goto out;
	ret = 0;
	for (int i = 0; i < nr_fd_extras && !ret; i++)
		ret = fd_extras[i]->restore(t);
	/* the copies are closed in this task: forget them without closing again */
	free(files);
	files = NULL;
	nr_files = files_cap = 0;
out:
	free(copies);
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
