// SPDX-License-Identifier: GPL-2.0
/*
 * Placement quality: per-weight balance of a PG table and the members a
 * map change moves, against the least any placement must move.
 */
#include <stdlib.h>
#include <time.h>

#include "placesim.h"

struct leofs_pg_table *placesim_build(const struct placesim_cluster *c,
				      int *err)
{
	const struct leofs_map_pool *pool = NULL;
	struct leofs_pg_table *t;
	size_t tsize, wsize;
	void *work;
	u32 i;

	for (i = 0; i < c->map.pool_count; i++)
		if (c->map.pools[i].id == c->pool_id)
			pool = &c->map.pools[i];
	if (!pool) {
		*err = -ENOENT;
		return NULL;
	}
	tsize = leofs_pg_table_size(pool->pg_num, c->width);
	wsize = leofs_pg_table_work_size(c->map.target_count, pool->pg_num,
					 c->width);
	if (!tsize || !wsize) {
		*err = -EINVAL;
		return NULL;
	}
	t = malloc(tsize);
	work = malloc(wsize);
	if (!t || !work) {
		free(t);
		free(work);
		*err = -ENOMEM;
		return NULL;
	}
	*err = leofs_pg_table_build(&c->map, c->pool_id, c->width, work, wsize,
				    t, tsize);
	free(work);
	if (*err) {
		free(t);
		return NULL;
	}
	return t;
}

struct id_index {
	u32 id;
	u32 idx;
};

