// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/log.h"
#include "util/net.h"

static bool try_addr(int sk, const struct addrinfo *ai, bool listening)
{
	int one = 1;

	if (!listening)
		return !connect(sk, ai->ai_addr, ai->ai_addrlen);
	return !setsockopt(sk, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) &&
	       !bind(sk, ai->ai_addr, ai->ai_addrlen) && !listen(sk, 16);
}

int tcp_socket(const char *purpose, const char *host, int port, bool listening)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV | (listening ? AI_PASSIVE : 0) };
	const char *what = host ? host : "any address";
	struct addrinfo *res, *ai;
	char service[16];
	int sk = -1, err;

	snprintf(service, sizeof(service), "%d", port);
	err = getaddrinfo(host, service, &hints, &res);
	if (err) {
		pr_err("Can't resolve %s for %s: %s\n", what, purpose, gai_strerror(err));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		sk = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (sk >= 0 && try_addr(sk, ai, listening))
			break;
		err = errno;
		if (sk >= 0)
			close(sk);
		sk = -1;
		errno = err;
	}
	freeaddrinfo(res);
	if (sk < 0)
		pr_perror("Can't %s %s port %d for %s", listening ? "listen on" : "connect to", what,
			  port, purpose);
	return sk;
}
