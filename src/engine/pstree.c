// SPDX-License-Identifier: GPL-2.0
/* Collecting and freezing the process tree, and giving it back. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/freezer.h"
#include "engine/pstree.h"
#include "infect/ptrace.h"
#include "util/log.h"
#include "util/options.h"
#include "util/proc.h"

struct task *pstree_find(const struct pstree *tree, pid_t pid)
{
	for (int i = 0; i < tree->nr_tasks; i++)
		if (tree->tasks[i]->pid == pid)
			return tree->tasks[i];
	return NULL;
}

static const struct task *find_below(const struct task *t, pid_t pid, bool *thread)
{
	if (t->pid == pid)
		return t;
	for (int i = 0; i < t->nr_threads; i++)
		if (t->threads[i].tid == pid) {
			*thread = true;
			return t;
		}
	for (int i = 0; i < t->nr_kids; i++) {
		const struct task *f = find_below(t->kids[i], pid, thread);

		if (f)
			return f;
	}
	return NULL;
}

const struct task *tree_find_any(const struct task *t, pid_t pid, bool *thread)
{
	while (t->parent)
		t = t->parent;
	*thread = false;
	return find_below(t, pid, thread);
}

static int grow(void **arr, int n, size_t elem)
{
	void *na;

	if (n & (n - 1) && n)
		return 0;	/* capacity is the next power of two */
	na = realloc(*arr, (n ? n * 2 : 1) * elem);
	if (!na) {
		pr_err("Out of memory growing the process tree\n");
		return -1;
	}
	*arr = na;
	return 0;
}

struct task *pstree_add(struct pstree *tree, struct task *parent, pid_t pid)
{
	struct task *t = calloc(1, sizeof(*t));

	if (!t || grow((void **)&tree->tasks, tree->nr_tasks, sizeof(t))) {
		free(t);
		return NULL;
	}
	if (parent) {
		if (grow((void **)&parent->kids, parent->nr_kids, sizeof(t))) {
			free(t);
			return NULL;
		}
		parent->kids[parent->nr_kids++] = t;
		t->ppid = parent->pid;
	}
	t->pid = pid;
	t->parent = parent;
	t->index = tree->nr_tasks;
	tree->tasks[tree->nr_tasks++] = t;
	return t;
}

static bool has_thread(const struct task *t, pid_t tid)
{
	for (int i = 0; i < t->nr_threads; i++)
		if (t->threads[i].tid == tid)
			return true;
	return false;
}

/*
 * Threads seized and interrupted while their cgroup was frozen: their stop
 * comes after the thaw, and seize_thread only waits for it.
 */
struct pre_seized {
	pid_t tid;
	bool claimed;
};

static struct pre_seized *pre;
static int nr_pre;

