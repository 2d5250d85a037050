// SPDX-License-Identifier: GPL-2.0
/* Address space: which mappings exist and which pages hold data. Pages are
 * found with PAGEMAP_SCAN and streamed through a fixed buffer. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/aio.h"
#include "engine/files.h"
#include "engine/mem-parasite.h"
#include "engine/mem.h"
#include "engine/pagemap-scan.h"
#include "engine/vma.h"
#include "images/image.h"
#include "images/page_sink.h"
#include "infect/ptrace.h"
#include "mm.pb-c.h"
#include "pagemap.pb-c.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/options.h"
#include "util/proc.h"
#include "util/sha256.h"

#define COPY_BUF (4UL << 20)
#define SCAN_VEC 512

/* Shared anonymous objects already written in this dump (by inode). */
static uint64_t *shmem_done;
static int nr_shmem_done;

/*
 * Digests of the files digested in this dump, by inode: libc is mapped by
 * every task of a tree and is read once. exec_pid says which task last
 * mapped the file executable, so that task's other mappings of it (the
 * read-only and data segments of a library) carry the digest too.
 */
struct file_digest {
	uint64_t dev, ino;
	pid_t exec_pid;
	uint8_t sha[SHA256_DIGEST_LEN];
};
static struct file_digest **digests;
static int nr_digests;

void dump_mm_reset(void)
{
	free(shmem_done);
	shmem_done = NULL;
	nr_shmem_done = 0;
	for (int i = 0; i < nr_digests; i++)
		free(digests[i]);
	free(digests);
	digests = NULL;
	nr_digests = 0;
}

static struct file_digest *digest_find(uint64_t dev, uint64_t ino)
{
	for (int i = 0; i < nr_digests; i++)
		if (digests[i]->dev == dev && digests[i]->ino == ino)
			return digests[i];
	return NULL;
}

/*
 * The digest of the file behind @link (a map_files entry or /proc/PID/exe:
 * the inode the task really maps, even if its path now names another).
 */
static struct file_digest *digest_file(pid_t pid, const char *link, const char *path)
{
	struct file_digest *d, **nd;
	struct stat st;
	int fd;

