// SPDX-License-Identifier: GPL-2.0
/*
 * memfd descriptions: the object (name, size, seals, mode, owner and its
 * bytes) once per inode, and each open description of it (access mode,
 * flags, position). The bytes are streamed through a fixed buffer into a
 * sparse raw image at their own offsets, so holes stay holes. On restore the
 * first description of an object creates and fills it; every other one
 * reopens it through /proc/self/fd, as the task's own reopen would have.
 * An object the tree also maps is made by the engine with the shared
 * memory (see map_memfd in engine/mem.c): the descriptions open that one,
 * so fds and mappings share it, and only its owner, mode and seals are
 * set here.
 */
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "engine/files.h"
#include "engine/mem.h"
#include "engine/restore.h"
#include "fdinfo.pb-c.h"
#include "images/image.h"
#include "images/store.h"
#include "memfd.pb-c.h"
#include "res/table.h"
#include "util/log.h"
#include "util/options.h"

#define MEMFD_PREFIX "/memfd:"
#define DELETED_SUFFIX " (deleted)"
#define COPY_CHUNK (1UL << 20)

static struct img_store inodes_store = IMG_STORE(IMG_MEMFD_INODES);
static struct img_store files_store = IMG_STORE(IMG_MEMFD_FILES);

static bool memfd_match(const struct fd_parms *p)
{
	return S_ISREG(p->st.st_mode) && p->st.st_nlink == 0 &&
	       !strncmp(p->link, MEMFD_PREFIX, strlen(MEMFD_PREFIX));
}

/* inodes written in this dump */
static uint64_t *inos_done;
static int nr_inos_done;

static bool ino_done(uint64_t ino)
{
	for (int i = 0; i < nr_inos_done; i++)
		if (inos_done[i] == ino)
			return true;
	return false;
}

static void pages_name(char *buf, size_t len, uint64_t ino)
{
	snprintf(buf, len, "pages-memfd-%lu.img", (unsigned long)ino);
}

/* Copy [off, off+len) of @src to the same offsets of @dst through @buf. */
static int copy_extent(int src, int dst, off_t off, off_t len, char *buf, const char *what)
{
	while (len > 0) {
		size_t chunk = len > (off_t)COPY_CHUNK ? COPY_CHUNK : (size_t)len;
		ssize_t r = pread(src, buf, chunk, off), w;

		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			pr_perror("Can't read %s at %ld", what, (long)off);
			return -1;
		}
		w = pwrite(dst, buf, r, off);
		if (w != r) {
			pr_perror("Can't write %s at %ld", what, (long)off);
			return -1;
		}
		off += r;
		len -= r;
	}
	return 0;
}

/* Every data extent of @src (SEEK_DATA/SEEK_HOLE) into @dst; @src's own
 * position moves, so it must be a description nobody else uses. */
static int copy_data(int src, int dst, off_t size, const char *what)
{
	char *buf = malloc(COPY_CHUNK);
	off_t pos = 0;
	int ret = 0;

	if (!buf)
		return -1;
	while (pos < size && !ret) {
		off_t data = lseek(src, pos, SEEK_DATA), hole;

		if (data < 0) {
			if (errno != ENXIO) {
				pr_perror("Can't find data of %s", what);
				ret = -1;
			}
			break;
		}
		hole = lseek(src, data, SEEK_HOLE);
		if (hole < 0) {
			pr_perror("Can't find a hole of %s", what);
			ret = -1;
			break;
		}
		if (hole > size)
			hole = size;
		ret = copy_extent(src, dst, data, hole - data, buf, what);
		pos = hole;
	}
	free(buf);
	return ret;
}

