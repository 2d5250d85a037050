// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "infect/inject.h"
#include "infect/ptrace.h"
#include "util/log.h"
#include "util/proc.h"

int infect_find_syscall(pid_t pid, uint64_t *addr)
{
	int nr, ret = -1;
	struct proc_vma *vmas = proc_parse_maps(pid, &nr);

	if (!vmas)
		return -1;
	for (int i = 0; i < nr && ret; i++) {
		size_t len = vmas[i].end - vmas[i].start;
		uint8_t *code;

		if (strcmp(vmas[i].path, "[vdso]") || len > (1 << 20))
			continue;
		code = malloc(len);
		if (!code)
			break;
		if (!mem_read(pid, vmas[i].start, code, len)) {
			for (size_t off = 0; off + 1 < len; off++)
				if (code[off] == 0x0f && code[off + 1] == 0x05) {
					*addr = vmas[i].start + off;
					ret = 0;
					break;
				}
		}
		free(code);
	}
	free(vmas);
	if (ret)
		pr_err("No syscall instruction found in the vDSO of pid %d\n", pid);
	return ret;
}

/*
 * Single-step over the syscall instruction. A thread that was in group stop
 * when seized, or that got our interrupt while already stopped, can report
 * one more stop before the step: the instruction has not run then (rip is
 * unchanged), so step again.
 */
static int step_syscall(struct infect_ctx *ctx, struct user_regs_struct *regs)
{
	uint64_t ip = regs->rip;

	if (ptrace_set_regs(ctx->tid, regs))
		return -1;
	for (int tries = 0; tries < 4; tries++) {
		int stopsig;

		if (ptrace(PTRACE_SINGLESTEP, ctx->tid, NULL, NULL)) {
			pr_perror("Can't single-step thread %d", ctx->tid);
			return -1;
		}
		if (ptrace_wait_trap(ctx->tid, &stopsig) || ptrace_get_regs(ctx->tid, regs))
			return -1;
		if (regs->rip != ip)
			return 0;
		pr_debug("Thread %d stopped (signal %d) before the step; stepping again\n",
			 ctx->tid, stopsig);
	}
	pr_err("Thread %d keeps stopping before its injected syscall\n", ctx->tid);
	return -1;
}

int infect_syscall(struct infect_ctx *ctx, long nr, long *ret, long a1, long a2, long a3,
		   long a4, long a5, long a6)
{
	struct user_regs_struct regs = ctx->saved;

	regs.rip = ctx->syscall_ip;
	regs.rax = nr;
	regs.orig_rax = -1;	/* no syscall restart games on the way out */
	regs.rdi = a1;
	regs.rsi = a2;
	regs.rdx = a3;
	regs.r10 = a4;
	regs.r8 = a5;
	regs.r9 = a6;
	if (step_syscall(ctx, &regs))
		return -1;
	if (regs.rip != ctx->syscall_ip + 2) {
		pr_err("Thread %d is at 0x%llx after syscall %ld, expected 0x%lx\n", ctx->tid,
		       regs.rip, nr, (unsigned long)ctx->syscall_ip + 2);
		return -1;
	}
	*ret = regs.rax;
	return 0;
}

static int infect_attach_thread(struct infect_ctx *ctx, pid_t tid)
{
	uint64_t mask, ours;
	long ret;

	ctx->tid = tid;
	if (ptrace_get_regs(tid, &ctx->saved))
		return -1;
	if (ptrace_get_sigmask(tid, &ctx->saved_mask))
		return -1;
	/* read back: the kernel never stores SIGKILL and SIGSTOP as blocked */
	if (ptrace_set_sigmask(tid, INFECT_MASK) || ptrace_get_sigmask(tid, &ours))
		goto undo;
	/*
	 * A thread stopped inside sigsuspend/ppoll shows its temporary mask; the
	 * kernel puts the real one back the first time the thread resumes. Resume
	 * it once with a harmless call and read the mask again.
	 */
	if (infect_syscall(ctx, SYS_getpid, &ret, 0, 0, 0, 0, 0, 0))
		goto undo;
	if (ptrace_get_sigmask(tid, &mask))
		goto undo;
	if (mask != ours) {
		ctx->saved_mask = mask;
		if (ptrace_set_sigmask(tid, INFECT_MASK))
			goto undo;
	}
	return 0;
undo:
	/* whatever failed, the thread gets its registers and mask back */
	ptrace_set_regs(tid, &ctx->saved);
	ptrace_set_sigmask(tid, ctx->saved_mask);
	return -1;
}

static int infect_detach_thread(struct infect_ctx *ctx)
{
	int ret = ptrace_set_regs(ctx->tid, &ctx->saved);

	if (ptrace_set_sigmask(ctx->tid, ctx->saved_mask))
		ret = -1;
	return ret;
}

int infect_start(struct infect_ctx *ctx, pid_t pid, pid_t tid, size_t scratch_size)
{
	long ret;

	memset(ctx, 0, sizeof(*ctx));
	ctx->pid = pid;
	if (infect_find_syscall(pid, &ctx->syscall_ip))
		return -1;
	if (infect_attach_thread(ctx, tid))
		return -1;
	if (!scratch_size)
		return 0;
	scratch_size = (scratch_size + 4095) & ~4095UL;
	if (infect_syscall(ctx, SYS_mmap, &ret, 0, scratch_size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
		goto err;
	if (ret < 0 && ret > -4096) {
		errno = -ret;
		pr_perror("Can't map a scratch page in pid %d", pid);
		goto err;
	}
	ctx->scratch = ret;
	ctx->scratch_size = scratch_size;
	return 0;
err:
	infect_detach_thread(ctx);
	return -1;
}

int infect_switch_thread(struct infect_ctx *ctx, pid_t tid)
{
	if (tid == ctx->tid)
		return 0;
	if (infect_detach_thread(ctx))
		return -1;
	return infect_attach_thread(ctx, tid);
}

int infect_stop(struct infect_ctx *ctx)
{
	int ret = 0;

	if (ctx->scratch) {
		long r;

		if (infect_syscall(ctx, SYS_munmap, &r, ctx->scratch, ctx->scratch_size, 0, 0, 0,
				   0) ||
		    r) {
			pr_err("Can't unmap the scratch area of pid %d\n", ctx->pid);
			ret = -1;
		}
		ctx->scratch = 0;
	}
	if (infect_detach_thread(ctx))
		ret = -1;
	return ret;
}
