// SPDX-License-Identifier: GPL-2.0
/*
 * Writes tests/golden/placement_vectors.h: fixed inputs and the placement
 * library's outputs for them. Run by hand only when the placement function
 * is deliberately changed (which moves data on every cluster):
 *
 *   make BUILD=build build/opt/libleofs.a
 *   cc -std=gnu11 -Iinclude -Ibuild/gen lib/placement/gen/gen_vectors.c \
 *      build/opt/libleofs.a -o /tmp/gen_vectors
 *   /tmp/gen_vectors > tests/golden/placement_vectors.h
 *
 * Map 1 carries overrides computed by the balancer, one of them pointed
 * at an unknown target (ignored), and overrides of other widths.
 */
#include <stdio.h>
#include <stdlib.h>

#include "leofs/balance.h"
#include "leofs/placement.h"

#define NMAPS 2

static struct leofs_map_node nodes0[8], nodes1[12];
static struct leofs_map_target targets0[16], targets1[12];
static struct leofs_map_pool pools0[1], pools1[2];
static struct leofs_map_shard shards[5];
static const u32 widths[NMAPS] = { 4, 3 };
static const u32 pool_ids[NMAPS] = { 7, 3 };
static struct leofs_map maps[NMAPS];

static const u64 hash_in[] = { 0, 1, 2, 0xffffffffffffffffull,
			       0x0123456789abcdefull, 1ull << 48 };
static const u32 ln_in[] = { 0, 1, 2, 3, 1000, 65535, 65536, 1u << 31,
			     0x80000001u, 0xc0000000u, 0xfffffffeu,
			     0xffffffffu };
static const char *const names[] = { "", "a", "studies", "1.2.840.10008",
				     "series-000001", "instance-0123456789" };

/* The balancer's overrides for map 1's pool 3 at width 3, and extras. */
static void add_overrides(struct leofs_map *map)
{
	struct leofs_map_override *o;
	u32 n;

	if (leofs_balance(NULL, map, 3, 3, NULL, NULL))
		abort();
	n = map->override_count;
	if (n < 2)
		abort();
	o = realloc(map->overrides, (n + 2) * sizeof(*o));
	if (!o)
		abort();
	o[n / 2].target_id = 9999;			/* no such target */
	o[n] = (struct leofs_map_override){ .pool_id = 3, .width = 4,
					    .pg = 0, .rank = 0,
					    .target_id = 77 };
	o[n + 1] = (struct leofs_map_override){ .pool_id = 3, .width = 5,
						.pg = 63, .rank = 4,
						.target_id = 88 };
	map->overrides = o;
	map->override_count = n + 2;
}

static void setup(void)
{
	static const u32 w0[8] = { 1, 2, 4, 1, 2, 4, 1, 2 };
	u32 i;

	for (i = 0; i < 8; i++) {
		nodes0[i].id = 100 + i;
		nodes0[i].state = LEOFS_STATE_UP | LEOFS_STATE_IN;
		targets0[2 * i] = (struct leofs_map_target){
			.id = 1000 + 2 * i, .node_id = 100 + i,
			.weight = w0[i] << 16, .tier = LEOFS_TIER_SAS,
			.state = LEOFS_STATE_UP | LEOFS_STATE_IN };
		targets0[2 * i + 1] = targets0[2 * i];
		targets0[2 * i + 1].id++;
		targets0[2 * i + 1].weight = 0x18000;
	}
	nodes0[3].state = LEOFS_STATE_UP;		/* out */
	targets0[9].state = LEOFS_STATE_UP;		/* out target */
	targets0[4].state = LEOFS_STATE_IN;		/* down but in */
	targets0[13].tier = LEOFS_TIER_SSD;		/* other tier */
	targets0[14].weight = 0;			/* takes no data */
	pools0[0] = (struct leofs_map_pool){ .id = 7, .tier = LEOFS_TIER_SAS,
					     .pg_num = 32, .name = "dicom" };
	maps[0] = (struct leofs_map){ .epoch = 42, .node_count = 8,
				      .target_count = 16, .pool_count = 1,
				      .nodes = nodes0, .targets = targets0,
				      .pools = pools0 };

	for (i = 0; i < 12; i++) {
		nodes1[i].id = 5 + 3 * i;
		nodes1[i].state = LEOFS_STATE_UP | LEOFS_STATE_IN;
		targets1[i] = (struct leofs_map_target){
			.id = 77 + 11 * i, .node_id = 5 + 3 * i,
			.weight = 0x8000 + 0x3000 * i,
			.tier = LEOFS_TIER_SSD,
			.state = LEOFS_STATE_UP | LEOFS_STATE_IN };
	}
	pools1[0] = (struct leofs_map_pool){ .id = 2, .tier = LEOFS_TIER_SATA,
					     .pg_num = 8, .name = "cold" };
	pools1[1] = (struct leofs_map_pool){ .id = 3, .tier = LEOFS_TIER_SSD,
					     .pg_num = 64, .name = "hot" };
	for (i = 0; i < 5; i++)
		shards[i] = (struct leofs_map_shard){
			.id = (u16)(10 + i), .weight = i == 2 ? 0 : (i + 1) << 16,
			.primary_mds = 1 };
	maps[1] = (struct leofs_map){ .epoch = 9, .node_count = 12,
				      .target_count = 12, .pool_count = 2,
				      .shard_count = 5, .nodes = nodes1,
				      .targets = targets1, .pools = pools1,
				      .shards = shards };
	add_overrides(&maps[1]);
}

