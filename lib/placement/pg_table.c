// SPDX-License-Identifier: GPL-2.0
/*
 * PG table construction: for every (PG, rank) "column" of a pool, pick a
 * target so that the ranks of a PG sit on distinct nodes, targets fill in
 * proportion to their weight within 5%, and map changes move few members.
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
 * 2. Balancing, by deferred acceptance: columns propose to their
 *    candidates in order (skipping nodes the PG's other ranks hold); a
 *    target keeps at most its cap, floor(1.05 x weighted mean), of the
 *    columns that propose to it, preferring those where its draw was best,
 *    and rejected columns propose further down their lists. Caps follow
 *    the total weight in steps of 1/128..1/64, so that one node more or
 *    less rarely changes every cap at once. Targets that are out (or on an
 *    out node) take part in this pass as if they were in, so that marking
 *    one out changes nothing here.
 * 3. Out targets. Columns that landed on an out target are reassigned, in
 *    the same order, to their best in candidate on an unused node with
 *    room under the cap computed over the in targets. Every other column
 *    keeps its target and rank.
 */
#include "internal.h"

#define DART_K		12	/* darts per column: between K/2 and K */
#define COL_CANDS	6	/* candidates kept per column */
#define NONE		0xffffffffu

#define PT_IN		0x1
#define CAP_GRID_BITS	7	/* caps follow total weight in 1/128..1/64 steps */

