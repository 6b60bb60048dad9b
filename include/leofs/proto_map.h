/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cluster map on the wire (the map bytes of MAP_GET replies and
 * MAP_PUSH). Decoding is two steps so that the caller allocates:
 *
 *	leofs_map_decode_counts(buf, len, &counts);	// validated counts
 *	allocate map.nodes[counts.node_count] ... and scratch
 *	leofs_map_decode(buf, len, &map, scratch);	// fills and validates
 *
 * Canonical order on the wire, required from the in-memory map by the
 * encoder: nodes, pools, mds and shards by strictly increasing id; targets
 * by strictly increasing (node_id, id); overrides by strictly increasing
 * (pool_id, width, pg, rank), as map.h documents.
 */
#ifndef LEOFS_PROTO_MAP_H
#define LEOFS_PROTO_MAP_H

#include "map.h"
#include "proto.h"

/* Fixed part: epoch, cluster id, six counts. */
#define LEOFS_MAP_HDR_SIZE	(8 + 16 + 6 * 4)
#define LEOFS_MAP_NODE_SIZE	28
#define LEOFS_MAP_TARGET_SIZE	20
#define LEOFS_MAP_POOL_SIZE	(12 + LEOFS_NAME_MAX_POOL + 1)
#define LEOFS_MAP_MDS_SIZE	28
#define LEOFS_MAP_SHARD_SIZE	16
#define LEOFS_MAP_OVERRIDE_SIZE	16

struct leofs_map_counts {
	u64 epoch;
	u32 node_count;
	u32 target_count;
	u32 pool_count;
	u32 mds_count;
	u32 shard_count;
	u32 override_count;
};

/* Bytes leofs_map_encode() writes for this map. */
size_t leofs_map_encoded_size(const struct leofs_map *map);

/*
 * Encodes the map. Returns its length, -ENOSPC, or -EINVAL if the map would
 * not pass leofs_map_decode() (limits, order, references, names). scratch:
 * as for leofs_map_decode(). Pool names are written NUL-padded.
 */
int leofs_map_encode(const struct leofs_map *map, void *buf, size_t cap,
		     u32 *scratch);

/*
 * Reads and validates the counts against the LEOFS_MAP_MAX_* limits and the
 * exact buffer length. Returns 0 or -EBADMSG.
 */
int leofs_map_decode_counts(const void *buf, size_t len,
			    struct leofs_map_counts *counts);

/*
 * Decodes into the caller's arrays: map->*_count give their capacities on
 * entry (each must be at least the encoded count, else -ENOSPC) and the
 * decoded counts on return. scratch must hold target_count u32 (it is used
 * to check that target ids are unique). Validates limits, order, unique
 * ids, target -> node and shard -> mds references, tiers, pool names
 * (NUL-terminated, printable ASCII, not empty), pg_num > 0, overrides
 * (existing pool, pg < pg_num, width 1..LEOFS_MAP_MAX_WIDTH, rank < width,
 * existing target) and zero reserved bytes. Returns 0, -ENOSPC, -EBADMSG,
 * or -EINVAL when scratch is NULL but needed.
 */
int leofs_map_decode(const void *buf, size_t len, struct leofs_map *map,
		     u32 *scratch);

#endif /* LEOFS_PROTO_MAP_H */
