// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-256 as FIPS 180-4 defines it: a portable block function, and one on
 * the x86 SHA extensions, picked at first use. The portable one runs at a
 * few hundred MB/s, which would double the dump time of a tiny process
 * that maps libc; the SHA extensions are several times faster.
 */
#include <cpuid.h>
#include <errno.h>
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/sha256.h"

/* fractional parts of the cube roots of the first 64 primes */
static const uint32_t K[64] __attribute__((aligned(16))) = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* fractional parts of the square roots of the first 8 primes */
static const uint32_t H0[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static inline uint32_t ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static inline uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void blocks_generic(uint32_t h[8], const uint8_t *p, size_t n)
{
	for (; n; n--, p += SHA256_BLOCK_LEN) {
		uint32_t w[64], a = h[0], b = h[1], c = h[2], d = h[3];
		uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];

		for (int t = 0; t < 16; t++)
			w[t] = load_be32(p + 4 * t);
		for (int t = 16; t < 64; t++) {
			uint32_t s0 = ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^ (w[t - 15] >> 3);
			uint32_t s1 = ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^ (w[t - 2] >> 10);

			w[t] = w[t - 16] + s0 + w[t - 7] + s1;
		}
		for (int t = 0; t < 64; t++) {
			uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) +
				      K[t] + w[t];
			uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
				      ((a & b) ^ (a & c) ^ (b & c));

			hh = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		h[0] += a;
		h[1] += b;
		h[2] += c;
		h[3] += d;
		h[4] += e;
		h[5] += f;
		h[6] += g;
		h[7] += hh;
	}
}

/*
 * SHA extensions: sha256rnds2 does two rounds on the state split as
 * (A,B,E,F) and (C,D,G,H); sha256msg1/msg2 extend the message schedule
 * four words at a time, the W[t-7] term added in between by an alignr.
 */
#define SHANI_TARGET __attribute__((target("sha,sse4.1,ssse3")))

SHANI_TARGET static void blocks_shani(uint32_t h[8], const uint8_t *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i abcd = _mm_loadu_si128((const __m128i *)&h[0]);
	__m128i efgh = _mm_loadu_si128((const __m128i *)&h[4]);
	__m128i abef, cdgh;

	abcd = _mm_shuffle_epi32(abcd, 0xB1);			/* b a d c */
	efgh = _mm_shuffle_epi32(efgh, 0x1B);			/* h g f e */
	abef = _mm_alignr_epi8(abcd, efgh, 8);			/* f e b a */
	cdgh = _mm_blend_epi16(efgh, abcd, 0xF0);		/* h g d c */

	for (; n; n--, p += SHA256_BLOCK_LEN) {
		__m128i m[4], save_abef = abef, save_cdgh = cdgh;

#pragma GCC unroll 16
		for (int i = 0; i < 16; i++) {
			__m128i w, k;

			if (i < 4) {
				w = _mm_loadu_si128((const __m128i *)(p + 16 * i));
				w = _mm_shuffle_epi8(w, bswap);
			} else {
				w = _mm_sha256msg1_epu32(m[i % 4], m[(i + 1) % 4]);
				w = _mm_add_epi32(w, _mm_alignr_epi8(m[(i + 3) % 4], m[(i + 2) % 4], 4));
				w = _mm_sha256msg2_epu32(w, m[(i + 3) % 4]);
			}
			m[i % 4] = w;
			k = _mm_add_epi32(w, _mm_load_si128((const __m128i *)&K[4 * i]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, k);
			k = _mm_shuffle_epi32(k, 0x0E);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, k);
		}
		abef = _mm_add_epi32(abef, save_abef);
		cdgh = _mm_add_epi32(cdgh, save_cdgh);
	}

	abef = _mm_shuffle_epi32(abef, 0x1B);			/* a b e f */
	cdgh = _mm_shuffle_epi32(cdgh, 0xB1);			/* g h c d */
	abcd = _mm_blend_epi16(abef, cdgh, 0xF0);		/* a b c d */
	efgh = _mm_alignr_epi8(cdgh, abef, 8);			/* e f g h */
	_mm_storeu_si128((__m128i *)&h[0], abcd);
	_mm_storeu_si128((__m128i *)&h[4], efgh);
}

