// SPDX-License-Identifier: GPL-2.0
/*
 * criu exec -t PID SYSCALL [ARG...]: run one system call in the context of a
 * task, as if the task had made it.
 *
 * Only the threads of that one task are seized (its children keep running);
 * the call runs in the thread -t names (the main thread when -t is a process
 * id), through the injection machinery of src/infect. Every thread is given
 * back as it was found: running threads run, a stopped task stays stopped.
 *
 * Arguments starting with '&' are strings: they are copied, NUL-terminated,
 * into a scratch area mapped in the task for the duration of the call, and
 * the call receives their address. Everything else is a number (strtol,
 * base 0). A blocking call (pause, a long nanosleep, a read from an empty
 * pipe) is interrupted by --timeout, or by SIGINT/SIGTERM/SIGHUP sent to
 * criu; the task is then given back unharmed and the call reported as
 * interrupted.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <unistd.h>

#include "cmd/cmds.h"
#include "infect/inject.h"
#include "infect/ptrace.h"
#include "util/log.h"
#include "util/options.h"
#include "util/proc.h"

#define EXEC_MAX_ARGS 6

struct syscall_desc {
	const char *name;
	long nr;
	/* the call never returns into the task's code as it was */
	bool noreturn;
};

#define SC(n) { #n, SYS_##n, false }
#define SC_NORET(n) { #n, SYS_##n, true }

/* clang-format off */
static const struct syscall_desc syscalls[] = {
	/* files and descriptors */
	SC(read), SC(write), SC(open), SC(close), SC(stat), SC(fstat), SC(lstat),
	SC(lseek), SC(pread64), SC(pwrite64), SC(readv), SC(writev), SC(access),
	SC(pipe), SC(pipe2), SC(dup), SC(dup2), SC(dup3), SC(fcntl), SC(flock),
	SC(fsync), SC(fdatasync), SC(truncate), SC(ftruncate), SC(fallocate),
	SC(getcwd), SC(chdir), SC(fchdir), SC(rename), SC(renameat), SC(renameat2),
	SC(mkdir), SC(mkdirat), SC(rmdir), SC(creat), SC(link), SC(linkat),
	SC(unlink), SC(unlinkat), SC(symlink), SC(symlinkat), SC(readlink),
	SC(readlinkat), SC(chmod), SC(fchmod), SC(fchmodat), SC(chown), SC(fchown),
	SC(lchown), SC(fchownat), SC(umask), SC(openat), SC(faccessat), SC(ioctl),
	SC(sendfile), SC(splice), SC(tee), SC(close_range), SC(memfd_create),
	SC(eventfd2), SC(epoll_create1), SC(timerfd_create), SC(inotify_init1),
	SC(sync), SC(syncfs), SC(chroot), SC(mount), SC(umount2),
	/* memory */
	SC(mmap), SC(munmap), SC(mprotect), SC(mremap), SC(msync), SC(madvise),
	SC(mlock), SC(munlock), SC(brk),
	/* sockets */
	SC(socket), SC(socketpair), SC(bind), SC(listen), SC(connect),
	SC(shutdown), SC(setsockopt),
	/* processes, credentials, sessions */
	SC(getpid), SC(gettid), SC(getppid), SC(getuid), SC(geteuid), SC(getgid),
	SC(getegid), SC(setuid), SC(setgid), SC(setreuid), SC(setregid),
	SC(setresuid), SC(setresgid), SC(setfsuid), SC(setfsgid), SC(getgroups),
	SC(setgroups), SC(setpgid), SC(getpgid), SC(getpgrp), SC(setsid),
	SC(getsid), SC(getpriority), SC(setpriority), SC(personality), SC(prctl),
	SC(arch_prctl), SC(unshare), SC(setns), SC(pidfd_open), SC(pidfd_getfd),
	SC(sched_yield), SC(getrandom), SC(sethostname), SC(setdomainname),
	/* signals and time */
	SC(kill), SC(tkill), SC(tgkill), SC(alarm), SC(pause), SC(nanosleep),
	SC(sigaltstack),
	/* calls that do not come back to the code the task was running */
	SC_NORET(exit), SC_NORET(exit_group), SC_NORET(execve), SC_NORET(execveat),
	SC_NORET(fork), SC_NORET(vfork), SC_NORET(clone), SC_NORET(clone3),
	SC_NORET(rt_sigreturn),
};
/* clang-format on */

