/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_CMD_CHECK_H
#define CR_CMD_CHECK_H

#include <stdbool.h>

/*
 * Probe one kernel feature by the name "criu check --feature" takes.
 * Returns 1 when the running kernel supports it, 0 when it does not, -1 when
 * the name is unknown. Prints nothing on stdout; the reason a probe failed
 * goes to the log as a warning. Safe to call from any single-threaded part
 * of criu: everything the probe changes happens in forked children.
 */
int check_feature(const char *name);

/* The name of feature number @idx (0-based), or NULL past the last one. */
const char *check_feature_name(unsigned int idx);

/* Whether plain "criu check" requires feature @name (false if unknown). */
bool check_feature_mandatory(const char *name);

#endif
