// SPDX-License-Identifier: GPL-2.0
/*
 * Placement golden check: recompute every vector of placement_vectors.h
 * and compare. Freestanding (compat.h level, no allocation, no output) so
 * the same function runs in userspace unit tests and in a kernel test
 * module. Not reentrant: it uses static buffers.
 *
 * Returns 0 when every vector matches, else minus the number of
 * mismatching values (a PG table counts one per wrong entry, a failed
 * build counts one).
 */
#include "leofs/placement.h"
#include "placement_golden.h"
#include "placement_vectors.h"

#define GOLDEN_WORK_WORDS 2048
#define GOLDEN_TABLE_WORDS 512

static u64 golden_work[GOLDEN_WORK_WORDS];
static u64 golden_table[GOLDEN_TABLE_WORDS];

static int check_table(struct leofs_map *map, u32 pool, u32 width, u32 pg_num,
		       const u32 *expect)
{
	struct leofs_pg_table *t = (struct leofs_pg_table *)golden_table;
	size_t ts = leofs_pg_table_size(pg_num, width);
	size_t ws = leofs_pg_table_work_size(map->target_count, pg_num, width);
	int bad = 0;
	u32 i;

	if (!ts || !ws || ts > sizeof(golden_table) ||
	    ws > sizeof(golden_work))
		return 1;
	if (leofs_pg_table_build(map, pool, width, golden_work, ws, t, ts))
		return 1;
	if (t->pg_num != pg_num || t->width != width || t->pool_id != pool ||
	    t->epoch != map->epoch)
		bad++;
	for (i = 0; i < pg_num * width; i++)
		bad += t->targets[i] != expect[i];
	return bad;
}

int leofs_placement_golden_check(void)
{
	struct leofs_map map0 = {
		.epoch = 42,
		.node_count = ARRAY_SIZE(golden_nodes0),
		.target_count = ARRAY_SIZE(golden_targets0),
		.pool_count = ARRAY_SIZE(golden_pools0),
		.nodes = golden_nodes0,
		.targets = golden_targets0,
		.pools = golden_pools0,
	};
	struct leofs_map map1 = {
		.epoch = 9,
		.node_count = ARRAY_SIZE(golden_nodes1),
		.target_count = ARRAY_SIZE(golden_targets1),
		.pool_count = ARRAY_SIZE(golden_pools1),
		.shard_count = ARRAY_SIZE(golden_shards1),
		.override_count = ARRAY_SIZE(golden_overrides1),
		.nodes = golden_nodes1,
		.targets = golden_targets1,
		.pools = golden_pools1,
		.shards = golden_shards1,
		.overrides = golden_overrides1,
	};
	int bad = 0;
	u32 i, j;

	for (i = 0; i < ARRAY_SIZE(golden_hash_in); i++) {
		u64 x = golden_hash_in[i];

		bad += leofs_hash64(x) != golden_hash_out[i][0];
		bad += leofs_hash2(x, i) != golden_hash_out[i][1];
		bad += leofs_hash3(x, i, ~x) != golden_hash_out[i][2];
		bad += leofs_hash_ino_slot(x, i) != golden_hash_out[i][3];
		bad += leofs_stripe_pg(x, 1000 + i, 16, 4093) !=
		       golden_stripe_pg[i];
	}
	for (i = 0; i < ARRAY_SIZE(golden_ln_in); i++)
		bad += leofs_neg_ln32(golden_ln_in[i]) != golden_ln_out[i];
	for (i = 0; i < ARRAY_SIZE(golden_names); i++) {
		const char *name = golden_names[i];
		size_t len = strlen(name);

		bad += leofs_hash_bytes(golden_hash_in[i % 6], name, len) !=
		       golden_bytes_hash[i];
		for (j = 0; j < 4; j++) {
			u16 s = 0xffff;

			if (leofs_dir_shard(&map1, leofs_ino_make(j, 1 + j),
					    name, len, &s) ||
			    s != golden_dir_shard[i][j])
				bad++;
		}
	}
	bad += check_table(&map0, GOLDEN_POOL0, GOLDEN_WIDTH0, GOLDEN_PG_NUM0,
			   golden_pg_table0);
	bad += check_table(&map1, GOLDEN_POOL1, GOLDEN_WIDTH1, GOLDEN_PG_NUM1,
			   golden_pg_table1);
	return -bad;
}
