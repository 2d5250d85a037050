// SPDX-License-Identifier: GPL-2.0
/* Pages images: to the images directory, or streamed to a page server. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "images/image.h"
#include "images/page_sink.h"
#include "util/log.h"
#include "util/net.h"
#include "util/options.h"

static int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ECONNRESET;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int ps_connect(void)
{
	if (!opts.address || !opts.port) {
		pr_err("--page-server needs --address and --port of the page server\n");
		return -1;
	}
	return tcp_socket("the page server", opts.address, opts.port, false);
}

static int ps_request(enum ps_kind kind, const char *name)
{
	size_t len = strlen(name);
	unsigned char head[8] = { 'C', 'R', 'P', 'S', PS_VERSION, kind, len >> 8, len & 0xff };
	int sk;

	if (len > 0xffff)
		return -1;
	sk = ps_connect();
	if (sk < 0)
		return -1;
	if (write_full(sk, head, sizeof(head)) || write_full(sk, name, len)) {
		pr_perror("Can't send a request to the page server for %s", name);
		close(sk);
		return -1;
	}
	return sk;
}

/* The server's answer to the request on @sk, which is closed. */
static int ps_result(int sk, const char *what)
{
	uint32_t err;
	int ret = 0;

	shutdown(sk, SHUT_WR);
	if (read_full(sk, &err, sizeof(err))) {
		pr_perror("The page server did not answer for %s", what);
		ret = -1;
	} else if (ntohl(err)) {
		errno = ntohl(err);
		pr_perror("The page server failed on %s", what);
		ret = -1;
	}
	close(sk);
	return ret;
}

int page_sink_write(int fd, const void *buf, size_t len)
{
	return write_full(fd, buf, len);
}

int page_sink_open(const char *name)
{
	if (!opts.use_page_server)
		return img_raw_open(name, O_WRONLY);
	return ps_request(PS_FILE, name);
}

int page_sink_close(int fd, const char *name)
{
	if (!opts.use_page_server)
		return close(fd);
	return ps_result(fd, name);
}

int page_sink_start(void)
{
	int sk;

	if (!opts.use_page_server || opts.check_only)
		return 0;
	sk = ps_request(PS_HELLO, "");
	return sk < 0 ? -1 : ps_result(sk, "hello");
}

int page_sink_end(bool ok)
{
	int sk;

	if (!opts.use_page_server || opts.check_only)
		return 0;
	sk = ps_request(PS_END, ok ? "ok" : "failed");
	return sk < 0 ? -1 : ps_result(sk, "the end of the dump");
}

int ps_read_header(int sk, enum ps_kind *kind, char *name, size_t size)
{
	unsigned char head[8];
	size_t len;

	if (read_full(sk, head, sizeof(head)))
		return -1;
	len = (head[6] << 8) | head[7];
	if (memcmp(head, PS_MAGIC, 4) || head[4] != PS_VERSION || len >= size) {
		errno = EPROTO;
		return -1;
	}
	if (read_full(sk, name, len))
		return -1;
	name[len] = 0;
	*kind = head[5];
	return 0;
}

int ps_answer(int sk, int err)
{
	uint32_t e = htonl(err);

	return write_full(sk, &e, sizeof(e));
}
