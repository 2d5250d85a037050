// SPDX-License-Identifier: GPL-2.0
/*
 * The restorer: freestanding code that runs inside the task being restored,
 * in an area criu chose so that it overlaps nothing of the target. It owns
 * the address space from here on: unmap criu's leftovers, move the vDSO,
 * map and fill the target's memory, restore per-task and per-thread kernel
 * state, create the threads, meet criu at a barrier and rt_sigreturn into
 * the saved registers. No libc: raw system calls only.
 */
#include "pie/restorer.h"
#include "pie/syscall.h"

#define __NR_read 0
#define __NR_write 1
#define __NR_close 3
#define __NR_mmap 9
#define __NR_mprotect 10
#define __NR_munmap 11
#define __NR_rt_sigaction 13
#define __NR_rt_sigreturn 15
#define __NR_pread64 17
#define __NR_mremap 25
#define __NR_madvise 28
#define __NR_setitimer 38
#define __NR_getpid 39
#define __NR_exit 60
#define __NR_setresuid 117
#define __NR_setresgid 119
#define __NR_setgroups 116
#define __NR_setfsuid 122
#define __NR_setfsgid 123
#define __NR_capset 126
#define __NR_rt_sigqueueinfo 129
#define __NR_mlock 149
#define __NR_prctl 157
#define __NR_arch_prctl 158
#define __NR_gettid 186
#define __NR_futex 202
#define __NR_sched_setaffinity 203
#define __NR_set_tid_address 218
#define __NR_exit_group 231
#define __NR_set_robust_list 273
#define __NR_rt_tgsigqueueinfo 297
#define __NR_rseq 334
#define __NR_clone3 435
#define __NR_sched_getaffinity 204
#define __NR_io_setup 206
#define __NR_io_getevents 208
#define __NR_io_submit 209
#define __NR_pipe2 293
#define __NR_getcpu 309

#define PROT_WRITE 2
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_GROWSDOWN 0x100
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define PR_SET_PDEATHSIG 1
#define PR_SET_DUMPABLE 4
#define PR_SET_SECUREBITS 28
#define PR_CAPBSET_DROP 24
#define PR_SET_NO_NEW_PRIVS 38
#define PR_SET_MM 35
#define PR_SET_MM_MAP 14
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define SECBIT_KEEP_CAPS (1 << 4)
#define TASK_SIZE_MAX 0x7ffffffff000UL
#define FUTEX_WAKE 1
#define FUTEX_WAIT 0

typedef unsigned long ul;

