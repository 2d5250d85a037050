// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "util/daemon.h"
#include "util/log.h"
#include "util/options.h"

int write_pidfile(pid_t pid)
{
	const char *dir = opts.work_dir ? opts.work_dir : opts.images_dir;
	char buf[32], path[PATH_MAX];
	int fd, n;

	if (!opts.pidfile)
		return 0;
	/* like the log, a relative pid file goes to the work directory (-W, else -D) */
	if (opts.pidfile[0] != '/' && dir)
		snprintf(path, sizeof(path), "%s/%s", dir, opts.pidfile);
	else
		snprintf(path, sizeof(path), "%s", opts.pidfile);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	n = snprintf(buf, sizeof(buf), "%d", pid);
	if (fd < 0 || write(fd, buf, n) != n) {
		pr_perror("Can't write pid file %s", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void tell_status_fd(void)
{
	char zero = 0;

	if (opts.status_fd < 0)
		return;
	if (write(opts.status_fd, &zero, 1) != 1)
		pr_perror("Can't write to --status-fd %d", opts.status_fd);
	close(opts.status_fd);
	opts.status_fd = -1;
}

int serve_in_background(void)
{
	pid_t pid;
	int null;

	if (!opts.daemon_mode)
		return write_pidfile(getpid());
	pid = fork();
	if (pid < 0) {
		pr_perror("Can't fork the daemon");
		return -1;
	}
	if (pid > 0)
		return write_pidfile(pid) ? -1 : 1;
	setsid();
	null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    (log_get_fd() != STDERR_FILENO && dup2(null, 2) < 0)) {
		pr_perror("Can't put the daemon's stdio on /dev/null");
		return -1;
	}
	if (null > 2)
		close(null);
	return 0;
}
