// SPDX-License-Identifier: GPL-2.0
/*
 * What a CPU offers to the programs running on it, and whether another CPU
 * offers at least as much.
 *
 * A program picks its code paths once (glibc's ifuncs choose memcpy by AVX2
 * or AVX-512, the dynamic linker saves registers with xsavec) and never asks
 * again, so after a restore every CPUID feature bit it saw must still be
 * there, and every xsave state component its registers live in must be
 * enabled with the same layout (ptrace hands out the standard, non-compacted
 * xsave format, whose offsets come from CPUID leaf 0xd).
 */
#include <cpuid.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cpu.h"
#include "images/image.h"
#include "util/log.h"

#include "cpuinfo.pb-c.h"

enum { R_EAX, R_EBX, R_ECX, R_EDX };

static const char *const reg_names[] = { "eax", "ebx", "ecx", "edx" };

/* Registers whose bits are features: what cpu_compare looks at. */
struct feature_reg {
	uint32_t leaf, subleaf;
	int reg;
	uint32_t ignore;	/* bits that tell about the machine, not about what it can do */
};

static const struct feature_reg feature_regs[] = {
	{ 0x1, 0, R_EDX, 0 },
	{ 0x1, 0, R_ECX, 1u << 31 },		/* hypervisor */
	{ 0x7, 0, R_EBX, 0 },
	{ 0x7, 0, R_ECX, 0 },
	{ 0x7, 0, R_EDX, 1u << 15 },		/* hybrid */
	{ 0x7, 1, R_EAX, 0 },
	{ 0x7, 1, R_EDX, 0 },
	{ 0xd, 1, R_EAX, 0 },
	{ 0x80000001, 0, R_ECX, 0 },
	{ 0x80000001, 0, R_EDX, 0 },
	{ 0x80000008, 0, R_EBX, 0 },
};

#define INS true

struct feature_name {
	uint32_t leaf, subleaf;
	int reg, bit;
	const char *name;	/* as Linux spells it in /proc/cpuinfo where it does */
	bool ins;		/* an instruction set extension a program may use */
};

