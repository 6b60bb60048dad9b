// SPDX-License-Identifier: GPL-2.0
/*
 * Stable 64-bit hashes for placement. Built from the splitmix64 finaliser,
 * a bijection on 64 bits with full avalanche; integer operations only, so
 * the kernel and userspace agree bit for bit.
 */
#include "internal.h"

#define HASH_K1 0x9e3779b97f4a7c15ull
#define HASH_K2 0xc2b2ae3d27d4eb4full
#define HASH_K3 0x165667b19e3779f9ull

u64 leofs_hash64(u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

u64 leofs_hash2(u64 a, u64 b)
{
	return leofs_hash64(leofs_hash64(a + HASH_K1) ^ (b + HASH_K2));
}

u64 leofs_hash3(u64 a, u64 b, u64 c)
{
	return leofs_hash64(leofs_hash2(a, b) ^ (c + HASH_K3));
}

u64 leofs_hash_bytes(u64 seed, const void *buf, size_t len)
{
	const u8 *p = buf;
	u64 h = leofs_hash2(seed, len);
	u8 tail[8];
	size_t i;

	for (i = 0; i + 8 <= len; i += 8)
		h = leofs_hash2(h, get_unaligned_le64(p + i));
	if (i < len) {
		memset(tail, 0, sizeof(tail));
		memcpy(tail, p + i, len - i);
		h = leofs_hash2(h, get_unaligned_le64(tail));
	}
	return h;
}

u64 leofs_hash_ino_slot(u64 ino, u32 slot)
{
	return leofs_hash3(LEOFS_SALT_STRIPE, ino, slot);
}
