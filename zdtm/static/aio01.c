// SPDX-License-Identifier: GPL-2.0
/*
 * A child forked after io_setup keeps the mapping of its parent's ring but
 * not the context (io_submit on it fails). criu refuses the child's copy
 * (crfail): restoring it would give the child a context of its own. After
 * the failed dump both still see the ring as before.
 */
#include <errno.h>
#include <linux/aio_abi.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

static int owns(aio_context_t ctx)
{
	return syscall(SYS_io_submit, ctx, 0, NULL) == 0;
}

int main(int argc, char **argv)
{
	aio_context_t ctx = 0;
	int status, p[2];
	pid_t child;
	char c;

	test_init(argc, argv);
	if (syscall(SYS_io_setup, 4, &ctx) || pipe(p))
		test_setup_fail("io_setup: %s", strerror(errno));
	child = fork();
	if (child < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (child == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 0)
			_exit(3);
		/* the mapping is there, the context is not */
		_exit(((uint32_t *)ctx)[4] == 0xa10a10a1 && !owns(ctx) ? 0 : 2);
	}
	close(p[0]);

	test_daemon();
	test_waitsig();

	if (test_break())
		syscall(SYS_io_destroy, ctx);
	close(p[1]);
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
		fail("the child saw its inherited ring change (status 0x%x)", status);
	if (!owns(ctx))
		fail("the parent lost its context: %s", strerror(errno));
	pass();
}
