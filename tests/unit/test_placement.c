// SPDX-License-Identifier: GPL-2.0
/*
 * Placement library: golden vectors, hashes, inode and directory shard
 * location, and the PG table's properties (distinct nodes, eligibility,
 * balance, movement on map changes).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "leofs/placement.h"
#include "../../lib/placesim/placesim.h"
#include "../golden/placement_golden.h"

static const u32 mixed[] = { 0x10000, 0x20000, 0x40000 };
static const u32 unit_w[] = { 0x10000 };

static void test_golden(void **state)
{
	(void)state;
	assert_int_equal(leofs_placement_golden_check(), 0);
}

static void test_ino(void **state)
{
	u64 ino = leofs_ino_make(0xbeef, 0x123456789abcull);

	(void)state;
	assert_int_equal(leofs_ino_shard(ino), 0xbeef);
	assert_true((ino & LEOFS_INO_LOCAL_MASK) == 0x123456789abcull);
	/* the local id is truncated to 48 bits */
	assert_int_equal(leofs_ino_shard(leofs_ino_make(1, ~0ull)), 1);
}

static void test_neg_ln(void **state)
{
	u64 u, prev = leofs_neg_ln32(1);

	(void)state;
	assert_true(leofs_neg_ln32(0) == leofs_neg_ln32(1));
	for (u = 2; u <= 0xffffffffull; u += u / 7 + 1) {
		u64 v = leofs_neg_ln32((u32)u);
		double exact = -log((double)u / 4294967296.0) * 4294967296.0;

		assert_true(v <= prev);
		assert_true(fabs((double)v - exact) < 4294967296.0 / (1 << 22));
		prev = v;
	}
	assert_true(leofs_neg_ln32(0xffffffffu) < 4);
}

static void test_stripe_pg(void **state)
{
	u64 ino = leofs_ino_make(3, 77);
	u32 hist[16] = { 0 };
	u32 i;

	(void)state;
	for (i = 0; i < 64; i++) {
		u32 pg = leofs_stripe_pg(ino, i, 8, 1000);

		assert_true(pg < 1000);
		assert_int_equal(pg, leofs_stripe_pg(ino, i + 8, 8, 1000));
		assert_true(pg == (u32)(leofs_hash_ino_slot(ino, i % 8) % 1000));
	}
	for (i = 0; i < 16000; i++)
		hist[leofs_stripe_pg(i, 0, 1, 16)]++;
	for (i = 0; i < 16; i++)
		assert_true(hist[i] > 850 && hist[i] < 1150);
	assert_int_equal(leofs_stripe_pg(1, 1, 0, 10), 0);
	assert_int_equal(leofs_stripe_pg(1, 1, 4, 0), 0);
}

static void test_dir_shard(void **state)
{
	struct leofs_map_shard shards[4] = {
		{ .id = 1, .weight = 0x10000 },
		{ .id = 2, .weight = 0x30000 },
		{ .id = 3, .weight = 0 },
		{ .id = 9, .weight = 0x40000 },
	};
	struct leofs_map map = { .shard_count = 4, .shards = shards };
	u32 count[10] = { 0 }, i, n = 40000;
	u16 s;

	(void)state;
	for (i = 0; i < n; i++) {
		char name[16];
		int len = snprintf(name, sizeof(name), "d%u", i);

		assert_int_equal(leofs_dir_shard(&map, 1000 + i % 7, name, len,
						 &s), 0);
		count[s]++;
	}
	assert_int_equal(count[3], 0);
	assert_true(fabs(count[1] / (double)n - 0.125) < 0.01);
	assert_true(fabs(count[2] / (double)n - 0.375) < 0.01);
	assert_true(fabs(count[9] / (double)n - 0.5) < 0.01);
	shards[0].weight = shards[1].weight = shards[3].weight = 0;
	assert_int_equal(leofs_dir_shard(&map, 1, "x", 1, &s), -ENOENT);
}