static void print_map(int m)
{
	const struct leofs_map *map = &maps[m];
	u32 i;

	printf("static struct leofs_map_node golden_nodes%d[] = {\n", m);
	for (i = 0; i < map->node_count; i++)
		printf("\t{ .id = %u, .state = %u },\n", map->nodes[i].id,
		       map->nodes[i].state);
	printf("};\n\nstatic struct leofs_map_target golden_targets%d[] = {\n", m);
	for (i = 0; i < map->target_count; i++) {
		const struct leofs_map_target *t = &map->targets[i];

		printf("\t{ .id = %u, .node_id = %u, .weight = 0x%x, "
		       ".tier = %u, .state = %u },\n", t->id, t->node_id,
		       t->weight, t->tier, t->state);
	}
	printf("};\n\nstatic struct leofs_map_pool golden_pools%d[] = {\n", m);
	for (i = 0; i < map->pool_count; i++)
		printf("\t{ .id = %u, .tier = %u, .pg_num = %u },\n",
		       map->pools[i].id, map->pools[i].tier,
		       map->pools[i].pg_num);
	printf("};\n\n");
	if (!map->override_count)
		return;
	printf("static struct leofs_map_override golden_overrides%d[] = {\n",
	       m);
	for (i = 0; i < map->override_count; i++) {
		const struct leofs_map_override *o = &map->overrides[i];

		printf("\t{ .pool_id = %u, .width = %u, .pg = %u, "
		       ".rank = %u, .target_id = %u },\n", o->pool_id,
		       o->width, o->pg, o->rank, o->target_id);
	}
	printf("};\n\n");
}

