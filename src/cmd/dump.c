// SPDX-License-Identifier: GPL-2.0
#include "cmd/cmds.h"
#include "engine/dump.h"
#include "images/image.h"
#include "images/page_sink.h"
#include "util/log.h"
#include "util/options.h"

int cmd_dump(void)
{
	int ret;

	if (img_dir_open(opts.images_dir, true))
		return 1;
	/* a page server that is not there is found before the tree is frozen */
	if (page_sink_start()) {
		img_dir_close();
		return 1;
	}
	ret = dump_tree(opts.tree_pid);
	if (page_sink_end(!ret))
		ret = -1;
	img_dir_close();
	/* the failing step logged the one error line; no summary line on top */
	return ret ? 1 : 0;
}
