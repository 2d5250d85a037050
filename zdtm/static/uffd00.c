// SPDX-License-Identifier: GPL-2.0
/* A userfaultfd (user-mode faults only, as an unprivileged user may open
 * it) after UFFDIO_API: not supported, the dump must refuse it (crfail). */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "refuse.h"

int main(int argc, char **argv)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd;

	test_init(argc, argv);
	fd = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (fd < 0 || ioctl(fd, UFFDIO_API, &api))
		test_setup_fail("userfaultfd: %s", strerror(errno));
	refuse_test(fd, "anon_inode:[userfaultfd]");
}
