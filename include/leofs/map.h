/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cluster map, in memory. One versioned (epoch) description of the whole
 * cluster that every daemon and client caches: MDS nodes and the metadata
 * shards they serve, OSS nodes with their targets, and pools.
 *
 * Shared by the kernel module and userspace. The arrays are owned by whoever
 * built or decoded the map (lib/proto decodes it into caller-provided
 * arrays); the placement library only reads it.
 *
 * Identifiers (node, target, pool, mds, shard ids) are stable across epochs
 * and are what the placement hashes; array indexes are not.
 */
#ifndef LEOFS_MAP_H
#define LEOFS_MAP_H

#include "compat.h"

/* Documented limits; decoders reject maps beyond them. */
#define LEOFS_MAP_MAX_NODES	 65536
#define LEOFS_MAP_MAX_TARGETS	 262144
#define LEOFS_MAP_MAX_POOLS	 256
#define LEOFS_MAP_MAX_MDS	 256
#define LEOFS_MAP_MAX_SHARDS	 4096
#define LEOFS_MAP_MAX_OVERRIDES	 (1u << 19)	/* the largest map fits one body */
#define LEOFS_MAP_MAX_WIDTH	 32	/* members of a PG: K+M or N */
#define LEOFS_NAME_MAX_POOL	 31	/* pool names, without the NUL */

/* Weights are 16.16 fixed point: 0x10000 is 1.0 (by convention, 1 TiB). */
#define LEOFS_WEIGHT_ONE	 0x10000u
#define LEOFS_WEIGHT_MAX	 0xffffffffu

enum leofs_tier {
	LEOFS_TIER_SSD = 0,
	LEOFS_TIER_SAS = 1,
	LEOFS_TIER_SATA = 2,
	LEOFS_TIER_COUNT
};

/* Node, target and MDS state bits. */
#define LEOFS_STATE_UP	0x1	/* answering heartbeats */
#define LEOFS_STATE_IN	0x2	/* holds data; out = its PGs are remapped */

struct leofs_addr {
	u8 family;		/* 4 or 6; 0 = none */
	u8 reserved;
	u16 port;		/* host order */
	u8 addr[16];		/* IPv4 in the first 4 bytes */
};

/* An OSS node: the failure domain. */
struct leofs_map_node {
	u32 id;
	u32 state;		/* LEOFS_STATE_* */
	struct leofs_addr addr;
};

/* A target: one disk (directory) on one node. */
struct leofs_map_target {
	u32 id;
	u32 node_id;		/* leofs_map_node.id */
	u32 weight;		/* 16.16 capacity weight; 0 = takes no data */
	u8 tier;		/* enum leofs_tier */
	u8 reserved[3];
	u32 state;		/* LEOFS_STATE_* */
};

/* A pool: the targets of one tier, divided into pg_num placement groups. */
struct leofs_map_pool {
	u32 id;
	u8 tier;		/* enum leofs_tier */
	u8 reserved[3];
	u32 pg_num;
	char name[LEOFS_NAME_MAX_POOL + 1];
};

struct leofs_map_mds {
	u32 id;
	u32 state;		/* LEOFS_STATE_* */
	struct leofs_addr addr;
};

/* A metadata shard and the MDS pair that serves it. */
struct leofs_map_shard {
	u16 id;			/* top 16 bits of every inode id it owns */
	u16 reserved;
	u32 weight;		/* 16.16; share of new directories it receives */
	u32 primary_mds;	/* leofs_map_mds.id */
	u32 secondary_mds;	/* leofs_map_mds.id; 0 = none */
};

/*
 * A placement override: PG 'pg' of pool 'pool_id' laid out 'width' wide
 * puts rank 'rank' on target 'target_id' instead of its straw2 choice.
 * Computed by the map authority (lib/balance) to even out the straw2
 * table; lib/placement ignores one whose target is not eligible or whose
 * node another rank of the row uses (Documentation/placement.md).
 */
struct leofs_map_override {
	u32 pool_id;
	u8 width;		/* 1..LEOFS_MAP_MAX_WIDTH: one table per width */
	u8 rank;		/* < width */
	u16 reserved;
	u32 pg;
	u32 target_id;		/* leofs_map_target.id */
};

struct leofs_map {
	u64 epoch;
	u8 cluster_id[16];
	u32 node_count;
	u32 target_count;
	u32 pool_count;
	u32 mds_count;
	u32 shard_count;
	u32 override_count;
	struct leofs_map_node *nodes;
	struct leofs_map_target *targets;	/* sorted by (node_id, id) */
	struct leofs_map_pool *pools;
	struct leofs_map_mds *mds;
	struct leofs_map_shard *shards;
	/* sorted by (pool_id, width, pg, rank), unique */
	struct leofs_map_override *overrides;
};

/* Order of map->overrides: (pool_id, width, pg, rank); <0, 0 or >0. */
static inline int leofs_map_override_cmp(const struct leofs_map_override *a,
					 const struct leofs_map_override *b)
{
	if (a->pool_id != b->pool_id)
		return a->pool_id < b->pool_id ? -1 : 1;
	if (a->width != b->width)
		return a->width < b->width ? -1 : 1;
	if (a->pg != b->pg)
		return a->pg < b->pg ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return 0;
}

#endif /* LEOFS_MAP_H */
