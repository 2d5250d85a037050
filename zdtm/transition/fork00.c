// SPDX-License-Identifier: GPL-2.0
/*
 * Fork and reap children in a loop while being dumped. Each child records
 * its iteration number in shared memory, bumps a shared counter and exits
 * with a code derived from the iteration. After SIGTERM the test checks that
 * no iteration went wrong (right pid reaped, right exit code, right
 * iteration seen), that the iterations seen by children only grew, and that
 * the shared counter equals the number of children reaped: none lost, none
 * run twice.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

struct shared {
	uint64_t seen;		/* the iteration of the last child */
	uint64_t children;	/* how many children ran */
};

static int exit_code(uint64_t i)
{
	return (int)((i * 7 + 3) & 0x7f);
}

int main(int argc, char **argv)
{
	struct shared *sh;
	uint64_t i, errors = 0;
	int status;

	test_init(argc, argv);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));

	test_daemon();

	for (i = 1; test_running(); i++) {
		uint64_t before = sh->seen;
		pid_t pid, ret;

		pid = fork();
		if (pid < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				i--;
				continue;
			}
			fail("fork at iteration %llu: %s", (unsigned long long)i, strerror(errno));
		}
		if (pid == 0) {
			sh->seen = i;
			__atomic_fetch_add(&sh->children, 1, __ATOMIC_SEQ_CST);
			_exit(exit_code(i));
		}
		do
			ret = waitpid(pid, &status, 0);
		while (ret < 0 && errno == EINTR);
		if (ret != pid) {
			test_msg("iteration %llu: waitpid(%d) = %d: %s", (unsigned long long)i,
				 pid, ret, strerror(errno));
			errors++;
		} else if (!WIFEXITED(status) || WEXITSTATUS(status) != exit_code(i)) {
			test_msg("iteration %llu: child %d status 0x%x, expected exit %d",
				 (unsigned long long)i, pid, status, exit_code(i));
			errors++;
		}
		if (sh->seen != i || sh->seen <= before) {
			test_msg("iteration %llu: child saw %llu (before: %llu)",
				 (unsigned long long)i, (unsigned long long)sh->seen,
				 (unsigned long long)before);
			errors++;
		}
		if (errors > 10)
			break;
	}
	i--;

	if (test_break())
		sh->children++;

	if (errors)
		fail("%llu iterations went wrong (see messages above)", (unsigned long long)errors);
	if (i == 0)
		fail("no child was forked");
	if (sh->children != i)
		fail("%llu children ran for %llu iterations", (unsigned long long)sh->children,
		     (unsigned long long)i);
	test_msg("%llu children", (unsigned long long)i);
	pass();
}