/* Every row on distinct nodes, only in targets of the tier with weight. */
static void check_rows(const struct placesim_cluster *c,
		       const struct leofs_pg_table *t)
{
	const struct leofs_map *m = &c->map;
	u32 pg, r, q, i;

	for (pg = 0; pg < t->pg_num; pg++) {
		u32 nodes[LEOFS_PG_WIDTH_MAX];

		for (r = 0; r < t->width; r++) {
			const struct leofs_map_target *tg = NULL;
			bool node_in = false;

			for (i = 0; i < m->target_count; i++)
				if (m->targets[i].id == leofs_pg_target(t, pg, r))
					tg = &m->targets[i];
			assert_non_null(tg);
			assert_true(tg->weight > 0);
			assert_true(tg->state & LEOFS_STATE_IN);
			assert_int_equal(tg->tier, m->pools[0].tier);
			for (i = 0; i < m->node_count; i++)
				if (m->nodes[i].id == tg->node_id)
					node_in = m->nodes[i].state &
						  LEOFS_STATE_IN;
			assert_true(node_in);
			nodes[r] = tg->node_id;
			for (q = 0; q < r; q++)
				assert_int_not_equal(nodes[q], nodes[r]);
		}
	}
}

static void test_table_rules(void **state)
{
	struct placesim_cluster c;
	struct leofs_pg_table *t, *t2;
	u32 i;
	int ret;

	(void)state;
	assert_int_equal(placesim_generate(&c, 8, 2, mixed, 3, 60, 4), 0);
	c.map.targets[3].state = LEOFS_STATE_UP;	/* out */
	c.map.targets[6].weight = 0;
	c.map.targets[9].tier = LEOFS_TIER_SATA;
	c.map.nodes[5].state = LEOFS_STATE_UP;		/* node out */
	t = placesim_build(&c, &ret);
	assert_non_null(t);
	check_rows(&c, t);

	/* down but in: same placement */
	for (i = 0; i < c.map.node_count; i++)
		c.map.nodes[i].state &= ~LEOFS_STATE_UP;
	c.map.targets[0].state &= ~LEOFS_STATE_UP;
	t2 = placesim_build(&c, &ret);
	assert_non_null(t2);
	assert_memory_equal(t->targets, t2->targets,
			    t->pg_num * t->width * sizeof(u32));
	free(t2);
	free(t);

	/* 7 in nodes, width 8: -ENOSPC */
	c.width = 8;
	assert_null(placesim_build(&c, &ret));
	assert_int_equal(ret, -ENOSPC);
	c.width = 0;
	assert_null(placesim_build(&c, &ret));
	assert_int_equal(ret, -EINVAL);
	c.width = 4;
	c.pool_id = 99;
	assert_null(placesim_build(&c, &ret));
	assert_int_equal(ret, -ENOENT);
	placesim_cluster_free(&c);
}

static void test_enospc_untouched(void **state)
{
	struct placesim_cluster c;
	size_t ts, ws;
	struct leofs_pg_table *t;
	void *work;

	(void)state;
	assert_int_equal(placesim_generate(&c, 3, 1, unit_w, 1, 10, 3), 0);
	c.map.nodes[1].state = LEOFS_STATE_UP;
	ts = leofs_pg_table_size(c.map.pools[0].pg_num, 3);
	ws = leofs_pg_table_work_size(3, c.map.pools[0].pg_num, 3);
	t = malloc(ts);
	work = malloc(ws);
	memset(t, 0x5a, ts);
	assert_int_equal(leofs_pg_table_build(&c.map, 1, 3, work, ws, t, ts),
			 -ENOSPC);
	for (size_t i = 0; i < ts; i++)
		assert_int_equal(((u8 *)t)[i], 0x5a);
	assert_int_equal(leofs_pg_table_build(&c.map, 1, 3, work, ws - 1, t,
					      ts), -EINVAL);
	/* unsorted targets are rejected */
	c.map.nodes[1].state |= LEOFS_STATE_IN;
	c.map.targets[0].node_id = 3;
	assert_int_equal(leofs_pg_table_build(&c.map, 1, 3, work, ws, t, ts),
			 -EINVAL);
	free(t);
	free(work);
	placesim_cluster_free(&c);
}

