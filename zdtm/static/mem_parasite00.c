// SPDX-License-Identifier: GPL-2.0
/*
 * Memory big enough for criu to move it with its parasite (vmsplice from
 * inside the task), in every shape the parasite must get right: runs of
 * data, pages written with zeros (present, left out of the image), pages
 * never touched, a run made PROT_NONE and one read-only after writing
 * (criu copies what vmsplice cannot read), copied-on-write pages of a
 * private file mapping, and a second thread, which stays stopped while the
 * parasite runs in the first. The task's handler of SIGSEGV, which a fault
 * of the parasite would reset, and its signal mask must be intact.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NPAGES 4096		/* 16 MiB */
#define FPAGES 16

static long psz;
static char *mem, *fmap;
static int thr_pipe[2];

/* What page @pg holds: 0 untouched, 1 zeros written, 2 data. */
static int kind(int pg)
{
	if (pg % 97 == 5 || (pg >= 1000 && pg < 1100))
		return 0;
	if (pg % 13 == 7 || (pg >= 2000 && pg < 2050))
		return 1;
	return 2;
}

static bool page_zero(const char *p)
{
	for (long i = 0; i < psz; i++)
		if (p[i])
			return false;
	return true;
}

static void on_segv(int sig)
{
	(void)sig;
}

static void *thread_fn(void *arg)
{
	char c;

	(void)arg;
	while (read(thr_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static int check(void)
{
	for (int pg = 0; pg < NPAGES; pg++) {
		char *p = mem + pg * psz;

		if (pg >= 3000 && pg < 3010)
			continue;	/* PROT_NONE: checked after mprotect */
		if (kind(pg) == 2 ? !datachk(p, psz, pg) : !page_zero(p))
			return pg;
	}
	if (mprotect(mem + 3000 * psz, 10 * psz, PROT_READ))
		return -2;
	for (int pg = 3000; pg < 3010; pg++)
		if (!datachk(mem + pg * psz, psz, pg))
			return pg;
	return -1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_segv, .sa_flags = SA_RESTART }, now;
	char path[] = "mem_parasite00.file";
	sigset_t blocked, mask;
	pthread_t th;
	int fd, bad;

	test_init(argc, argv);
	psz = sysconf(_SC_PAGESIZE);
	mem = mmap(NULL, NPAGES * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));
	for (int pg = 0; pg < NPAGES; pg++) {
		if (kind(pg) == 1)
			memset(mem + pg * psz, 0, psz);
		else if (kind(pg) == 2)
			datagen(mem + pg * psz, psz, pg);
	}
	if (mprotect(mem + 3000 * psz, 10 * psz, PROT_NONE) ||
	    mprotect(mem + 3500 * psz, 20 * psz, PROT_READ))
		test_setup_fail("mprotect: %s", strerror(errno));

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, FPAGES * psz))
		test_setup_fail("%s: %s", path, strerror(errno));
	fmap = mmap(NULL, FPAGES * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (fmap == MAP_FAILED)
		test_setup_fail("mmap of %s: %s", path, strerror(errno));
	close(fd);
	for (int pg = 0; pg < FPAGES; pg += 2)
		datagen(fmap + pg * psz, psz, 10000 + pg);

	if (sigaction(SIGSEGV, &sa, NULL))
		test_setup_fail("sigaction: %s", strerror(errno));
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGUSR2);
	sigaddset(&blocked, SIGBUS);
	sigprocmask(SIG_BLOCK, &blocked, NULL);
	if (pipe(thr_pipe) || pthread_create(&th, NULL, thread_fn, NULL))
		test_setup_fail("thread: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		mem[4000 * psz + 17] ^= 1;

	bad = check();
	if (bad == -2)
		pfail("mprotect");
	if (bad >= 0)
		fail("page %d (kind %d) differs", bad, kind(bad));
	for (int pg = 0; pg < FPAGES; pg++) {
		char *p = fmap + pg * psz;

		if (pg % 2 ? !page_zero(p) : !datachk(p, psz, 10000 + pg))
			fail("page %d of the file mapping differs", pg);
	}
	if (sigaction(SIGSEGV, NULL, &now) || now.sa_handler != on_segv ||
	    !(now.sa_flags & SA_RESTART))
		fail("the SIGSEGV handler changed");
	sigprocmask(SIG_BLOCK, NULL, &mask);
	if (!sigismember(&mask, SIGUSR2) || !sigismember(&mask, SIGBUS) ||
	    sigismember(&mask, SIGSEGV))
		fail("the signal mask changed");
	if (write(thr_pipe[1], "x", 1) != 1 || pthread_join(th, NULL))
		fail("the thread is gone");
	unlink(path);
	pass();
}
