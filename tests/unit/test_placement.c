// SPDX-License-Identifier: GPL-2.0
/*
 * Placement library and balancer: golden vectors, hashes, inode and
 * directory shard location, the PG table's rules (distinct nodes,
 * eligibility, overrides) and, through the balancer, balance and movement
 * on map changes.
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

/* Fullest target against its bound: members <= ceil(1.05 x share). */
static void check_caps(const struct placesim_cluster *c,
		       const struct leofs_pg_table *t)
{
	const struct leofs_map *m = &c->map;
	double w_in = 0, cols = (double)t->pg_num * t->width;
	u32 i, k, load;

	for (i = 0; i < m->target_count; i++) {
		const struct leofs_map_target *tg = &m->targets[i];
		bool node_in = false;

		for (k = 0; k < m->node_count; k++)
			if (m->nodes[k].id == tg->node_id)
				node_in = m->nodes[k].state & LEOFS_STATE_IN;
		if (tg->tier == m->pools[0].tier && tg->weight && node_in &&
		    (tg->state & LEOFS_STATE_IN))
			w_in += tg->weight;
	}
	for (i = 0; i < m->target_count; i++) {
		double share = cols * m->targets[i].weight / w_in;

		for (k = 0, load = 0; k < t->pg_num * t->width; k++)
			load += t->targets[k] == m->targets[i].id;
		assert_true(load <= ceil(1.05 * share));
	}
}

/* A generated cluster of mixed weights with its overrides from scratch. */
static void gen_balanced(struct placesim_cluster *c, u32 nodes, u32 tpn,
			 const u32 *w, u32 nw, u32 width)
{
	struct leofs_balance_stats st;

	assert_int_equal(placesim_generate(c, nodes, tpn, w, nw, 100, width),
			 0);
	assert_int_equal(placesim_rebalance(c, NULL, &st), 0);
	assert_int_equal(st.over_cap, 0);
	assert_int_equal(st.overrides, placesim_override_count(c));
	assert_true(st.overrides < st.members / 10);
}

static void check_balance(u32 nodes, u32 tpn, const u32 *w, u32 nw,
			  u32 width)
{
	struct placesim_cluster c;
	struct placesim_balance b, raw_b;
	struct leofs_pg_table *t;
	u32 n_over;
	int ret;

	gen_balanced(&c, nodes, tpn, w, nw, width);
	t = placesim_build(&c, &ret);
	assert_non_null(t);
	check_rows(&c, t);
	check_caps(&c, t);
	placesim_balance(&c, t, &b);
	free(t);
	n_over = c.map.override_count;
	c.map.override_count = 0;		/* straw2 alone */
	t = placesim_build(&c, &ret);
	assert_non_null(t);
	placesim_balance(&c, t, &raw_b);
	c.map.override_count = n_over;
	print_message("balance %u nodes x %u, width %u: max/mean %.4f "
		      "(straw2 alone %.4f), %u overrides / %u members\n",
		      nodes, tpn, width, b.ratio, raw_b.ratio, n_over,
		      t->pg_num * t->width);
	assert_true(b.ratio <= 1.05);
	free(t);
	placesim_cluster_free(&c);
}

static void test_balance(void **state)
{
	(void)state;
	check_balance(30, 1, unit_w, 1, 3);
	check_balance(10, 1, mixed, 3, 3);
	check_balance(100, 1, mixed, 3, 3);
	check_balance(100, 1, mixed, 3, 6);
	check_balance(60, 3, mixed, 3, 6);
	check_balance(400, 1, mixed, 3, 6);
}