static const struct syscall_desc *syscall_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (!strcmp(syscalls[i].name, name))
			return &syscalls[i];
	return NULL;
}

static const struct syscall_desc *syscall_by_nr(long nr)
{
	for (size_t i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (syscalls[i].nr == nr)
			return &syscalls[i];
	return NULL;
}

struct exec_arg {
	const char *str;	/* '&' argument: the string, else NULL */
	long val;		/* the number, or the string's address once copied */
};

/* A number as strtol reads it, the whole word; values up to 2^64-1 are allowed too. */
static int parse_number(const char *s, long *val)
{
	char *end;

	if (!*s)
		return -1;
	errno = 0;
	*val = strtol(s, &end, 0);
	if (errno == ERANGE && s[strspn(s, " \t")] != '-') {
		errno = 0;
		*val = (long)strtoul(s, &end, 0);
	}
	if (errno || *end)
		return -1;
	return 0;
}

static int parse_call(const struct syscall_desc **call, long *nr, struct exec_arg *args,
		      int *nr_args, size_t *scratch)
{
	const char *name = opts.args[0];

	*call = syscall_by_name(name);
	if (*call) {
		*nr = (*call)->nr;
	} else if (parse_number(name, nr) == 0 && *nr >= 0 && *nr < 1024) {
		/* a raw number names the call directly */
		*call = syscall_by_nr(*nr);
	} else {
		pr_err("exec: unknown system call '%s'\n", name);
		return -1;
	}
	if (*call && (*call)->noreturn) {
		pr_err("exec: refusing %s: it would not return to the task's code\n",
		       (*call)->name);
		return -1;
	}
	*nr_args = opts.nr_args - 1;
	if (*nr_args > EXEC_MAX_ARGS) {
		pr_err("exec: too many arguments for %s: %d given, a system call takes at most %d\n",
		       name, *nr_args, EXEC_MAX_ARGS);
		return -1;
	}
	*scratch = 0;
	for (int i = 0; i < *nr_args; i++) {
		const char *a = opts.args[i + 1];

		args[i].str = NULL;
		args[i].val = 0;
		if (a[0] == '&') {
			args[i].str = a + 1;
			*scratch += strlen(a + 1) + 1;
			continue;
		}
		if (parse_number(a, &args[i].val)) {
			pr_err("exec: bad argument %d '%s': expected a number or &string\n", i + 1,
			       a);
			return -1;
		}
	}
	return 0;
}

/* The threads of the task, as seized. */
struct seized {
	pid_t *tids;
	int nr;
	bool target_stopped;	/* the thread that runs the call was in group stop */
};

static bool seized_has(const struct seized *s, pid_t tid)
{
	for (int i = 0; i < s->nr; i++)
		if (s->tids[i] == tid)
			return true;
	return false;
}

static void release_threads(struct seized *s)
{
	for (int i = 0; i < s->nr; i++)
		ptrace_detach(s->tids[i], 0);
	free(s->tids);
	s->tids = NULL;
	s->nr = 0;
}

/* Seize every thread of @pid until a pass finds no new one; @tid must be among them. */
static int seize_threads(pid_t pid, pid_t tid, struct seized *s)
{
	for (;;) {
		pid_t *tids;
		int nr, fresh = 0;

		if (proc_list_threads(pid, &tids, &nr))
			goto err;
		for (int i = 0; i < nr; i++) {
			pid_t *n;
			int st;

			if (seized_has(s, tids[i]))
				continue;
			st = ptrace_seize_stop(tids[i]);
			if (st < 0) {
				if (errno == ESRCH && tids[i] != tid)
					continue;	/* exited meanwhile */
				if (errno == ESRCH)
					pr_err("exec: thread %d of %d exited while being seized\n",
					       tids[i], pid);
				free(tids);
				goto err;
			}
			n = realloc(s->tids, (s->nr + 1) * sizeof(*s->tids));
			if (!n) {
				pr_err("exec: out of memory seizing %d\n", pid);
				ptrace_detach(tids[i], 0);
				free(tids);
				goto err;
			}
			s->tids = n;
			s->tids[s->nr++] = tids[i];
			if (tids[i] == tid && st == SEIZED_STOPPED)
				s->target_stopped = true;
			fresh++;
		}
		free(tids);
		if (!fresh)
			break;
	}
	if (!seized_has(s, tid)) {
		pr_err("exec: thread %d is not a thread of process %d\n", tid, pid);
		goto err;
	}
	return 0;
err:
	release_threads(s);
	return -1;
}

/*
 * Seizing a thread that is already in group stop can leave a second stop
 * trap queued: PTRACE_SEIZE traps a stopped thread by itself, and the
 * PTRACE_INTERRUPT that follows asks for one more unless the two merged.
 * The first step of an injected call would meet that trap instead of the
 * call. Let the thread meet it now, over a harmless getpid with every
 * signal but SIGTRAP blocked, then put its registers and mask back.
 */
static int settle_stopped(pid_t pid, pid_t tid)
{
	struct user_regs_struct saved, regs;
	uint64_t ip, mask;
	int sig, ret = -1;

	if (infect_find_syscall(pid, &ip) || ptrace_get_regs(tid, &saved) ||
	    ptrace_get_sigmask(tid, &mask))
		return -1;
	if (ptrace_set_sigmask(tid, ~0ULL & ~(1ULL << (SIGTRAP - 1))))
		return -1;
	regs = saved;
	regs.rip = ip;
	regs.rax = SYS_getpid;
	regs.orig_rax = -1;
	if (ptrace_set_regs(tid, &regs))
		goto out;
	if (ptrace(PTRACE_SINGLESTEP, tid, NULL, NULL)) {
		pr_perror("exec: can't single-step thread %d of %d", tid, pid);
		goto out;
	}
	if (ptrace_wait_trap(tid, &sig))
		goto out;
	pr_debug("exec: stopped thread %d settled with signal %d\n", tid, sig);
	ret = 0;
out:
	if (ptrace_set_regs(tid, &saved) || ptrace_set_sigmask(tid, mask))
		ret = -1;
	return ret;
}

/* -t may name a process or one of its threads: find the process. */
static int find_task(pid_t tid, pid_t *pid)
{
	struct proc_status st;

	if (kill(tid, 0) && errno == ESRCH) {
		pr_err("exec: process %d does not exist\n", tid);
		return -1;
	}
	if (proc_parse_status(tid, 0, &st)) {
		pr_err("exec: can't read the status of process %d\n", tid);
		return -1;
	}
	if (st.state == 'Z' || st.state == 'X') {
		pr_err("exec: process %d is a zombie: it can run nothing\n", tid);
		return -1;
	}
	*pid = st.tgid ? st.tgid : tid;
	if (*pid == getpid() || *pid == getppid()) {
		pr_err("exec: process %d is criu itself or its parent\n", *pid);
		return -1;
	}
	return 0;
}

/*
 * A blocking call is cut short with a SIGTRAP sent to the thread: the only
 * signal it has unblocked while it runs our calls. The call ends (-ERESTART*),
 * and the signal shows up as the very trap that ends every injected call, so
 * it is consumed there and never reaches the task.
 */
static volatile sig_atomic_t interrupt_pid, interrupt_tid;
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	int e = errno;

	interrupted = sig;
	if (interrupt_tid)
		syscall(SYS_tgkill, (pid_t)interrupt_pid, (pid_t)interrupt_tid, SIGTRAP);
	errno = e;
}

