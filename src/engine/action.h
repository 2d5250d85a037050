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
/*
 * The same, handing each script criu's @fd (open in the script at the
 * number in the environment variable @fd_var) and @env_val in @env_var.
 */
int run_action_scripts_fd(const char *action, int fd, const char *fd_var, const char *env_var,
			  const char *env_val);

#endif
