/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_UTIL_SYS_H
#define CR_UTIL_SYS_H

/* Thin wrappers for system calls glibc 2.36 does not wrap. */
#include <errno.h>
#include <linux/sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef KCMP_FILE
#define KCMP_FILE 0
#define KCMP_VM 1
#define KCMP_FILES 2
#define KCMP_FS 3
#define KCMP_SIGHAND 4
#endif

static inline long sys_clone3(struct clone_args *args)
{
	return syscall(SYS_clone3, args, sizeof(*args));
}

static inline int sys_pidfd_open(pid_t pid, unsigned flags)
{
	return syscall(SYS_pidfd_open, pid, flags);
}

static inline int sys_pidfd_getfd(int pidfd, int fd)
{
	return syscall(SYS_pidfd_getfd, pidfd, fd, 0);
}

/* A copy of fd @fd of task @pid, or -1 with errno set. */
static inline int task_fd_copy(pid_t pid, int fd)
{
	int pidfd = sys_pidfd_open(pid, 0), copy, err;

	if (pidfd < 0)
		return -1;
	copy = sys_pidfd_getfd(pidfd, fd);
	err = errno;
	close(pidfd);
	errno = err;
	return copy;
}

static inline int sys_kcmp(pid_t a, pid_t b, int type, unsigned long x, unsigned long y)
{
	return syscall(SYS_kcmp, a, b, type, x, y);
}

/*
 * kcmp as an order for sorting: -1, 0 or 1 as @a's object sorts before,
 * with or after @b's; 2 when kcmp failed (the caller decides what then).
 */
static inline int kcmp_order(pid_t a, pid_t b, int type, unsigned long x, unsigned long y)
{
	switch (sys_kcmp(a, b, type, x, y)) {
	case 0:
		return 0;
	case 1:
		return -1;
	case 2:
		return 1;
	default:
		return 2;
	}
}

static inline pid_t sys_gettid(void)
{
	return syscall(SYS_gettid);
}

static inline int sys_tgkill(pid_t tgid, pid_t tid, int sig)
{
	return syscall(SYS_tgkill, tgid, tid, sig);
}

#endif