static void catch_signals(bool on)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGALRM };
	struct sigaction sa = { .sa_handler = on ? on_signal : SIG_DFL };

	/* no SA_RESTART: waits see EINTR and look again */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/*
 * Had our SIGTRAP come only after the call finished, it would still be
 * queued: take it out by letting the thread meet it in a harmless call.
 */
static int drain_trap(struct infect_ctx *ctx)
{
	for (int tries = 0; tries < 3; tries++) {
		bool queued = false;
		void *infos;
		int nr, level;
		long r;

		if (ptrace_peek_siginfo(ctx->tid, false, &infos, &nr))
			return -1;
		for (int i = 0; i < nr; i++)
			if (((siginfo_t *)((char *)infos + i * 128))->si_signo == SIGTRAP)
				queued = true;
		free(infos);
		if (!queued)
			return 0;
		/* the first try stops on the signal, not after the call: no news */
		level = log_get_level();
		log_set_level(LOG_MSG);
		infect_syscall(ctx, SYS_getpid, &r, 0, 0, 0, 0, 0, 0);
		log_set_level(level);
	}
	pr_err("exec: can't take a stray SIGTRAP back from thread %d\n", ctx->tid);
	return -1;
}

/* The kernel's internal restart codes, seen when a call was interrupted. */
#define ERESTARTSYS 512
#define ERESTART_RESTARTBLOCK 516

