// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmds.h"
#include "util/fault.h"

int main(int argc, char **argv)
{
	/* for test runners: the numbered failure points CRIU_FAULT accepts */
	if (argc == 2 && !strcmp(argv[1], "--fault-list")) {
		for (int i = 0; i < fault_points_count; i++)
			printf("%d\n", fault_points[i]);
		return 0;
	}
	return criu_run(argc, argv);
}
