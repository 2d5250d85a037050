// SPDX-License-Identifier: GPL-2.0
/*
 * A task for ci/test-exec.sh to run system calls in.
 *
 *   exec-target REPORT
 *
 * Two threads keep computing and sleeping, checking their own arithmetic so
 * that clobbered registers show; a child exits at once and is never reaped
 * (a zombie to aim at). SIGUSR2 stays blocked the whole time. On SIGUSR1 the
 * main thread writes REPORT (atomically, by rename):
 *
 *   seq N
 *   fds 0 1 2 ...
 *
 * N counts the reports; "fds" lists the descriptors the task itself sees.
 * A failed self-check writes "CORRUPT <what>" to REPORT and exits 3.
 */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *report;
static volatile sig_atomic_t want_report;

static void on_usr1(int sig)
{
	(void)sig;
	want_report = 1;
}

static void write_report(const char *first)
{
	static unsigned long seq;
	char tmp[4096], fds[4096] = "";
	size_t len = 0;
	struct dirent *de;
	FILE *f;
	DIR *d;

	/* list before opening the report, which would take the lowest free fd */
	d = opendir("/proc/self/fd");
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		len += snprintf(fds + len, sizeof(fds) - len, " %s", de->d_name);
		if (len >= sizeof(fds))
			exit(4);
	}
	if (d)
		closedir(d);
	snprintf(tmp, sizeof(tmp), "%s.tmp", report);
	f = fopen(tmp, "w");
	if (!f)
		exit(4);
	if (first)
		fprintf(f, "%s\n", first);
	else
		fprintf(f, "seq %lu\nfds%s\n", ++seq, fds);
	if (fclose(f) || rename(tmp, report))
		exit(4);
}

/* A few thousand steps of arithmetic whose result is known. */
static int compute(unsigned long seed)
{
	unsigned long a = seed, b = seed * 3, sum = 0;

	for (int i = 0; i < 20000; i++) {
		a = a * 6364136223846793005UL + 1442695040888963407UL;
		b = b * 6364136223846793005UL + 1442695040888963407UL * 3;
		sum += (a * 3 - b) & 0xff;
	}
	/* b tracks 3a exactly modulo 2^64, so every term is zero */
	return sum == 0;
}

static void nap(void)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static void *worker(void *arg)
{
	(void)arg;
	for (unsigned long n = 1;; n++) {
		if (!compute(n)) {
			write_report("CORRUPT worker arithmetic");
			exit(3);
		}
		nap();
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t blk;
	pthread_t th;

	if (argc != 2) {
		fprintf(stderr, "usage: %s REPORT\n", argv[0]);
		return 2;
	}
	report = argv[1];
	sigemptyset(&blk);
	sigaddset(&blk, SIGUSR2);
	sigprocmask(SIG_BLOCK, &blk, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	if (fork() == 0)
		_exit(0);	/* never reaped: a zombie */
	if (pthread_create(&th, NULL, worker, NULL))
		return 5;
	write_report(NULL);
	for (unsigned long n = 1;; n++) {
		if (!compute(n)) {
			write_report("CORRUPT main arithmetic");
			return 3;
		}
		if (want_report) {
			want_report = 0;
			write_report(NULL);
		}
		nap();
	}
}
