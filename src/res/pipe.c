// SPDX-License-Identifier: GPL-2.0
/* Pipes and FIFOs with the bytes queued in them. Queued data is copied
 * without consuming it (tee into a private pipe) and written back into the
 * new pipe before any task runs. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine/files.h"
#include "fdinfo.pb-c.h"
#include "images/image.h"
#include "images/store.h"
#include "pipe.pb-c.h"
#include "res/table.h"
#include "util/log.h"

static bool pipe_match(const struct fd_parms *p)
{
	return S_ISFIFO(p->st.st_mode);
}

static struct img_store pipes_store = IMG_STORE(IMG_PIPES);
static struct img_store data_store = IMG_STORE(IMG_PIPES_DATA);
static uint64_t *data_done;
static int nr_data_done;

static bool data_dumped(uint64_t ino)
{
	for (int i = 0; i < nr_data_done; i++)
		if (data_done[i] == ino)
			return true;
	return false;
}

/* Copy what sits in the pipe without taking it out. */
static int peek_pipe(const struct fd_parms *p, PipeDataEntry *pd)
{
	char path[64];
	int rfd, tmp[2] = { -1, -1 }, size, ret = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", p->pid, p->fd);
	rfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (rfd < 0) {
		pr_perror("Can't open the read side of pipe fd %d of pid %d", p->fd, p->pid);
		return -1;
	}
	size = fcntl(rfd, F_GETPIPE_SZ);
	if (size < 0 || pipe2(tmp, O_CLOEXEC | O_NONBLOCK) || fcntl(tmp[1], F_SETPIPE_SZ, size) < 0) {
		pr_perror("Can't prepare a pipe to copy pipe fd %d of pid %d", p->fd, p->pid);
		goto out;
	}
	pd->has_size = true;
	pd->size = size;
	n = tee(rfd, tmp[1], size, SPLICE_F_NONBLOCK);
	if (n < 0 && errno != EAGAIN) {
		pr_perror("Can't copy data of pipe fd %d of pid %d", p->fd, p->pid);
		goto out;
	}
	pd->bytes = n > 0 ? n : 0;
	if (pd->bytes) {
		pd->has_data = true;
		pd->data.len = pd->bytes;
		pd->data.data = malloc(pd->bytes);
		if (!pd->data.data || read(tmp[0], pd->data.data, pd->bytes) != (ssize_t)pd->bytes) {
			pr_perror("Can't read copied data of pipe fd %d of pid %d", p->fd, p->pid);
			goto out;
		}
	}
	ret = 0;
out:
	close(rfd);
	if (tmp[0] >= 0) {
		close(tmp[0]);
		close(tmp[1]);
	}
	return ret;
}

static int dump_pipe_data(const struct fd_parms *p)
{
	PipeDataEntry pd = PIPE_DATA_ENTRY__INIT;
	uint64_t *nd;
	int ret;

	if (data_dumped(p->st.st_ino))
		return 0;
	pd.pipe_ino = p->st.st_ino;
	if (peek_pipe(p, &pd)) {
		free(pd.data.data);
		return -1;
	}
	ret = img_store_write(&data_store, &pd.base);
	free(pd.data.data);
	nd = realloc(data_done, (nr_data_done + 1) * sizeof(*nd));
	if (!nd)
		return -1;
	data_done = nd;
	data_done[nr_data_done++] = p->st.st_ino;
	return ret;
}

static int pipe_dump(const struct fd_parms *p, uint32_t id)
{
	PipeEntry pe = PIPE_ENTRY__INIT;

	pe.id = id;
	pe.pipe_ino = p->st.st_ino;
	pe.flags = p->flags;
	if (strncmp(p->link, "pipe:", 5))
		pe.fifo_path = (char *)p->link;
	if (img_store_write(&pipes_store, &pe.base))
		return -1;
	return dump_pipe_data(p);
}

static int pipe_dump_finish(void)
{
	int ret = img_store_finish(&pipes_store);

	if (img_store_finish(&data_store))
		ret = -1;
	free(data_done);
	data_done = NULL;
	nr_data_done = 0;
	return ret;
}

/* ---- restore ---- */

struct live_pipe {
	uint64_t ino;
	int ends[2];		/* -1 once handed out */
	int holder;		/* FIFOs: an O_RDWR open that keeps the buffer alive */
	bool used[2];
};

static struct live_pipe *live;
static int nr_live;

static int pipe_collect(void)
{
	return img_store_load(&pipes_store) || img_store_load(&data_store) ? -1 : 0;
}

