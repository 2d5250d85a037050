/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_UTIL_SOCKOPT_H
#define CR_UTIL_SOCKOPT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * Option @level:@name of @fd into @val (*@len: its room in, its length
 * out), compared with the same option of @fresh, a new socket of the same
 * kind: 1 if it differs, 0 if not, -1 with errno if @fd cannot tell. An
 * option @fresh cannot tell counts as different.
 */
int sockopt_differs(int fd, int fresh, int level, int name, void *val, socklen_t *len);

/*
 * setsockopt of a value getsockopt gave. Buffer sizes go through
 * SO_SNDBUFFORCE/SO_RCVBUFFORCE, halved: the kernel reports twice what it
 * was given, and an auto-tuned size may be past the sysctl cap.
 */
int sockopt_restore(int fd, int level, int name, const void *val, socklen_t len);

/*
 * The classic BPF filter of socket @fd (SO_GET_FILTER), one instruction
 * per item packed as code | jt << 16 | jf << 24 | k << 32, the way the
 * images keep it: *@prog (malloc'ed, NULL when there is none) and *@n.
 * An eBPF program (SO_ATTACH_BPF) has no classic form and is refused.
 * Errors are logged naming @what ("unix socket fd 3 of pid 10").
 */
int sk_filter_dump(int fd, const char *what, uint64_t **prog, size_t *n);
/* Attach such a filter to @fd (nothing when @n is 0); errors name @what. */
int sk_filter_restore(int fd, const char *what, const uint64_t *prog, size_t n);

#endif
