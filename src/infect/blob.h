/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_INFECT_BLOB_H
#define CR_INFECT_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "infect/inject.h"

/*
 * Run a freestanding blob on the thread of an infect_ctx, which runs it
 * freely (no single-stepping) while the task's other threads stay stopped.
 * The blob's code is mapped read+exec, its data area (what it is given,
 * then its stack) read+write. It runs with every signal blocked, tells its
 * caller by its own means (a pipe) when it is done, then waits in a
 * blocking call until infect_blob_stop() interrupts it; stop works
 * wherever the blob is. A blob that faults stops too, and the handlers of
 * the fault signals, which the kernel resets when it forces a blocked
 * one, are put back as they were at load.
 */
#define INFECT_BLOB_GUARDED 6	/* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS */

struct infect_blob {
	uint64_t code, data;	/* addresses in the task */
	size_t code_size, data_size;	/* data_size: arguments and stack */
	uint64_t stack_top;
	bool running;
	bool faulted;
	uint64_t acts[INFECT_BLOB_GUARDED][4];	/* the kernel's struct sigaction */
};

/* The system calls infect_blob_load/stop/unload make in the task. */
extern const int infect_blob_syscalls[];
extern const int infect_blob_nr_syscalls;

int infect_blob_load(struct infect_ctx *ctx, struct infect_blob *b, const void *code,
		     size_t len, size_t data_size, size_t stack_size);
/* Run the blob from @entry_off with @arg as its first argument. */
int infect_blob_start(struct infect_ctx *ctx, struct infect_blob *b, size_t entry_off,
		      uint64_t arg);
/* Without waiting: 0 while the blob runs, -1 if it faulted or the thread died. */
int infect_blob_check(struct infect_ctx *ctx, struct infect_blob *b);
/* Take the thread back. -1 if the blob had faulted or the thread is gone. */
int infect_blob_stop(struct infect_ctx *ctx, struct infect_blob *b);
int infect_blob_unload(struct infect_ctx *ctx, struct infect_blob *b);

/*
 * May the thread of @ctx make each of system calls @nrs, as far as its
 * seccomp filters tell by number alone? 1 yes, 0 no or not known (the
 * filter looks at arguments), -1 error.
 */
int infect_seccomp_allows(struct infect_ctx *ctx, const int *nrs, int n);

#endif
