// SPDX-License-Identifier: GPL-2.0
/*
 * What the balancer reads from a map: the pool's eligible targets, and
 * its PG tables with and without the map's overrides.
 */
#include <stdlib.h>

#include "internal.h"

struct node_state {
	u32 id;
	u32 state;
};

static int cmp_node(const void *a, const void *b)
{
	const struct node_state *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_target(const void *a, const void *b)
{
	const struct bal_target *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Fills ts (malloc'd; the caller frees ts->t). -ENOENT: no such pool. */
int bal_collect(const struct leofs_map *map, u32 pool_id,
		struct bal_targets *ts)
{
	const struct leofs_map_pool *pool = NULL;
	struct node_state *nodes, key, *nd;
	u32 i;

	memset(ts, 0, sizeof(*ts));
	for (i = 0; i < map->pool_count; i++)
		if (map->pools[i].id == pool_id)
			pool = &map->pools[i];
	if (!pool)
		return -ENOENT;
	nodes = calloc(map->node_count + 1, sizeof(*nodes));
	ts->t = calloc(map->target_count + 1, sizeof(*ts->t));
	if (!nodes || !ts->t) {
		free(nodes);
		free(ts->t);
		ts->t = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < map->node_count; i++) {
		nodes[i].id = map->nodes[i].id;
		nodes[i].state = map->nodes[i].state;
	}
	qsort(nodes, map->node_count, sizeof(*nodes), cmp_node);
	for (i = 0; i < map->target_count; i++) {
		const struct leofs_map_target *t = &map->targets[i];

		if (t->tier != pool->tier || !t->weight ||
		    !(t->state & LEOFS_STATE_IN))
			continue;
		key.id = t->node_id;
		nd = bsearch(&key, nodes, map->node_count, sizeof(*nodes),
			     cmp_node);
		if (!nd || !(nd->state & LEOFS_STATE_IN))
			continue;
		ts->t[ts->n++] = (struct bal_target){ .id = t->id,
			.node_id = t->node_id, .weight = t->weight };
		ts->weight += t->weight;
	}
	free(nodes);
	qsort(ts->t, ts->n, sizeof(*ts->t), cmp_target);
	return 0;
}

/* Index of the eligible target with this id, or BAL_NONE. */
u32 bal_find(const struct bal_targets *ts, u32 id)
{
	u32 lo = 0, hi = ts->n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (ts->t[mid].id == id)
			return mid;
		if (ts->t[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return BAL_NONE;
}

/* The pool's PG table, straw2 only or with the map's overrides. */
struct leofs_pg_table *bal_table(const struct leofs_map *map, u32 pool_id,
				 u32 width, bool overrides, int *err)
{
	struct leofs_map m = *map;
	struct leofs_pg_table *t;
	size_t ts, ws;
	void *work;
	u32 i, pg_num = 0;

	for (i = 0; i < map->pool_count; i++)
		if (map->pools[i].id == pool_id)
			pg_num = map->pools[i].pg_num;
	if (!overrides) {
		m.override_count = 0;
		m.overrides = NULL;
	}
	ts = leofs_pg_table_size(pg_num, width);
	ws = leofs_pg_table_work_size(map->target_count, pg_num, width);
	if (!ts || !ws) {
		*err = pg_num ? -EINVAL : -ENOENT;
		return NULL;
	}
	t = malloc(ts);
	work = malloc(ws);
	*err = t && work ? leofs_pg_table_build(&m, pool_id, width, work, ws,
						t, ts) : -ENOMEM;
	free(work);
	if (*err) {
		free(t);
		return NULL;
	}
	return t;
}
