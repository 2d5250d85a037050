// SPDX-License-Identifier: GPL-2.0
/* Resource limits, soft and hard, lowered below their inherited values. */
#include <stdio.h>
#include <sys/resource.h>

#include "zdtmtst.h"

struct lim {
	int res;
	const char *name;
	rlim_t soft, hard; /* wanted; clamped to what we inherited */
};

static struct lim lims[] = {
	{ RLIMIT_CPU, "CPU", 36000, 72000 },
	{ RLIMIT_FSIZE, "FSIZE", 1ULL << 32, 1ULL << 33 },
	{ RLIMIT_DATA, "DATA", 64ULL << 30, 128ULL << 30 },
	{ RLIMIT_STACK, "STACK", 6 << 20, 96 << 20 },
	{ RLIMIT_CORE, "CORE", 0, 1 << 20 },
	{ RLIMIT_RSS, "RSS", 16ULL << 30, 32ULL << 30 },
	{ RLIMIT_NPROC, "NPROC", 3000, 5000 },
	{ RLIMIT_NOFILE, "NOFILE", 300, 777 },
	{ RLIMIT_MEMLOCK, "MEMLOCK", 96 << 10, 192 << 10 },
	{ RLIMIT_AS, "AS", 256ULL << 30, 512ULL << 30 },
	{ RLIMIT_LOCKS, "LOCKS", 555, 1111 },
	{ RLIMIT_SIGPENDING, "SIGPENDING", 1234, 2345 },
	{ RLIMIT_MSGQUEUE, "MSGQUEUE", 400000, 800000 },
	{ RLIMIT_NICE, "NICE", 0, 0 },
	{ RLIMIT_RTPRIO, "RTPRIO", 0, 0 },
	{ RLIMIT_RTTIME, "RTTIME", 5000000, 9000000 },
};

#define NR (sizeof(lims) / sizeof(lims[0]))

static struct rlimit expect[NR];

int main(int argc, char **argv)
{
	struct rlimit r;
	unsigned i;

	test_init(argc, argv);
	for (i = 0; i < NR; i++) {
		if (getrlimit(lims[i].res, &r))
			test_setup_fail("getrlimit %s: %s", lims[i].name, strerror(errno));
		if (r.rlim_max != RLIM_INFINITY && lims[i].hard > r.rlim_max)
			lims[i].hard = r.rlim_max;
		if (lims[i].soft > lims[i].hard)
			lims[i].soft = lims[i].hard;
		r.rlim_cur = lims[i].soft;
		r.rlim_max = lims[i].hard;
		if (setrlimit(lims[i].res, &r))
			test_setup_fail("setrlimit %s: %s", lims[i].name, strerror(errno));
		if (getrlimit(lims[i].res, &expect[i]))
			test_setup_fail("getrlimit %s: %s", lims[i].name, strerror(errno));
	}

	test_daemon();
	test_waitsig();

	if (test_break()) {
		r = expect[7];
		r.rlim_cur--;
		setrlimit(RLIMIT_NOFILE, &r);
	}

	for (i = 0; i < NR; i++) {
		if (getrlimit(lims[i].res, &r))
			pfail("getrlimit %s", lims[i].name);
		if (r.rlim_cur != expect[i].rlim_cur || r.rlim_max != expect[i].rlim_max)
			fail("RLIMIT_%s is %llu/%llu, expected %llu/%llu", lims[i].name,
			     (unsigned long long)r.rlim_cur, (unsigned long long)r.rlim_max,
			     (unsigned long long)expect[i].rlim_cur,
			     (unsigned long long)expect[i].rlim_max);
	}
	pass();
}
