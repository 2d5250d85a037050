// SPDX-License-Identifier: GPL-2.0
/* The core image: per-task and per-thread state (registers, signals, creds,
 * limits, scheduling, prctl bits). The restore half is in restore-core.c. */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "core.pb-c.h"
#include "engine/core.h"
#include "images/image.h"
#include "infect/ptrace.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/proc.h"

#ifndef PTRACE_GET_RSEQ_CONFIGURATION
#define PTRACE_GET_RSEQ_CONFIGURATION 0x420f
#endif

struct kernel_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* Run one syscall in the task; fail unless it returned >= 0. */
static int remote_call(struct infect_ctx *ctx, const char *what, long nr, long *ret, long a1,
		       long a2, long a3, long a4)
{
	long r;

	if (infect_syscall(ctx, nr, &r, a1, a2, a3, a4, 0, 0))
		return -1;
	if (r < 0 && r > -4096) {
		errno = -r;
		pr_perror("%s failed in thread %d of %d", what, ctx->tid, ctx->pid);
		return -1;
	}
	if (ret)
		*ret = r;
	return 0;
}

static int dump_sigactions(struct infect_ctx *ctx, TaskCoreEntry *tc)
{
	tc->sigactions = calloc(64, sizeof(*tc->sigactions));
	if (!tc->sigactions)
		return -1;
	for (int sig = 1; sig <= 64; sig++) {
		struct kernel_sigaction ka;
		SigactionEntry *e;

		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (remote_call(ctx, "rt_sigaction", SYS_rt_sigaction, NULL, sig, 0, ctx->scratch,
				8) ||
		    mem_read(ctx->pid, ctx->scratch, &ka, sizeof(ka)))
			return -1;
		if (ka.handler == (uint64_t)SIG_DFL && !ka.flags && !ka.mask)
			continue;
		e = malloc(sizeof(*e));
		if (!e)
			return -1;
		sigaction_entry__init(e);
		e->sig = sig;
		e->handler = ka.handler;
		e->flags = ka.flags;
		e->restorer = ka.restorer;
		e->mask = ka.mask;
		tc->sigactions[tc->n_sigactions++] = e;
	}
	return 0;
}

static int dump_itimers(struct infect_ctx *ctx, TaskCoreEntry *tc)
{
	tc->itimers = calloc(3, sizeof(*tc->itimers));
	if (!tc->itimers)
		return -1;
	for (int which = 0; which < 3; which++) {
		struct itimerval it;
		ItimerEntry *e;

		if (remote_call(ctx, "getitimer", SYS_getitimer, NULL, which, ctx->scratch, 0, 0) ||
		    mem_read(ctx->pid, ctx->scratch, &it, sizeof(it)))
			return -1;
		e = malloc(sizeof(*e));
		if (!e)
			return -1;
		itimer_entry__init(e);
		e->which = which;
		e->interval_us = it.it_interval.tv_sec * 1000000ULL + it.it_interval.tv_usec;
		e->value_us = it.it_value.tv_sec * 1000000ULL + it.it_value.tv_usec;
		tc->itimers[tc->n_itimers++] = e;
	}
	return 0;
}

/* /proc/PID/timers gives what each timer notifies; its time only the task can ask. */
static int parse_timer(const char *blk, PosixTimerEntry *e)
{
	char how[16], who[8];
	unsigned long long ptr;
	int target;
	const char *p;

	p = strstr(blk, "ID:");
	if (!p || sscanf(p, "ID: %d", &e->id) != 1)
		return -1;
	p = strstr(blk, "signal:");
	if (!p || sscanf(p, "signal: %d/%llx", &e->signo, &ptr) != 2)
		return -1;
	e->sigval = ptr;
	p = strstr(blk, "notify:");
	if (!p || sscanf(p, "notify: %15[a-z]/%7[a-z].%d", how, who, &target) != 3)
		return -1;
	e->notify = !strcmp(how, "none") ? SIGEV_NONE : !strcmp(how, "thread") ? SIGEV_THREAD :
									     SIGEV_SIGNAL;
	if (!strcmp(who, "tid")) {
		e->notify |= SIGEV_THREAD_ID;
		e->has_tid = true;
		e->tid = target;
	}
	p = strstr(blk, "ClockID:");
	return p && sscanf(p, "ClockID: %d", &e->clock) == 1 ? 0 : -1;
}

