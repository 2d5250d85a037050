// SPDX-License-Identifier: GPL-2.0
/*
 * The seccomp filter evaluator: what it answers by syscall number, where it
 * must say it cannot know (arguments, instruction pointer), and programs
 * the kernel would refuse. Each answer is also checked against the kernel
 * itself where that is cheap: a child installs the filter and makes the
 * call.
 */
#include <check.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/seccomp.h"

#define N(f) (sizeof(f) / sizeof((f)[0]))
#define ARCH AUDIT_ARCH_X86_64

static uint32_t verdict(const struct sock_filter *f, size_t n, uint32_t nr)
{
	uint32_t ret = 0xdead;

	ck_assert_int_eq(seccomp_filter_verdict(f, n, nr, ARCH, &ret), 0);
	return ret;
}

/* What the kernel does with @nr under filter @f: the errno, or -1 if allowed. */
static int kernel_errno(const struct sock_filter *f, size_t n, long nr)
{
	struct sock_fprog prog = { .len = n, .filter = (struct sock_filter *)f };
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		long r;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
			_exit(200);
		r = syscall(nr, -1, 0, 0);
		/* exit (60) passes every filter here, exit_group (231) not */
		syscall(SYS_exit, r == -1 && errno != EBADF && errno != EINVAL ? errno : 255);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_ne(WEXITSTATUS(status), 200);
	return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
}

/* arch check, then deny @nr with EPERM */
static const struct sock_filter deny_close[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_close, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

START_TEST(test_by_number)
{
	ck_assert_uint_eq(verdict(deny_close, N(deny_close), SYS_close),
			  SECCOMP_RET_ERRNO | EPERM);
	ck_assert_uint_eq(verdict(deny_close, N(deny_close), SYS_dup), SECCOMP_RET_ALLOW);
	ck_assert_int_eq(kernel_errno(deny_close, N(deny_close), SYS_close), EPERM);
	ck_assert_int_eq(kernel_errno(deny_close, N(deny_close), SYS_dup), -1);
}
END_TEST

/* The arguments of write are looked at; those of other calls are not. */
static const struct sock_filter by_args[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_write, 0, 3),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1000, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

START_TEST(test_arguments_unknown)
{
	static const struct sock_filter by_ip[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, instruction_pointer)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	uint32_t ret;

	ck_assert_int_eq(seccomp_filter_verdict(by_args, N(by_args), SYS_write, ARCH, &ret), -1);
	ck_assert_uint_eq(verdict(by_args, N(by_args), SYS_read), SECCOMP_RET_ALLOW);
	ck_assert_int_eq(seccomp_filter_verdict(by_ip, N(by_ip), SYS_read, ARCH, &ret), -1);
}
END_TEST

/* Scratch memory, X, ALU and jumps of every kind: a syscall-number range. */
START_TEST(test_alu_and_memory)
{
	static const struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_STMT(BPF_ST, 3),
		BPF_STMT(BPF_LDX | BPF_W | BPF_MEM, 3),
		BPF_STMT(BPF_LD | BPF_IMM, 0),
		BPF_STMT(BPF_MISC | BPF_TXA, 0),
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 10),
		BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, 10),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 200, 0, 2),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 299, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 1),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOENT),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	/* 200..299: EACCES; otherwise odd numbers ENOENT, even ones allowed */
	ck_assert_uint_eq(verdict(f, N(f), 250), SECCOMP_RET_ERRNO | EACCES);
	ck_assert_uint_eq(verdict(f, N(f), 12), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(verdict(f, N(f), 13), SECCOMP_RET_ERRNO | ENOENT);
	ck_assert_uint_eq(verdict(f, N(f), 301), SECCOMP_RET_ERRNO | ENOENT);
	ck_assert_int_eq(kernel_errno(f, N(f), SYS_rt_sigaction), ENOENT);
	ck_assert_int_eq(kernel_errno(f, N(f), SYS_time), EACCES);
}
END_TEST

START_TEST(test_division_by_zero)
{
	static const struct sock_filter f[] = {
		BPF_STMT(BPF_LDX | BPF_IMM, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	/* the program ends with 0: SECCOMP_RET_KILL_THREAD */
	ck_assert_uint_eq(verdict(f, N(f), SYS_read), 0);
}
END_TEST

START_TEST(test_invalid)
{
	static const struct sock_filter no_ret[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	};
	static const struct sock_filter far_jump[] = {
		BPF_JUMP(BPF_JMP | BPF_JA, 5, 0, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	static const struct sock_filter odd_load[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	uint32_t ret;

	ck_assert_int_eq(seccomp_filter_verdict(no_ret, N(no_ret), 0, ARCH, &ret), -1);
	ck_assert_int_eq(seccomp_filter_verdict(far_jump, N(far_jump), 0, ARCH, &ret), -1);
	ck_assert_int_eq(seccomp_filter_verdict(odd_load, N(odd_load), 0, ARCH, &ret), -1);
	ck_assert_int_eq(seccomp_filter_verdict(deny_close, N(deny_close), SYS_close,
						AUDIT_ARCH_I386, &ret), 0);
	ck_assert_uint_eq(ret, SECCOMP_RET_KILL_PROCESS);
}
END_TEST

static Suite *seccomp_suite(void)
{
	Suite *s = suite_create("seccomp");
	TCase *tc = tcase_create("verdict");

	tcase_add_test(tc, test_by_number);
	tcase_add_test(tc, test_arguments_unknown);
	tcase_add_test(tc, test_alu_and_memory);
	tcase_add_test(tc, test_division_by_zero);
	tcase_add_test(tc, test_invalid);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(seccomp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