static int cmp_id(const void *a, const void *b)
{
	const struct id_index *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static const struct id_index *find_id(const struct id_index *ix, u32 n, u32 id)
{
	struct id_index key = { .id = id };

	return bsearch(&key, ix, n, sizeof(*ix), cmp_id);
}

static bool node_in(const struct leofs_map *m, u32 node_id)
{
	u32 i;

	for (i = 0; i < m->node_count; i++)
		if (m->nodes[i].id == node_id)
			return m->nodes[i].state & LEOFS_STATE_IN;
	return false;
}

void placesim_balance(const struct placesim_cluster *c,
		      const struct leofs_pg_table *t,
		      struct placesim_balance *b)
{
	const struct leofs_map *m = &c->map;
	struct id_index *ix = calloc(m->target_count + 1, sizeof(*ix));
	u32 *load = calloc(m->target_count + 1, sizeof(*load));
	u64 cols = (u64)t->pg_num * t->width, w_in = 0;
	u8 tier = 0;
	u32 i;

	memset(b, 0, sizeof(*b));
	if (!ix || !load)
		goto out;
	for (i = 0; i < m->pool_count; i++)
		if (m->pools[i].id == c->pool_id)
			tier = m->pools[i].tier;
	for (i = 0; i < m->target_count; i++) {
		ix[i].id = m->targets[i].id;
		ix[i].idx = i;
	}
	qsort(ix, m->target_count, sizeof(*ix), cmp_id);
	for (i = 0; i < cols; i++) {
		const struct id_index *e = find_id(ix, m->target_count,
						   t->targets[i]);

		if (e)
			load[e->idx]++;
	}
	for (i = 0; i < m->target_count; i++) {
		const struct leofs_map_target *tg = &m->targets[i];

		if (tg->tier == tier && tg->weight &&
		    (tg->state & LEOFS_STATE_IN) && node_in(m, tg->node_id))
			w_in += tg->weight;
	}
	if (!w_in)
		goto out;
	b->mean = (double)cols * LEOFS_WEIGHT_ONE / (double)w_in;
	for (i = 0; i < m->target_count; i++) {
		const struct leofs_map_target *tg = &m->targets[i];
		double per_w;

		if (tg->tier != tier || !tg->weight ||
		    !(tg->state & LEOFS_STATE_IN) || !node_in(m, tg->node_id))
			continue;
		per_w = (double)load[i] * LEOFS_WEIGHT_ONE / tg->weight;
		if (!b->targets || per_w < b->min)
			b->min = per_w;
		if (!b->targets || per_w > b->max)
			b->max = per_w;
		b->targets++;
	}
	b->ratio = b->max / b->mean;
out:
	free(ix);
	free(load);
}

/*
 * Members not on the removed targets that now sit at another rank of
 * their PG: a target that held rank r of a PG before and holds it after
 * must hold it at rank r.
 */
static u64 count_rank_changes(const struct leofs_pg_table *a,
			      const struct leofs_pg_table *b, const u32 *gone,
			      u32 ngone)
{
	u64 changed = 0;
	u32 pg, r, q, j;

	for (pg = 0; pg < a->pg_num; pg++)
		for (r = 0; r < a->width; r++) {
			u32 t = leofs_pg_target(a, pg, r);
			bool was_gone = false;

			for (j = 0; j < ngone; j++)
				was_gone |= gone[j] == t;
			if (was_gone)
				continue;
			for (q = 0; q < b->width; q++)
				changed += q != r && leofs_pg_target(b, pg, q) == t;
		}
	return changed;
}

static u64 count_moved(const struct leofs_pg_table *a,
		       const struct leofs_pg_table *b)
{
	u64 i, n = (u64)a->pg_num * a->width, moved = 0;

	for (i = 0; i < n; i++)
		moved += a->targets[i] != b->targets[i];
	return moved;
}

/* Overrides of the cluster's map for its pool and width. */
u32 placesim_override_count(const struct placesim_cluster *c)
{
	u32 i, n = 0;

	for (i = 0; i < c->map.override_count; i++)
		n += c->map.overrides[i].pool_id == c->pool_id &&
		     c->map.overrides[i].width == c->width;
	return n;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * The map authority's side of a change: next (already changed from c)
 * gets its overrides from the balancer, then its final table is built.
 */
static struct leofs_pg_table *publish(const struct placesim_cluster *c,
				      struct placesim_cluster *next,
				      struct placesim_move *m, int *err)
{
	struct placesim_balance b;
	struct leofs_pg_table *after;
	double t0 = now();

	*err = placesim_rebalance(next, c, &m->stats);
	m->seconds = now() - t0;
	if (*err)
		return NULL;
	after = placesim_build(next, err);
	if (after) {
		placesim_balance(next, after, &b);
		m->balance = b.ratio;
	}
	return after;
}

static void hand_over(struct placesim_cluster *next,
		      struct placesim_cluster *out)
{
	if (out)
		*out = *next;
	else
		placesim_cluster_free(next);
}

int placesim_move_add(const struct placesim_cluster *c,
		      const struct leofs_pg_table *before, u32 targets,
		      u32 weight, struct placesim_move *m,
		      struct placesim_cluster *out)
{
	struct placesim_cluster next;
	struct placesim_balance b;
	struct leofs_pg_table *after;
	double w_new = (double)targets * weight;
	int ret;

	memset(m, 0, sizeof(*m));
	ret = placesim_cluster_copy(&next, c);
	if (ret)
		return ret;
	ret = placesim_add_node(&next, targets, weight);
	if (ret < 0)
		goto fail;
	after = publish(c, &next, m, &ret);
	if (!after)
		goto fail;
	placesim_balance(&next, after, &b);
	m->moved = count_moved(before, after);
	/* the new node's weighted share of all members */
	m->optimal = b.mean * w_new / LEOFS_WEIGHT_ONE;
	m->ratio = m->optimal > 0 ? m->moved / m->optimal : 0;
	free(after);
	hand_over(&next, out);
	return 0;
fail:
	placesim_cluster_free(&next);
	return ret;
}

/*
 * Removal: marking the node out (drop = false), the way a node leaves
 * placement, or deleting it from the map (drop = true).
 */
int placesim_move_remove(const struct placesim_cluster *c,
			 const struct leofs_pg_table *before, u32 node_id,
			 bool drop, struct placesim_move *m,
			 struct placesim_cluster *out)
{
	const struct leofs_map *map = &c->map;
	struct placesim_cluster next;
	struct leofs_pg_table *after;
	u64 i, n = (u64)before->pg_num * before->width, on_node = 0;
	u32 *ids, k = 0;
	int ret;

	memset(m, 0, sizeof(*m));
	ret = placesim_cluster_copy(&next, c);
	if (ret)
		return ret;
	ret = drop ? placesim_drop_node(&next, node_id) :
		     placesim_mark_out(&next, node_id);
	if (ret)
		goto fail;
	after = publish(c, &next, m, &ret);
	if (!after)
		goto fail;
	ids = calloc(map->target_count + 1, sizeof(*ids));
	if (!ids) {
		free(after);
		ret = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < map->target_count; i++)
		if (map->targets[i].node_id == node_id)
			ids[k++] = map->targets[i].id;
	for (i = 0; i < n; i++) {
		bool was_on = false;
		u32 j;

		for (j = 0; j < k; j++)
			was_on |= ids[j] == before->targets[i];
		on_node += was_on;
		if (before->targets[i] != after->targets[i]) {
			m->moved++;
			m->moved_elsewhere += !was_on;
		}
	}
	m->rank_changed = count_rank_changes(before, after, ids, k);
	free(ids);
	free(after);
	m->optimal = (double)on_node;
	m->ratio = on_node ? m->moved / m->optimal : 0;
	hand_over(&next, out);
	return 0;
fail:
	placesim_cluster_free(&next);
	return ret;
}
