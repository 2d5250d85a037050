/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_ENGINE_AIO_H
#define CR_ENGINE_AIO_H

#include <sys/types.h>

#include "infect/inject.h"
#include "mm.pb-c.h"
#include "util/proc.h"

/*
 * AIO contexts (io_setup). Their rings are VMAs: dumped as memory plus where
 * head and tail stand; the restorer makes a context of the same size, moves
 * its ring into place and brings the kernel's positions to the dumped ones.
 */

/* While @pid is infected: note which [aio] mappings are rings of its own contexts. */
int aio_probe_rings(pid_t pid, struct infect_ctx *ctx);
/* Fill @v for the [aio] mapping @pv of @pid, or refuse it with one line. */
int aio_dump_ring(pid_t pid, const struct proc_vma *pv, VmaEntry *v);
/* Is @v, read from an image, a ring the restorer can rebuild? */
int aio_check_ring(pid_t pid, const VmaEntry *v);

#endif
