// SPDX-License-Identifier: GPL-2.0
/* The dump pipeline: freeze, collect, write, give back. */
#include <fcntl.h>
#include <search.h>
#include <stdlib.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "engine/aio.h"
#include "engine/action.h"
#include "engine/core.h"
#include "engine/cpu.h"
#include "engine/dump.h"
#include "engine/files.h"
#include "engine/mem.h"
#include "engine/pstree.h"
#include "images/image.h"
#include "inventory.pb-c.h"
#include "pstree.pb-c.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/options.h"
#include "util/sys.h"

/*
 * Give tasks that share a kernel object (fd table, fs, mm) the same id.
 * kcmp orders the objects, so each kind is a balanced tree of the tasks
 * that own a distinct one: O(n log n) kcmp calls instead of n^2.
 */
static int kcmp_type_now;

/* the tree only points at tasks; they are freed with the pstree */
static void keep_node(void *p)
{
	(void)p;
}

static int cmp_task_obj(const void *a, const void *b)
{
	const struct task *x = a, *y = b;
	int order = kcmp_order(x->pid, y->pid, kcmp_type_now, 0, 0);

	if (order != 2)
		return order;
	return x->pid < y->pid ? -1 : x->pid > y->pid;	/* kcmp failed: distinct */
}

static int assign_shared_ids(struct pstree *tree)
{
	static const struct {
		int kcmp_type;
		size_t off;
	} kinds[] = {
		{ KCMP_FILES, offsetof(struct task, files_id) },
		{ KCMP_FS, offsetof(struct task, fs_id) },
		{ KCMP_VM, offsetof(struct task, mm_id) },
	};

	for (int k = 0; k < 3; k++) {
		void *owners = NULL;
		unsigned next = 1;

		kcmp_type_now = kinds[k].kcmp_type;
		for (int i = 0; i < tree->nr_tasks; i++) {
			struct task *t = tree->tasks[i], **owner;

			if (t->kind == TASK_ZOMBIE)
				continue;
			owner = tsearch(t, &owners, cmp_task_obj);
			if (!owner) {
				tdestroy(owners, keep_node);
				return -1;
			}
			if (*owner == t)
				*(unsigned *)((char *)t + kinds[k].off) = next++;
			else
				*(unsigned *)((char *)t + kinds[k].off) =
					*(unsigned *)((char *)*owner + kinds[k].off);
		}
		tdestroy(owners, keep_node);
	}
	return 0;
}

/*
 * Namespaces are not dumped yet: a task in any namespace other than criu's
 * would come back in criu's, silently different. Refuse it, naming it.
 */
static int check_namespaces(struct task *t)
{
	static const char *const kinds[] = { "pid", "net", "mnt", "ipc", "uts",
					     "user", "cgroup", "time" };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char mine[64], theirs[64];
		struct stat a, b;

		snprintf(mine, sizeof(mine), "/proc/self/ns/%s", kinds[i]);
		snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", t->pid, kinds[i]);
		if (stat(mine, &a) || stat(theirs, &b))
			continue;	/* a kernel without that namespace kind */
		if (a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
			pr_err("unsupported: pid %d is in another %s namespace than criu\n", t->pid,
			       kinds[i]);
			return -1;
		}
	}
	return 0;
}

static int check_tree_shape(struct pstree *tree)
{
	for (int i = 0; i < tree->nr_tasks; i++) {
		struct task *t = tree->tasks[i];

		if (t->kind == TASK_ZOMBIE)
			continue;
		if (check_namespaces(t))
			return -1;
		for (int j = 0; j < i; j++) {
			struct task *o = tree->tasks[j];
			const char *what = NULL;
			bool via_parent = t->parent && t->parent->kind != TASK_ZOMBIE;

			if (o->kind == TASK_ZOMBIE)
				continue;
			/* restore shares what a child inherits from its parent with clone() */
			if (o->mm_id == t->mm_id)
				what = "memory (CLONE_VM)";
			else if (o->files_id == t->files_id &&
				 !(via_parent && t->parent->files_id == t->files_id))
				what = "fd table (CLONE_FILES)";
			else if (o->fs_id == t->fs_id && !(via_parent && t->parent->fs_id == t->fs_id))
				what = "fs struct (CLONE_FS)";
			if (what) {
				pr_err("unsupported: pid %d shares its %s with pid %d\n", t->pid, what,
				       o->pid);
				return -1;
			}
		}
	}
	if (opts.shell_job)
		return 0;
	for (int i = 0; i < tree->nr_tasks; i++) {
		struct task *t = tree->tasks[i];

		if (!pstree_find(tree, t->sid)) {
			pr_err("The session leader %d of pid %d is outside the tree (use --shell-job)\n",
			       t->sid, t->pid);
			return -1;
		}
		if (t == tree->root && !pstree_find(tree, t->pgid)) {
			pr_err("The group leader %d of pid %d is outside the tree (use --shell-job)\n",
			       t->pgid, t->pid);
			return -1;
		}
	}
	return 0;
}

static int dump_one_task(struct task *t)
{
	struct infect_ctx ctx;
	long brk;
	int ret;

	if (t->kind == TASK_ZOMBIE)
		return 0;
	if (infect_start(&ctx, t->pid, t->pid, 4096))
		return -1;
	if (fault_hit(FAULT_DUMP_INFECT)) {
		/* with the scratch page mapped: it must go away all the same */
		pr_err("Can't run syscalls in %d (injected fault)\n", t->pid);
		ret = -1;
	} else {
		ret = dump_task_core(t, &ctx);
	}
	if (!ret && aio_probe_rings(t->pid, &ctx))
		ret = -1;
	if (!ret && infect_syscall(&ctx, SYS_brk, &brk, 0, 0, 0, 0, 0, 0))
		ret = -1;
	if (infect_stop(&ctx))
		ret = -1;
	if (ret)
		return -1;
	if (dump_task_mm(t, brk) || dump_task_files(t) || dump_task_fs(t))
		return -1;
	return 0;
}