static int cmp_pre(const void *a, const void *b)
{
	const struct pre_seized *x = a, *y = b;

	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static int seize_thread(pid_t tid)
{
	struct pre_seized key = { .tid = tid }, *p;

	p = bsearch(&key, pre, nr_pre, sizeof(*pre), cmp_pre);
	if (!p || p->claimed)
		return ptrace_seize_stop(tid);
	p->claimed = true;
	return ptrace_wait_seized(tid);
}

/* Threads of the cgroup that are not in the tree go back as they were. */
static void release_unclaimed(void)
{
	for (int i = 0; i < nr_pre; i++)
		if (!pre[i].claimed && ptrace_wait_seized(pre[i].tid) > 0)
			ptrace_detach(pre[i].tid, 0);
	free(pre);
	pre = NULL;
	nr_pre = 0;
}

/*
 * --freeze-cgroup: freeze the cgroup, seize and interrupt every thread in
 * it while nothing can fork or exit, then thaw: each thread goes straight
 * into its ptrace stop.
 */
static int freeze_cgroup(pid_t root_pid)
{
	const char *path = opts.freeze_cgroup;
	pid_t *tids;
	int nr, ret = -1;
	bool has_root = false;

	/* criu in the cgroup would freeze itself */
	if (freezer_check(path) || freezer_threads(path, &tids, &nr))
		return -1;
	for (int i = 0; i < nr; i++)
		if (tids[i] == getpid()) {
			pr_err("criu itself (%d) is in freezer cgroup %s\n", getpid(), path);
			free(tids);
			return -1;
		}
	free(tids);
	if (freezer_freeze(path))
		return -1;
	if (freezer_threads(path, &tids, &nr))
		goto thaw;
	pre = calloc(nr + 1, sizeof(*pre));
	if (!pre)
		goto out;
	for (int i = 0; i < nr; i++) {
		has_root |= tids[i] == root_pid;
		if (!ptrace_seize_interrupt(tids[i]))
			pre[nr_pre++].tid = tids[i];
		else if (errno != ESRCH)
			goto out;
	}
	if (!has_root) {
		pr_err("Process %d is not in freezer cgroup %s\n", root_pid, path);
		goto out;
	}
	qsort(pre, nr_pre, sizeof(*pre), cmp_pre);
	ret = 0;
out:
	free(tids);
thaw:
	if (freezer_thaw(path))
		ret = -1;
	if (ret)
		release_unclaimed();
	return ret;
}

/* Seize threads until a pass finds no new one. */
static int seize_threads(struct task *t)
{
	for (;;) {
		pid_t *tids;
		int nr, fresh = 0;

		if (proc_list_threads(t->pid, &tids, &nr))
			return -1;
		for (int i = 0; i < nr; i++) {
			int st;

			if (has_thread(t, tids[i]))
				continue;
			st = seize_thread(tids[i]);
			if (st < 0 && errno == ESRCH && tids[i] != t->pid)
				continue;	/* exited meanwhile */
			if (st < 0) {
				if (errno == ESRCH && !t->parent)
					pr_err("Process %d exited while being frozen\n", t->pid);
				free(tids);
				return -1;
			}
			if (grow((void **)&t->threads, t->nr_threads, sizeof(*t->threads))) {
				ptrace_detach(tids[i], 0);
				free(tids);
				return -1;
			}
			t->threads[t->nr_threads].tid = tids[i];
			t->threads[t->nr_threads].seized = true;
			t->nr_threads++;
			if (st == SEIZED_STOPPED && tids[i] == t->pid)
				t->kind = TASK_STOPPED;
			fresh++;
		}
		free(tids);
		if (!fresh)
			return 0;
	}
}

static int read_ids(struct task *t)
{
	struct proc_stat st;

	if (proc_parse_stat(t->pid, 0, &st))
		return -1;
	t->pgid = st.pgid;
	t->sid = st.sid;
	if (!t->parent)
		t->ppid = st.ppid;
	if (st.state == 'Z') {
		struct proc_status ps;

		t->kind = TASK_ZOMBIE;
		t->exit_code = st.exit_code;
		if (proc_parse_status(t->pid, 0, &ps))
			return -1;
		t->uid = ps.uid[0];
		t->gid = ps.gid[0];
		t->nr_groups = ps.nr_groups < 64 ? ps.nr_groups : 64;
		snprintf(t->comm, sizeof(t->comm), "%s", st.comm);
		t->sig_blk = ps.sig_blk;
		t->sig_ign = ps.sig_ign;
		t->sig_cgt = ps.sig_cgt;
		memcpy(t->groups, ps.groups, t->nr_groups * sizeof(t->groups[0]));
	}
	return 0;
}

static int freeze_task(struct task *t)
{
	if (read_ids(t))
		return -1;
	if (t->kind == TASK_ZOMBIE) {
		/* a zombie has no threads to seize, only an exit status */
		if (grow((void **)&t->threads, 0, sizeof(*t->threads)))
			return -1;
		t->threads[0].tid = t->pid;
		t->nr_threads = 1;
		return 0;
	}
	t->kind = TASK_ALIVE;
	if (!seize_threads(t))
		return 0;
	/*
	 * A child may be exiting while we freeze it: once it is a zombie it is
	 * dumped as one. Its parent is frozen, so nobody can reap it meanwhile.
	 */
	if (errno != ESRCH || !t->parent)
		return -1;
	for (int i = 0; i < 1000; i++) {
		if (read_ids(t))
			return -1;
		if (t->kind == TASK_ZOMBIE) {
			for (int k = 0; k < t->nr_threads; k++)
				if (t->threads[k].seized)
					ptrace_detach(t->threads[k].tid, 0);
			if (!t->threads && grow((void **)&t->threads, 0, sizeof(*t->threads)))
				return -1;
			t->nr_threads = 1;
			t->threads[0].tid = t->pid;
			t->threads[0].seized = false;
			return 0;
		}
		usleep(1000);
	}
	pr_err("Process %d exited while being frozen and never became a zombie\n", t->pid);
	return -1;
}

static int collect_children(struct pstree *tree, struct task *t)
{
	if (t->kind == TASK_ZOMBIE)
		return 0;
	for (int i = 0; i < t->nr_threads; i++) {
		pid_t *kids;
		int nr;

		if (proc_list_children(t->pid, t->threads[i].tid, &kids, &nr))
			return -1;
		for (int k = 0; k < nr; k++) {
			struct task *c;

			if (pstree_find(tree, kids[k]))
				continue;
			c = pstree_add(tree, t, kids[k]);
			if (!c || freeze_task(c)) {
				free(kids);
				return -1;
			}
		}
		free(kids);
	}
	return 0;
}

static int check_alive(pid_t pid)
{
	struct proc_stat st;

	if (kill(pid, 0) && errno == ESRCH) {
		pr_err("Process %d does not exist\n", pid);
		return -1;
	}
	if (proc_parse_stat(pid, 0, &st))
		return -1;
	if (st.state == 'Z') {
		pr_err("Process %d is a zombie: nothing to dump\n", pid);
		return -1;
	}
	if (pid == getpid() || pid == getppid()) {
		pr_err("Process %d is criu itself or its parent\n", pid);
		return -1;
	}
	return 0;
}

/* --timeout N bounds the whole freeze; the default is CRIU's 10 seconds. */
static bool freeze_timed_out(const struct timespec *start)
{
	struct timespec now;
	unsigned limit = opts.timeout ? opts.timeout : 10;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - start->tv_sec > (time_t)limit ||
	       (now.tv_sec - start->tv_sec == (time_t)limit && now.tv_nsec > start->tv_nsec);
}

int pstree_freeze(pid_t root_pid, struct pstree *tree)
{
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	memset(tree, 0, sizeof(*tree));
	if (check_alive(root_pid))
		return -1;
	if (opts.freeze_cgroup && freeze_cgroup(root_pid))
		return -1;
	tree->root = pstree_add(tree, NULL, root_pid);
	if (!tree->root || freeze_task(tree->root))
		goto err;
	/* tasks[] grows while we walk it: children are appended after parents */
	for (int i = 0; i < tree->nr_tasks; i++) {
		if (collect_children(tree, tree->tasks[i]))
			goto err;
		if (freeze_timed_out(&start)) {
			pr_err("Freezing the tree of %d took longer than %u s (--timeout)\n", root_pid,
			       opts.timeout ? opts.timeout : 10);
			goto err;
		}
	}
	pr_info("Frozen %d tasks under %d\n", tree->nr_tasks, root_pid);
	release_unclaimed();
	return 0;
err:
	pstree_unfreeze(tree, FINAL_RUNNING);
	release_unclaimed();
	return -1;
}

/* A stopped task is only reliably "T" once the kernel has processed SIGSTOP. */
static int wait_stopped(pid_t pid, pid_t tid)
{
	for (int i = 0; i < 5000; i++) {
		struct proc_stat st;

		if (proc_parse_stat(pid, tid, &st))
			return -1;
		if (st.state == 'T')
			return 0;
		usleep(1000);
	}
	pr_err("Thread %d of %d did not stop\n", tid, pid);
	return -1;
}

static int release_task(struct task *t, enum final_state state)
{
	int ret = 0;

	if (t->kind == TASK_ZOMBIE || t->kind == TASK_HELPER)
		return 0;
	if (state == FINAL_KILLED) {
		if (kill(t->pid, SIGKILL) && errno != ESRCH) {
			pr_perror("Can't kill %d", t->pid);
			ret = -1;
		}
	} else if (state == FINAL_STOPPED && t->kind != TASK_STOPPED) {
		if (kill(t->pid, SIGSTOP) && errno != ESRCH) {
			pr_perror("Can't stop %d", t->pid);
			ret = -1;
		}
	}
	for (int i = 0; i < t->nr_threads; i++) {
		if (!t->threads[i].seized)
			continue;
		if (state != FINAL_KILLED && (ptrace_keep_restartable(t->threads[i].tid) ||
					      ptrace_detach(t->threads[i].tid, 0)))
			ret = -1;
		t->threads[i].seized = false;
	}
	return ret;
}

int pstree_unfreeze(struct pstree *tree, enum final_state state)
{
	int ret = 0;

	/* children first, so a killed parent never leaves running orphans behind */
	for (int i = tree->nr_tasks - 1; i >= 0; i--)
		if (release_task(tree->tasks[i], state))
			ret = -1;
	if (state != FINAL_STOPPED)
		return ret;
	for (int i = 0; i < tree->nr_tasks; i++) {
		struct task *t = tree->tasks[i];

		if (t->kind == TASK_ZOMBIE || t->kind == TASK_HELPER)
			continue;
		for (int k = 0; k < t->nr_threads; k++)
			if (wait_stopped(t->pid, t->threads[k].tid))
				ret = -1;
	}
	return ret;
}

void pstree_free(struct pstree *tree)
{
	for (int i = 0; i < tree->nr_tasks; i++) {
		free(tree->tasks[i]->threads);
		free(tree->tasks[i]->kids);
		free(tree->tasks[i]);
	}
	free(tree->tasks);
	memset(tree, 0, sizeof(*tree));
}
