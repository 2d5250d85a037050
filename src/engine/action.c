// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/action.h"
#include "util/log.h"
#include "util/options.h"

struct script_fd {
	int fd;
	const char *fd_var, *env_var, *env_val;
};

static int run_one(const char *script, const char *action, pid_t pid, const struct script_fd *sf)
{
	char dir[PATH_MAX], pidstr[16];
	int status;
	pid_t child;

	if (!realpath(opts.images_dir ? opts.images_dir : ".", dir))
		snprintf(dir, sizeof(dir), "%s", opts.images_dir ? opts.images_dir : ".");
	child = fork();
	if (child < 0) {
		pr_perror("Can't start action script %s", script);
		return -1;
	}
	if (child == 0) {
		setenv("CRTOOLS_SCRIPT_ACTION", action, 1);
		setenv("CRTOOLS_IMAGE_DIR", dir, 1);
		if (pid) {
			snprintf(pidstr, sizeof(pidstr), "%d", pid);
			setenv("CRTOOLS_INIT_PID", pidstr, 1);
		} else {
			unsetenv("CRTOOLS_INIT_PID");
		}
		if (sf) {
			snprintf(pidstr, sizeof(pidstr), "%d", sf->fd);
			/* criu's fds are close-on-exec: this one is the script's */
			if (fcntl(sf->fd, F_SETFD, 0) || setenv(sf->fd_var, pidstr, 1) ||
			    setenv(sf->env_var, sf->env_val, 1))
				_exit(126);
		}
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR) {
			pr_perror("Can't wait for action script %s", script);
			return -1;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	pr_err("Action script %s failed at %s (%s %d)\n", script, action,
	       WIFEXITED(status) ? "exit status" : "signal",
	       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return -1;
}

int run_action_scripts(const char *action, pid_t pid)
{
	for (int i = 0; i < opts.nr_action_scripts; i++)
		if (run_one(opts.action_scripts[i], action, pid, NULL))
			return -1;
	return 0;
}

int run_action_scripts_fd(const char *action, int fd, const char *fd_var, const char *env_var,
			  const char *env_val)
{
	struct script_fd sf = { fd, fd_var, env_var, env_val };

	for (int i = 0; i < opts.nr_action_scripts; i++)
		if (run_one(opts.action_scripts[i], action, 0, &sf))
			return -1;
	return 0;
}
