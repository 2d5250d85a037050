// SPDX-License-Identifier: GPL-2.0
/*
 * target LIB OUT: dlopen a private copy of a library (so the test may
 * change its bytes) and let its code append 1, 2, 3, ... to OUT, one line
 * every 20 ms, until killed.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const struct timespec tick = { 0, 20 * 1000 * 1000 };
	int (*lib_tick)(int fd, unsigned long n);
	void *lib;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: %s LIB OUT\n", argv[0]);
		return 2;
	}
	lib = dlopen(argv[1], RTLD_NOW);
	if (!lib) {
		fprintf(stderr, "dlopen %s: %s\n", argv[1], dlerror());
		return 1;
	}
	lib_tick = (int (*)(int, unsigned long))dlsym(lib, "digest_lib_tick");
	fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (!lib_tick || fd < 0) {
		perror("digest target setup");
		return 1;
	}
	for (unsigned long n = 1;; n++) {
		if (lib_tick(fd, n))
			return 1;
		nanosleep(&tick, NULL);
	}
}
