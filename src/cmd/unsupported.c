// SPDX-License-Identifier: GPL-2.0
#include "cmd/cmds.h"
#include "util/log.h"
#include "util/options.h"

static const char *const command_names[] = {
	[CMD_PAGE_SERVER] = "page-server", [CMD_SERVICE] = "service", [CMD_SWRK] = "swrk",
	[CMD_DEDUP] = "dedup", [CMD_PRE_DUMP] = "pre-dump", [CMD_EXEC] = "exec",
	[CMD_CPUINFO_DUMP] = "cpuinfo dump", [CMD_CPUINFO_CHECK] = "cpuinfo check",
};

/* Commands accepted by the parser whose engine part does not exist yet. */
int cmd_unsupported(void)
{
	const char *name = "?";

	if (opts.command < sizeof(command_names) / sizeof(command_names[0]) &&
	    command_names[opts.command])
		name = command_names[opts.command];
	pr_err("unsupported: command %s\n", name);
	return 1;
}
