/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_ENGINE_MEM_PARASITE_H
#define CR_ENGINE_MEM_PARASITE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pie/parasite.h"

/*
 * Pages moved by the parasite: it vmsplices a task's pages into pipes made
 * in the task, criu splices them from its copies of the read ends into the
 * pages image. One copy (into the image) where pread from /proc/PID/mem and
 * write make two, and one ptrace round trip per list of runs.
 */
struct mem_parasite;

/* How many runs one mem_parasite_move() takes at most. */
#define MEM_PARASITE_RUNS 32768

/*
 * Load the parasite into @pid and make its pipes. *mp is NULL when that
 * cannot be done (said at info level) and the task is as it was; -1 when
 * it may not be.
 */
int mem_parasite_start(pid_t pid, struct mem_parasite **mp);

/* Called for each stretch of pages, in the order they go into the image. */
typedef int (*mem_parasite_note)(void *arg, uint64_t vaddr, uint64_t len);

/*
 * Move the runs of @args (its other fields are filled here) into @out_fd.
 * Returns 0 when every run is done; 1 when the parasite had to stop: run
 * *resume_run from *resume_addr on and every later run have not gone into
 * @out_fd, the earlier part has; -1 on failure.
 */
int mem_parasite_move(struct mem_parasite *mp, struct parasite_args *args, int out_fd,
		      mem_parasite_note note, void *arg, size_t *resume_run,
		      uint64_t *resume_addr);

/* Close the pipes, unload the parasite, give the thread back; -1 if not clean. */
int mem_parasite_stop(struct mem_parasite *mp);

#endif
