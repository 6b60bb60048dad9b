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

/* The CRC of A then B from crc(A), crc(B) and len(B), for every cut. */
static void test_combine(void **state)
{
	size_t len = 70000, cut;
	u8 *buf = malloc(len);
	u32 whole;

	(void)state;
	assert_non_null(buf);
	fill_random(buf, len, 4);
	whole = leofs_crc32c(0, buf, len);
	for (cut = 0; cut <= len; cut += cut < 600 ? 1 : 4093)
		assert_int_equal(leofs_crc32c_combine(
					 leofs_crc32c(0, buf, cut),
					 leofs_crc32c(0, buf + cut, len - cut),
					 len - cut),
				 whole);
	assert_int_equal(leofs_crc32c_combine(whole, 0, 0), whole);
	assert_int_equal(leofs_crc32c_combine(0, whole, len), whole);
	free(buf);
}

/*
 * The CRC of a buffer from its block CRCs: 4 KiB blocks (the table path)
 * and other sizes, whole and short last blocks, one block, none.
 */
static void test_join(void **state)
{
	static const size_t sizes[] = { 4096, 1000, 1, 65536 };
	static const size_t lens[] = { 0, 1, 999, 1000, 4095, 4096, 4097,
				       8192, 3 * 4096 + 100, 300000,
				       1 << 20 };
	size_t max = 1 << 20, i, j;
	u8 *buf = malloc(max);
	u32 *crcs = malloc(max * sizeof(u32));

	(void)state;
	assert_non_null(buf);
	assert_non_null(crcs);
	fill_random(buf, max, 5);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (j = 0; j < ARRAY_SIZE(lens); j++) {
			if (sizes[i] == 1 && lens[j] > 8192)
				continue;
			assert_int_equal(leofs_crc32c_blocks(buf, lens[j],
							     sizes[i], crcs),
					 0);
			assert_int_equal(
				leofs_crc32c_join(crcs, lens[j], sizes[i]),
				leofs_crc32c(0, buf, lens[j]));
		}
	}
	/* a changed block CRC changes the result */
	leofs_crc32c_blocks(buf, 8192, 4096, crcs);
	crcs[1] ^= 1;
	assert_int_not_equal(leofs_crc32c_join(crcs, 8192, 4096),
			     leofs_crc32c(0, buf, 8192));
	free(crcs);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_chaining),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_combine),
		cmocka_unit_test(test_join),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
