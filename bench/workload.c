// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark workloads: one program, one kind of state per run.
 *
 *   workload [--tick] --ready FILE --result FILE KIND [ARG...]
 *
 *   mem MIB PERCENT [RUN]
 *                     MIB of anonymous memory, PERCENT of its pages written
 *                     with random content, in runs of RUN pages (default 1)
 *                     chosen by a hash, so the touched runs are scattered;
 *                     the rest never touched
 *   procs N           N processes: the root and N-1 children in pause()
 *   fds N             N open file descriptions (the executable, read-only)
 *   maps N            N separate one-page anonymous mappings, each touched
 *   threads N         N threads: the main one and N-1 in pause()
 *   tiny              nothing: a sleeping C program
 *
 * The program daemonizes (new session, stdio on /dev/null, cwd /), builds
 * its state, then writes "PID TOUCHED_BYTES" to the --ready file (the bytes
 * of page data it wrote, which an image must hold).
 *
 * With --tick the main thread wakes every 100 us and records the biggest
 * gap between two consecutive wake-ups (CLOCK_MONOTONIC, the same clock the
 * driver reads). A dump freezes the tree and kills it; after restore the
 * program carries on from the tick it made last before the freeze, so the
 * start of its biggest gap is the moment it was frozen, measured from the
 * inside. Without --tick it sleeps in pause().
 *
 * On SIGTERM it writes one line to the --result file
 *     gap_start_ns=N gap_ns=N ticks=N verify=ok|bad|none
 * (verify: the memory of "mem" is re-generated from the seed and compared),
 * then kills its process group.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static const char *ready_path, *result_path;
static volatile sig_atomic_t stop;

static uint8_t *mem;
static size_t mem_pages;
static unsigned mem_percent;
static size_t mem_run = 1;
static uint64_t touched_bytes;

