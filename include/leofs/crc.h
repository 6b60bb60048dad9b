/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CRC32C over fixed-size blocks (userspace only). leofs_crc32c() itself is
 * declared in leofs/compat.h. A buffer of len bytes is split into blocks of
 * block_size bytes; the last block may be shorter.
 */
#ifndef LEOFS_CRC_H
#define LEOFS_CRC_H

#include "leofs/compat.h"

/* Number of blocks (and CRCs) covering len bytes. */
static inline size_t leofs_crc32c_nblocks(size_t len, size_t block_size)
{
	return len / block_size + (len % block_size != 0);
}

/*
 * Store the CRC32C of each block of @buf into @crcs, which has room for
 * leofs_crc32c_nblocks(len, block_size) entries. Returns 0, or -EINVAL if
 * block_size is 0.
 */
int leofs_crc32c_blocks(const void *buf, size_t len, size_t block_size,
			u32 *crcs);

/*
 * leofs_crc32c_blocks() with each CRC stored little-endian, 4 bytes apart
 * (as the wire carries them), into @out.
 */
int leofs_crc32c_blocks_le(const void *buf, size_t len, size_t block_size,
			   u8 *out);

/*
 * Check each block of @buf against @crcs. Returns 0 when all match,
 * -EBADMSG with *bad set to the index of the first mismatching block, or
 * -EINVAL if block_size is 0.
 */
int leofs_crc32c_verify_blocks(const void *buf, size_t len, size_t block_size,
			       const u32 *crcs, size_t *bad);

/*
 * CRC32C of A followed by B, from the CRC32C of each and B's length,
 * without reading either.
 */
u32 leofs_crc32c_combine(u32 crc_a, u32 crc_b, size_t len_b);

/*
 * CRC32C of @len bytes from the CRCs of their blocks (as
 * leofs_crc32c_blocks() gives them), without reading the data: a few
 * table lookups per block of 4 KiB (other block sizes work, slower).
 */
u32 leofs_crc32c_join(const u32 *crcs, size_t len, size_t block_size);

#endif /* LEOFS_CRC_H */