	if (stat(link, &st)) {
		pr_perror("Can't stat %s (%s) of pid %d", link, path, pid);
		return NULL;
	}
	d = digest_find(st.st_dev, st.st_ino);
	if (d)
		return d;
	fd = open(link, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_perror("Can't open %s (%s) of pid %d to digest it", link, path, pid);
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	nd = realloc(digests, (nr_digests + 1) * sizeof(*nd));
	if (nd)
		digests = nd;
	if (!d || !nd) {
		pr_err("No memory for the digest of %s\n", path);
		goto err;
	}
	d->dev = st.st_dev;
	d->ino = st.st_ino;
	if (sha256_fd(fd, d->sha, NULL)) {
		pr_perror("Can't read %s of pid %d to digest it", path, pid);
		goto err;
	}
	close(fd);
	digests[nr_digests++] = d;
	return d;
err:
	free(d);
	close(fd);
	return NULL;
}

static void set_digest(ProtobufCBinaryData *b, protobuf_c_boolean *has, struct file_digest *d)
{
	/* points into the cache, which outlives every image write of the dump */
	b->data = d->sha;
	b->len = SHA256_DIGEST_LEN;
	*has = true;
}

/*
 * Executable mappings are code the restored task will run: a changed byte
 * there crashes it or worse, and size and mtime can be kept while bytes
 * change. Data files are not digested: they can be large (the tree is
 * frozen while they are read) and their contents are the task's data,
 * checked by size and mtime as before.
 */
static int digest_exec_files(pid_t pid, MmEntry *mm)
{
	char link[128];

	for (size_t i = 0; i < mm->n_vmas; i++) {
		VmaEntry *v = mm->vmas[i];
		struct file_digest *d;

		if (!(v->status & (VMA_FILE_PRIVATE | VMA_FILE_SHARED)) || !(v->prot & PROT_EXEC))
			continue;
		snprintf(link, sizeof(link), "/proc/%d/map_files/%lx-%lx", pid,
			 (unsigned long)v->start, (unsigned long)v->end);
		d = digest_file(pid, link, v->path);
		if (!d)
			return -1;
		d->exec_pid = pid;
	}
	for (size_t i = 0; i < mm->n_vmas; i++) {
		VmaEntry *v = mm->vmas[i];
		struct file_digest *d;

		if (!(v->status & (VMA_FILE_PRIVATE | VMA_FILE_SHARED)))
			continue;
		d = digest_find(v->file_dev, v->file_ino);
		if (d && d->exec_pid == pid)
			set_digest(&v->file_sha256, &v->has_file_sha256, d);
	}
	return 0;
}

struct page_writer {
	pid_t pid;
	int mem_fd;		/* /proc/PID/mem or a shmem file */
	int pages_fd;
	struct cr_img *pagemap;
	uint8_t *buf;
	uint64_t written;	/* bytes in pages file */
	/* runs waiting for the parasite; NULL when it is not (or no longer) used */
	struct parasite_args *batch;
	uint64_t batch_bytes;
	struct mem_parasite *mp;
};

/* A pagemap entry for the @len bytes at @vaddr, which are next in the pages file. */
static int note_run(struct page_writer *w, uint64_t vaddr, uint64_t len)
{
	PagemapEntry pe = PAGEMAP_ENTRY__INIT;

	pe.vaddr = vaddr;
	pe.nr_pages = len / PAGE_SIZE;
	pe.has_file_off = true;
	pe.file_off = w->written;
	w->written += len;
	return img_write(w->pagemap, &pe.base);
}

static int emit_run(struct page_writer *w, uint64_t vaddr, const uint8_t *data, size_t npages)
{
	if (page_sink_write(w->pages_fd, data, npages * PAGE_SIZE)) {
		pr_perror("Can't write pages of %d", w->pid);
		return -1;
	}
	return note_run(w, vaddr, npages * PAGE_SIZE);
}

static bool page_is_zero(const uint8_t *p)
{
	const uint64_t *q = (const uint64_t *)p;

	for (size_t i = 0; i < PAGE_SIZE / 8; i++)
		if (q[i])
			return false;
	return true;
}

/* Copy [start, end) through the buffer, leaving out pages that are all zero. */
static int copy_range(struct page_writer *w, uint64_t start, uint64_t end, uint64_t src_off)
{
	while (start < end) {
		size_t len = end - start > COPY_BUF ? COPY_BUF : end - start;
		size_t npages = len / PAGE_SIZE, run = 0;
		ssize_t r = pread(w->mem_fd, w->buf, len, src_off);

		if (r != (ssize_t)len) {
			pr_perror("Can't read memory 0x%lx-0x%lx of %d", (unsigned long)start,
				  (unsigned long)(start + len), w->pid);
			return -1;
		}
		for (size_t i = 0; i <= npages; i++) {
			if (i < npages && !page_is_zero(w->buf + i * PAGE_SIZE)) {
				run++;
				continue;
			}
			if (run && emit_run(w, start + (i - run) * PAGE_SIZE,
					    w->buf + (i - run) * PAGE_SIZE, run))
				return -1;
			run = 0;
		}
		start += len;
		src_off += len;
	}
	return 0;
}

/*
 * The parasite's setup (some 20 injected syscalls) costs ~1 ms, what the
 * copy through criu costs for ~1 MiB (bench/README.md). CRIU_PARASITE=0
 * never uses it, =1 at any size.
 */
#define PARASITE_MIN (1UL << 20)

static int note_stretch(void *arg, uint64_t vaddr, uint64_t len)
{
	return note_run(arg, vaddr, len);
}

enum { PARASITE_NEVER, PARASITE_ALWAYS, PARASITE_AUTO };

static int parasite_mode(void)
{
	const char *env = getenv("CRIU_PARASITE");

	if (fault_hit(FAULT_DUMP_PARASITE) || fault_hit(FAULT_DUMP_PARASITE_SOFT))
		return PARASITE_ALWAYS;
	if (env && !strcmp(env, "0"))
		return PARASITE_NEVER;
	return env && !strcmp(env, "1") ? PARASITE_ALWAYS : PARASITE_AUTO;
}

/* Move the queued runs: with the parasite when worth it, else (or for what
 * it could not do) through the buffer. */
static int flush_runs(struct page_writer *w)
{
	struct parasite_args *b = w->batch;
	size_t from = 0;
	uint64_t addr;
	int ret = 0;

	if (!b || !b->nr_runs)
		return 0;
	addr = b->runs[0].start;
	if (!w->mp && (w->batch_bytes >= PARASITE_MIN || parasite_mode() == PARASITE_ALWAYS)) {
		if (mem_parasite_start(w->pid, &w->mp))
			return -1;
		if (!w->mp)
			w->batch = NULL;	/* not again for this task */
	}
	if (w->mp) {
		int r = mem_parasite_move(w->mp, b, w->pages_fd, note_stretch, w, &from, &addr);

		if (r < 0)
			return -1;
		if (r == 0)
			from = b->nr_runs;
		if (r > 0) {
			w->batch = NULL;
			if (mem_parasite_stop(w->mp))
				ret = -1;
			w->mp = NULL;
		}
	}
	for (size_t i = from; i < b->nr_runs && !ret; i++) {
		uint64_t start = i == from ? addr : b->runs[i].start;

		if (copy_range(w, start, b->runs[i].start + b->runs[i].len, start))
			ret = -1;
	}
	b->nr_runs = 0;
	w->batch_bytes = 0;
	if (b != w->batch)
		free(b);
	return ret;
}

static int queue_run(struct page_writer *w, uint64_t start, uint64_t end)
{
	struct parasite_args *b = w->batch;

	if (b->nr_runs == MEM_PARASITE_RUNS && flush_runs(w))
		return -1;
	b = w->batch;
	if (!b)
		return copy_range(w, start, end, start);
	b->runs[b->nr_runs].start = start;
	b->runs[b->nr_runs++].len = end - start;
	w->batch_bytes += end - start;
	return 0;
}

/* Where the pages of region @r go: the parasite's queue, or the buffer. */
static int take_range(struct page_writer *w, const VmaEntry *v, const struct pm_page_region *r)
{
	if (opts.check_only)
		return note_run(w, r->start, r->end - r->start);
	/* vmsplice reads as the task would: not through PROT_NONE */
	if (w->batch && (v->prot & PROT_READ))
		return queue_run(w, r->start, r->end);
	return flush_runs(w) || copy_range(w, r->start, r->end, r->start) ? -1 : 0;
}

/* Pages that hold data of a private mapping: present or swapped, not the
 * shared zero page, and for file mappings only the copied-on-write ones. */
static int dump_private_pages(struct page_writer *w, int pagemap_fd, const VmaEntry *v)
{
	struct pm_page_region regions[SCAN_VEC];
	struct pm_scan_arg arg = { 0 };
	uint64_t pos = v->start;

	arg.size = sizeof(arg);
	arg.category_inverted = PM_PAGE_IS_PFNZERO;
	arg.category_mask = PM_PAGE_IS_PFNZERO;
	if (v->status & VMA_FILE_PRIVATE) {
		arg.category_inverted |= PM_PAGE_IS_FILE;
		arg.category_mask |= PM_PAGE_IS_FILE;
	}
	arg.category_anyof_mask = PM_PAGE_IS_PRESENT | PM_PAGE_IS_SWAPPED;
	arg.return_mask = PM_PAGE_IS_PRESENT | PM_PAGE_IS_SWAPPED;
	arg.vec = (uint64_t)regions;
	arg.vec_len = SCAN_VEC;
	while (pos < v->end) {
		long n;

		arg.start = pos;
		arg.end = v->end;
		n = ioctl(pagemap_fd, PM_PAGEMAP_SCAN, &arg);
		if (n < 0) {
			pr_perror("PAGEMAP_SCAN failed on 0x%lx-0x%lx of %d", (unsigned long)pos,
				  (unsigned long)v->end, w->pid);
			return -1;
		}
		for (long i = 0; i < n; i++)
			if (take_range(w, v, &regions[i]))
				return -1;
		pos = arg.walk_end;
		if (!n && pos <= arg.start)
			break;
	}
	return 0;
}

/*
 * An AIO ring goes through the buffer whole (its zero pages left out): it is
 * small, every page of it is present, and the restorer zeroes the ring it
 * makes before the pages go in.
 */
static int dump_ring_pages(struct page_writer *w, const VmaEntry *v)
{
	if (opts.check_only)
		return note_run(w, v->start, v->end - v->start);
	return flush_runs(w) || copy_range(w, v->start, v->end, v->start) ? -1 : 0;
}

static int vma_special(const struct proc_vma *pv, VmaEntry *v)
{
	static const struct {
		const char *name;
		uint32_t status;
	} specials[] = {
		{ "[vdso]", VMA_VDSO }, { "[vvar]", VMA_VVAR },
		{ "[vvar_vclock]", VMA_VVAR_VCLOCK }, { "[heap]", VMA_HEAP | VMA_ANON_PRIVATE },
		{ "[stack]", VMA_STACK | VMA_ANON_PRIVATE },
	};

	for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
		if (!strcmp(pv->path, specials[i].name)) {
			v->status = specials[i].status;
			return 1;
		}
	return 0;
}

/*
 * A shared mapping of a memfd is shared memory like MAP_SHARED|MAP_ANONYMOUS,
 * only named: dumped the same way, once per object (its inode), and restored
 * as a memfd of that name that the memfd descriptions of the same inode use.
 */
static int map_memfd(pid_t pid, const struct proc_vma *pv, VmaEntry *v, const char *link,
		     const char *path, const struct stat *st)
{
	const char *suffix = " (deleted)";
	size_t len = strlen(path), slen = strlen(suffix);
	struct statfs sfs;

	if (!statfs(link, &sfs) && sfs.f_type == HUGETLBFS_MAGIC) {
		pr_err("unsupported: mapping of hugetlb memfd %s at 0x%lx in pid %d\n", path,
		       (unsigned long)pv->start, pid);
		return -1;
	}
	if (!pv->shared) {
		pr_err("unsupported: private mapping of memfd %s at 0x%lx in pid %d\n", path,
		       (unsigned long)pv->start, pid);
		return -1;
	}
	v->status = VMA_ANON_SHARED;
	v->has_shmid = v->has_file_size = true;
	v->shmid = st->st_ino;
	v->file_size = st->st_size;
	if (len > slen && !strcmp(path + len - slen, suffix))
		len -= slen;
	v->memfd_name = strndup(path + 7, len - 7);
	return v->memfd_name ? 0 : -1;
}

static int map_file_path(pid_t pid, const struct proc_vma *pv, VmaEntry *v)
{
	char link[128], path[PATH_MAX];
	struct stat st;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/map_files/%lx-%lx", pid, (unsigned long)pv->start,
		 (unsigned long)pv->end);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0 || stat(link, &st)) {
		pr_perror("Can't resolve mapping %s", link);
		return -1;
	}
	path[n] = 0;
	if (st.st_nlink == 0 && !strncmp(path, "/memfd:", 7))
		return map_memfd(pid, pv, v, link, path, &st);
	if (st.st_nlink == 0 || strstr(path, " (deleted)")) {
		if (pv->shared && !strncmp(pv->path, "/dev/zero", 9)) {
			v->status = VMA_ANON_SHARED;
			v->has_shmid = true;
			v->shmid = st.st_ino;
			v->has_file_size = true;
			v->file_size = st.st_size;
			return 0;
		}
		/* SysV segments live in the IPC namespace, which criu does not dump yet */
		if (!strncmp(path, "/SYSV", 5)) {
			pr_err("unsupported: SysV shared memory segment (shmid %lu) attached at 0x%lx in pid %d\n",
			       (unsigned long)st.st_ino, (unsigned long)pv->start, pid);
			return -1;
		}
		if (!strncmp(path, "/[aio]", 6))
			return aio_dump_ring(pid, pv, v);
		pr_err("unsupported: mapping of deleted file %s at 0x%lx in pid %d\n", path,
		       (unsigned long)pv->start, pid);
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode)) {
		if (dump_mapping_refused(pid, &st, pv->start))
			return -1;
		pr_err("unsupported: mapping of %s (mode 0%o) at 0x%lx in pid %d\n", path,
		       st.st_mode, (unsigned long)pv->start, pid);
		return -1;
	}
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		pr_err("unsupported: device mapping %s at 0x%lx in pid %d\n", path,
		       (unsigned long)pv->start, pid);
		return -1;
	}
	v->status = pv->shared ? VMA_FILE_SHARED : VMA_FILE_PRIVATE;
	v->path = strdup(path);
	v->has_file_size = v->has_file_mtime_ns = v->has_file_ino = v->has_file_dev = true;
	v->file_size = st.st_size;
	v->file_mtime_ns = st.st_mtim.tv_sec * 1000000000ULL + st.st_mtim.tv_nsec;
	v->file_ino = st.st_ino;
	v->file_dev = st.st_dev;
	return v->path ? 0 : -1;
}