static int write_pstree(struct pstree *tree)
{
	struct cr_img *img = img_open(IMG_PSTREE, O_WRONLY, 0);
	int ret = 0;

	if (!img)
		return -1;
	for (int i = 0; i < tree->nr_tasks && !ret; i++) {
		struct task *t = tree->tasks[i];
		PstreeEntry pe = PSTREE_ENTRY__INIT;
		uint32_t tids[t->nr_threads];

		pe.pid = t->pid;
		pe.ppid = t->parent ? t->parent->pid : 0;
		pe.pgid = t->pgid;
		pe.sid = t->sid;
		for (int k = 0; k < t->nr_threads; k++)
			tids[k] = t->threads[k].tid;
		pe.n_threads = t->nr_threads;
		pe.threads = tids;
		pe.state = t->kind == TASK_ZOMBIE ? TASK_STATE__ZOMBIE :
			   t->kind == TASK_STOPPED ? TASK_STATE__STOPPED : TASK_STATE__ALIVE;
		if (t->kind == TASK_ZOMBIE) {
			pe.has_exit_code = pe.has_uid = pe.has_gid = true;
			pe.exit_code = t->exit_code;
			pe.uid = t->uid;
			pe.gid = t->gid;
			pe.n_groups = t->nr_groups;
			pe.groups = t->groups;
			pe.comm = t->comm;
			pe.has_sig_blocked = pe.has_sig_ignored = pe.has_sig_caught = true;
			pe.sig_blocked = t->sig_blk;
			pe.sig_ignored = t->sig_ign;
			pe.sig_caught = t->sig_cgt;
		}
		ret = img_write(img, &pe.base);
	}
	if (img_close(img))
		ret = -1;
	return ret;
}

/* --cpu-cap on dump: record the CPU, so restore can tell what it needs */
static int dump_cpuinfo(void)
{
	struct cpu_info ci;
	int caps;

	if (!opts.cpu_cap_set)
		return 0;
	caps = cpu_cap_parse(opts.cpu_cap, CPU_CAP_ALL);
	if (caps < 0)
		return -1;
	if (!caps)
		return 0;	/* "none": no image */
	return cpu_collect(&ci) || cpu_write_image(&ci) ? -1 : 0;
}

static int write_inventory(struct pstree *tree)
{
	InventoryEntry ie = INVENTORY_ENTRY__INIT;
	struct timeval tv;
	struct utsname u;

	if (fault_hit(FAULT_DUMP_BEFORE_INVENTORY)) {
		pr_err("Can't write the inventory (injected fault)\n");
		return -1;
	}
	gettimeofday(&tv, NULL);
	uname(&u);
	ie.img_version = IMG_VERSION;
	ie.root_pid = tree->root->pid;
	ie.kind = opts.check_only ? DUMP_KIND__CHECK_ONLY : DUMP_KIND__FULL;
	ie.criu_version = CRIU_VERSION;
	ie.has_dump_time_us = ie.has_shell_job = ie.has_ntasks = true;
	ie.dump_time_us = tv.tv_sec * 1000000ULL + tv.tv_usec;
	ie.shell_job = opts.shell_job;
	ie.ntasks = tree->nr_tasks;
	ie.kernel = u.release;
	return img_write_single(IMG_INVENTORY, 0, &ie.base);
}

static enum final_state final_state(void)
{
	if (opts.leave_running || opts.check_only)
		return FINAL_RUNNING;
	if (opts.leave_stopped)
		return FINAL_STOPPED;
	return FINAL_KILLED;
}

static int dump_all(struct pstree *tree)
{
	if (fault_hit(FAULT_DUMP_SEIZE)) {
		pr_err("Can't collect the tree (injected fault)\n");
		return -1;
	}
	if (assign_shared_ids(tree) || check_tree_shape(tree))
		return -1;
	for (int i = 0; i < tree->nr_tasks; i++)
		if (dump_one_task(tree->tasks[i])) {
			pr_warn("Dumping pid %d failed\n", tree->tasks[i]->pid);
			return -1;
		}
	if (dump_files_tree(tree) || write_pstree(tree) || dump_files_finish() || dump_cpuinfo())
		return -1;
	return write_inventory(tree);
}

int dump_tree(pid_t pid)
{
	struct pstree tree;
	int ret;

	/* a stale inventory would make a failed dump look complete */
	if (unlinkat(img_dir_fd(), "inventory.img", 0) && errno != ENOENT) {
		pr_perror("Can't remove the old inventory.img");
		return -1;
	}
	if (run_action_scripts("pre-dump", pid))
		return -1;
	if (pstree_freeze(pid, &tree))
		return -1;
	if (opts.check_only)
		pr_msg("Only checking if requested operation will succeed\n");
	ret = dump_all(&tree);
	/* post-dump runs with the tree still frozen, before its final state */
	if (!ret)
		ret = run_action_scripts("post-dump", pid);
	dump_files_finish();
	dump_files_release(!ret && final_state() == FINAL_KILLED);
	dump_files_reset();
	dump_mm_reset();
	if (ret) {
		pr_warn("Dump of tree %d failed; giving the tree back running\n", pid);
		unlinkat(img_dir_fd(), "inventory.img", 0);
		pstree_unfreeze(&tree, FINAL_RUNNING);
	} else {
		ret = pstree_unfreeze(&tree, final_state());
		if (!ret)
			pr_info("Dumped %d tasks of tree %d\n", tree.nr_tasks, pid);
	}
	pstree_free(&tree);
	return ret;
}
