/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_ENGINE_PSTREE_H
#define CR_ENGINE_PSTREE_H

#include <stdbool.h>
#include <sys/types.h>

enum task_kind {
	TASK_ALIVE = 1,
	TASK_STOPPED = 2,
	TASK_ZOMBIE = 3,
	TASK_HELPER = 4,
};

struct thread {
	pid_t tid;
	bool seized;
};

struct task {
	pid_t pid, ppid, pgid, sid;
	enum task_kind kind;
	int exit_code;		/* zombies: wait status */
	unsigned uid, gid;	/* zombies: their credentials */
	unsigned groups[64];
	int nr_groups;
	char comm[64];
	unsigned long long sig_blk, sig_ign, sig_cgt;
	struct thread *threads;
	int nr_threads;
	struct task *parent;
	struct task **kids;
	int nr_kids;
	/* identities shared between tasks (CLONE_FILES/FS/VM), assigned at dump */
	unsigned files_id, fs_id, mm_id;
	void *priv;		/* per-pipeline state */
	int index;		/* position in pstree.tasks */
};

struct pstree {
	struct task *root;
	struct task **tasks;	/* parents before children */
	int nr_tasks;
};

/*
 * Seize every thread of every process under @root_pid, looping until no new
 * thread or child appears. On failure everything seized is given back.
 */
int pstree_freeze(pid_t root_pid, struct pstree *tree);

enum final_state {
	FINAL_RUNNING,	/* give back as found: running stays running, stopped stays stopped */
	FINAL_STOPPED,	/* every task stopped with SIGSTOP */
	FINAL_KILLED,	/* every task killed */
};
/* Release every seized thread into @state. Returns 0 or -1. */
int pstree_unfreeze(struct pstree *tree, enum final_state state);
void pstree_free(struct pstree *tree);
struct task *pstree_find(const struct pstree *tree, pid_t pid);
/*
 * The task of @t's tree with pid or thread id @pid, or NULL; *@thread tells
 * which (a leader's own tid counts as its pid).
 */
const struct task *tree_find_any(const struct task *t, pid_t pid, bool *thread);
struct task *pstree_add(struct pstree *tree, struct task *parent, pid_t pid);

#endif
