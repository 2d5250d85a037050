// SPDX-License-Identifier: GPL-2.0
/* What each new task does for itself, still running criu's code: take its
 * place in the tree, its files and its attributes, then build the restorer
 * area and jump into the blob. */
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/rseq.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include "engine/aio.h"
#include "engine/core.h"
#include "engine/files.h"
#include "engine/restore-shared.h"
#include "engine/restore.h"
#include "engine/vma.h"
#include "images/image.h"
#include "pie/restorer.h"
#include "restorer-syms.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/options.h"
#include "util/proc.h"
#include "util/sys.h"

extern const uint8_t _binary_restorer_bin_start[], _binary_restorer_bin_end[];

#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516
#define FP_XSTATE_MAGIC1 0x46505853U
#define FP_XSTATE_MAGIC2 0x46505845U
#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4

static long futex(int *addr, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, addr, op, val, ts, NULL, 0);
}

void stage_done(struct restore_shared *sh)
{
	__atomic_add_fetch(&sh->count, 1, __ATOMIC_SEQ_CST);
	futex(&sh->count, FUTEX_WAKE, INT32_MAX, NULL);
}

void stage_fail(struct restore_shared *sh)
{
	__atomic_store_n(&sh->error, 1, __ATOMIC_SEQ_CST);
	futex(&sh->count, FUTEX_WAKE, INT32_MAX, NULL);
	futex(&sh->stage, FUTEX_WAKE, INT32_MAX, NULL);
}

bool stage_wait_past(struct restore_shared *sh, int stage)
{
	for (;;) {
		int cur = __atomic_load_n(&sh->stage, __ATOMIC_SEQ_CST);

		if (__atomic_load_n(&sh->error, __ATOMIC_SEQ_CST))
			return false;
		if (cur > stage)
			return true;
		futex(&sh->stage, FUTEX_WAIT, cur, NULL);
	}
}

__attribute__((noreturn)) static void task_die(struct restore_shared *sh, struct task *t)
{
	pr_warn("Restoring pid %d failed\n", t->pid);
	stage_fail(sh);
	_exit(1);
}

pid_t clone_with_pid(pid_t pid, uint64_t flags)
{
	struct clone_args ca = { 0 };
	pid_t want = pid;
	long r;

	ca.flags = flags;
	/* with CLONE_PARENT the child inherits criu's own exit signal */
	ca.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
	ca.set_tid = (uint64_t)&want;
	ca.set_tid_size = 1;
	r = sys_clone3(&ca);
	if (r < 0) {
		if (errno == EEXIST)
			pr_err("Can't restore pid %d: it is taken by another process\n", pid);
		else
			pr_perror("Can't create a task with pid %d", pid);
	}
	return r;
}

static void zombie_handler(int sig)
{
	(void)sig;
}

/* What /proc shows of a zombie: name and signal dispositions and mask. */
static void zombie_looks(struct task *z)
{
	sigset_t blk;

	prctl(PR_SET_NAME, z->comm);
	sigemptyset(&blk);
	for (int sig = 1; sig <= 64; sig++) {
		unsigned long long bit = 1ULL << (sig - 1);

		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (z->sig_cgt & bit)
			signal(sig, zombie_handler);
		else if (z->sig_ign & bit)
			signal(sig, SIG_IGN);
		else
			signal(sig, SIG_DFL);
		if ((z->sig_blk & bit) && sig != WTERMSIG(z->exit_code))
			sigaddset(&blk, sig);
	}
	if (WIFSIGNALED(z->exit_code))
		signal(WTERMSIG(z->exit_code), SIG_DFL);
	sigprocmask(SIG_SETMASK, &blk, NULL);
}

__attribute__((noreturn)) static void zombie_body(struct task *z, struct restore_shared *sh)
{
	/* a zombie may still lead a session or a group that live tasks are in */
	if ((z->sid == z->pid && setsid() < 0) ||
	    (z->pgid == z->pid && getpgid(0) != z->pid && setpgid(0, 0))) {
		pr_perror("Can't make zombie %d lead its session %d / group %d", z->pid, z->sid,
			  z->pgid);
		task_die(sh, z);
	}
	stage_done(sh);
	if (!stage_wait_past(sh, STAGE_FORK))
		_exit(1);
	if (z->pgid != z->pid && z->pgid != getpgid(0) && setpgid(0, z->pgid)) {
		pr_perror("Can't put zombie %d into group %d", z->pid, z->pgid);
		task_die(sh, z);
	}
	stage_done(sh);
	if (!stage_wait_past(sh, STAGE_PGID))
		_exit(1);
	if (setgroups(z->nr_groups, z->groups) || setresgid(z->gid, z->gid, z->gid) ||
	    setresuid(z->uid, z->uid, z->uid)) {
		pr_perror("Can't give zombie %d its ids", z->pid);
		task_die(sh, z);
	}
	if (WIFSIGNALED(z->exit_code)) {
		struct rlimit no_core = { 0, 0 };

		setrlimit(RLIMIT_CORE, &no_core);
	}
	stage_done(sh);
	zombie_looks(z);
	if (WIFSIGNALED(z->exit_code))
		kill(getpid(), WTERMSIG(z->exit_code));
	_exit(WEXITSTATUS(z->exit_code));
}

