// SPDX-License-Identifier: GPL-2.0
/*
 * PG table construction: for every (PG, rank) "column" of a pool, the
 * straw2 choice of target with the ranks of a PG on distinct nodes, then
 * the map's overrides for the pool and width.
 *
 * 1. Candidates. Each column's preference order over targets is an
 *    exponential race (straw2): target t's draw in column c is an
 *    exponential variable of rate w_t, the smallest draw wins, so t is
 *    first with probability w_t / W. Scanning every target for every
 *    column costs O(columns x targets); instead each target emits its
 *    draws as a Poisson stream ("darts") over all columns, in increasing
 *    order, up to a threshold where a column has on average 6..12 darts.
 *    Each column keeps its best COL_CANDS darts. A column that needs more
 *    candidates falls back to a full straw2 scan.
 * 2. Straw2 rows. Ranks in order take their best candidate on a node no
 *    lower rank holds. Targets that are out (or on an out node) take part
 *    as if they were in, so that marking one out changes nothing here.
 * 3. Out targets. Ranks that landed on an out target take their best in
 *    candidate on a node no other rank holds. Every other rank keeps its
 *    target.
 * 4. Overrides (map.h) replace single ranks; see apply_overrides().
 *
 * The straw2 table moves the least data on map changes but is only as even
 * as the draws (about +-10% at 100 members per target); the overrides,
 * computed by the map authority, make it even (Documentation/placement.md).
 */
#include "internal.h"

#define DART_K		12	/* darts per column: between K/2 and K */
#define COL_CANDS	6	/* candidates kept per column */
#define NONE		0xffffffffu

#define PT_IN		0x1

/* A target of the pool's tier with weight > 0 on a node of the map. */
struct pl_target {
	u32 id;
	u32 node_id;
	u32 weight;
	u32 flags;
};

/* Best darts of one column, ascending by (key, target index). */
struct pl_col {
	u32 key[COL_CANDS];
	u32 tidx[COL_CANDS];
};

struct pl_ctx {
	const struct leofs_map *map;
	u32 pool_id;
	u32 width;
	u32 cols_n;
	u32 n;			/* present targets */
	struct pl_target *pts;
	struct pl_col *cols;
	u32 *id_hash;		/* open addressing: target id -> pts index */
	u32 id_mask;
	u32 *row_out;		/* table->targets, holds indexes until the end */
};

size_t leofs_pg_table_size(u32 pg_num, u32 width)
{
	if (!pg_num || pg_num > LEOFS_PG_NUM_MAX || !width ||
	    width > LEOFS_PG_WIDTH_MAX)
		return 0;
	return sizeof(struct leofs_pg_table) +
	       (size_t)pg_num * width * sizeof(u32);
}

static u32 ceil_log2(u64 v)
{
	u32 s = 0;

	while (s < 64 && (1ull << s) < v)
		s++;
	return s;
}

/* Slots of the id hash: a power of two, at least twice the targets. */
static u32 id_hash_slots(u32 target_count)
{
	return 1u << ceil_log2(2 * (u64)target_count + 2);
}

/*
 * Workspace: targets, column candidates and the target id hash. Fills
 * ctx's pointers when ctx is given.
 */
static size_t work_layout(struct pl_ctx *ctx, u32 target_count, size_t cols)
{
	size_t off = 0;
	u8 *base = ctx ? (u8 *)ctx->pts : NULL;

	off += (size_t)target_count * sizeof(struct pl_target);
	if (ctx)
		ctx->cols = (struct pl_col *)(base + off);
	off += cols * sizeof(struct pl_col);
	if (ctx) {
		ctx->id_hash = (u32 *)(base + off);
		ctx->id_mask = id_hash_slots(target_count) - 1;
	}
	off += (size_t)id_hash_slots(target_count) * sizeof(u32);
	return off;
}

size_t leofs_pg_table_work_size(u32 target_count, u32 pg_num, u32 width)
{
	if (!leofs_pg_table_size(pg_num, width) ||
	    target_count > LEOFS_MAP_MAX_TARGETS)
		return 0;
	return work_layout(NULL, target_count, (size_t)pg_num * width);
}

