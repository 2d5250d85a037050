/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_ENGINE_RESTORE_SHARED_H
#define CR_ENGINE_RESTORE_SHARED_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * State shared (MAP_SHARED) between the restore master and every task it
 * creates, until each task jumps into the restorer. Stages move forward
 * only; the master advances them when every task has finished the current one.
 */
enum restore_stage {
	STAGE_NS = 1,		/* the root exists, nothing restored: setup-namespaces scripts */
	STAGE_FORK,		/* create children, zombies, helpers; own sid/pgid */
	STAGE_PGID,		/* join process groups led by others */
	STAGE_PREPARE,		/* zombies and helpers exit; tasks take their files, jump */
};

struct restore_shared {
	int stage;
	int count;		/* tasks done with the current stage */
	int error;		/* set by the first task that fails */
	int nr_tasks;		/* tasks that take part in stages */
	int ready_w;		/* restorer barrier: write end of the ready pipe */
	int go_r;		/* restorer barrier: read end of the go pipe */
	int log_fd, img_fd;	/* criu's own fds, moved above every task fd */
	int svc_base;		/* first fd number criu may use for itself */
	bool leave_stopped;
	/* each task's restorer area, for criu to unmap after the jump back */
	struct {
		unsigned long start, end;
	} areas[];
};

void stage_done(struct restore_shared *sh);
/* Wait until the master moves past @stage; false if the restore failed. */
bool stage_wait_past(struct restore_shared *sh, int stage);
void stage_fail(struct restore_shared *sh);
pid_t clone_with_pid(pid_t pid, uint64_t flags);

#endif
