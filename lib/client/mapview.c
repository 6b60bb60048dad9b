// SPDX-License-Identifier: GPL-2.0
/* Immutable cluster map views with lazily built PG tables (client.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "leofs/client.h"

/* One PG table per (pool, width) in use; few per process. */
struct view_table {
	struct view_table *next;
	u32 pool_id;
	u32 width;
	int error; /* the build failed: answer it again */
	struct leofs_pg_table *t;
};

struct leofs_mapview {
	struct leofs_map map;
	int refs; /* __atomic */
	pthread_mutex_t lock; /* tables */
	struct view_table *tables;
};

static void *dup_array(const void *src, size_t n, size_t size, int *err)
{
	void *p;

	if (!n)
		return NULL;
	p = malloc(n * size);
	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	memcpy(p, src, n * size);
	return p;
}

static void free_map(struct leofs_map *m)
{
	free(m->nodes);
	free(m->targets);
	free(m->pools);
	free(m->mds);
	free(m->shards);
	free(m->overrides);
}

int leofs_mapview_new(const struct leofs_map *map, struct leofs_mapview **out)
{
	struct leofs_mapview *v = calloc(1, sizeof(*v));
	struct leofs_map *m;
	int err = 0;

	if (!v)
		return -ENOMEM;
	m = &v->map;
	*m = *map;
	m->nodes = dup_array(map->nodes, map->node_count, sizeof(*m->nodes),
			     &err);
	m->targets = dup_array(map->targets, map->target_count,
			       sizeof(*m->targets), &err);
	m->pools = dup_array(map->pools, map->pool_count, sizeof(*m->pools),
			     &err);
	m->mds = dup_array(map->mds, map->mds_count, sizeof(*m->mds), &err);
	m->shards = dup_array(map->shards, map->shard_count,
			      sizeof(*m->shards), &err);
	m->overrides = dup_array(map->overrides, map->override_count,
				 sizeof(*m->overrides), &err);
	if (err) {
		free_map(m);
		free(v);
		return err;
	}
	v->refs = 1;
	pthread_mutex_init(&v->lock, NULL);
	*out = v;
	return 0;
}

struct leofs_mapview *leofs_mapview_get(struct leofs_mapview *v)
{
	__atomic_add_fetch(&v->refs, 1, __ATOMIC_RELAXED);
	return v;
}

void leofs_mapview_put(struct leofs_mapview *v)
{
	struct view_table *t;

	if (!v || __atomic_sub_fetch(&v->refs, 1, __ATOMIC_ACQ_REL))
		return;
	while ((t = v->tables)) {
		v->tables = t->next;
		free(t->t);
		free(t);
	}
	pthread_mutex_destroy(&v->lock);
	free_map(&v->map);
	free(v);
}

const struct leofs_map *leofs_mapview_map(const struct leofs_mapview *v)
{
	return &v->map;
}

u64 leofs_mapview_epoch(const struct leofs_mapview *v)
{
	return v->map.epoch;
}

u32 leofs_mapview_pg_num(const struct leofs_mapview *v, u32 pool_id)
{
	u32 i;

	for (i = 0; i < v->map.pool_count; i++)
		if (v->map.pools[i].id == pool_id)
			return v->map.pools[i].pg_num;
	return 0;
}

static int build_table(struct leofs_mapview *v, struct view_table *vt)
{
	u32 pg_num = leofs_mapview_pg_num(v, vt->pool_id);
	size_t tsize, wsize;
	void *work;
	int r;

	if (!pg_num)
		return -ENOENT;
	tsize = leofs_pg_table_size(pg_num, vt->width);
	wsize = leofs_pg_table_work_size(v->map.target_count, pg_num,
					 vt->width);
	if (!tsize || !wsize)
		return -EINVAL;
	vt->t = malloc(tsize);
	work = malloc(wsize);
	if (!vt->t || !work) {
		free(work);
		return -ENOMEM;
	}
	r = leofs_pg_table_build(&v->map, vt->pool_id, vt->width, work, wsize,
				 vt->t, tsize);
	free(work);
	return r;
}

int leofs_mapview_row(struct leofs_mapview *v, u32 pool_id, u32 width, u32 pg,
		      u32 *targets)
{
	struct view_table *vt;
	int r = 0;

	pthread_mutex_lock(&v->lock);
	for (vt = v->tables; vt; vt = vt->next)
		if (vt->pool_id == pool_id && vt->width == width)
			break;
	if (!vt) {
		vt = calloc(1, sizeof(*vt));
		if (!vt) {
			pthread_mutex_unlock(&v->lock);
			return -ENOMEM;
		}
		vt->pool_id = pool_id;
		vt->width = width;
		vt->error = build_table(v, vt);
		if (vt->error == -ENOMEM) {
			free(vt->t);
			free(vt);
			pthread_mutex_unlock(&v->lock);
			return -ENOMEM;
		}
		vt->next = v->tables;
		v->tables = vt;
	}
	pthread_mutex_unlock(&v->lock);
	if (vt->error)
		return vt->error;
	if (pg >= vt->t->pg_num)
		return -ERANGE;
	memcpy(targets, leofs_pg_row(vt->t, pg), width * sizeof(u32));
	return r;
}

const struct leofs_map_target *
leofs_mapview_target(const struct leofs_mapview *v, u32 target_id)
{
	u32 i;

	for (i = 0; i < v->map.target_count; i++)
		if (v->map.targets[i].id == target_id)
			return &v->map.targets[i];
	return NULL;
}

const struct leofs_map_node *leofs_mapview_node(const struct leofs_mapview *v,
						u32 node_id)
{
	u32 i;

	for (i = 0; i < v->map.node_count; i++)
		if (v->map.nodes[i].id == node_id)
			return &v->map.nodes[i];
	return NULL;
}