/* The compiler may emit calls to these for struct copies. */
__attribute__((used)) void *memcpy(void *dst, const void *src, ul n)
{
	char *d = dst;
	const char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

__attribute__((used)) void *memset(void *dst, int c, ul n)
{
	char *d = dst;

	while (n--)
		*d++ = c;
	return dst;
}

static ul slen(const char *s)
{
	ul n = 0;

	while (s[n])
		n++;
	return n;
}

static void put_hex(char *buf, ul v)
{
	for (int i = 15; i >= 0; i--) {
		int d = v & 15;

		buf[i] = d < 10 ? '0' + d : 'a' + d - 10;
		v >>= 4;
	}
}

/* One line to criu's log, then the whole task goes: criu sees it and cleans up. */
__attribute__((noreturn)) static void die(struct restorer_args *a, const char *what, long err,
					  ul where)
{
	char line[160] = "Error (restorer): ";
	ul n = slen(line), w = slen(what);

	if (a->log_fd >= 0) {
		if (w > 80)
			w = 80;
		memcpy(line + n, what, w);
		n += w;
		memcpy(line + n, " failed, errno ", 15);
		n += 15;
		put_hex(line + n, -err);
		n += 16;
		memcpy(line + n, " at 0x", 6);
		n += 6;
		put_hex(line + n, where);
		n += 16;
		line[n++] = '\n';
		sys3(__NR_write, a->log_fd, line, n);
	}
	__atomic_store_n(&a->error, 1, __ATOMIC_SEQ_CST);
	for (;;)
		sys1(__NR_exit_group, 1);
}

static void check(struct restorer_args *a, long ret, const char *what, ul where)
{
	if (ret < 0 && ret > -4096)
		die(a, what, ret, where);
}

static void *at(struct restorer_args *a, uint64_t off)
{
	return (char *)a + off;
}

static void unmap_gap(struct restorer_args *a, ul from, ul to)
{
	if (to > from)
		check(a, sys2(__NR_munmap, from, to - from), "munmap", from);
}

/* Everything but the area and the current vDSO parts goes. */
static void unmap_leftovers(struct restorer_args *a)
{
	struct rst_range keep[RST_VDSO_PARTS + 1];
	int n = 0;
	ul pos = RST_PAGE;

	keep[n].start = a->area_start;
	keep[n++].end = a->area_end;
	for (int i = 0; i < RST_VDSO_PARTS; i++)
		if (a->vdso_cur[i].start)
			keep[n++] = a->vdso_cur[i];
	/* tiny insertion sort by start */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && keep[j].start < keep[j - 1].start; j--) {
			struct rst_range t = keep[j];

			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	for (int i = 0; i < n; i++) {
		unmap_gap(a, pos, keep[i].start);
		pos = keep[i].end;
	}
	unmap_gap(a, pos, TASK_SIZE_MAX);
}

/* Park every vDSO part in the area first, so source and target never overlap. */
static void move_vdso(struct restorer_args *a)
{
	ul park = a->park;
	ul parked[RST_VDSO_PARTS];

	for (int i = 0; i < RST_VDSO_PARTS; i++) {
		struct rst_range *c = &a->vdso_cur[i];
		ul len = c->end - c->start;

		parked[i] = 0;
		if (!c->start)
			continue;
		check(a, sys5(__NR_mremap, c->start, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, park),
		      "mremap vdso to park", c->start);
		parked[i] = park;
		park += len;
	}
	for (int i = 0; i < RST_VDSO_PARTS; i++) {
		struct rst_range *c = &a->vdso_cur[i], *w = &a->vdso_want[i];
		ul len = c->end - c->start;

		if (!parked[i])
			continue;
		if (!w->start) {
			check(a, sys2(__NR_munmap, parked[i], len), "munmap vdso", parked[i]);
			continue;
		}
		check(a, sys5(__NR_mremap, parked[i], len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
			      w->start),
		      "mremap vdso", w->start);
	}
}

#define __NR_mbind 237
#define MPOL_DEFAULT 0
#define MPOL_PREFERRED 1
#define MPOL_BIND 2
#define MADV_DONTNEED 4

/*
 * Neighbouring anonymous VMAs that the kernel kept apart in the dumped task
 * (different anon_vma history) would merge when mapped afresh. While they
 * are set up, neighbours get different memory policies: they neither merge
 * nor share an anon_vma at their first fault, so each gets its own; once the
 * policies are reset, VMAs with different anon_vmas never merge.
 */
static void set_policy(struct restorer_args *a, struct rst_vma *v, int mode)
{
	uint64_t node0 = 1;

	sys6(__NR_mbind, v->start, v->end - v->start, mode, mode ? (long)&node0 : 0,
	     mode ? 64 : 0, 0);
	(void)a;
}

static void own_anon_vmas(struct restorer_args *a)
{
	struct rst_vma *v = at(a, a->vmas_off);
	struct rst_pagemap *p = at(a, a->pagemap_off), *pend = p + a->nr_pagemap;

	for (uint32_t i = 0; i < a->nr_vmas; i++, v++) {
		ul first = v->growsdown ? v->end - RST_PAGE : v->start;
		volatile char *c = (volatile char *)first;
		int populated;

		if (v->kind != RST_VMA_ANON)
			continue;
		while (p < pend && p->vaddr + p->nr_pages * RST_PAGE <= first)
			p++;
		populated = p < pend && p->vaddr <= first;
		*c = *c;	/* a write fault: the VMA gets its anon_vma now */
		if (!populated)
			check(a, sys3(__NR_madvise, first, RST_PAGE, MADV_DONTNEED),
			      "madvise DONTNEED", first);
	}
	v = at(a, a->vmas_off);
	for (uint32_t i = 0; i < a->nr_vmas; i++, v++)
		if (v->kind == RST_VMA_ANON)
			set_policy(a, v, MPOL_DEFAULT);
}

static void map_vmas(struct restorer_args *a)
{
	struct rst_vma *v = at(a, a->vmas_off);

	for (uint32_t i = 0; i < a->nr_vmas; i++, v++) {
		ul len = v->end - v->start;
		long prot = v->prot, flags = MAP_FIXED, ret;

		if (v->kind == RST_VMA_AIO)
			continue;	/* io_setup makes it, once the rest is in place */
		if (v->kind != RST_VMA_SHARED)
			prot |= PROT_WRITE;	/* filled below, then set right */
		if (v->kind == RST_VMA_ANON)
			flags |= MAP_PRIVATE | MAP_ANONYMOUS;
		else if (v->kind == RST_VMA_FILE_PRIVATE)
			flags |= MAP_PRIVATE;
		else
			flags |= MAP_SHARED;
		if (v->growsdown)
			flags |= MAP_GROWSDOWN;
		ret = sys6(__NR_mmap, v->start, len, prot, flags, v->fd, v->pgoff);
		check(a, ret, "mmap", v->start);
		if ((ul)ret != v->start)
			die(a, "mmap at the right place", 0, v->start);
		if (v->kind == RST_VMA_ANON)
			set_policy(a, v, i % 2 ? MPOL_BIND : MPOL_PREFERRED);
	}
}

struct rst_iocb {
	uint64_t data;
	uint32_t key, rw_flags;
	uint16_t opcode;
	int16_t prio;
	uint32_t fildes;
	uint64_t buf, nbytes;
	int64_t offset;
	uint64_t reserved2;
	uint32_t flags, resfd;
};

struct rst_io_event {
	uint64_t data, obj;
	int64_t res, res2;
};

#define AIO_BATCH 32

/*
 * The kernel keeps its own tail and counts free slots; neither can be set.
 * @n requests that do nothing (zero-byte reads of a pipe) complete at once
 * and move the tail @n slots; reaped (@reap), they move the head too.
 */
static void aio_advance(struct restorer_args *a, ul ctx, int fd, ul n, int reap)
{
	struct rst_iocb cb[AIO_BATCH];
	uint64_t cbp[AIO_BATCH];
	struct rst_io_event ev[AIO_BATCH];

	while (n) {
		long k = n < AIO_BATCH ? n : AIO_BATCH, r;

		memset(cb, 0, sizeof(cb));
		for (long i = 0; i < k; i++) {
			cb[i].fildes = fd;	/* opcode 0: IOCB_CMD_PREAD */
			cb[i].buf = (ul)ev;
			cbp[i] = (ul)&cb[i];
		}
		r = sys3(__NR_io_submit, ctx, k, cbp);
		if (r != k)
			die(a, "io_submit to move an aio ring", r < 0 ? r : 0, ctx);
		r = reap ? sys5(__NR_io_getevents, ctx, k, k, ev, 0) : k;
		if (r != k)
			die(a, "io_getevents to move an aio ring", r < 0 ? r : 0, ctx);
		n -= k;
	}
}

#define __NR_io_destroy 207

static void make_aio_ring(struct restorer_args *a, struct rst_vma *v, int fd)
{
	ul len = v->end - v->start, nr = len / sizeof(struct rst_io_event) - 1;
	ul head = v->aio_head % nr, pages = len / RST_PAGE;
	struct rst_aio_ring *made;
	uint64_t ctx = 0;

	/*
	 * io_setup doubles what it is asked for, adds 2 and rounds the ring up
	 * to pages. The least that gives this many pages is asked for: what is
	 * asked counts against fs.aio-max-nr, and the task asked for no less.
	 */
	check(a, sys2(__NR_io_setup, pages == 1 ? 1 : 64 * pages - 65, &ctx), "io_setup",
	      v->start);
	made = (struct rst_aio_ring *)ctx;
	if (made->nr != nr || made->id != v->aio_id)
		die(a, "io_setup of a ring this size in this slot", 0, v->start);
	check(a, sys5(__NR_mremap, ctx, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, v->start),
	      "mremap aio ring", v->start);
	aio_advance(a, v->start, fd, head, 1);
	aio_advance(a, v->start, fd, (v->aio_tail + nr - head) % nr, 0);
	/* the dummies' events go; the dumped pages (not its zero ones) come next */
	memset((char *)v->start + sizeof(*made), 0, len - sizeof(*made));
}

/* The AIO ring with the lowest context slot above @after, or NULL. */
static struct rst_vma *next_aio_ring(struct restorer_args *a, long after)
{
	struct rst_vma *v = at(a, a->vmas_off), *best = 0;

	for (uint32_t i = 0; i < a->nr_vmas; i++, v++)
		if (v->kind == RST_VMA_AIO && (long)v->aio_id > after &&
		    (!best || v->aio_id < best->aio_id))
			best = v;
	return best;
}

/*
 * A context is found by its ring's address and the slot number in the ring,
 * and io_setup takes the lowest free slot: contexts are made in slot order,
 * with throwaway ones in the slots that were free at dump time.
 */
static void make_aio_contexts(struct restorer_args *a, int fd)
{
	uint64_t filler[RST_AIO_MAX_ID];
	long last = -1;
	int nr_filler = 0;

	for (struct rst_vma *v; (v = next_aio_ring(a, last)); last = v->aio_id) {
		for (long slot = last + 1; slot < (long)v->aio_id; slot++) {
			if (nr_filler == RST_AIO_MAX_ID)
				die(a, "io_setup (slot filler)", 0, v->aio_id);
			filler[nr_filler] = 0;
			check(a, sys2(__NR_io_setup, 1, &filler[nr_filler]), "io_setup (slot filler)",
			      slot);
			nr_filler++;
		}
		make_aio_ring(a, v, fd);
	}
	while (nr_filler)
		check(a, sys1(__NR_io_destroy, filler[--nr_filler]), "io_destroy", 0);
}

/*
 * Free slots are counted per CPU: a task moving between CPUs while it fills
 * a ring could strand some and find the ring full early. It stays on one.
 */
static void make_aio_rings(struct restorer_args *a)
{
	uint8_t mask[128], one[128] = { 0 };
	int fds[2];
	long mask_len;
	unsigned int cpu = 0;

	if (!next_aio_ring(a, -1))
		return;
	check(a, sys2(__NR_pipe2, fds, 02000000 /* O_CLOEXEC */), "pipe2 for aio", 0);
	mask_len = sys3(__NR_sched_getaffinity, 0, sizeof(mask), mask);
	check(a, mask_len, "sched_getaffinity", 0);
	check(a, sys3(__NR_getcpu, &cpu, 0, 0), "getcpu", 0);
	one[cpu / 8 % sizeof(one)] = 1 << (cpu % 8);
	check(a, sys3(__NR_sched_setaffinity, 0, sizeof(one), one), "sched_setaffinity", cpu);
	make_aio_contexts(a, fds[0]);
	sys1(__NR_close, fds[0]);
	sys1(__NR_close, fds[1]);
	check(a, sys3(__NR_sched_setaffinity, 0, mask_len, mask), "sched_setaffinity", 0);
}

static void fill_pages(struct restorer_args *a)
{
	struct rst_pagemap *p = at(a, a->pagemap_off);

	for (uint32_t i = 0; i < a->nr_pagemap; i++, p++) {
		ul len = p->nr_pages * RST_PAGE, done = 0;

		/*
		 * Faults taken inside pread's copy cost several times more than
		 * populating the range first (measured: 0.9 s against 3.2 s per GiB).
		 * Only the ranges that get data are populated: holes stay holes.
		 */
		sys3(__NR_madvise, p->vaddr, len, 23 /* MADV_POPULATE_WRITE */);
		while (done < len) {
			long r = sys4(__NR_pread64, a->pages_fd, p->vaddr + done, len - done,
				      p->file_off + done);

			check(a, r, "pread pages", p->vaddr + done);
			if (r == 0)
				die(a, "pread pages (image too short)", 0, p->vaddr + done);
			done += r;
		}
	}
}

static void finish_vmas(struct restorer_args *a)
{
	struct rst_vma *v = at(a, a->vmas_off);

	own_anon_vmas(a);
	for (uint32_t i = 0; i < a->nr_vmas; i++, v++) {
		ul len = v->end - v->start;

		if (v->kind != RST_VMA_SHARED && !(v->prot & PROT_WRITE))
			check(a, sys3(__NR_mprotect, v->start, len, v->prot), "mprotect",
			      v->start);
		for (int adv = 0; adv < 64; adv++)
			if (v->madv_set & (1UL << adv))
				check(a, sys3(__NR_madvise, v->start, len, adv), "madvise",
				      v->start);
		if (v->locked)
			check(a, sys2(__NR_mlock, v->start, len), "mlock", v->start);
	}
}

static void restore_task_state(struct restorer_args *a)
{
	uint8_t *info = at(a, a->shared_pending_off);
	long pid = sys0(__NR_getpid);

	/* struct prctl_mm_map: 11 addresses, auxv pointer, auxv size, exe fd */
	struct {
		uint64_t f[11];
		uint64_t auxv;
		uint32_t auxv_size, exe_fd;
	} mm;

	for (int i = 0; i < 11; i++)
		mm.f[i] = a->mm[i];
	mm.auxv = (uint64_t)at(a, a->auxv_off);
	mm.auxv_size = a->auxv_size;
	mm.exe_fd = a->exe_fd;
	check(a, sys5(__NR_prctl, PR_SET_MM, PR_SET_MM_MAP, &mm, sizeof(mm), 0), "PR_SET_MM_MAP",
	      a->mm[5]);
	for (int sig = 1; sig <= 64; sig++) {
		struct rst_sigaction *sa = &a->sigactions[sig];

		if (sa->handler == ~0UL)
			continue;
		check(a, sys4(__NR_rt_sigaction, sig, sa, 0, 8), "rt_sigaction", sig);
	}
	for (int w = 0; w < 3; w++)
		check(a, sys3(__NR_setitimer, w, a->itimers[w], 0), "setitimer", w);
	if (a->nofile[0] != ~0UL || a->nofile[1] != ~0UL)
		check(a, sys4(302 /* prlimit64 */, 0, 7 /* RLIMIT_NOFILE */, a->nofile, 0),
		      "setrlimit NOFILE", a->nofile[0]);
	for (uint32_t i = 0; i < a->nr_shared_pending; i++, info += 128)
		check(a, sys3(__NR_rt_sigqueueinfo, pid, *(int32_t *)info, info),
		      "rt_sigqueueinfo", *(int32_t *)info);
}

static void restore_creds(struct restorer_args *a)
{
	struct rst_creds *c = &a->creds;
	struct {
		uint32_t version;
		int pid;
	} hdr = { 0x20080522, 0 };
	struct {
		uint32_t eff, prm, inh;
	} data[2], full[2];

	for (uint32_t cap = 0; cap <= c->last_cap; cap++)
		if (!(c->cap_bnd & (1UL << cap)))
			check(a, sys2(__NR_prctl, PR_CAPBSET_DROP, cap), "PR_CAPBSET_DROP", cap);
	check(a, sys2(__NR_setgroups, c->nr_groups, c->groups), "setgroups", c->nr_groups);
	check(a, sys3(__NR_setresgid, c->gid, c->egid, c->sgid), "setresgid", c->gid);
	sys1(__NR_setfsgid, c->fsgid);
	/* keep the capabilities across the uid change; set them right after */
	check(a, sys2(__NR_prctl, PR_SET_SECUREBITS, SECBIT_KEEP_CAPS), "PR_SET_SECUREBITS", 0);
	check(a, sys3(__NR_setresuid, c->uid, c->euid, c->suid), "setresuid", c->uid);
	sys1(__NR_setfsuid, c->fsuid);
	/* effective = permitted again, so that the securebits can be set */
	check(a, sys2(0x7d /* capget */, &hdr, full), "capget", 0);
	full[0].eff = full[0].prm;
	full[1].eff = full[1].prm;
	check(a, sys2(__NR_capset, &hdr, full), "capset", 0);
	check(a, sys2(__NR_prctl, PR_SET_SECUREBITS, c->secbits), "PR_SET_SECUREBITS", c->secbits);
	data[0].eff = c->cap_eff;
	data[1].eff = c->cap_eff >> 32;
	data[0].prm = c->cap_prm;
	data[1].prm = c->cap_prm >> 32;
	data[0].inh = c->cap_inh;
	data[1].inh = c->cap_inh >> 32;
	check(a, sys2(__NR_capset, &hdr, data), "capset", 1);
	for (uint32_t cap = 0; cap <= c->last_cap; cap++)
		if (c->cap_amb & (1UL << cap))
			check(a, sys3(__NR_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap),
			      "PR_CAP_AMBIENT_RAISE", cap);
	if (c->no_new_privs)
		check(a, sys2(__NR_prctl, PR_SET_NO_NEW_PRIVS, 1), "PR_SET_NO_NEW_PRIVS", 0);
}

/* Timers are per process; created once the threads they may target exist. */
static void restore_timers(struct restorer_args *a)
{
	struct rst_timer *tm = at(a, a->timers_off);

	if (!a->nr_timers)
		return;
	check(a, sys2(__NR_prctl, 77 /* PR_TIMER_CREATE_RESTORE_IDS */, 1), "restore timer ids",
	      0);
	for (uint32_t i = 0; i < a->nr_timers; i++, tm++) {
		struct {
			uint64_t value;
			int32_t signo, notify, tid, pad[11];
		} sev = { tm->sigval, tm->signo, tm->notify, tm->tid, { 0 } };
		int32_t id = tm->id;
		uint64_t its[4] = { tm->interval_ns / 1000000000, tm->interval_ns % 1000000000,
				    tm->value_ns / 1000000000, tm->value_ns % 1000000000 };

		check(a, sys3(222 /* timer_create */, tm->clock, &sev, &id), "timer_create",
		      tm->id);
		if (id != tm->id)
			die(a, "timer_create with the same id", 0, tm->id);
		if (tm->value_ns)
			check(a, sys4(223 /* timer_settime */, id, 0, its, 0), "timer_settime",
			      tm->id);
	}
	check(a, sys2(__NR_prctl, 77, 0), "restore timer ids off", 0);
}

__attribute__((noreturn)) static void sigreturn(uint64_t frame)
{
	__asm__ volatile("mov %0, %%rsp\n"
			 "mov $15, %%eax\n"
			 "syscall\n"
			 "ud2\n" ::"r"(frame + 8)
			 : "memory");
	__builtin_unreachable();
}

__attribute__((noreturn)) static void thread_main(struct restorer_args *a, struct rst_thread *t,
						 int leader)
{
	uint8_t *info = at(a, t->pending_off);
	long pid = sys0(__NR_getpid);
	char byte = 0;

	check(a, sys2(__NR_arch_prctl, ARCH_SET_FS, t->fs_base), "ARCH_SET_FS", t->fs_base);
	check(a, sys2(__NR_arch_prctl, ARCH_SET_GS, t->gs_base), "ARCH_SET_GS", t->gs_base);
	sys1(__NR_set_tid_address, t->clear_tid_addr);
	check(a, sys2(__NR_set_robust_list, t->robust_list, t->robust_len), "set_robust_list",
	      t->robust_list);
	if (t->has_rseq)
		check(a, sys4(__NR_rseq, t->rseq_addr, t->rseq_len, 0, t->rseq_sig), "rseq",
		      t->rseq_addr);
	if (t->affinity_len)
		check(a, sys3(__NR_sched_setaffinity, 0, t->affinity_len, t->affinity),
		      "sched_setaffinity", t->tid);
	for (uint32_t i = 0; i < t->nr_pending; i++, info += 128)
		check(a, sys4(__NR_rt_tgsigqueueinfo, pid, t->tid, *(int32_t *)info, info),
		      "rt_tgsigqueueinfo", t->tid);
	if (t->has_sched) {
		int prio = t->sched_prio;

		check(a, sys3(144 /* sched_setscheduler */, 0, t->sched_policy, &prio),
		      "sched_setscheduler", t->tid);
		check(a, sys3(141 /* setpriority */, 0, 0, t->nice), "setpriority", t->tid);
	}
	/*
	 * Filters go in while the thread is still privileged (the task may have
	 * neither CAP_SYS_ADMIN nor no_new_privs); the few syscalls left after
	 * them are ones any filter a running task survives must allow.
	 */
	{
		uint64_t *f = at(a, t->seccomp_off);

		for (uint32_t i = 0; i < t->nr_seccomp; i++) {
			struct {
				uint16_t len;
				uint16_t pad[3];
				uint64_t filter;
			} prog = { (uint16_t)f[0], { 0 }, (uint64_t)(f + 1) };

			check(a, sys3(317 /* seccomp */, 1 /* SET_MODE_FILTER */, 0, &prog),
			      "seccomp", i);
			f += 1 + f[0];
		}
	}
	if (t->comm[0])
		check(a, sys2(__NR_prctl, 15 /* PR_SET_NAME */, t->comm), "PR_SET_NAME", t->tid);
	restore_creds(a);
	if (leader) {
		check(a, sys2(__NR_prctl, PR_SET_PDEATHSIG, a->pdeathsig), "PR_SET_PDEATHSIG", 0);
		check(a, sys2(__NR_prctl, PR_SET_DUMPABLE, a->dumpable), "PR_SET_DUMPABLE", 0);
	}
	/* barrier: tell criu we are ready, wait until it closes the go pipe */
	check(a, sys3(__NR_write, a->ready_fd, &byte, 1), "write ready", t->tid);
	for (;;) {
		long r = sys3(__NR_read, a->go_fd, &byte, 1);

		if (r == 0)
			break;
		if (r < 0 && r != -4 /* EINTR */)
			die(a, "read go", r, t->tid);
	}
	sigreturn(t->frame);
}

static void thread_start(struct restorer_args *a, struct rst_thread *t);

__attribute__((noreturn, used)) static void thread_entry(struct restorer_args *a,
							 struct rst_thread *t)
{
	thread_main(a, t, 0);
}

/* clone3 with the child starting on its own stack in thread_entry(a, t). */
static void thread_start(struct restorer_args *a, struct rst_thread *t)
{
	struct {
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
		uint64_t set_tid, set_tid_size, cgroup;
	} ca = { 0 };
	int64_t tid = t->tid;
	long ret;

	ca.flags = 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000;
	ca.stack = t->stack_top - RST_THREAD_STACK;
	ca.stack_size = RST_THREAD_STACK;
	ca.set_tid = (uint64_t)&tid;
	ca.set_tid_size = 1;
	{
		register long r12 __asm__("r12") = (long)a;
		register long r13 __asm__("r13") = (long)t;

		__asm__ volatile("syscall\n"
				 "test %%rax, %%rax\n"
				 "jnz 1f\n"
				 "mov %%r12, %%rdi\n"
				 "mov %%r13, %%rsi\n"
				 "call thread_entry\n"
				 "ud2\n"
				 "1:\n"
				 : "=a"(ret)
				 : "a"(__NR_clone3), "D"(&ca), "S"(sizeof(ca)), "r"(r12), "r"(r13)
				 : "rcx", "r11", "memory");
	}
	check(a, ret, "clone3 thread", t->tid);
}

__attribute__((section(".head.text"), used, noreturn)) void blob_entry(struct restorer_args *a)
{
	struct rst_thread *threads = at(a, a->threads_off);

	unmap_leftovers(a);
	move_vdso(a);
	map_vmas(a);
	make_aio_rings(a);
	if (a->pages_fd >= 0)
		fill_pages(a);
	finish_vmas(a);
	restore_task_state(a);
	if (a->close_from >= 0)
		check(a, sys3(436 /* close_range */, a->close_from, ~0U, 0), "close_range",
		      a->close_from);
	for (uint32_t i = 1; i < a->nr_threads; i++)
		thread_start(a, &threads[i]);
	restore_timers(a);
	thread_main(a, &threads[0], 1);
}
