// SPDX-License-Identifier: GPL-2.0
/* The cgroup freezer behind --freeze-cgroup, v2 and v1. */
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/freezer.h"
#include "util/log.h"
#include "util/options.h"
#include "util/proc.h"

static bool is_v2(const char *path)
{
	char file[PATH_MAX];

	snprintf(file, sizeof(file), "%s/cgroup.freeze", path);
	return !access(file, F_OK);
}

static int write_knob(const char *path, const char *knob, const char *val)
{
	char file[PATH_MAX];
	int fd, ret = 0;

	snprintf(file, sizeof(file), "%s/%s", path, knob);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_perror("Can't open %s (--freeze-cgroup)", file);
		return -1;
	}
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val)) {
		pr_perror("Can't write %s to %s", val, file);
		ret = -1;
	}
	close(fd);
	return ret;
}

static char *read_knob(const char *path, const char *knob)
{
	char file[PATH_MAX];
	char *buf;

	snprintf(file, sizeof(file), "%s/%s", path, knob);
	buf = read_whole_file(file, NULL);
	if (!buf)
		pr_perror("Can't read %s", file);
	return buf;
}

/* v2: "frozen 1" in cgroup.events; v1: freezer.state goes FREEZING -> FROZEN */
static int frozen(const char *path, bool v2)
{
	char *buf = read_knob(path, v2 ? "cgroup.events" : "freezer.state");
	int ret;

	if (!buf)
		return -1;
	if (v2) {
		const char *f = strstr(buf, "frozen ");

		ret = f && (f == buf || f[-1] == '\n') && f[7] == '1';
	} else {
		ret = !strncmp(buf, "FROZEN", 6);
	}
	free(buf);
	return ret;
}

int freezer_check(const char *path)
{
	char file[PATH_MAX];

	if (is_v2(path))
		return 0;
	snprintf(file, sizeof(file), "%s/freezer.state", path);
	if (!access(file, F_OK))
		return 0;
	pr_perror("%s is not a freezer cgroup (no cgroup.freeze, no freezer.state)", path);
	return -1;
}

int freezer_freeze(const char *path)
{
	bool v2 = is_v2(path);
	unsigned limit = opts.timeout ? opts.timeout : 10;
	struct timespec start, now;

	if (write_knob(path, v2 ? "cgroup.freeze" : "freezer.state", v2 ? "1" : "FROZEN"))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int f = frozen(path, v2);

		if (f > 0) {
			pr_info("Cgroup %s is frozen\n", path);
			return 0;
		}
		if (f < 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= (time_t)limit) {
			pr_err("Cgroup %s did not freeze in %u s (--timeout)\n", path, limit);
			break;
		}
		usleep(1000);
	}
	freezer_thaw(path);
	return -1;
}

int freezer_thaw(const char *path)
{
	bool v2 = is_v2(path);

	return write_knob(path, v2 ? "cgroup.freeze" : "freezer.state", v2 ? "0" : "THAWED");
}

int freezer_threads(const char *path, pid_t **tids, int *nr)
{
	char *buf = read_knob(path, is_v2(path) ? "cgroup.threads" : "tasks");
	int ret;

	if (!buf)
		return -1;
	ret = parse_pid_list(buf, tids, nr);
	if (ret)
		pr_err("Bad thread list in cgroup %s\n", path);
	free(buf);
	return ret;
}
