/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_UTIL_SHA256_H
#define CR_UTIL_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * SHA-256 (FIPS 180-4), streaming. Used to tell whether a mapped executable
 * or library at restore is the one the tree ran at dump, where size and
 * mtime can be kept while the bytes change.
 */
#define SHA256_DIGEST_LEN 32
#define SHA256_BLOCK_LEN 64

struct sha256_ctx {
	uint32_t h[8];
	uint64_t total;			/* bytes fed so far */
	uint8_t buf[SHA256_BLOCK_LEN];
	size_t nbuf;			/* bytes waiting in buf */
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_DIGEST_LEN]);

/* One-shot digest of a buffer. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_LEN]);

/*
 * Digest of everything readable from @fd, read from offset 0 with pread
 * (the fd's offset is left alone); *size gets the byte count. -1 with errno
 * set on a read error.
 */
int sha256_fd(int fd, uint8_t out[SHA256_DIGEST_LEN], uint64_t *size);

/* 64 lowercase hex digits and a NUL. */
void sha256_hex(const uint8_t d[SHA256_DIGEST_LEN], char hex[2 * SHA256_DIGEST_LEN + 1]);

/*
 * The block function: the x86 SHA extensions when the CPU has them, else
 * portable C. Selectable so tests can hold both to the same vectors.
 */
enum sha256_impl {
	SHA256_IMPL_AUTO,
	SHA256_IMPL_GENERIC,
	SHA256_IMPL_SHANI,
};

/* 0, or -1 when this CPU cannot run @impl (the choice is then unchanged). */
int sha256_select(enum sha256_impl impl);
const char *sha256_impl_name(void);

#endif