static int dump_contents(const struct fd_parms *p)
{
	char path[64], name[64];
	int src, dst, ret = -1;

	/* our own description: SEEK_DATA must not move the task's position */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p->lfd);
	src = open(path, O_RDONLY | O_CLOEXEC);
	if (src < 0) {
		pr_perror("Can't reopen memfd fd %d of pid %d", p->fd, p->pid);
		return -1;
	}
	pages_name(name, sizeof(name), p->st.st_ino);
	dst = img_raw_open(name, O_WRONLY);
	if (dst < 0)
		goto out;
	if (ftruncate(dst, p->st.st_size)) {
		pr_perror("Can't size %s", name);
		goto out;
	}
	ret = copy_data(src, dst, p->st.st_size, p->link);
	if (!ret && close(dst)) {
		pr_perror("Can't write %s", name);
		ret = -1;
	}
	dst = -1;
out:
	if (dst >= 0)
		close(dst);
	close(src);
	return ret;
}

static int dump_inode(const struct fd_parms *p)
{
	MemfdInodeEntry me = MEMFD_INODE_ENTRY__INIT;
	size_t plen = strlen(MEMFD_PREFIX), len = strlen(p->link), slen = strlen(DELETED_SUFFIX);
	char name[PATH_MAX];
	struct statfs sfs;
	uint64_t *nd;
	int seals;

	if (ino_done(p->st.st_ino))
		return 0;
	if (fstatfs(p->lfd, &sfs)) {
		pr_perror("Can't statfs memfd fd %d of pid %d", p->fd, p->pid);
		return -1;
	}
	if (sfs.f_type == HUGETLBFS_MAGIC) {
		pr_err("unsupported: hugetlb memfd %s fd %d of pid %d\n", p->link, p->fd, p->pid);
		return -1;
	}
	seals = fcntl(p->lfd, F_GET_SEALS);
	if (seals < 0) {
		pr_perror("Can't get seals of memfd fd %d of pid %d", p->fd, p->pid);
		return -1;
	}
	snprintf(name, sizeof(name), "%s", p->link + plen);
	if (len - plen >= slen && !strcmp(p->link + len - slen, DELETED_SUFFIX))
		name[len - plen - slen] = 0;
	me.ino = p->st.st_ino;
	me.name = name;
	me.size = p->st.st_size;
	me.seals = seals;
	me.mode = p->st.st_mode & 07777;
	me.uid = p->st.st_uid;
	me.gid = p->st.st_gid;
	me.has_contents = true;
	me.contents = !opts.check_only;
	/* mapped, and its bytes written with the mappings already: not twice */
	if (me.contents && dump_shmem_written(p->st.st_ino)) {
		me.contents = false;
		me.has_in_shmem = me.in_shmem = true;
	}
	if (me.contents && dump_contents(p))
		return -1;
	if (img_store_write(&inodes_store, &me.base))
		return -1;
	nd = realloc(inos_done, (nr_inos_done + 1) * sizeof(*nd));
	if (!nd)
		return -1;
	inos_done = nd;
	inos_done[nr_inos_done++] = p->st.st_ino;
	return 0;
}

static int memfd_dump(const struct fd_parms *p, uint32_t id)
{
	MemfdFileEntry mf = MEMFD_FILE_ENTRY__INIT;

	if (dump_inode(p))
		return -1;
	mf.id = id;
	mf.ino = p->st.st_ino;
	mf.flags = p->flags;
	mf.pos = p->pos;
	return img_store_write(&files_store, &mf.base);
}

static int memfd_dump_finish(void)
{
	int ret = img_store_finish(&inodes_store);

	if (img_store_finish(&files_store))
		ret = -1;
	free(inos_done);
	inos_done = NULL;
	nr_inos_done = 0;
	return ret;
}

/* ---- restore ---- */

struct live_memfd {
	uint64_t ino;
	int fd;		/* the object, O_RDWR, kept until reset */
};
static struct live_memfd *live;
static int nr_live;

static int memfd_collect(void)
{
	return img_store_load(&inodes_store) || img_store_load(&files_store) ? -1 : 0;
}

