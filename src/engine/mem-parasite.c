// SPDX-License-Identifier: GPL-2.0
/* Pages moved by the parasite (see mem-parasite.h and pie/parasite.h). */
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/mem-parasite.h"
#include "images/page_sink.h"
#include "infect/blob.h"
#include "infect/ptrace.h"
#include "parasite-syms.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/sys.h"

extern const uint8_t _binary_parasite_bin_start[], _binary_parasite_bin_end[];

/*
 * Two pipes: the parasite fills one while criu copies out of the other (a
 * splice holds its pipe's lock for the whole copy). More did not help
 * (bench/README.md).
 */
#define NR_PIPES 2
#define PIPE_SIZE (1 << 20)	/* the most without CAP_SYS_RESOURCE (pipe-max-size) */
#define STACK_SIZE (64 << 10)
#define WAIT_MS 100		/* how often a silent parasite is looked at */

struct mem_parasite {
	struct infect_ctx ctx;
	struct infect_blob blob;
	/* [0, NR_PIPES): data pipes, [NR_PIPES]: the control pipe */
	int task_r[NR_PIPES + 1], task_w[NR_PIPES + 1];
	int rd[NR_PIPES + 1];	/* criu's copies of the read ends */
	uint64_t chunk;
	uint8_t *buf;		/* for an image that cannot be spliced into */
};

static const int parasite_syscalls[] = { SYS_pipe2, SYS_fcntl, SYS_close, SYS_vmsplice,
					 SYS_write, SYS_pause, SYS_poll };

static int may_run(struct mem_parasite *mp)
{
	int nrs[16], n = 0, ok;

	for (int i = 0; i < infect_blob_nr_syscalls; i++)
		nrs[n++] = infect_blob_syscalls[i];
	for (size_t i = 0; i < sizeof(parasite_syscalls) / sizeof(int); i++)
		nrs[n++] = parasite_syscalls[i];
	ok = infect_seccomp_allows(&mp->ctx, nrs, n);
	if (ok == 0)
		pr_info("pid %d: its seccomp filter may refuse what the parasite does; copying its pages through criu\n",
			mp->ctx.pid);
	return ok;
}

static int make_pipe(struct mem_parasite *mp, int i)
{
	int fds[2];
	long r;

	if (infect_syscall(&mp->ctx, SYS_pipe2, &r, mp->blob.data, O_CLOEXEC, 0, 0, 0, 0))
		return -1;
	if (r) {
		errno = -r;
		pr_info("pid %d: no pipe for the parasite: %m; copying its pages through criu\n",
			mp->ctx.pid);
		return -1;
	}
	if (mem_read(mp->ctx.pid, mp->blob.data, fds, sizeof(fds)))
		return -1;
	mp->task_r[i] = fds[0];
	mp->task_w[i] = fds[1];
	mp->rd[i] = task_fd_copy(mp->ctx.pid, fds[0]);
	if (mp->rd[i] < 0) {
		pr_perror("Can't take a copy of the parasite's pipe %d of pid %d", fds[0],
			  mp->ctx.pid);
		return -1;
	}
	if (i == NR_PIPES)
		return 0;
	/* a smaller pipe (the user's pipe quota is spent) only costs time */
	if (infect_syscall(&mp->ctx, SYS_fcntl, &r, fds[1], F_SETPIPE_SZ, PIPE_SIZE, 0, 0, 0))
		return -1;
	if (r < 0)
		r = fcntl(mp->rd[i], F_GETPIPE_SZ);
	if (r < 4096) {
		pr_perror("Can't size the parasite's pipe in pid %d", mp->ctx.pid);
		return -1;
	}
	if (!mp->chunk || (uint64_t)r < mp->chunk)
		mp->chunk = r & ~4095UL;
	return 0;
}

static int close_pipes(struct mem_parasite *mp)
{
	int ret = 0;

	for (int i = 0; i <= NR_PIPES; i++) {
		int *fds[2] = { &mp->task_r[i], &mp->task_w[i] };

		if (mp->rd[i] >= 0)
			close(mp->rd[i]);
		mp->rd[i] = -1;
		for (int k = 0; k < 2; k++) {
			long r;

			if (*fds[k] < 0)
				continue;
			if (infect_syscall(&mp->ctx, SYS_close, &r, *fds[k], 0, 0, 0, 0, 0) || r) {
				pr_err("Can't close the parasite's pipe %d in pid %d\n", *fds[k],
				       mp->ctx.pid);
				ret = -1;
			}
			*fds[k] = -1;
		}
	}
	return ret;
}

