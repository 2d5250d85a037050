/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_INFECT_PTRACE_H
#define CR_INFECT_PTRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

/* How a thread was found when seized, so it can be given back the same way. */
enum seize_state {
	SEIZED_RUNNING = 1,	/* stopped by our PTRACE_INTERRUPT */
	SEIZED_STOPPED = 2,	/* was already in group stop */
};

/* Seize @tid and wait until it is in a ptrace stop. Returns a seize_state or -1. */
int ptrace_seize_stop(pid_t tid);
/* The two halves: seize and ask for a stop (a frozen task takes it once thawed) ... */
int ptrace_seize_interrupt(pid_t tid);
/* ... and wait for that stop. Returns a seize_state or -1. */
int ptrace_wait_seized(pid_t tid);
/* Wait for @tid's next stop after an interrupt; passes on real signals it meets. */
int ptrace_wait_trap(pid_t tid, int *stopsig);
int ptrace_detach(pid_t tid, int sig);
/* Before letting @tid go on: an interrupted sleep restarts as the original syscall. */
int ptrace_keep_restartable(pid_t tid);

int ptrace_get_regs(pid_t tid, struct user_regs_struct *regs);
int ptrace_set_regs(pid_t tid, const struct user_regs_struct *regs);
/* The whole xsave area; returns its size in bytes or -1. */
int ptrace_get_xsave(pid_t tid, void *buf, size_t size);
int ptrace_get_sigmask(pid_t tid, uint64_t *mask);
int ptrace_set_sigmask(pid_t tid, uint64_t mask);
/* Pending siginfos, per-thread (shared=false) or process-wide; malloc'ed array of
 * 128-byte records. */
int ptrace_peek_siginfo(pid_t tid, bool shared, void **infos, int *nr);

/* Seccomp filter @i of @tid (0: the newest) as 8-byte BPF instructions,
 * malloc'ed in *prog. Returns their count, 0 when there is no filter @i. */
int ptrace_get_seccomp_filter(pid_t tid, long i, void **prog);

/* Read/write another process's memory. */
int mem_read(pid_t pid, uint64_t addr, void *buf, size_t len);
int mem_write(pid_t pid, uint64_t addr, const void *buf, size_t len);

#endif