static const struct leofs_map_pool *find_pool(const struct leofs_map *map,
					      u32 pool_id)
{
	u32 i;

	for (i = 0; i < map->pool_count; i++)
		if (map->pools[i].id == pool_id)
			return &map->pools[i];
	return NULL;
}

/* Nodes are usually sorted like targets: start where the last one was. */
static const struct leofs_map_node *find_node(const struct leofs_map *map,
					      u32 id, u32 *cursor)
{
	u32 i, j;

	for (i = 0; i < map->node_count; i++) {
		j = *cursor + i;
		if (j >= map->node_count)
			j -= map->node_count;
		if (map->nodes[j].id == id) {
			*cursor = j;
			return &map->nodes[j];
		}
	}
	return NULL;
}

/*
 * Fill ctx->pts with the pool's present targets. Returns the number of
 * distinct nodes holding an in target, or -EINVAL if the map's targets
 * are not sorted by (node_id, id).
 */
static int collect_targets(struct pl_ctx *ctx, u8 tier, u64 *w_all)
{
	const struct leofs_map *map = ctx->map;
	const struct leofs_map_node *node = NULL;
	u32 i, cursor = 0, last_in_node = 0;
	int in_nodes = 0;

	*w_all = 0;
	ctx->n = 0;
	for (i = 0; i < map->target_count; i++) {
		const struct leofs_map_target *t = &map->targets[i];
		struct pl_target *pt;

		if (i && (t->node_id < t[-1].node_id ||
			  (t->node_id == t[-1].node_id && t->id <= t[-1].id)))
			return -EINVAL;
		if (!node || node->id != t->node_id)
			node = find_node(map, t->node_id, &cursor);
		if (!node || t->tier != tier || !t->weight)
			continue;
		pt = &ctx->pts[ctx->n++];
		pt->id = t->id;
		pt->node_id = t->node_id;
		pt->weight = t->weight;
		pt->flags = 0;
		*w_all += t->weight;
		if ((t->state & LEOFS_STATE_IN) && (node->state & LEOFS_STATE_IN)) {
			pt->flags = PT_IN;
			if (!in_nodes || t->node_id != last_in_node)
				in_nodes++;
			last_in_node = t->node_id;
		}
	}
	return in_nodes;
}

static void col_insert(struct pl_col *c, u32 key, u32 tidx)
{
	int i, pos;

	for (i = 0; i < COL_CANDS; i++)
		if (c->tidx[i] == tidx)
			return;		/* a later dart of the same target */
	for (pos = 0; pos < COL_CANDS; pos++)
		if (c->tidx[pos] == NONE || key < c->key[pos])
			break;
	if (pos == COL_CANDS)
		return;
	for (i = COL_CANDS - 1; i > pos; i--) {
		c->key[i] = c->key[i - 1];
		c->tidx[i] = c->tidx[i - 1];
	}
	c->key[pos] = key;
	c->tidx[pos] = tidx;
}

/*
 * Emit target tidx's darts. Its stream is a Poisson process over all
 * columns with unit rate per column: E accumulates unit exponentials in
 * 2^24 fixed point (E = cols_n x the per-column arrival time). A dart at
 * E has straw2 value E / w; the stream stops at E = limit, proportional
 * to w, so every target stops at the same value T. Keys are the value as
 * a fraction of T, comparable across targets.
 */
static void emit_darts(struct pl_ctx *ctx, u32 tidx, u32 w_shift)
{
	const struct pl_target *pt = &ctx->pts[tidx];
	u64 prod = (u64)DART_K * ctx->cols_n * pt->weight;
	u64 seed = leofs_hash3(LEOFS_SALT_DART, ctx->pool_id, pt->id);
	u64 limit, recip, e = 0, k;

	limit = w_shift >= 24 ? prod >> (w_shift - 24) : prod << (24 - w_shift);
	if (!limit)
		return;
	recip = ~0ull / limit;
	for (k = 0;; k++) {
		u64 h = leofs_hash2(seed, k);
		u32 col, key;

		e += leofs_neg_ln32((u32)h) >> 8;
		if (e >= limit)
			break;
		col = (u32)(((h >> 32) * ctx->cols_n) >> 32);
		key = (u32)(((unsigned __int128)e * recip) >> 32);
		col_insert(&ctx->cols[col], key, tidx);
	}
}

