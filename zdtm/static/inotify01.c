// SPDX-License-Identifier: GPL-2.0
/* inotify00 dumped with --force-irmap: watches are resolved to paths at dump
 * and restored by path instead of by file handle. */
#include "inotify00.c"
