// SPDX-License-Identifier: GPL-2.0
/* Socket options that every kind of socket saves and restores alike. */
#include <errno.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/sockopt.h"

int sockopt_differs(int fd, int fresh, int level, int name, void *val, socklen_t *len)
{
	uint8_t def[256];
	socklen_t dl = sizeof(def);

	if (getsockopt(fd, level, name, val, len))
		return -1;
	if (*len > sizeof(def) || getsockopt(fresh, level, name, def, &dl))
		return 1;
	return dl != *len || memcmp(val, def, dl);
}

int sockopt_restore(int fd, int level, int name, const void *val, socklen_t len)
{
	int v;

	if (level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_RCVBUF) &&
	    len == sizeof(v)) {
		memcpy(&v, val, sizeof(v));
		v /= 2;
		return setsockopt(fd, level, name == SO_SNDBUF ? SO_SNDBUFFORCE : SO_RCVBUFFORCE,
				  &v, sizeof(v));
	}
	return setsockopt(fd, level, name, val, len);
}

int sk_filter_dump(int fd, const char *what, uint64_t **prog, size_t *n)
{
	struct sock_filter *f;
	socklen_t flen = 0;

	*prog = NULL;
	*n = 0;
	/* a zero length asks how many instructions the filter has */
	if (getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, NULL, &flen))
		goto fail;
	if (!flen)
		return 0;
	f = calloc(flen, sizeof(*f));
	*prog = calloc(flen, sizeof(**prog));
	if (!f || !*prog || getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, f, &flen)) {
		free(f);
		free(*prog);
		*prog = NULL;
		goto fail;
	}
	for (socklen_t i = 0; i < flen; i++)
		(*prog)[i] = (uint64_t)f[i].code | (uint64_t)f[i].jt << 16 |
			     (uint64_t)f[i].jf << 24 | (uint64_t)f[i].k << 32;
	*n = flen;
	free(f);
	return 0;
fail:
	/* the kernel keeps no classic program for an eBPF one */
	if (errno == EACCES)
		pr_err("unsupported: eBPF socket filter (SO_ATTACH_BPF) on %s\n", what);
	else
		pr_perror("Can't read the socket filter of %s", what);
	return -1;
}

int sk_filter_restore(int fd, const char *what, const uint64_t *prog, size_t n)
{
	struct sock_filter *f;
	struct sock_fprog fp;
	int ret;

	if (!n)
		return 0;
	if (n > BPF_MAXINSNS) {
		pr_err("The socket filter of %s has %zu instructions\n", what, n);
		return -1;
	}
	f = calloc(n, sizeof(*f));
	if (!f) {
		pr_err("No memory for the socket filter of %s\n", what);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		f[i] = (struct sock_filter){ prog[i] & 0xffff, (prog[i] >> 16) & 0xff,
					     (prog[i] >> 24) & 0xff, prog[i] >> 32 };
	fp.len = n;
	fp.filter = f;
	ret = setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp));
	if (ret)
		pr_perror("Can't attach the socket filter of %s", what);
	free(f);
	return ret;
}
