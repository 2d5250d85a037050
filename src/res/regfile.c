// SPDX-License-Identifier: GPL-2.0
/* Regular files, directories and memory devices (/dev/null, /dev/zero, ...):
 * reopened by path at the saved position; unlinked files are recreated from
 * their saved contents and unlinked again. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/files.h"
#include "engine/restore-shared.h"
#include "fdinfo.pb-c.h"
#include "images/image.h"
#include "images/store.h"
#include "regfile.pb-c.h"
#include "res/table.h"
#include "util/log.h"
#include "util/options.h"
#include "util/proc.h"

#define DELETED_SUFFIX " (deleted)"
#define MEM_MAJOR 1	/* /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom */
#define PROC_SUPER_MAGIC 0x9fa0

static bool regfile_match(const struct fd_parms *p)
{
	/* O_PATH: only a place in the tree, whatever the file there is */
	if (S_ISREG(p->st.st_mode) || S_ISDIR(p->st.st_mode) || (p->flags & O_PATH))
		return true;
	return S_ISCHR(p->st.st_mode) && major(p->st.st_rdev) == MEM_MAJOR;
}

/* The contents of a file no name reaches (@what: why) travel in the images. */
static int dump_ghost(const struct fd_parms *p, uint32_t id, const char *what)
{
	GhostFileEntry ge = GHOST_FILE_ENTRY__INIT;
	int ret;

	if ((uint64_t)p->st.st_size > opts.ghost_limit) {
		pr_err("%s %s of pid %d fd %d is %ld bytes, over --ghost-limit %lu\n", what,
		       p->link, p->pid, p->fd, (long)p->st.st_size,
		       (unsigned long)opts.ghost_limit);
		return -1;
	}
	ge.mode = p->st.st_mode;
	ge.size = p->st.st_size;
	ge.has_uid = ge.has_gid = ge.has_data = true;
	ge.uid = p->st.st_uid;
	ge.gid = p->st.st_gid;
	ge.data.len = p->st.st_size;
	ge.data.data = malloc(ge.data.len + 1);
	if (!ge.data.data)
		return -1;
	if (pread(p->lfd, ge.data.data, ge.data.len, 0) != (ssize_t)ge.data.len) {
		pr_perror("Can't read unlinked file %s of pid %d", p->link, p->pid);
		free(ge.data.data);
		return -1;
	}
	ret = img_write_single(IMG_GHOST_FILE, id, &ge.base);
	free(ge.data.data);
	return ret;
}

static struct img_store store = IMG_STORE(IMG_REG_FILES);

/*
 * Files of these filesystems look regular but reopening the path is not
 * the same object: a POSIX message queue (its messages), a pinned BPF
 * object. Refused by name rather than restored into something else.
 */
static int check_reopenable(const struct fd_parms *p, struct statfs *sf)
{
	static const struct {
		long magic;
		const char *what;
	} pseudo[] = {
		{ 0x19800202, "POSIX message queue" },
		{ 0xcafe4a11, "pinned BPF object" },
	};

	if (fstatfs(p->lfd, sf)) {
		pr_perror("Can't statfs %s fd %d of pid %d", p->link, p->fd, p->pid);
		return -1;
	}
	for (size_t i = 0; i < sizeof(pseudo) / sizeof(pseudo[0]); i++)
		if (sf->f_type == pseudo[i].magic) {
			pr_err("unsupported: %s %s fd %d of pid %d\n", pseudo[i].what, p->link,
			       p->fd, p->pid);
			return -1;
		}
	return 0;
}

/*
 * --link-remap: give a file whose name is gone a new one next to the old,
 * so restore can open it by path. The kernel links only inodes that still
 * have a name elsewhere, or that were made with O_TMPFILE.
 */