static char *next_timer(char *from)
{
	if (!strncmp(from, "ID:", 3))
		return from;
	from = strstr(from, "\nID:");
	return from ? from + 1 : NULL;
}

static int dump_posix_timers(struct infect_ctx *ctx, TaskCoreEntry *tc)
{
	char *buf = proc_read_file("/proc/%d/timers", ctx->pid), *blk;
	int n = 0, ret = -1;

	if (!buf)
		return -1;
	/* "ClockID:" contains "ID:" too: a block starts at a line that begins with it */
	for (blk = buf; (blk = next_timer(blk)); blk++)
		n++;
	tc->posix_timers = calloc(n + 1, sizeof(*tc->posix_timers));
	if (!tc->posix_timers)
		goto out;
	for (blk = buf; (blk = next_timer(blk)); blk++) {
		PosixTimerEntry *e = malloc(sizeof(*e));
		struct itimerspec its;

		if (!e)
			goto out;
		posix_timer_entry__init(e);
		tc->posix_timers[tc->n_posix_timers++] = e;
		if (parse_timer(blk, e)) {
			pr_err("Can't parse /proc/%d/timers\n", ctx->pid);
			goto out;
		}
		if (remote_call(ctx, "timer_gettime", SYS_timer_gettime, NULL, e->id, ctx->scratch,
				0, 0) ||
		    mem_read(ctx->pid, ctx->scratch, &its, sizeof(its)))
			goto out;
		e->interval_ns = its.it_interval.tv_sec * 1000000000ULL + its.it_interval.tv_nsec;
		e->value_ns = its.it_value.tv_sec * 1000000000ULL + its.it_value.tv_nsec;
	}
	ret = 0;
out:
	free(buf);
	return ret;
}

static int dump_prctls(struct infect_ctx *ctx, TaskCoreEntry *tc, CredsEntry *cr)
{
	long v;

	if (remote_call(ctx, "prctl(PR_GET_DUMPABLE)", SYS_prctl, &v, PR_GET_DUMPABLE, 0, 0, 0))
		return -1;
	tc->has_dumpable = true;
	tc->dumpable = v;
	if (remote_call(ctx, "prctl(PR_GET_PDEATHSIG)", SYS_prctl, NULL, PR_GET_PDEATHSIG,
			ctx->scratch, 0, 0) ||
	    mem_read(ctx->pid, ctx->scratch, &v, sizeof(int)))
		return -1;
	tc->has_pdeathsig = true;
	tc->pdeathsig = (int)v;
	if (remote_call(ctx, "prctl(PR_GET_CHILD_SUBREAPER)", SYS_prctl, NULL,
			PR_GET_CHILD_SUBREAPER, ctx->scratch, 0, 0) ||
	    mem_read(ctx->pid, ctx->scratch, &v, sizeof(int)))
		return -1;
	tc->has_child_subreaper = true;
	tc->child_subreaper = (int)v;
	if (remote_call(ctx, "prctl(PR_GET_SECUREBITS)", SYS_prctl, &v, PR_GET_SECUREBITS, 0, 0,
			0))
		return -1;
	cr->secbits = v;
	return 0;
}

static int dump_creds(pid_t pid, const struct proc_status *st, CredsEntry *cr)
{
	char *buf;

	cr->uid = st->uid[0];
	cr->euid = st->uid[1];
	cr->suid = st->uid[2];
	cr->fsuid = st->uid[3];
	cr->gid = st->gid[0];
	cr->egid = st->gid[1];
	cr->sgid = st->gid[2];
	cr->fsgid = st->gid[3];
	cr->n_groups = st->nr_groups;
	cr->groups = malloc(sizeof(uint32_t) * (st->nr_groups + 1));
	if (!cr->groups)
		return -1;
	memcpy(cr->groups, st->groups, sizeof(uint32_t) * st->nr_groups);
	cr->cap_inh = st->cap_inh;
	cr->cap_prm = st->cap_prm;
	cr->cap_eff = st->cap_eff;
	cr->cap_bnd = st->cap_bnd;
	cr->has_cap_amb = true;
	cr->cap_amb = st->cap_amb;
	cr->has_no_new_privs = true;
	cr->no_new_privs = st->no_new_privs;
	buf = proc_read_file("/proc/%d/loginuid", pid);
	if (buf) {
		cr->has_loginuid = true;
		cr->loginuid = strtoul(buf, NULL, 10);
		free(buf);
	}
	return 0;
}

