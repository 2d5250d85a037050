/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_UTIL_SECCOMP_H
#define CR_UTIL_SECCOMP_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What a seccomp filter (classic BPF, as PTRACE_SECCOMP_GET_FILTER gives
 * it) answers for system call @nr of architecture @arch, whatever its
 * arguments. Returns 0 and the filter's return value in *ret, or -1 when
 * the answer depends on the arguments or the instruction pointer, or the
 * program is not one the kernel would have accepted.
 */
int seccomp_filter_verdict(const struct sock_filter *prog, size_t len, uint32_t nr,
			   uint32_t arch, uint32_t *ret);

#endif