static PipeEntry *find_pipe(uint32_t id)
{
	return (PipeEntry *)img_store_find(&pipes_store, "id", id);
}

static PipeDataEntry *find_data(uint64_t ino)
{
	return (PipeDataEntry *)img_store_find(&data_store, "pipe_ino", ino);
}

static int fill(int wfd, uint64_t ino)
{
	PipeDataEntry *pd = find_data(ino);

	if (!pd)
		return 0;
	if (pd->has_size && fcntl(wfd, F_SETPIPE_SZ, pd->size) < 0) {
		pr_perror("Can't resize pipe %lu to %u", (unsigned long)ino, pd->size);
		return -1;
	}
	if (pd->bytes && write(wfd, pd->data.data, pd->data.len) != (ssize_t)pd->data.len) {
		pr_perror("Can't refill pipe %lu with %u bytes", (unsigned long)ino, pd->bytes);
		return -1;
	}
	return 0;
}

static struct live_pipe *live_pipe(const PipeEntry *pe)
{
	struct live_pipe *lp;

	for (int i = 0; i < nr_live; i++)
		if (live[i].ino == pe->pipe_ino)
			return &live[i];
	lp = realloc(live, (nr_live + 1) * sizeof(*live));
	if (!lp)
		return NULL;
	live = lp;
	lp = &live[nr_live];
	memset(lp, 0, sizeof(*lp));
	lp->ino = pe->pipe_ino;
	lp->ends[0] = lp->ends[1] = lp->holder = -1;
	if (pe->fifo_path) {
		/* O_RDWR never blocks and keeps the FIFO's buffer while we fill it */
		lp->holder = open(pe->fifo_path, O_RDWR | O_CLOEXEC);
		if (lp->holder < 0 || fill(lp->holder, pe->pipe_ino)) {
			pr_perror("Can't open FIFO %s", pe->fifo_path);
			return NULL;
		}
	} else if (pipe2(lp->ends, O_CLOEXEC) || fill(lp->ends[1], pe->pipe_ino)) {
		pr_perror("Can't create pipe %lu", (unsigned long)pe->pipe_ino);
		return NULL;
	}
	nr_live++;
	return lp;
}

static int pipe_open(uint32_t id)
{
	PipeEntry *pe = find_pipe(id);
	struct live_pipe *lp;
	int side, fd;

	if (!pe) {
		pr_err("Pipe %u is missing from pipes.img\n", id);
		return -1;
	}
	lp = live_pipe(pe);
	if (!lp)
		return -1;
	if (pe->fifo_path) {
		fd = open(pe->fifo_path, pe->flags | O_CLOEXEC);
		if (fd < 0)
			pr_perror("Can't open FIFO %s", pe->fifo_path);
		return fd;
	}
	side = (pe->flags & O_ACCMODE) == O_RDONLY ? 0 : 1;
	if (lp->used[side]) {
		char path[64];

		/* a second description of the same end: reopen the pipe */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", lp->ends[side]);
		fd = open(path, pe->flags | O_CLOEXEC);
	} else {
		fd = dup(lp->ends[side]);
		lp->used[side] = true;
	}
	if (fd < 0 || fcntl(fd, F_SETFL, pe->flags & ~O_ACCMODE)) {
		pr_perror("Can't open pipe %u", id);
		return -1;
	}
	return fd;
}

static int pipe_name(uint32_t id, char *buf, size_t len)
{
	PipeEntry *pe = find_pipe(id);

	if (!pe)
		return -1;
	if (pe->fifo_path)
		snprintf(buf, len, "%s", pe->fifo_path);
	else
		snprintf(buf, len, "pipe:[%lu]", (unsigned long)pe->pipe_ino);
	return 0;
}

static void pipe_reset(void)
{
	for (int i = 0; i < nr_live; i++) {
		for (int s = 0; s < 2; s++)
			if (live[i].ends[s] >= 0)
				close(live[i].ends[s]);
		if (live[i].holder >= 0)
			close(live[i].holder);
	}
	free(live);
	live = NULL;
	nr_live = 0;
	img_store_reset(&pipes_store);
	img_store_reset(&data_store);
}

const struct fd_kind pipe_kind = {
	.name = "pipe",
	.type = FD_TYPE__PIPE,
	.match = pipe_match,
	.dump = pipe_dump,
	.dump_finish = pipe_dump_finish,
	.collect = pipe_collect,
	.open = pipe_open,
	.name_of = pipe_name,
	.reset = pipe_reset,
	.may_fly = true,
};