static int classify_vma(pid_t pid, const struct proc_vma *pv, VmaEntry *v)
{
	v->start = pv->start;
	v->end = pv->end;
	v->pgoff = pv->pgoff;
	v->prot = pv->prot;
	v->has_madv = true;
	v->madv = pv->vm_flags;
	if (!vma_special(pv, v)) {
		if (pv->vm_flags & (VMF_IO | VMF_PF)) {
			pr_err("unsupported: I/O mapping 0x%lx-0x%lx %s of pid %d\n",
			       (unsigned long)pv->start, (unsigned long)pv->end, pv->path, pid);
			return -1;
		}
		if (pv->ino || (pv->path[0] == '/'))
			return map_file_path(pid, pv, v);
		if (pv->path[0] == '[' && strncmp(pv->path, "[anon:", 6)) {
			pr_err("unsupported: special mapping %s at 0x%lx in pid %d\n", pv->path,
			       (unsigned long)pv->start, pid);
			return -1;
		}
		if (pv->shared) {
			pr_err("unsupported: shared mapping 0x%lx without a file in pid %d\n",
			       (unsigned long)pv->start, pid);
			return -1;
		}
		v->status = VMA_ANON_PRIVATE;
	}
	if (pv->vm_flags & VMF_GD)
		v->status |= VMA_GROWSDOWN;
	return 0;
}

