// SPDX-License-Identifier: GPL-2.0
/*
 * A classic BPF interpreter for seccomp filters, reduced to what can be
 * known before a system call is made: its number and architecture. Used to
 * tell whether code criu runs inside a task may make a given call.
 */
#include "util/seccomp.h"

#define SD_NR 0		/* offsets in struct seccomp_data */
#define SD_ARCH 4
#define SD_SIZE 64
#define BPF_MEMWORDS 16

/* 1: division by zero, which ends the program with 0; -1: not an ALU op */
static int alu(uint16_t op, uint32_t *a, uint32_t v)
{
	if ((op == BPF_DIV || op == BPF_MOD) && !v)
		return 1;
	switch (op) {
	case BPF_ADD:
		*a += v;
		break;
	case BPF_SUB:
		*a -= v;
		break;
	case BPF_MUL:
		*a *= v;
		break;
	case BPF_DIV:
		*a /= v;
		break;
	case BPF_MOD:
		*a %= v;
		break;
	case BPF_OR:
		*a |= v;
		break;
	case BPF_AND:
		*a &= v;
		break;
	case BPF_XOR:
		*a ^= v;
		break;
	case BPF_LSH:
		*a = v < 32 ? *a << v : 0;
		break;
	case BPF_RSH:
		*a = v < 32 ? *a >> v : 0;
		break;
	case BPF_NEG:
		*a = -*a;
		break;
	default:
		return -1;
	}
	return 0;
}

static int jump(uint16_t op, uint32_t a, uint32_t v)
{
	switch (op) {
	case BPF_JEQ:
		return a == v;
	case BPF_JGT:
		return a > v;
	case BPF_JGE:
		return a >= v;
	case BPF_JSET:
		return (a & v) != 0;
	default:
		return -1;
	}
}

int seccomp_filter_verdict(const struct sock_filter *prog, size_t len, uint32_t nr,
			   uint32_t arch, uint32_t *ret)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };

	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &prog[pc];
		uint32_t src = BPF_SRC(f->code) == BPF_X ? x : f->k;
		int r;

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
		case BPF_LDX: {
			uint32_t *dst = BPF_CLASS(f->code) == BPF_LD ? &a : &x;

			if (BPF_MODE(f->code) == BPF_IMM)
				*dst = f->k;
			else if (BPF_MODE(f->code) == BPF_LEN)
				*dst = SD_SIZE;
			else if (BPF_MODE(f->code) == BPF_MEM && f->k < BPF_MEMWORDS)
				*dst = mem[f->k];
			else if (BPF_MODE(f->code) == BPF_ABS && BPF_CLASS(f->code) == BPF_LD &&
				 BPF_SIZE(f->code) == BPF_W && f->k == SD_NR)
				*dst = nr;
			else if (BPF_MODE(f->code) == BPF_ABS && BPF_CLASS(f->code) == BPF_LD &&
				 BPF_SIZE(f->code) == BPF_W && f->k == SD_ARCH)
				*dst = arch;
			else
				return -1;	/* arguments, instruction pointer, or invalid */
			break;
		}
		case BPF_ST:
		case BPF_STX:
			if (f->k >= BPF_MEMWORDS)
				return -1;
			mem[f->k] = BPF_CLASS(f->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			r = alu(BPF_OP(f->code), &a, src);
			if (r < 0)
				return -1;
			if (r) {	/* division by zero ends the program with 0 */
				*ret = 0;
				return 0;
			}
			break;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA) {
				if (f->k >= len - pc - 1)
					return -1;
				pc += f->k;
				break;
			}
			r = jump(BPF_OP(f->code), a, src);
			if (r < 0 || (size_t)(r ? f->jt : f->jf) >= len - pc - 1)
				return -1;
			pc += r ? f->jt : f->jf;
			break;
		case BPF_RET:
			*ret = BPF_RVAL(f->code) == BPF_A ? a : f->k;
			return 0;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			return -1;
		}
	}
	return -1;	/* fell off the end: the kernel rejects such programs */
}
