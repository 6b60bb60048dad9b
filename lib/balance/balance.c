// SPDX-License-Identifier: GPL-2.0
/*
 * The placement balancer (balance.h). A member is one (PG, rank) slot.
 *
 * 1. Start. Each member keeps its previous final target, unless that
 *    target is no longer eligible (the member is then placed in step 2),
 *    or straw2 moved the member between the epochs because a target
 *    joined or gained weight, or left the target it was on because that
 *    one lost weight: it then follows straw2. Straw2 changes with other
 *    causes (a rank shifting because another rank's node left) are not
 *    followed: those members stay.
 * 2. Placement. Members without a target (their target left, or the rank
 *    clashed with another rank's node) take, among targets with room on a
 *    node the rest of the row lacks, their previous target, else their
 *    straw2 target, else the least loaded by weight.
 * 3. Balance. Targets above their cap, most loaded first, shed members:
 *    first members that moved this epoch, back to their previous target
 *    (undoing a move), or elsewhere (no extra move); only then members
 *    that had not moved, to their straw2 target (dropping an override)
 *    or to the least loaded target. Moves only go to targets with room,
 *    so no target goes over its cap.
 * 4. Compensation. For every member step 3 had to move, one member that
 *    moved this epoch returns to its previous target if that has room,
 *    from the most loaded targets first: the balance moves are paid back.
 * 5. Overrides: every member whose final target is not its straw2 target.
 *
 * Every choice is made in a fixed order (member, then target index), so
 * the result is a function of the two maps.
 */
#include <stdlib.h>

#include "internal.h"

struct bal_ctx {
	struct bal_targets ts;	/* next's eligible targets */
	u32 width;
	u32 cols;
	u32 *cur;		/* per member: index in ts, or BAL_NONE */
	u32 *raw;		/* next's straw2 target (always eligible) */
	u32 *prev;		/* previous final target, BAL_NONE if gone */
	u32 *moff;		/* members of target i: mem[moff[i]..moff[i+1]) */
	u32 *mem;
	u32 balance_moves;
	bool hard;		/* room up to cap instead of fill */
};

static bool is_moved(const struct bal_ctx *c, u32 s)
{
	return c->cur[s] != c->prev[s];
}

static u32 limit(const struct bal_ctx *c, u32 t)
{
	return c->hard ? c->ts.t[t].cap : c->ts.t[t].fill;
}

static bool has_room(const struct bal_ctx *c, u32 t)
{
	return c->ts.t[t].load < limit(c, t);
}

/* No other rank of member s's row is on target t's node. */
static bool node_free(const struct bal_ctx *c, u32 s, u32 t)
{
	u32 row = s - s % c->width, q, node = c->ts.t[t].node_id;

	for (q = row; q < row + c->width; q++)
		if (q != s && c->cur[q] != BAL_NONE &&
		    c->ts.t[c->cur[q]].node_id == node)
			return false;
	return true;
}

static bool fits(const struct bal_ctx *c, u32 s, u32 t)
{
	return t != BAL_NONE && has_room(c, t) && node_free(c, s, t);
}

/* (load + 1) / weight of a below b: the emptier target by weight. */
static bool emptier(const struct bal_target *a, const struct bal_target *b)
{
	return (u64)(a->load + 1) * b->weight < (u64)(b->load + 1) * a->weight;
}

/* The least loaded target (by weight) for member s; BAL_NONE if none. */
static u32 best_dest(const struct bal_ctx *c, u32 s, bool need_room)
{
	u32 i, best = BAL_NONE;

	for (i = 0; i < c->ts.n; i++) {
		if (i == c->cur[s] || (need_room && !has_room(c, i)) ||
		    !node_free(c, s, i))
			continue;
		if (best == BAL_NONE || emptier(&c->ts.t[i], &c->ts.t[best]))
			best = i;
	}
	return best;
}

static void move(struct bal_ctx *c, u32 s, u32 t)
{
	if (c->cur[s] != BAL_NONE)
		c->ts.t[c->cur[s]].load--;
	c->cur[s] = t;
	c->ts.t[t].load++;
}

/* max(floor(share x (1000 + permille) / 1000), ceil(share)) */
static u32 share_limit(const struct bal_ctx *c, u32 weight, u32 permille)
{
	unsigned __int128 q = (unsigned __int128)c->cols * weight;
	u64 lim = (u64)(q * (1000 + permille) /
			((unsigned __int128)c->ts.weight * 1000));
	u64 share_ceil = (u64)((q + c->ts.weight - 1) / c->ts.weight);

	return (u32)(lim > share_ceil ? lim : share_ceil);
}

