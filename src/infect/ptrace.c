// SPDX-License-Identifier: GPL-2.0
#include <elf.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "infect/ptrace.h"
#include "util/log.h"
#include "util/proc.h"

#ifndef PTRACE_GETSIGMASK
#define PTRACE_GETSIGMASK 0x420a
#define PTRACE_SETSIGMASK 0x420b
#endif
#ifndef PTRACE_PEEKSIGINFO
#define PTRACE_PEEKSIGINFO 0x4209
#define PTRACE_PEEKSIGINFO_SHARED 1
#endif
#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif
#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif

int ptrace_wait_trap(pid_t tid, int *stopsig)
{
	for (;;) {
		int status;
		pid_t r = waitpid(tid, &status, __WALL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			pr_perror("Can't wait for thread %d", tid);
			return -1;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			/* the caller knows whether an exiting thread is a problem */
			pr_info("Thread %d exited while being frozen\n", tid);
			errno = ESRCH;
			return -1;
		}
		if (!WIFSTOPPED(status))
			continue;
		if ((status >> 16) == PTRACE_EVENT_STOP) {
			*stopsig = WSTOPSIG(status);
			return 0;
		}
		if (WSTOPSIG(status) == SIGTRAP && (status >> 16) == 0) {
			*stopsig = SIGTRAP;
			return 0;
		}
		/*
		 * A signal-delivery stop: the signal was on its way before we came.
		 * Let it go (it is delivered as it would have been); the interrupt
		 * is still pending and stops the thread right after.
		 */
		pr_debug("Thread %d: passing on signal %d met while freezing\n", tid,
			 WSTOPSIG(status));
		if (ptrace(PTRACE_CONT, tid, NULL, (void *)(long)WSTOPSIG(status))) {
			pr_perror("Can't resume thread %d with its signal", tid);
			return -1;
		}
	}
}

/* Has @tid exited (a zombie, or dead and gone)? PTRACE_SEIZE of one fails with EPERM. */
static bool has_exited(pid_t tid)
{
	struct proc_stat st;

	return proc_try_stat(tid, &st) || st.state == 'Z' || st.state == 'X';
}

int ptrace_seize_interrupt(pid_t tid)
{
	if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)(long)PTRACE_O_TRACESYSGOOD)) {
		/* a thread that just exited is the caller's call, not an error */
		if (errno == EPERM && has_exited(tid))
			errno = ESRCH;
		if (errno != ESRCH)
			pr_perror("Can't seize thread %d", tid);
		return -1;
	}
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL)) {
		pr_perror("Can't interrupt thread %d", tid);
		ptrace(PTRACE_DETACH, tid, NULL, NULL);
		return -1;
	}
	return 0;
}

int ptrace_wait_seized(pid_t tid)
{
	int stopsig;

	if (ptrace_wait_trap(tid, &stopsig))
		return -1;
	return stopsig == SIGTRAP ? SEIZED_RUNNING : SEIZED_STOPPED;
}

int ptrace_seize_stop(pid_t tid)
{
	if (ptrace_seize_interrupt(tid))
		return -1;
	return ptrace_wait_seized(tid);
}

/*
 * A thread we interrupted in a sleep (nanosleep, clock_nanosleep, poll...)
 * holds -ERESTART_RESTARTBLOCK: resumed as is, the kernel would go on in
 * restart_syscall, whose state (the kernel's restart block) no later dump
 * can save, so a restore of that dump could only return EINTR. Make it
 * -ERESTARTNOINTR instead: the kernel calls the original syscall again (a
 * relative sleep then lasts longer, as the interface allows).
 */
int ptrace_keep_restartable(pid_t tid)
{
	struct user_regs_struct r;

	if (ptrace_get_regs(tid, &r))
		return -1;
	if ((long)r.orig_rax < 0 || r.orig_rax == 219 /* restart_syscall */ ||
	    (long)r.rax != -516 /* ERESTART_RESTARTBLOCK */)
		return 0;
	r.rax = -513;	/* ERESTARTNOINTR */
	return ptrace_set_regs(tid, &r);
}

