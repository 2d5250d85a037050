// SPDX-License-Identifier: GPL-2.0
/* Deterministic test data and CRC-32. */
#include "zdtmtst.h"

static inline uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

static inline uint32_t seed_state(uint32_t seed)
{
	/* Mix the seed so that nearby seeds give unrelated streams; never 0. */
	uint32_t s = seed * 0x9e3779b9u + 0x7f4a7c15u;

	s ^= s >> 16;
	return s ? s : 0x2545f491u;
}

void datagen(void *buf, size_t len, uint32_t seed)
{
	uint32_t s = seed_state(seed);
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i + 4 <= len; i += 4) {
		uint32_t v = xorshift32(&s);

		memcpy(p + i, &v, 4);
	}
	if (i < len) {
		uint32_t v = xorshift32(&s);

		memcpy(p + i, &v, len - i);
	}
}

bool datachk(const void *buf, size_t len, uint32_t seed)
{
	uint32_t s = seed_state(seed);
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i + 4 <= len; i += 4) {
		uint32_t v = xorshift32(&s);

		if (memcmp(p + i, &v, 4))
			return false;
	}
	if (i < len) {
		uint32_t v = xorshift32(&s);

		if (memcmp(p + i, &v, len - i))
			return false;
	}
	return true;
}

static uint32_t crc_table[256];

static void __attribute__((constructor)) crc_init(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

/* zlib convention: crc32_update(0, buf, len) is the standard CRC-32. */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
