// SPDX-License-Identifier: GPL-2.0
/*
 * A task whose seccomp filter kills it on vmsplice (and looks at the
 * arguments of write) and whose memory is big enough for criu to want its
 * parasite, which moves pages with vmsplice: criu must see that the filter
 * forbids it and copy the pages itself. The task survives with its memory
 * and its filter.
 */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NPAGES 2048		/* 8 MiB */

static long psz;
static char *mem;

static int install(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_vmsplice, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_write, 0, 3),
		/* write to fd 1000: EPERM (the low 32 bits of the first argument) */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1000, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

int main(int argc, char **argv)
{
	char v[32];

	test_init(argc, argv);
	psz = sysconf(_SC_PAGESIZE);
	mem = mmap(NULL, NPAGES * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));
	for (int pg = 0; pg < NPAGES; pg++)
		datagen(mem + pg * psz, psz, pg);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || install())
		test_setup_fail("seccomp: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		mem[100 * psz] ^= 1;

	for (int pg = 0; pg < NPAGES; pg++)
		if (!datachk(mem + pg * psz, psz, pg))
			fail("page %d differs", pg);
	if (!proc_field("/proc/self/status", "Seccomp", v, sizeof(v)) || strcmp(v, "2"))
		fail("Seccomp: %s, expected 2", v);
	if (write(1000, "x", 1) != -1 || errno != EPERM)
		fail("write to fd 1000: not refused by the filter");
	pass();
}
