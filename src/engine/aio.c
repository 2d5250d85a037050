// SPDX-License-Identifier: GPL-2.0
/*
 * AIO contexts. After fork a child keeps its parent's ring mapping but not
 * the context (io_submit on it fails with EINVAL), so which rings a task owns
 * is asked of the task itself, by an io_submit of nothing, which only looks
 * the context up.
 *
 * Requests still in flight are not visible from outside the kernel: nothing
 * counts them. A ring is carried with its completed events; a request that
 * had not completed at dump time does not complete after restore.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "engine/aio.h"
#include "engine/vma.h"
#include "infect/ptrace.h"
#include "pie/restorer.h"
#include "util/log.h"

#define AIO_RING_MAGIC 0xa10a10a1
#define AIO_EVENT_SIZE 32
#define PAGE 4096UL

static uint64_t *owned;
static int nr_owned;
static pid_t owned_pid;

static int note_owned(uint64_t start)
{
	uint64_t *n = realloc(owned, (nr_owned + 1) * sizeof(*n));

	if (!n) {
		pr_err("No memory for AIO rings\n");
		return -1;
	}
	owned = n;
	owned[nr_owned++] = start;
	return 0;
}

int aio_probe_rings(pid_t pid, struct infect_ctx *ctx)
{
	struct proc_vma *vmas;
	int nr, ret = 0;

	nr_owned = 0;
	owned_pid = pid;
	vmas = proc_parse_maps(pid, &nr);
	if (!vmas)
		return -1;
	for (int i = 0; i < nr && !ret; i++) {
		long r;

		if (strncmp(vmas[i].path, "/[aio]", 6))
			continue;
		if (infect_syscall(ctx, SYS_io_submit, &r, vmas[i].start, 0, 0, 0, 0, 0)) {
			ret = -1;
			break;
		}
		if (r == 0)
			ret = note_owned(vmas[i].start);
		else if (r != -EINVAL) {
			pr_err("io_submit probe of AIO ring 0x%lx in pid %d: %s\n",
			       (unsigned long)vmas[i].start, pid, strerror(-r));
			ret = -1;
		}
	}
	free(vmas);
	return ret;
}

static bool is_owned(pid_t pid, uint64_t start)
{
	for (int i = 0; owned_pid == pid && i < nr_owned; i++)
		if (owned[i] == start)
			return true;
	return false;
}

/* The ring is as io_setup made it: whole, and of the layout restore knows. */
static int ring_is_whole(pid_t pid, const struct proc_vma *pv, const struct rst_aio_ring *h)
{
	uint64_t len = pv->end - pv->start;

	if (h->magic != AIO_RING_MAGIC || h->header_length != sizeof(*h) ||
	    h->incompat_features) {
		pr_err("unsupported: AIO ring at 0x%lx in pid %d has an unknown layout (magic 0x%x, header %u, incompat 0x%x)\n",
		       (unsigned long)pv->start, pid, h->magic, h->header_length,
		       h->incompat_features);
		return 0;
	}
	if (pv->pgoff || h->nr != len / AIO_EVENT_SIZE - 1 || h->tail >= h->nr) {
		pr_err("unsupported: AIO ring at 0x%lx in pid %d is not whole (%lu bytes mapped for %u events)\n",
		       (unsigned long)pv->start, pid, (unsigned long)len, h->nr);
		return 0;
	}
	return 1;
}

int aio_dump_ring(pid_t pid, const struct proc_vma *pv, VmaEntry *v)
{
	struct rst_aio_ring h;

	if (!is_owned(pid, pv->start)) {
		pr_err("unsupported: AIO ring mapping at 0x%lx in pid %d without its context (inherited over fork)\n",
		       (unsigned long)pv->start, pid);
		return -1;
	}
	if (!pv->shared || mem_read(pid, pv->start, &h, sizeof(h))) {
		pr_err("Can't read the AIO ring at 0x%lx of pid %d\n", (unsigned long)pv->start,
		       pid);
		return -1;
	}
	if (!ring_is_whole(pid, pv, &h))
		return -1;
	if (h.id >= RST_AIO_MAX_ID) {
		pr_err("unsupported: AIO context at 0x%lx in pid %d is in slot %u (only %d are restored)\n",
		       (unsigned long)pv->start, pid, h.id, RST_AIO_MAX_ID);
		return -1;
	}
	v->status = VMA_AIO_RING;
	v->has_aio_head = v->has_aio_tail = v->has_aio_id = true;
	v->aio_head = h.head;
	v->aio_tail = h.tail;
	v->aio_id = h.id;
	pr_info("pid %d: AIO ring 0x%lx (context %u), %u events, head %u, tail %u\n", pid,
		(unsigned long)pv->start, h.id, h.nr, h.head, h.tail);
	return 0;
}

int aio_check_ring(pid_t pid, const VmaEntry *v)
{
	uint64_t len = v->end - v->start;

	if (!v->has_aio_head || !v->has_aio_tail || !v->has_aio_id || len < PAGE || len % PAGE ||
	    v->aio_tail >= len / AIO_EVENT_SIZE - 1) {
		pr_err("Bad AIO ring 0x%lx-0x%lx in the image of pid %d\n",
		       (unsigned long)v->start, (unsigned long)v->end, pid);
		return -1;
	}
	return 0;
}