static int link_remap(const struct fd_parms *p, char *path, size_t size)
{
	char *slash = strrchr(path, '/');
	char name[PATH_MAX];

	if (!opts.link_remap) {
		if (p->st.st_nlink)
			pr_err("unsupported: fd %d of pid %d opens %s, whose name was removed (it has %lu other names): dump with --link-remap\n",
			       p->fd, p->pid, path, (unsigned long)p->st.st_nlink);
		else
			pr_err("Unlinked file %s of pid %d fd %d is %ld bytes, over --ghost-limit %lu (or dump with --link-remap)\n",
			       path, p->pid, p->fd, (long)p->st.st_size,
			       (unsigned long)opts.ghost_limit);
		return -1;
	}
	if (!slash)
		return -1;
	snprintf(name, sizeof(name), "%.*s/link_remap.%lu.%lu", (int)(slash - path), path,
		 (unsigned long)p->st.st_dev, (unsigned long)p->st.st_ino);
	if (linkat(p->lfd, "", AT_FDCWD, name, AT_EMPTY_PATH) && errno != EEXIST) {
		pr_perror("Can't link %s (fd %d of pid %d) back as %s%s", path, p->fd, p->pid, name,
			  errno == ENOENT ? " (an unlinked file can be linked back only if made with O_TMPFILE)" : "");
		return -1;
	}
	pr_info("fd %d of pid %d: %s linked back as %s\n", p->fd, p->pid, path, name);
	snprintf(path, size, "%s", name);
	return 0;
}

/* A node in /dev (or one level below) for device @rdev of type @mode. */
static int find_dev_node(dev_t rdev, mode_t mode, char *out, size_t size)
{
	const char *dirs[] = { "/dev", "/dev/char", "/dev/block" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *de;
		struct stat st;

		while (d && (de = readdir(d))) {
			snprintf(out, size, "%s/%s", dirs[i], de->d_name);
			if (!stat(out, &st) && (st.st_mode & S_IFMT) == (mode & S_IFMT) &&
			    st.st_rdev == rdev) {
				closedir(d);
				return 0;
			}
		}
		if (d)
			closedir(d);
	}
	return -1;
}

/*
 * A device opened through a node that is gone, or now names another
 * device: reopening the path would fail or open something else. With
 * --evasive-devices any node of the same device in /dev will do (returns
 * 1 and that path).
 */
static int device_path(const struct fd_parms *p, char *path, size_t size)
{
	struct stat st;
	char alt[PATH_MAX];

	if (!stat(path, &st) && st.st_rdev == p->st.st_rdev &&
	    (st.st_mode & S_IFMT) == (p->st.st_mode & S_IFMT))
		return 0;
	if (!opts.evasive_devices) {
		pr_err("unsupported: device %u:%u of fd %d of pid %d is no longer at %s (see --evasive-devices)\n",
		       major(p->st.st_rdev), minor(p->st.st_rdev), p->fd, p->pid, path);
		return -1;
	}
	if (find_dev_node(p->st.st_rdev, p->st.st_mode, alt, sizeof(alt))) {
		pr_err("No node of device %u:%u (fd %d of pid %d, was %s) in /dev\n",
		       major(p->st.st_rdev), minor(p->st.st_rdev), p->fd, p->pid, path);
		return -1;
	}
	pr_info("fd %d of pid %d: device %s is reopened as %s (--evasive-devices)\n", p->fd, p->pid,
		path, alt);
	snprintf(path, size, "%s", alt);
	return 1;
}

/* N of a path /proc/N[/...], or 0; strips the " (deleted)" a gone task's directories read as */
static pid_t proc_path_pid(char *path)
{
	size_t len = strlen(path), slen = strlen(DELETED_SUFFIX);
	char *end;
	long n;

	if (strncmp(path, "/proc/", 6))
		return 0;
	n = strtol(path + 6, &end, 10);
	if (end == path + 6 || n <= 0 || (*end && *end != '/' && *end != ' '))
		return 0;
	if (len > slen && !strcmp(path + len - slen, DELETED_SUFFIX))
		path[len - slen] = 0;
	return n;
}

/*
 * A file of /proc/N belongs to task N, so reopening the path is only right
 * while N is the same task:
 *  - N of the tree: it does not exist yet when criu opens shared files;
 *    criu holds a stand-in and each fd table reopens the path (a description
 *    shared between fd tables becomes one per table). A thread's files
 *    would need the thread, created last: refused;
 *  - N gone (reaped, reused, or criu itself, which the task may have been
 *    reading when frozen): restored on a short-lived task with that pid;
 *  - N another live task: reopened by path.
 */