/* One removal through the balancer: only the node's members move. */
static void check_remove(u32 nodes, u32 width, u32 victim, bool drop)
{
	struct placesim_cluster c, after;
	struct placesim_move m;
	struct leofs_pg_table *t;
	int ret;

	gen_balanced(&c, nodes, 1, mixed, 3, width);
	t = placesim_build(&c, &ret);
	assert_non_null(t);
	assert_int_equal(placesim_move_remove(&c, t, victim, drop, &m, &after),
			 0);
	print_message("%s node %u of %u, width %u: moved %llu, on it %.0f, "
		      "max/mean %.4f, %u overrides\n", drop ? "drop" : "out",
		      victim, nodes, width, (unsigned long long)m.moved,
		      m.optimal, m.balance, m.stats.overrides);
	/* exactly the members that were on it moved, ranks kept */
	assert_int_equal(m.moved_elsewhere, 0);
	assert_true(m.optimal > 0);
	assert_int_equal(m.moved, (u64)m.optimal);
	assert_int_equal(m.rank_changed, 0);
	assert_true(m.balance <= 1.05);
	free(t);
	t = placesim_build(&after, &ret);
	assert_non_null(t);
	check_rows(&after, t);
	check_caps(&after, t);
	free(t);
	placesim_cluster_free(&after);
	placesim_cluster_free(&c);
}

static void test_remove(void **state)
{
	(void)state;
	check_remove(10, 3, 1, false);
	check_remove(10, 3, 3, true);
	check_remove(100, 3, 50, false);
	check_remove(100, 6, 50, true);
	check_remove(300, 6, 299, false);
	check_remove(300, 6, 7, true);
}

/*
 * One node added through the balancer: at most 1.1 x the optimal number
 * of members move, and the result is balanced.
 */
static void check_add(u32 nodes, u32 width, u32 weight)
{
	struct placesim_cluster c, after;
	struct placesim_move m;
	struct leofs_pg_table *t;
	int ret;

	gen_balanced(&c, nodes, 1, mixed, 3, width);
	t = placesim_build(&c, &ret);
	assert_non_null(t);
	assert_int_equal(placesim_move_add(&c, t, 1, weight, &m, &after), 0);
	print_message("add to %u nodes, width %u: moved %llu, optimal %.1f, "
		      "ratio %.3f, max/mean %.4f, %u balance moves, "
		      "%u overrides\n", nodes, width,
		      (unsigned long long)m.moved, m.optimal, m.ratio,
		      m.balance, m.stats.balance_moves, m.stats.overrides);
	assert_true(m.ratio <= 1.1);
	assert_true(m.balance <= 1.05);
	free(t);
	t = placesim_build(&after, &ret);
	assert_non_null(t);
	check_rows(&after, t);
	check_caps(&after, t);
	free(t);
	placesim_cluster_free(&after);
	placesim_cluster_free(&c);
}

/*
 * Width 3 (replicas) at 10 nodes: an EC width of 6 over 10 nodes of
 * weights 1/2/4 cannot be balanced at all, since a node holds at most
 * one member of a PG while a weight-4 node's share is more than that.
 */
static void test_add(void **state)
{
	(void)state;
	check_add(10, 3, 0x20000);
	check_add(10, 3, 0x40000);
	check_add(100, 3, 0x20000);
	check_add(100, 6, 0x10000);
	check_add(300, 6, 0x40000);
	check_add(300, 3, 0x20000);
}

/*
 * A run of epochs, each map balanced from the previous one: the bounds
 * hold at every step and the overrides stay few.
 */
static void test_epochs(void **state)
{
	struct placesim_cluster c, next;
	struct placesim_move m;
	struct leofs_pg_table *t;
	u32 step;
	int ret;

	(void)state;
	gen_balanced(&c, 40, 1, mixed, 3, 3);
	for (step = 0; step < 12; step++) {
		t = placesim_build(&c, &ret);
		assert_non_null(t);
		if (step % 3 == 2)
			ret = placesim_move_remove(&c, t, 3 + step, step % 2,
						   &m, &next);
		else
			ret = placesim_move_add(&c, t, 1, mixed[step % 3], &m,
						&next);
		assert_int_equal(ret, 0);
		print_message("epoch %u: moved %llu, optimal %.1f, max/mean "
			      "%.4f, %u overrides\n", step,
			      (unsigned long long)m.moved, m.optimal,
			      m.balance, m.stats.overrides);
		assert_true(m.ratio <= 1.1);
		if (step % 3 == 2)
			assert_int_equal(m.moved_elsewhere, 0);
		assert_true(m.balance <= 1.05);
		assert_true(m.stats.overrides < m.stats.members / 10);
		free(t);
		placesim_cluster_free(&c);
		c = next;
	}
	placesim_cluster_free(&c);
}