static void die(const char *fmt, ...)
{
	char msg[512], tmp[PATH_MAX + 8];
	va_list ap;
	int fd;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* tell the driver why, through the readiness file */
	if (ready_path) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", ready_path);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dprintf(fd, "ERROR %s (%s)\n", msg, strerror(errno));
			close(fd);
			rename(tmp, ready_path);
		}
	}
	_exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t mix(uint64_t x)
{
	/* splitmix64 finaliser */
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static int page_touched(size_t i)
{
	return mem_percent >= 100 || mix((i / mem_run) ^ 0x5bd1e995ULL) % 100 < mem_percent;
}

static void fill_page(uint64_t *p, size_t i)
{
	uint64_t s = mix(i + 0x1234567ULL);

	for (size_t w = 0; w < PAGE / 8; w++) {
		/* xorshift64: fast, never zero since s != 0 */
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		p[w] = s;
	}
}

static int check_page(const uint64_t *p, size_t i)
{
	uint64_t s = mix(i + 0x1234567ULL);

	for (size_t w = 0; w < PAGE / 8; w++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		if (p[w] != s)
			return 0;
	}
	return 1;
}

static const char *verify(void)
{
	if (!mem)
		return "none";
	for (size_t i = 0; i < mem_pages; i++) {
		const uint64_t *p = (const uint64_t *)(mem + i * PAGE);

		if (page_touched(i)) {
			if (!check_page(p, i))
				return "bad";
		} else if (p[0] || p[PAGE / 8 - 1]) {
			return "bad";
		}
	}
	return "ok";
}

static void setup_mem(size_t mib, unsigned percent, long run)
{
	mem_pages = mib * (1UL << 20) / PAGE;
	mem_percent = percent;
	mem_run = run > 0 ? run : 1;
	mem = mmap(NULL, mem_pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (mem == MAP_FAILED)
		die("mmap %zu MiB", mib);
	/* faulting page by page costs ~10 us a page on this VM: populate at
	 * once when every page is to be written anyway (setup time only) */
	if (percent >= 100 && madvise(mem, mem_pages * PAGE, MADV_POPULATE_WRITE))
		die("madvise(MADV_POPULATE_WRITE)");
	for (size_t i = 0; i < mem_pages; i++)
		if (page_touched(i)) {
			fill_page((uint64_t *)(mem + i * PAGE), i);
			touched_bytes += PAGE;
		}
}

static void setup_procs(int n)
{
	for (int i = 1; i < n; i++) {
		pid_t p = fork();

		if (p < 0)
			die("fork %d of %d", i, n);
		if (p == 0) {
			for (;;)
				pause();
		}
	}
}

static void setup_fds(int n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	if (rl.rlim_cur < (rlim_t)n + 16) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			die("setrlimit NOFILE %lu", (unsigned long)rl.rlim_cur);
	}
	for (int i = 0; i < n; i++)
		if (open("/proc/self/exe", O_RDONLY) < 0)
			die("open fd %d of %d", i, n);
}

static void setup_maps(int n)
{
	uint8_t *base = mmap(NULL, 2 * n * PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (base == MAP_FAILED)
		die("mmap %d pages", 2 * n);
	/* a hole after every page: n mappings that cannot merge */
	for (int i = 0; i < n; i++) {
		uint8_t *p = base + 2 * i * PAGE;

		fill_page((uint64_t *)p, i);
		touched_bytes += PAGE;
		if (munmap(p + PAGE, PAGE))
			die("munmap hole %d", i);
	}
}

static void *thread_fn(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

static void setup_threads(int n)
{
	pthread_attr_t attr;
	sigset_t all, old;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 << 10);
	/* only the main thread takes SIGTERM */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (int i = 1; i < n; i++) {
		pthread_t t;
		int e = pthread_create(&t, &attr, thread_fn, NULL);

		if (e) {
			errno = e;
			die("pthread_create %d of %d", i, n);
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void on_term(int sig)
{
	stop = 1;
}

static void write_file(const char *path, const char *text)
{
	char tmp[PATH_MAX + 8];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) < 0) {
		close(fd);
		return;
	}
	close(fd);
	rename(tmp, path);
}

static void usage(void)
{
	fprintf(stderr, "usage: workload [--tick] --ready FILE --result FILE "
			"mem MIB PERCENT [RUN] | procs N | fds N | maps N | threads N | tiny\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t last, gap = 0, gap_start = 0, ticks = 0;
	struct sigaction sa = { .sa_handler = on_term };
	const char *kind;
	char line[256];
	int tick = 0, i, fd;
	long a1 = 0, a2 = 0, a3 = 0;
	pid_t pid;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--tick"))
			tick = 1;
		else if (!strcmp(argv[i], "--ready") && i + 1 < argc)
			ready_path = argv[++i];
		else if (!strcmp(argv[i], "--result") && i + 1 < argc)
			result_path = argv[++i];
		else
			usage();
	}
	if (i >= argc || !ready_path || !result_path)
		usage();
	kind = argv[i++];
	if (i < argc)
		a1 = atol(argv[i++]);
	if (i < argc)
		a2 = atol(argv[i++]);
	if (i < argc)
		a3 = atol(argv[i++]);

	/* daemonize: the tree must be its own session for a plain dump */
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid > 0)
		return 0;
	if (setsid() < 0)
		die("setsid");
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		die("open /dev/null");
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	if (chdir("/"))
		die("chdir /");

	if (!strcmp(kind, "mem"))
		setup_mem(a1, a2, a3);
	else if (!strcmp(kind, "procs"))
		setup_procs(a1);
	else if (!strcmp(kind, "fds"))
		setup_fds(a1);
	else if (!strcmp(kind, "maps"))
		setup_maps(a1);
	else if (!strcmp(kind, "threads"))
		setup_threads(a1);
	else if (strcmp(kind, "tiny"))
		die("unknown workload %s", kind);

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL))
		die("sigaction");

	snprintf(line, sizeof(line), "%d %llu\n", getpid(), (unsigned long long)touched_bytes);
	write_file(ready_path, line);

	last = now_ns();
	while (!stop) {
		if (tick) {
			struct timespec d = { 0, 100000 };
			uint64_t t;

			nanosleep(&d, NULL);
			t = now_ns();
			if (t - last > gap) {
				gap = t - last;
				gap_start = last;
			}
			last = t;
			ticks++;
		} else {
			pause();
		}
	}
	snprintf(line, sizeof(line), "gap_start_ns=%llu gap_ns=%llu ticks=%llu verify=%s\n",
		 (unsigned long long)gap_start, (unsigned long long)gap,
		 (unsigned long long)ticks, verify());
	write_file(result_path, line);
	kill(0, SIGKILL);
	return 0;
}
