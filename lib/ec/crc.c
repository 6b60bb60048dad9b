// SPDX-License-Identifier: GPL-2.0
/*
 * CRC32C (Castagnoli) over ISA-L's crc32_iscsi(), which neither pre- nor
 * post-inverts: the standard CRC is ~crc32_iscsi(buf, len, ~0).
 */
#include <limits.h>

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