/* clang-format off */
static const struct feature_name feature_names[] = {
	{ 0x1, 0, R_EDX, 0, "fpu", INS },
	{ 0x1, 0, R_EDX, 1, "vme", false },
	{ 0x1, 0, R_EDX, 2, "de", false },
	{ 0x1, 0, R_EDX, 3, "pse", false },
	{ 0x1, 0, R_EDX, 4, "tsc", INS },
	{ 0x1, 0, R_EDX, 5, "msr", false },
	{ 0x1, 0, R_EDX, 6, "pae", false },
	{ 0x1, 0, R_EDX, 7, "mce", false },
	{ 0x1, 0, R_EDX, 8, "cx8", INS },
	{ 0x1, 0, R_EDX, 9, "apic", false },
	{ 0x1, 0, R_EDX, 11, "sep", INS },
	{ 0x1, 0, R_EDX, 12, "mtrr", false },
	{ 0x1, 0, R_EDX, 13, "pge", false },
	{ 0x1, 0, R_EDX, 14, "mca", false },
	{ 0x1, 0, R_EDX, 15, "cmov", INS },
	{ 0x1, 0, R_EDX, 16, "pat", false },
	{ 0x1, 0, R_EDX, 17, "pse36", false },
	{ 0x1, 0, R_EDX, 18, "pn", false },
	{ 0x1, 0, R_EDX, 19, "clflush", INS },
	{ 0x1, 0, R_EDX, 21, "dts", false },
	{ 0x1, 0, R_EDX, 22, "acpi", false },
	{ 0x1, 0, R_EDX, 23, "mmx", INS },
	{ 0x1, 0, R_EDX, 24, "fxsr", INS },
	{ 0x1, 0, R_EDX, 25, "sse", INS },
	{ 0x1, 0, R_EDX, 26, "sse2", INS },
	{ 0x1, 0, R_EDX, 27, "ss", false },
	{ 0x1, 0, R_EDX, 28, "ht", false },
	{ 0x1, 0, R_EDX, 29, "tm", false },
	{ 0x1, 0, R_EDX, 30, "ia64", false },
	{ 0x1, 0, R_EDX, 31, "pbe", false },

	{ 0x1, 0, R_ECX, 0, "sse3", INS },
	{ 0x1, 0, R_ECX, 1, "pclmulqdq", INS },
	{ 0x1, 0, R_ECX, 2, "dtes64", false },
	{ 0x1, 0, R_ECX, 3, "monitor", INS },
	{ 0x1, 0, R_ECX, 4, "ds_cpl", false },
	{ 0x1, 0, R_ECX, 5, "vmx", false },
	{ 0x1, 0, R_ECX, 6, "smx", false },
	{ 0x1, 0, R_ECX, 7, "est", false },
	{ 0x1, 0, R_ECX, 8, "tm2", false },
	{ 0x1, 0, R_ECX, 9, "ssse3", INS },
	{ 0x1, 0, R_ECX, 10, "cid", false },
	{ 0x1, 0, R_ECX, 11, "sdbg", false },
	{ 0x1, 0, R_ECX, 12, "fma", INS },
	{ 0x1, 0, R_ECX, 13, "cx16", INS },
	{ 0x1, 0, R_ECX, 14, "xtpr", false },
	{ 0x1, 0, R_ECX, 15, "pdcm", false },
	{ 0x1, 0, R_ECX, 17, "pcid", false },
	{ 0x1, 0, R_ECX, 18, "dca", false },
	{ 0x1, 0, R_ECX, 19, "sse4_1", INS },
	{ 0x1, 0, R_ECX, 20, "sse4_2", INS },
	{ 0x1, 0, R_ECX, 21, "x2apic", false },
	{ 0x1, 0, R_ECX, 22, "movbe", INS },
	{ 0x1, 0, R_ECX, 23, "popcnt", INS },
	{ 0x1, 0, R_ECX, 24, "tsc_deadline_timer", false },
	{ 0x1, 0, R_ECX, 25, "aes", INS },
	{ 0x1, 0, R_ECX, 26, "xsave", INS },
	{ 0x1, 0, R_ECX, 27, "osxsave", INS },
	{ 0x1, 0, R_ECX, 28, "avx", INS },
	{ 0x1, 0, R_ECX, 29, "f16c", INS },
	{ 0x1, 0, R_ECX, 30, "rdrand", INS },
	{ 0x1, 0, R_ECX, 31, "hypervisor", false },

	{ 0x7, 0, R_EBX, 0, "fsgsbase", INS },
	{ 0x7, 0, R_EBX, 1, "tsc_adjust", false },
	{ 0x7, 0, R_EBX, 2, "sgx", false },
	{ 0x7, 0, R_EBX, 3, "bmi1", INS },
	{ 0x7, 0, R_EBX, 4, "hle", INS },
	{ 0x7, 0, R_EBX, 5, "avx2", INS },
	{ 0x7, 0, R_EBX, 6, "fdp_excptn_only", false },
	{ 0x7, 0, R_EBX, 7, "smep", false },
	{ 0x7, 0, R_EBX, 8, "bmi2", INS },
	{ 0x7, 0, R_EBX, 9, "erms", INS },
	{ 0x7, 0, R_EBX, 10, "invpcid", false },
	{ 0x7, 0, R_EBX, 11, "rtm", INS },
	{ 0x7, 0, R_EBX, 12, "cqm", false },
	{ 0x7, 0, R_EBX, 13, "zero_fcs_fds", false },
	{ 0x7, 0, R_EBX, 14, "mpx", INS },
	{ 0x7, 0, R_EBX, 15, "rdt_a", false },
	{ 0x7, 0, R_EBX, 16, "avx512f", INS },
	{ 0x7, 0, R_EBX, 17, "avx512dq", INS },
	{ 0x7, 0, R_EBX, 18, "rdseed", INS },
	{ 0x7, 0, R_EBX, 19, "adx", INS },
	{ 0x7, 0, R_EBX, 20, "smap", false },
	{ 0x7, 0, R_EBX, 21, "avx512ifma", INS },
	{ 0x7, 0, R_EBX, 23, "clflushopt", INS },
	{ 0x7, 0, R_EBX, 24, "clwb", INS },
	{ 0x7, 0, R_EBX, 25, "intel_pt", false },
	{ 0x7, 0, R_EBX, 26, "avx512pf", INS },
	{ 0x7, 0, R_EBX, 27, "avx512er", INS },
	{ 0x7, 0, R_EBX, 28, "avx512cd", INS },
	{ 0x7, 0, R_EBX, 29, "sha_ni", INS },
	{ 0x7, 0, R_EBX, 30, "avx512bw", INS },
	{ 0x7, 0, R_EBX, 31, "avx512vl", INS },

	{ 0x7, 0, R_ECX, 0, "prefetchwt1", INS },
	{ 0x7, 0, R_ECX, 1, "avx512vbmi", INS },
	{ 0x7, 0, R_ECX, 2, "umip", false },
	{ 0x7, 0, R_ECX, 3, "pku", INS },
	{ 0x7, 0, R_ECX, 4, "ospke", INS },
	{ 0x7, 0, R_ECX, 5, "waitpkg", INS },
	{ 0x7, 0, R_ECX, 6, "avx512_vbmi2", INS },
	{ 0x7, 0, R_ECX, 7, "shstk", INS },
	{ 0x7, 0, R_ECX, 8, "gfni", INS },
	{ 0x7, 0, R_ECX, 9, "vaes", INS },
	{ 0x7, 0, R_ECX, 10, "vpclmulqdq", INS },
	{ 0x7, 0, R_ECX, 11, "avx512_vnni", INS },
	{ 0x7, 0, R_ECX, 12, "avx512_bitalg", INS },
	{ 0x7, 0, R_ECX, 13, "tme", false },
	{ 0x7, 0, R_ECX, 14, "avx512_vpopcntdq", INS },
	{ 0x7, 0, R_ECX, 16, "la57", false },
	{ 0x7, 0, R_ECX, 22, "rdpid", INS },
	{ 0x7, 0, R_ECX, 23, "keylocker", false },
	{ 0x7, 0, R_ECX, 24, "bus_lock_detect", false },
	{ 0x7, 0, R_ECX, 25, "cldemote", INS },
	{ 0x7, 0, R_ECX, 27, "movdiri", INS },
	{ 0x7, 0, R_ECX, 28, "movdir64b", INS },
	{ 0x7, 0, R_ECX, 29, "enqcmd", INS },
	{ 0x7, 0, R_ECX, 30, "sgx_lc", false },

	{ 0x7, 0, R_EDX, 2, "avx512_4vnniw", INS },
	{ 0x7, 0, R_EDX, 3, "avx512_4fmaps", INS },
	{ 0x7, 0, R_EDX, 4, "fsrm", INS },
	{ 0x7, 0, R_EDX, 5, "uintr", INS },
	{ 0x7, 0, R_EDX, 8, "avx512_vp2intersect", INS },
	{ 0x7, 0, R_EDX, 9, "srbds_ctrl", false },
	{ 0x7, 0, R_EDX, 10, "md_clear", false },
	{ 0x7, 0, R_EDX, 11, "rtm_always_abort", false },
	{ 0x7, 0, R_EDX, 13, "tsx_force_abort", false },
	{ 0x7, 0, R_EDX, 14, "serialize", INS },
	{ 0x7, 0, R_EDX, 15, "hybrid_cpu", false },
	{ 0x7, 0, R_EDX, 16, "tsxldtrk", INS },
	{ 0x7, 0, R_EDX, 18, "pconfig", false },
	{ 0x7, 0, R_EDX, 19, "arch_lbr", false },
	{ 0x7, 0, R_EDX, 20, "ibt", INS },
	{ 0x7, 0, R_EDX, 22, "amx_bf16", INS },
	{ 0x7, 0, R_EDX, 23, "avx512_fp16", INS },
	{ 0x7, 0, R_EDX, 24, "amx_tile", INS },
	{ 0x7, 0, R_EDX, 25, "amx_int8", INS },
	{ 0x7, 0, R_EDX, 26, "spec_ctrl", false },
	{ 0x7, 0, R_EDX, 27, "intel_stibp", false },
	{ 0x7, 0, R_EDX, 28, "flush_l1d", false },
	{ 0x7, 0, R_EDX, 29, "arch_capabilities", false },
	{ 0x7, 0, R_EDX, 30, "core_capabilities", false },
	{ 0x7, 0, R_EDX, 31, "spec_ctrl_ssbd", false },

	{ 0x7, 1, R_EAX, 0, "sha512", INS },
	{ 0x7, 1, R_EAX, 1, "sm3", INS },
	{ 0x7, 1, R_EAX, 2, "sm4", INS },
	{ 0x7, 1, R_EAX, 4, "avx_vnni", INS },
	{ 0x7, 1, R_EAX, 5, "avx512_bf16", INS },
	{ 0x7, 1, R_EAX, 7, "cmpccxadd", INS },
	{ 0x7, 1, R_EAX, 10, "fzrm", INS },
	{ 0x7, 1, R_EAX, 11, "fsrs", INS },
	{ 0x7, 1, R_EAX, 12, "fsrc", INS },
	{ 0x7, 1, R_EAX, 17, "fred", false },
	{ 0x7, 1, R_EAX, 18, "lkgs", false },
	{ 0x7, 1, R_EAX, 19, "wrmsrns", false },
	{ 0x7, 1, R_EAX, 21, "amx_fp16", INS },
	{ 0x7, 1, R_EAX, 23, "avx_ifma", INS },
	{ 0x7, 1, R_EAX, 26, "lam", false },

	{ 0x7, 1, R_EDX, 4, "avx_vnni_int8", INS },
	{ 0x7, 1, R_EDX, 5, "avx_ne_convert", INS },
	{ 0x7, 1, R_EDX, 8, "amx_complex", INS },
	{ 0x7, 1, R_EDX, 10, "avx_vnni_int16", INS },
	{ 0x7, 1, R_EDX, 14, "prefetchi", INS },
	{ 0x7, 1, R_EDX, 19, "avx10", INS },
	{ 0x7, 1, R_EDX, 21, "apx", INS },

	{ 0xd, 1, R_EAX, 0, "xsaveopt", INS },
	{ 0xd, 1, R_EAX, 1, "xsavec", INS },
	{ 0xd, 1, R_EAX, 2, "xgetbv1", INS },
	{ 0xd, 1, R_EAX, 3, "xsaves", false },
	{ 0xd, 1, R_EAX, 4, "xfd", false },

	{ 0x80000001, 0, R_ECX, 0, "lahf_lm", INS },
	{ 0x80000001, 0, R_ECX, 1, "cmp_legacy", false },
	{ 0x80000001, 0, R_ECX, 2, "svm", false },
	{ 0x80000001, 0, R_ECX, 3, "extapic", false },
	{ 0x80000001, 0, R_ECX, 4, "cr8_legacy", false },
	{ 0x80000001, 0, R_ECX, 5, "abm", INS },
	{ 0x80000001, 0, R_ECX, 6, "sse4a", INS },
	{ 0x80000001, 0, R_ECX, 7, "misalignsse", INS },
	{ 0x80000001, 0, R_ECX, 8, "3dnowprefetch", INS },
	{ 0x80000001, 0, R_ECX, 9, "osvw", false },
	{ 0x80000001, 0, R_ECX, 10, "ibs", false },
	{ 0x80000001, 0, R_ECX, 11, "xop", INS },
	{ 0x80000001, 0, R_ECX, 12, "skinit", false },
	{ 0x80000001, 0, R_ECX, 13, "wdt", false },
	{ 0x80000001, 0, R_ECX, 15, "lwp", INS },
	{ 0x80000001, 0, R_ECX, 16, "fma4", INS },
	{ 0x80000001, 0, R_ECX, 17, "tce", false },
	{ 0x80000001, 0, R_ECX, 19, "nodeid_msr", false },
	{ 0x80000001, 0, R_ECX, 21, "tbm", INS },
	{ 0x80000001, 0, R_ECX, 22, "topoext", false },
	{ 0x80000001, 0, R_ECX, 23, "perfctr_core", false },
	{ 0x80000001, 0, R_ECX, 24, "perfctr_nb", false },
	{ 0x80000001, 0, R_ECX, 26, "bpext", false },
	{ 0x80000001, 0, R_ECX, 27, "ptsc", false },
	{ 0x80000001, 0, R_ECX, 28, "perfctr_llc", false },
	{ 0x80000001, 0, R_ECX, 29, "mwaitx", INS },

	{ 0x80000001, 0, R_EDX, 11, "syscall", INS },
	{ 0x80000001, 0, R_EDX, 19, "mp", false },
	{ 0x80000001, 0, R_EDX, 20, "nx", false },
	{ 0x80000001, 0, R_EDX, 22, "mmxext", INS },
	{ 0x80000001, 0, R_EDX, 25, "fxsr_opt", INS },
	{ 0x80000001, 0, R_EDX, 26, "pdpe1gb", false },
	{ 0x80000001, 0, R_EDX, 27, "rdtscp", INS },
	{ 0x80000001, 0, R_EDX, 29, "lm", INS },
	{ 0x80000001, 0, R_EDX, 30, "3dnowext", INS },
	{ 0x80000001, 0, R_EDX, 31, "3dnow", INS },

	{ 0x80000008, 0, R_EBX, 0, "clzero", INS },
	{ 0x80000008, 0, R_EBX, 1, "irperf", false },
	{ 0x80000008, 0, R_EBX, 2, "xsaveerptr", false },
	{ 0x80000008, 0, R_EBX, 4, "rdpru", INS },
	{ 0x80000008, 0, R_EBX, 9, "wbnoinvd", INS },
};
/* clang-format on */