static struct leofs_pg_table *build_raw(struct placesim_cluster *c)
{
	struct leofs_map_override *o = c->map.overrides;
	u32 n = c->map.override_count;
	struct leofs_pg_table *t;
	int ret;

	c->map.overrides = NULL;
	c->map.override_count = 0;
	t = placesim_build(c, &ret);
	c->map.overrides = o;
	c->map.override_count = n;
	assert_non_null(t);
	return t;
}

/* Overrides take effect only when valid; invalid ones are ignored. */
static void test_overrides(void **state)
{
	struct leofs_map_override o[10];
	struct placesim_cluster c;
	struct leofs_pg_table *raw, *t;
	u32 pg = 5, other_pg = 9, free_t = 0, i, k;
	const u32 *row;
	int ret;

	(void)state;
	assert_int_equal(placesim_generate(&c, 12, 1, mixed, 3, 30, 3), 0);
	c.map.targets[11].state = LEOFS_STATE_UP;	/* target 12 out */
	raw = build_raw(&c);
	row = leofs_pg_row(raw, pg);
	/* a target whose node PG 5 does not use (one target per node) */
	for (i = 1; i <= 11 && !free_t; i++)
		if (i != row[0] && i != row[1] && i != row[2])
			free_t = i;
	k = 0;
	o[k++] = (struct leofs_map_override){ .pool_id = 1, .width = 3,
		.pg = pg, .rank = 0, .target_id = free_t };	/* valid */
	o[k++] = (struct leofs_map_override){ .pool_id = 1, .width = 3,
		.pg = pg, .rank = 1, .target_id = row[2] };	/* node used */
	o[k++] = (struct leofs_map_override){ .pool_id = 1, .width = 3,
		.pg = pg, .rank = 2, .target_id = 12 };		/* out */
	o[k++] = (struct leofs_map_override){ .pool_id = 1, .width = 3,
		.pg = other_pg, .rank = 0, .target_id = 999 };	/* unknown */
	o[k++] = (struct leofs_map_override){ .pool_id = 1, .width = 3,
		.pg = other_pg, .rank = 7, .target_id = 1 };	/* rank */
	o[k++] = (struct leofs_map_override){ .pool_id = 1, .width = 3,
		.pg = raw->pg_num, .rank = 0, .target_id = 1 };	/* pg */
	o[k++] = (struct leofs_map_override){ .pool_id = 1, .width = 4,
		.pg = pg, .rank = 1, .target_id = free_t };	/* width */
	o[k++] = (struct leofs_map_override){ .pool_id = 2, .width = 3,
		.pg = pg, .rank = 1, .target_id = free_t };	/* pool */
	c.map.overrides = o;
	c.map.override_count = k;
	t = placesim_build(&c, &ret);
	assert_non_null(t);
	check_rows(&c, t);
	for (i = 0; i < raw->pg_num * 3; i++)
		if (i != pg * 3)
			assert_int_equal(t->targets[i], raw->targets[i]);
	assert_int_equal(leofs_pg_target(t, pg, 0), free_t);
	free(t);

	/* two overrides onto one node: the higher rank yields */
	o[1].target_id = free_t;
	c.map.override_count = 2;
	t = placesim_build(&c, &ret);
	assert_non_null(t);
	assert_int_equal(leofs_pg_target(t, pg, 0), free_t);
	assert_int_equal(leofs_pg_target(t, pg, 1), row[1]);
	free(t);

	/* unsorted or duplicate overrides are refused */
	o[1] = o[0];
	assert_null(placesim_build(&c, &ret));
	assert_int_equal(ret, -EINVAL);
	o[1].rank = 1;
	o[1].pg = pg - 1;
	assert_null(placesim_build(&c, &ret));
	assert_int_equal(ret, -EINVAL);
	c.map.overrides = NULL;
	c.map.override_count = 0;
	free(raw);
	placesim_cluster_free(&c);
}

