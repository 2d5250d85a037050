/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_ENGINE_CORE_H
#define CR_ENGINE_CORE_H

#include "engine/pstree.h"
#include "infect/inject.h"

/* Everything about a task and its threads that lives outside memory and files. */
int dump_task_core(struct task *t, struct infect_ctx *ctx);

#define XSAVE_MAX 16384

#endif
