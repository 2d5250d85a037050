/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_ENGINE_CPU_H
#define CR_ENGINE_CPU_H

#include <stdint.h>

/*
 * The CPU a dump was made on, as far as the programs in it can tell: CPUID
 * results and the xsave state components the kernel enabled (XCR0). Saved
 * as cpuinfo.img; compared with the running CPU before a restore.
 */
struct cpu_leaf {
	uint32_t leaf, subleaf;
	uint32_t eax, ebx, ecx, edx;
};

#define CPU_MAX_LEAVES 96

struct cpu_info {
	char vendor[13];
	int nr_leaves;
	struct cpu_leaf leaves[CPU_MAX_LEAVES];
	uint64_t xfeatures;	/* XCR0; 0 when the OS has not enabled xsave */
	uint32_t xsave_size;	/* bytes of the standard-format xsave area for XCR0 */
};

/* What to compare (CRIU's --cpu-cap classes). */
enum {
	CPU_CAP_FPU = 1 << 0,	/* xsave components present, with the same layout */
	CPU_CAP_CPU = 1 << 1,	/* every CPUID feature bit */
	CPU_CAP_INS = 1 << 2,	/* the feature bits that are instruction sets */
	CPU_CAP_ALL = CPU_CAP_FPU | CPU_CAP_CPU | CPU_CAP_INS,
};

/*
 * Parse a --cpu-cap value: a comma list of all, cpu, fpu, ins, none, each
 * optionally prefixed with ^ to take it away. NULL gives @def. Returns the
 * CPU_CAP_* mask, or -1 (logged) on a bad value.
 */
int cpu_cap_parse(const char *s, int def);

/* Describe the CPU criu runs on. */
int cpu_collect(struct cpu_info *ci);
/* The leaf in @ci, or NULL when the CPU did not report it. */
const struct cpu_leaf *cpu_find_leaf(const struct cpu_info *ci, uint32_t leaf, uint32_t subleaf);

/* cpuinfo.img in the open images directory. */
int cpu_write_image(const struct cpu_info *ci);
int cpu_read_image(struct cpu_info *ci);

/*
 * What the image's CPU had that @now lacks, under @caps: returns how many
 * things are missing (0: @now can run what ran on @img), and when @missing
 * is not NULL a malloc'ed ", "-separated list of their names (NULL when none).
 * Returns -1 when out of memory.
 */
int cpu_compare(const struct cpu_info *img, const struct cpu_info *now, int caps,
		char **missing);

#endif
