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

int leofs_crc32c_blocks(const void *buf, size_t len, size_t block_size,
			u32 *crcs)
{
	const u8 *p = buf;
	size_t i;

	if (!block_size)
		return -EINVAL;
	for (i = 0; len; i++) {
		size_t n = len < block_size ? len : block_size;

		crcs[i] = leofs_crc32c(0, p, n);
		p += n;
		len -= n;
	}
	return 0;
}

int leofs_crc32c_blocks_le(const void *buf, size_t len, size_t block_size,
			   u8 *out)
{
	const u8 *p = buf;

	if (!block_size)
		return -EINVAL;
	while (len) {
		size_t n = len < block_size ? len : block_size;

		put_unaligned_le32(leofs_crc32c(0, p, n), out);
		out += 4;
		p += n;
		len -= n;
	}
	return 0;
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
