// SPDX-License-Identifier: GPL-2.0
/*
 * Seccomp filters survive, per thread: the process installs two filters
 * (uname -> EPERM, sysinfo -> EACCES), then a second thread stacks a third
 * one of its own (times -> ENOMSG). After restore each thread sees exactly
 * its own filters, in /proc and in the results of the filtered syscalls.
 */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <unistd.h>

#include "zdtmtst.h"

static pid_t thr_tid;
static int to_thr[2], from_thr[2];
static char thr_err[160];

static int deny(int nr, int err)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* errno of a raw syscall, 0 if it succeeded. */
static int try(int nr)
{
	char buf[1024];

	if (syscall(nr, buf) == -1)
		return errno;
	return 0;
}

struct want {
	int nr, err;
	const char *name;
};

static const char *check(const struct want *w, int n, pid_t tid, int nfilters, char *buf,
			 size_t len)
{
	char path[64], v[32];
	int i, e;

	for (i = 0; i < n; i++) {
		e = try(w[i].nr);
		if (e != w[i].err) {
			snprintf(buf, len, "%s: errno %d, expected %d", w[i].name, e, w[i].err);
			return buf;
		}
	}
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	if (!proc_field(path, "Seccomp", v, sizeof(v)) || strcmp(v, "2")) {
		snprintf(buf, len, "Seccomp: %s, expected 2", v);
		return buf;
	}
	if (proc_field(path, "Seccomp_filters", v, sizeof(v)) && atoi(v) != nfilters) {
		snprintf(buf, len, "Seccomp_filters: %s, expected %d", v, nfilters);
		return buf;
	}
	return NULL;
}

static const struct want main_want[] = {
	{ SYS_uname, EPERM, "uname" },
	{ SYS_sysinfo, EACCES, "sysinfo" },
	{ SYS_times, 0, "times" },
};

static const struct want thr_want[] = {
	{ SYS_uname, EPERM, "uname" },
	{ SYS_sysinfo, EACCES, "sysinfo" },
	{ SYS_times, ENOMSG, "times" },
};

static void *thread_fn(void *arg)
{
	const char *err;
	char c, buf[160];

	(void)arg;
	thr_tid = syscall(SYS_gettid);
	c = deny(SYS_times, ENOMSG) ? 'e' : 'r';
	if (write(from_thr[1], &c, 1) != 1)
		return NULL;
	while (read(to_thr[0], &c, 1) < 0 && errno == EINTR)
		;
	err = check(thr_want, 3, thr_tid, 3, buf, sizeof(buf));
	if (err)
		snprintf(thr_err, sizeof(thr_err), "%s", err);
	if (write(from_thr[1], "d", 1) != 1)
		return NULL;
	return NULL;
}

int main(int argc, char **argv)
{
	const char *err;
	char c, buf[160];
	pthread_t th;
	sigset_t set;

	test_init(argc, argv);
	if (pipe(to_thr) || pipe(from_thr))
		test_setup_fail("pipe: %s", strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		test_setup_fail("PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
	if (deny(SYS_uname, EPERM) || deny(SYS_sysinfo, EACCES))
		test_setup_fail("seccomp: %s", strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&th, NULL, thread_fn, NULL))
		test_setup_fail("pthread_create");
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (read(from_thr[0], &c, 1) != 1 || c != 'r')
		test_setup_fail("the thread could not install its filter");
	if ((err = check(main_want, 3, getpid(), 2, buf, sizeof(buf))))
		test_setup_fail("%s", err);

	test_daemon();
	test_waitsig();

	if (test_break())
		deny(SYS_times, EPERM);

	if ((err = check(main_want, 3, getpid(), 2, buf, sizeof(buf))))
		fail("main thread: %s", err);
	if (write(to_thr[1], "c", 1) != 1 || read(from_thr[0], &c, 1) != 1)
		fail("thread did not report");
	pthread_join(th, NULL);
	if (thr_err[0])
		fail("thread: %s", thr_err);
	pass();
}