/* XCR0 / xsave state components. */
static const char *const xstate_names[] = {
	[0] = "x87",		[1] = "sse",		[2] = "avx",
	[3] = "mpx_bndregs",	[4] = "mpx_bndcsr",	[5] = "avx512_opmask",
	[6] = "avx512_zmm_hi256", [7] = "avx512_hi16_zmm", [8] = "pt",
	[9] = "pkru",		[10] = "pasid",		[11] = "cet_user",
	[12] = "cet_supervisor", [13] = "hdc",		[14] = "uintr",
	[15] = "lbr",		[16] = "hwp",		[17] = "amx_tilecfg",
	[18] = "amx_tiledata",	[19] = "apx",
};

#define NR_XSTATE_NAMES (int)(sizeof(xstate_names) / sizeof(xstate_names[0]))

int cpu_cap_parse(const char *s, int def)
{
	static const struct {
		const char *name;
		int caps;
	} words[] = {
		{ "all", CPU_CAP_ALL }, { "cpu", CPU_CAP_CPU }, { "fpu", CPU_CAP_FPU },
		{ "ins", CPU_CAP_INS }, { "none", 0 },
	};
	int caps = 0;

	if (!s)
		return def;
	while (*s) {
		size_t len = strcspn(s, ",");
		bool off = *s == '^';
		size_t i;

		if (off) {
			s++;
			len--;
		}
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strlen(words[i].name) == len && !strncmp(s, words[i].name, len))
				break;
		if (i == sizeof(words) / sizeof(words[0])) {
			pr_err("Bad --cpu-cap value '%.*s': expected all, cpu, fpu, ins or none\n",
			       (int)len, s);
			return -1;
		}
		if (off)
			caps &= ~words[i].caps;
		else if (!words[i].caps)
			caps = 0;
		else
			caps |= words[i].caps;
		s += len;
		if (*s == ',')
			s++;
	}
	return caps;
}

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

