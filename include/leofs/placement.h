/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Data and metadata placement, computed from the cluster map alone.
 *
 * Shared by the kernel module and userspace: integer arithmetic only, no
 * allocation (callers pass a workspace), no locks. Every client that holds
 * the same map computes bit-for-bit the same placement.
 *
 * See Documentation/placement.md for the algorithm and its guarantees.
 */
#ifndef LEOFS_PLACEMENT_H
#define LEOFS_PLACEMENT_H

#include "compat.h"
#include "map.h"

/* Limits of one PG table. */
#define LEOFS_PG_WIDTH_MAX	LEOFS_MAP_MAX_WIDTH	/* K+M or N */
#define LEOFS_PG_NUM_MAX	(1u << 22)

/* Inode ids: home metadata shard in the top 16 bits. */
#define LEOFS_INO_SHARD_SHIFT	48
#define LEOFS_INO_LOCAL_MASK	((1ull << LEOFS_INO_SHARD_SHIFT) - 1)

/*
 * Hashes. All are fixed functions of their integer inputs (little-endian
 * byte order for leofs_hash_bytes()) and never change across releases:
 * placement is persistent state.
 */
u64 leofs_hash64(u64 x);
u64 leofs_hash2(u64 a, u64 b);
u64 leofs_hash3(u64 a, u64 b, u64 c);
u64 leofs_hash_bytes(u64 seed, const void *buf, size_t len);

/* Hash of (inode, stripe slot): the input of leofs_stripe_pg(). */
u64 leofs_hash_ino_slot(u64 ino, u32 slot);

/*
 * -ln(u / 2^32) in 32.32 fixed point, for u in [1, 2^32 - 1]; u = 0 is
 * treated as 1. Monotonically non-increasing in u.
 */
u64 leofs_neg_ln32(u32 u);

static inline u16 leofs_ino_shard(u64 ino)
{
	return (u16)(ino >> LEOFS_INO_SHARD_SHIFT);
}

/* local_id is truncated to its low 48 bits. */
static inline u64 leofs_ino_make(u16 shard, u64 local_id)
{
	return ((u64)shard << LEOFS_INO_SHARD_SHIFT) |
	       (local_id & LEOFS_INO_LOCAL_MASK);
}

/*
 * PG of stripe 'stripe' of inode 'ino' striped over 'stripe_count' slots:
 * H(ino, stripe mod stripe_count) mod pg_num. Returns 0 if pg_num or
 * stripe_count is 0 (callers validate both).
 */
u32 leofs_stripe_pg(u64 ino, u64 stripe, u32 stripe_count, u32 pg_num);

/*
 * Shard for a new directory named name[0..len) under 'parent': weighted
 * (straw2) choice over the map's shards with weight > 0. Returns 0 and sets
 * *shard, or -ENOENT if no shard has weight.
 */
int leofs_dir_shard(const struct leofs_map *map, u64 parent, const void *name,
		    size_t len, u16 *shard);

/*
 * PG table of one pool at one map epoch: pg_num rows of 'width' target
 * ids, rank order (rank 0 = primary; for EC the rank is the fragment
 * index).
 */
struct leofs_pg_table {
	u64 epoch;
	u32 pool_id;
	u32 pg_num;
	u32 width;
	u32 reserved;
	u32 targets[];		/* pg_num * width target ids */
};

/* Bytes for a table of pg_num x width, 0 if beyond the limits. */
size_t leofs_pg_table_size(u32 pg_num, u32 width);

/*
 * Bytes of workspace leofs_pg_table_build() needs for a map with
 * target_count targets and a pool of pg_num x width; 0 if beyond limits.
 */
size_t leofs_pg_table_work_size(u32 target_count, u32 pg_num, u32 width);

/*
 * Compute the PG table of pool 'pool_id' for 'map': the straw2 table, then
 * the map's overrides for (pool_id, width). An override takes effect only
 * if its target is eligible (see -ENOSPC) and no other rank of the row is
 * on the target's node; otherwise it is ignored. Every rank of a PG is on
 * a different node. Returns 0, or:
 *   -ENOENT  no pool with that id
 *   -EINVAL  width or pg_num out of range, a buffer too small, targets
 *            not sorted by (node_id, id), or overrides not sorted and
 *            unique (map.h) or beyond LEOFS_MAP_MAX_OVERRIDES
 *   -ENOSPC  fewer nodes with an eligible target (pool tier, weight > 0,
 *            target and node IN) than width
 * On error *table is left untouched.
 */
int leofs_pg_table_build(const struct leofs_map *map, u32 pool_id, u32 width,
			 void *work, size_t work_size,
			 struct leofs_pg_table *table, size_t table_size);

static inline u32 leofs_pg_target(const struct leofs_pg_table *t, u32 pg,
				  u32 rank)
{
	return t->targets[(size_t)pg * t->width + rank];
}

static inline const u32 *leofs_pg_row(const struct leofs_pg_table *t, u32 pg)
{
	return &t->targets[(size_t)pg * t->width];
}

#endif /* LEOFS_PLACEMENT_H */