int mem_parasite_stop(struct mem_parasite *mp)
{
	int ret = 0;

	if (!mp)
		return 0;
	if (mp->blob.running && infect_blob_stop(&mp->ctx, &mp->blob))
		ret = -1;
	if (close_pipes(mp) || infect_blob_unload(&mp->ctx, &mp->blob))
		ret = -1;
	if (infect_stop(&mp->ctx))
		ret = -1;
	free(mp->buf);
	free(mp);
	return ret;
}

int mem_parasite_start(pid_t pid, struct mem_parasite **ret)
{
	size_t len = _binary_parasite_bin_end - _binary_parasite_bin_start;
	size_t data = sizeof(struct parasite_args) +
		      MEM_PARASITE_RUNS * sizeof(struct parasite_run);
	struct mem_parasite *mp = calloc(1, sizeof(*mp));

	*ret = NULL;
	if (!mp) {
		pr_err("No memory for the parasite of pid %d\n", pid);
		return -1;
	}
	for (int i = 0; i <= NR_PIPES; i++)
		mp->task_r[i] = mp->task_w[i] = mp->rd[i] = -1;
	if (infect_start(&mp->ctx, pid, pid, 0)) {
		free(mp);
		return -1;
	}
	if (may_run(mp) != 1)
		goto fail;
	if (infect_blob_load(&mp->ctx, &mp->blob, _binary_parasite_bin_start, len, data,
			     STACK_SIZE))
		goto fail;
	for (int i = 0; i <= NR_PIPES; i++)
		if (make_pipe(mp, i))
			goto fail;
	pr_info("pid %d: the parasite moves its pages (%d pipes of %lu KiB)\n", pid, NR_PIPES,
		(unsigned long)mp->chunk >> 10);
	*ret = mp;
	return 0;
fail:
	if (mem_parasite_stop(mp)) {
		pr_err("pid %d may not be as it was after the parasite failed to load\n", pid);
		return -1;
	}
	return 0;
}

/* What the pipes carry goes to the image; counts are checked against the records. */
struct drain {
	uint64_t drained;	/* bytes into the image */
	uint64_t noted;		/* bytes the records name */
	uint64_t turn, in_turn;
	uint64_t last_end;	/* records come in address order */
	bool ended;
	size_t have;		/* bytes of a part record */
	uint8_t recs[4096];
};

/* Up to @want bytes of pipe @fd into @out; 0 when none were there yet. */
static ssize_t drain_some(struct mem_parasite *mp, int fd, int out, size_t want)
{
	ssize_t n;

	if (!mp->buf) {
		n = splice(fd, NULL, out, NULL, want, SPLICE_F_NONBLOCK);
		if (n >= 0 || errno == EAGAIN)
			return n < 0 ? 0 : n;
		if (errno != EINVAL) {
			pr_perror("Can't splice pages of pid %d into the image", mp->ctx.pid);
			return -1;
		}
		/* an image that takes no splice: copy through criu, as before */
		pr_info("pid %d: the pages image takes no splice; copying through criu\n",
			mp->ctx.pid);
		mp->buf = malloc(PIPE_SIZE);
		if (!mp->buf) {
			pr_err("No memory for a page buffer\n");
			return -1;
		}
	}
	if (want > PIPE_SIZE)
		want = PIPE_SIZE;
	n = read(fd, mp->buf, want);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n < 0 || page_sink_write(out, mp->buf, n)) {
		pr_perror("Can't copy pages of pid %d into the image", mp->ctx.pid);
		return -1;
	}
	return n;
}

static int read_records(struct mem_parasite *mp, struct drain *d, mem_parasite_note note,
			void *arg)
{
	size_t rs = sizeof(struct parasite_rec), done = 0;
	ssize_t n = read(mp->rd[NR_PIPES], d->recs + d->have, sizeof(d->recs) - d->have);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0) {
		pr_perror("Can't read the parasite's records from pid %d", mp->ctx.pid);
		return -1;
	}
	if (!n) {
		pr_err("The parasite of pid %d closed its records early\n", mp->ctx.pid);
		return -1;
	}
	d->have += n;
	for (; d->have - done >= rs && !d->ended; done += rs) {
		struct parasite_rec rec;

		memcpy(&rec, d->recs + done, rs);
		if (!rec.len) {
			d->ended = true;
			continue;
		}
		if ((rec.vaddr | rec.len) & 4095 || rec.vaddr < d->last_end) {
			pr_err("The parasite of pid %d named 0x%lx+0x%lx after 0x%lx\n",
			       mp->ctx.pid, (unsigned long)rec.vaddr, (unsigned long)rec.len,
			       (unsigned long)d->last_end);
			return -1;
		}
		d->last_end = rec.vaddr + rec.len;
		d->noted += rec.len;
		if (note(arg, rec.vaddr, rec.len))
			return -1;
	}
	if (d->ended && d->have != done) {
		pr_err("The parasite of pid %d wrote records after its last\n", mp->ctx.pid);
		return -1;
	}
	memmove(d->recs, d->recs + done, d->have - done);
	d->have -= done;
	return 0;
}

