/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_IMAGES_PAGE_SINK_H
#define CR_IMAGES_PAGE_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Where pages images go: the images directory, or with --page-server a
 * page server (criu page-server) that writes them into its own directory.
 *
 * The page server protocol, over TCP, one connection per request: the
 * client sends a header (PS_MAGIC, version, kind, name length as 16 bits
 * big endian, the name), then for PS_FILE the file's bytes until it shuts
 * down its sending side; the server answers with 4 bytes, big endian: 0 or
 * the errno of what failed.
 */
#define PS_MAGIC "CRPS"
#define PS_VERSION 1

enum ps_kind {
	PS_HELLO = 1,	/* is a page server there: answered at once */
	PS_FILE = 2,	/* a pages image named in the header */
	PS_END = 3,	/* the dump is over (the name is "ok" or "failed"): the
			 * server answers once every file is written, and exits */
};

/* Open pages image @name for writing: a file, or a stream to the page server. */
int page_sink_open(const char *name);
/* All of @buf, or -1 with errno. */
int page_sink_write(int fd, const void *buf, size_t len);
/* Close it: for the page server, wait until the server has written it all. */
int page_sink_close(int fd, const char *name);
/* --page-server: check that the server answers (before the tree is frozen). */
int page_sink_start(void);
/* --page-server: tell the server the dump is over (@ok: it succeeded). */
int page_sink_end(bool ok);

/* The page server side: read a request header from @sk. */
int ps_read_header(int sk, enum ps_kind *kind, char *name, size_t size);
int ps_answer(int sk, int err);

#endif