/* The balancer is a function of the two maps; overrides are minimal. */
static void test_balancer_determinism(void **state)
{
	struct placesim_cluster a, b, c2;
	struct leofs_balance_stats sa, sb;
	struct leofs_pg_table *raw, *t;
	u32 i;
	int ret;

	(void)state;
	gen_balanced(&a, 50, 1, mixed, 3, 3);
	assert_int_equal(placesim_cluster_copy(&b, &a), 0);
	assert_int_equal(placesim_cluster_copy(&c2, &a), 0);
	assert_true(placesim_add_node(&b, 1, 0x20000) > 0);
	assert_true(placesim_add_node(&c2, 1, 0x20000) > 0);
	assert_int_equal(placesim_rebalance(&b, &a, &sa), 0);
	assert_int_equal(placesim_rebalance(&c2, &a, &sb), 0);
	assert_int_equal(b.map.override_count, c2.map.override_count);
	assert_memory_equal(b.map.overrides, c2.map.overrides,
			    b.map.override_count * sizeof(*b.map.overrides));
	assert_memory_equal(&sa, &sb, sizeof(sa));
	/* no override repeats the straw2 choice; all take effect */
	raw = build_raw(&b);
	t = placesim_build(&b, &ret);
	assert_non_null(t);
	for (i = 0; i < b.map.override_count; i++) {
		const struct leofs_map_override *o = &b.map.overrides[i];

		assert_int_not_equal(leofs_pg_target(raw, o->pg, o->rank),
				     o->target_id);
		assert_int_equal(leofs_pg_target(t, o->pg, o->rank),
				 o->target_id);
		if (i)
			assert_true(leofs_map_override_cmp(o - 1, o) < 0);
	}
	/* rebalancing the same map again changes nothing */
	assert_int_equal(placesim_rebalance(&c2, &b, &sb), 0);
	assert_int_equal(sb.moved, 0);
	assert_int_equal(b.map.override_count, c2.map.override_count);
	free(raw);
	free(t);
	placesim_cluster_free(&a);
	placesim_cluster_free(&b);
	placesim_cluster_free(&c2);
}

/* The balancer keeps other (pool, width) overrides and reports errors. */
static void test_balancer_errors(void **state)
{
	struct leofs_map_override keep[2] = {
		{ .pool_id = 1, .width = 2, .pg = 0, .rank = 0,
		  .target_id = 1 },
		{ .pool_id = 1, .width = 5, .pg = 3, .rank = 1,
		  .target_id = 2 },
	};
	struct leofs_balance_limits lim = { .max_overrides = 1 };
	struct placesim_cluster c;
	struct leofs_map_override *mine;
	u32 i, n;

	(void)state;
	assert_int_equal(placesim_generate(&c, 20, 1, mixed, 3, 100, 3), 0);
	c.map.overrides = keep;
	c.map.override_count = 2;
	assert_int_equal(leofs_balance(NULL, &c.map, 1, 3, &lim, NULL), -E2BIG);
	assert_ptr_equal(c.map.overrides, keep);
	assert_int_equal(leofs_balance(NULL, &c.map, 9, 3, NULL, NULL),
			 -ENOENT);
	assert_int_equal(leofs_balance(NULL, &c.map, 1, 21, NULL, NULL),
			 -ENOSPC);
	assert_int_equal(leofs_balance(NULL, &c.map, 1, 0, NULL, NULL),
			 -EINVAL);
	assert_int_equal(leofs_balance(NULL, &c.map, 1, 3, NULL, NULL), 0);
	mine = c.map.overrides;
	n = c.map.override_count;
	assert_true(n > 2);
	assert_memory_equal(&mine[0], &keep[0], sizeof(keep[0]));
	assert_memory_equal(&mine[n - 1], &keep[1], sizeof(keep[1]));
	for (i = 1; i < n; i++)
		assert_true(leofs_map_override_cmp(&mine[i - 1], &mine[i]) < 0);
	placesim_cluster_free(&c);
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
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_epochs),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_balancer_determinism),
		cmocka_unit_test(test_balancer_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
