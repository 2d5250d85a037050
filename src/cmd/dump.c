// SPDX-License-Identifier: GPL-2.0
#include "cmd/cmds.h"
#include "engine/dump.h"
#include "images/image.h"
#include "util/log.h"
#include "util/options.h"

int cmd_dump(void)
{
	int ret;

	if (img_dir_open(opts.images_dir, true))
		return 1;
	ret = dump_tree(opts.tree_pid);
	img_dir_close();
	/* the failing step logged the one error line; no summary line on top */
	return ret ? 1 : 0;
}