static int dump_rlimits(pid_t pid, TaskCoreEntry *tc)
{
	uint64_t cur[PROC_NR_RLIMITS], max[PROC_NR_RLIMITS];

	if (proc_parse_limits(pid, cur, max))
		return -1;
	tc->rlimits = calloc(PROC_NR_RLIMITS, sizeof(*tc->rlimits));
	if (!tc->rlimits)
		return -1;
	for (int i = 0; i < PROC_NR_RLIMITS; i++) {
		RlimitEntry *e = malloc(sizeof(*e));

		if (!e)
			return -1;
		rlimit_entry__init(e);
		e->resource = i;
		e->cur = cur[i];
		e->max = max[i];
		tc->rlimits[tc->n_rlimits++] = e;
	}
	return 0;
}

static int read_small_int(const char *fmt, pid_t pid, int *v)
{
	char *buf = proc_read_file(fmt, pid);

	if (!buf)
		return -1;
	*v = atoi(buf);
	free(buf);
	return 0;
}

static int dump_misc(pid_t pid, const struct proc_stat *ps, TaskCoreEntry *tc)
{
	int v;
	char *status;

	tc->comm = strdup(ps->comm);
	tc->has_nice = true;
	tc->nice = ps->nice;
	tc->has_sched_policy = true;
	tc->sched_policy = ps->policy;
	tc->has_sched_prio = true;
	tc->sched_prio = ps->rt_priority;
	if (read_small_int("/proc/%d/oom_score_adj", pid, &v))
		return -1;
	tc->has_oom_score_adj = true;
	tc->oom_score_adj = v;
	if (read_small_int("/proc/%d/personality", pid, &v))
		return -1;
	/* personality is printed in hex */
	{
		char *p = proc_read_file("/proc/%d/personality", pid);

		if (!p)
			return -1;
		tc->personality = strtoul(p, NULL, 16);
		free(p);
	}
	status = proc_read_file("/proc/%d/status", pid);
	if (!status)
		return -1;
	{
		char *u = strstr(status, "Umask:");

		tc->umask = u ? strtoul(u + 6, NULL, 8) : 022;
	}
	free(status);
	return 0;
}

static SiginfoEntry **pack_siginfos(void *infos, int nr)
{
	SiginfoEntry **arr = calloc(nr + 1, sizeof(*arr));

	if (!arr)
		return NULL;
	for (int i = 0; i < nr; i++) {
		arr[i] = malloc(sizeof(**arr));
		if (!arr[i])
			return NULL;
		siginfo_entry__init(arr[i]);
		arr[i]->siginfo.len = 128;
		arr[i]->siginfo.data = malloc(128);
		if (!arr[i]->siginfo.data)
			return NULL;
		memcpy(arr[i]->siginfo.data, (uint8_t *)infos + i * 128, 128);
	}
	return arr;
}

static int dump_thread_signals(pid_t tid, ThreadCoreEntry *th)
{
	void *infos;
	int nr;

	if (ptrace_get_sigmask(tid, &th->blocked))
		return -1;
	if (ptrace_peek_siginfo(tid, false, &infos, &nr))
		return -1;
	th->pending = pack_siginfos(infos, nr);
	th->n_pending = nr;
	free(infos);
	return th->pending ? 0 : -1;
}

static int dump_thread_injected(struct infect_ctx *ctx, ThreadCoreEntry *th)
{
	stack_t ss;
	long addr;

	if (remote_call(ctx, "sigaltstack", SYS_sigaltstack, NULL, 0, ctx->scratch, 0, 0) ||
	    mem_read(ctx->pid, ctx->scratch, &ss, sizeof(ss)))
		return -1;
	th->has_sas_sp = th->has_sas_size = th->has_sas_flags = true;
	th->sas_sp = (uint64_t)ss.ss_sp;
	th->sas_size = ss.ss_size;
	th->sas_flags = ss.ss_flags & ~SS_ONSTACK;
	if (remote_call(ctx, "prctl(PR_GET_TID_ADDRESS)", SYS_prctl, NULL, PR_GET_TID_ADDRESS,
			ctx->scratch, 0, 0) ||
	    mem_read(ctx->pid, ctx->scratch, &addr, sizeof(addr)))
		return -1;
	th->has_clear_tid_addr = true;
	th->clear_tid_addr = addr;
	return 0;
}

