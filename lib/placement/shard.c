// SPDX-License-Identifier: GPL-2.0
/*
 * Metadata shard of a new directory: straw2 over the map's shards by
 * weight, hashed on (parent inode, name). Adding or reweighting a shard
 * only moves the choices that the changed shard wins or loses.
 */
#include "internal.h"

int leofs_dir_shard(const struct leofs_map *map, u64 parent, const void *name,
		    size_t len, u16 *shard)
{
	u64 key = leofs_hash_bytes(leofs_hash2(LEOFS_SALT_DIR, parent), name,
				   len);
	const struct leofs_map_shard *best = NULL;
	u64 best_cost = 0;
	u32 i;

	for (i = 0; i < map->shard_count; i++) {
		const struct leofs_map_shard *s = &map->shards[i];
		u64 cost;

		if (!s->weight)
			continue;
		cost = leofs_straw2_cost(leofs_hash2(key, s->id), s->weight);
		if (!best || cost < best_cost ||
		    (cost == best_cost && s->id < best->id)) {
			best = s;
			best_cost = cost;
		}
	}
	if (!best)
		return -ENOENT;
	*shard = best->id;
	return 0;
}
