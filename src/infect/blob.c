// SPDX-License-Identifier: GPL-2.0
/* Freestanding code run on a thread of a stopped task (see blob.h). */
#include <elf.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "infect/blob.h"
#include "infect/ptrace.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/seccomp.h"

#define USER_CS_64 0x33		/* a thread running 64-bit code */
#define EFLAGS_TF 0x100
#define EFLAGS_DF 0x400

static const int guarded[INFECT_BLOB_GUARDED] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP,
						  SIGSYS };

const int infect_blob_syscalls[] = { SYS_mmap, SYS_munmap, SYS_rt_sigaction, SYS_getpid };
const int infect_blob_nr_syscalls = sizeof(infect_blob_syscalls) / sizeof(int);

/*
 * An injected call whose result must not be an error; @what names it for
 * the log. A refusal while @loading is said at info level: the caller can
 * do without the blob.
 */
static int call(struct infect_ctx *ctx, bool loading, const char *what, long *ret, long nr,
		long a1, long a2, long a3, long a4, long a5, long a6)
{
	long r;

	if (infect_syscall(ctx, nr, &r, a1, a2, a3, a4, a5, a6))
		return -1;
	if (r < 0 && r > -4096) {
		errno = -r;
		if (loading)
			pr_info("%s failed in pid %d: %m\n", what, ctx->pid);
		else
			pr_perror("%s failed in pid %d", what, ctx->pid);
		return -1;
	}
	if (ret)
		*ret = r;
	return 0;
}

/* Through /proc/PID/mem, which may write into the read+exec code mapping. */
static int write_code(struct infect_ctx *ctx, uint64_t addr, const void *code, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", ctx->pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_perror("Can't open %s to load code", path);
		return -1;
	}
	n = pwrite(fd, code, len, addr);
	if (n != (ssize_t)len)
		pr_perror("Can't write %zu bytes of code at 0x%lx in pid %d", len,
			  (unsigned long)addr, ctx->pid);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

static int sigactions(struct infect_ctx *ctx, struct infect_blob *b, bool set)
{
	uint64_t slot = b->data;
	int ret = 0;

	if (set && mem_write(ctx->pid, slot, b->acts, sizeof(b->acts)))
		return -1;
	for (int i = 0; i < INFECT_BLOB_GUARDED; i++) {
		uint64_t act = slot + i * sizeof(b->acts[0]);

		if (call(ctx, !set, set ? "rt_sigaction (put back)" : "rt_sigaction (save)", NULL,
			 SYS_rt_sigaction, guarded[i], set ? act : 0, set ? 0 : act, 8, 0, 0))
			ret = -1;
	}
	if (!set && !ret && mem_read(ctx->pid, slot, b->acts, sizeof(b->acts)))
		ret = -1;
	return ret;
}

