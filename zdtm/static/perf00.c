// SPDX-License-Identifier: GPL-2.0
/* A perf event counting the task's own clock: not supported, the dump must
 * refuse it (crfail). */
#include <linux/perf_event.h>
#include <sys/syscall.h>

#include "refuse.h"

int main(int argc, char **argv)
{
	struct perf_event_attr a;
	int fd;

	test_init(argc, argv);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.exclude_kernel = a.exclude_hv = 1;
	fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
	if (fd < 0)
		test_setup_fail("perf_event_open: %s", strerror(errno));
	refuse_test(fd, "anon_inode:[perf_event]");
}
