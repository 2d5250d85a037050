// SPDX-License-Identifier: GPL-2.0
/* A loaded BPF program (socket filter returning 0; root only): not
 * supported, the dump must refuse it (crfail). */
#include <linux/bpf.h>
#include <sys/syscall.h>

#include "refuse.h"

int main(int argc, char **argv)
{
	struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr a;
	int fd;

	test_init(argc, argv);
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (unsigned long)prog;
	a.insn_cnt = 2;
	a.license = (unsigned long)"GPL";
	fd = syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (fd < 0)
		test_setup_fail("bpf prog load: %s", strerror(errno));
	refuse_test(fd, "anon_inode:bpf-prog");
}