/* Registers and mask as they were before criu ran anything in the thread. */
static int dump_thread_plain(struct infect_ctx *ctx, pid_t tid, ThreadCoreEntry *th)
{
	struct user_regs_struct regs = ctx->saved;
	uint8_t *xsave = malloc(XSAVE_MAX);
	long head, len;
	int size;
	cpu_set_t cpus;
	uint8_t rseq[32];

	if (!xsave)
		return -1;
	th->tid = tid;
	th->comm = proc_read_file("/proc/%d/task/%d/comm", ctx->pid, tid);
	if (!th->comm)
		goto err;
	th->comm[strcspn(th->comm, "\n")] = 0;
	{
		struct proc_stat ts;

		if (proc_parse_stat(ctx->pid, tid, &ts))
			goto err;
		th->has_sched_policy = th->has_sched_prio = th->has_nice = true;
		th->sched_policy = ts.policy;
		th->sched_prio = ts.rt_priority;
		th->nice = ts.nice;
	}
	size = ptrace_get_xsave(tid, xsave, XSAVE_MAX);
	if (size < 0)
		goto err;
	th->gpregs.len = sizeof(regs);
	th->gpregs.data = malloc(sizeof(regs));
	if (!th->gpregs.data)
		goto err;
	memcpy(th->gpregs.data, &regs, sizeof(regs));
	th->xsave.len = size;
	th->xsave.data = xsave;
	xsave = NULL;
	th->has_in_syscall = true;
	th->in_syscall = (long)regs.orig_rax;
	if (syscall(SYS_get_robust_list, tid, &head, &len)) {
		pr_perror("Can't get robust list of thread %d", tid);
		goto err;
	}
	th->has_robust_list = th->has_robust_list_len = true;
	th->robust_list = head;
	th->robust_list_len = len;
	if (sched_getaffinity(tid, sizeof(cpus), &cpus)) {
		pr_perror("Can't get CPU affinity of thread %d", tid);
		goto err;
	}
	th->has_cpu_affinity = true;
	th->cpu_affinity.len = sizeof(cpus);
	th->cpu_affinity.data = malloc(sizeof(cpus));
	if (!th->cpu_affinity.data)
		goto err;
	memcpy(th->cpu_affinity.data, &cpus, sizeof(cpus));
	size = ptrace(PTRACE_GET_RSEQ_CONFIGURATION, tid, (void *)sizeof(rseq), rseq);
	if (size > 0) {
		th->has_rseq = true;
		th->rseq.len = size;
		th->rseq.data = malloc(size);
		if (!th->rseq.data)
			goto err;
		memcpy(th->rseq.data, rseq, size);
	}
	if (dump_thread_signals(tid, th))
		goto err;
	th->blocked = ctx->saved_mask;
	return 0;
err:
	free(xsave);
	return -1;
}

/* Every filter of the thread, newest first, as the kernel numbers them. */
static int dump_seccomp(pid_t tid, ThreadCoreEntry *th)
{
	for (long i = 0;; i++) {
		ProtobufCBinaryData *nf;
		void *buf;
		int n = ptrace_get_seccomp_filter(tid, i, &buf);

		if (n <= 0)
			return n;
		nf = realloc(th->seccomp_filters, (th->n_seccomp_filters + 1) * sizeof(*nf));
		if (!nf) {
			free(buf);
			return -1;
		}
		th->seccomp_filters = nf;
		nf[th->n_seccomp_filters].len = n * 8;
		nf[th->n_seccomp_filters++].data = buf;
	}
}

