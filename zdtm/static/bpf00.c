// SPDX-License-Identifier: GPL-2.0
/* A BPF array map (root only): not supported, the dump must refuse it
 * (crfail). */
#include <linux/bpf.h>
#include <sys/syscall.h>

#include "refuse.h"

int main(int argc, char **argv)
{
	union bpf_attr a;
	int fd;

	test_init(argc, argv);
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 4;
	fd = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	if (fd < 0)
		test_setup_fail("bpf map create: %s", strerror(errno));
	refuse_test(fd, "anon_inode:bpf-map");
}