static bool node_used(const struct pl_ctx *ctx, const u32 *row, u32 rank,
		      u32 node_id)
{
	u32 r;

	for (r = 0; r < ctx->width; r++)
		if (r != rank && row[r] != NONE &&
		    ctx->pts[row[r]].node_id == node_id)
			return true;
	return false;
}

static bool usable(const struct pl_ctx *ctx, const u32 *row, u32 rank,
		   u32 tidx, u32 need_flags)
{
	const struct pl_target *pt = &ctx->pts[tidx];

	if ((pt->flags & need_flags) != need_flags)
		return false;
	return !node_used(ctx, row, rank, pt->node_id);
}

/* Full straw2 scan for a column whose kept candidates are all unusable. */
static u32 scan_column(const struct pl_ctx *ctx, u32 col, const u32 *row,
		       u32 rank, u32 need_flags)
{
	u64 seed = leofs_hash3(LEOFS_SALT_SCAN, ctx->pool_id, col);
	u64 best_cost = 0;
	u32 i, best = NONE;

	for (i = 0; i < ctx->n; i++) {
		u64 cost;

		if (!usable(ctx, row, rank, i, need_flags))
			continue;
		cost = leofs_straw2_cost(leofs_hash2(seed, ctx->pts[i].id),
					 ctx->pts[i].weight);
		if (best == NONE || cost < best_cost) {
			best = i;
			best_cost = cost;
		}
	}
	return best;
}

/* The column's best candidate with need_flags on a node the row lacks. */
static u32 pick(const struct pl_ctx *ctx, u32 col, const u32 *row, u32 rank,
		u32 need_flags)
{
	const struct pl_col *c = &ctx->cols[col];
	u32 i;

	for (i = 0; i < COL_CANDS && c->tidx[i] != NONE; i++)
		if (usable(ctx, row, rank, c->tidx[i], need_flags))
			return c->tidx[i];
	return scan_column(ctx, col, row, rank, need_flags);
}

/*
 * Steps 2 and 3. There are at least width nodes with an in target, so
 * every pick finds one.
 */
static void straw2_rows(struct pl_ctx *ctx)
{
	u32 col, r;

	for (col = 0; col < ctx->cols_n; col += ctx->width) {
		u32 *row = &ctx->row_out[col];

		for (r = 0; r < ctx->width; r++)
			row[r] = NONE;
		for (r = 0; r < ctx->width; r++)
			row[r] = pick(ctx, col + r, row, r, 0);
		for (r = 0; r < ctx->width; r++)
			if (!(ctx->pts[row[r]].flags & PT_IN))
				row[r] = pick(ctx, col + r, row, r, PT_IN);
	}
}

static void id_hash_fill(struct pl_ctx *ctx)
{
	u32 i, h;

	memset(ctx->id_hash, 0xff, ((size_t)ctx->id_mask + 1) * sizeof(u32));
	for (i = 0; i < ctx->n; i++) {
		h = (u32)leofs_hash64(ctx->pts[i].id) & ctx->id_mask;
		while (ctx->id_hash[h] != NONE)
			h = (h + 1) & ctx->id_mask;
		ctx->id_hash[h] = i;
	}
}

/* pts index of an in target with this id, else NONE. */
static u32 eligible_target(const struct pl_ctx *ctx, u32 id)
{
	u32 h = (u32)leofs_hash64(id) & ctx->id_mask;

	while (ctx->id_hash[h] != NONE) {
		u32 i = ctx->id_hash[h];

		if (ctx->pts[i].id == id)
			return ctx->pts[i].flags & PT_IN ? i : NONE;
		h = (h + 1) & ctx->id_mask;
	}
	return NONE;
}

/*
 * Overrides of one row, o[0..n) (same pg, increasing rank). An override
 * with an eligible target (pool tier, weight > 0, target and node in)
 * replaces its rank's straw2 target. Then, while two ranks share a node,
 * the highest-ranked override involved is reverted to the straw2 target;
 * the straw2 row alone has distinct nodes, so this ends with every rank on
 * its own node.
 */
