// SPDX-License-Identifier: GPL-2.0
/* The restore master: read and check every image, create shared objects and
 * open files, start the tree, drive it through its stages, then watch every
 * thread return into its own registers and clean up behind it. */
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/action.h"
#include "engine/cpu.h"
#include "engine/files.h"
#include "engine/restore-shared.h"
#include "engine/restore.h"
#include "engine/vma.h"
#include "fs.pb-c.h"
#include "images/image.h"
#include "infect/inject.h"
#include "infect/ptrace.h"
#include "inventory.pb-c.h"
#include "pstree.pb-c.h"
#include "util/fault.h"
#include "util/daemon.h"
#include "util/log.h"
#include "util/options.h"
#include "util/proc.h"
#include "util/sha256.h"

/* --timeout N bounds each stage of a restore; 20 s by default */
#define STAGE_TIMEOUT_MS (opts.timeout ? opts.timeout * 1000 : 20000)
#define PTRACE_GET_SYSCALL_INFO_ 0x420e

/* ---- loading ---- */

void restore_free_task(struct task *t)
{
	struct rst_task *rt = t->priv;

	if (!rt)
		return;
	if (rt->core)
		protobuf_c_message_free_unpacked(&rt->core->base, NULL);
	for (int i = 0; i < rt->nr_threads; i++)
		protobuf_c_message_free_unpacked(&rt->threads[i]->base, NULL);
	free(rt->threads);
	if (rt->mm)
		protobuf_c_message_free_unpacked(&rt->mm->base, NULL);
	for (int i = 0; i < rt->nr_pagemap; i++)
		protobuf_c_message_free_unpacked(&rt->pagemap[i]->base, NULL);
	free(rt->pagemap);
	free(rt);
	t->priv = NULL;
}

static int load_core(struct task *t, struct rst_task *rt)
{
	struct cr_img *img = img_open(IMG_CORE, O_RDONLY, t->pid);
	ProtobufCMessage *msg;
	int r;

	if (!img)
		return -1;
	if (img_read_one(img, &msg))
		goto err;
	rt->core = (TaskCoreEntry *)msg;
	if (!rt->core->creds) {
		pr_err("Image core-%d.img has no credentials\n", t->pid);
		goto err;
	}
	rt->threads = calloc(t->nr_threads, sizeof(*rt->threads));
	if (!rt->threads)
		goto err;
	for (int i = 0; i < t->nr_threads; i++) {
		r = img_read(img, &msg);
		if (r == 0)
			pr_err("Image core-%d.img lacks thread %d of %d\n", t->pid, i,
			       t->nr_threads);
		if (r <= 0)
			goto err;
		rt->threads[rt->nr_threads++] = (ThreadCoreEntry *)msg;
		if (rt->threads[i]->tid != (uint32_t)t->threads[i].tid) {
			pr_err("Image core-%d.img: thread %u where pstree says %d\n", t->pid,
			       rt->threads[i]->tid, t->threads[i].tid);
			goto err;
		}
	}
	img_close(img);
	return 0;
err:
	img_close(img);
	return -1;
}

static int load_pagemap(struct task *t, struct rst_task *rt)
{
	struct cr_img *img = img_open(IMG_PAGEMAP, O_RDONLY, t->pid);
	ProtobufCMessage *msg;
	int r;

	if (!img)
		return -1;
	if (img_read_one(img, &msg))
		goto err;
	protobuf_c_message_free_unpacked(msg, NULL);
	while ((r = img_read(img, &msg)) > 0) {
		PagemapEntry **np = realloc(rt->pagemap, (rt->nr_pagemap + 1) * sizeof(*np));

		if (!np) {
			protobuf_c_message_free_unpacked(msg, NULL);
			goto err;
		}
		rt->pagemap = np;
		rt->pagemap[rt->nr_pagemap++] = (PagemapEntry *)msg;
	}
	if (r < 0)
		goto err;
	img_close(img);
	return 0;
err:
	img_close(img);
	return -1;
}

/* A digest that is there has its full length: the checks compare 32 bytes. */
static int check_mm_digests(pid_t pid, const MmEntry *mm)
{
	if (mm->has_exe_sha256 && mm->exe_sha256.len != SHA256_DIGEST_LEN) {
		pr_err("Image mm-%d.img: exe_sha256 has %zu bytes, not %d\n", pid,
		       mm->exe_sha256.len, SHA256_DIGEST_LEN);
		return -1;
	}
	for (size_t i = 0; i < mm->n_vmas; i++)
		if (mm->vmas[i]->has_file_sha256 &&
		    mm->vmas[i]->file_sha256.len != SHA256_DIGEST_LEN) {
			pr_err("Image mm-%d.img: vma %zu file_sha256 has %zu bytes, not %d\n", pid,
			       i, mm->vmas[i]->file_sha256.len, SHA256_DIGEST_LEN);
			return -1;
		}
	return 0;
}