static int add_leaf(struct cpu_info *ci, uint32_t leaf, uint32_t subleaf)
{
	struct cpu_leaf *l;

	if (ci->nr_leaves >= CPU_MAX_LEAVES) {
		pr_err("Too many CPUID leaves to record (at most %d)\n", CPU_MAX_LEAVES);
		return -1;
	}
	l = &ci->leaves[ci->nr_leaves++];
	l->leaf = leaf;
	l->subleaf = subleaf;
	__cpuid_count(leaf, subleaf, l->eax, l->ebx, l->ecx, l->edx);
	return 0;
}

const struct cpu_leaf *cpu_find_leaf(const struct cpu_info *ci, uint32_t leaf, uint32_t subleaf)
{
	for (int i = 0; i < ci->nr_leaves; i++)
		if (ci->leaves[i].leaf == leaf && ci->leaves[i].subleaf == subleaf)
			return &ci->leaves[i];
	return NULL;
}

static uint32_t leaf_reg(const struct cpu_leaf *l, int reg)
{
	if (!l)
		return 0;
	switch (reg) {
	case R_EAX:
		return l->eax;
	case R_EBX:
		return l->ebx;
	case R_ECX:
		return l->ecx;
	default:
		return l->edx;
	}
}

int cpu_collect(struct cpu_info *ci)
{
	static const uint32_t ext[] = { 0x80000001, 0x80000007, 0x80000008, 0x80000021 };
	const struct cpu_leaf *l;
	uint32_t max, max_ext, unused;

	memset(ci, 0, sizeof(*ci));
	if (add_leaf(ci, 0, 0))
		return -1;
	l = &ci->leaves[0];
	max = l->eax;
	memcpy(ci->vendor, &l->ebx, 4);
	memcpy(ci->vendor + 4, &l->edx, 4);
	memcpy(ci->vendor + 8, &l->ecx, 4);
	ci->vendor[12] = '\0';

	if (max >= 1) {
		if (add_leaf(ci, 1, 0))
			return -1;
		/* which core criu happened to run on is no property of the CPU */
		ci->leaves[ci->nr_leaves - 1].ebx &= 0x00ffffff;	/* initial APIC id */
	}
	if (max >= 7) {
		uint32_t sub;

		if (add_leaf(ci, 7, 0))
			return -1;
		sub = ci->leaves[ci->nr_leaves - 1].eax;
		for (uint32_t s = 1; s <= sub && s <= 2; s++)
			if (add_leaf(ci, 7, s))
				return -1;
	}
	l = cpu_find_leaf(ci, 1, 0);
	if (l && (l->ecx & (1u << 27)))	/* osxsave: XCR0 readable */
		ci->xfeatures = xgetbv0();
	if (max >= 0xd) {
		uint64_t supported;

		if (add_leaf(ci, 0xd, 0) || add_leaf(ci, 0xd, 1))
			return -1;
		l = cpu_find_leaf(ci, 0xd, 0);
		supported = ((uint64_t)l->edx << 32) | l->eax;
		ci->xsave_size = l->ebx;
		/* size and offset of every user state component */
		for (int i = 2; i < 63; i++)
			if ((supported & (1ULL << i)) && add_leaf(ci, 0xd, i))
				return -1;
	}

	__cpuid(0x80000000, max_ext, unused, unused, unused);
	(void)unused;
	if (max_ext < 0x80000000 || max_ext > 0x8000ffff)
		return 0;
	if (add_leaf(ci, 0x80000000, 0))
		return -1;
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (max_ext >= ext[i] && add_leaf(ci, ext[i], 0))
			return -1;
	return 0;
}