static void check_balance(u32 nodes, u32 tpn, const u32 *w, u32 nw,
			  u32 width)
{
	struct placesim_cluster c;
	struct placesim_balance b;
	struct leofs_pg_table *t;
	int ret;

	assert_int_equal(placesim_generate(&c, nodes, tpn, w, nw, 100, width),
			 0);
	t = placesim_build(&c, &ret);
	assert_non_null(t);
	check_rows(&c, t);
	placesim_balance(&c, t, &b);
	print_message("balance %u nodes x %u, width %u: max/mean %.4f\n",
		      nodes, tpn, width, b.ratio);
	assert_true(b.ratio <= 1.05);
	free(t);
	placesim_cluster_free(&c);
}

static void test_balance(void **state)
{
	(void)state;
	check_balance(30, 1, unit_w, 1, 3);
	check_balance(100, 1, mixed, 3, 3);
	check_balance(100, 1, mixed, 3, 6);
	check_balance(60, 3, mixed, 3, 6);
	check_balance(400, 1, mixed, 3, 6);
}

static void check_remove(u32 nodes, u32 width, u32 victim)
{
	struct placesim_cluster c;
	struct placesim_move m;
	struct leofs_pg_table *t;
	int ret;

	assert_int_equal(placesim_generate(&c, nodes, 1, mixed, 3, 100, width),
			 0);
	t = placesim_build(&c, &ret);
	assert_non_null(t);
	assert_int_equal(placesim_move_remove(&c, t, victim, &m), 0);
	/* exactly the members that were on it moved, nothing else */
	assert_int_equal(m.moved_elsewhere, 0);
	assert_true(m.optimal > 0);
	assert_int_equal(m.moved, (u64)m.optimal);
	free(t);
	placesim_cluster_free(&c);
}

static void test_remove(void **state)
{
	(void)state;
	check_remove(10, 3, 1);
	check_remove(100, 6, 50);
	check_remove(300, 6, 299);
}

/* Removal keeps balance: the removed node's columns go where there is room. */
static void test_remove_balance(void **state)
{
	struct placesim_cluster c;
	struct placesim_balance b;
	struct leofs_pg_table *t;
	int ret;

	(void)state;
	assert_int_equal(placesim_generate(&c, 100, 1, mixed, 3, 100, 6), 0);
	assert_int_equal(placesim_mark_out(&c, 37), 0);
	t = placesim_build(&c, &ret);
	assert_non_null(t);
	check_rows(&c, t);
	placesim_balance(&c, t, &b);
	assert_true(b.ratio <= 1.05);
	free(t);
	placesim_cluster_free(&c);
}

static void check_add(u32 nodes, u32 width, u32 weight, double bound)
{
	struct placesim_cluster c;
	struct placesim_move m;
	struct leofs_pg_table *t;
	int ret;

	assert_int_equal(placesim_generate(&c, nodes, 1, mixed, 3, 100, width),
			 0);
	t = placesim_build(&c, &ret);
	assert_non_null(t);
	assert_int_equal(placesim_move_add(&c, t, 1, weight, &m), 0);
	print_message("add to %u nodes: moved %llu, optimal %.1f, ratio %.3f\n",
		      nodes, (unsigned long long)m.moved, m.optimal, m.ratio);
	assert_true(m.ratio <= bound);
	free(t);
	placesim_cluster_free(&c);
}

/*
 * Adding a node: the goal is 1.1 x optimal; the balancing pass's eviction
 * chains currently cost 1.3..1.6 x (Documentation/placement.md, "Limits"),
 * so this checks the measured bound to catch regressions.
 */
#define ADD_MOVE_BOUND 1.7

static void test_add(void **state)
{
	(void)state;
	check_add(100, 3, 0x20000, ADD_MOVE_BOUND);
	check_add(300, 6, 0x40000, ADD_MOVE_BOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_ino),
		cmocka_unit_test(test_neg_ln),
		cmocka_unit_test(test_stripe_pg),
		cmocka_unit_test(test_dir_shard),
		cmocka_unit_test(test_table_rules),
		cmocka_unit_test(test_enospc_untouched),
		cmocka_unit_test(test_balance),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_remove_balance),
		cmocka_unit_test(test_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
