/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_UTIL_DAEMON_H
#define CR_UTIL_DAEMON_H

#include <sys/types.h>

/* --pidfile: write @pid there, a relative path in -W (else -D). 0 or -1. */
int write_pidfile(pid_t pid);
/* --status-fd: one zero byte, then the fd is closed (nothing without it). */
void tell_status_fd(void);
/*
 * -d/--daemon for a server: the caller goes on in a child in its own
 * session with stdin/stdout/stderr on /dev/null; the parent writes the
 * child's pid to --pidfile and returns 1 (it should exit). Without -d the
 * caller's own pid goes to --pidfile. Returns 0 in the one that serves,
 * -1 on failure.
 */
int serve_in_background(void);

#endif
