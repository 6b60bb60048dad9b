/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where kernel and userspace builds of the shared code
 * (lib/proto, lib/placement) differ. Everything else in those libraries is
 * plain C that compiles unchanged on both sides.
 */
#ifndef LEOFS_COMPAT_H
#define LEOFS_COMPAT_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/kernel.h>
#include <linux/crc32c.h>
#include <asm/unaligned.h>

static inline u32 leofs_crc32c(u32 crc, const void *buf, size_t len)
{
	/* kernel crc32c() neither pre- nor post-inverts */
	return ~crc32c(~crc, buf, len);
}

#else /* userspace */

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "leofs userspace currently builds on little-endian hosts only"
#endif

static inline u16 get_unaligned_le16(const void *p)
{
	u16 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline u32 get_unaligned_le32(const void *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline u64 get_unaligned_le64(const void *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void put_unaligned_le16(u16 v, void *p)
{
	memcpy(p, &v, sizeof(v));
}

static inline void put_unaligned_le32(u32 v, void *p)
{
	memcpy(p, &v, sizeof(v));
}

static inline void put_unaligned_le64(u64 v, void *p)
{
	memcpy(p, &v, sizeof(v));
}

/*
 * Standard CRC32C (Castagnoli, reflected, init ~0, final xor ~0), chainable:
 * leofs_crc32c(leofs_crc32c(0, a, n), b, m) == leofs_crc32c(0, a||b, n+m).
 * Userspace implements it in lib/ec/crc.c over ISA-L.
 */
u32 leofs_crc32c(u32 crc, const void *buf, size_t len);

#endif /* __KERNEL__ */

#endif /* LEOFS_COMPAT_H */