static int dump_proc_file(const struct fd_parms *p, RegFileEntry *re, char *path)
{
	pid_t n = proc_path_pid(path);
	const struct task *t;
	struct stat st;
	bool thread;

	t = n ? tree_find_any(p->task, n, &thread) : NULL;
	/* /proc/N/task/T/...: T's own, and threads are made after files are opened */
	if (t && !thread && !strncmp(strchr(path + 6, '/') ?: "", "/task/", 6)) {
		pid_t tid = strtol(strchr(path + 6, '/') + 6, NULL, 10);

		thread = tid != n;
		n = thread ? tid : n;
	}
	if (t && thread && t->pid != n) {
		pr_err("unsupported: fd %d of pid %d opens %s, a file of thread %d of task %d\n",
		       p->fd, p->pid, path, n, t->pid);
		return -1;
	}
	if (t) {
		re->has_tree_pid = true;
		re->tree_pid = n;
	} else if (n && (n == getpid() || stat(path, &st) || st.st_ino != p->st.st_ino ||
			 st.st_dev != p->st.st_dev)) {
		pr_info("fd %d of pid %d: %s is of task %d, gone once the dump ends\n", p->fd,
			p->pid, path, n);
		re->has_gone_pid = true;
		re->gone_pid = n;
	}
	return img_store_write(&store, &re->base);
}

/* Whether mount @mnt_id is in @pid's mount table. */
static bool mount_listed(pid_t pid, unsigned long mnt_id)
{
	char *buf = proc_read_file("/proc/%d/mountinfo", pid), *line;
	bool found = false;

	for (line = buf; line && *line && !found; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		found = strtoul(line, NULL, 10) == mnt_id;
	free(buf);
	return found;
}

/*
 * A file its path no longer reaches: 1 if its mount is gone (unmounted
 * while open: the file's path is within it) and it is on tmpfs, whose
 * contents are kept; refused otherwise (another filesystem keeps them on a
 * disk criu cannot reach, a mount over the path hides the file); 0 if the
 * path reaches it.
 */
static int unreachable(const struct fd_parms *p, const char *path, const struct statfs *sf)
{
	const char *mnt = fdinfo_field(p->fdinfo, "mnt_id:");
	struct stat st;

	if (!stat(path, &st) && st.st_dev == p->st.st_dev && st.st_ino == p->st.st_ino)
		return 0;
	if (!mnt || mount_listed(p->pid, strtoul(mnt, NULL, 10))) {
		pr_err("unsupported: %s fd %d of pid %d is not reachable by its path (something is mounted over it)\n",
		       path, p->fd, p->pid);
		return -1;
	}
	if (sf->f_type != TMPFS_MAGIC) {
		pr_err("unsupported: %s fd %d of pid %d is on a mount that is gone (kept only for tmpfs)\n",
		       path, p->fd, p->pid);
		return -1;
	}
	pr_info("fd %d of pid %d: %s is on a tmpfs that is gone: its contents are kept\n", p->fd,
		p->pid, path);
	return 1;
}

static int regfile_dump(const struct fd_parms *p, uint32_t id)
{
	RegFileEntry re = REG_FILE_ENTRY__INIT;
	size_t len = strlen(p->link), slen = strlen(DELETED_SUFFIX);
	char path[PATH_MAX], orig[PATH_MAX];
	struct statfs sf;

	if (check_reopenable(p, &sf))
		return -1;
	snprintf(path, sizeof(path), "%s", p->link);
	re.id = id;
	re.flags = p->flags;
	re.pos = p->pos;
	re.path = path;
	re.has_mode = re.has_size = re.has_ino = re.has_dev = true;
	re.mode = p->st.st_mode;
	re.size = p->st.st_size;
	re.ino = p->st.st_ino;
	re.dev = p->st.st_dev;
	if (sf.f_type == PROC_SUPER_MAGIC)
		return dump_proc_file(p, &re, path);
	if ((S_ISCHR(p->st.st_mode) || S_ISBLK(p->st.st_mode))) {
		re.has_rdev = true;
		re.rdev = p->st.st_rdev;
		snprintf(orig, sizeof(orig), "%s", path);
		if (len > slen && !strcmp(orig + len - slen, DELETED_SUFFIX))
			orig[len - slen] = 0;
		switch (device_path(p, path, sizeof(path))) {
		case -1:
			return -1;
		case 1:
			re.has_evasive = re.evasive = true;
			re.orig_path = orig;
		}
	}
	if (len > slen && !strcmp(p->link + len - slen, DELETED_SUFFIX) && S_ISREG(p->st.st_mode)) {
		path[len - slen] = 0;
		/* small unlinked files travel in the images; others need a name */
		if (p->st.st_nlink == 0 && (uint64_t)p->st.st_size <= opts.ghost_limit) {
			re.has_deleted = re.deleted = true;
			if (dump_ghost(p, id, "Unlinked file"))
				return -1;
		} else {
			snprintf(orig, sizeof(orig), "%s", path);
			if (link_remap(p, path, sizeof(path)))
				return -1;
			re.has_link_remap = re.link_remap = true;
			re.orig_path = orig;
		}
	} else if (S_ISREG(p->st.st_mode) && !(p->flags & O_PATH)) {
		switch (unreachable(p, path, &sf)) {
		case -1:
			return -1;
		case 1:
			re.has_vanished = re.vanished = true;
			if (dump_ghost(p, id, "File on a tmpfs that is gone,"))
				return -1;
		}
	}
	return img_store_write(&store, &re.base);
}

/* ---- restore ---- */

/* unlinked files recreated so far: later descriptions reopen the same inode */
struct ghost {
	uint64_t dev, ino;
	int fd;
};
static struct ghost *ghosts;
static int nr_ghosts;

static int regfile_collect(void)
{
	return img_store_load(&store);
}

static RegFileEntry *find_entry(uint32_t id)
{
	RegFileEntry *re = (RegFileEntry *)img_store_find(&store, "id", id);

	if (!re)
		pr_err("File %u is missing from reg-files.img\n", id);
	return re;
}

/* File @re made again at @path from the contents in its ghost image. */
static int create_ghost(const RegFileEntry *re, const char *path)
{
	ProtobufCMessage *msg;
	GhostFileEntry *ge;
	int fd = -1;

	if (img_read_single(IMG_GHOST_FILE, re->id, &msg))
		return -1;
	ge = (GhostFileEntry *)msg;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, ge->mode & 07777);
	if (fd < 0) {
		pr_perror("Can't make file %s again", path);
		goto out;
	}
	if (ge->has_data && write(fd, ge->data.data, ge->data.len) != (ssize_t)ge->data.len) {
		pr_perror("Can't fill file %s", path);
		goto err;
	}
	if (ge->has_uid && fchown(fd, ge->uid, ge->gid)) {
		pr_perror("Can't chown file %s", path);
		goto err;
	}
	goto out;
err:
	close(fd);
	unlink(path);
	fd = -1;
out:
	img_free(NULL, msg);
	return fd;
}

