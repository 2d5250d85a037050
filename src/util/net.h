/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_UTIL_NET_H
#define CR_UTIL_NET_H

#include <stdbool.h>

/*
 * A TCP socket for @host (NULL: any address, for @listening only) and
 * @port: connected to it, or bound and listening on it. The first address
 * that works is taken. -1 with the error logged, naming @purpose.
 */
int tcp_socket(const char *purpose, const char *host, int port, bool listening);

#endif
