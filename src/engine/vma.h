/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_ENGINE_VMA_H
#define CR_ENGINE_VMA_H

/* VmaEntry.status bits: what kind of mapping it is and how it comes back. */
enum {
	VMA_ANON_PRIVATE = 1 << 0,
	VMA_ANON_SHARED = 1 << 1,
	VMA_FILE_PRIVATE = 1 << 2,
	VMA_FILE_SHARED = 1 << 3,
	VMA_VDSO = 1 << 4,
	VMA_VVAR = 1 << 5,
	VMA_VVAR_VCLOCK = 1 << 6,
	VMA_HEAP = 1 << 7,
	VMA_STACK = 1 << 8,
	VMA_GROWSDOWN = 1 << 9,
	VMA_AIO_RING = 1 << 10,	/* the ring of an io_setup context the task owns */
};

#define VMA_KERNEL_SPECIAL (VMA_VDSO | VMA_VVAR | VMA_VVAR_VCLOCK)

#endif