int restore_load_task(struct task *t)
{
	struct rst_task *rt = calloc(1, sizeof(*rt));
	ProtobufCMessage *msg;

	if (!rt)
		return -1;
	t->priv = rt;
	if (load_core(t, rt) || img_read_single(IMG_MM, t->pid, &msg))
		return -1;
	rt->mm = (MmEntry *)msg;
	if (check_mm_digests(t->pid, rt->mm) || load_pagemap(t, rt))
		return -1;
	t->files_id = rt->core->files_id;
	t->fs_id = rt->core->fs_id;
	t->mm_id = rt->core->mm_id;
	if (img_read_single(IMG_FS, t->fs_id, &msg))
		return -1;
	protobuf_c_message_free_unpacked(msg, NULL);
	if (rt->core->stopped)
		t->kind = TASK_STOPPED;
	return 0;
}

static int add_task(struct pstree *tree, const PstreeEntry *pe)
{
	struct task *parent = NULL, *t;

	if (pe->ppid) {
		parent = pstree_find(tree, pe->ppid);
		if (!parent) {
			pr_err("Image pstree.img: parent %u of %u comes after it or is missing\n",
			       pe->ppid, pe->pid);
			return -1;
		}
	} else if (tree->root) {
		pr_err("Image pstree.img has two roots (%d and %u)\n", tree->root->pid, pe->pid);
		return -1;
	}
	if (pe->pid == 0 || pstree_find(tree, pe->pid) || pe->n_threads == 0) {
		pr_err("Image pstree.img: bad or repeated pid %u\n", pe->pid);
		return -1;
	}
	t = pstree_add(tree, parent, pe->pid);
	if (!t)
		return -1;
	if (!parent)
		tree->root = t;
	t->pgid = pe->pgid;
	t->sid = pe->sid;
	t->kind = pe->state == TASK_STATE__ZOMBIE ? TASK_ZOMBIE : TASK_ALIVE;
	t->exit_code = pe->exit_code;
	t->uid = pe->uid;
	t->gid = pe->gid;
	t->nr_groups = pe->n_groups < 64 ? pe->n_groups : 64;
	for (int i = 0; i < t->nr_groups; i++)
		t->groups[i] = pe->groups[i];
	if (pe->comm)
		snprintf(t->comm, sizeof(t->comm), "%s", pe->comm);
	t->sig_blk = pe->sig_blocked;
	t->sig_ign = pe->sig_ignored;
	t->sig_cgt = pe->sig_caught;
	t->threads = calloc(pe->n_threads, sizeof(*t->threads));
	if (!t->threads)
		return -1;
	for (size_t i = 0; i < pe->n_threads; i++)
		t->threads[i].tid = pe->threads[i];
	t->nr_threads = pe->n_threads;
	if (t->threads[0].tid != t->pid) {
		pr_err("Image pstree.img: pid %u's first thread is %d\n", pe->pid,
		       t->threads[0].tid);
		return -1;
	}
	return 0;
}

/*
 * --shell-job: the session the tree ran in (and maybe the root's group)
 * belongs to a shell outside it. Every task of that session joins criu's
 * session and every task of that outside group joins criu's group; a group
 * led from inside the tree stays its own, as it was.
 */
static void join_criu_session(struct pstree *tree)
{
	pid_t old_sid = tree->root->sid, old_pgid = tree->root->pgid;
	bool sid_out = !pstree_find(tree, old_sid), pgid_out = !pstree_find(tree, old_pgid);

	for (int i = 0; i < tree->nr_tasks; i++) {
		struct task *t = tree->tasks[i];

		if (sid_out && t->sid == old_sid)
			t->sid = getsid(0);
		if (pgid_out && t->pgid == old_pgid)
			t->pgid = getpgid(0);
	}
	pr_info("Shell job: session %d -> %d, group %d -> %d\n", old_sid, tree->root->sid,
		old_pgid, tree->root->pgid);
}

/* A process group whose leader is gone gets a helper that holds its id. */
static int add_helpers(struct pstree *tree)
{
	int n = tree->nr_tasks;

	for (int i = 0; i < n; i++) {
		struct task *t = tree->tasks[i], *h;

		if (pstree_find(tree, t->pgid))
			continue;
		if (opts.shell_job && t->pgid == getpgid(0))
			continue;	/* criu's own group, joined from outside */
		if (!t->parent) {
			if (opts.shell_job)
				continue;
			pr_err("The group leader %d of the root %d is not in the images (use --shell-job)\n",
			       t->pgid, t->pid);
			return -1;
		}
		h = pstree_add(tree, t->parent, t->pgid);
		if (!h)
			return -1;
		h->kind = TASK_HELPER;
		h->pgid = h->pid;
		h->sid = t->sid;
		h->nr_threads = 1;
		h->threads = calloc(1, sizeof(*h->threads));
		if (!h->threads)
			return -1;
		h->threads[0].tid = h->pid;
	}
	return 0;
}

