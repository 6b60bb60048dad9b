// SPDX-License-Identifier: GPL-2.0
/*
 * Cluster descriptions for placement analysis: copy, generate, the map
 * changes the simulator studies (add a node, mark one out, drop one) and
 * the balancer run that gives the new map its overrides.
 */
#include <stdlib.h>

#include "placesim.h"

void placesim_cluster_free(struct placesim_cluster *c)
{
	free(c->map.nodes);
	free(c->map.targets);
	free(c->map.pools);
	free(c->map.mds);
	free(c->map.shards);
	free(c->map.overrides);
	memset(c, 0, sizeof(*c));
}

static void *dup_array(const void *src, size_t n, size_t size, size_t extra)
{
	void *p = calloc(n + extra + 1, size);

	if (p && n)
		memcpy(p, src, n * size);
	return p;
}

/* Deep copy with room for one more node and LEOFS_PG_WIDTH_MAX targets. */
int placesim_cluster_copy(struct placesim_cluster *dst,
			  const struct placesim_cluster *src)
{
	const struct leofs_map *m = &src->map;

	*dst = *src;
	dst->map.nodes = dup_array(m->nodes, m->node_count, sizeof(*m->nodes), 1);
	dst->map.targets = dup_array(m->targets, m->target_count,
				     sizeof(*m->targets), LEOFS_PG_WIDTH_MAX);
	dst->map.pools = dup_array(m->pools, m->pool_count, sizeof(*m->pools), 0);
	dst->map.mds = dup_array(m->mds, m->mds_count, sizeof(*m->mds), 0);
	dst->map.shards = dup_array(m->shards, m->shard_count,
				    sizeof(*m->shards), 0);
	dst->map.overrides = dup_array(m->overrides, m->override_count,
				       sizeof(*m->overrides), 0);
	if (!dst->map.nodes || !dst->map.targets || !dst->map.pools ||
	    !dst->map.mds || !dst->map.shards || !dst->map.overrides) {
		placesim_cluster_free(dst);
		return -ENOMEM;
	}
	return 0;
}

int placesim_generate(struct placesim_cluster *c, u32 nodes,
		      u32 targets_per_node, const u32 *weights, u32 nweights,
		      u32 members_per_target, u32 width)
{
	struct leofs_map *m = &c->map;
	u64 members;
	u32 i, j;

	memset(c, 0, sizeof(*c));
	if (!nodes || !targets_per_node || !nweights || !width ||
	    (u64)nodes * targets_per_node > LEOFS_MAP_MAX_TARGETS ||
	    nodes > LEOFS_MAP_MAX_NODES)
		return -EINVAL;
	members = (u64)members_per_target * nodes * targets_per_node;
	if (members / width == 0 || members / width > LEOFS_PG_NUM_MAX)
		return -EINVAL;
	m->nodes = calloc(nodes + 1, sizeof(*m->nodes));
	m->targets = calloc((size_t)nodes * targets_per_node +
			    LEOFS_PG_WIDTH_MAX, sizeof(*m->targets));
	m->pools = calloc(1, sizeof(*m->pools));
	m->mds = calloc(1, sizeof(*m->mds));
	m->shards = calloc(1, sizeof(*m->shards));
	if (!m->nodes || !m->targets || !m->pools || !m->mds || !m->shards) {
		placesim_cluster_free(c);
		return -ENOMEM;
	}
	m->epoch = 1;
	for (i = 0; i < nodes; i++) {
		m->nodes[i].id = i + 1;
		m->nodes[i].state = LEOFS_STATE_UP | LEOFS_STATE_IN;
		for (j = 0; j < targets_per_node; j++) {
			struct leofs_map_target *t =
				&m->targets[m->target_count++];

			t->id = i * targets_per_node + j + 1;
			t->node_id = i + 1;
			t->weight = weights[i % nweights];
			t->tier = LEOFS_TIER_SSD;
			t->state = LEOFS_STATE_UP | LEOFS_STATE_IN;
		}
	}
	m->node_count = nodes;
	m->pool_count = 1;
	m->pools[0].id = 1;
	m->pools[0].tier = LEOFS_TIER_SSD;
	m->pools[0].pg_num = (u32)(members / width);
	memcpy(m->pools[0].name, "sim", 4);
	c->pool_id = 1;
	c->width = width;
	return 0;
}

