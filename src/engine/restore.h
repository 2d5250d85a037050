/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_ENGINE_RESTORE_H
#define CR_ENGINE_RESTORE_H

#include "core.pb-c.h"
#include "engine/pstree.h"
#include "mm.pb-c.h"
#include "pagemap.pb-c.h"

/* Everything read from the images for one task, before anything is created. */
struct rst_task {
	TaskCoreEntry *core;
	ThreadCoreEntry **threads;
	int nr_threads;
	MmEntry *mm;
	PagemapEntry **pagemap;
	int nr_pagemap;
};

/* Restore the tree from the images directory. Returns the exit status. */
int restore_tree(void);

/* restore-task.c: runs in the new task, never returns on success. */
struct restore_shared;
void restore_task_body(struct task *t, struct restore_shared *sh);
int restore_load_task(struct task *t);
/* Open a mapped file and check it is the one dumped; the fd is >= @min_fd. */
int open_vma_file(const VmaEntry *v, int min_fd);
/* Open a mapped file as its mapping needs it (read-write for a shared writable one). */
int open_mapped_file(const VmaEntry *v);
/*
 * What differs between the file open at @fd and the one dumped, as text in
 * @buf, or NULL: the size, and the mtime when @mtime_ns is given.
 */
const char *file_change(int fd, uint64_t size, const uint64_t *mtime_ns, char *buf, size_t len);
void restore_free_task(struct task *t);

#endif