static bool shmem_seen(uint64_t ino)
{
	for (int i = 0; i < nr_shmem_done; i++)
		if (shmem_done[i] == ino)
			return true;
	return false;
}

bool dump_shmem_written(uint64_t shmid)
{
	return shmem_seen(shmid);
}

/* Shared anonymous memory: written once per object, from its shmem file,
 * data ranges found with SEEK_DATA so holes cost nothing. */
static int dump_shmem(pid_t pid, const VmaEntry *v, uint8_t *buf)
{
	struct page_writer w = { .pid = pid, .buf = buf };
	char link[128], name[64];
	uint64_t *nd;
	off_t pos = 0;
	int ret = -1;

	if (shmem_seen(v->shmid))
		return 0;
	snprintf(link, sizeof(link), "/proc/%d/map_files/%lx-%lx", pid, (unsigned long)v->start,
		 (unsigned long)v->end);
	w.mem_fd = open(link, O_RDONLY | O_CLOEXEC);
	if (w.mem_fd < 0) {
		pr_perror("Can't open shared memory %s", link);
		return -1;
	}
	snprintf(name, sizeof(name), "pages-shmem-%lu.img", (unsigned long)v->shmid);
	w.pages_fd = page_sink_open(name);
	w.pagemap = img_open(IMG_SHMEM_PAGEMAP, O_WRONLY, (int)v->shmid);
	if (w.pages_fd < 0 || !w.pagemap)
		goto out;
	{
		PagemapHead head = PAGEMAP_HEAD__INIT;

		head.pages_id = (uint32_t)v->shmid;
		if (img_write(w.pagemap, &head.base))
			goto out;
	}
	for (;;) {
		off_t data = lseek(w.mem_fd, pos, SEEK_DATA), hole;

		if (data < 0 && errno == ENXIO)
			break;
		if (data < 0)
			goto out;
		hole = lseek(w.mem_fd, data, SEEK_HOLE);
		if (hole < 0)
			goto out;
		if (hole > (off_t)v->file_size)
			hole = v->file_size;
		if (data >= hole)
			break;
		if (copy_range(&w, data, hole, data))
			goto out;
		pos = hole;
	}
	nd = realloc(shmem_done, (nr_shmem_done + 1) * sizeof(*nd));
	if (!nd)
		goto out;
	shmem_done = nd;
	shmem_done[nr_shmem_done++] = v->shmid;
	ret = 0;
out:
	if (ret)
		pr_err("Can't dump shared memory 0x%lx of pid %d\n", (unsigned long)v->start, pid);
	close(w.mem_fd);
	if (w.pages_fd >= 0 && page_sink_close(w.pages_fd, name))
		ret = -1;
	if (img_close(w.pagemap))
		ret = -1;
	return ret;
}

