// SPDX-License-Identifier: GPL-2.0
/*
 * The limits criu's figures are compared with, measured on this machine.
 *
 *   bw memcpy BYTES      memcpy between two pre-faulted buffers (at most
 *                        256 MiB each, copied again until BYTES are done);
 *                        prints memcpy_Bps=N
 *   bw file DIR BYTES [WARM]
 *                        first populates and frees WARM bytes of anonymous
 *                        memory (so that the host backs what follows: see
 *                        README), then writes BYTES to a new file in DIR in 4 MiB write()s
 *                        (criu's own chunk; no fsync, criu does none either),
 *                        then allocates a fresh anonymous mapping of BYTES with
 *                        MADV_POPULATE_WRITE (the cheapest way to get the memory
 *                        a restore must create), then reads the file back into
 *                        it with 4 MiB read()s, then removes the file; prints
 *                        write_Bps=N populate_Bps=N read_Bps=N read_warm_Bps=N
 *                        warm_s=N
 *                        (read: the first pass; read_warm: best of two more)
 *   bw fault BYTES       writes one byte per page of a fresh anonymous mapping
 *                        of BYTES: the cost of faulting memory in page by page;
 *                        prints fault_Bps=N
 *
 * Populating is timed apart from reading: on this VM a page fault on fresh
 * anonymous memory costs ~10 us, so memory touched page by page comes in
 * at ~0.35 GB/s while MADV_POPULATE_WRITE does ~2.3 GB/s.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define CHUNK (4UL << 20)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *xmap(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

static void fill_random(uint8_t *p, size_t len)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL, *q = (uint64_t *)p;

	for (size_t i = 0; i < len / 8; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		q[i] = s;
	}
}

static int do_memcpy(uint64_t bytes)
{
	size_t len = bytes < (256UL << 20) ? bytes : (256UL << 20);
	uint8_t *a = xmap(len), *b = xmap(len);
	double best = 0;

	fill_random(a, len);
	memset(b, 1, len);
	for (int rep = 0; rep < 3; rep++) {
		uint64_t done = 0;
		double t0 = now(), t;

		while (done < bytes) {
			size_t n = bytes - done < len ? bytes - done : len;

			memcpy(rep & 1 ? a : b, rep & 1 ? b : a, n);
			done += n;
		}
		t = now() - t0;
		if (bytes / t > best)
			best = bytes / t;
	}
	printf("memcpy_Bps=%.0f\n", best);
	return 0;
}

static int do_file(const char *dir, uint64_t bytes, uint64_t warm)
{
	char path[4096];
	uint8_t *buf = xmap(CHUNK), *dst;
	double t0, tw, tp, tr, trw;
	uint64_t done;
	int fd;

	double tw0 = 0;

	if (warm) {
		uint8_t *w = xmap(warm);

		t0 = now();
		if (madvise(w, warm, MADV_POPULATE_WRITE))
			perror("madvise(MADV_POPULATE_WRITE)");
		munmap(w, warm);
		tw0 = now() - t0;
	}
	snprintf(path, sizeof(path), "%s/bw-%d.tmp", dir, getpid());
	fill_random(buf, CHUNK);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	t0 = now();
	for (done = 0; done < bytes;) {
		size_t n = bytes - done < CHUNK ? bytes - done : CHUNK;
		ssize_t r = write(fd, buf, n);

		if (r <= 0) {
			perror("write");
			unlink(path);
			return 1;
		}
		done += r;
	}
	close(fd);
	tw = now() - t0;

	dst = xmap(bytes);
	t0 = now();
	if (madvise(dst, bytes, MADV_POPULATE_WRITE)) {
		perror("madvise(MADV_POPULATE_WRITE)");
		unlink(path);
		return 1;
	}
	tp = now() - t0;
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		unlink(path);
		return 1;
	}
	/* The first pass is the limit: on this VM it is several times slower
	 * than the next ones (memory written for the first time since it was
	 * populated), and a restore writes each page once. The best of two
	 * more passes is printed as read_warm_Bps. */
	tr = trw = 1e9;
	for (int rep = 0; rep < 3; rep++) {
		double t;

		if (lseek(fd, 0, SEEK_SET)) {
			perror("lseek");
			unlink(path);
			return 1;
		}
		t0 = now();
		for (done = 0; done < bytes;) {
			size_t n = bytes - done < CHUNK ? bytes - done : CHUNK;
			ssize_t r = read(fd, dst + done, n);

			if (r <= 0) {
				perror("read");
				unlink(path);
				return 1;
			}
			done += r;
		}
		t = now() - t0;
		if (!rep)
			tr = t;
		else if (t < trw)
			trw = t;
	}
	close(fd);
	unlink(path);
	printf("write_Bps=%.0f populate_Bps=%.0f read_Bps=%.0f read_warm_Bps=%.0f warm_s=%.3f\n",
	       bytes / tw, bytes / tp, bytes / tr, bytes / trw, tw0);
	return 0;
}

static int do_fault(uint64_t bytes)
{
	volatile uint8_t *p = xmap(bytes);
	double t0 = now();

	for (uint64_t i = 0; i < bytes; i += 4096)
		p[i] = 1;
	printf("fault_Bps=%.0f\n", bytes / (now() - t0));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "fault"))
		return do_fault(strtoull(argv[2], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "memcpy"))
		return do_memcpy(strtoull(argv[2], NULL, 0));
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "file"))
		return do_file(argv[2], strtoull(argv[3], NULL, 0),
			       argc == 5 ? strtoull(argv[4], NULL, 0) : 0);
	fprintf(stderr, "usage: bw memcpy BYTES | bw fault BYTES | bw file DIR BYTES [WARM]\n");
	return 2;
}