/*
 * cap: the share plus the tolerance, share = cols x weight / total
 * weight. fill: the share plus 4/5 of the tolerance. Targets are shed to
 * and filled to their fill, so that the small shrink of every share when
 * a node joins does not push targets that sit at their cap over it.
 */
static void set_caps(struct bal_ctx *c, u32 tolerance)
{
	u32 i;

	for (i = 0; i < c->ts.n; i++) {
		c->ts.t[i].cap = share_limit(c, c->ts.t[i].weight, tolerance);
		c->ts.t[i].fill = share_limit(c, c->ts.t[i].weight,
					      tolerance - tolerance / 5);
	}
}

/* Step 1; prev_raw and prev_final are NULL for a fresh start. */
static void start(struct bal_ctx *c, const struct leofs_pg_table *prev_raw,
		  const struct leofs_pg_table *prev_final,
		  const struct bal_targets *pts)
{
	u32 s, q, t;

	for (s = 0; s < c->cols; s++) {
		u32 rp, pw, nw;

		if (!prev_raw) {
			c->cur[s] = c->raw[s];
			c->prev[s] = c->raw[s];
			continue;
		}
		c->prev[s] = bal_find(&c->ts, prev_final->targets[s]);
		c->cur[s] = c->prev[s];
		rp = prev_raw->targets[s];
		if (c->prev[s] == BAL_NONE || rp == c->ts.t[c->raw[s]].id)
			continue;
		/* straw2 moved it: follow if a target joined or gained ... */
		t = bal_find(pts, c->ts.t[c->raw[s]].id);
		pw = t == BAL_NONE ? 0 : pts->t[t].weight;
		if (c->ts.t[c->raw[s]].weight > pw) {
			c->cur[s] = c->raw[s];
			continue;
		}
		/* ... or if it was on its straw2 target and that one lost */
		if (prev_final->targets[s] != rp)
			continue;
		t = bal_find(&c->ts, rp);
		nw = t == BAL_NONE ? 0 : c->ts.t[t].weight;
		t = bal_find(pts, rp);
		if (t != BAL_NONE && pts->t[t].weight > nw)
			c->cur[s] = c->raw[s];
	}
	/* a rank that followed straw2 onto a node another rank kept yields */
	for (s = 0; s < c->cols; s++) {
		u32 row = s - s % c->width;

		if (c->cur[s] == BAL_NONE || !is_moved(c, s))
			continue;
		for (q = row; q < row + c->width; q++)
			if (q != s && c->cur[q] != BAL_NONE &&
			    c->ts.t[c->cur[q]].node_id ==
				    c->ts.t[c->cur[s]].node_id) {
				c->cur[s] = BAL_NONE;
				break;
			}
	}
	for (s = 0; s < c->cols; s++)
		if (c->cur[s] != BAL_NONE)
			c->ts.t[c->cur[s]].load++;
}

/* Step 2. */
static void place_homeless(struct bal_ctx *c)
{
	u32 s, t;

	for (s = 0; s < c->cols; s++) {
		if (c->cur[s] != BAL_NONE)
			continue;
		if (fits(c, s, c->prev[s]))
			t = c->prev[s];
		else if (fits(c, s, c->raw[s]))
			t = c->raw[s];
		else
			t = best_dest(c, s, true);
		if (t == BAL_NONE)
			t = best_dest(c, s, false);
		move(c, s, t);
	}
}

static int index_members(struct bal_ctx *c)
{
	u32 s, i, *fill;

	c->moff = calloc(c->ts.n + 1, sizeof(u32));
	c->mem = malloc(((size_t)c->cols + 1) * sizeof(u32));
	fill = calloc(c->ts.n + 1, sizeof(u32));
	if (!c->moff || !c->mem || !fill) {
		free(fill);
		return -ENOMEM;
	}
	for (s = 0; s < c->cols; s++)
		c->moff[c->cur[s] + 1]++;
	for (i = 0; i < c->ts.n; i++)
		c->moff[i + 1] += c->moff[i];
	for (s = 0; s < c->cols; s++)
		c->mem[c->moff[c->cur[s]] + fill[c->cur[s]]++] = s;
	free(fill);
	return 0;
}