static void apply_row(struct pl_ctx *ctx, u32 *row,
		      const struct leofs_map_override *o, u32 n)
{
	u32 raw[LEOFS_PG_WIDTH_MAX];
	bool over[LEOFS_PG_WIDTH_MAX] = { false };
	u32 i, r, q;
	bool again;

	memcpy(raw, row, ctx->width * sizeof(u32));
	for (i = 0; i < n; i++) {
		u32 t;

		if (o[i].rank >= ctx->width)
			continue;
		t = eligible_target(ctx, o[i].target_id);
		if (t == NONE || t == raw[o[i].rank])
			continue;
		row[o[i].rank] = t;
		over[o[i].rank] = true;
	}
	do {
		u32 worst = NONE;

		for (r = 0; r < ctx->width; r++)
			for (q = r + 1; q < ctx->width; q++) {
				if (ctx->pts[row[r]].node_id !=
				    ctx->pts[row[q]].node_id)
					continue;
				if (over[q] && (worst == NONE || q > worst))
					worst = q;
				else if (over[r] && (worst == NONE || r > worst))
					worst = r;
			}
		again = worst != NONE;
		if (again) {
			row[worst] = raw[worst];
			over[worst] = false;
		}
	} while (again);
}

/* Step 4; the overrides are sorted and unique (checked by the caller). */
static void apply_overrides(struct pl_ctx *ctx, u32 pg_num)
{
	const struct leofs_map *map = ctx->map;
	const struct leofs_map_override *o = map->overrides;
	u32 i, start = 0, n = 0;
	bool hashed = false;

	for (i = 0; i < map->override_count; i++) {
		if (o[i].pool_id != ctx->pool_id || o[i].width != ctx->width)
			continue;
		if (!n)
			start = i;
		n++;
	}
	for (i = 0; i < n;) {
		const struct leofs_map_override *row_o = &o[start + i];
		u32 k = 1;

		while (i + k < n && row_o[k].pg == row_o[0].pg)
			k++;
		if (row_o->pg < pg_num) {
			if (!hashed) {
				id_hash_fill(ctx);
				hashed = true;
			}
			apply_row(ctx, &ctx->row_out[(size_t)row_o->pg *
						     ctx->width],
				  row_o, k);
		}
		i += k;
	}
}

int leofs_pg_table_build(const struct leofs_map *map, u32 pool_id, u32 width,
			 void *work, size_t work_size,
			 struct leofs_pg_table *table, size_t table_size)
{
	const struct leofs_map_pool *pool = find_pool(map, pool_id);
	struct pl_ctx ctx;
	size_t need_work, need_table;
	u64 w_all;
	u32 i, w_shift;
	int in_nodes;

	if (!pool)
		return -ENOENT;
	need_table = leofs_pg_table_size(pool->pg_num, width);
	need_work = leofs_pg_table_work_size(map->target_count, pool->pg_num,
					     width);
	if (!need_table || !need_work || table_size < need_table ||
	    work_size < need_work)
		return -EINVAL;
	if (map->override_count > LEOFS_MAP_MAX_OVERRIDES)
		return -EINVAL;

	ctx.map = map;
	ctx.pool_id = pool_id;
	ctx.width = width;
	ctx.cols_n = pool->pg_num * width;
	ctx.pts = work;
	work_layout(&ctx, map->target_count, ctx.cols_n);

	in_nodes = collect_targets(&ctx, pool->tier, &w_all);
	if (in_nodes < 0)
		return in_nodes;
	if ((u32)in_nodes < width)
		return -ENOSPC;
	/* the table is written only once nothing can fail */
	for (i = 1; i < map->override_count; i++)
		if (leofs_map_override_cmp(&map->overrides[i - 1], &map->overrides[i]) >= 0)
			return -EINVAL;
	if (map->override_count && !map->overrides)
		return -EINVAL;

	memset(ctx.cols, 0xff, (size_t)ctx.cols_n * sizeof(*ctx.cols));
	w_shift = ceil_log2(w_all);
	for (i = 0; i < ctx.n; i++)
		emit_darts(&ctx, i, w_shift);

	ctx.row_out = table->targets;
	straw2_rows(&ctx);
	apply_overrides(&ctx, pool->pg_num);

	for (i = 0; i < ctx.cols_n; i++)
		table->targets[i] = ctx.pts[table->targets[i]].id;
	table->epoch = map->epoch;
	table->pool_id = pool_id;
	table->pg_num = pool->pg_num;
	table->width = width;
	table->reserved = 0;
	return 0;
}