static int fill_memfd(int fd, const MemfdInodeEntry *me)
{
	char name[64];
	struct stat st;
	int src, ret;

	if (ftruncate(fd, me->size)) {
		pr_perror("Can't size memfd %s to %lu", me->name, (unsigned long)me->size);
		return -1;
	}
	if (!me->contents)
		return 0;
	pages_name(name, sizeof(name), me->ino);
	src = img_raw_open(name, O_RDONLY);
	if (src < 0) {
		if (errno == ENOENT)
			pr_err("Image %s of memfd %s is missing\n", name, me->name);
		return -1;
	}
	if (fstat(src, &st) || st.st_size != (off_t)me->size) {
		pr_err("Image %s is damaged: %ld bytes, memfd %s has %lu\n", name,
		       (long)st.st_size, me->name, (unsigned long)me->size);
		close(src);
		return -1;
	}
	ret = copy_data(src, fd, me->size, name);
	close(src);
	return ret;
}

static int create_memfd(const MemfdInodeEntry *me)
{
	int mapped = restore_shmem_lookup(me->ino), fd;

	/* restore --check-only makes no shared memory: an empty stand-in will do */
	if (mapped < 0 && me->in_shmem && !opts.check_only) {
		pr_err("memfd %s: its shared memory object was not restored\n", me->name);
		return -1;
	}
	if (mapped >= 0)
		fd = fcntl(mapped, F_DUPFD_CLOEXEC, 0);
	else
		fd = memfd_create(me->name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		pr_perror("Can't create memfd %s", me->name);
		return -1;
	}
	if (mapped < 0 && fill_memfd(fd, me))
		goto err;
	if (fchown(fd, me->uid, me->gid) || fchmod(fd, me->mode)) {
		pr_perror("Can't set owner %u:%u mode 0%o of memfd %s", me->uid, me->gid,
			  me->mode, me->name);
		goto err;
	}
	/* last: a write seal forbids the filling, F_SEAL_SEAL any later seal */
	if (me->seals && fcntl(fd, F_ADD_SEALS, me->seals)) {
		pr_perror("Can't seal memfd %s with %#x", me->name, me->seals);
		goto err;
	}
	return fd;
err:
	close(fd);
	return -1;
}

static int object_fd(uint64_t ino)
{
	MemfdInodeEntry *me;
	struct live_memfd *nl;
	int fd;

	for (int i = 0; i < nr_live; i++)
		if (live[i].ino == ino)
			return live[i].fd;
	me = (MemfdInodeEntry *)img_store_find(&inodes_store, "ino", ino);
	if (!me) {
		pr_err("memfd inode %lu is missing from memfd-inodes.img\n", (unsigned long)ino);
		return -1;
	}
	fd = create_memfd(me);
	if (fd < 0)
		return -1;
	nl = realloc(live, (nr_live + 1) * sizeof(*live));
	if (!nl) {
		close(fd);
		return -1;
	}
	live = nl;
	live[nr_live++] = (struct live_memfd){ ino, fd };
	return fd;
}

static int memfd_open(uint32_t id)
{
	MemfdFileEntry *mf = (MemfdFileEntry *)img_store_find(&files_store, "id", id);
	char path[64];
	int obj, fd;

	if (!mf) {
		pr_err("memfd %u is missing from memfd-files.img\n", id);
		return -1;
	}
	obj = object_fd(mf->ino);
	if (obj < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", obj);
	fd = open(path, (mf->flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY)) | O_CLOEXEC);
	if (fd < 0) {
		pr_perror("Can't open memfd %u", id);
		return -1;
	}
	if (mf->pos && lseek(fd, mf->pos, SEEK_SET) != (off_t)mf->pos) {
		pr_perror("Can't seek memfd %u to %lu", id, (unsigned long)mf->pos);
		close(fd);
		return -1;
	}
	return fd;
}

static void memfd_reset(void)
{
	for (int i = 0; i < nr_live; i++)
		close(live[i].fd);
	free(live);
	live = NULL;
	nr_live = 0;
	img_store_reset(&inodes_store);
	img_store_reset(&files_store);
}

const struct fd_kind memfd_kind = {
	.name = "memfd",
	.type = FD_TYPE__MEMFD,
	.match = memfd_match,
	.dump = memfd_dump,
	.dump_finish = memfd_dump_finish,
	.collect = memfd_collect,
	.open = memfd_open,
	.reset = memfd_reset,
	.may_fly = true,
};