int infect_blob_load(struct infect_ctx *ctx, struct infect_blob *b, const void *code,
		     size_t len, size_t data_size, size_t stack_size)
{
	long addr;

	memset(b, 0, sizeof(*b));
	b->code_size = (len + 4095) & ~4095UL;
	b->data_size = (data_size + stack_size + 4095) & ~4095UL;
	if (b->data_size < sizeof(b->acts)) {
		pr_err("A blob's data area must hold %zu bytes\n", sizeof(b->acts));
		return -1;
	}
	/* read+exec, never write+exec: a task may be denied that (PR_SET_MDWE) */
	if (ctx->saved.cs != USER_CS_64) {
		pr_info("Thread %d does not run 64-bit code (cs 0x%llx)\n", ctx->tid,
			ctx->saved.cs);
		return -1;
	}
	if (call(ctx, true, "mmap of blob code", &addr, SYS_mmap, 0, b->code_size,
		 PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
		return -1;
	b->code = addr;
	if (call(ctx, true, "mmap of blob data", &addr, SYS_mmap, 0, b->data_size,
		 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
		goto err;
	b->data = addr;
	b->stack_top = (b->data + b->data_size) & ~15UL;
	if (write_code(ctx, b->code, code, len) || sigactions(ctx, b, false))
		goto err;
	return 0;
err:
	infect_blob_unload(ctx, b);
	return -1;
}

int infect_blob_start(struct infect_ctx *ctx, struct infect_blob *b, size_t entry_off,
		      uint64_t arg)
{
	struct user_regs_struct regs = ctx->saved;

	regs.rip = b->code + entry_off;
	regs.rsp = b->stack_top - 8;	/* as if called: the ABI's alignment */
	regs.rdi = arg;
	regs.orig_rax = -1;	/* no syscall restart on the way out of the stop */
	regs.eflags &= ~(EFLAGS_TF | EFLAGS_DF);
	b->faulted = false;
	if (ptrace_set_sigmask(ctx->tid, ~0ULL) || ptrace_set_regs(ctx->tid, &regs))
		return -1;
	if (ptrace(PTRACE_CONT, ctx->tid, NULL, NULL)) {
		pr_perror("Can't start the blob in thread %d", ctx->tid);
		return -1;
	}
	b->running = true;
	return 0;
}

static bool is_guarded(int sig)
{
	for (int i = 0; i < INFECT_BLOB_GUARDED; i++)
		if (guarded[i] == sig)
			return true;
	return false;
}

/*
 * One stop of the running blob. Returns 1 when the thread stays stopped
 * (the interrupt we asked for, or a fault), 0 when it was let go on, -1 on
 * error (the thread is gone).
 */
static int blob_stopped(struct infect_ctx *ctx, struct infect_blob *b, int status,
			bool interrupted)
{
	siginfo_t si;
	int sig;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		pr_err("Thread %d died while running a blob\n", ctx->tid);
		b->running = false;
		return -1;
	}
	if (!WIFSTOPPED(status))
		return 0;
	sig = WSTOPSIG(status);
	if ((status >> 16) == PTRACE_EVENT_STOP) {
		if (interrupted)
			return 1;
		/* a group stop the thread had been in reports once more: go on */
		sig = 0;
	} else if (is_guarded(sig) && !ptrace(PTRACE_GETSIGINFO, ctx->tid, NULL, &si) &&
		   si.si_code > 0) {
		pr_err("The blob in thread %d faulted: signal %d (code %d) at 0x%lx\n", ctx->tid,
		       sig, si.si_code, (unsigned long)si.si_addr);
		b->faulted = true;
		return 1;
	}
	/* every signal is blocked: this is SIGSTOP, and it is the task's */
	if (ptrace(PTRACE_CONT, ctx->tid, NULL, (void *)(long)sig)) {
		pr_perror("Can't resume the blob in thread %d", ctx->tid);
		return -1;
	}
	return 0;
}

int infect_blob_check(struct infect_ctx *ctx, struct infect_blob *b)
{
	for (;;) {
		int status, r;
		pid_t p = waitpid(ctx->tid, &status, WNOHANG | __WALL);

		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0) {
			pr_perror("Can't wait for thread %d", ctx->tid);
			return -1;
		}
		if (p == 0)
			return 0;
		r = blob_stopped(ctx, b, status, false);
		if (r) {
			b->running = false;
			return -1;
		}
	}
}

int infect_blob_stop(struct infect_ctx *ctx, struct infect_blob *b)
{
	int ret = 0;

	if (b->running && ptrace(PTRACE_INTERRUPT, ctx->tid, NULL, NULL)) {
		pr_perror("Can't interrupt the blob in thread %d", ctx->tid);
		return -1;
	}
	while (b->running) {
		int status, r;
		pid_t p = waitpid(ctx->tid, &status, __WALL);

		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0) {
			pr_perror("Can't wait for thread %d", ctx->tid);
			return -1;
		}
		r = blob_stopped(ctx, b, status, true);
		if (r < 0)
			return -1;
		if (r)
			b->running = false;
	}
	if (ptrace_set_regs(ctx->tid, &ctx->saved) || ptrace_set_sigmask(ctx->tid, INFECT_MASK))
		ret = -1;
	if (b->faulted) {
		if (sigactions(ctx, b, true))
			pr_err("The handlers of fault signals of pid %d may have been reset\n",
			       ctx->pid);
		b->faulted = false;
		ret = -1;
	}
	return ret;
}

int infect_blob_unload(struct infect_ctx *ctx, struct infect_blob *b)
{
	int ret = 0;

	if (b->data && call(ctx, false, "munmap of blob data", NULL, SYS_munmap, b->data,
			    b->data_size, 0, 0, 0, 0))
		ret = -1;
	if (b->code && call(ctx, false, "munmap of blob code", NULL, SYS_munmap, b->code,
			    b->code_size, 0, 0, 0, 0))
		ret = -1;
	b->data = b->code = 0;
	return ret;
}

int infect_seccomp_allows(struct infect_ctx *ctx, const int *nrs, int n)
{
	struct proc_status st;
	int ret = 1;

	if (proc_parse_status(ctx->pid, ctx->tid, &st))
		return -1;
	if (st.seccomp == 0)
		return 1;
	if (st.seccomp != 2)
		return 0;
	for (long i = 0; ret == 1; i++) {
		void *prog;
		int len = ptrace_get_seccomp_filter(ctx->tid, i, &prog);

		if (len <= 0)
			return len < 0 ? -1 : ret;
		for (int k = 0; k < n && ret == 1; k++) {
			uint32_t v;

			if (seccomp_filter_verdict(prog, len, nrs[k], AUDIT_ARCH_X86_64, &v)) {
				pr_info("Seccomp filter %ld of thread %d looks at more than the number of syscall %d\n",
					i, ctx->tid, nrs[k]);
				ret = 0;
			} else if (v != SECCOMP_RET_ALLOW) {
				pr_info("Seccomp filter %ld of thread %d does not allow syscall %d (0x%x)\n",
					i, ctx->tid, nrs[k], v);
				ret = 0;
			}
		}
		free(prog);
	}
	return ret;
}