int cpu_write_image(const struct cpu_info *ci)
{
	CpuinfoEntry e = CPUINFO_ENTRY__INIT;
	CpuidLeaf leaves[CPU_MAX_LEAVES], *ptrs[CPU_MAX_LEAVES];

	for (int i = 0; i < ci->nr_leaves; i++) {
		cpuid_leaf__init(&leaves[i]);
		leaves[i].leaf = ci->leaves[i].leaf;
		leaves[i].subleaf = ci->leaves[i].subleaf;
		leaves[i].eax = ci->leaves[i].eax;
		leaves[i].ebx = ci->leaves[i].ebx;
		leaves[i].ecx = ci->leaves[i].ecx;
		leaves[i].edx = ci->leaves[i].edx;
		ptrs[i] = &leaves[i];
	}
	e.vendor = (char *)ci->vendor;
	e.n_leaves = ci->nr_leaves;
	e.leaves = ptrs;
	e.xfeatures = ci->xfeatures;
	e.xsave_size = ci->xsave_size;
	if (img_write_single(IMG_CPUINFO, 0, &e.base)) {
		pr_err("Can't write cpuinfo.img\n");
		return -1;
	}
	return 0;
}

int cpu_read_image(struct cpu_info *ci)
{
	ProtobufCMessage *msg;
	CpuinfoEntry *e;
	int ret = -1;

	memset(ci, 0, sizeof(*ci));
	if (img_read_single(IMG_CPUINFO, 0, &msg))
		return -1;
	e = (CpuinfoEntry *)msg;
	if (strlen(e->vendor) >= sizeof(ci->vendor)) {
		pr_err("cpuinfo.img: vendor name of %zu characters, at most %zu expected\n",
		       strlen(e->vendor), sizeof(ci->vendor) - 1);
		goto out;
	}
	if (e->n_leaves > CPU_MAX_LEAVES) {
		pr_err("cpuinfo.img: %zu CPUID leaves, at most %d expected\n", e->n_leaves,
		       CPU_MAX_LEAVES);
		goto out;
	}
	strcpy(ci->vendor, e->vendor);
	for (size_t i = 0; i < e->n_leaves; i++) {
		const CpuidLeaf *l = e->leaves[i];

		ci->leaves[i] = (struct cpu_leaf){ l->leaf, l->subleaf, l->eax, l->ebx, l->ecx,
						   l->edx };
	}
	ci->nr_leaves = e->n_leaves;
	ci->xfeatures = e->xfeatures;
	ci->xsave_size = e->xsave_size;
	ret = 0;
out:
	img_free(NULL, msg);
	return ret;
}

