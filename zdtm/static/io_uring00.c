// SPDX-License-Identifier: GPL-2.0
/* An io_uring instance with its rings mapped: not supported, the dump must
 * refuse it (crfail). */
#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "refuse.h"

int main(int argc, char **argv)
{
	struct io_uring_params p = { 0 };
	void *sq;
	int fd;

	test_init(argc, argv);
	fd = syscall(SYS_io_uring_setup, 4, &p);
	if (fd < 0)
		test_setup_fail("io_uring_setup: %s", strerror(errno));
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		test_setup_fail("mmap SQ ring: %s", strerror(errno));
	refuse_test(fd, "anon_inode:[io_uring]");
}
