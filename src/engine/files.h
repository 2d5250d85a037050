/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_ENGINE_FILES_H
#define CR_ENGINE_FILES_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "engine/pstree.h"

/* What the dump knows of one descriptor before a kind claims it. */
struct fd_parms {
	pid_t pid;
	const struct task *task;	/* the task dumped (its fd table: task->files_id) */
	int fd;
	int lfd;		/* our own copy of the description (pidfd_getfd) */
	struct stat st;
	char link[PATH_MAX];	/* readlink of /proc/PID/fd/N */
	uint32_t flags;		/* file status flags from fdinfo, without O_CLOEXEC */
	bool cloexec;		/* the fd's FD_CLOEXEC, which fdinfo shows as O_CLOEXEC */
	uint64_t pos;
	char *fdinfo;		/* whole fdinfo text, for kind-specific fields */
};

/* Points of a task's restore where kinds may act inside the task. */
enum fd_task_stage {
	FD_STAGE_SESSION,	/* its session is set, its children not forked yet */
	FD_STAGE_GROUPS,	/* every process group of the tree exists */
};

/*
 * One kind of file description: its dump half and its restore half. Kinds
 * are listed in res/table.c; the engine only sees this interface.
 */
struct fd_kind {
	const char *name;
	int type;		/* FdType value written to fdinfo images */
	/* dump: does this kind own the descriptor? */
	bool (*match)(const struct fd_parms *p);
	/* dump: write the description (called once per description) as @id */
	int (*dump)(const struct fd_parms *p, uint32_t id);
	/* dump: after every task's descriptors, with the whole tree (checks that
	 * need every description seen, per-task state such as a controlling tty) */
	int (*dump_tree)(const struct pstree *tree);
	/*
	 * dump: task @pid maps at @start the file @st, which the memory dump
	 * cannot carry (a socket): if the file is of this kind, log the
	 * refusal naming what it is and return true. Optional.
	 */
	bool (*refuse_mapping)(pid_t pid, const struct stat *st, unsigned long start);
	/* dump: close this kind's images at the end of a dump */
	int (*dump_finish)(void);
	/*
	 * dump: done, the tree is about to get its final state: undo what the
	 * dump changed in the tree's objects (TCP repair mode) unless it dies
	 */
	void (*dump_release)(bool tree_dies);
	/* restore: read this kind's images (called once, before any open) */
	int (*collect)(void);
	/* restore: open description @id in criu; returns the fd or -1 */
	int (*open)(uint32_t id);
	/*
	 * restore: can open(@id) run in the task that alone uses it (needs
	 * nothing criu holds, like a ghost file or the other end of a pipe)?
	 * NULL: always opened in criu.
	 */
	bool (*open_in_task)(uint32_t id);
	/* restore: the name --inherit-fd matches ("pipe:[INO]", a path); 0 or -1 */
	int (*name_of)(uint32_t id, char *buf, size_t len);
	/* restore: after every description is open (fill pipes, close spares) */
	int (*post_open)(void);
	/*
	 * restore, not checking: every task is restored and about to resume:
	 * let the objects act (TCP leaves repair mode, the network unlocks)
	 */
	int (*go_live)(void);
	/*
	 * restore, in the task that fills fd table @files_id, once all its fds
	 * are in place: finish description @id seen there at @fd (state that
	 * names the task's own fd numbers, like epoll targets). Called for every
	 * fd of this kind in the table, kind by kind in the order of fd_kinds[]:
	 * a kind that names other fds comes after the kinds that replace theirs
	 * here. Optional.
	 */
	int (*installed)(uint32_t id, int fd, unsigned files_id);
	/* restore, inside task @t (not helpers, not zombies) at @stage */
	int (*restore_task)(const struct task *t, enum fd_task_stage stage);
	/* both: forget everything collected */
	void (*reset)(void);
	/*
	 * dump: a description of this kind may be in flight (SCM_RIGHTS): its
	 * dump needs nothing of the task that sent it
	 */
	bool may_fly;
};

/*
 * State that hangs on descriptors without being a kind of description (file
 * locks): dumped for every fd after its description, restored by the task
 * that owns the fd table once every fd is in place. Listed in res/table.c.
 */
struct fd_extra {
	const char *name;
	/* @first: the description is met here for the first time in this dump */
	int (*dump)(const struct fd_parms *p, unsigned files_id, bool first);
	int (*dump_finish)(void);
	/* restore: read the images, in criu, before any task exists */
	int (*collect)(void);
	/* restore: in the task @t, after restore_install_fds */
	int (*restore)(struct task *t);
	void (*reset)(void);
};

extern const struct fd_extra *const fd_extras[];
extern const int nr_fd_extras;

/* The value of "KEY" at the start of a line of an fdinfo text, or NULL. */
const char *fdinfo_field(const char *fdinfo, const char *key);

extern const struct fd_kind *const fd_kinds[];
extern const int nr_fd_kinds;

/* Dump the descriptor table of @t into fdinfo-<files_id>.img (once per table). */
int dump_task_files(struct task *t);
/* Dump cwd and root into fs-<fs_id>.img. */
int dump_task_fs(struct task *t);
/* Did a kind refuse the mapping of @st at @start in @pid (and say so)? */
bool dump_mapping_refused(pid_t pid, const struct stat *st, unsigned long start);
/* Every kind's dump_release, before the tree gets its final state. */
void dump_files_release(bool tree_dies);
/* Every kind's dump_tree hook, once every task's descriptors are dumped. */
int dump_files_tree(const struct pstree *tree);
/* Close every kind's images; returns -1 if any write failed. */
int dump_files_finish(void);
void dump_files_reset(void);
/*
 * Dump: the description criu holds at @fd, received in flight on the socket
 * of @carrier (a peek installed it): dumped like a task's, or found to be
 * one already dumped. Its id and kind's type in *@id, *@type.
 */
int dump_flying_file(const struct fd_parms *carrier, int fd, uint32_t *id, int *type);

/*
 * Restore: open every description shared by several fds once, in criu,
 * above @min_fd; the others are opened by their task. Each task then picks
 * its own with restore_install_fds. With @probe (checking mode) open every
 * description and close it again.
 */
int restore_open_files(struct pstree *tree, int min_fd, bool probe);
/* In the task: dup2 its descriptors into place, close everything else but
 * @keep (sorted list of criu's service fds), then restore the fd extras. */
int restore_install_fds(struct task *t, const int *keep, int nr_keep);
/* For kinds whose open() needs only the image: any id opens in its task. */
bool fd_opens_anywhere(uint32_t id);
/* Every kind's go_live: the tree is restored, right before it resumes. */
int restore_files_go_live(void);
/* Highest fd number used by any task in the images. */
int restore_max_fd(struct pstree *tree);
int restore_task_fs(struct task *t);
/* In the task: every kind's restore_task hook for @stage. */
int restore_files_stage(const struct task *t, enum fd_task_stage stage);
/*
 * In the task, from a kind's installed hook: criu held a stand-in for file
 * @id (the real one needs tasks that did not exist yet). Puts the real one
 * at @fd, keeping @fd's FD_CLOEXEC: opened with @open_real the first time
 * this fd table meets @id, shared by its later fds.
 */
int fd_replace_standin(int type, uint32_t id, int fd, int (*open_real)(uint32_t id));
/*
 * Restore, from a kind's collect hook: criu needs description @id of kind
 * @type itself (one in flight): it is opened in criu, never by a task.
 */
int restore_file_hold(uint32_t id, int type);
/* ... and criu's fd for it, opened now if it was not yet (the engine owns it). */
int restore_file_fd(uint32_t id);
void restore_files_reset(void);

#endif