static int load_tree(struct pstree *tree, InventoryEntry **inv)
{
	struct cr_img *img;
	ProtobufCMessage *msg;
	int r;

	memset(tree, 0, sizeof(*tree));
	if (fault_hit(FAULT_RESTORE_READ)) {
		pr_err("Can't read images (injected fault)\n");
		return -1;
	}
	if (img_read_single(IMG_INVENTORY, 0, &msg))
		return -1;	/* the image layer said what is wrong with it */
	*inv = (InventoryEntry *)msg;
	img = img_open(IMG_PSTREE, O_RDONLY, 0);
	if (!img)
		return -1;
	while ((r = img_read(img, &msg)) > 0) {
		r = add_task(tree, (PstreeEntry *)msg);
		protobuf_c_message_free_unpacked(msg, NULL);
		if (r) {
			r = -1;
			break;
		}
	}
	img_close(img);
	if (r < 0)
		return -1;
	if (!tree->root) {
		pr_err("Image pstree.img holds no process\n");
		return -1;
	}
	if (tree->root->pid != (pid_t)(*inv)->root_pid) {
		pr_err("inventory.img names root %u, pstree.img %d\n", (*inv)->root_pid,
		       tree->root->pid);
		return -1;
	}
	for (int i = 0; i < tree->nr_tasks; i++)
		if (tree->tasks[i]->kind != TASK_ZOMBIE && restore_load_task(tree->tasks[i]))
			return -1;
	if (opts.shell_job)
		join_criu_session(tree);
	return add_helpers(tree);
}

static int check_pids_free(struct pstree *tree)
{
	for (int i = 0; i < tree->nr_tasks; i++) {
		struct task *t = tree->tasks[i];

		for (int k = 0; k < t->nr_threads; k++) {
			char path[32];

			snprintf(path, sizeof(path), "/proc/%d", t->threads[k].tid);
			if (!access(path, F_OK)) {
				struct proc_stat st;
				bool known = !proc_parse_stat(t->threads[k].tid, 0, &st);

				pr_err("Can't restore pid %d: it is taken by %s (%s, state %c, parent %d)\n",
				       t->threads[k].tid, known ? "another process" : "a process",
				       known ? st.comm : "?", known ? st.state : '?',
				       known ? st.ppid : 0);
				return -1;
			}
		}
	}
	return 0;
}

/* ---- shared anonymous memory ---- */

struct shmem_obj {
	uint64_t id;
	int fd;
};
static struct shmem_obj *shmems;
static int nr_shmems;

int restore_shmem_fd(uint64_t shmid)
{
	for (int i = 0; i < nr_shmems; i++)
		if (shmems[i].id == shmid)
			return shmems[i].fd;
	pr_err("Shared memory %lu was not prepared\n", (unsigned long)shmid);
	return -1;
}

int restore_shmem_fds(int *fds, int max)
{
	int n = 0;

	for (int i = 0; i < nr_shmems && n < max; i++)
		fds[n++] = shmems[i].fd;
	return n;
}

bool is_shmem_fd(int fd)
{
	for (int i = 0; i < nr_shmems; i++)
		if (shmems[i].fd == fd)
			return true;
	return false;
}

static int fill_shmem(uint64_t id, uint8_t *mem, uint64_t size)
{
	struct cr_img *img = img_open(IMG_SHMEM_PAGEMAP, O_RDONLY, (int)id);
	ProtobufCMessage *msg;
	char name[64];
	int fd, r, ret = -1;

	if (!img)
		return -1;
	snprintf(name, sizeof(name), "pages-shmem-%lu.img", (unsigned long)id);
	fd = img_raw_open(name, O_RDONLY);
	if (fd < 0 || img_read_one(img, &msg))
		goto out;
	protobuf_c_message_free_unpacked(msg, NULL);
	while ((r = img_read(img, &msg)) > 0) {
		PagemapEntry *pe = (PagemapEntry *)msg;
		size_t len = pe->nr_pages * 4096UL;

		if (pe->vaddr + len > size || pread(fd, mem + pe->vaddr, len, pe->file_off) !=
						      (ssize_t)len) {
			pr_err("Shared memory image %s is damaged at 0x%lx\n", name,
			       (unsigned long)pe->vaddr);
			protobuf_c_message_free_unpacked(msg, NULL);
			goto out;
		}
		protobuf_c_message_free_unpacked(msg, NULL);
	}
	ret = r < 0 ? -1 : 0;
out:
	if (fd >= 0)
		close(fd);
	img_close(img);
	return ret;
}

int restore_shmem_lookup(uint64_t shmid)
{
	for (int i = 0; i < nr_shmems; i++)
		if (shmems[i].id == shmid)
			return shmems[i].fd;
	return -1;
}

/*
 * Create it the way the task did (MAP_SHARED|MAP_ANONYMOUS, or a memfd of
 * the same name), fill it, and keep a file for it (through map_files for
 * anonymous memory) so every task maps the same object.
 */
