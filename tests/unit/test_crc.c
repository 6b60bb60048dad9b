// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for leofs_crc32c() and the per-block CRC helpers, against
 * published vectors and a bitwise reference implementation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "leofs/crc.h"

static u32 ref_crc32c(u32 crc, const u8 *p, size_t len)
{
	unsigned int b;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (b = 0; b < 8; b++)
			crc = crc >> 1 ^ (0x82f63b78 & -(crc & 1));
	}
	return ~crc;
}

static void fill_random(u8 *p, size_t len, u32 seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245 + 12345;
		p[i] = (u8)(seed >> 16);
	}
}

static void test_vectors(void **state)
{
	u8 buf[32];
	unsigned int i;

	(void)state;
	assert_int_equal(leofs_crc32c(0, "123456789", 9), 0xe3069283);
	assert_int_equal(leofs_crc32c(0, "", 0), 0);
	assert_int_equal(leofs_crc32c(0x12345678, NULL, 0), 0x12345678);

	/* RFC 3720, B.4 */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(leofs_crc32c(0, buf, 32), 0x8a9136aa);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(leofs_crc32c(0, buf, 32), 0x62a8ab43);
	for (i = 0; i < 32; i++)
		buf[i] = (u8)i;
	assert_int_equal(leofs_crc32c(0, buf, 32), 0x46dd794e);
	for (i = 0; i < 32; i++)
		buf[i] = (u8)(31 - i);
	assert_int_equal(leofs_crc32c(0, buf, 32), 0x113fdb5c);
}

/* Every length and alignment up to a few SIMD strides, and larger sizes. */
static void test_reference(void **state)
{
	size_t len, off;
	u8 *buf = malloc(70000);

	(void)state;
	assert_non_null(buf);
	fill_random(buf, 70000, 1);
	for (len = 0; len <= 600; len++)
		for (off = 0; off < 8; off++)
			assert_int_equal(leofs_crc32c(0, buf + off, len),
					 ref_crc32c(0, buf + off, len));
	for (len = 1000; len <= 69000; len += 4099)
		assert_int_equal(leofs_crc32c(0, buf + 3, len),
				 ref_crc32c(0, buf + 3, len));
	free(buf);
}

static void test_chaining(void **state)
{
	u8 buf[3000];
	u32 whole, crc;
	size_t cut, cut2;

	(void)state;
	fill_random(buf, sizeof(buf), 2);
	whole = leofs_crc32c(0, buf, sizeof(buf));
	for (cut = 0; cut <= sizeof(buf); cut += 7) {
		crc = leofs_crc32c(0, buf, cut);
		assert_int_equal(
			leofs_crc32c(crc, buf + cut, sizeof(buf) - cut), whole);
	}
	for (cut = 0; cut < 200; cut++) {
		for (cut2 = cut; cut2 < 200; cut2 += 13) {
			crc = leofs_crc32c(0, buf, cut);
			crc = leofs_crc32c(crc, buf + cut, cut2 - cut);
			crc = leofs_crc32c(crc, buf + cut2, sizeof(buf) - cut2);
			assert_int_equal(crc, whole);
		}
	}
}

static void test_blocks(void **state)
{
	const size_t bs = 4096, len = 3 * 4096 + 100;
	u8 *buf = malloc(len);
	u32 crcs[4];
	u8 le[17];
	size_t bad = 99, i;

	(void)state;
	assert_non_null(buf);
	fill_random(buf, len, 3);
	assert_int_equal(leofs_crc32c_nblocks(len, bs), 4);
	assert_int_equal(leofs_crc32c_nblocks(3 * bs, bs), 3);
	assert_int_equal(leofs_crc32c_nblocks(0, bs), 0);
	assert_int_equal(leofs_crc32c_nblocks(1, bs), 1);

	assert_int_equal(leofs_crc32c_blocks(buf, len, bs, crcs), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(crcs[i], leofs_crc32c(0, buf + i * bs, bs));
	assert_int_equal(crcs[3], leofs_crc32c(0, buf + 3 * bs, 100));
	assert_int_equal(leofs_crc32c_verify_blocks(buf, len, bs, crcs, &bad),
			 0);
	assert_int_equal(bad, 99);
	/* the same CRCs as the wire carries them: little-endian, in order */
	memset(le, 0xee, sizeof(le));
	assert_int_equal(leofs_crc32c_blocks_le(buf, len, bs, le), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(le[4 * i] | le[4 * i + 1] << 8 |
					 le[4 * i + 2] << 16 |
					 (u32)le[4 * i + 3] << 24,
				 crcs[i]);
	assert_int_equal(le[16], 0xee); /* nothing past the last block */
	assert_int_equal(leofs_crc32c_blocks_le(buf, len, 0, le), -EINVAL);

	buf[2 * bs + 17] ^= 0x01;
	assert_int_equal(leofs_crc32c_verify_blocks(buf, len, bs, crcs, &bad),
			 -EBADMSG);
	assert_int_equal(bad, 2);
	buf[3 * bs + 99] ^= 0x80;
	assert_int_equal(leofs_crc32c_verify_blocks(buf, len, bs, crcs, &bad),
			 -EBADMSG);
	assert_int_equal(bad, 2);
	buf[2 * bs + 17] ^= 0x01;
	assert_int_equal(leofs_crc32c_verify_blocks(buf, len, bs, crcs, &bad),
			 -EBADMSG);
	assert_int_equal(bad, 3);

	assert_int_equal(leofs_crc32c_blocks(buf, len, 0, crcs), -EINVAL);
	assert_int_equal(leofs_crc32c_verify_blocks(buf, len, 0, crcs, &bad),
			 -EINVAL);
	assert_int_equal(leofs_crc32c_blocks(NULL, 0, bs, NULL), 0);
	assert_int_equal(leofs_crc32c_verify_blocks(NULL, 0, bs, NULL, &bad),
			 0);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_chaining),
		cmocka_unit_test(test_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