static int dump_thread(struct infect_ctx *ctx, pid_t tid, struct cr_img *img)
{
	ThreadCoreEntry th = THREAD_CORE_ENTRY__INIT;
	int ret = -1;

	if (infect_switch_thread(ctx, tid) || dump_thread_plain(ctx, tid, &th) ||
	    dump_thread_injected(ctx, &th) || dump_seccomp(tid, &th))
		goto out;
	ret = img_write(img, &th.base);
out:
	/* the message owns what we allocated; free its parts by hand */
	free(th.gpregs.data);
	free(th.xsave.data);
	free(th.cpu_affinity.data);
	free(th.rseq.data);
	free(th.comm);
	for (size_t i = 0; i < th.n_seccomp_filters; i++)
		free(th.seccomp_filters[i].data);
	free(th.seccomp_filters);
	for (size_t i = 0; i < th.n_pending; i++) {
		if (th.pending[i])
			free(th.pending[i]->siginfo.data);
		free(th.pending[i]);
	}
	free(th.pending);
	return ret;
}

static void free_task_core(TaskCoreEntry *tc, CredsEntry *cr)
{
	for (size_t i = 0; i < tc->n_sigactions; i++)
		free(tc->sigactions[i]);
	free(tc->sigactions);
	for (size_t i = 0; i < tc->n_rlimits; i++)
		free(tc->rlimits[i]);
	free(tc->rlimits);
	for (size_t i = 0; i < tc->n_itimers; i++)
		free(tc->itimers[i]);
	free(tc->itimers);
	for (size_t i = 0; i < tc->n_posix_timers; i++)
		free(tc->posix_timers[i]);
	free(tc->posix_timers);
	for (size_t i = 0; i < tc->n_shared_pending; i++) {
		if (tc->shared_pending[i])
			free(tc->shared_pending[i]->siginfo.data);
		free(tc->shared_pending[i]);
	}
	free(tc->shared_pending);
	free(cr->groups);
	free(tc->comm);
}

static int dump_task_fields(struct task *t, struct infect_ctx *ctx, TaskCoreEntry *tc,
			    CredsEntry *cr)
{
	struct proc_status st;
	struct proc_stat ps;
	void *infos;
	int nr;

	if (proc_parse_status(t->pid, 0, &st) || proc_parse_stat(t->pid, 0, &ps))
		return -1;
	if (st.seccomp == 1) {
		/* strict mode would not even let criu unmap its restorer afterwards */
		pr_err("unsupported: strict seccomp mode of pid %d\n", t->pid);
		return -1;
	}
	if (dump_creds(t->pid, &st, cr) || dump_rlimits(t->pid, tc) || dump_misc(t->pid, &ps, tc))
		return -1;
	if (dump_sigactions(ctx, tc) || dump_itimers(ctx, tc) || dump_prctls(ctx, tc, cr) ||
	    dump_posix_timers(ctx, tc))
		return -1;
	if (ptrace_peek_siginfo(t->pid, true, &infos, &nr))
		return -1;
	tc->shared_pending = pack_siginfos(infos, nr);
	tc->n_shared_pending = nr;
	free(infos);
	if (!tc->shared_pending)
		return -1;
	tc->has_stopped = true;
	tc->stopped = t->kind == TASK_STOPPED;
	tc->has_files_id = tc->has_fs_id = tc->has_mm_id = true;
	tc->files_id = t->files_id;
	tc->fs_id = t->fs_id;
	tc->mm_id = t->mm_id;
	return 0;
}

int dump_task_core(struct task *t, struct infect_ctx *ctx)
{
	TaskCoreEntry tc = TASK_CORE_ENTRY__INIT;
	CredsEntry cr = CREDS_ENTRY__INIT;
	struct cr_img *img;
	int ret = -1;

	if (fault_hit(FAULT_DUMP_TASK_CORE)) {
		pr_err("Can't collect core state of %d (injected fault)\n", t->pid);
		return -1;
	}
	tc.creds = &cr;
	if (dump_task_fields(t, ctx, &tc, &cr))
		goto out;
	img = img_open(IMG_CORE, O_WRONLY, t->pid);
	if (!img)
		goto out;
	ret = img_write(img, &tc.base);
	for (int i = 0; i < t->nr_threads && !ret; i++)
		ret = dump_thread(ctx, t->threads[i].tid, img);
	if (infect_switch_thread(ctx, t->pid))
		ret = -1;
	if (img_close(img))
		ret = -1;
out:
	free_task_core(&tc, &cr);
	return ret;
}
