// SPDX-License-Identifier: GPL-2.0
#include "cmd/cmds.h"
#include "engine/restore.h"
#include "images/image.h"
#include "util/log.h"
#include "util/options.h"

int cmd_restore(void)
{
	int ret;

	if (img_dir_open(opts.images_dir, false))
		return 1;
	ret = restore_tree();
	img_dir_close();
	/* the failing step logged the one error line; no summary line on top */
	return ret < 0 ? 1 : ret;
}