static int prepare_shmem(uint64_t id, uint64_t size, const char *memfd_name, int min_fd)
{
	struct shmem_obj *ns;
	char path[128];
	uint8_t *mem = MAP_FAILED;
	int fd = -1, hi;

	if (memfd_name) {
		fd = memfd_create(memfd_name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (fd < 0 || ftruncate(fd, size)) {
			pr_perror("Can't create memfd %s of %lu bytes", memfd_name,
				  (unsigned long)size);
			goto err;
		}
		if (size)
			mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	} else {
		if (!size)
			size = 4096;
		mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	}
	if (size && mem == MAP_FAILED) {
		pr_perror("Can't map shared memory of %lu bytes", (unsigned long)size);
		goto err;
	}
	if (size && fill_shmem(id, mem, size))
		goto err;
	if (fd < 0) {
		snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", (unsigned long)mem,
			 (unsigned long)mem + size);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			pr_perror("Can't open %s", path);
			goto err;
		}
	}
	hi = fcntl(fd, F_DUPFD_CLOEXEC, min_fd);
	close(fd);
	if (mem != MAP_FAILED)
		munmap(mem, size);
	ns = realloc(shmems, (nr_shmems + 1) * sizeof(*ns));
	if (hi < 0 || !ns)
		return -1;
	shmems = ns;
	shmems[nr_shmems++] = (struct shmem_obj){ id, hi };
	return 0;
err:
	if (fd >= 0)
		close(fd);
	if (mem != MAP_FAILED)
		munmap(mem, size);
	return -1;
}

static int prepare_shmems(struct pstree *tree, int min_fd)
{
	for (int i = 0; i < tree->nr_tasks; i++) {
		struct rst_task *rt = tree->tasks[i]->priv;

		if (!rt)
			continue;
		for (size_t k = 0; k < rt->mm->n_vmas; k++) {
			VmaEntry *v = rt->mm->vmas[k];
			bool have = false;

			if (!(v->status & VMA_ANON_SHARED))
				continue;
			for (int s = 0; s < nr_shmems; s++)
				have |= shmems[s].id == v->shmid;
			if (!have && prepare_shmem(v->shmid, v->file_size, v->memfd_name, min_fd))
				return -1;
		}
	}
	return 0;
}

static void free_shmems(void)
{
	for (int i = 0; i < nr_shmems; i++)
		close(shmems[i].fd);
	free(shmems);
	shmems = NULL;
	nr_shmems = 0;
}

/* ---- driving the tree ---- */

static long futex_wait(int *addr, int val, int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	return syscall(SYS_futex, addr, FUTEX_WAIT, val, &ts, NULL, 0);
}

static void stage_open(struct restore_shared *sh, int stage)
{
	__atomic_store_n(&sh->stage, stage, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &sh->stage, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

static int run_stage(struct restore_shared *sh, int stage)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int cnt = __atomic_load_n(&sh->count, __ATOMIC_SEQ_CST);

		if (__atomic_load_n(&sh->error, __ATOMIC_SEQ_CST))
			return -1;
		if (cnt >= sh->nr_tasks)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >
		    STAGE_TIMEOUT_MS) {
			pr_err("Restore stage %d timed out: %d of %d tasks done\n", stage, cnt,
			       sh->nr_tasks);
			return -1;
		}
		futex_wait(&sh->count, cnt, 100);
	}
	__atomic_store_n(&sh->count, 0, __ATOMIC_SEQ_CST);
	stage_open(sh, stage + 1);
	return 0;
}

static int total_threads(struct pstree *tree)
{
	int n = 0;

	for (int i = 0; i < tree->nr_tasks; i++)
		if (tree->tasks[i]->priv)
			n += tree->tasks[i]->nr_threads;
	return n;
}

static int wait_ready(int ready_r, int expect, struct restore_shared *sh)
{
	int got = 0;

	while (got < expect) {
		struct pollfd pfd = { ready_r, POLLIN, 0 };
		char buf[256];
		ssize_t n;
		int want = expect - got < (int)sizeof(buf) ? expect - got : (int)sizeof(buf);

		if (poll(&pfd, 1, STAGE_TIMEOUT_MS) <= 0) {
			pr_err("Restored threads did not report ready (%d of %d)\n", got, expect);
			return -1;
		}
		n = read(ready_r, buf, want);
		if (n <= 0) {
			pr_err("A restored task died before it was ready (%d of %d threads ready)\n",
			       got, expect);
			return -1;
		}
		got += n;
		if (__atomic_load_n(&sh->error, __ATOMIC_SEQ_CST))
			return -1;
	}
	return 0;
}

struct syscall_info {
	uint8_t op;
	uint8_t pad[3];
	uint32_t arch;
	uint64_t ip, sp;
	uint64_t nr;
	uint64_t args[6];
};

