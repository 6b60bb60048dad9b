// SPDX-License-Identifier: GPL-2.0
/*
 * CRC32C (Castagnoli) over ISA-L's crc32_iscsi(), which neither pre- nor
 * post-inverts: the standard CRC is ~crc32_iscsi(buf, len, ~0).
 */
#include <limits.h>
#include <pthread.h>

#include <isa-l/crc.h>

#include "leofs/crc.h"

/* crc32_iscsi() takes an int length. */
#define CRC_CHUNK_MAX ((size_t)INT_MAX & ~(size_t)63)

u32 leofs_crc32c(u32 crc, const void *buf, size_t len)
{
	const u8 *p = buf;

	crc = ~crc;
	while (len) {
		size_t n = len < CRC_CHUNK_MAX ? len : CRC_CHUNK_MAX;

		crc = crc32_iscsi((u8 *)p, (int)n, crc);
		p += n;
		len -= n;
	}
	return ~crc;
}

/* The CRC of each block of @buf into crcs[] (host order) or out (wire). */
static int crc_blocks(const void *buf, size_t len, size_t block_size,
		      u32 *crcs, u8 *out)
{
	const u8 *p = buf;
	size_t i;

	if (!block_size)
		return -EINVAL;
	for (i = 0; len; i++) {
		size_t n = len < block_size ? len : block_size;
		u32 crc = leofs_crc32c(0, p, n);

		if (out)
			put_unaligned_le32(crc, out + 4 * i);
		else
			crcs[i] = crc;
		p += n;
		len -= n;
	}
	return 0;
}

int leofs_crc32c_blocks(const void *buf, size_t len, size_t block_size,
			u32 *crcs)
{
	return crc_blocks(buf, len, block_size, crcs, NULL);
}

int leofs_crc32c_blocks_le(const void *buf, size_t len, size_t block_size,
			   u8 *out)
{
	return crc_blocks(buf, len, block_size, NULL, out);
}

int leofs_crc32c_verify_blocks(const void *buf, size_t len, size_t block_size,
			       const u32 *crcs, size_t *bad)
{
	const u8 *p = buf;
	size_t i;

	if (!block_size)
		return -EINVAL;
	for (i = 0; len; i++) {
		size_t n = len < block_size ? len : block_size;

		if (leofs_crc32c(0, p, n) != crcs[i]) {
			*bad = i;
			return -EBADMSG;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * Combining CRCs without the data. A CRC32C is the message as a polynomial
 * over GF(2) modulo P (bit-reflected: bit 31 is x^0), so the CRC of A
 * followed by B is crc(A) * x^(8 len(B)) + crc(B) mod P; the pre- and
 * post-inversion cancel out in that sum.
 */
#define CRC32C_POLY 0x82f63b78u	/* P, reflected */
#define X0 (1u << 31)		/* the polynomial 1 */

/* a * b mod P */
static u32 mulmod(u32 a, u32 b)
{
	u32 m = X0, p = 0;

	while (m) {
		if (a & m)
			p ^= b;
		m >>= 1;
		b = b & 1 ? (b >> 1) ^ CRC32C_POLY : b >> 1;
	}
	return p;
}

/* x^(2^k) mod P for k < 64; a shift by 8n bits is a product of them */
static u32 x2k[64];
/* multiplication by x^(8 * JOIN_BLOCK), one table per byte of the factor */
#define JOIN_BLOCK 4096
static u32 shift_block[4][256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* x^(8n) mod P */
static u32 x8n(size_t n)
{
	u64 bits = (u64)n << 3;
	u32 p = X0;
	int k;

	for (k = 0; bits; k++, bits >>= 1)
		if (bits & 1)
			p = mulmod(x2k[k], p);
	return p;
}

static void tables_init(void)
{
	u32 op;
	int k, b;

	x2k[0] = X0 >> 1;	/* x */
	for (k = 1; k < 64; k++)
		x2k[k] = mulmod(x2k[k - 1], x2k[k - 1]);
	op = x8n(JOIN_BLOCK);
	for (k = 0; k < 4; k++)
		for (b = 0; b < 256; b++)
			shift_block[k][b] = mulmod(op, (u32)b << (8 * k));
}

/* crc * x^(8 * JOIN_BLOCK) mod P */
static u32 shift_one_block(u32 crc)
{
	return shift_block[0][crc & 255] ^ shift_block[1][(crc >> 8) & 255] ^
	       shift_block[2][(crc >> 16) & 255] ^ shift_block[3][crc >> 24];
}

u32 leofs_crc32c_combine(u32 crc_a, u32 crc_b, size_t len_b)
{
	pthread_once(&tables_once, tables_init);
	return mulmod(x8n(len_b), crc_a) ^ crc_b;
}

u32 leofs_crc32c_join(const u32 *crcs, size_t len, size_t block_size)
{
	bool table = block_size == JOIN_BLOCK;
	u32 crc, op = 0;
	size_t i, nblk;

	if (!len || !block_size)
		return 0;
	pthread_once(&tables_once, tables_init);
	if (!table)
		op = x8n(block_size);
	nblk = leofs_crc32c_nblocks(len, block_size);
	crc = crcs[0];
	/* the whole blocks after the first, then the last, maybe short */
	for (i = 1; i + 1 < nblk; i++)
		crc = (table ? shift_one_block(crc) : mulmod(op, crc)) ^ crcs[i];
	if (nblk > 1)
		crc = mulmod(x8n(len - (nblk - 1) * block_size), crc) ^
		      crcs[nblk - 1];
	return crc;
}