static int dump_pages(pid_t pid, MmEntry *mm)
{
	struct page_writer w = { .pid = pid, .mem_fd = -1, .pages_fd = -1 };
	PagemapHead head = PAGEMAP_HEAD__INIT;
	char name[64];
	int pagemap_fd = -1, ret = -1;

	if (fault_hit(FAULT_DUMP_PAGES)) {
		pr_err("Can't copy pages of %d (injected fault)\n", pid);
		return -1;
	}
	w.buf = mmap(NULL, COPY_BUF, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w.buf == MAP_FAILED) {
		pr_perror("Can't allocate the page copy buffer");
		return -1;
	}
	snprintf(name, sizeof(name), "/proc/%d/mem", pid);
	w.mem_fd = open(name, O_RDONLY | O_CLOEXEC);
	snprintf(name, sizeof(name), "/proc/%d/pagemap", pid);
	pagemap_fd = open(name, O_RDONLY | O_CLOEXEC);
	if (w.mem_fd < 0 || pagemap_fd < 0) {
		pr_perror("Can't open memory files of %d", pid);
		goto out;
	}
	snprintf(name, sizeof(name), "pages-%d.img", pid);
	/* --check-only writes where the pages are, not what they hold */
	if (!opts.check_only) {
		w.pages_fd = page_sink_open(name);
		if (w.pages_fd < 0)
			goto out;
	}
	w.pagemap = img_open(IMG_PAGEMAP, O_WRONLY, pid);
	if (!w.pagemap)
		goto out;
	head.pages_id = pid;
	if (img_write(w.pagemap, &head.base))
		goto out;
	if (!opts.check_only && parasite_mode() != PARASITE_NEVER) {
		w.batch = malloc(sizeof(*w.batch) + MEM_PARASITE_RUNS * sizeof(w.batch->runs[0]));
		if (!w.batch) {
			pr_err("No memory for the page runs of pid %d\n", pid);
			goto out;
		}
		w.batch->nr_runs = 0;
	}
	for (size_t i = 0; i < mm->n_vmas; i++) {
		VmaEntry *v = mm->vmas[i];

		if (v->status & VMA_ANON_SHARED) {
			if (!opts.check_only && dump_shmem(pid, v, w.buf))
				goto out;
			continue;
		}
		if (v->status & VMA_AIO_RING) {
			if (dump_ring_pages(&w, v))
				goto out;
			continue;
		}
		if (!(v->status & (VMA_ANON_PRIVATE | VMA_FILE_PRIVATE)))
			continue;
		if (dump_private_pages(&w, pagemap_fd, v))
			goto out;
	}
	ret = flush_runs(&w);
out:
	/* on failure too: the task must be given back as it was */
	if (mem_parasite_stop(w.mp))
		ret = -1;
	free(w.batch);
	munmap(w.buf, COPY_BUF);
	if (w.mem_fd >= 0)
		close(w.mem_fd);
	if (pagemap_fd >= 0)
		close(pagemap_fd);
	if (w.pages_fd >= 0 && page_sink_close(w.pages_fd, name))
		ret = -1;
	if (img_close(w.pagemap))
		ret = -1;
	return ret;
}

