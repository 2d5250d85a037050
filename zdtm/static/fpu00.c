// SPDX-License-Identifier: GPL-2.0
/*
 * x87 and SSE register state held in registers across the dump: values are
 * loaded into st(0)-st(7) and xmm0-xmm15, MXCSR and the x87 control word get
 * non-default modes, and the task spins on the SIGTERM flag in asm (no
 * function calls, nothing spilled) until it stores them back for the check.
 */
#include <stdio.h>

#include "zdtmtst.h"

#define MXCSR_VAL 0xdf80 /* round up, flush to zero, all masked */
#define FCW_VAL 0x0a7f	 /* round up, double precision, all masked */

static uint8_t xmm_in[16][16], xmm_out[16][16];
static long double x87_in[8], x87_out[8];
static uint32_t mx_in = MXCSR_VAL, mx_out, mx_orig;
static uint16_t fcw_in = FCW_VAL, fcw_out, fcw_orig;

static void hold_registers(volatile sig_atomic_t *flag, int brk)
{
	asm volatile("stmxcsr %[mxorig]\n\t"
		     "fnstcw %[fcworig]\n\t"
		     "ldmxcsr %[mxin]\n\t"
		     "fldcw %[fcwin]\n\t"
		     "fldt 0x00(%[x87in])\n\t"
		     "fldt 0x10(%[x87in])\n\t"
		     "fldt 0x20(%[x87in])\n\t"
		     "fldt 0x30(%[x87in])\n\t"
		     "fldt 0x40(%[x87in])\n\t"
		     "fldt 0x50(%[x87in])\n\t"
		     "fldt 0x60(%[x87in])\n\t"
		     "fldt 0x70(%[x87in])\n\t"
		     "movdqu 0x00(%[xin]), %%xmm0\n\t"
		     "movdqu 0x10(%[xin]), %%xmm1\n\t"
		     "movdqu 0x20(%[xin]), %%xmm2\n\t"
		     "movdqu 0x30(%[xin]), %%xmm3\n\t"
		     "movdqu 0x40(%[xin]), %%xmm4\n\t"
		     "movdqu 0x50(%[xin]), %%xmm5\n\t"
		     "movdqu 0x60(%[xin]), %%xmm6\n\t"
		     "movdqu 0x70(%[xin]), %%xmm7\n\t"
		     "movdqu 0x80(%[xin]), %%xmm8\n\t"
		     "movdqu 0x90(%[xin]), %%xmm9\n\t"
		     "movdqu 0xa0(%[xin]), %%xmm10\n\t"
		     "movdqu 0xb0(%[xin]), %%xmm11\n\t"
		     "movdqu 0xc0(%[xin]), %%xmm12\n\t"
		     "movdqu 0xd0(%[xin]), %%xmm13\n\t"
		     "movdqu 0xe0(%[xin]), %%xmm14\n\t"
		     "movdqu 0xf0(%[xin]), %%xmm15\n\t"
		     "1: pause\n\t"
		     "cmpl $0, (%[flag])\n\t"
		     "je 1b\n\t"
		     "testl %[brk], %[brk]\n\t"
		     "jz 2f\n\t"
		     "pcmpeqd %%xmm5, %%xmm5\n\t"
		     "2:\n\t"
		     "movdqu %%xmm0, 0x00(%[xout])\n\t"
		     "movdqu %%xmm1, 0x10(%[xout])\n\t"
		     "movdqu %%xmm2, 0x20(%[xout])\n\t"
		     "movdqu %%xmm3, 0x30(%[xout])\n\t"
		     "movdqu %%xmm4, 0x40(%[xout])\n\t"
		     "movdqu %%xmm5, 0x50(%[xout])\n\t"
		     "movdqu %%xmm6, 0x60(%[xout])\n\t"
		     "movdqu %%xmm7, 0x70(%[xout])\n\t"
		     "movdqu %%xmm8, 0x80(%[xout])\n\t"
		     "movdqu %%xmm9, 0x90(%[xout])\n\t"
		     "movdqu %%xmm10, 0xa0(%[xout])\n\t"
		     "movdqu %%xmm11, 0xb0(%[xout])\n\t"
		     "movdqu %%xmm12, 0xc0(%[xout])\n\t"
		     "movdqu %%xmm13, 0xd0(%[xout])\n\t"
		     "movdqu %%xmm14, 0xe0(%[xout])\n\t"
		     "movdqu %%xmm15, 0xf0(%[xout])\n\t"
		     "stmxcsr %[mxout]\n\t"
		     "fnstcw %[fcwout]\n\t"
		     "fstpt 0x00(%[x87out])\n\t"
		     "fstpt 0x10(%[x87out])\n\t"
		     "fstpt 0x20(%[x87out])\n\t"
		     "fstpt 0x30(%[x87out])\n\t"
		     "fstpt 0x40(%[x87out])\n\t"
		     "fstpt 0x50(%[x87out])\n\t"
		     "fstpt 0x60(%[x87out])\n\t"
		     "fstpt 0x70(%[x87out])\n\t"
		     "ldmxcsr %[mxorig]\n\t"
		     "fldcw %[fcworig]\n\t"
		     : [mxout] "=m"(mx_out), [fcwout] "=m"(fcw_out), [mxorig] "+m"(mx_orig),
		       [fcworig] "+m"(fcw_orig)
		     : [mxin] "m"(mx_in), [fcwin] "m"(fcw_in), [x87in] "r"(x87_in),
		       [x87out] "r"(x87_out), [xin] "r"(xmm_in), [xout] "r"(xmm_out),
		       [flag] "r"(flag), [brk] "r"(brk)
		     : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
		       "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
		       "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)");
}

int main(int argc, char **argv)
{
	int i;

	test_init(argc, argv);
	datagen(xmm_in, sizeof(xmm_in), 0xf00);
	for (i = 0; i < 8; i++)
		x87_in[i] = (i + 1) / 7.0L * (i % 2 ? -1e300L : 3e-300L) + i;

	test_daemon();
	hold_registers(test_sigterm_flag(), test_break());

	for (i = 0; i < 16; i++)
		if (memcmp(xmm_in[i], xmm_out[i], 16))
			fail("xmm%d differs", i);
	/* fstp pops in reverse order of the loads. */
	for (i = 0; i < 8; i++)
		if (memcmp(&x87_in[i], &x87_out[7 - i], 10))
			fail("st(%d) differs: %Lg, expected %Lg", 7 - i, x87_out[7 - i], x87_in[i]);
	if (mx_out != MXCSR_VAL)
		fail("MXCSR %#x, expected %#x", mx_out, MXCSR_VAL);
	if (fcw_out != FCW_VAL)
		fail("x87 control word %#x, expected %#x", fcw_out, FCW_VAL);
	pass();
}