/*
 * Append a node with 'targets' targets of 'weight' each, ids above every
 * existing one (so the map stays sorted). The arrays must have room, as
 * placesim_cluster_copy() leaves. Returns the new node id.
 */
int placesim_add_node(struct placesim_cluster *c, u32 targets, u32 weight)
{
	struct leofs_map *m = &c->map;
	const struct leofs_map_pool *pool = NULL;
	u32 i, node_id = 0, target_id = 0;

	if (!targets || targets > LEOFS_PG_WIDTH_MAX)
		return -EINVAL;
	for (i = 0; i < m->pool_count; i++)
		if (m->pools[i].id == c->pool_id)
			pool = &m->pools[i];
	if (!pool)
		return -ENOENT;
	for (i = 0; i < m->node_count; i++)
		if (m->nodes[i].id > node_id)
			node_id = m->nodes[i].id;
	for (i = 0; i < m->target_count; i++)
		if (m->targets[i].id > target_id)
			target_id = m->targets[i].id;
	if (node_id >= 0x7fffffffu || target_id >= 0x7fffffffu - targets)
		return -ERANGE;
	node_id++;
	m->nodes[m->node_count].id = node_id;
	m->nodes[m->node_count].state = LEOFS_STATE_UP | LEOFS_STATE_IN;
	m->node_count++;
	for (i = 0; i < targets; i++) {
		struct leofs_map_target *t = &m->targets[m->target_count++];

		memset(t, 0, sizeof(*t));
		t->id = ++target_id;
		t->node_id = node_id;
		t->weight = weight;
		t->tier = pool->tier;
		t->state = LEOFS_STATE_UP | LEOFS_STATE_IN;
	}
	m->epoch++;
	return (int)node_id;
}

int placesim_mark_out(struct placesim_cluster *c, u32 node_id)
{
	u32 i;

	for (i = 0; i < c->map.node_count; i++) {
		if (c->map.nodes[i].id == node_id) {
			c->map.nodes[i].state &= ~LEOFS_STATE_IN;
			c->map.epoch++;
			return 0;
		}
	}
	return -ENOENT;
}

/* Remove a node and its targets from the map. */
int placesim_drop_node(struct placesim_cluster *c, u32 node_id)
{
	struct leofs_map *m = &c->map;
	u32 i, n = 0;
	bool found = false;

	for (i = 0; i < m->node_count; i++) {
		if (m->nodes[i].id == node_id)
			found = true;
		else
			m->nodes[n++] = m->nodes[i];
	}
	if (!found)
		return -ENOENT;
	m->node_count = n;
	for (i = 0, n = 0; i < m->target_count; i++)
		if (m->targets[i].node_id != node_id)
			m->targets[n++] = m->targets[i];
	m->target_count = n;
	m->epoch++;
	return 0;
}

/*
 * Compute c's overrides for its pool with the balancer, from prev (the
 * previous epoch) or from scratch when prev is NULL.
 */
int placesim_rebalance(struct placesim_cluster *c,
		       const struct placesim_cluster *prev,
		       struct leofs_balance_stats *st)
{
	struct leofs_map_override *old = c->map.overrides;
	int ret;

	ret = leofs_balance(prev ? &prev->map : NULL, &c->map, c->pool_id,
			    c->width, NULL, st);
	if (!ret)
		free(old);
	return ret;
}

/* Sum of the node's target weights in the studied pool's tier. */
u32 placesim_node_weight(const struct placesim_cluster *c, u32 node_id)
{
	u64 w = 0;
	u32 i;
	u8 tier = 0;

	for (i = 0; i < c->map.pool_count; i++)
		if (c->map.pools[i].id == c->pool_id)
			tier = c->map.pools[i].tier;
	for (i = 0; i < c->map.target_count; i++)
		if (c->map.targets[i].node_id == node_id &&
		    c->map.targets[i].tier == tier)
			w += c->map.targets[i].weight;
	return w > 0xffffffffu ? 0xffffffffu : (u32)w;
}