static int dump_mm_fields(pid_t pid, uint64_t brk, MmEntry *mm)
{
	struct proc_stat st;
	char path[PATH_MAX], link[64];
	size_t len;
	char *auxv;
	ssize_t n;

	if (proc_parse_stat(pid, 0, &st))
		return -1;
	mm->start_code = st.start_code;
	mm->end_code = st.end_code;
	mm->start_data = st.start_data;
	mm->end_data = st.end_data;
	mm->start_stack = st.start_stack;
	mm->start_brk = st.start_brk;
	mm->arg_start = st.arg_start;
	mm->arg_end = st.arg_end;
	mm->env_start = st.env_start;
	mm->env_end = st.env_end;
	mm->brk = brk;
	snprintf(link, sizeof(link), "/proc/%d/auxv", pid);
	auxv = read_whole_file(link, &len);
	if (!auxv) {
		pr_perror("Can't read %s", link);
		return -1;
	}
	mm->n_auxv = len / sizeof(uint64_t);
	mm->auxv = (uint64_t *)auxv;
	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0) {
		pr_perror("Can't read %s", link);
		return -1;
	}
	path[n] = 0;
	mm->exe_path = strdup(path);
	return mm->exe_path ? 0 : -1;
}

static int dump_exe_identity(pid_t pid, MmEntry *mm)
{
	struct file_digest *d;
	char link[64];
	struct stat st;

	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	if (stat(link, &st)) {
		pr_perror("Can't stat executable %s of pid %d", mm->exe_path, pid);
		return -1;
	}
	mm->has_exe_size = mm->has_exe_mtime_ns = true;
	mm->exe_size = st.st_size;
	mm->exe_mtime_ns = st.st_mtim.tv_sec * 1000000000ULL + st.st_mtim.tv_nsec;
	d = digest_file(pid, link, mm->exe_path);
	if (!d)
		return -1;
	set_digest(&mm->exe_sha256, &mm->has_exe_sha256, d);
	return 0;
}

