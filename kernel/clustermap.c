// SPDX-License-Identifier: GPL-2.0
/*
 * The cached cluster map: fetched with MAP_GET after the first HELLO,
 * replaced by MAP_PUSH or when a server announces a newer epoch. Decoded
 * and validated by lib/proto into one allocation; readers take map_lock.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include "leofs/proto_map.h"
#include "internal.h"

static size_t leofs_cmap_layout(const struct leofs_map_counts *c, size_t off[6])
{
	size_t sz = ALIGN(sizeof(struct leofs_cmap), 8);

	off[0] = sz;
	sz = ALIGN(sz + (size_t)c->node_count * sizeof(struct leofs_map_node),
		   8);
	off[1] = sz;
	sz = ALIGN(sz + (size_t)c->target_count *
				   sizeof(struct leofs_map_target),
		   8);
	off[2] = sz;
	sz = ALIGN(sz + (size_t)c->pool_count * sizeof(struct leofs_map_pool),
		   8);
	off[3] = sz;
	sz = ALIGN(sz + (size_t)c->mds_count * sizeof(struct leofs_map_mds), 8);
	off[4] = sz;
	sz = ALIGN(sz + (size_t)c->shard_count * sizeof(struct leofs_map_shard),
		   8);
	off[5] = sz;
	return sz + (size_t)c->override_count *
			    sizeof(struct leofs_map_override);
}

/* Decodes an encoded map; returns it or an ERR_PTR (-EBADMSG if malformed). */
static struct leofs_cmap *leofs_cmap_decode(const void *buf, u32 len)
{
	struct leofs_map_counts c;
	struct leofs_cmap *cm;
	size_t off[6], size;
	u32 *scratch;
	int ret;

	ret = leofs_map_decode_counts(buf, len, &c);
	if (ret)
		return ERR_PTR(-EBADMSG);
	size = leofs_cmap_layout(&c, off);
	cm = kvzalloc(size, GFP_KERNEL);
	scratch = kvmalloc_array(max_t(u32, c.target_count, 1), sizeof(u32),
				 GFP_KERNEL);
	if (!cm || !scratch) {
		kvfree(cm);
		kvfree(scratch);
		return ERR_PTR(-ENOMEM);
	}
	refcount_set(&cm->ref, 1);
	cm->map.nodes = (void *)((u8 *)cm + off[0]);
	cm->map.targets = (void *)((u8 *)cm + off[1]);
	cm->map.pools = (void *)((u8 *)cm + off[2]);
	cm->map.mds = (void *)((u8 *)cm + off[3]);
	cm->map.shards = (void *)((u8 *)cm + off[4]);
	cm->map.overrides = (void *)((u8 *)cm + off[5]);
	cm->map.node_count = c.node_count;
	cm->map.target_count = c.target_count;
	cm->map.pool_count = c.pool_count;
	cm->map.mds_count = c.mds_count;
	cm->map.shard_count = c.shard_count;
	cm->map.override_count = c.override_count;
	ret = leofs_map_decode(buf, len, &cm->map, scratch);
	kvfree(scratch);
	if (ret) {
		kvfree(cm);
		return ERR_PTR(ret == -ENOMEM ? ret : -EBADMSG);
	}
	return cm;
}

/* Installs cm if it is newer than the current map; frees the loser. */
static int leofs_cmap_install(struct leofs_fs_info *fsi, struct leofs_cmap *cm)
{
	struct leofs_cmap *old;
	int ret = 0;

	spin_lock(&fsi->map_lock);
	if (fsi->cluster_known &&
	    memcmp(fsi->cluster_id, cm->map.cluster_id, 16)) {
		ret = -EPROTO;
		old = cm;
	} else if (!fsi->map || cm->map.epoch > fsi->map->map.epoch) {
		old = fsi->map;
		fsi->map = cm;
	} else {
		old = cm;
	}
	spin_unlock(&fsi->map_lock);
	if (old != cm) {
		atomic64_inc(&fsi->stats.map_updates);
		pr_debug("cluster map epoch %llu\n", cm->map.epoch);
	}
	leofs_cmap_put(old);
	return ret;
}