/* Let a seized thread run until it has come out of rt_sigreturn. */
static int catch_sigreturn(pid_t tid)
{
	bool in_sigreturn = false;

	for (int steps = 0; steps < 1000; steps++) {
		struct syscall_info si;
		int status;

		if (ptrace(PTRACE_SYSCALL, tid, NULL, NULL)) {
			pr_perror("Can't resume restored thread %d", tid);
			return -1;
		}
		if (waitpid(tid, &status, __WALL) != tid) {
			pr_perror("Can't wait for restored thread %d", tid);
			return -1;
		}
		if (!WIFSTOPPED(status)) {
			pr_err("Restored thread %d died (status 0x%x)\n", tid, status);
			return -1;
		}
		if (WSTOPSIG(status) != (SIGTRAP | 0x80)) {
			pr_err("Restored thread %d stopped by signal %d in the restorer\n", tid,
			       WSTOPSIG(status));
			return -1;
		}
		if (ptrace(PTRACE_GET_SYSCALL_INFO_, tid, (void *)sizeof(si), &si) < 0) {
			pr_perror("Can't get syscall info of thread %d", tid);
			return -1;
		}
		if (in_sigreturn && si.op == 2)
			return 0;
		if (si.op == 1 && si.nr == SYS_rt_sigreturn)
			in_sigreturn = true;
	}
	pr_err("Restored thread %d never reached rt_sigreturn\n", tid);
	return -1;
}

static int seize_restored(struct pstree *tree)
{
	for (int i = 0; i < tree->nr_tasks; i++) {
		struct task *t = tree->tasks[i];

		if (!t->priv)
			continue;
		for (int k = 0; k < t->nr_threads; k++) {
			if (ptrace_seize_stop(t->threads[k].tid) < 0)
				return -1;
			t->threads[k].seized = true;
		}
	}
	return 0;
}

/* The task runs its own code again: take the restorer and criu's fds away. */
static int cleanup_task(struct task *t, struct restore_shared *sh)
{
	struct infect_ctx ctx;
	long r;
	int ret = 0;

	if (infect_start(&ctx, t->pid, t->pid, 0))
		return -1;
	if (infect_syscall(&ctx, SYS_munmap, &r, sh->areas[t->index].start,
			   sh->areas[t->index].end - sh->areas[t->index].start, 0, 0, 0, 0) ||
	    r) {
		pr_err("Can't unmap the restorer from %d\n", t->pid);
		ret = -1;
	}
	/* every fd from svc_base up is criu's: barrier pipes, log, images, blob files */
	if (infect_syscall(&ctx, 436 /* close_range */, &r, sh->svc_base, ~0U, 0, 0, 0, 0) || r) {
		pr_err("Can't close criu's descriptors in %d\n", t->pid);
		ret = -1;
	}
	if (infect_stop(&ctx))
		ret = -1;
	return ret;
}

static int finish_tree(struct pstree *tree, struct restore_shared *sh, int go_w)
{
	if (seize_restored(tree))
		return -1;
	if (run_action_scripts("post-restore", tree->root->pid))
		return -1;
	close(go_w);
	for (int i = 0; i < tree->nr_tasks; i++) {
		struct task *t = tree->tasks[i];

		if (!t->priv)
			continue;
		for (int k = 0; k < t->nr_threads; k++)
			if (catch_sigreturn(t->threads[k].tid))
				return -1;
	}
	/* only now: tasks sharing an fd table still read the go pipe until here */
	for (int i = 0; i < tree->nr_tasks; i++)
		if (tree->tasks[i]->priv && cleanup_task(tree->tasks[i], sh))
			return -1;
	if (fault_hit(FAULT_RESTORE_FINISH)) {
		pr_err("Can't finish the restore (injected fault)\n");
		return -1;
	}
	if (restore_files_go_live() || run_action_scripts("pre-resume", tree->root->pid))
		return -1;
	for (int i = 0; i < tree->nr_tasks; i++)
		if (tree->tasks[i]->kind == TASK_STOPPED)
			kill(tree->tasks[i]->pid, SIGSTOP);
	return pstree_unfreeze(tree, opts.leave_stopped ? FINAL_STOPPED : FINAL_RUNNING);
}

/* Kill everything created and reap it, so every pid is free again. */
static void kill_tree(struct pstree *tree)
{
	struct timespec start, now;

	for (int i = 0; i < tree->nr_tasks; i++)
		kill(tree->tasks[i]->pid, SIGKILL);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t p = waitpid(-1, NULL, __WALL | WNOHANG);
		bool alive = false;

		if (p > 0)
			continue;
		for (int i = 0; i < tree->nr_tasks && !alive; i++) {
			char path[32];

			snprintf(path, sizeof(path), "/proc/%d", tree->tasks[i]->pid);
			alive = !access(path, F_OK);
		}
		if (!alive)
			return;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 10) {
			pr_err("Restored tasks did not go away after the failure\n");
			return;
		}
		usleep(1000);
	}
}

static int move_fd(int fd, int to)
{
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, to);

	if (nfd < 0) {
		pr_perror("Can't move fd %d above %d", fd, to);
		return -1;
	}
	close(fd);
	return nfd;
}

