/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_ENGINE_PAGEMAP_SCAN_H
#define CR_ENGINE_PAGEMAP_SCAN_H

#include <stdint.h>
#include <sys/ioctl.h>

/* The PAGEMAP_SCAN ioctl (Linux 6.7); Debian 12's headers predate it. */
struct pm_page_region {
	uint64_t start, end, categories;
};

struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};

#define PM_PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PM_PAGE_IS_WPALLOWED (1ULL << 0)
#define PM_PAGE_IS_WRITTEN (1ULL << 1)
#define PM_PAGE_IS_FILE (1ULL << 2)
#define PM_PAGE_IS_PRESENT (1ULL << 3)
#define PM_PAGE_IS_SWAPPED (1ULL << 4)
#define PM_PAGE_IS_PFNZERO (1ULL << 5)

#endif
