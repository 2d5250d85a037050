// SPDX-License-Identifier: GPL-2.0
/* task_waiter: a stage counter in shared memory, waited on with futex(2). */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

static long futex(int *uaddr, int op, int val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

task_waiter_t *task_waiter_create(void)
{
	task_waiter_t *w;

	w = mmap(NULL, sizeof(*w), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (w == MAP_FAILED)
		test_setup_fail("task_waiter_create: mmap: %s", strerror(errno));
	w->futex = 0;
	return w;
}

void task_waiter_complete(task_waiter_t *w, int stage)
{
	__atomic_store_n(&w->futex, stage, __ATOMIC_SEQ_CST);
	futex(&w->futex, FUTEX_WAKE, INT_MAX);
}

void task_waiter_wait4(task_waiter_t *w, int stage)
{
	for (;;) {
		int v = __atomic_load_n(&w->futex, __ATOMIC_SEQ_CST);

		if (v >= stage)
			return;
		/* EAGAIN: the value changed under us; EINTR: a signal. Retry. */
		futex(&w->futex, FUTEX_WAIT, v);
	}
}