enum shed_pass {
	SHED_RETURN,		/* a moved member back to its previous target */
	SHED_MOVED,		/* a moved member elsewhere */
	SHED_TO_RAW,		/* an unmoved member to its straw2 target */
	SHED_ANY,		/* an unmoved member anywhere with room */
};

/* One pass over source target src's members; stops once src fits. */
static void shed(struct bal_ctx *c, u32 src, enum shed_pass pass)
{
	struct bal_target *st = &c->ts.t[src];
	u32 k, s, t;

	for (k = c->moff[src]; k < c->moff[src + 1] &&
			       st->load > limit(c, src); k++) {
		s = c->mem[k];
		if (c->cur[s] != src || (pass < SHED_TO_RAW) != is_moved(c, s))
			continue;
		switch (pass) {
		case SHED_RETURN:
			t = fits(c, s, c->prev[s]) ? c->prev[s] : BAL_NONE;
			break;
		case SHED_MOVED:
			t = c->raw[s] != src && fits(c, s, c->raw[s]) ?
				    c->raw[s] : best_dest(c, s, true);
			break;
		case SHED_TO_RAW:
			t = c->raw[s] != src && fits(c, s, c->raw[s]) ?
				    c->raw[s] : BAL_NONE;
			break;
		default:
			t = best_dest(c, s, true);
			break;
		}
		if (t == BAL_NONE)
			continue;
		move(c, s, t);
		c->balance_moves += pass >= SHED_TO_RAW;
	}
}

/* Fullness of a target, comparable across weights. */
static u64 fullness(const struct bal_target *t)
{
	return ((u64)t->load << 32) / t->weight;
}

struct order_key {
	u64 key;
	u32 idx;
};