static struct restore_shared *make_shared(struct pstree *tree, int svc_base)
{
	size_t size = sizeof(struct restore_shared) + tree->nr_tasks * 2 * sizeof(unsigned long);
	struct restore_shared *sh = mmap(NULL, size, PROT_READ | PROT_WRITE,
					 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (sh == MAP_FAILED) {
		pr_perror("Can't allocate restore state");
		return NULL;
	}
	sh->stage = STAGE_NS;
	sh->nr_tasks = tree->nr_tasks;
	sh->svc_base = svc_base;
	sh->leave_stopped = opts.leave_stopped;
	return sh;
}

static int start_tree(struct pstree *tree, struct restore_shared *sh, int *ready_r, int *go_w)
{
	int rp[2], gp[2];
	pid_t pid;

	if (pipe2(rp, O_CLOEXEC) || pipe2(gp, O_CLOEXEC)) {
		pr_perror("Can't create barrier pipes");
		return -1;
	}
	sh->ready_w = move_fd(rp[1], sh->svc_base + 2);
	sh->go_r = move_fd(gp[0], sh->svc_base + 3);
	*ready_r = move_fd(rp[0], sh->svc_base + 4);
	*go_w = move_fd(gp[1], sh->svc_base + 5);
	if (sh->ready_w < 0 || sh->go_r < 0 || *ready_r < 0 || *go_w < 0)
		return -1;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		pr_perror("Can't become a child subreaper");
		return -1;
	}
	if (fault_hit(FAULT_RESTORE_FORK)) {
		pr_err("Can't create pid %d (injected fault)\n", tree->root->pid);
		return -1;
	}
	/* -S: the root becomes criu's sibling, a child of criu's parent */
	pid = clone_with_pid(tree->root->pid, opts.restore_sibling ? CLONE_PARENT : 0);
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(*ready_r);
		close(*go_w);
		restore_task_body(tree->root, sh);
	}
	close(sh->ready_w);
	close(sh->go_r);
	return 0;
}

static int run_restore(struct pstree *tree, struct restore_shared *sh, int ready_r, int go_w)
{
	/*
	 * The root waits, created and nothing restored yet. No namespace is
	 * restored, so nothing comes between the two hooks; scripts that set
	 * up the root's surroundings (cgroups, networking) run here as with CRIU.
	 */
	if (run_action_scripts("setup-namespaces", tree->root->pid) ||
	    run_action_scripts("post-setup-namespaces", tree->root->pid))
		return -1;
	stage_open(sh, STAGE_FORK);
	for (int st = STAGE_FORK; st <= STAGE_PREPARE; st++)
		if (run_stage(sh, st))
			return -1;
	if (wait_ready(ready_r, total_threads(tree), sh))
		return -1;
	return finish_tree(tree, sh, go_w);
}

static int wait_root(pid_t root)
{
	for (;;) {
		int status;
		pid_t p = waitpid(-1, &status, __WALL);

		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0)
			return 1;
		if (p == root)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
}

/*
 * --cpu-cap on restore (default fpu): what must match between the CPU the
 * images were made on and this one. The xsave state in the images is always
 * checked against XCR0 (check_task); cpuinfo.img, when dumped with
 * --cpu-cap, is compared under the classes asked for.
 */
static int check_cpu(void)
{
	struct cpu_info img, now;
	char *missing = NULL;
	int caps, n;
	struct stat st;

	caps = cpu_cap_parse(opts.cpu_cap_set ? opts.cpu_cap : NULL, CPU_CAP_FPU);
	if (caps <= 0)
		return caps;
	if (fstatat(img_dir_fd(), "cpuinfo.img", &st, 0)) {
		if (caps & ~CPU_CAP_FPU) {
			pr_err("--cpu-cap asks to compare CPUs but the images have no cpuinfo.img "
			       "(dump with --cpu-cap)\n");
			return -1;
		}
		return 0;
	}
	if (cpu_read_image(&img) || cpu_collect(&now))
		return -1;
	n = cpu_compare(&img, &now, caps, &missing);
	if (n > 0)
		pr_err("This CPU lacks what the images need: %s\n", missing ? missing : "?");
	free(missing);
	return n ? -1 : 0;
}

/* ---- checking mode ---- */

static uint64_t mem_available(void)
{
	char *buf = read_whole_file("/proc/meminfo", NULL), *p;
	uint64_t kb = 0;

	if (buf && (p = strstr(buf, "MemAvailable:")))
		kb = strtoull(p + 13, NULL, 10);
	free(buf);
	return kb * 1024;
}

static uint64_t xcr0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

/* The register state in the images must be loadable by this CPU. */
static int check_xstate(struct pstree *tree)
{
	uint64_t have = xcr0();

	for (int i = 0; i < tree->nr_tasks; i++) {
		struct rst_task *rt = tree->tasks[i]->priv;

		for (int k = 0; rt && k < rt->nr_threads; k++) {
			uint64_t want;

			memcpy(&want, rt->threads[k]->xsave.data + 464, sizeof(want));
			if (want & ~have) {
				pr_err("Thread %u uses CPU state 0x%lx this CPU lacks (has 0x%lx)\n",
				       rt->threads[k]->tid, (unsigned long)(want & ~have),
				       (unsigned long)have);
				return -1;
			}
		}
	}
	return 0;
}

/*
 * restore --check-only looks at each file once: libc is mapped five times
 * by every task, but is read once and named once when it changed.
 */
