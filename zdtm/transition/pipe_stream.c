// SPDX-License-Identifier: GPL-2.0
/*
 * A writer child streams a deterministic byte sequence through a pipe to
 * the reading test process, continuously, in chunks of varying size. The
 * reader checks every byte against the sequence as it arrives. After
 * SIGTERM the writer is told to stop, reports how many bytes it wrote and
 * closes; the reader drains to EOF and checks that it got exactly that
 * many bytes, each one right: nothing lost, doubled or reordered.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

struct shared {
	int stop;
	uint64_t written;
};

static inline uint8_t stream_byte(uint64_t k)
{
	uint64_t x = (k >> 3) * 0x9e3779b97f4a7c15ULL;

	x ^= x >> 29;
	return (uint8_t)((x >> (8 * (k & 7))) ^ k);
}

static void __attribute__((noreturn)) writer(struct shared *sh, int fd)
{
	static uint8_t buf[8192];
	uint64_t k = 0;

	while (!__atomic_load_n(&sh->stop, __ATOMIC_SEQ_CST)) {
		size_t len = 1 + (k * 131 + 17) % sizeof(buf), i;
		ssize_t n;

		for (i = 0; i < len; i++)
			buf[i] = stream_byte(k + i);
		n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			test_msg("writer: write: %s", strerror(errno));
			_exit(1);
		}
		k += n;
	}
	sh->written = k;
	close(fd);
	_exit(0);
}

int main(int argc, char **argv)
{
	static uint8_t buf[16384];
	struct shared *sh;
	uint64_t pos = 0, bad = 0, bad_at = 0, round = 0;
	int p[2], status;
	pid_t pid;
	ssize_t n;

	test_init(argc, argv);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));
	if (pipe(p))
		test_setup_fail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		writer(sh, p[1]);
	}
	close(p[1]);

	test_daemon();

	for (;;) {
		size_t want = 1 + (round++ * 977) % sizeof(buf);
		ssize_t i;

		if (test_go() && !sh->stop) {
			if (test_break())
				pos++;	/* pretend one byte more was seen */
			__atomic_store_n(&sh->stop, 1, __ATOMIC_SEQ_CST);
		}
		n = read(p[0], buf, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			pfail("read");
		}
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
			if (buf[i] != stream_byte(pos + i) && !bad++)
				bad_at = pos + i;
		pos += n;
	}

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			pfail("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("the writer failed: status 0x%x", status);
	if (bad)
		fail("%llu wrong bytes, the first at offset %llu", (unsigned long long)bad,
		     (unsigned long long)bad_at);
	if (pos != sh->written)
		fail("read %llu bytes, the writer wrote %llu", (unsigned long long)pos,
		     (unsigned long long)sh->written);
	test_msg("%llu bytes streamed", (unsigned long long)pos);
	pass();
}
