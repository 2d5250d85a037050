// SPDX-License-Identifier: GPL-2.0
#include "cmd/cmds.h"
#include "util/log.h"
#include "util/options.h"

/* Commands accepted by the parser whose engine part does not exist yet. */
int cmd_unsupported(void)
{
	pr_err("unsupported: command %s\n", opts_command_name(opts.command));
	return 1;
}