/* tmpfs mounts standing for ones that were gone at dump, one per old device */
struct stand_in_mnt {
	uint64_t dev;
	char dir[64];
};
static struct stand_in_mnt *mnts;
static int nr_mnts;

static const char *stand_in_mount(uint64_t dev)
{
	struct stand_in_mnt *nm;

	for (int i = 0; i < nr_mnts; i++)
		if (mnts[i].dev == dev)
			return mnts[i].dir;
	nm = realloc(mnts, (nr_mnts + 1) * sizeof(*mnts));
	if (!nm)
		return NULL;
	mnts = nm;
	nm = &mnts[nr_mnts];
	nm->dev = dev;
	snprintf(nm->dir, sizeof(nm->dir), "/tmp/.criu-tmpfs.XXXXXX");
	if (!mkdtemp(nm->dir)) {
		pr_perror("Can't make a directory to mount a tmpfs on");
		return NULL;
	}
	if (mount("none", nm->dir, "tmpfs", 0, "mode=0755")) {
		pr_perror("Can't mount a tmpfs on %s", nm->dir);
		rmdir(nm->dir);
		return NULL;
	}
	nr_mnts++;
	return nm->dir;
}

/* The directories of @rel below @dir, as they were (names only). */
static int make_parents(const char *dir, const char *rel)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s%s", dir, rel);

	for (char *s = path + strlen(dir) + 1; n > 0 && (s = strchr(s, '/')); s++) {
		*s = 0;
		if (mkdir(path, 0755) && errno != EEXIST) {
			pr_perror("Can't make directory %s", path);
			return -1;
		}
		*s = '/';
	}
	return 0;
}

/*
 * A file of a tmpfs that was gone at dump: made again in a tmpfs of its own
 * at the same place below the mount's root, opened there; the mount is
 * detached once every file is open (regfile_post_open), so the fd reads
 * as before: the path below a mount nobody reaches.
 */