__attribute__((noreturn)) static void helper_body(struct task *h, struct restore_shared *sh)
{
	if (setpgid(0, 0)) {
		pr_perror("Can't make helper %d a group leader", h->pid);
		task_die(sh, h);
	}
	stage_done(sh);
	if (!stage_wait_past(sh, STAGE_FORK))
		_exit(1);
	stage_done(sh);
	if (!stage_wait_past(sh, STAGE_PGID))
		_exit(1);
	stage_done(sh);
	_exit(0);
}

/* A child that shared its parent's fd table or fs struct gets it the same way. */
static uint64_t share_flags(const struct task *t, const struct task *k)
{
	uint64_t flags = 0;

	if (k->kind != TASK_ALIVE && k->kind != TASK_STOPPED)
		return 0;
	if (k->files_id == t->files_id)
		flags |= CLONE_FILES;
	if (k->fs_id == t->fs_id)
		flags |= CLONE_FS;
	return flags;
}

static bool owns_fd_table(const struct task *t)
{
	return !t->parent || t->parent->files_id != t->files_id;
}

static int fork_children(struct task *t, struct restore_shared *sh)
{
	for (int i = 0; i < t->nr_kids; i++) {
		struct task *k = t->kids[i];
		pid_t pid;

		if (fault_hit(FAULT_RESTORE_FORK) && k->kind != TASK_HELPER) {
			pr_err("Can't create pid %d (injected fault)\n", k->pid);
			return -1;
		}
		pid = clone_with_pid(k->pid, share_flags(t, k));
		if (pid < 0)
			return -1;
		if (pid)
			continue;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (k->kind == TASK_ZOMBIE)
			zombie_body(k, sh);
		if (k->kind == TASK_HELPER)
			helper_body(k, sh);
		restore_task_body(k, sh);
	}
	return 0;
}

/* Reap helpers; wait (without reaping) for zombies to be dead; then forget
 * the SIGCHLDs they raised, which the original task had already seen. */
static int settle_children(struct task *t)
{
	sigset_t chld;
	struct timespec zero = { 0, 0 };

	for (int i = 0; i < t->nr_kids; i++) {
		struct task *k = t->kids[i];
		siginfo_t si;

		if (k->kind == TASK_HELPER && waitpid(k->pid, NULL, 0) < 0) {
			pr_perror("Can't reap helper %d", k->pid);
			return -1;
		}
		if (k->kind == TASK_ZOMBIE &&
		    waitid(P_PID, k->pid, &si, WEXITED | WNOWAIT) < 0) {
			pr_perror("Can't wait for zombie %d", k->pid);
			return -1;
		}
	}
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	while (sigtimedwait(&chld, NULL, &zero) > 0)
		;
	return 0;
}

static int restore_ids(struct task *t, struct restore_shared *sh)
{
	if (t->sid == t->pid && setsid() < 0) {
		pr_perror("Can't make %d a session leader", t->pid);
		return -1;
	}
	if (t->pgid == t->pid && getpgid(0) != t->pid && setpgid(0, 0)) {
		pr_perror("Can't make %d a group leader", t->pid);
		return -1;
	}
	if (t->sid != t->pid && getsid(0) != t->sid && !(opts.shell_job && !t->parent)) {
		pr_err("unsupported: pid %d in session %d cannot inherit it (parent's is %d)\n",
		       t->pid, t->sid, getsid(0));
		return -1;
	}
	(void)sh;
	return 0;
}

static int join_group(struct task *t)
{
	if (t->pgid == t->pid || getpgid(0) == t->pgid)
		return 0;
	if (opts.shell_job && !t->parent)
		return 0;	/* stays in criu's group */
	if (setpgid(0, t->pgid)) {
		pr_perror("Can't put %d into process group %d", t->pid, t->pgid);
		return -1;
	}
	return 0;
}

