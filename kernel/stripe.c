// SPDX-License-Identifier: GPL-2.0
/*
 * Where file data lives. Global stripe g of a file (bytes [g * W, (g + 1)
 * * W) with W = k * stripe_unit) is stripe g / stripe_count of slot
 * g % stripe_count; the slot's PG is leofs_stripe_pg() and the PG's
 * members, in rank order, are a row of the pool's PG table for the width
 * k + m. PG tables are computed from the cached cluster map by
 * lib/placement and kept per (pool, width, epoch).
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include "leofs/placement.h"
#include "internal.h"

/* A layout the data path can use (the MDS sent it; check it anyway). */
int leofs_layout_usable(const struct leofs_layout *l)
{
	if (l->scheme == LEOFS_LAYOUT_NONE)
		return -EIO;
	if (leofs_layout_check(l, NULL))
		return -EIO;
	if (l->scheme == LEOFS_LAYOUT_REPLICA && l->k != 1)
		return -EIO;
	if (!l->stripe_count || l->stripe_count > LEOFS_MAX_STRIPE_COUNT)
		return -EIO;
	return 0;
}

static const struct leofs_map_pool *leofs_find_pool(const struct leofs_map *m,
						    u32 pool_id)
{
	u32 i;

	for (i = 0; i < m->pool_count; i++)
		if (m->pools[i].id == pool_id)
			return &m->pools[i];
	return NULL;
}

/* pgt_lock held: a cached table, or NULL. */
static struct leofs_pg_table *leofs_pgt_find(struct leofs_fs_info *fsi,
					     u32 pool_id, u32 width, u64 epoch)
{
	unsigned int i;

	for (i = 0; i < LEOFS_PGT_CACHE; i++) {
		struct leofs_pg_table *t = fsi->pgt[i];

		if (t && t->pool_id == pool_id && t->width == width &&
		    t->epoch == epoch)
			return t;
	}
	return NULL;
}

/* pgt_lock held: computes the table of cm for (pool_id, width). */
static struct leofs_pg_table *leofs_pgt_build(struct leofs_fs_info *fsi,
					      struct leofs_cmap *cm,
					      u32 pool_id, u32 width)
{
	const struct leofs_map_pool *pool = leofs_find_pool(&cm->map, pool_id);
	struct leofs_pg_table *t;
	size_t tsize, wsize;
	void *work;
	int ret;

	if (!pool) {
		pr_warn_ratelimited(
			"pool %u is not in cluster map epoch %llu\n", pool_id,
			cm->map.epoch);
		return ERR_PTR(-EIO);
	}
	tsize = leofs_pg_table_size(pool->pg_num, width);
	wsize = leofs_pg_table_work_size(cm->map.target_count, pool->pg_num,
					 width);
	if (!tsize || !wsize)
		return ERR_PTR(-EIO);
	t = kvmalloc(tsize, GFP_KERNEL);
	work = kvmalloc(wsize, GFP_KERNEL);
	if (!t || !work) {
		kvfree(t);
		kvfree(work);
		return ERR_PTR(-ENOMEM);
	}
	ret = leofs_pg_table_build(&cm->map, pool_id, width, work, wsize, t,
				   tsize);
	kvfree(work);
	if (ret) {
		kvfree(t);
		pr_warn_ratelimited(
			"no placement for pool %u width %u at epoch %llu (error %d)\n",
			pool_id, width, cm->map.epoch, ret);
		return ERR_PTR(ret == -ENOMEM ? ret : -EIO);
	}
	return t;
}

int leofs_place_stripe(struct leofs_fs_info *fsi, u64 ino,
		       const struct leofs_layout *l, u64 g,
		       struct leofs_place *p)
{
	u32 width = (u32)l->k + l->m;
	struct leofs_pg_table *t;
	struct leofs_cmap *cm;
	int ret = 0;

	if (width > LEOFS_MAX_FRAGMENTS)
		return -EIO;
	cm = leofs_cmap_get(fsi);
	if (!cm)
		return -ENOTCONN;
	mutex_lock(&fsi->pgt_lock);
	t = leofs_pgt_find(fsi, l->pool_id, width, cm->map.epoch);
	if (!t) {
		t = leofs_pgt_build(fsi, cm, l->pool_id, width);
		if (IS_ERR(t)) {
			ret = PTR_ERR(t);
			goto out;
		}
		kvfree(fsi->pgt[fsi->pgt_next]);
		fsi->pgt[fsi->pgt_next] = t;
		fsi->pgt_next = (fsi->pgt_next + 1) % LEOFS_PGT_CACHE;
	}
	p->slot = (u32)(g % l->stripe_count);
	p->stripe = div_u64(g, l->stripe_count);
	p->width = width;
	p->ref.pool_id = l->pool_id;
	p->ref.pg = leofs_stripe_pg(ino, p->slot, l->stripe_count, t->pg_num);
	p->ref.map_epoch = cm->map.epoch;
	memcpy(p->targets, leofs_pg_row(t, p->ref.pg), width * sizeof(u32));
out:
	mutex_unlock(&fsi->pgt_lock);
	leofs_cmap_put(cm);
	return ret;
}

void leofs_pgt_free(struct leofs_fs_info *fsi)
{
	unsigned int i;

	for (i = 0; i < LEOFS_PGT_CACHE; i++) {
		kvfree(fsi->pgt[i]);
		fsi->pgt[i] = NULL;
	}
}

/*
 * A storage server said our map is old (WRONG_EPOCH, NOT_PRIMARY) or a
 * target is unreachable: fetch the map unless a newer one than seen_epoch
 * arrived meanwhile.
 */
void leofs_data_refresh_map(struct leofs_fs_info *fsi, u64 seen_epoch)
{
	struct leofs_conn *conn;

	if (leofs_map_epoch(fsi) > seen_epoch)
		return;
	if (leofs_mds_select(fsi, LEOFS_ROOT_INO, &conn))
		return;
	leofs_map_fetch(fsi, conn);
}