/* A target of the pool's tier with weight > 0 on a node of the map. */
struct pl_target {
	u32 id;
	u32 node_id;
	u32 weight;
	u32 flags;
	u32 load;		/* columns placed here */
	u32 cap;
	u32 heap_off;		/* its evictable columns in pl_ctx.heap */
	u32 heap_n;
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
	u64 *heap;		/* per target: max-heap of (key << 32 | col) */
	u32 *queue;		/* columns waiting for a target, FIFO ring */
	u8 *next;		/* per column: next candidate to propose to */
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

/*
 * Workspace: targets, column candidates, the eviction heaps (the caps add
 * up to at most cols + cols / 20 + targets), the queue and the per-column
 * candidate cursor. Fills ctx's pointers when ctx is given.
 */
static size_t work_layout(struct pl_ctx *ctx, u32 target_count, size_t cols)
{
	size_t off = 0, heap_n = cols + cols / 20 + target_count + 1;
	u8 *base = ctx ? (u8 *)ctx->pts : NULL;

	off += (size_t)target_count * sizeof(struct pl_target);
	if (ctx)
		ctx->cols = (struct pl_col *)(base + off);
	off += cols * sizeof(struct pl_col);
	if (ctx)
		ctx->heap = (u64 *)(base + off);
	off += heap_n * sizeof(u64);
	if (ctx)
		ctx->queue = (u32 *)(base + off);
	off += cols * sizeof(u32);
	if (ctx)
		ctx->next = base + off;
	off += cols;
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
static int collect_targets(struct pl_ctx *ctx, u8 tier, u64 *w_all, u64 *w_in)
{
	const struct leofs_map *map = ctx->map;
	const struct leofs_map_node *node = NULL;
	u32 i, cursor = 0, last_in_node = 0;
	int in_nodes = 0;

	*w_all = 0;
	*w_in = 0;
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
		pt->load = 0;
		pt->cap = 0;
		pt->heap_off = 0;
		pt->heap_n = 0;
		*w_all += t->weight;
		if ((t->state & LEOFS_STATE_IN) && (node->state & LEOFS_STATE_IN)) {
			pt->flags = PT_IN;
			*w_in += t->weight;
			if (!in_nodes || t->node_id != last_in_node)
				in_nodes++;
			last_in_node = t->node_id;
		}
	}
	return in_nodes;
}

static u32 ceil_log2(u64 v)
{
	u32 s = 0;

	while (s < 64 && (1ull << s) < v)
		s++;
	return s;
}

/*
 * Cap of a target: floor(1.05 x its weighted share of the columns), but at
 * least the ceiling of the share so that the caps always add up to at
 * least the column count. q <= 2^27 * 2^32, no overflow.
 */
static void set_caps(struct pl_ctx *ctx, u64 w_total, u32 need_flags)
{
	u64 step = 1ull << (ceil_log2(w_total) > CAP_GRID_BITS ?
			    ceil_log2(w_total) - CAP_GRID_BITS : 0);
	u64 w_grid = (w_total + step - 1) / step * step;
	u32 i;

	for (i = 0; i < ctx->n; i++) {
		struct pl_target *pt = &ctx->pts[i];
		u64 q = (u64)ctx->cols_n * pt->weight;
		u64 cap = (q + q / 20) / w_grid;
		u64 share_ceil = (q + w_total - 1) / w_total;

		if ((pt->flags & need_flags) != need_flags)
			continue;
		if (cap < share_ceil)
			cap = share_ceil;
		pt->cap = (u32)cap;
	}
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
		   u32 tidx, u32 need_flags, bool capped)
{
	const struct pl_target *pt = &ctx->pts[tidx];

	if ((pt->flags & need_flags) != need_flags)
		return false;
	if (capped && pt->load >= pt->cap)
		return false;
	return !node_used(ctx, row, rank, pt->node_id);
}

/* Full straw2 scan for a column whose kept candidates are all unusable. */
static u32 scan_column(const struct pl_ctx *ctx, u32 col, const u32 *row,
		       u32 rank, u32 need_flags, bool capped)
{
	u64 seed = leofs_hash3(LEOFS_SALT_SCAN, ctx->pool_id, col);
	u64 best_cost = 0;
	u32 i, best = NONE;

	for (i = 0; i < ctx->n; i++) {
		u64 cost;

		if (!usable(ctx, row, rank, i, need_flags, capped))
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

static u32 pick(const struct pl_ctx *ctx, u32 col, const u32 *row, u32 rank,
		u32 need_flags)
{
	const struct pl_col *c = &ctx->cols[col];
	u32 i, t;

	for (i = 0; i < COL_CANDS && c->tidx[i] != NONE; i++)
		if (usable(ctx, row, rank, c->tidx[i], need_flags, true))
			return c->tidx[i];
	t = scan_column(ctx, col, row, rank, need_flags, true);
	if (t == NONE)
		t = scan_column(ctx, col, row, rank, need_flags, false);
	return t;
}

static u64 heap_entry(u32 key, u32 col)
{
	return (u64)key << 32 | col;
}

static void heap_push(struct pl_ctx *ctx, struct pl_target *pt, u64 v)
{
	u64 *h = &ctx->heap[pt->heap_off];
	u32 i = pt->heap_n++;

	while (i && h[(i - 1) / 2] < v) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = v;
}

/* Replace the largest (worst) entry by v; returns the one removed. */
static u64 heap_replace_top(struct pl_ctx *ctx, struct pl_target *pt, u64 v)
{
	u64 *h = &ctx->heap[pt->heap_off];
	u64 top = h[0];
	u32 i = 0, n = pt->heap_n;

	for (;;) {
		u32 c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && h[c + 1] > h[c])
			c++;
		if (h[c] <= v)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = v;
	return top;
}

/*
 * Offer column col (rank of row) to target tidx with priority key. It is
 * taken if the target has room, or if it outranks the target's worst
 * evictable column, which is then returned (else NONE) for requeueing;
 * *taken says whether col was placed.
 */
static u32 propose(struct pl_ctx *ctx, u32 col, u32 key, u32 tidx,
		   bool *taken)
{
	struct pl_target *pt = &ctx->pts[tidx];
	u64 v = heap_entry(key, col), worst;

	*taken = false;
	if (pt->load < pt->cap) {
		heap_push(ctx, pt, v);
		pt->load++;
		*taken = true;
		return NONE;
	}
	if (!pt->heap_n || ctx->heap[pt->heap_off] <= v)
		return NONE;
	worst = heap_replace_top(ctx, pt, v);
	*taken = true;
	return (u32)worst;
}

/*
 * Balancing pass: deferred acceptance. Columns propose to their candidates
 * in order; a full target keeps the columns it ranks best (lowest dart
 * key) and rejects the rest, which propose further down their lists. The
 * outcome depends on the candidate lists and caps, hardly on the order.
 * A column with no usable candidate left takes its straw2 scan choice
 * (with room if possible) and is then never evicted.
 */
static void assign_all(struct pl_ctx *ctx)
{
	u32 head = 0, tail = 0, queued = ctx->cols_n, col;

	for (col = 0; col < ctx->cols_n; col++) {
		ctx->row_out[col] = NONE;
		ctx->next[col] = 0;
		ctx->queue[col] = col;
	}
	while (queued) {
		u32 rank, evicted = NONE, tidx = NONE;
		u32 *row;
		bool taken = false;

		col = ctx->queue[head];
		head = head + 1 == ctx->cols_n ? 0 : head + 1;
		queued--;
		rank = col % ctx->width;
		row = &ctx->row_out[col - rank];
		while (ctx->next[col] < COL_CANDS) {
			const struct pl_col *c = &ctx->cols[col];
			u32 i = ctx->next[col]++;

			tidx = c->tidx[i];
			if (tidx == NONE) {
				ctx->next[col] = COL_CANDS;
				break;
			}
			if (node_used(ctx, row, rank, ctx->pts[tidx].node_id))
				continue;
			evicted = propose(ctx, col, c->key[i], tidx, &taken);
			if (taken)
				break;
		}
		if (!taken) {
			tidx = scan_column(ctx, col, row, rank, 0, true);
			if (tidx == NONE)
				tidx = scan_column(ctx, col, row, rank, 0, false);
			ctx->pts[tidx].load++;
		}
		row[rank] = tidx;
		if (evicted != NONE) {
			ctx->row_out[evicted] = NONE;
			ctx->queue[tail] = evicted;
			tail = tail + 1 == ctx->cols_n ? 0 : tail + 1;
			queued++;
		}
	}
}

static void reassign_out(struct pl_ctx *ctx)
{
	u32 col, r;

	for (col = 0; col < ctx->cols_n; col += ctx->width) {
		u32 *row = &ctx->row_out[col];

		for (r = 0; r < ctx->width; r++) {
			if (ctx->pts[row[r]].flags & PT_IN)
				continue;
			row[r] = pick(ctx, col + r, row, r, PT_IN);
			ctx->pts[row[r]].load++;
		}
	}
}

int leofs_pg_table_build(const struct leofs_map *map, u32 pool_id, u32 width,
			 void *work, size_t work_size,
			 struct leofs_pg_table *table, size_t table_size)
{
	const struct leofs_map_pool *pool = find_pool(map, pool_id);
	struct pl_ctx ctx;
	size_t need_work, need_table;
	u64 w_all, w_in;
	u32 i, off, w_shift;
	int in_nodes;

	if (!pool)
		return -ENOENT;
	need_table = leofs_pg_table_size(pool->pg_num, width);
	need_work = leofs_pg_table_work_size(map->target_count, pool->pg_num,
					     width);
	if (!need_table || !need_work || table_size < need_table ||
	    work_size < need_work)
		return -EINVAL;

	ctx.map = map;
	ctx.pool_id = pool_id;
	ctx.width = width;
	ctx.cols_n = pool->pg_num * width;
	ctx.pts = work;
	work_layout(&ctx, map->target_count, ctx.cols_n);
	ctx.row_out = table->targets;

	in_nodes = collect_targets(&ctx, pool->tier, &w_all, &w_in);
	if (in_nodes < 0)
		return in_nodes;
	if ((u32)in_nodes < width)
		return -ENOSPC;

	memset(ctx.cols, 0xff, (size_t)ctx.cols_n * sizeof(*ctx.cols));
	w_shift = ceil_log2(w_all);
	for (i = 0; i < ctx.n; i++)
		emit_darts(&ctx, i, w_shift);

	set_caps(&ctx, w_all, 0);
	for (i = 0, off = 0; i < ctx.n; i++) {
		ctx.pts[i].heap_off = off;
		off += ctx.pts[i].cap;
	}
	assign_all(&ctx);
	set_caps(&ctx, w_in, PT_IN);
	reassign_out(&ctx);

	for (i = 0; i < ctx.cols_n; i++)
		table->targets[i] = ctx.pts[table->targets[i]].id;
	table->epoch = map->epoch;
	table->pool_id = pool_id;
	table->pg_num = pool->pg_num;
	table->width = width;
	table->reserved = 0;
	return 0;
}