int ptrace_detach(pid_t tid, int sig)
{
	if (ptrace(PTRACE_DETACH, tid, NULL, (void *)(long)sig) && errno != ESRCH) {
		pr_perror("Can't detach from thread %d", tid);
		return -1;
	}
	return 0;
}

int ptrace_get_regs(pid_t tid, struct user_regs_struct *regs)
{
	struct iovec iov = { regs, sizeof(*regs) };

	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &iov)) {
		pr_perror("Can't get registers of thread %d", tid);
		return -1;
	}
	return 0;
}

int ptrace_set_regs(pid_t tid, const struct user_regs_struct *regs)
{
	struct iovec iov = { (void *)regs, sizeof(*regs) };

	if (ptrace(PTRACE_SETREGSET, tid, (void *)NT_PRSTATUS, &iov)) {
		pr_perror("Can't set registers of thread %d", tid);
		return -1;
	}
	return 0;
}

int ptrace_get_xsave(pid_t tid, void *buf, size_t size)
{
	struct iovec iov = { buf, size };

	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_X86_XSTATE, &iov)) {
		pr_perror("Can't get xsave state of thread %d", tid);
		return -1;
	}
	return iov.iov_len;
}

int ptrace_get_sigmask(pid_t tid, uint64_t *mask)
{
	if (ptrace(PTRACE_GETSIGMASK, tid, (void *)sizeof(*mask), mask)) {
		pr_perror("Can't get signal mask of thread %d", tid);
		return -1;
	}
	return 0;
}

int ptrace_set_sigmask(pid_t tid, uint64_t mask)
{
	if (ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof(mask), &mask)) {
		pr_perror("Can't set signal mask of thread %d", tid);
		return -1;
	}
	return 0;
}

struct peeksiginfo_args {
	uint64_t off;
	uint32_t flags;
	int32_t nr;
};

int ptrace_peek_siginfo(pid_t tid, bool shared, void **infos, int *nr)
{
	struct peeksiginfo_args args = { 0, shared ? PTRACE_PEEKSIGINFO_SHARED : 0, 32 };
	uint8_t *all = NULL;
	int n = 0;

	for (;;) {
		uint8_t chunk[32 * 128];
		uint8_t *na;
		long r = ptrace(PTRACE_PEEKSIGINFO, tid, &args, chunk);

		if (r < 0) {
			pr_perror("Can't peek pending signals of thread %d", tid);
			free(all);
			return -1;
		}
		if (r == 0)
			break;
		na = realloc(all, (n + r) * 128);
		if (!na) {
			free(all);
			return -1;
		}
		all = na;
		memcpy(all + n * 128, chunk, r * 128);
		n += r;
		args.off += r;
	}
	*infos = all;
	*nr = n;
	return 0;
}

int ptrace_get_seccomp_filter(pid_t tid, long i, void **prog)
{
	long n = ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)i, NULL);
	void *buf;

	/* EINVAL for the first: the thread has no filter mode at all */
	if (n < 0 && (errno == ENOENT || (errno == EINVAL && i == 0)))
		return 0;
	if (n < 0) {
		pr_perror("Can't read seccomp filter %ld of thread %d", i, tid);
		return -1;
	}
	buf = malloc(n * 8);
	if (!buf) {
		pr_err("No memory for seccomp filter %ld of thread %d\n", i, tid);
		return -1;
	}
	if (ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)i, buf) != n) {
		pr_perror("Can't read seccomp filter %ld of thread %d", i, tid);
		free(buf);
		return -1;
	}
	*prog = buf;
	return n;
}

int mem_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)addr, len };
	ssize_t r = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	if (r != (ssize_t)len) {
		pr_perror("Can't read %zu bytes at 0x%lx of pid %d", len, (unsigned long)addr, pid);
		return -1;
	}
	return 0;
}

int mem_write(pid_t pid, uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = { (void *)buf, len }, remote = { (void *)addr, len };
	ssize_t r = process_vm_writev(pid, &local, 1, &remote, 1, 0);

	if (r != (ssize_t)len) {
		pr_perror("Can't write %zu bytes at 0x%lx of pid %d", len, (unsigned long)addr,
			  pid);
		return -1;
	}
	return 0;
}