static void print_result(long ret)
{
	if (ret >= -ERESTART_RESTARTBLOCK && ret <= -ERESTARTSYS)
		pr_msg("Syscall interrupted (returned %ld)\n", ret);
	else if (ret < 0 && ret >= -4095)
		pr_msg("Syscall returned %ld (%s)\n", ret, strerror((int)-ret));
	else if (ret > 0xffff || ret < 0)
		pr_msg("Syscall returned %ld (0x%lx)\n", ret, (unsigned long)ret);
	else
		pr_msg("Syscall returned %ld\n", ret);
}

static int run_call(pid_t pid, pid_t tid, long nr, struct exec_arg *args, int nr_args,
		    size_t scratch, long *ret)
{
	struct infect_ctx ctx;
	long a[EXEC_MAX_ARGS] = { 0 };
	size_t off = 0;
	int err = -1;

	if (infect_start(&ctx, pid, tid, scratch)) {
		pr_err("exec: can't prepare process %d to run a system call\n", pid);
		return -1;
	}
	for (int i = 0; i < nr_args; i++) {
		size_t len;

		if (!args[i].str) {
			a[i] = args[i].val;
			continue;
		}
		len = strlen(args[i].str) + 1;
		if (mem_write(pid, ctx.scratch + off, args[i].str, len))
			goto out;
		a[i] = (long)(ctx.scratch + off);
		off += len;
	}
	interrupt_pid = pid;
	interrupt_tid = tid;
	if (interrupted) {
		interrupt_tid = 0;
		pr_err("exec: interrupted by signal %d before the call\n", (int)interrupted);
		goto out;
	}
	if (opts.timeout)
		alarm(opts.timeout);
	if (infect_syscall(&ctx, nr, ret, a[0], a[1], a[2], a[3], a[4], a[5]))
		pr_err("exec: can't run system call %ld in thread %d of %d\n", nr, tid, pid);
	else
		err = 0;
	interrupt_tid = 0;
	alarm(0);
	if (interrupted && drain_trap(&ctx))
		err = -1;
out:
	if (infect_stop(&ctx)) {
		pr_err("exec: can't give thread %d of %d its state back\n", tid, pid);
		err = -1;
	}
	return err;
}

int cmd_exec(void)
{
	struct exec_arg args[EXEC_MAX_ARGS];
	const struct syscall_desc *call;
	struct seized threads = { 0 };
	pid_t tid = opts.tree_pid, pid;
	size_t scratch;
	int nr_args;
	long nr, ret = 0;
	int err;

	if (opts.nr_args < 1) {
		pr_err("exec: no system call given\n");
		return 1;
	}
	if (parse_call(&call, &nr, args, &nr_args, &scratch))
		return 1;
	if (find_task(tid, &pid))
		return 1;
	pr_info("Running %s (%ld) with %d argument(s) in thread %d of %d\n",
		call ? call->name : opts.args[0], nr, nr_args, tid, pid);

	catch_signals(true);
	if (seize_threads(pid, tid, &threads)) {
		pr_err("exec: can't seize process %d\n", pid);
		catch_signals(false);
		return 1;
	}
	if (threads.target_stopped && settle_stopped(pid, tid)) {
		pr_err("exec: can't prepare stopped process %d to run a system call\n", pid);
		release_threads(&threads);
		catch_signals(false);
		return 1;
	}
	err = run_call(pid, tid, nr, args, nr_args, scratch, &ret);
	release_threads(&threads);
	catch_signals(false);
	if (err)
		return 1;
	print_result(ret);
	return 0;
}
