/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_PIE_RESTORER_H
#define CR_PIE_RESTORER_H

/*
 * The ABI between criu and the restorer blob. criu copies the blob and one
 * argument block into an "area" that is free in both its own layout and the
 * target's; the blob unmaps everything else, builds the target's memory,
 * creates threads and returns into the saved registers with rt_sigreturn.
 * Only fixed-size types: the blob is built without libc.
 */
#include <stdint.h>

#define RST_PAGE 4096UL
#define RST_THREAD_STACK (64UL << 10)
#define RST_VDSO_PARTS 3	/* [vvar], [vvar_vclock], [vdso] */
#define RST_AIO_MAX_ID 256	/* AIO context slots the blob fills up to; the dump refuses higher */

/* rst_vma.kind */
enum {
	RST_VMA_ANON = 1,	/* MAP_PRIVATE|MAP_ANONYMOUS */
	RST_VMA_FILE_PRIVATE,	/* MAP_PRIVATE of fd */
	RST_VMA_SHARED,		/* MAP_SHARED of fd (files and shared anonymous memory) */
	RST_VMA_AIO,		/* the ring of an AIO context, made by io_setup */
};

struct rst_vma {
	uint64_t start, end, pgoff;
	uint32_t prot, kind;
	uint32_t growsdown, locked;
	int32_t fd;		/* -1 for anonymous */
	uint32_t pad;
	uint64_t madv_set;	/* MADV_* advice to apply, one bit per advice number */
	uint32_t aio_head, aio_tail;	/* RST_VMA_AIO: the ring's positions */
	uint32_t aio_id, aio_pad;	/* and its context's slot in the mm's table */
};

/* The kernel's struct aio_ring, the head of an AIO context's ring; io_events follow. */
struct rst_aio_ring {
	uint32_t id, nr, head, tail;	/* id: the context's slot in the task's table */
	uint32_t magic, compat_features, incompat_features, header_length;
};

struct rst_pagemap {
	uint64_t vaddr, nr_pages, file_off;
};

struct rst_sigaction {
	uint64_t handler, flags, restorer, mask;
};

struct rst_range {
	uint64_t start, end;
};

/* Kernel x86-64 signal frame pieces, laid out as rt_sigreturn reads them. */
struct rst_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};

struct rst_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t ss_pad;
	uint64_t ss_size;
	struct rst_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

struct rst_sigframe {
	uint64_t pretcode;
	struct rst_ucontext uc;
	uint8_t info[128];
};

struct rst_creds {
	uint32_t uid, euid, suid, fsuid, gid, egid, sgid, fsgid;
	uint32_t nr_groups;
	uint32_t groups[64];
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	uint32_t secbits;
	uint32_t no_new_privs;
	uint32_t last_cap;	/* highest capability number the kernel knows */
};

struct rst_timer {
	int32_t id, clock, notify, signo, tid, pad;
	uint64_t sigval;
	uint64_t interval_ns, value_ns;
};

struct rst_thread {
	int32_t tid;
	uint32_t nr_pending;
	uint64_t pending_off;	/* 128-byte siginfos to queue to this thread */
	uint64_t frame;		/* address of its prepared rst_sigframe (+8: uc) */
	uint64_t stack_top;	/* its stack inside the area */
	uint64_t fs_base, gs_base;
	uint64_t clear_tid_addr;
	uint64_t robust_list, robust_len;
	uint64_t rseq_addr;
	uint32_t rseq_len, rseq_sig;
	uint32_t has_rseq;
	uint32_t affinity_len;
	uint8_t affinity[128];
	char comm[16];
	int32_t sched_policy, sched_prio, nice;
	uint32_t has_sched;
	/* seccomp filters in install order: each a u64 count of sock_filters, then them */
	uint32_t nr_seccomp;
	uint64_t seccomp_off;
};

struct restorer_args {
	uint64_t area_start, area_end;	/* the blob, this block, the stacks */
	uint64_t park;			/* PROT_NONE space in the area to park the vDSO */
	struct rst_range vdso_cur[RST_VDSO_PARTS];
	struct rst_range vdso_want[RST_VDSO_PARTS];	/* start==0: the image has none */

	uint32_t nr_vmas, nr_pagemap;
	uint64_t vmas_off, pagemap_off;	/* offsets from the start of this block */
	int32_t pages_fd;		/* -1: no private pages */
	int32_t exe_fd;

	/* struct prctl_mm_map, field for field */
	uint64_t mm[11];
	uint64_t auxv_off;
	uint32_t auxv_size;

	struct rst_sigaction sigactions[65];	/* by signal number, handler==~0: leave */
	uint64_t itimers[3][4];			/* interval sec,usec, value sec,usec */
	struct rst_creds creds;
	int32_t pdeathsig, dumpable;
	uint64_t nofile[2];		/* RLIMIT_NOFILE cur, max; ~0 both: leave */
	uint32_t nr_shared_pending;
	uint64_t shared_pending_off;

	uint32_t nr_threads;
	uint64_t threads_off;
	uint32_t nr_timers;
	uint64_t timers_off;
	int32_t ready_fd, go_fd;	/* barrier with criu: write one byte, read EOF */
	int32_t close_from;		/* fds from here up were opened only for the blob */
	int32_t log_fd;			/* where the blob reports failures, -1 none */
	int32_t thread_done;		/* futex: threads created so far */
	int32_t error;			/* futex: first failure code */
};

/* Entry point offsets inside the blob (see restorer-syms.h: RESTORER_*_OFF). */
void blob_entry(struct restorer_args *args);

#endif