static bool cpu_has_shani(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 29)))
		return false;
	/* SSSE3 and SSE4.1 for the shuffles and blends around the rounds */
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return false;
	return (c & bit_SSSE3) && (c & bit_SSE4_1);
}

static void (*blocks)(uint32_t h[8], const uint8_t *p, size_t n);

int sha256_select(enum sha256_impl impl)
{
	switch (impl) {
	case SHA256_IMPL_AUTO:
		blocks = cpu_has_shani() ? blocks_shani : blocks_generic;
		return 0;
	case SHA256_IMPL_GENERIC:
		blocks = blocks_generic;
		return 0;
	case SHA256_IMPL_SHANI:
		if (!cpu_has_shani()) {
			errno = ENOTSUP;
			return -1;
		}
		blocks = blocks_shani;
		return 0;
	}
	errno = EINVAL;
	return -1;
}

const char *sha256_impl_name(void)
{
	if (!blocks)
		sha256_select(SHA256_IMPL_AUTO);
	return blocks == blocks_shani ? "sha-ni" : "generic";
}

void sha256_init(struct sha256_ctx *c)
{
	if (!blocks)
		sha256_select(SHA256_IMPL_AUTO);
	memcpy(c->h, H0, sizeof(H0));
	c->total = 0;
	c->nbuf = 0;
}

void sha256_update(struct sha256_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	c->total += len;
	if (c->nbuf) {
		size_t take = SHA256_BLOCK_LEN - c->nbuf;

		if (take > len)
			take = len;
		memcpy(c->buf + c->nbuf, p, take);
		c->nbuf += take;
		p += take;
		len -= take;
		if (c->nbuf < SHA256_BLOCK_LEN)
			return;
		blocks(c->h, c->buf, 1);
		c->nbuf = 0;
	}
	if (len >= SHA256_BLOCK_LEN) {
		size_t nb = len / SHA256_BLOCK_LEN;

		blocks(c->h, p, nb);
		p += nb * SHA256_BLOCK_LEN;
		len -= nb * SHA256_BLOCK_LEN;
	}
	if (len) {
		memcpy(c->buf, p, len);
		c->nbuf = len;
	}
}

void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_DIGEST_LEN])
{
	uint64_t bits = c->total * 8;

	/* a 1 bit, zeros up to 56 mod 64, then the length in bits, big-endian */
	c->buf[c->nbuf++] = 0x80;
	if (c->nbuf > SHA256_BLOCK_LEN - 8) {
		memset(c->buf + c->nbuf, 0, SHA256_BLOCK_LEN - c->nbuf);
		blocks(c->h, c->buf, 1);
		c->nbuf = 0;
	}
	memset(c->buf + c->nbuf, 0, SHA256_BLOCK_LEN - 8 - c->nbuf);
	store_be32(c->buf + 56, bits >> 32);
	store_be32(c->buf + 60, (uint32_t)bits);
	blocks(c->h, c->buf, 1);
	for (int i = 0; i < 8; i++)
		store_be32(out + 4 * i, c->h[i]);
	memset(c, 0, sizeof(*c));
}

void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_LEN])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final(&c, out);
}

/*
 * Small enough for malloc to serve from its heap and hand the same pages
 * back next time: a fresh mmap'ed buffer per file costs a page fault per
 * page, which on a paravirtualized guest doubled the time for libc.
 */
#define FD_CHUNK (64UL << 10)

int sha256_fd(int fd, uint8_t out[SHA256_DIGEST_LEN], uint64_t *size)
{
	struct sha256_ctx c;
	uint8_t *buf = malloc(FD_CHUNK);
	off_t off = 0;

	if (!buf)
		return -1;
	sha256_init(&c);
	for (;;) {
		ssize_t r = pread(fd, buf, FD_CHUNK, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		sha256_update(&c, buf, r);
		off += r;
	}
	free(buf);
	sha256_final(&c, out);
	if (size)
		*size = off;
	return 0;
}

void sha256_hex(const uint8_t d[SHA256_DIGEST_LEN], char hex[2 * SHA256_DIGEST_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < SHA256_DIGEST_LEN; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * SHA256_DIGEST_LEN] = 0;
}