/* Descending key, then ascending index. */
static int cmp_order(const void *a, const void *b)
{
	const struct order_key *x = a, *y = b;

	if (x->key != y->key)
		return x->key > y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Step 3: targets above their cap shed to their fill, into targets below
 * their fill; then, should some still be above their cap, to their cap
 * into targets below their cap.
 */
static int balance(struct bal_ctx *c)
{
	struct order_key *over = calloc(c->ts.n + 1, sizeof(*over));
	u32 i, n = 0, pass;

	if (!over)
		return -ENOMEM;
	for (i = 0; i < c->ts.n; i++)
		if (c->ts.t[i].load > c->ts.t[i].cap)
			over[n++] = (struct order_key){
				.key = fullness(&c->ts.t[i]), .idx = i };
	qsort(over, n, sizeof(*over), cmp_order);
	for (c->hard = false;; c->hard = true) {
		for (i = 0; i < n; i++)
			for (pass = SHED_RETURN; pass <= SHED_ANY; pass++)
				shed(c, over[i].idx, pass);
		if (c->hard)
			break;
	}
	c->hard = false;
	free(over);
	return 0;
}

/* Step 4. */
static int compensate(struct bal_ctx *c)
{
	struct order_key *cand;
	u32 s, n = 0, i, left = c->balance_moves;

	if (!left)
		return 0;
	cand = calloc((size_t)c->cols + 1, sizeof(*cand));
	if (!cand)
		return -ENOMEM;
	for (s = 0; s < c->cols; s++)
		if (is_moved(c, s) && c->prev[s] != BAL_NONE)
			cand[n++] = (struct order_key){
				.key = fullness(&c->ts.t[c->cur[s]]), .idx = s };
	qsort(cand, n, sizeof(*cand), cmp_order);
	for (i = 0; i < n && left; i++) {
		s = cand[i].idx;
		if (!fits(c, s, c->prev[s]))
			continue;
		move(c, s, c->prev[s]);
		left--;
	}
	free(cand);
	return 0;
}

/* Step 5: next's overrides with ours for (pool_id, width) replaced. */
static int write_overrides(const struct bal_ctx *c, struct leofs_map *next,
			   u32 pool_id, u32 max, u32 *count)
{
	const struct leofs_map_override key = { .pool_id = pool_id,
						.width = (u8)c->width };
	struct leofs_map_override *o;
	u32 s, i, n = 0, ours = 0, total;

	for (s = 0; s < c->cols; s++)
		ours += c->cur[s] != c->raw[s];
	for (i = 0; i < next->override_count; i++)
		n += next->overrides[i].pool_id != pool_id ||
		     next->overrides[i].width != c->width;
	total = n + ours;
	if (ours > max || total > LEOFS_MAP_MAX_OVERRIDES)
		return -E2BIG;
	o = malloc(((size_t)total + 1) * sizeof(*o));
	if (!o)
		return -ENOMEM;
	n = 0;
	for (i = 0; i < next->override_count &&
		    leofs_map_override_cmp(&next->overrides[i], &key) < 0; i++)
		o[n++] = next->overrides[i];
	for (s = 0; s < c->cols; s++)
		if (c->cur[s] != c->raw[s])
			o[n++] = (struct leofs_map_override){
				.pool_id = pool_id, .width = (u8)c->width,
				.rank = (u8)(s % c->width), .pg = s / c->width,
				.target_id = c->ts.t[c->cur[s]].id };
	for (; i < next->override_count; i++)
		if (next->overrides[i].pool_id != pool_id ||
		    next->overrides[i].width != c->width)
			o[n++] = next->overrides[i];
	next->overrides = o;
	next->override_count = n;
	*count = ours;
	return 0;
}

/* prev's tables if it can serve as the starting point, else NULLs. */
static int prev_tables(const struct leofs_map *prev, u32 pool_id, u32 width,
		       u32 pg_num, struct leofs_pg_table **raw,
		       struct leofs_pg_table **final, struct bal_targets *pts)
{
	int err;

	*raw = *final = NULL;
	if (!prev)
		return 0;
	*raw = bal_table(prev, pool_id, width, false, &err);
	if (*raw && (*raw)->pg_num == pg_num)
		*final = bal_table(prev, pool_id, width, true, &err);
	if (*final)
		err = bal_collect(prev, pool_id, pts);
	if (!*final || err) {
		free(*raw);
		free(*final);
		*raw = *final = NULL;
		return err == -ENOMEM ? err : 0;
	}
	return 0;
}

int leofs_balance(const struct leofs_map *prev, struct leofs_map *next,
		  u32 pool_id, u32 width,
		  const struct leofs_balance_limits *limits,
		  struct leofs_balance_stats *stats)
{
	struct leofs_pg_table *raw = NULL, *prev_raw = NULL, *prev_final = NULL;
	struct bal_targets pts = { 0 };
	struct bal_ctx c = { .width = width };
	u32 s, tolerance = LEOFS_BALANCE_TOLERANCE;
	u32 max = LEOFS_MAP_MAX_OVERRIDES, count = 0;
	int err;

	if (limits && limits->tolerance)
		tolerance = limits->tolerance;
	if (limits && limits->max_overrides)
		max = limits->max_overrides;
	raw = bal_table(next, pool_id, width, false, &err);
	if (!raw)
		return err;
	c.cols = raw->pg_num * width;
	err = bal_collect(next, pool_id, &c.ts);
	if (!err)
		err = prev_tables(prev, pool_id, width, raw->pg_num, &prev_raw,
				  &prev_final, &pts);
	c.cur = malloc(((size_t)c.cols + 1) * sizeof(u32));
	c.raw = malloc(((size_t)c.cols + 1) * sizeof(u32));
	c.prev = malloc(((size_t)c.cols + 1) * sizeof(u32));
	if (!err && (!c.cur || !c.raw || !c.prev))
		err = -ENOMEM;
	if (err)
		goto out;
	for (s = 0; s < c.cols; s++)
		c.raw[s] = bal_find(&c.ts, raw->targets[s]);
	set_caps(&c, tolerance);
	start(&c, prev_raw, prev_final, &pts);
	place_homeless(&c);
	err = index_members(&c);
	if (!err)
		err = balance(&c);
	if (!err)
		err = compensate(&c);
	if (!err)
		err = write_overrides(&c, next, pool_id, max, &count);
	if (err || !stats)
		goto out;
	memset(stats, 0, sizeof(*stats));
	stats->members = c.cols;
	stats->overrides = count;
	stats->balance_moves = c.balance_moves;
	for (s = 0; s < c.cols; s++)
		stats->moved += prev_final && c.cur[s] != c.prev[s];
	for (s = 0; s < c.ts.n; s++)
		stats->over_cap += c.ts.t[s].load > c.ts.t[s].cap;
out:
	free(c.cur);
	free(c.raw);
	free(c.prev);
	free(c.moff);
	free(c.mem);
	free(c.ts.t);
	free(pts.t);
	free(raw);
	free(prev_raw);
	free(prev_final);
	return err;
}
