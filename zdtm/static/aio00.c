// SPDX-License-Identifier: GPL-2.0
/*
 * An AIO context (io_setup) with a completed request in its ring: not
 * supported, the dump must refuse it (crfail). After the failed dump the
 * context still works: its completed event is still there to reap.
 */
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;
	struct timespec wait = { 5, 0 };
	aio_context_t ctx = 0;
	char buf[16];
	int fd;

	test_init(argc, argv);
	fd = open("/dev/zero", O_RDONLY);
	if (fd < 0 || syscall(SYS_io_setup, 4, &ctx))
		test_setup_fail("io_setup: %s", strerror(errno));
	memset(&cb, 0, sizeof(cb));
	cb.aio_lio_opcode = IOCB_CMD_PREAD;
	cb.aio_fildes = fd;
	cb.aio_buf = (unsigned long)buf;
	cb.aio_nbytes = sizeof(buf);
	cb.aio_data = 0xfeed;
	if (syscall(SYS_io_submit, ctx, 1, cbs) != 1)
		test_setup_fail("io_submit: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		syscall(SYS_io_destroy, ctx);
	if (syscall(SYS_io_getevents, ctx, 1, 1, &ev, &wait) != 1)
		fail("the completed read is not in the ring any more: %s", strerror(errno));
	if (ev.data != 0xfeed || ev.res != sizeof(buf))
		fail("the event is %llx (%lld bytes)", (unsigned long long)ev.data,
		     (long long)ev.res);
	pass();
}
