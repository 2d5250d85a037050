/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_ENGINE_DUMP_H
#define CR_ENGINE_DUMP_H

#include <sys/types.h>

/* Freeze the tree under @pid, write every image to the images directory,
 * then leave the tree in the final state the options ask for. */
int dump_tree(pid_t pid);

#define IMG_VERSION 1
#define CRIU_VERSION "0.1"

#endif
