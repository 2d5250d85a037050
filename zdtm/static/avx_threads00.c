// SPDX-License-Identifier: GPL-2.0
/*
 * AVX state of several threads: the main thread and four more each load
 * their own values into ymm0-ymm15 (upper halves included) and spin in asm
 * on the SIGTERM flag with the values in registers (no calls, nothing
 * spilled), then store them back for the check. Each thread judges its own
 * registers and leaves its verdict in a shared array; the main thread passes
 * only if all five are intact, so a restore that mixes up the threads'
 * xsave areas (or drops one) is caught too.
 * Without AVX on the CPU (or in XCR0) the test passes with a message.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NTHREADS 5 /* slot 0 is the main thread */
#define NREGS 16
#define WIDTH 32
#define BREAK_THREAD 3
#define BREAK_REG 13

struct slot {
	uint8_t in[NREGS][WIDTH];
	uint8_t out[NREGS][WIDTH];
	int loaded;	/* set from the asm once the registers hold @in */
	int brk;	/* clobber BREAK_REG after the flag, before storing */
	int verdict;	/* 0: not done, 1: intact, 2: a register differs */
	int bad_reg;
	pthread_t th;
};

static struct slot slots[NTHREADS];

static __attribute__((target("avx"))) void hold_registers(struct slot *s,
							  volatile sig_atomic_t *flag)
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
		     "movl $1, (%[loaded])\n\t"
		     "1: pause\n\t"
		     "cmpl $0, (%[flag])\n\t"
		     "je 1b\n\t"
		     "testl %[brk], %[brk]\n\t"
		     "jz 2f\n\t"
		     /* Replace only the upper half: the check must see it. */
		     "vinsertf128 $1, %%xmm0, %%ymm13, %%ymm13\n\t"
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
		     : [in] "r"(s->in), [out] "r"(s->out), [loaded] "r"(&s->loaded),
		       [flag] "r"(flag), [brk] "r"(s->brk)
		     : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
		       "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
		       "xmm15");
}

static void judge(struct slot *s)
{
	int i;

	s->bad_reg = -1;
	for (i = 0; i < NREGS; i++) {
		if (memcmp(s->in[i], s->out[i], WIDTH)) {
			s->bad_reg = i;
			break;
		}
	}
	__atomic_store_n(&s->verdict, s->bad_reg < 0 ? 1 : 2, __ATOMIC_RELEASE);
}

static void *worker(void *arg)
{
	struct slot *s = arg;
	sigset_t set;

	/* SIGTERM goes to the main thread; here only the flag is watched. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	hold_registers(s, test_sigterm_flag());
	judge(s);
	return NULL;
}

int main(int argc, char **argv)
{
	int i, bad = 0;

	test_init(argc, argv);
	if (!__builtin_cpu_supports("avx")) {
		test_daemon();
		test_waitsig();
		test_msg("the CPU has no avx: nothing to check");
		pass();
	}

	for (i = 0; i < NTHREADS; i++) {
		datagen(slots[i].in, sizeof(slots[i].in), 0xa0a + 0x1111 * i);
		slots[i].brk = test_break() && i == BREAK_THREAD;
	}

	for (i = 1; i < NTHREADS; i++)
		if (pthread_create(&slots[i].th, NULL, worker, &slots[i]))
			test_setup_fail("pthread_create %d", i);
	/* Ready only once every thread holds its values in registers. */
	for (i = 1; i < NTHREADS; i++)
		while (!__atomic_load_n(&slots[i].loaded, __ATOMIC_ACQUIRE))
			sched_yield();

	test_daemon();
	hold_registers(&slots[0], test_sigterm_flag());
	judge(&slots[0]);

	for (i = 1; i < NTHREADS; i++)
		if (pthread_join(slots[i].th, NULL))
			fail("pthread_join %d", i);

	for (i = 0; i < NTHREADS; i++) {
		struct slot *s = &slots[i];
		int v = __atomic_load_n(&s->verdict, __ATOMIC_ACQUIRE);

		if (v == 1)
			continue;
		bad++;
		if (v != 2) {
			test_msg("thread %d: no verdict", i);
			continue;
		}
		test_msg("thread %d: ymm%d differs: lower %s, upper %s", i, s->bad_reg,
			 memcmp(s->in[s->bad_reg], s->out[s->bad_reg], 16) ? "changed" : "intact",
			 memcmp(s->in[s->bad_reg] + 16, s->out[s->bad_reg] + 16, 16) ? "changed"
										     : "intact");
	}
	if (bad)
		fail("%d of %d threads lost their ymm registers (see messages above)", bad,
		     NTHREADS);
	pass();
}
