// SPDX-License-Identifier: GPL-2.0
/*
 * PG health of a pool, computed from the cluster map alone: the same PG
 * table every client computes (lib/placement, overrides included), then
 * the up state of each member's target and node.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "leofs/placement.h"
#include "admin.h"

u32 admin_min_size(u8 scheme, u8 k, u8 m)
{
	switch (scheme) {
	case LEOFS_LAYOUT_EC:
		return (u32)k + 1;
	case LEOFS_LAYOUT_REPLICA:
		return m ? 2 : 1;
	default:
		return 0;
	}
}

const struct leofs_map_pool *admin_map_pool_by_id(const struct leofs_map *m,
						  u32 id)
{
	u32 i;

	for (i = 0; i < m->pool_count; i++)
		if (m->pools[i].id == id)
			return &m->pools[i];
	return NULL;
}

const struct leofs_map_pool *admin_map_pool_by_name(const struct leofs_map *m,
						    const char *name)
{
	u32 i;

	for (i = 0; i < m->pool_count; i++)
		if (!strcmp(m->pools[i].name, name))
			return &m->pools[i];
	return NULL;
}

const struct leofs_map_node *admin_map_node(const struct leofs_map *m, u32 id)
{
	u32 i;

	for (i = 0; i < m->node_count; i++)
		if (m->nodes[i].id == id)
			return &m->nodes[i];
	return NULL;
}

const struct leofs_map_mds *admin_map_mds(const struct leofs_map *m, u32 id)
{
	u32 i;

	for (i = 0; i < m->mds_count; i++)
		if (m->mds[i].id == id)
			return &m->mds[i];
	return NULL;
}

void admin_pool_members(const struct leofs_map *m,
			const struct leofs_map_pool *p, u32 *targets,
			u32 *nodes)
{
	u32 t, last = 0;
	bool any = false;

	*targets = *nodes = 0;
	/* targets are sorted by node: count the node changes */
	for (t = 0; t < m->target_count; t++) {
		const struct leofs_map_target *tg = &m->targets[t];
		const struct leofs_map_node *n = admin_map_node(m, tg->node_id);

		if (tg->tier != p->tier || !tg->weight ||
		    !(tg->state & LEOFS_STATE_IN) || !n ||
		    !(n->state & LEOFS_STATE_IN))
			continue;
		(*targets)++;
		if (!any || tg->node_id != last)
			(*nodes)++;
		any = true;
		last = tg->node_id;
	}
}

static const struct leofs_map_target *find_target(const struct leofs_map *m,
						  u32 id)
{
	u32 i;

	for (i = 0; i < m->target_count; i++)
		if (m->targets[i].id == id)
			return &m->targets[i];
	return NULL;
}

/* A member serves I/O when its target and its node are both up. */
static bool member_up(const struct leofs_map *m, u32 target_id)
{
	const struct leofs_map_target *t = find_target(m, target_id);
	const struct leofs_map_node *n;

	if (!t || !(t->state & LEOFS_STATE_UP))
		return false;
	n = admin_map_node(m, t->node_id);
	return n && (n->state & LEOFS_STATE_UP);
}

int admin_pg_health(const struct leofs_map *map, u32 pool_id, u8 scheme, u8 k,
		    u8 m, struct admin_pg_health *h)
{
	const struct leofs_map_pool *pool = admin_map_pool_by_id(map, pool_id);
	struct leofs_pg_table *table;
	size_t tsize, wsize;
	u32 pg, r, up;
	void *work;
	int rc;

	if (!pool)
		return -ENOENT;
	if ((scheme != LEOFS_LAYOUT_EC && scheme != LEOFS_LAYOUT_REPLICA) ||
	    !k || (u32)k + m > LEOFS_PG_WIDTH_MAX)
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	h->pool_id = pool_id;
	h->scheme = scheme;
	h->k = k;
	h->m = m;
	h->width = (u32)k + m;
	h->min_size = admin_min_size(scheme, k, m);
	h->pg_num = pool->pg_num;

	tsize = leofs_pg_table_size(pool->pg_num, h->width);
	wsize = leofs_pg_table_work_size(map->target_count, pool->pg_num,
					 h->width);
	if (!tsize || !wsize)
		return -EINVAL;
	table = malloc(tsize);
	work = malloc(wsize);
	if (!table || !work) {
		free(table);
		free(work);
		return -ENOMEM;
	}
	rc = leofs_pg_table_build(map, pool_id, h->width, work, wsize, table,
				  tsize);
	if (rc == -ENOSPC) {
		h->error = rc;
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	for (pg = 0; pg < pool->pg_num; pg++) {
		for (r = 0, up = 0; r < h->width; r++)
			up += member_up(map, leofs_pg_target(table, pg, r));
		if (up == h->width)
			h->clean++;
		else if (up >= h->min_size)
			h->degraded++;
		else
			h->readonly++;
	}
out:
	free(table);
	free(work);
	return rc;
}