struct checked_file {
	char *path;
	bool reported;		/* its failure is printed already */
	bool hashed;
	uint8_t sha[SHA256_DIGEST_LEN];
};
static struct checked_file *checked;
static int nr_checked;

static void checked_reset(void)
{
	for (int i = 0; i < nr_checked; i++)
		free(checked[i].path);
	free(checked);
	checked = NULL;
	nr_checked = 0;
}

static struct checked_file *checked_get(const char *path)
{
	struct checked_file *n;

	for (int i = 0; i < nr_checked; i++)
		if (!strcmp(checked[i].path, path))
			return &checked[i];
	n = realloc(checked, (nr_checked + 1) * sizeof(*n));
	if (!n)
		return NULL;
	checked = n;
	n = &checked[nr_checked];
	memset(n, 0, sizeof(*n));
	n->path = strdup(path);
	if (!n->path)
		return NULL;
	nr_checked++;
	return n;
}

/*
 * The file at @path (open at @fd, or not opened: @fd < 0) against what the
 * dump saw: size, mtime if given, SHA-256 if recorded. One line per file.
 */
static int check_file(const char *path, int fd, uint64_t size, const uint64_t *mtime_ns,
		      const ProtobufCBinaryData *sha)
{
	struct checked_file *c = checked_get(path);
	const char *why;
	char buf[128];

	if (!c) {
		pr_err("No memory to check %s\n", path);
		return -1;
	}
	if (fd < 0) {
		if (!c->reported)
			pr_perror("check: can't open %s", path);
		c->reported = true;
		return -1;
	}
	why = file_change(fd, size, mtime_ns, buf, sizeof(buf));
	if (!why && sha && !c->hashed) {
		if (sha256_fd(fd, c->sha, NULL)) {
			snprintf(buf, sizeof(buf), "can't read it to digest: %m");
			why = buf;
		} else {
			c->hashed = true;
		}
	}
	if (!why && sha && memcmp(c->sha, sha->data, SHA256_DIGEST_LEN))
		why = "sha256 differs";
	if (!why)
		return 0;
	if (!c->reported)
		pr_err("check: %s changed since dump (%s)\n", path, why);
	c->reported = true;
	return -1;
}

/*
 * Every mapped file and the executable there and unchanged: by size and
 * mtime, and with @digests by SHA-256 where the dump recorded one.
 */
static int check_task_files(struct task *t, bool digests)
{
	struct rst_task *rt = t->priv;
	MmEntry *mm = rt->mm;
	int ret = 0, fd;

	for (size_t i = 0; i < mm->n_vmas; i++) {
		VmaEntry *v = mm->vmas[i];

		if (!(v->status & (VMA_FILE_PRIVATE | VMA_FILE_SHARED)))
			continue;
		fd = open_mapped_file(v);
		/* the same rule as a restore: mtime for private mappings only */
		if (check_file(v->path, fd, v->file_size,
			       v->status & VMA_FILE_PRIVATE ? &v->file_mtime_ns : NULL,
			       digests && v->has_file_sha256 ? &v->file_sha256 : NULL))
			ret = -1;
		if (fd >= 0)
			close(fd);
	}
	fd = open(mm->exe_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_perror("check: executable %s of pid %d", mm->exe_path, t->pid);
		ret = -1;
	} else if (mm->has_exe_size &&
		   check_file(mm->exe_path, fd, mm->exe_size,
			      mm->has_exe_mtime_ns ? &mm->exe_mtime_ns : NULL,
			      digests && mm->has_exe_sha256 ? &mm->exe_sha256 : NULL)) {
		ret = -1;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * A real restore compares size and mtime only, before any task exists:
 * reading every library would cost each restore milliseconds (more for a
 * large executable), and restore --check-only is there to run first when
 * files may have been replaced with their mtime kept.
 */
static int check_tree_files(struct pstree *tree, bool digests)
{
	int ret = 0;

	for (int i = 0; i < tree->nr_tasks; i++)
		if (tree->tasks[i]->priv && check_task_files(tree->tasks[i], digests))
			ret = -1;
	checked_reset();
	return ret;
}

/*
 * Shared anonymous memory the restore fills: the page data of each object,
 * once however many tasks map it. A check-only dump copies none, so there
 * this counts nothing.
 */
static uint64_t shmem_need(struct pstree *tree)
{
	uint64_t need = 0, *seen = NULL;
	size_t nr_seen = 0;

	for (int i = 0; i < tree->nr_tasks; i++) {
		struct rst_task *rt = tree->tasks[i]->priv;

		for (size_t k = 0; rt && k < rt->mm->n_vmas; k++) {
			VmaEntry *v = rt->mm->vmas[k];
			bool have = false;
			char name[64];
			struct stat st;
			uint64_t *ns;

			if (!(v->status & VMA_ANON_SHARED))
				continue;
			for (size_t s = 0; s < nr_seen && !have; s++)
				have = seen[s] == v->shmid;
			if (have)
				continue;
			ns = realloc(seen, (nr_seen + 1) * sizeof(*ns));
			if (!ns)
				break;
			seen = ns;
			seen[nr_seen++] = v->shmid;
			snprintf(name, sizeof(name), "pages-shmem-%lu.img", (unsigned long)v->shmid);
			if (!fstatat(img_dir_fd(), name, &st, 0))
				need += st.st_size;
		}
	}
	free(seen);
	return need;
}

/*
 * Everything a restore would check, and every step that can be undone,
 * then undone: no task is created, no pid taken, nothing left open.
 */
static int check_restore(struct pstree *tree, int min_fd)
{
	uint64_t need = 0, avail;
	int ret = check_cpu() || check_xstate(tree) ? -1 : 0;

	if (check_tree_files(tree, true))
		ret = -1;
	for (int i = 0; i < tree->nr_tasks; i++) {
		struct rst_task *rt = tree->tasks[i]->priv;

		for (int k = 0; rt && k < rt->nr_pagemap; k++)
			need += rt->pagemap[k]->nr_pages * 4096UL;
	}
	need += shmem_need(tree);
	if (restore_open_files(tree, min_fd, true))
		ret = -1;
	restore_files_reset();
	avail = mem_available();
	if (need > avail) {
		pr_err("check: the restore needs %lu MiB of memory, MemAvailable is %lu MiB\n",
		       (unsigned long)(need >> 20), (unsigned long)(avail >> 20));
		ret = -1;
	}
	if (!ret)
		pr_msg("Restore check passed: %d tasks, %lu MiB of memory\n", tree->nr_tasks,
		       (unsigned long)(need >> 20));
	return ret;
}

/* criu holds the shared descriptions above the highest task fd: use all the hard limit allows */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			pr_warn("Can't raise criu's open-files limit to %lu\n",
				(unsigned long)rl.rlim_max);
	}
}

