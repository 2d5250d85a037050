/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_ENGINE_FREEZER_H
#define CR_ENGINE_FREEZER_H

#include <sys/types.h>

/*
 * --freeze-cgroup PATH: the cgroup freezer (v2 cgroup.freeze or v1
 * freezer.state) stops every task of the cgroup at once, so nothing forks
 * or exits while criu seizes the tree one thread at a time.
 */
/* Is @path a cgroup with a freezer? Says why not. */
int freezer_check(const char *path);
/* Freeze and wait until the kernel says frozen (bounded by --timeout). */
int freezer_freeze(const char *path);
int freezer_thaw(const char *path);
/* Every thread id in the cgroup (cgroup.threads, or tasks for v1). */
int freezer_threads(const char *path, pid_t **tids, int *nr);

#endif