/* Until the last record has come and every byte it names is in the image. */
static int drain_all(struct mem_parasite *mp, int out, mem_parasite_note note, void *arg)
{
	struct drain *d = calloc(1, sizeof(*d));
	int ret = -1;

	if (!d)
		return -1;
	while (!d->ended || d->drained < d->noted) {
		uint64_t want = mp->chunk - d->in_turn;
		struct pollfd pfd[2] = { { .fd = mp->rd[d->turn % NR_PIPES], .events = POLLIN },
					 { .fd = mp->rd[NR_PIPES], .events = POLLIN } };
		int n;

		if (d->ended && d->noted - d->drained < want)
			want = d->noted - d->drained;
		n = poll(pfd, d->ended ? 1 : 2, WAIT_MS);
		if (n < 0 && errno != EINTR) {
			pr_perror("Can't wait for the parasite of pid %d", mp->ctx.pid);
			goto out;
		}
		if (n <= 0) {
			if (infect_blob_check(&mp->ctx, &mp->blob))
				goto out;
			continue;
		}
		/* with the parasite in the middle of its work */
		if (fault_hit(FAULT_DUMP_PARASITE)) {
			pr_err("Can't move pages of pid %d (injected fault)\n", mp->ctx.pid);
			goto out;
		}
		if (pfd[1].revents && read_records(mp, d, note, arg))
			goto out;
		if (pfd[0].revents) {
			ssize_t got = drain_some(mp, pfd[0].fd, out, want);

			if (got < 0)
				goto out;
			if (!got && pfd[0].revents & (POLLHUP | POLLERR)) {
				pr_err("The parasite's pipe in pid %d was closed\n", mp->ctx.pid);
				goto out;
			}
			d->drained += got;
			d->in_turn += got;
			if (d->in_turn == mp->chunk) {
				d->turn++;
				d->in_turn = 0;
			}
		}
		if (d->ended && d->drained > d->noted) {
			pr_err("The parasite of pid %d sent %lu bytes but named %lu\n", mp->ctx.pid,
			       (unsigned long)d->drained, (unsigned long)d->noted);
			goto out;
		}
	}
	ret = 0;
	pr_debug("pid %d: %lu bytes from the parasite in %lu pipe turns\n", mp->ctx.pid,
		 (unsigned long)d->drained, (unsigned long)d->turn + (d->in_turn > 0));
out:
	free(d);
	return ret;
}

int mem_parasite_move(struct mem_parasite *mp, struct parasite_args *args, int out_fd,
		      mem_parasite_note note, void *arg, size_t *resume_run,
		      uint64_t *resume_addr)
{
	size_t len = sizeof(*args) + args->nr_runs * sizeof(args->runs[0]);
	struct parasite_args res;

	args->ctl_fd = mp->task_w[NR_PIPES];
	args->nr_pipes = NR_PIPES;
	for (int i = 0; i < NR_PIPES; i++)
		args->pipe_fd[i] = mp->task_w[i];
	args->chunk = mp->chunk;
	/* a few pages in: some moved, the rest left to criu */
	args->fail_after = fault_hit(FAULT_DUMP_PARASITE_SOFT) ? 3 * 4096 : 0;
	args->status = 0;
	if (mem_write(mp->ctx.pid, mp->blob.data, args, len) ||
	    infect_blob_start(&mp->ctx, &mp->blob, PARASITE_ENTRY_OFF, mp->blob.data))
		return -1;
	if (drain_all(mp, out_fd, note, arg)) {
		infect_blob_stop(&mp->ctx, &mp->blob);
		return -1;
	}
	if (infect_blob_stop(&mp->ctx, &mp->blob) ||
	    mem_read(mp->ctx.pid, mp->blob.data, &res, sizeof(res)))
		return -1;
	if (!res.status)
		return 0;
	if (res.resume_run >= args->nr_runs ||
	    res.resume_addr < args->runs[res.resume_run].start ||
	    res.resume_addr >= args->runs[res.resume_run].start + args->runs[res.resume_run].len) {
		pr_err("The parasite of pid %d stopped at a place it was not given\n", mp->ctx.pid);
		return -1;
	}
	errno = -res.status;
	pr_info("pid %d: the parasite stopped at 0x%lx: %m; copying the rest through criu\n",
		mp->ctx.pid, (unsigned long)res.resume_addr);
	*resume_run = res.resume_run;
	*resume_addr = res.resume_addr;
	return 1;
}
