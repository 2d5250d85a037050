/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_PIE_PARASITE_H
#define CR_PIE_PARASITE_H

/*
 * The ABI between criu and the parasite, a blob run inside a task being
 * dumped that moves the task's pages into pipes with vmsplice (no copy),
 * from which criu splices them into the pages image.
 *
 * criu gives a list of runs (page-aligned, in address order). The parasite
 * leaves out pages that are all zero and vmsplices the others into the
 * data pipes in turns: exactly @chunk bytes into pipe 0, then @chunk into
 * pipe 1, ..., round and round; the last turn may be shorter. On the
 * control pipe it writes one record per stretch it has put into the
 * pipes, in order (a stretch never spans two runs), and a record of length
 * 0 at the end. Then it sets @status and @resume and waits to be stopped.
 * Only fixed-size types: the blob is built without libc.
 */
#include <stdint.h>

#define PARASITE_MAX_PIPES 4

struct parasite_run {
	uint64_t start, len;
};

struct parasite_rec {
	uint64_t vaddr, len;
};

struct parasite_args {
	int32_t ctl_fd;			/* write ends in the task */
	int32_t nr_pipes;
	int32_t pipe_fd[PARASITE_MAX_PIPES];
	uint64_t chunk;			/* a multiple of the page size */
	uint64_t fail_after;		/* fault injection: fail (EIO) after this many bytes */
	uint64_t nr_runs;
	/* set by the parasite before its last record */
	int64_t status;			/* 0, or the -errno that stopped it */
	uint64_t resume_run;		/* on failure: what it had not done, from here */
	uint64_t resume_addr;
	struct parasite_run runs[];
};

/* Entry point offsets inside the blob (see parasite-syms.h: PARASITE_*_OFF). */
void blob_entry(struct parasite_args *args);

#endif