int restore_tree(void)
{
	struct restore_shared *sh = NULL;
	InventoryEntry *inv = NULL;
	struct pstree tree;
	int ret = -1, max_fd, svc_base, ready_r = -1, go_w = -1;

	raise_nofile();
	if (load_tree(&tree, &inv) || check_pids_free(&tree))
		goto out;
	if (inv->kind == DUMP_KIND__CHECK_ONLY || opts.check_only) {
		pr_msg("Checking mode enabled\n");
		ret = check_restore(&tree, restore_max_fd(&tree) + 64);
		goto out;
	}
	if (inv->kind != DUMP_KIND__FULL) {
		pr_err("unsupported: restoring a pre-dump image set\n");
		goto out;
	}
	if (inv->has_shell_job && inv->shell_job && !opts.shell_job) {
		pr_err("The images were dumped with --shell-job; restore needs it too\n");
		goto out;
	}
	if (check_cpu() || check_xstate(&tree) || check_tree_files(&tree, false))
		goto out;
	max_fd = restore_max_fd(&tree);
	if (max_fd < 0)
		goto out;
	svc_base = max_fd + 1;
	if (log_get_fd() != STDERR_FILENO) {
		int lfd = move_fd(log_get_fd(), svc_base);

		if (lfd < 0 || log_adopt_fd(lfd))
			goto out;
	}
	sh = make_shared(&tree, svc_base);
	if (!sh)
		goto out;
	/* a copy for the tasks: criu keeps logging through its own fd */
	sh->log_fd = fcntl(log_get_fd(), F_DUPFD_CLOEXEC, svc_base + 6);
	sh->img_fd = img_dir_move(svc_base + 7);
	if (sh->log_fd < 0 || sh->img_fd < 0 || prepare_shmems(&tree, svc_base + 8) ||
	    restore_open_files(&tree, svc_base + 64, false))
		goto out;
	if (run_action_scripts("pre-restore", 0) || start_tree(&tree, sh, &ready_r, &go_w))
		goto out;
	ret = run_restore(&tree, sh, ready_r, go_w);
	if (ret) {
		pr_warn("Restore failed; killing every task it created\n");
		stage_fail(sh);
		kill_tree(&tree);
		goto out;
	}
	pr_info("Restored %d tasks, root %d\n", tree.nr_tasks, tree.root->pid);
	/* the tree holds its files now; criu's copies would keep pipes and ptys from hanging up */
	restore_files_reset();
	if (write_pidfile(tree.root->pid))
		ret = -1;
	/* --status-fd: one byte once the tree runs (or is stopped, as asked) */
	if (!ret)
		tell_status_fd();
	if (!ret)
		run_action_scripts("post-resume", tree.root->pid);
	/* without -d criu stays the root's parent until it exits; a sibling it cannot wait for */
	if (!ret && !opts.restore_detached && !opts.restore_sibling)
		ret = wait_root(tree.root->pid);
out:
	if (ready_r >= 0)
		close(ready_r);
	restore_files_reset();
	free_shmems();
	for (int i = 0; i < tree.nr_tasks; i++)
		restore_free_task(tree.tasks[i]);
	pstree_free(&tree);
	if (inv)
		protobuf_c_message_free_unpacked(&inv->base, NULL);
	return ret;
}
