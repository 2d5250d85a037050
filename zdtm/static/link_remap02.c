// SPDX-License-Identifier: GPL-2.0
/* --link-remap of an O_TMPFILE file never linked anywhere: see link_remap00.c. */
#define REMAP_TMPFILE 1
#include "link_remap00.c"
