/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_UTIL_FAULT_H
#define CR_UTIL_FAULT_H

#include <stdbool.h>

/*
 * Numbered failure points. CRIU_FAULT=N in the environment makes point N
 * fail as if the kernel had refused; tests walk every number and check that
 * a failed dump gives the tree back and a failed restore leaves nothing.
 * Numbers are stable: tests and scripts name them.
 */
enum fault_point {
	FAULT_NONE = 0,
	FAULT_IMG_OPEN = 1,		/* creating any image file */
	FAULT_DUMP_SEIZE = 2,		/* after the tree is frozen */
	FAULT_DUMP_TASK_CORE = 3,	/* collecting a task's core state */
	FAULT_DUMP_MM = 4,		/* collecting mappings */
	FAULT_DUMP_PAGES = 5,		/* copying pages */
	FAULT_DUMP_FILES = 6,		/* collecting descriptors */
	FAULT_DUMP_INFECT = 7,		/* running a syscall inside a task */
	FAULT_DUMP_BEFORE_INVENTORY = 8, /* everything written but the inventory */
	FAULT_DUMP_PARASITE = 9,	/* moving pages with the parasite (used at any size) */
	/* not walked, the dump succeeds: the parasite gives up after a few pages
	 * (as if vmsplice were refused) and criu copies the rest */
	FAULT_DUMP_PARASITE_SOFT = 10,
	FAULT_RESTORE_READ = 20,	/* reading images */
	FAULT_RESTORE_FORK = 21,	/* creating a task */
	FAULT_RESTORE_FILES = 22,	/* opening descriptors */
	FAULT_RESTORE_MM = 23,		/* preparing memory */
	FAULT_RESTORE_CREDS = 24,	/* before credentials */
	FAULT_RESTORE_BLOB = 25,	/* before the jump into the restorer */
	FAULT_RESTORE_FINISH = 26,	/* all restored, before the tasks resume */
};

extern const int fault_points[];
extern const int fault_points_count;

/* True when CRIU_FAULT names @point (read once). */
bool fault_hit(enum fault_point point);

#endif
