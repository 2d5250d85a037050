/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_INFECT_INJECT_H
#define CR_INFECT_INJECT_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

/*
 * Run system calls in the context of a stopped (seized) thread. The thread's
 * code is never modified: the thread is single-stepped over a `syscall`
 * instruction found in its vDSO. A scratch page is mapped in the task for
 * syscall arguments and results and unmapped by infect_stop().
 */
struct infect_ctx {
	pid_t pid;		/* thread group */
	pid_t tid;		/* thread that runs the calls */
	uint64_t syscall_ip;	/* address of a 0f 05 in the task */
	struct user_regs_struct saved;
	uint64_t saved_mask;
	uint64_t scratch;	/* address of the scratch area in the task, 0 if none */
	size_t scratch_size;
};

/*
 * Everything but SIGTRAP is blocked while we run calls: no handler may run in
 * the middle, and a blocked SIGTRAP from single-stepping would make the kernel
 * reset the task's SIGTRAP handler.
 */
#define INFECT_MASK (~0ULL & ~(1ULL << (SIGTRAP - 1)))

/* @scratch_size may be 0 when the calls need no memory. */
int infect_start(struct infect_ctx *ctx, pid_t pid, pid_t tid, size_t scratch_size);
/* Switch an already started context to another thread of the same task. */
int infect_switch_thread(struct infect_ctx *ctx, pid_t tid);
/* Returns 0 and the raw syscall result in *ret, or -1 when injection failed. */
int infect_syscall(struct infect_ctx *ctx, long nr, long *ret, long a1, long a2, long a3,
		   long a4, long a5, long a6);
int infect_stop(struct infect_ctx *ctx);
/* Find a `syscall` instruction in @pid's vDSO. */
int infect_find_syscall(pid_t pid, uint64_t *addr);

#endif
