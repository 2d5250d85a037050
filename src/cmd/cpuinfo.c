// SPDX-License-Identifier: GPL-2.0
/*
 * criu cpuinfo dump: save what this CPU offers into cpuinfo.img (-D).
 * criu cpuinfo check: tell whether this CPU offers everything the saved one
 * did, so that processes dumped there can run here.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmds.h"
#include "engine/cpu.h"
#include "images/image.h"
#include "util/log.h"
#include "util/options.h"

int cmd_cpuinfo_dump(void)
{
	struct cpu_info ci;
	int ret;

	if (cpu_collect(&ci))
		return 1;
	if (img_dir_open(opts.images_dir, true))
		return 1;
	ret = cpu_write_image(&ci);
	img_dir_close();
	if (ret)
		return 1;
	pr_info("Saved %s CPU: %d CPUID leaves, xfeatures 0x%llx, xsave area %u bytes\n",
		ci.vendor, ci.nr_leaves, (unsigned long long)ci.xfeatures, ci.xsave_size);
	return 0;
}

int cmd_cpuinfo_check(void)
{
	struct cpu_info *img, *now;
	char *missing = NULL;
	int caps, ret = 1, n;

	/* without --cpu-cap, everything: the feature bits and the xsave state */
	caps = cpu_cap_parse(opts.cpu_cap, CPU_CAP_ALL);
	if (caps < 0)
		return 1;
	img = malloc(sizeof(*img));
	now = malloc(sizeof(*now));
	if (!img || !now) {
		pr_err("Out of memory checking the CPU\n");
		goto out;
	}
	if (img_dir_open(opts.images_dir, false))
		goto out;
	n = cpu_read_image(img);
	img_dir_close();
	if (n) {
		pr_err("cpuinfo check: can't read cpuinfo.img in %s\n", opts.images_dir);
		goto out;
	}
	if (cpu_collect(now))
		goto out;
	if (!caps) {
		pr_msg("cpuinfo check: nothing to compare (--cpu-cap=none)\n");
		ret = 0;
		goto out;
	}
	if (strcmp(img->vendor, now->vendor))
		pr_warn("cpuinfo check: the images come from a %s CPU, this one is %s\n",
			img->vendor, now->vendor);
	n = cpu_compare(img, now, caps, &missing);
	if (n < 0)
		goto out;
	if (n) {
		pr_msg("cpuinfo check: missing CPU features: %s\n", missing);
		goto out;
	}
	pr_msg("cpuinfo check: this CPU can run the images\n");
	ret = 0;
out:
	free(missing);
	free(img);
	free(now);
	return ret;
}