u64 leofs_map_epoch(struct leofs_fs_info *fsi)
{
	u64 epoch;

	spin_lock(&fsi->map_lock);
	epoch = fsi->map ? fsi->map->map.epoch : 0;
	spin_unlock(&fsi->map_lock);
	return epoch;
}

int leofs_map_fetch(struct leofs_fs_info *fsi, struct leofs_conn *conn)
{
	struct leofs_map_get_req m = { .known_epoch = leofs_map_epoch(fsi) };
	struct leofs_map_reply r;
	struct leofs_reply raw;
	struct leofs_cmap *cm;
	int ret;

	ret = leofs_call(conn, LEOFS_OP_MAP_GET, &m, sizeof(m), &r, sizeof(r),
			 &raw);
	if (ret)
		goto out;
	if (!r.map.len) {
		/* the server has nothing newer than known_epoch */
		ret = r.epoch == m.known_epoch && r.epoch ? 0 : -EPROTO;
		goto out;
	}
	cm = leofs_cmap_decode(r.map.data, r.map.len);
	if (IS_ERR(cm)) {
		ret = PTR_ERR(cm);
		goto out;
	}
	if (cm->map.epoch != r.epoch) {
		leofs_cmap_put(cm);
		ret = -EPROTO;
		goto out;
	}
	ret = leofs_cmap_install(fsi, cm);
out:
	leofs_reply_free(&raw);
	if (ret == -EBADMSG || ret == -EPROTO) {
		leofs_conn_bad(conn, "malformed cluster map");
		ret = -EIO;
	}
	return ret;
}

int leofs_map_push(struct leofs_conn *conn, const void *body, u32 len)
{
	struct leofs_map_push p;
	struct leofs_cmap *cm;

	if (leofs_map_push_decode(&p, body, len))
		return -EBADMSG;
	if (p.epoch <= leofs_map_epoch(conn->fsi))
		return 0;
	cm = leofs_cmap_decode(p.map.data, p.map.len);
	if (IS_ERR(cm))
		return PTR_ERR(cm);
	if (cm->map.epoch != p.epoch) {
		leofs_cmap_put(cm);
		return -EPROTO;
	}
	return leofs_cmap_install(conn->fsi, cm);
}

/* A server runs with epoch: fetch the map if ours is older. */
void leofs_map_announce(struct leofs_fs_info *fsi, u64 epoch)
{
	bool queue = false;

	spin_lock(&fsi->map_lock);
	if ((!fsi->map || epoch > fsi->map->map.epoch) &&
	    epoch > fsi->map_wanted && fsi->map) {
		fsi->map_wanted = epoch;
		queue = true;
	}
	spin_unlock(&fsi->map_lock);
	if (queue && !READ_ONCE(fsi->shutting_down))
		queue_work(leofs_wq, &fsi->map_work);
}

void leofs_map_work(struct work_struct *work)
{
	struct leofs_fs_info *fsi =
		container_of(work, struct leofs_fs_info, map_work);
	struct leofs_conn *conn;

	if (READ_ONCE(fsi->shutting_down))
		return;
	if (leofs_mds_select(fsi, LEOFS_ROOT_INO, &conn))
		return;
	leofs_map_fetch(fsi, conn);
}

/* The current map with a reference, or NULL before the first MAP_GET. */
struct leofs_cmap *leofs_cmap_get(struct leofs_fs_info *fsi)
{
	struct leofs_cmap *cm;

	spin_lock(&fsi->map_lock);
	cm = fsi->map;
	if (cm)
		refcount_inc(&cm->ref);
	spin_unlock(&fsi->map_lock);
	return cm;
}

void leofs_cmap_put(struct leofs_cmap *cm)
{
	if (cm && refcount_dec_and_test(&cm->ref))
		kvfree(cm);
}

void leofs_map_free(struct leofs_fs_info *fsi)
{
	leofs_cmap_put(fsi->map);
	fsi->map = NULL;
}