static void free_mm(MmEntry *mm)
{
	for (size_t i = 0; i < mm->n_vmas; i++) {
		free(mm->vmas[i]->path);
		free(mm->vmas[i]->memfd_name);
		free(mm->vmas[i]);
	}
	free(mm->vmas);
	free(mm->auxv);
	free(mm->exe_path);
}

static int collect_vmas(pid_t pid, MmEntry *mm)
{
	struct proc_vma *pvs;
	int nr;

	pvs = proc_parse_smaps(pid, &nr);
	if (!pvs)
		return -1;
	mm->vmas = calloc(nr + 1, sizeof(*mm->vmas));
	if (!mm->vmas)
		goto err;
	for (int i = 0; i < nr; i++) {
		VmaEntry *v;

		if (!strcmp(pvs[i].path, "[vsyscall]"))
			continue;	/* the kernel provides it at a fixed place */
		v = calloc(1, sizeof(*v));
		if (!v)
			goto err;
		vma_entry__init(v);
		mm->vmas[mm->n_vmas++] = v;
		if (classify_vma(pid, &pvs[i], v))
			goto err;
	}
	free(pvs);
	return 0;
err:
	free(pvs);
	return -1;
}

int dump_task_mm(struct task *t, uint64_t brk)
{
	MmEntry mm = MM_ENTRY__INIT;
	int ret = -1;

	if (fault_hit(FAULT_DUMP_MM)) {
		pr_err("Can't collect mappings of %d (injected fault)\n", t->pid);
		return -1;
	}
	/* runs after the scratch page is gone: smaps shows the task as it was */
	if (dump_mm_fields(t->pid, brk, &mm) || collect_vmas(t->pid, &mm) ||
	    digest_exec_files(t->pid, &mm) || dump_exe_identity(t->pid, &mm))
		goto out;
	if (img_write_single(IMG_MM, t->pid, &mm.base))
		goto out;
	ret = dump_pages(t->pid, &mm);
out:
	free_mm(&mm);
	return ret;
}
