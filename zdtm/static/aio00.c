// SPDX-License-Identifier: GPL-2.0
/*
 * AIO contexts (io_setup) with completed requests not yet reaped, one of
 * them with its ring wrapped around and one moved by mremap, and a free
 * slot in the task's context table left by one destroyed. After restore
 * each ring is where it was, byte for byte (head, tail, its slot number and
 * every event slot), the waiting events are reaped in order with their
 * results, the contexts take new requests that land after them, and a new
 * context takes the free slot.
 */
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

struct ring {
	uint32_t id, nr, head, tail, magic, compat, incompat, header_length;
	struct io_event ev[];
};

struct ctx {
	aio_context_t id;
	size_t len;		/* of its ring */
	void *copy;		/* the ring as it was before the dump */
	int waiting;		/* completed, not reaped */
	uint64_t next;		/* aio_data of the next request */
};

static int zero_fd;
static char sink[64];

static void submit(struct ctx *c, int n)
{
	for (int i = 0; i < n; i++) {
		struct iocb cb = { 0 }, *p = &cb;

		cb.aio_lio_opcode = IOCB_CMD_PREAD;
		cb.aio_fildes = zero_fd;
		cb.aio_buf = (unsigned long)sink;
		cb.aio_nbytes = 1 + c->next % sizeof(sink);
		cb.aio_data = c->next++;
		if (syscall(SYS_io_submit, c->id, 1, &p) != 1)
			test_setup_fail("io_submit: %s", strerror(errno));
	}
	c->waiting += n;
}

/* Reap @n events: they must be the oldest ones, in order, with their results. */
static int reap(struct ctx *c, int n, const char *when)
{
	struct io_event ev;
	struct timespec wait = { 5, 0 };

	for (int i = 0; i < n; i++) {
		uint64_t want = c->next - c->waiting;

		if (syscall(SYS_io_getevents, c->id, 1, 1, &ev, &wait) != 1) {
			test_msg("%s: io_getevents on %llx: %s\n", when,
				 (unsigned long long)c->id, strerror(errno));
			return -1;
		}
		if (ev.data != want || ev.res != (long long)(1 + want % sizeof(sink))) {
			test_msg("%s: event %llu (res %lld), expected %llu\n", when,
				 (unsigned long long)ev.data, (long long)ev.res,
				 (unsigned long long)want);
			return -1;
		}
		c->waiting--;
	}
	return 0;
}

static void make(struct ctx *c, unsigned int nr_events)
{
	c->id = 0;
	if (syscall(SYS_io_setup, nr_events, &c->id))
		test_setup_fail("io_setup: %s", strerror(errno));
	c->len = (((struct ring *)c->id)->nr + 1) * sizeof(struct io_event);
}

static void keep_copy(struct ctx *c)
{
	c->copy = malloc(c->len);
	if (!c->copy)
		test_setup_fail("malloc");
	memcpy(c->copy, (void *)c->id, c->len);
}

static int check(struct ctx *c, const char *name)
{
	struct ring *r = (struct ring *)c->id;

	if (memcmp(c->copy, r, c->len)) {
		struct ring *was = c->copy;

		test_msg("%s: ring at %llx changed: head %u tail %u nr %u, was %u %u %u\n", name,
			 (unsigned long long)c->id, r->head, r->tail, r->nr, was->head, was->tail,
			 was->nr);
		return -1;
	}
	if (reap(c, c->waiting, name))
		return -1;
	/* the context still works, and its new events follow the old ones */
	submit(c, 3);
	return reap(c, 3, name);
}

int main(int argc, char **argv)
{
	struct ctx small, wrapped, moved, gone, late;
	unsigned int gone_slot;
	void *to;
	int ret = 0;

	test_init(argc, argv);
	zero_fd = open("/dev/zero", O_RDONLY);
	if (zero_fd < 0)
		test_setup_fail("open /dev/zero: %s", strerror(errno));

	make(&small, 4);
	submit(&small, 5);
	if (reap(&small, 2, "setup"))
		test_setup_fail("reap");

	/* fill past the end of the ring so that the waiting events wrap */
	make(&wrapped, 1);
	for (int i = 0; i < 4; i++) {
		submit(&wrapped, 25);
		if (reap(&wrapped, 25, "setup"))
			test_setup_fail("reap");
	}
	submit(&wrapped, 40);
	if (((struct ring *)wrapped.id)->tail >= ((struct ring *)wrapped.id)->head)
		test_setup_fail("the ring did not wrap (head %u, tail %u)",
				((struct ring *)wrapped.id)->head, ((struct ring *)wrapped.id)->tail);

	make(&gone, 1);
	/* a ring moved by mremap keeps working under its new address as context id */
	make(&moved, 200);
	to = mmap(NULL, moved.len + 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (to == MAP_FAILED ||
	    mremap((void *)moved.id, moved.len, moved.len, MREMAP_MAYMOVE | MREMAP_FIXED,
		   (char *)to + 4096) == MAP_FAILED)
		test_setup_fail("mremap: %s", strerror(errno));
	moved.id = (unsigned long)to + 4096;
	submit(&moved, 7);
	gone_slot = ((struct ring *)gone.id)->id;
	if (syscall(SYS_io_destroy, gone.id))
		test_setup_fail("io_destroy: %s", strerror(errno));

	keep_copy(&small);
	keep_copy(&wrapped);
	keep_copy(&moved);

	test_daemon();
	test_waitsig();

	if (test_break() && reap(&wrapped, 1, "break"))
		test_msg("break: reap failed\n");
	ret |= check(&small, "small");
	ret |= check(&wrapped, "wrapped");
	ret |= check(&moved, "moved");
	make(&late, 1);
	if (((struct ring *)late.id)->id != gone_slot) {
		test_msg("a new context took slot %u, not the free slot %u\n",
			 ((struct ring *)late.id)->id, gone_slot);
		ret = -1;
	}
	if (ret)
		fail("an AIO context changed");
	pass();
}