static int open_vanished(const RegFileEntry *re, int flags)
{
	const char *dir = stand_in_mount(re->dev);
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if (!dir || make_parents(dir, re->path))
		return -1;
	snprintf(path, sizeof(path), "%s%s", dir, re->path);
	/* a second description of the same file opens the one made first */
	if (lstat(path, &st)) {
		fd = create_ghost(re, path);
		if (fd < 0)
			return -1;
		close(fd);
	}
	return open(path, flags);
}

static int regfile_post_open(void)
{
	for (int i = 0; i < nr_mnts; i++) {
		if (umount2(mnts[i].dir, MNT_DETACH))
			pr_perror("Can't detach the tmpfs on %s", mnts[i].dir);
		rmdir(mnts[i].dir);
	}
	free(mnts);
	mnts = NULL;
	nr_mnts = 0;
	return 0;
}

static int ghost_holder(const RegFileEntry *re)
{
	struct ghost *ng;
	int fd;

	for (int i = 0; i < nr_ghosts; i++)
		if (ghosts[i].dev == re->dev && ghosts[i].ino == re->ino)
			return ghosts[i].fd;
	fd = create_ghost(re, re->path);
	if (fd < 0)
		return -1;
	unlink(re->path);
	ng = realloc(ghosts, (nr_ghosts + 1) * sizeof(*ghosts));
	if (!ng) {
		close(fd);
		return -1;
	}
	ghosts = ng;
	ghosts[nr_ghosts++] = (struct ghost){ re->dev, re->ino, fd };
	return fd;
}

/*
 * A link-remapped file is opened through its old name when that is free
 * (linked there for the open, unlinked right after), so the restored fd
 * reads "OLD (deleted)" as before the dump, not "link_remap.* (deleted)".
 */
static int open_remapped(const RegFileEntry *re, int flags)
{
	int fd;

	if (!re->orig_path || link(re->path, re->orig_path))
		return open(re->path, flags);
	fd = open(re->orig_path, flags);
	if (unlink(re->orig_path))
		pr_perror("Can't remove %s again", re->orig_path);
	return fd;
}

/* --evasive-devices: a node at the old name for the open, so the fd reads as before */
static int open_evasive(const RegFileEntry *re, int flags)
{
	int fd;

	if (!re->orig_path || !re->has_rdev ||
	    mknod(re->orig_path, re->mode & (S_IFMT | 0600), re->rdev))
		return open(re->path, flags);
	fd = open(re->orig_path, flags);
	if (unlink(re->orig_path))
		pr_perror("Can't remove %s again", re->orig_path);
	return fd;
}

/*
 * ext4 creates a directory's readdir state at the first getdents and keeps
 * it stuck at EOF if the fd was only ever seeked there: read once at 0
 * first, as the task did, so a later rewind still lists entries.
 */
static int seek_to_pos(const RegFileEntry *re, int fd)
{
	if (re->pos && S_ISDIR(re->mode)) {
		char buf[1024];

		if (syscall(SYS_getdents64, fd, buf, sizeof(buf)) < 0) {
			pr_perror("Can't read directory %s", re->path);
			return -1;
		}
	}
	if (re->pos && lseek(fd, re->pos, SEEK_SET) != (off_t)re->pos) {
		pr_perror("Can't seek %s to %lu", re->path, (unsigned long)re->pos);
		return -1;
	}
	return 0;
}

/*
 * A file of a task gone since the dump: a short-lived task takes that pid,
 * opens the file into criu's fd table (CLONE_FILES), seeks while the file
 * still reads, and exits. What is left is what the task had: a file of a
 * gone task, under the same name, whose reads fail with ESRCH.
 */
static int open_of_gone_pid(const RegFileEntry *re, int flags)
{
	int slot = open("/dev/null", O_RDONLY | O_CLOEXEC), status;
	pid_t pid;

	if (slot < 0) {
		pr_perror("Can't reserve an fd for %s", re->path);
		return -1;
	}
	pr_info("File %u: %s is of pid %d, gone since the dump\n", re->id, re->path, re->gone_pid);
	pid = clone_with_pid(re->gone_pid, CLONE_FILES);
	if (pid == 0) {
		int fd = open(re->path, flags);
		int ok = fd >= 0 && !seek_to_pos(re, fd) && dup3(fd, slot, O_CLOEXEC) == slot;

		if (fd < 0)
			pr_perror("Can't open %s for file %u", re->path, re->id);
		_exit(ok ? 0 : 1);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    !WEXITSTATUS(status))
		return slot;
	close(slot);
	return -1;
}