int main(void)
{
	u32 i, j, m;

	setup();
	printf("/* SPDX-License-Identifier: GPL-2.0 */\n"
	       "/*\n * Placement golden vectors: fixed maps and the outputs "
	       "every build of\n * lib/placement must reproduce bit for bit. "
	       "Written by\n * lib/placement/gen/gen_vectors.c; never "
	       "regenerated by the build.\n */\n"
	       "#ifndef LEOFS_PLACEMENT_VECTORS_H\n"
	       "#define LEOFS_PLACEMENT_VECTORS_H\n\n"
	       "#include \"leofs/placement.h\"\n\n");

	printf("static const u64 golden_hash_in[] = {\n");
	for (i = 0; i < ARRAY_SIZE(hash_in); i++)
		printf("\t0x%llxull,\n", (unsigned long long)hash_in[i]);
	printf("};\n\n/* leofs_hash64(x), leofs_hash2(x, i), "
	       "leofs_hash3(x, i, ~x), leofs_hash_ino_slot(x, i) */\n"
	       "static const u64 golden_hash_out[][4] = {\n");
	for (i = 0; i < ARRAY_SIZE(hash_in); i++)
		printf("\t{ 0x%llxull, 0x%llxull, 0x%llxull, 0x%llxull },\n",
		       (unsigned long long)leofs_hash64(hash_in[i]),
		       (unsigned long long)leofs_hash2(hash_in[i], i),
		       (unsigned long long)leofs_hash3(hash_in[i], i, ~hash_in[i]),
		       (unsigned long long)leofs_hash_ino_slot(hash_in[i], i));
	printf("};\n\n/* leofs_stripe_pg(x, 1000 + i, 16, 4093) */\n"
	       "static const u32 golden_stripe_pg[] = {\n");
	for (i = 0; i < ARRAY_SIZE(hash_in); i++)
		printf("\t%u,\n", leofs_stripe_pg(hash_in[i], 1000 + i, 16, 4093));
	printf("};\n\nstatic const u32 golden_ln_in[] = {\n");
	for (i = 0; i < ARRAY_SIZE(ln_in); i++)
		printf("\t0x%xu,\n", ln_in[i]);
	printf("};\n\nstatic const u64 golden_ln_out[] = {\n");
	for (i = 0; i < ARRAY_SIZE(ln_in); i++)
		printf("\t0x%llxull,\n",
		       (unsigned long long)leofs_neg_ln32(ln_in[i]));
	printf("};\n\nstatic const char *const golden_names[] = {\n");
	for (i = 0; i < ARRAY_SIZE(names); i++)
		printf("\t\"%s\",\n", names[i]);
	printf("};\n\n/* leofs_hash_bytes(hash_in[i %% 6], name, strlen(name)) */\n"
	       "static const u64 golden_bytes_hash[] = {\n");
	for (i = 0; i < ARRAY_SIZE(names); i++)
		printf("\t0x%llxull,\n", (unsigned long long)leofs_hash_bytes(
			hash_in[i % 6], names[i], strlen(names[i])));
	printf("};\n\n");

	for (m = 0; m < NMAPS; m++)
		print_map(m);
	printf("static struct leofs_map_shard golden_shards1[] = {\n");
	for (i = 0; i < 5; i++)
		printf("\t{ .id = %u, .weight = 0x%x, .primary_mds = 1 },\n",
		       shards[i].id, shards[i].weight);
	printf("};\n\n/* leofs_dir_shard(map 1, leofs_ino_make(j, 1 + j), "
	       "golden_names[i]) for j < 4 */\n"
	       "static const u16 golden_dir_shard[][4] = {\n");
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		printf("\t{");
		for (j = 0; j < 4; j++) {
			u16 s = 0;

			if (leofs_dir_shard(&maps[1], leofs_ino_make(j, 1 + j),
					    names[i], strlen(names[i]), &s))
				abort();
			printf(" %u%s", s, j < 3 ? "," : " ");
		}
		printf("},\n");
	}
	printf("};\n\n");

	for (m = 0; m < NMAPS; m++) {
		const struct leofs_map_pool *pool = NULL;
		size_t ts, ws;
		struct leofs_pg_table *t;
		void *work;

		for (i = 0; i < maps[m].pool_count; i++)
			if (maps[m].pools[i].id == pool_ids[m])
				pool = &maps[m].pools[i];
		ts = leofs_pg_table_size(pool->pg_num, widths[m]);
		ws = leofs_pg_table_work_size(maps[m].target_count,
					      pool->pg_num, widths[m]);
		t = malloc(ts);
		work = malloc(ws);
		if (leofs_pg_table_build(&maps[m], pool_ids[m], widths[m], work,
					 ws, t, ts))
			abort();
		printf("#define GOLDEN_POOL%u %u\n#define GOLDEN_WIDTH%u %u\n"
		       "#define GOLDEN_PG_NUM%u %u\n\n", m, pool_ids[m], m,
		       widths[m], m, pool->pg_num);
		printf("static const u32 golden_pg_table%u[] = {\n", m);
		for (i = 0; i < pool->pg_num; i++) {
			printf("\t");
			for (j = 0; j < widths[m]; j++)
				printf("%u,%s", leofs_pg_target(t, i, j),
				       j + 1 < widths[m] ? " " : "\n");
		}
		printf("};\n\n");
		free(t);
		free(work);
	}
	printf("#endif /* LEOFS_PLACEMENT_VECTORS_H */\n");
	return 0;
}
