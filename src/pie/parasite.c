// SPDX-License-Identifier: GPL-2.0
/*
 * The parasite: runs on one thread of a task being dumped, every signal
 * blocked, and hands the task's pages to criu through pipes without
 * copying them (see parasite.h). One ptrace round trip moves them all,
 * where one injected vmsplice per pipeful cost what the copy saved. No
 * libc: raw system calls only.
 */
#include "pie/parasite.h"
#include "pie/syscall.h"

#define __NR_write 1
#define __NR_poll 7
#define POLLOUT 4
#define __NR_pause 34
#define __NR_vmsplice 278
#define EINTR 4
#define EIO 5
#define PAGE 4096UL
#define NR_RECS (4096 / sizeof(struct parasite_rec))	/* one atomic pipe write */
#define NR_IOV 64

struct pollfd {
	int32_t fd;
	int16_t events, revents;
};

struct iov {
	uint64_t base, len;
};

struct mover {
	struct parasite_args *a;
	int pipe;		/* whose turn it is */
	uint64_t left;		/* bytes left in that turn */
	uint64_t moved;
	/* stretches waiting for one vmsplice, all within the turn */
	unsigned int niov;
	uint64_t queued;
	struct iov iov[NR_IOV];
	uint64_t iov_run[NR_IOV];
	/* records not yet written; the last may grow within its run */
	unsigned int nr;
	uint64_t rec_run;
	struct parasite_rec recs[NR_RECS];
};

static long flush(struct mover *m)
{
	const char *p = (const char *)m->recs;
	uint64_t len = m->nr * sizeof(m->recs[0]);

	while (len) {
		long r = sys3(__NR_write, m->a->ctl_fd, p, len);

		if (r == -EINTR)
			continue;
		if (r <= 0)
			return r ? r : -EIO;
		p += r;
		len -= r;
	}
	m->nr = 0;
	return 0;
}

/* Returns 0 or the -errno of a failed flush. */
static long note(struct mover *m, uint64_t run, uint64_t vaddr, uint64_t len)
{
	struct parasite_rec *last = m->nr ? &m->recs[m->nr - 1] : 0;

	if (last && m->rec_run == run && last->vaddr + last->len == vaddr) {
		last->len += len;
		return 0;
	}
	if (m->nr == NR_RECS) {
		long r = flush(m);

		if (r)
			return r;
	}
	m->recs[m->nr].vaddr = vaddr;
	m->recs[m->nr++].len = len;
	m->rec_run = run;
	return 0;
}

/* What is queued into the turn's pipe; on failure iov[0] is the first byte not sent. */
static long send(struct mover *m)
{
	struct parasite_args *a = m->a;

	while (m->niov) {
		struct pollfd pfd = { a->pipe_fd[m->pipe], POLLOUT, 0 };
		unsigned int k = 0;
		long r;

		if (a->fail_after && m->moved >= a->fail_after)
			return -EIO;
		/*
		 * Sleep until there is room: vmsplice would wait for criu's
		 * splice on the pipe's mutex, spinning while criu copies.
		 */
		r = sys3(__NR_poll, &pfd, 1, -1);
		if (r < 0 && r != -EINTR)
			return r;
		r = sys4(__NR_vmsplice, a->pipe_fd[m->pipe], m->iov, m->niov, 0);
		if (r == -EINTR)
			continue;
		if (r <= 0)
			return r ? r : -EIO;
		/* a part page would be in the pipe with no record to say so */
		if (r % PAGE)
			__builtin_trap();
		m->moved += r;
		m->left -= r;
		m->queued -= r;
		while (r) {
			uint64_t take = (uint64_t)r < m->iov[k].len ? (uint64_t)r : m->iov[k].len;
			long err = note(m, m->iov_run[k], m->iov[k].base, take);

			if (err)
				return err;
			m->iov[k].base += take;
			m->iov[k].len -= take;
			r -= take;
			if (!m->iov[k].len)
				k++;
		}
		for (unsigned int j = k; j < m->niov; j++) {
			m->iov[j - k] = m->iov[j];
			m->iov_run[j - k] = m->iov_run[j];
		}
		m->niov -= k;
	}
	if (!m->left) {
		m->pipe = (m->pipe + 1) % a->nr_pipes;
		m->left = a->chunk;
	}
	return 0;
}

/* [start, end) of run @run, which fits in what is left of the turn. */
static long queue(struct mover *m, uint64_t run, uint64_t start, uint64_t end)
{
	m->iov[m->niov].base = start;
	m->iov[m->niov].len = end - start;
	m->iov_run[m->niov++] = run;
	m->queued += end - start;
	if (m->niov == NR_IOV || m->queued == m->left)
		return send(m);
	return 0;
}

static int zero_page(uint64_t addr)
{
	const uint64_t *p = (const uint64_t *)addr;

	for (unsigned int i = 0; i < PAGE / sizeof(*p); i++)
		if (p[i])
			return 0;
	return 1;
}

__attribute__((section(".head.text"), used, noreturn)) void blob_entry(struct parasite_args *a)
{
	struct mover m = { .a = a, .left = a->chunk };
	uint64_t i, pos = 0;
	long err = 0;

	for (i = 0; i < a->nr_runs && !err; i++) {
		uint64_t end = a->runs[i].start + a->runs[i].len;

		pos = a->runs[i].start;
		while (pos < end && !err) {
			uint64_t stop;

			while (pos < end && zero_page(pos))
				pos += PAGE;
			if (pos == end)
				break;
			/* no further than this turn: criu copies while we look on */
			for (stop = pos + PAGE; stop < end && stop - pos < m.left - m.queued;
			     stop += PAGE)
				if (zero_page(stop))
					break;
			err = queue(&m, i, pos, stop);
			pos = stop;
		}
	}
	if (!err)
		err = send(&m);
	a->status = err;
	if (err && m.niov) {
		a->resume_run = m.iov_run[0];
		a->resume_addr = m.iov[0].base;
	} else {
		a->resume_run = i ? i - 1 : 0;
		a->resume_addr = pos;
	}
	/* the end: a record of length 0; without it criu would wait for ever */
	if (note(&m, ~0UL, 0, 0) || flush(&m))
		__builtin_trap();
	for (;;)
		sys0(__NR_pause);
}
