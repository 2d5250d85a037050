/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_ENGINE_ACTION_H
#define CR_ENGINE_ACTION_H

#include <sys/types.h>

/*
 * --action-script: every script runs, in the order given, with
 * CRTOOLS_SCRIPT_ACTION set to @action, CRTOOLS_IMAGE_DIR to the images
 * directory and, when @pid is not 0, CRTOOLS_INIT_PID to the root pid.
 * A script that fails (non-zero exit or killed) makes the call fail.
 */
int run_action_scripts(const char *action, pid_t pid);

#endif
