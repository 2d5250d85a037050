// SPDX-License-Identifier: GPL-2.0
/* One criu command line, parsed and run: for main() and the service's workers. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmds.h"
#include "util/log.h"
#include "util/options.h"

struct command_entry {
	enum cr_command cmd;
	int (*run)(void);
};

static const struct command_entry commands[] = {
	{ CMD_DUMP, cmd_dump },
	{ CMD_RESTORE, cmd_restore },
	{ CMD_CHECK, cmd_check },
	{ CMD_SHOW, cmd_show },
	{ CMD_EXEC, cmd_exec },
	{ CMD_CPUINFO_DUMP, cmd_cpuinfo_dump },
	{ CMD_CPUINFO_CHECK, cmd_cpuinfo_check },
	{ CMD_PAGE_SERVER, cmd_page_server },
	{ CMD_SERVICE, cmd_service },
};

/* -o is relative to -W, which defaults to -D, unless it is absolute. */
static int open_log(void)
{
	char path[PATH_MAX];
	const char *dir = opts.work_dir ? opts.work_dir : opts.images_dir;

	if (!opts.log_file || !strcmp(opts.log_file, "-"))
		return log_open(NULL);
	if (opts.log_file[0] == '/' || !dir)
		return log_open(opts.log_file);
	if (opts.work_dir && mkdir(opts.work_dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "Error: can't create work directory %s: %s\n", opts.work_dir,
			strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, opts.log_file);
	return log_open(path);
}

static void close_requested_fds(void)
{
	for (int i = 0; i < opts.nr_close_fds; i++)
		close(opts.close_fds[i]);
}

int criu_run(int argc, char **argv)
{
	int ret;

	opts_init(&opts);
	ret = opts_parse(&opts, argc, argv);
	if (ret == 2)
		return 0;
	if (ret)
		return 1;
	if (opts_check_supported(&opts))
		return 1;
	close_requested_fds();
	log_set_level(opts.log_level);
	if (opts.command == CMD_DUMP || opts.command == CMD_PRE_DUMP) {
		/* dump creates -D so the log can live inside it */
		if (opts.images_dir && mkdir(opts.images_dir, 0700) && errno != EEXIST) {
			fprintf(stderr, "Error: can't create images directory %s: %s\n",
				opts.images_dir, strerror(errno));
			return 1;
		}
	}
	if (open_log())
		return 1;

	ret = -1;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].cmd == opts.command)
			ret = commands[i].run();
	if (ret < 0)
		ret = cmd_unsupported();
	if (ret && log_get_fd() != STDERR_FILENO && log_first_error())
		fprintf(stderr, "%s (see the log for details)\n", log_first_error());
	log_close();
	opts_free(&opts);
	return ret;
}
