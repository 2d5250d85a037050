// SPDX-License-Identifier: GPL-2.0
/*
 * AVX-512 state: zmm0-zmm31 and the opmask registers k0-k7 held in registers
 * across the dump.
 * The task spins on the SIGTERM flag in asm with the values in registers
 * (no calls, nothing spilled) and stores them back after it for the check.
 * Without AVX512F on the CPU (or in XCR0) the test passes with a message.
 */
#include <stdio.h>

#include "zdtmtst.h"

#define NREGS 32
#define WIDTH 64

static uint8_t reg_in[NREGS][WIDTH], reg_out[NREGS][WIDTH];
static uint16_t k_in[8], k_out[8];

static __attribute__((target("avx512f"))) void hold_registers(volatile sig_atomic_t *flag, int brk)
{
	asm volatile(
		     "kmovw 0x0(%[kin]), %%k0\n\t"
		     "kmovw 0x2(%[kin]), %%k1\n\t"
		     "kmovw 0x4(%[kin]), %%k2\n\t"
		     "kmovw 0x6(%[kin]), %%k3\n\t"
		     "kmovw 0x8(%[kin]), %%k4\n\t"
		     "kmovw 0xa(%[kin]), %%k5\n\t"
		     "kmovw 0xc(%[kin]), %%k6\n\t"
		     "kmovw 0xe(%[kin]), %%k7\n\t"
		     "vmovdqu64 0x0(%[in]), %%zmm0\n\t"
		     "vmovdqu64 0x40(%[in]), %%zmm1\n\t"
		     "vmovdqu64 0x80(%[in]), %%zmm2\n\t"
		     "vmovdqu64 0xc0(%[in]), %%zmm3\n\t"
		     "vmovdqu64 0x100(%[in]), %%zmm4\n\t"
		     "vmovdqu64 0x140(%[in]), %%zmm5\n\t"
		     "vmovdqu64 0x180(%[in]), %%zmm6\n\t"
		     "vmovdqu64 0x1c0(%[in]), %%zmm7\n\t"
		     "vmovdqu64 0x200(%[in]), %%zmm8\n\t"
		     "vmovdqu64 0x240(%[in]), %%zmm9\n\t"
		     "vmovdqu64 0x280(%[in]), %%zmm10\n\t"
		     "vmovdqu64 0x2c0(%[in]), %%zmm11\n\t"
		     "vmovdqu64 0x300(%[in]), %%zmm12\n\t"
		     "vmovdqu64 0x340(%[in]), %%zmm13\n\t"
		     "vmovdqu64 0x380(%[in]), %%zmm14\n\t"
		     "vmovdqu64 0x3c0(%[in]), %%zmm15\n\t"
		     "vmovdqu64 0x400(%[in]), %%zmm16\n\t"
		     "vmovdqu64 0x440(%[in]), %%zmm17\n\t"
		     "vmovdqu64 0x480(%[in]), %%zmm18\n\t"
		     "vmovdqu64 0x4c0(%[in]), %%zmm19\n\t"
		     "vmovdqu64 0x500(%[in]), %%zmm20\n\t"
		     "vmovdqu64 0x540(%[in]), %%zmm21\n\t"
		     "vmovdqu64 0x580(%[in]), %%zmm22\n\t"
		     "vmovdqu64 0x5c0(%[in]), %%zmm23\n\t"
		     "vmovdqu64 0x600(%[in]), %%zmm24\n\t"
		     "vmovdqu64 0x640(%[in]), %%zmm25\n\t"
		     "vmovdqu64 0x680(%[in]), %%zmm26\n\t"
		     "vmovdqu64 0x6c0(%[in]), %%zmm27\n\t"
		     "vmovdqu64 0x700(%[in]), %%zmm28\n\t"
		     "vmovdqu64 0x740(%[in]), %%zmm29\n\t"
		     "vmovdqu64 0x780(%[in]), %%zmm30\n\t"
		     "vmovdqu64 0x7c0(%[in]), %%zmm31\n\t"
		     "1: pause\n\t"
		     "cmpl $0, (%[flag])\n\t"
		     "je 1b\n\t"
		     "testl %[brk], %[brk]\n\t"
		     "jz 2f\n\t"
		     "vpternlogd $0xff, %%zmm27, %%zmm27, %%zmm27\n\t"
		     "2:\n\t"
		     "vmovdqu64 %%zmm0, 0x0(%[out])\n\t"
		     "vmovdqu64 %%zmm1, 0x40(%[out])\n\t"
		     "vmovdqu64 %%zmm2, 0x80(%[out])\n\t"
		     "vmovdqu64 %%zmm3, 0xc0(%[out])\n\t"
		     "vmovdqu64 %%zmm4, 0x100(%[out])\n\t"
		     "vmovdqu64 %%zmm5, 0x140(%[out])\n\t"
		     "vmovdqu64 %%zmm6, 0x180(%[out])\n\t"
		     "vmovdqu64 %%zmm7, 0x1c0(%[out])\n\t"
		     "vmovdqu64 %%zmm8, 0x200(%[out])\n\t"
		     "vmovdqu64 %%zmm9, 0x240(%[out])\n\t"
		     "vmovdqu64 %%zmm10, 0x280(%[out])\n\t"
		     "vmovdqu64 %%zmm11, 0x2c0(%[out])\n\t"
		     "vmovdqu64 %%zmm12, 0x300(%[out])\n\t"
		     "vmovdqu64 %%zmm13, 0x340(%[out])\n\t"
		     "vmovdqu64 %%zmm14, 0x380(%[out])\n\t"
		     "vmovdqu64 %%zmm15, 0x3c0(%[out])\n\t"
		     "vmovdqu64 %%zmm16, 0x400(%[out])\n\t"
		     "vmovdqu64 %%zmm17, 0x440(%[out])\n\t"
		     "vmovdqu64 %%zmm18, 0x480(%[out])\n\t"
		     "vmovdqu64 %%zmm19, 0x4c0(%[out])\n\t"
		     "vmovdqu64 %%zmm20, 0x500(%[out])\n\t"
		     "vmovdqu64 %%zmm21, 0x540(%[out])\n\t"
		     "vmovdqu64 %%zmm22, 0x580(%[out])\n\t"
		     "vmovdqu64 %%zmm23, 0x5c0(%[out])\n\t"
		     "vmovdqu64 %%zmm24, 0x600(%[out])\n\t"
		     "vmovdqu64 %%zmm25, 0x640(%[out])\n\t"
		     "vmovdqu64 %%zmm26, 0x680(%[out])\n\t"
		     "vmovdqu64 %%zmm27, 0x6c0(%[out])\n\t"
		     "vmovdqu64 %%zmm28, 0x700(%[out])\n\t"
		     "vmovdqu64 %%zmm29, 0x740(%[out])\n\t"
		     "vmovdqu64 %%zmm30, 0x780(%[out])\n\t"
		     "vmovdqu64 %%zmm31, 0x7c0(%[out])\n\t"
		     "kmovw %%k0, 0x0(%[kout])\n\t"
		     "kmovw %%k1, 0x2(%[kout])\n\t"
		     "kmovw %%k2, 0x4(%[kout])\n\t"
		     "kmovw %%k3, 0x6(%[kout])\n\t"
		     "kmovw %%k4, 0x8(%[kout])\n\t"
		     "kmovw %%k5, 0xa(%[kout])\n\t"
		     "kmovw %%k6, 0xc(%[kout])\n\t"
		     "kmovw %%k7, 0xe(%[kout])\n\t"
		     :
		     : [in] "r"(reg_in), [out] "r"(reg_out), [flag] "r"(flag), [brk] "r"(brk), [kin] "r"(k_in), [kout] "r"(k_out)
		     : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31", "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7");
}

int main(int argc, char **argv)
{
	int i;

	test_init(argc, argv);
	if (!__builtin_cpu_supports("avx512f")) {
		test_daemon();
		test_waitsig();
		test_msg("the CPU has no avx512f: nothing to check");
		pass();
	}
	datagen(reg_in, sizeof(reg_in), 0xa0a);
	datagen(k_in, sizeof(k_in), 0xa11);

	test_daemon();
	hold_registers(test_sigterm_flag(), test_break());

	for (i = 0; i < NREGS; i++)
		if (memcmp(reg_in[i], reg_out[i], WIDTH))
			fail("zmm%d differs", i);
	for (i = 0; i < 8; i++)
		if (k_in[i] != k_out[i])
			fail("k%d is %#x, expected %#x", i, k_out[i], k_in[i]);
	pass();
}
