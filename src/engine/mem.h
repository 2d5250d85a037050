/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_ENGINE_MEM_H
#define CR_ENGINE_MEM_H

#include "engine/pstree.h"
#include <stdbool.h>
#include <stdint.h>

/* Write mm-PID.img, pagemap-PID.img and pages-PID.img (and shared memory once). */
int dump_task_mm(struct task *t, uint64_t brk);
/* Has this dump written shared memory object @shmid (e.g. a mapped memfd) yet? */
bool dump_shmem_written(uint64_t shmid);
/* Forget which shared memory objects were already written (one dump = one set). */
void dump_mm_reset(void);

#endif