/* A growing ", "-separated list. */
struct name_list {
	char *buf;
	size_t len, cap;
	int count;
	bool oom;
};

static void list_add(struct name_list *nl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void list_add(struct name_list *nl, const char *fmt, ...)
{
	char item[128];
	size_t need;
	va_list ap;

	nl->count++;
	if (nl->oom)
		return;
	va_start(ap, fmt);
	vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	need = nl->len + strlen(item) + 3;
	if (need > nl->cap) {
		size_t cap = need * 2;
		char *n = realloc(nl->buf, cap);

		if (!n) {
			nl->oom = true;
			return;
		}
		nl->buf = n;
		nl->cap = cap;
	}
	nl->len += sprintf(nl->buf + nl->len, "%s%s", nl->len ? ", " : "", item);
}

static const struct feature_name *feature_name(uint32_t leaf, uint32_t subleaf, int reg, int bit)
{
	for (size_t i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++) {
		const struct feature_name *f = &feature_names[i];

		if (f->leaf == leaf && f->subleaf == subleaf && f->reg == reg && f->bit == bit)
			return f;
	}
	return NULL;
}

static void compare_features(const struct cpu_info *img, const struct cpu_info *now, int caps,
			     struct name_list *nl)
{
	for (size_t i = 0; i < sizeof(feature_regs) / sizeof(feature_regs[0]); i++) {
		const struct feature_reg *r = &feature_regs[i];
		uint32_t had = leaf_reg(cpu_find_leaf(img, r->leaf, r->subleaf), r->reg);
		uint32_t has = leaf_reg(cpu_find_leaf(now, r->leaf, r->subleaf), r->reg);
		uint32_t lost = had & ~has & ~r->ignore;

		for (int bit = 0; bit < 32; bit++) {
			const struct feature_name *f;

			if (!(lost & (1u << bit)))
				continue;
			f = feature_name(r->leaf, r->subleaf, r->reg, bit);
			if (!(caps & CPU_CAP_CPU) && !(f && f->ins))
				continue;
			if (f)
				list_add(nl, "%s", f->name);
			else
				list_add(nl, "cpuid 0x%x.%u %s bit %d", r->leaf, r->subleaf,
					 reg_names[r->reg], bit);
		}
	}
}

static void compare_xstate(const struct cpu_info *img, const struct cpu_info *now,
			   struct name_list *nl)
{
	for (int i = 0; i < 64; i++) {
		const struct cpu_leaf *a, *b;
		char name[32];

		if (!(img->xfeatures & (1ULL << i)))
			continue;
		if (i < NR_XSTATE_NAMES && xstate_names[i])
			snprintf(name, sizeof(name), "xstate:%s", xstate_names[i]);
		else
			snprintf(name, sizeof(name), "xstate bit %d", i);
		if (!(now->xfeatures & (1ULL << i))) {
			list_add(nl, "%s", name);
			continue;
		}
		if (i < 2)
			continue;	/* legacy area: fixed layout */
		/* ptrace's xsave format puts component i at the offset CPUID 0xd.i gives */
		a = cpu_find_leaf(img, 0xd, i);
		b = cpu_find_leaf(now, 0xd, i);
		if (a && b && (a->eax != b->eax || a->ebx != b->ebx))
			list_add(nl, "%s layout (%u bytes at %u, here %u at %u)", name, a->eax,
				 a->ebx, b->eax, b->ebx);
	}
}

int cpu_compare(const struct cpu_info *img, const struct cpu_info *now, int caps,
		char **missing)
{
	struct name_list nl = { 0 };

	if (missing)
		*missing = NULL;
	if (caps & (CPU_CAP_CPU | CPU_CAP_INS))
		compare_features(img, now, caps, &nl);
	if (caps & CPU_CAP_FPU)
		compare_xstate(img, now, &nl);
	if (nl.oom) {
		free(nl.buf);
		pr_err("Out of memory comparing CPU features\n");
		return -1;
	}
	if (missing)
		*missing = nl.buf;
	else
		free(nl.buf);
	return nl.count;
}