static int restore_attrs(struct task *t)
{
	struct rst_task *rt = t->priv;
	TaskCoreEntry *tc = rt->core;

	umask(tc->umask);
	if (personality(tc->personality) < 0) {
		pr_perror("Can't set personality 0x%x of %d", tc->personality, t->pid);
		return -1;
	}
	for (size_t i = 0; i < tc->n_rlimits; i++) {
		struct rlimit rl = { tc->rlimits[i]->cur, tc->rlimits[i]->max };

		/* criu still opens files for the restorer: the blob sets this one last */
		if (tc->rlimits[i]->resource == RLIMIT_NOFILE)
			continue;
		if (setrlimit(tc->rlimits[i]->resource, &rl)) {
			pr_perror("Can't set rlimit %u of %d to %lu/%lu", tc->rlimits[i]->resource,
				  t->pid, (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max);
			return -1;
		}
	}
	if (tc->has_sched_policy) {
		struct sched_param sp = { .sched_priority = tc->sched_prio };

		if (sched_setscheduler(0, tc->sched_policy, &sp)) {
			pr_perror("Can't set scheduler %u of %d", tc->sched_policy, t->pid);
			return -1;
		}
	}
	if (tc->has_nice && setpriority(PRIO_PROCESS, 0, tc->nice)) {
		pr_perror("Can't set nice %d of %d", tc->nice, t->pid);
		return -1;
	}
	if (tc->has_child_subreaper && prctl(PR_SET_CHILD_SUBREAPER, tc->child_subreaper)) {
		pr_perror("Can't set child subreaper of %d", t->pid);
		return -1;
	}
	if (prctl(PR_SET_NAME, tc->comm)) {
		pr_perror("Can't set name of %d", t->pid);
		return -1;
	}
	if (tc->has_oom_score_adj) {
		char buf[16];
		int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		int n = snprintf(buf, sizeof(buf), "%d", tc->oom_score_adj);

		if (fd < 0 || write(fd, buf, n) != n) {
			pr_perror("Can't set oom_score_adj %d of %d", tc->oom_score_adj, t->pid);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

/* ---- the restorer area ---- */

struct area_builder {
	uint8_t *buf;		/* the args block being built */
	size_t len, cap;
	uint64_t base;		/* where the args block will live */
};

static uint64_t ab_alloc(struct area_builder *ab, size_t len, size_t align)
{
	size_t off = (ab->len + align - 1) & ~(align - 1);

	if (off + len > ab->cap) {
		size_t ncap = (off + len) * 2;
		uint8_t *nb = realloc(ab->buf, ncap);

		if (!nb)
			return (uint64_t)-1;
		memset(nb + ab->cap, 0, ncap - ab->cap);
		ab->buf = nb;
		ab->cap = ncap;
	}
	ab->len = off + len;
	return off;
}

static void *ab_ptr(struct area_builder *ab, uint64_t off)
{
	return ab->buf + off;
}

/* Emulate what the kernel does to a syscall interrupted by our freeze. */
static void fix_syscall_restart(struct user_regs_struct *r)
{
	long ret = (long)r->rax;

	if ((long)r->orig_rax < 0)
		return;
	/* a restart of a restart: what was being restarted is lost with the kernel's block */
	if (r->orig_rax == SYS_restart_syscall && -ret == ERESTART_RESTARTBLOCK) {
		r->rax = -EINTR;
		return;
	}
	switch (-ret) {
	case ERESTARTSYS:
	case ERESTARTNOINTR:
	case ERESTARTNOHAND:
	/*
	 * The kernel's restart block (what is left of a sleep) does not survive:
	 * call the original syscall again. A relative sleep then lasts longer,
	 * which the interface allows; a spurious EINTR it would not.
	 */
	case ERESTART_RESTARTBLOCK:
		r->rax = r->orig_rax;
		r->rip -= 2;
		break;
	}
}

static int build_frame(struct area_builder *ab, const ThreadCoreEntry *th, uint64_t *frame_addr)
{
	struct user_regs_struct r;
	struct rst_sigframe *f;
	struct rst_sigcontext *sc;
	uint64_t foff, xoff;
	size_t xsize = th->xsave.len;
	uint8_t *x;

	if (th->gpregs.len != sizeof(r) || xsize < 576 || xsize > XSAVE_MAX) {
		pr_err("Thread %u has malformed registers in its core image\n", th->tid);
		return -1;
	}
	memcpy(&r, th->gpregs.data, sizeof(r));
	fix_syscall_restart(&r);
	foff = ab_alloc(ab, sizeof(*f), 64);
	xoff = ab_alloc(ab, xsize + 4, 64);
	if (foff == (uint64_t)-1 || xoff == (uint64_t)-1)
		return -1;
	f = ab_ptr(ab, foff);
	sc = &f->uc.uc_mcontext;
	f->uc.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f->uc.ss_sp = th->sas_sp;
	f->uc.ss_flags = th->sas_flags;
	f->uc.ss_size = th->sas_size;
	f->uc.uc_sigmask = th->blocked;
	sc->r8 = r.r8, sc->r9 = r.r9, sc->r10 = r.r10, sc->r11 = r.r11;
	sc->r12 = r.r12, sc->r13 = r.r13, sc->r14 = r.r14, sc->r15 = r.r15;
	sc->rdi = r.rdi, sc->rsi = r.rsi, sc->rbp = r.rbp, sc->rbx = r.rbx;
	sc->rdx = r.rdx, sc->rax = r.rax, sc->rcx = r.rcx, sc->rsp = r.rsp;
	sc->rip = r.rip, sc->eflags = r.eflags;
	sc->cs = r.cs, sc->ss = r.ss, sc->fs = 0, sc->gs = 0;
	sc->fpstate = ab->base + xoff;
	x = ab_ptr(ab, xoff);
	memcpy(x, th->xsave.data, xsize);
	/* software-reserved bytes of the fxsave area say an xsave frame follows */
	{
		uint32_t *sw = (uint32_t *)(x + 464);
		uint64_t xfeatures;

		/* ptrace leaves XCR0 in the first software-reserved word */
		memcpy(&xfeatures, sw, sizeof(xfeatures));
		if (sw[0] != FP_XSTATE_MAGIC1) {
			sw[0] = FP_XSTATE_MAGIC1;
			memcpy(&sw[2], &xfeatures, sizeof(xfeatures));
		}
		sw[1] = xsize + 4;
		sw[4] = xsize;
		*(uint32_t *)(x + xsize) = FP_XSTATE_MAGIC2;
	}
	*frame_addr = ab->base + foff;
	return 0;
}

/* Filters come newest first from the kernel; the blob installs oldest first. */
static int add_seccomp(struct area_builder *ab, const ThreadCoreEntry *th,
		       struct rst_thread **rth, uint64_t thr_off, int idx)
{
	size_t total = 0;
	uint64_t off, pos;

	for (size_t i = 0; i < th->n_seccomp_filters; i++)
		total += 8 + th->seccomp_filters[i].len;
	off = ab_alloc(ab, total + 8, 8);
	if (off == (uint64_t)-1)
		return -1;
	*rth = (struct rst_thread *)ab_ptr(ab, thr_off) + idx;
	(*rth)->seccomp_off = off;
	(*rth)->nr_seccomp = th->n_seccomp_filters;
	pos = off;
	for (size_t i = th->n_seccomp_filters; i-- > 0;) {
		uint64_t count = th->seccomp_filters[i].len / 8;

		memcpy(ab_ptr(ab, pos), &count, 8);
		memcpy(ab_ptr(ab, pos + 8), th->seccomp_filters[i].data, count * 8);
		pos += 8 + count * 8;
	}
	return 0;
}

static int add_siginfos(struct area_builder *ab, SiginfoEntry **infos, size_t nr, uint64_t *off)
{
	*off = ab_alloc(ab, nr * 128 + 1, 8);
	if (*off == (uint64_t)-1)
		return -1;
	for (size_t i = 0; i < nr; i++) {
		if (infos[i]->siginfo.len != 128)
			return -1;
		memcpy(ab_ptr(ab, *off + i * 128), infos[i]->siginfo.data, 128);
	}
	return 0;
}

struct own_layout {
	struct rst_range vdso[RST_VDSO_PARTS];
	struct proc_vma *vmas;
	int nr;
};

static const char *const vdso_names[RST_VDSO_PARTS] = { "[vvar]", "[vvar_vclock]", "[vdso]" };
static const uint32_t vdso_status[RST_VDSO_PARTS] = { VMA_VVAR, VMA_VVAR_VCLOCK, VMA_VDSO };

static bool overlaps(uint64_t s, uint64_t e, uint64_t s2, uint64_t e2)
{
	return s < e2 && s2 < e;
}

/* A place for the area that is free in criu's layout and in the target's. */
static uint64_t find_area(const struct own_layout *own, const MmEntry *mm, size_t size)
{
	for (uint64_t cand = 0x7f0000000000ULL; cand > 0x10000000ULL; cand -= 0x10000000ULL) {
		bool ok = true;

		for (int i = 0; i < own->nr && ok; i++)
			ok = !overlaps(cand, cand + size, own->vmas[i].start, own->vmas[i].end);
		for (size_t i = 0; i < mm->n_vmas && ok; i++)
			ok = !overlaps(cand, cand + size, mm->vmas[i]->start, mm->vmas[i]->end);
		if (ok)
			return cand;
	}
	return 0;
}

int open_mapped_file(const VmaEntry *v)
{
	int flags = (v->status & VMA_FILE_SHARED) && (v->prot & PROT_WRITE) ? O_RDWR : O_RDONLY;

	return open(v->path, flags | O_CLOEXEC);
}

const char *file_change(int fd, uint64_t size, const uint64_t *mtime_ns, char *buf, size_t len)
{
	struct stat st;

	if (fstat(fd, &st)) {
		snprintf(buf, len, "fstat: %m");
		return buf;
	}
	if ((uint64_t)st.st_size != size) {
		snprintf(buf, len, "size %lu, was %lu", (unsigned long)st.st_size,
			 (unsigned long)size);
		return buf;
	}
	if (mtime_ns &&
	    (uint64_t)st.st_mtim.tv_sec * 1000000000ULL + st.st_mtim.tv_nsec != *mtime_ns) {
		snprintf(buf, len, "mtime differs");
		return buf;
	}
	return NULL;
}

int open_vma_file(const VmaEntry *v, int svc_min)
{
	const char *why;
	char buf[96];
	int fd = open_mapped_file(v), hi;

	if (fd < 0) {
		pr_perror("Can't open mapped file %s", v->path);
		return -1;
	}
	/* a private mapping reads its untouched pages from the file: a write since matters */
	why = file_change(fd, v->file_size,
			  v->status & VMA_FILE_PRIVATE ? &v->file_mtime_ns : NULL, buf, sizeof(buf));
	if (why) {
		pr_err("Mapped file %s changed since dump (%s)\n", v->path, why);
		close(fd);
		return -1;
	}
	hi = fcntl(fd, F_DUPFD_CLOEXEC, svc_min);
	close(fd);
	return hi;
}

static uint64_t madv_bits(uint64_t vmf)
{
	uint64_t b = 0;

	if (vmf & VMF_DC)
		b |= 1ULL << MADV_DONTFORK;
	if (vmf & VMF_WF)
		b |= 1ULL << MADV_WIPEONFORK;
	if (vmf & VMF_HG)
		b |= 1ULL << MADV_HUGEPAGE;
	if (vmf & VMF_NH)
		b |= 1ULL << MADV_NOHUGEPAGE;
	if (vmf & VMF_DD)
		b |= 1ULL << MADV_DONTDUMP;
	return b;
}

/* shmem fds by id, created by the master (restore.c) */
int restore_shmem_fd(uint64_t shmid);
int restore_shmem_fds(int *fds, int max);
bool is_shmem_fd(int fd);

static int fill_vmas(struct area_builder *ab, pid_t pid, const MmEntry *mm, int svc_min,
		     bool open_files)
{
	uint64_t off = ab_alloc(ab, (mm->n_vmas + 1) * sizeof(struct rst_vma), 8);
	int nv = 0;

	if (off == (uint64_t)-1)
		return -1;
	for (size_t i = 0; i < mm->n_vmas; i++) {
		const VmaEntry *v = mm->vmas[i];
		struct rst_vma *rv;

		if (v->status & VMA_KERNEL_SPECIAL)
			continue;
		rv = (struct rst_vma *)ab_ptr(ab, off) + nv++;
		rv->start = v->start;
		rv->end = v->end;
		rv->pgoff = v->pgoff;
		rv->prot = v->prot;
		rv->fd = -1;
		rv->growsdown = !!(v->status & VMA_GROWSDOWN);
		rv->locked = !!(v->madv & VMF_LO);
		rv->madv_set = madv_bits(v->madv);
		if (v->status & VMA_ANON_PRIVATE) {
			rv->kind = RST_VMA_ANON;
		} else if (v->status & VMA_AIO_RING) {
			if (aio_check_ring(pid, v))
				return -1;
			rv->kind = RST_VMA_AIO;
			rv->aio_head = v->aio_head;
			rv->aio_tail = v->aio_tail;
			rv->aio_id = v->aio_id;
		} else if (v->status & VMA_ANON_SHARED) {
			rv->kind = RST_VMA_SHARED;
			rv->fd = open_files ? restore_shmem_fd(v->shmid) : 0;
		} else {
			rv->kind = (v->status & VMA_FILE_SHARED) ? RST_VMA_SHARED :
								   RST_VMA_FILE_PRIVATE;
			rv->fd = open_files ? open_vma_file(v, svc_min) : 0;
		}
		if (rv->kind != RST_VMA_ANON && rv->kind != RST_VMA_AIO && rv->fd < 0)
			return -1;
	}
	return nv;
}

struct area_plan {
	uint64_t start, size;
	uint64_t blob_size, args_off, park_off, stacks_off;
	uint64_t args_len;	/* bytes of arguments built; the area rounds up to a page */
};

static void *lay_out_args(struct task *t, struct restore_shared *sh, struct own_layout *own,
			  struct area_plan *plan, int svc_min)
{
	struct rst_task *rt = t->priv;
	const MmEntry *mm = rt->mm;
	const TaskCoreEntry *tc = rt->core;
	struct area_builder ab = { 0 };
	struct restorer_args *a;
	uint64_t aoff, vmas_off, pm_off, thr_off, auxv_off, sp_off, tm_off;
	int nv;

	plan->blob_size = (_binary_restorer_bin_end - _binary_restorer_bin_start + RST_PAGE - 1) &
			  ~(RST_PAGE - 1);
	/* the args block size is known only once built: build at a provisional base,
	 * then rebuild at the final one (cheap: a few pages) */
	for (int pass = 0; pass < 2; pass++) {
		free(ab.buf);
		memset(&ab, 0, sizeof(ab));
		ab.base = plan->start + plan->blob_size;
		aoff = ab_alloc(&ab, sizeof(*a), 64);
		if (aoff != 0)
			return NULL;
		vmas_off = ab.len;
		nv = fill_vmas(&ab, t->pid, mm, svc_min, pass == 1);
		if (nv < 0)
			return NULL;
		pm_off = ab_alloc(&ab, (rt->nr_pagemap + 1) * sizeof(struct rst_pagemap), 8);
		auxv_off = ab_alloc(&ab, (mm->n_auxv + 1) * 8, 8);
		thr_off = ab_alloc(&ab, rt->nr_threads * sizeof(struct rst_thread), 8);
		if (pm_off == (uint64_t)-1 || auxv_off == (uint64_t)-1 || thr_off == (uint64_t)-1)
			return NULL;
		memcpy(ab_ptr(&ab, auxv_off), mm->auxv, mm->n_auxv * 8);
		for (int i = 0; i < rt->nr_pagemap; i++) {
			struct rst_pagemap *p = (struct rst_pagemap *)ab_ptr(&ab, pm_off) + i;

			p->vaddr = rt->pagemap[i]->vaddr;
			p->nr_pages = rt->pagemap[i]->nr_pages;
			p->file_off = rt->pagemap[i]->file_off;
		}
		if (add_siginfos(&ab, tc->shared_pending, tc->n_shared_pending, &sp_off))
			return NULL;
		tm_off = ab_alloc(&ab, (tc->n_posix_timers + 1) * sizeof(struct rst_timer), 8);
		if (tm_off == (uint64_t)-1)
			return NULL;
		for (size_t i = 0; i < tc->n_posix_timers; i++) {
			const PosixTimerEntry *pt = tc->posix_timers[i];
			struct rst_timer *rt_ = (struct rst_timer *)ab_ptr(&ab, tm_off) + i;

			*rt_ = (struct rst_timer){ .id = pt->id, .clock = pt->clock,
						   .notify = pt->notify, .signo = pt->signo,
						   .tid = pt->tid, .sigval = pt->sigval,
						   .interval_ns = pt->interval_ns,
						   .value_ns = pt->value_ns };
		}
		for (int i = 0; i < rt->nr_threads; i++) {
			const ThreadCoreEntry *th = rt->threads[i];
			struct rst_thread *rth;
			uint64_t frame, poff;

			if (build_frame(&ab, th, &frame) ||
			    add_siginfos(&ab, th->pending, th->n_pending, &poff))
				return NULL;
			rth = (struct rst_thread *)ab_ptr(&ab, thr_off) + i;
			memset(rth, 0, sizeof(*rth));
			rth->tid = th->tid;
			rth->frame = frame;
			rth->pending_off = poff;
			rth->nr_pending = th->n_pending;
			{
				struct user_regs_struct r;

				memcpy(&r, th->gpregs.data, sizeof(r));
				rth->fs_base = r.fs_base;
				rth->gs_base = r.gs_base;
			}
			rth->clear_tid_addr = th->clear_tid_addr;
			if (th->comm)
				snprintf(rth->comm, sizeof(rth->comm), "%s", th->comm);
			if (add_seccomp(&ab, th, &rth, thr_off, i))
				return NULL;
			if (th->has_sched_policy) {
				rth->has_sched = 1;
				rth->sched_policy = th->sched_policy;
				rth->sched_prio = th->sched_prio;
				rth->nice = th->nice;
			}
			rth->robust_list = th->robust_list;
			rth->robust_len = th->robust_list_len;
			if (th->has_rseq && th->rseq.len >= 16) {
				uint64_t ptr;
				uint32_t len, sig;

				memcpy(&ptr, th->rseq.data, 8);
				memcpy(&len, th->rseq.data + 8, 4);
				memcpy(&sig, th->rseq.data + 12, 4);
				if (ptr) {
					rth->has_rseq = 1;
					rth->rseq_addr = ptr;
					rth->rseq_len = len;
					rth->rseq_sig = sig;
				}
			}
			if (th->has_cpu_affinity && th->cpu_affinity.len <= sizeof(rth->affinity)) {
				rth->affinity_len = th->cpu_affinity.len;
				memcpy(rth->affinity, th->cpu_affinity.data, th->cpu_affinity.len);
			}
		}
		plan->args_off = plan->blob_size;
		plan->args_len = ab.len;
		plan->park_off = (plan->args_off + ab.len + RST_PAGE - 1) & ~(RST_PAGE - 1);
		plan->stacks_off = plan->park_off + (64UL << 10);
		plan->size = plan->stacks_off + (rt->nr_threads + 1) * RST_THREAD_STACK;
		if (pass == 0) {
			plan->start = find_area(own, mm, plan->size + (1 << 20));
			if (!plan->start) {
				pr_err("No room for the restorer in the address space of %d\n",
				       t->pid);
				return NULL;
			}
		}
	}
	a = ab_ptr(&ab, aoff);
	a->area_start = plan->start;
	a->area_end = plan->start + plan->size;
	a->park = plan->start + plan->park_off;
	a->nr_vmas = nv;
	a->vmas_off = vmas_off;
	a->nr_pagemap = rt->nr_pagemap;
	a->pagemap_off = pm_off;
	a->auxv_off = auxv_off;
	a->auxv_size = mm->n_auxv * 8;
	a->nr_threads = rt->nr_threads;
	a->threads_off = thr_off;
	a->shared_pending_off = sp_off;
	a->timers_off = tm_off;
	a->nr_timers = tc->n_posix_timers;
	a->nr_shared_pending = tc->n_shared_pending;
	for (int i = 0; i < rt->nr_threads; i++) {
		struct rst_thread *rth = (struct rst_thread *)ab_ptr(&ab, thr_off) + i;

		rth->stack_top = plan->start + plan->stacks_off + (i + 1) * RST_THREAD_STACK - 64;
	}
	/* criu closes the blob's fds after the jump back: a shared table needs them till then */
	a->close_from = -1;
	a->ready_fd = sh->ready_w;
	a->go_fd = sh->go_r;
	a->log_fd = sh->log_fd;
	for (int i = 0; i < RST_VDSO_PARTS; i++) {
		a->vdso_cur[i] = own->vdso[i];
		for (size_t k = 0; k < mm->n_vmas; k++)
			if (mm->vmas[k]->status & vdso_status[i]) {
				a->vdso_want[i].start = mm->vmas[k]->start;
				a->vdso_want[i].end = mm->vmas[k]->end;
			}
		if (a->vdso_cur[i].start && a->vdso_want[i].start &&
		    a->vdso_cur[i].end - a->vdso_cur[i].start !=
			    a->vdso_want[i].end - a->vdso_want[i].start) {
			pr_err("unsupported: %s of pid %d has a different size on this kernel\n",
			       vdso_names[i], t->pid);
			return NULL;
		}
	}
	return ab.buf;
}

/*
 * setitimer() adds one tick to CPU-time timers so they never fire early, and
 * getitimer() reports it back: measure the tick once and take it off again.
 */
static uint64_t cpu_itimer_tick_us(void)
{
	struct itimerval one = { { 0, 0 }, { 0, 1 } }, got, zero = { { 0, 0 }, { 0, 0 } };

	if (setitimer(ITIMER_VIRTUAL, &one, NULL) || getitimer(ITIMER_VIRTUAL, &got))
		return 0;
	setitimer(ITIMER_VIRTUAL, &zero, NULL);
	return got.it_value.tv_sec * 1000000ULL + got.it_value.tv_usec - 1;
}

static void fill_task_args(struct restorer_args *a, struct rst_task *rt)
{
	uint64_t tick = cpu_itimer_tick_us();
	const MmEntry *mm = rt->mm;
	const TaskCoreEntry *tc = rt->core;
	const CredsEntry *c = tc->creds;
	uint64_t mmf[11] = { mm->start_code, mm->end_code, mm->start_data, mm->end_data,
			     mm->start_brk, mm->brk, mm->start_stack, mm->arg_start,
			     mm->arg_end, mm->env_start, mm->env_end };

	memcpy(a->mm, mmf, sizeof(mmf));
	for (int sig = 0; sig <= 64; sig++)
		a->sigactions[sig].handler = ~0UL;
	for (size_t i = 0; i < tc->n_sigactions; i++) {
		const SigactionEntry *s = tc->sigactions[i];

		if (s->sig < 1 || s->sig > 64)
			continue;
		a->sigactions[s->sig] = (struct rst_sigaction){ s->handler, s->flags, s->restorer,
								s->mask };
	}
	for (size_t i = 0; i < tc->n_itimers && i < 3; i++) {
		const ItimerEntry *it = tc->itimers[i];
		uint64_t value = it->value_us;

		if (it->which != ITIMER_REAL && value > tick)
			value -= tick;
		a->itimers[it->which % 3][0] = it->interval_us / 1000000;
		a->itimers[it->which % 3][1] = it->interval_us % 1000000;
		a->itimers[it->which % 3][2] = value / 1000000;
		a->itimers[it->which % 3][3] = value % 1000000;
	}
	a->creds.uid = c->uid, a->creds.euid = c->euid, a->creds.suid = c->suid;
	a->creds.fsuid = c->fsuid, a->creds.gid = c->gid, a->creds.egid = c->egid;
	a->creds.sgid = c->sgid, a->creds.fsgid = c->fsgid;
	a->creds.nr_groups = c->n_groups < 64 ? c->n_groups : 64;
	memcpy(a->creds.groups, c->groups, a->creds.nr_groups * 4);
	a->creds.cap_inh = c->cap_inh, a->creds.cap_prm = c->cap_prm;
	a->creds.cap_eff = c->cap_eff, a->creds.cap_bnd = c->cap_bnd;
	a->creds.cap_amb = c->has_cap_amb ? c->cap_amb : 0;
	a->creds.secbits = c->secbits;
	a->creds.no_new_privs = c->has_no_new_privs && c->no_new_privs;
	{
		char *lc = read_whole_file("/proc/sys/kernel/cap_last_cap", NULL);

		a->creds.last_cap = lc ? atoi(lc) : 40;
		free(lc);
	}
	a->nofile[0] = a->nofile[1] = ~0UL;
	for (size_t i = 0; i < tc->n_rlimits; i++)
		if (tc->rlimits[i]->resource == RLIMIT_NOFILE) {
			a->nofile[0] = tc->rlimits[i]->cur;
			a->nofile[1] = tc->rlimits[i]->max;
		}
	a->pdeathsig = tc->has_pdeathsig ? tc->pdeathsig : 0;
	a->dumpable = tc->has_dumpable ? tc->dumpable : 1;
}

static int read_own_layout(struct own_layout *own)
{
	memset(own, 0, sizeof(*own));
	own->vmas = proc_parse_smaps(getpid(), &own->nr);
	if (!own->vmas)
		return -1;
	for (int i = 0; i < own->nr; i++)
		for (int k = 0; k < RST_VDSO_PARTS; k++)
			if (!strcmp(own->vmas[i].path, vdso_names[k])) {
				own->vdso[k].start = own->vmas[i].start;
				own->vdso[k].end = own->vmas[i].end;
			}
	return 0;
}

static int open_blob_fds(struct task *t, struct restorer_args *a, int svc_min)
{
	struct rst_task *rt = t->priv;
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "pages-%d.img", t->pid);
	fd = rt->nr_pagemap ? img_raw_open(name, O_RDONLY) : -1;
	if (rt->nr_pagemap && fd < 0)
		return -1;
	a->pages_fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, svc_min) : -1;
	if (fd >= 0)
		close(fd);
	fd = open(rt->mm->exe_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_perror("Can't open executable %s of %d", rt->mm->exe_path, t->pid);
		return -1;
	}
	/* images older than the exe identity carry no size */
	if (rt->mm->has_exe_size) {
		char buf[96];
		const char *why = file_change(fd, rt->mm->exe_size,
					      rt->mm->has_exe_mtime_ns ? &rt->mm->exe_mtime_ns : NULL,
					      buf, sizeof(buf));

		if (why) {
			pr_err("Executable %s of pid %d changed since dump (%s)\n",
			       rt->mm->exe_path, t->pid, why);
			close(fd);
			return -1;
		}
	}
	a->exe_fd = fcntl(fd, F_DUPFD_CLOEXEC, svc_min);
	close(fd);
	if (a->exe_fd < 0 || (rt->nr_pagemap && a->pages_fd < 0))
		return -1;
	return 0;
}

/* fork kept criu's rseq registration; the target's must take its place */
static int unregister_own_rseq(struct task *t)
{
	struct rseq *area;

	if (!__rseq_size)
		return 0;
	area = (struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
	/* glibc may register a longer area than __rseq_size says */
	for (unsigned len = 32; len >= 20; len -= 12)
		if (!syscall(SYS_rseq, area, len, 1 /* RSEQ_FLAG_UNREGISTER */, RSEQ_SIG))
			return 0;
	if (!syscall(SYS_rseq, area, __rseq_size, 1, RSEQ_SIG))
		return 0;
	pr_perror("rseq unregister in %d", t->pid);
	return -1;
}

__attribute__((noreturn)) static void jump_to_blob(uint64_t entry, uint64_t args, uint64_t sp)
{
	__asm__ volatile("mov %0, %%rsp\n"
			 "mov %1, %%rdi\n"
			 "jmp *%2\n" ::"r"(sp),
			 "r"(args), "r"(entry)
			 : "memory");
	__builtin_unreachable();
}

static int enter_restorer(struct task *t, struct restore_shared *sh)
{
	struct area_plan plan = { 0 };
	struct own_layout own;
	struct restorer_args *a;
	uint8_t *args, *area;
	size_t blob_len = _binary_restorer_bin_end - _binary_restorer_bin_start;
	int svc_min = sh->svc_base + 8;

	if (read_own_layout(&own))
		return -1;
	args = lay_out_args(t, sh, &own, &plan, svc_min);
	free(own.vmas);
	if (!args)
		return -1;
	a = (struct restorer_args *)args;
	fill_task_args(a, t->priv);
	if (open_blob_fds(t, a, svc_min))
		return -1;
	if (fault_hit(FAULT_RESTORE_MM)) {
		pr_err("Can't map the restorer of %d (injected fault)\n", t->pid);
		return -1;
	}
	area = mmap((void *)plan.start, plan.size, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (area == MAP_FAILED || (uint64_t)area != plan.start) {
		pr_perror("Can't map the restorer area at 0x%lx for %d", (unsigned long)plan.start,
			  t->pid);
		return -1;
	}
	memcpy(area, _binary_restorer_bin_start, blob_len);
	memcpy(area + plan.args_off, args, plan.args_len);
	free(args);
	if (mprotect(area + plan.park_off, plan.stacks_off - plan.park_off, PROT_NONE)) {
		pr_perror("Can't reserve the vDSO parking place for %d", t->pid);
		return -1;
	}
	/* the last thing that needs criu's view of paths: the task's cwd and root */
	if (restore_task_fs(t))
		return -1;
	if (unregister_own_rseq(t)) {
		pr_err("Can't drop criu's rseq registration in %d\n", t->pid);
		return -1;
	}
	if (fault_hit(FAULT_RESTORE_BLOB)) {
		pr_err("Can't enter the restorer of %d (injected fault)\n", t->pid);
		return -1;
	}
	pr_debug("pid %d: restorer at 0x%lx, %lu bytes\n", t->pid, (unsigned long)plan.start,
		 (unsigned long)plan.size);
	sh->areas[t->index].start = plan.start;
	sh->areas[t->index].end = plan.start + plan.size;
	jump_to_blob(plan.start + RESTORER_ENTRY_OFF, plan.start + plan.args_off,
		     plan.start + plan.stacks_off + RST_THREAD_STACK - 8);
}

/* --log-pid: this task (and its restorer) log to LOGFILE.PID from here on. */
static void switch_to_pid_log(struct task *t, struct restore_shared *sh)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s.%d", log_path(), t->pid);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		pr_perror("Can't open per-pid log %s", path);
		return;
	}
	if (dup3(fd, sh->log_fd, O_CLOEXEC) < 0)
		pr_perror("Can't switch pid %d to its own log", t->pid);
	close(fd);
}

__attribute__((noreturn)) void restore_task_body(struct task *t, struct restore_shared *sh)
{
	int keep[256] = { sh->log_fd, sh->img_fd, sh->ready_w, sh->go_r };
	int nr_keep = 4;
	sigset_t all;

	/* the task's own fds will take 0, 1, 2: log through criu's service fd */
	log_adopt_fd(sh->log_fd);
	if (opts.log_pid && log_path())
		switch_to_pid_log(t, sh);
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (!stage_wait_past(sh, STAGE_NS))
		_exit(1);
	if (restore_ids(t, sh) || restore_files_stage(t, FD_STAGE_SESSION) || fork_children(t, sh))
		task_die(sh, t);
	stage_done(sh);
	if (!stage_wait_past(sh, STAGE_FORK))
		_exit(1);
	if (join_group(t))
		task_die(sh, t);
	stage_done(sh);
	if (!stage_wait_past(sh, STAGE_PGID))
		_exit(1);
	if (restore_files_stage(t, FD_STAGE_GROUPS))
		task_die(sh, t);
	nr_keep += restore_shmem_fds(keep + nr_keep, 256 - nr_keep);
	/* attributes first: some need /proc, which a chroot may hide */
	/*
	 * An fd table shared with the parent is filled once, by the parent; the
	 * other sharers open nothing (not even a /proc file for a moment) until
	 * it is done, or their temporary fd could take a number being filled.
	 */
	if (settle_children(t) ||
	    (owns_fd_table(t) && (restore_install_fds(t, keep, nr_keep) || restore_attrs(t))))
		task_die(sh, t);
	if (fault_hit(FAULT_RESTORE_CREDS)) {
		pr_err("Can't restore credentials of %d (injected fault)\n", t->pid);
		task_die(sh, t);
	}
	stage_done(sh);
	/* nobody opens its restorer files while a shared fd table is being filled */
	if (!stage_wait_past(sh, STAGE_PREPARE))
		_exit(1);
	if (!owns_fd_table(t) && restore_attrs(t))
		task_die(sh, t);
	enter_restorer(t, sh);
	task_die(sh, t);
}