static int regfile_open_real(uint32_t id);

static int regfile_open(uint32_t id)
{
	RegFileEntry *re = find_entry(id);

	if (re && re->has_tree_pid) {
		/* a stand-in until the task that fills the table opens the real one */
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			pr_perror("Can't open a stand-in for %s", re->path);
		return fd;
	}
	return regfile_open_real(id);
}

static int regfile_installed(uint32_t id, int fd, unsigned files_id)
{
	RegFileEntry *re = find_entry(id);

	(void)files_id;
	if (!re)
		return -1;
	return re->has_tree_pid ? fd_replace_standin(FD_TYPE__REG, id, fd, regfile_open_real) : 0;
}

static int regfile_open_real(uint32_t id)
{
	RegFileEntry *re = find_entry(id);
	int flags, fd;
	char path[PATH_MAX];
	const char *open_path;

	if (!re)
		return -1;
	flags = re->flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY);
	/* made with O_TMPFILE: now reopened by a name, as the file it is */
	if ((flags & O_TMPFILE) == O_TMPFILE)
		flags &= ~O_TMPFILE;
	/* an O_PATH descriptor of a symlink is of the link itself */
	if ((flags & O_PATH) && re->has_mode && S_ISLNK(re->mode))
		flags |= O_NOFOLLOW;
	if (re->has_gone_pid)
		return open_of_gone_pid(re, flags | O_CLOEXEC);
	open_path = re->path;
	if (re->vanished) {
		fd = open_vanished(re, flags | O_CLOEXEC);
		if (fd >= 0 && seek_to_pos(re, fd)) {
			close(fd);
			fd = -1;
		}
		return fd;
	}
	if (re->deleted) {
		int holder = ghost_holder(re);

		if (holder < 0)
			return -1;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", holder);
		open_path = path;
	}
	fd = re->link_remap ? open_remapped(re, flags | O_CLOEXEC) :
	     re->evasive    ? open_evasive(re, flags | O_CLOEXEC) :
			      open(open_path, flags | O_CLOEXEC);
	if (fd < 0) {
		pr_perror("Can't open %s for file %u", re->path, id);
		return -1;
	}
	if (seek_to_pos(re, fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ghosts and files of gone tasks are opened by criu */
static bool regfile_in_task(uint32_t id)
{
	RegFileEntry *re = find_entry(id);

	return re && !re->deleted && !re->link_remap && !re->has_gone_pid && !re->vanished;
}

/* the tree runs: the names --link-remap made at dump go */
static int regfile_go_live(void)
{
	for (int i = 0; i < store.nr; i++) {
		const RegFileEntry *re = (const RegFileEntry *)store.recs[i];

		if (re->link_remap && unlink(re->path) && errno != ENOENT)
			pr_perror("Can't remove the link-remap name %s", re->path);
	}
	return 0;
}

static int regfile_name(uint32_t id, char *buf, size_t len)
{
	RegFileEntry *re = (RegFileEntry *)img_store_find(&store, "id", id);

	if (!re)
		return -1;
	snprintf(buf, len, "%s", re->path);
	return 0;
}

static void regfile_reset(void)
{
	regfile_post_open();
	img_store_reset(&store);
	for (int i = 0; i < nr_ghosts; i++)
		close(ghosts[i].fd);
	free(ghosts);
	ghosts = NULL;
	nr_ghosts = 0;
}

/* The dump side keeps reg-files.img open across tasks; this closes it. */
static int regfile_dump_finish(void)
{
	return img_store_finish(&store);
}

const struct fd_kind regfile_kind = {
	.name = "regular file",
	.type = FD_TYPE__REG,
	.match = regfile_match,
	.dump = regfile_dump,
	.dump_finish = regfile_dump_finish,
	.collect = regfile_collect,
	.open = regfile_open,
	.open_in_task = regfile_in_task,
	.installed = regfile_installed,
	.post_open = regfile_post_open,
	.go_live = regfile_go_live,
	.name_of = regfile_name,
	.reset = regfile_reset,
	.may_fly = true,
};
