/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inode ids: the home metadata shard in the top 16 bits, a per-shard local
 * id in the low 48. The same split as leofs_ino_shard()/leofs_ino_make() of
 * include/leofs/placement.h; kept here as the engine's one place for it.
 */
#ifndef MDS_INO_H
#define MDS_INO_H

#include "leofs/compat.h"

#define MDS_INO_SHARD_SHIFT 48
#define MDS_INO_LOCAL_MASK  ((1ull << MDS_INO_SHARD_SHIFT) - 1)

static inline u16 mds_ino_shard(u64 ino)
{
	return (u16)(ino >> MDS_INO_SHARD_SHIFT);
}

static inline u64 mds_ino_local(u64 ino)
{
	return ino & MDS_INO_LOCAL_MASK;
}

static inline u64 mds_ino_make(u16 shard, u64 local)
{
	return ((u64)shard << MDS_INO_SHARD_SHIFT) |
	       (local & MDS_INO_LOCAL_MASK);
}

#endif /* MDS_INO_H */
