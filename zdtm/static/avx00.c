// SPDX-License-Identifier: GPL-2.0
/*
 * AVX state: ymm0-ymm15 (upper halves included) held in registers across the dump.
 * The task spins on the SIGTERM flag in asm with the values in registers
 * (no calls, nothing spilled) and stores them back after it for the check.
 * Without AVX on the CPU (or in XCR0) the test passes with a message.
 */
#include <stdio.h>

#include "zdtmtst.h"

#define NREGS 16
#define WIDTH 32

static uint8_t reg_in[NREGS][WIDTH], reg_out[NREGS][WIDTH];

static __attribute__((target("avx"))) void hold_registers(volatile sig_atomic_t *flag, int brk)
{
	asm volatile(
		     "vmovdqu 0x0(%[in]), %%ymm0\n\t"
		     "vmovdqu 0x20(%[in]), %%ymm1\n\t"
		     "vmovdqu 0x40(%[in]), %%ymm2\n\t"
		     "vmovdqu 0x60(%[in]), %%ymm3\n\t"
		     "vmovdqu 0x80(%[in]), %%ymm4\n\t"
		     "vmovdqu 0xa0(%[in]), %%ymm5\n\t"
		     "vmovdqu 0xc0(%[in]), %%ymm6\n\t"
		     "vmovdqu 0xe0(%[in]), %%ymm7\n\t"
		     "vmovdqu 0x100(%[in]), %%ymm8\n\t"
		     "vmovdqu 0x120(%[in]), %%ymm9\n\t"
		     "vmovdqu 0x140(%[in]), %%ymm10\n\t"
		     "vmovdqu 0x160(%[in]), %%ymm11\n\t"
		     "vmovdqu 0x180(%[in]), %%ymm12\n\t"
		     "vmovdqu 0x1a0(%[in]), %%ymm13\n\t"
		     "vmovdqu 0x1c0(%[in]), %%ymm14\n\t"
		     "vmovdqu 0x1e0(%[in]), %%ymm15\n\t"
		     "1: pause\n\t"
		     "cmpl $0, (%[flag])\n\t"
		     "je 1b\n\t"
		     "testl %[brk], %[brk]\n\t"
		     "jz 2f\n\t"
		     "vpcmpeqd %%ymm9, %%ymm9, %%ymm9\n\t"
		     "2:\n\t"
		     "vmovdqu %%ymm0, 0x0(%[out])\n\t"
		     "vmovdqu %%ymm1, 0x20(%[out])\n\t"
		     "vmovdqu %%ymm2, 0x40(%[out])\n\t"
		     "vmovdqu %%ymm3, 0x60(%[out])\n\t"
		     "vmovdqu %%ymm4, 0x80(%[out])\n\t"
		     "vmovdqu %%ymm5, 0xa0(%[out])\n\t"
		     "vmovdqu %%ymm6, 0xc0(%[out])\n\t"
		     "vmovdqu %%ymm7, 0xe0(%[out])\n\t"
		     "vmovdqu %%ymm8, 0x100(%[out])\n\t"
		     "vmovdqu %%ymm9, 0x120(%[out])\n\t"
		     "vmovdqu %%ymm10, 0x140(%[out])\n\t"
		     "vmovdqu %%ymm11, 0x160(%[out])\n\t"
		     "vmovdqu %%ymm12, 0x180(%[out])\n\t"
		     "vmovdqu %%ymm13, 0x1a0(%[out])\n\t"
		     "vmovdqu %%ymm14, 0x1c0(%[out])\n\t"
		     "vmovdqu %%ymm15, 0x1e0(%[out])\n\t"
		     :
		     : [in] "r"(reg_in), [out] "r"(reg_out), [flag] "r"(flag), [brk] "r"(brk)
		     : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

int main(int argc, char **argv)
{
	int i;

	test_init(argc, argv);
	if (!__builtin_cpu_supports("avx")) {
		test_daemon();
		test_waitsig();
		test_msg("the CPU has no avx: nothing to check");
		pass();
	}
	datagen(reg_in, sizeof(reg_in), 0xa0a);

	test_daemon();
	hold_registers(test_sigterm_flag(), test_break());

	for (i = 0; i < NREGS; i++)
		if (memcmp(reg_in[i], reg_out[i], WIDTH))
			fail("ymm%d differs", i);
	pass();
}
