// SPDX-License-Identifier: GPL-2.0
/*
 * The cluster map service with a single authority (mapsvc.h). The
 * authority keeps every epoch it makes in LMDB before publishing it;
 * followers fetch the map from the authority and follow its pushes, and
 * keep the last one they saw so that they start without it.
 */
#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "leofs/clock.h"
#include "leofs/log.h"
#include "leofs/proto_map.h"
#include "leofs/rpc.h"
#include "mapsvc.h"

#define MAP_STORE_SIZE	  (1ull << 30)
#define MAP_KEEP_EPOCHS	  8
#define FOLLOW_RETRY_MS	  1000
#define FOLLOW_TIMEOUT_MS 5000

/* Capacity report of one target, parallel to the current map's targets. */
struct target_space {
	u64 capacity;
	u64 used;
};

struct mds_mapsvc {
	struct mds_mapsvc_opts opts;
	u8 cluster_id[16];
	char host[64];
	MDB_env *env;
	MDB_dbi maps;

	pthread_mutex_t lock;
	struct mds_map *cur;
	u64 *last_seen_ms; /* per node of cur: last register or heartbeat */
	struct target_space *space; /* per target of cur */

	/* follower */
	pthread_t follower;
	bool follower_started;
	bool stopping;
	pthread_cond_t stop_cond;

	void (*changed)(void *arg);
	void *changed_arg;
};

static u64 now_ms(const struct mds_mapsvc *svc)
{
	struct timespec ts;

	if (svc->opts.clock_ms)
		return svc->opts.clock_ms();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000 + (u64)ts.tv_nsec / 1000000;
}

/* ---- published maps ------------------------------------------------------ */

struct mds_map *mds_map_ref(struct mds_map *m)
{
	if (m)
		__atomic_add_fetch(&m->refs, 1, __ATOMIC_RELAXED);
	return m;
}

void mds_map_unref(struct mds_map *m)
{
	if (!m || __atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL))
		return;
	mds_map_arrays_free(&m->map);
	free(m->enc);
	free(m);
}

int mds_map_from_wire(const void *buf, size_t len, struct mds_map **out)
{
	struct leofs_map_counts c;
	struct mds_map *m;
	u32 *scratch;
	int rc;

	*out = NULL;
	rc = leofs_map_decode_counts(buf, len, &c);
	if (rc)
		return rc;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->refs = 1;
	m->map.node_count = c.node_count;
	m->map.target_count = c.target_count;
	m->map.pool_count = c.pool_count;
	m->map.mds_count = c.mds_count;
	m->map.shard_count = c.shard_count;
	m->map.override_count = c.override_count;
	/* +1: no zero-sized allocations */
	m->map.nodes = calloc(c.node_count + 1, sizeof(*m->map.nodes));
	m->map.targets = calloc(c.target_count + 1, sizeof(*m->map.targets));
	m->map.pools = calloc(c.pool_count + 1, sizeof(*m->map.pools));
	m->map.mds = calloc(c.mds_count + 1, sizeof(*m->map.mds));
	m->map.shards = calloc(c.shard_count + 1, sizeof(*m->map.shards));
	m->map.overrides =
		calloc(c.override_count + 1, sizeof(*m->map.overrides));
	scratch = calloc(c.target_count + 1, sizeof(u32));
	m->enc = malloc(len ?: 1);
	rc = -ENOMEM;
	if (m->map.nodes && m->map.targets && m->map.pools && m->map.mds &&
	    m->map.shards && m->map.overrides && scratch && m->enc)
		rc = leofs_map_decode(buf, len, &m->map, scratch);
	free(scratch);
	if (rc) {
		mds_map_unref(m);
		return rc;
	}
	memcpy(m->enc, buf, len);
	m->enc_len = (u32)len;
	*out = m;
	return 0;
}

int mds_map_from_struct(const struct leofs_map *src, struct mds_map **out)
{
	size_t size = leofs_map_encoded_size(src);
	u32 *scratch;
	u8 *buf;
	int rc;

	*out = NULL;
	if (size > LEOFS_BODY_MAX)
		return -E2BIG;
	buf = malloc(size ?: 1);
	scratch = calloc(src->target_count + 1, sizeof(u32));
	rc = -ENOMEM;
	if (buf && scratch)
		rc = leofs_map_encode(src, buf, size, scratch);
	free(scratch);
	/* decoding our own encoding gives a map owning its arrays */
	if (rc >= 0)
		rc = mds_map_from_wire(buf, (size_t)rc, out);
	free(buf);
	return rc < 0 ? rc : 0;
}

/* ---- the store ------------------------------------------------------------- */

static int store_open(const char *data_dir, MDB_env **env, MDB_dbi *dbi)
{
	char path[4096];
	MDB_txn *txn;
	int rc;

	snprintf(path, sizeof(path), "%s/map", data_dir);
	if (mkdir(data_dir, 0700) && errno != EEXIST)
		return -errno;
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	rc = mdb_env_create(env);
	if (rc)
		return -rc;
	rc = mdb_env_set_mapsize(*env, MAP_STORE_SIZE);
	if (!rc)
		rc = mdb_env_set_maxdbs(*env, 2);
	if (!rc)
		rc = mdb_env_open(*env, path, MDB_NOTLS, 0600);
	if (!rc)
		rc = mdb_txn_begin(*env, NULL, 0, &txn);
	if (!rc) {
		rc = mdb_dbi_open(txn, "maps", MDB_CREATE, dbi);
		if (!rc)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
	}
	if (rc) {
		mdb_env_close(*env);
		*env = NULL;
		return rc > 0 ? -rc : -EIO;
	}
	return 0;
}

static void be64(u64 v, u8 *p)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (u8)v;
}

/* The newest stored epoch, or NULL (*err 0 if the store is empty). */
static struct mds_map *store_load(MDB_env *env, MDB_dbi dbi, int *err)
{
	struct mds_map *m = NULL;
	MDB_val k, v;
	MDB_cursor *cur;
	MDB_txn *txn;
	int rc;

	rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
	if (rc) {
		*err = -EIO;
		return NULL;
	}
	rc = mdb_cursor_open(txn, dbi, &cur);
	if (!rc) {
		rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
		if (!rc)
			rc = mds_map_from_wire(v.mv_data, v.mv_size, &m);
		else if (rc == MDB_NOTFOUND)
			rc = 0;
		else
			rc = -EIO;
		mdb_cursor_close(cur);
	}
	mdb_txn_abort(txn);
	*err = rc > 0 ? -EIO : rc;
	return m;
}

/* Stores an epoch durably and drops all but the newest few. */
static int store_put(MDB_env *env, MDB_dbi dbi, const struct mds_map *m)
{
	u8 key[8];
	MDB_val k = { 8, key }, v = { m->enc_len, m->enc };
	MDB_cursor *cur;
	MDB_txn *txn;
	int rc, n = 0;

	be64(m->map.epoch, key);
	rc = mdb_txn_begin(env, NULL, 0, &txn);
	if (rc)
		return -EIO;
	rc = mdb_put(txn, dbi, &k, &v, 0);
	if (!rc)
		rc = mdb_cursor_open(txn, dbi, &cur);
	if (!rc) {
		rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
		while (!rc) {
			if (++n > MAP_KEEP_EPOCHS) {
				rc = mdb_cursor_del(cur, 0);
				if (rc)
					break;
			}
			rc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
		}
		if (rc == MDB_NOTFOUND)
			rc = 0;
		mdb_cursor_close(cur);
	}
	if (rc) {
		mdb_txn_abort(txn);
		return rc == MDB_MAP_FULL ? -ENOSPC : -EIO;
	}
	return mdb_txn_commit(txn) ? -EIO : 0;
}

int mds_mapsvc_bootstrap(const char *data_dir, const struct leofs_map *src)
{
	struct mds_map *m, *old;
	MDB_env *env;
	MDB_dbi dbi;
	int rc;

	rc = mds_map_from_struct(src, &m);
	if (rc)
		return rc;
	rc = store_open(data_dir, &env, &dbi);
	if (rc) {
		mds_map_unref(m);
		return rc;
	}
	old = store_load(env, dbi, &rc);
	if (old) {
		mds_map_unref(old);
		rc = -EEXIST;
	} else if (!rc) {
		rc = store_put(env, dbi, m);
	}
	mdb_env_close(env);
	mds_map_unref(m);
	return rc;
}

/* ---- publishing ------------------------------------------------------------ */

/*
 * Makes m current (taking the caller's reference). Called with the lock
 * held; the listener is told after it is dropped (publish_done).
 */
static int install_locked(struct mds_mapsvc *svc, struct mds_map *m)
{
	u64 *seen = NULL;
	struct target_space *space = NULL;
	u32 i, j;

	if (svc->opts.authority) {
		u64 now = now_ms(svc);

		seen = calloc(m->map.node_count + 1, sizeof(*seen));
		space = calloc(m->map.target_count + 1, sizeof(*space));
		if (!seen || !space) {
			free(seen);
			free(space);
			return -ENOMEM;
		}
		/* keep what was heard of the nodes and targets, by id */
		for (i = 0; i < m->map.node_count; i++) {
			seen[i] = now;
			for (j = 0; svc->cur && j < svc->cur->map.node_count;
			     j++)
				if (svc->cur->map.nodes[j].id ==
				    m->map.nodes[i].id)
					seen[i] = svc->last_seen_ms[j];
		}
		for (i = 0; svc->cur && i < m->map.target_count; i++)
			for (j = 0; j < svc->cur->map.target_count; j++)
				if (svc->cur->map.targets[j].id ==
				    m->map.targets[i].id)
					space[i] = svc->space[j];
		free(svc->last_seen_ms);
		free(svc->space);
		svc->last_seen_ms = seen;
		svc->space = space;
	}
	mds_map_unref(svc->cur);
	svc->cur = m;
	return 0;
}

static void publish_done(struct mds_mapsvc *svc)
{
	void (*fn)(void *arg);
	void *arg;

	pthread_mutex_lock(&svc->lock);
	fn = svc->changed;
	arg = svc->changed_arg;
	pthread_mutex_unlock(&svc->lock);
	if (fn)
		fn(arg);
}

void mds_mapsvc_listen(struct mds_mapsvc *svc, void (*fn)(void *arg), void *arg)
{
	pthread_mutex_lock(&svc->lock);
	svc->changed = fn;
	svc->changed_arg = arg;
	pthread_mutex_unlock(&svc->lock);
}

/* Authority: a copy of the current map to change into the next epoch. */
static int next_epoch_locked(struct mds_mapsvc *svc, struct leofs_map *next)
{
	const struct leofs_map *cur = &svc->cur->map;

	*next = *cur;
	next->epoch = cur->epoch + 1;
	next->nodes = malloc((cur->node_count + 1) * sizeof(*cur->nodes));
	if (!next->nodes)
		return -ENOMEM;
	memcpy(next->nodes, cur->nodes, cur->node_count * sizeof(*cur->nodes));
	return 0;
}

/* Authority: stores and publishes next (whose nodes array it frees). */
static int commit_epoch_locked(struct mds_mapsvc *svc, struct leofs_map *next)
{
	struct mds_map *m;
	int rc;

	rc = mds_map_from_struct(next, &m);
	free(next->nodes);
	if (rc)
		return rc;
	rc = store_put(svc->env, svc->maps, m);
	if (!rc)
		rc = install_locked(svc, m);
	if (rc) {
		mds_map_unref(m);
		return rc;
	}
	log_info("map epoch %llu published", (unsigned long long)m->map.epoch);
	return 0;
}

static int node_index(const struct leofs_map *m, u32 id)
{
	u32 lo = 0, hi = m->node_count;

	while (lo < hi) {
		u32 mid = (lo + hi) / 2;

		if (m->nodes[mid].id == id)
			return (int)mid;
		if (m->nodes[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int target_index(const struct leofs_map *m, u32 node, u32 id)
{
	u32 i;

	for (i = 0; i < m->target_count; i++)
		if (m->targets[i].id == id && m->targets[i].node_id == node)
			return (int)i;
	return -1;
}

/* ---- the authority's operations ------------------------------------------- */

/*
 * Common to register and heartbeat: the node is heard from; a node that
 * was down (or moved) gets a new epoch, in which it is up and in again
 * (its PGs move back to it). Lock held.
 */
static int node_alive_locked(struct mds_mapsvc *svc, int idx,
			     const struct leofs_addr *addr, bool *changed)
{
	const struct leofs_map_node *n = &svc->cur->map.nodes[idx];
	struct leofs_map next;
	int rc;

	svc->last_seen_ms[idx] = now_ms(svc);
	*changed = false;
	if ((n->state & LEOFS_STATE_UP) &&
	    (!addr || !memcmp(&n->addr, addr, sizeof(*addr))))
		return 0;
	rc = next_epoch_locked(svc, &next);
	if (rc)
		return rc;
	if (!(n->state & LEOFS_STATE_UP))
		next.nodes[idx].state |= LEOFS_STATE_UP | LEOFS_STATE_IN;
	if (addr)
		next.nodes[idx].addr = *addr;
	log_info("OSS node %u is up", n->id);
	*changed = true;
	return commit_epoch_locked(svc, &next);
}

int mds_mapsvc_register(struct mds_mapsvc *svc,
			const struct leofs_oss_register_req *r, u64 *epoch)
{
	struct leofs_addr addr = { 0 };
	bool changed = false;
	int idx, t, rc;
	u32 i;

	if (!svc->opts.authority)
		return -EOPNOTSUPP;
	if (r->addr_family != 4 && r->addr_family != 6)
		return -EINVAL;
	addr.family = r->addr_family;
	addr.port = r->port;
	memcpy(addr.addr, r->addr, 16);
	pthread_mutex_lock(&svc->lock);
	idx = svc->cur ? node_index(&svc->cur->map, r->node_id) : -1;
	if (idx < 0) {
		rc = -ENOENT;
	} else {
		rc = node_alive_locked(svc, idx, &addr, &changed);
		for (i = 0; !rc && i < r->nr_targets; i++) {
			t = target_index(&svc->cur->map, r->node_id,
					 r->targets[i].id);
			if (t < 0)
				continue; /* not in the map: not counted */
			svc->space[t].capacity = r->targets[i].capacity;
			svc->space[t].used = r->targets[i].used;
		}
	}
	*epoch = svc->cur ? svc->cur->map.epoch : 0;
	pthread_mutex_unlock(&svc->lock);
	if (changed)
		publish_done(svc);
	return rc;
}

int mds_mapsvc_heartbeat(struct mds_mapsvc *svc,
			 const struct leofs_heartbeat_req *h, u64 *epoch)
{
	bool changed = false;
	int idx, t, rc;
	u32 i;

	if (!svc->opts.authority)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&svc->lock);
	idx = svc->cur ? node_index(&svc->cur->map, h->node_id) : -1;
	if (idx < 0) {
		rc = -ENOENT;
	} else {
		rc = node_alive_locked(svc, idx, NULL, &changed);
		for (i = 0; !rc && i < h->nr_targets; i++) {
			t = target_index(&svc->cur->map, h->node_id,
					 h->targets[i].id);
			if (t < 0)
				continue;
			svc->space[t].used = h->targets[i].used;
			svc->space[t].capacity =
				h->targets[i].used + h->targets[i].free;
		}
	}
	*epoch = svc->cur ? svc->cur->map.epoch : 0;
	pthread_mutex_unlock(&svc->lock);
	if (changed)
		publish_done(svc);
	return rc;
}

int mds_mapsvc_tick(struct mds_mapsvc *svc)
{
	struct leofs_map next;
	bool changed = false;
	u64 now = now_ms(svc);
	int rc = 0;
	u32 i;

	if (!svc->opts.authority)
		return 0;
	pthread_mutex_lock(&svc->lock);
	for (i = 0; svc->cur && i < svc->cur->map.node_count; i++) {
		const struct leofs_map_node *n = &svc->cur->map.nodes[i];
		u64 silent = now - svc->last_seen_ms[i];
		bool down = (n->state & LEOFS_STATE_UP) &&
			    silent >= svc->opts.grace_ms;
		/* down long enough: its PGs move to live targets */
		bool out = !(n->state & LEOFS_STATE_UP) &&
			   (n->state & LEOFS_STATE_IN) && svc->opts.down_out_ms &&
			   silent >= (u64)svc->opts.grace_ms +
					     svc->opts.down_out_ms;

		if (!down && !out)
			continue;
		if (!changed) {
			rc = next_epoch_locked(svc, &next);
			if (rc)
				break;
			changed = true;
		}
		if (down) {
			next.nodes[i].state &= ~LEOFS_STATE_UP;
			log_warning("OSS node %u silent for %u ms: marked down",
				    n->id, svc->opts.grace_ms);
		} else {
			next.nodes[i].state &= ~LEOFS_STATE_IN;
			log_warning("OSS node %u down for %u ms: marked out, its PGs move to other targets",
				    n->id, svc->opts.down_out_ms);
		}
	}
	if (changed) {
		rc = commit_epoch_locked(svc, &next);
		if (rc)
			changed = false;
	}
	pthread_mutex_unlock(&svc->lock);
	if (changed)
		publish_done(svc);
	return rc;
}

static bool pool_name_ok(const char *name, size_t len)
{
	size_t i;

	if (!len || len > LEOFS_NAME_MAX_POOL)
		return false;
	for (i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] > '~')
			return false;
	return true;
}

int mds_mapsvc_pool_create(struct mds_mapsvc *svc, const char *name,
			   size_t len, u32 tier, u32 pg_num, u32 *pool_id,
			   u64 *epoch)
{
	const struct leofs_map *cur;
	struct leofs_map next;
	struct leofs_map_pool *pools;
	u32 i, id = 0;
	int rc;

	if (!svc->opts.authority)
		return -EOPNOTSUPP;
	if (!pool_name_ok(name, len) || tier >= LEOFS_TIER_COUNT || !pg_num ||
	    pg_num > MDS_POOL_PG_MAX)
		return -EINVAL;
	pthread_mutex_lock(&svc->lock);
	if (!svc->cur) {
		rc = -EAGAIN;
		goto out;
	}
	cur = &svc->cur->map;
	for (i = 0; i < cur->pool_count; i++) {
		if (strlen(cur->pools[i].name) == len &&
		    !memcmp(cur->pools[i].name, name, len)) {
			rc = -EEXIST;
			goto out;
		}
		if (cur->pools[i].id > id)
			id = cur->pools[i].id;
	}
	if (cur->pool_count >= LEOFS_MAP_MAX_POOLS || id == UINT32_MAX) {
		rc = -ENOSPC;
		goto out;
	}
	pools = calloc(cur->pool_count + 1, sizeof(*pools));
	if (!pools) {
		rc = -ENOMEM;
		goto out;
	}
	rc = next_epoch_locked(svc, &next);
	if (rc) {
		free(pools);
		goto out;
	}
	/* pools are sorted by id: the new one, with the highest, goes last */
	memcpy(pools, cur->pools, cur->pool_count * sizeof(*pools));
	pools[cur->pool_count].id = id + 1;
	pools[cur->pool_count].tier = (u8)tier;
	pools[cur->pool_count].pg_num = pg_num;
	memcpy(pools[cur->pool_count].name, name, len);
	next.pools = pools;
	next.pool_count = cur->pool_count + 1;
	rc = commit_epoch_locked(svc, &next);
	free(pools);
	if (!rc) {
		*pool_id = id + 1;
		*epoch = svc->cur->map.epoch;
		log_info("pool %.*s (id %u, %u PGs) created", (int)len, name,
			 id + 1, pg_num);
	}
out:
	pthread_mutex_unlock(&svc->lock);
	if (!rc)
		publish_done(svc);
	return rc;
}

size_t mds_mapsvc_space(struct mds_mapsvc *svc, struct mds_target_space *out,
			size_t max)
{
	const struct leofs_map *m;
	size_t n = 0;
	u32 i;
	int idx;

	pthread_mutex_lock(&svc->lock);
	if (svc->cur && svc->space) {
		m = &svc->cur->map;
		for (i = 0; i < m->target_count && n < max; i++) {
			idx = node_index(m, m->targets[i].node_id);
			out[n].capacity = svc->space[i].capacity;
			out[n].used = svc->space[i].used;
			out[n].state = m->targets[i].state;
			if (idx < 0 || !(m->nodes[idx].state & LEOFS_STATE_IN))
				out[n].state &= ~LEOFS_STATE_IN;
			n++;
		}
	}
	pthread_mutex_unlock(&svc->lock);
	return n;
}

/* ---- followers ------------------------------------------------------------ */

/* A map from the authority: kept if newer. */
static void follow_install(struct mds_mapsvc *svc, const void *buf, u32 len)
{
	struct mds_map *m;
	bool changed = false;
	int rc;

	rc = mds_map_from_wire(buf, len, &m);
	if (rc) {
		log_warning_errno(rc, "map from the authority refused: %m");
		return;
	}
	if (memcmp(m->map.cluster_id, svc->cluster_id, 16)) {
		log_warning("map from the authority is for another cluster");
		mds_map_unref(m);
		return;
	}
	pthread_mutex_lock(&svc->lock);
	if (!svc->cur || m->map.epoch > svc->cur->map.epoch) {
		rc = store_put(svc->env, svc->maps, m);
		if (rc)
			log_warning_errno(rc, "cannot keep map epoch %llu: %m",
					  (unsigned long long)m->map.epoch);
		if (!install_locked(svc, m)) {
			changed = true;
			m = NULL;
		}
	}
	pthread_mutex_unlock(&svc->lock);
	mds_map_unref(m);
	if (changed) {
		log_info("following map epoch %llu",
			 (unsigned long long)mds_mapsvc_epoch(svc));
		publish_done(svc);
	}
}

static void on_push(u16 opcode, const u8 *body, u32 len, void *arg)
{
	struct leofs_map_push p;

	if (opcode != LEOFS_OP_MAP_PUSH ||
	    leofs_map_push_decode(&p, body, len) < 0)
		return;
	follow_install(arg, p.map.data, p.map.len);
}

/* Waits up to ms unless stopping; returns true when stopping. */
static bool follow_sleep(struct mds_mapsvc *svc, u32 ms)
{
	return leofs_nap_unless(&svc->lock, &svc->stop_cond, &svc->stopping,
				ms);
}

static void *follower_main(void *arg)
{
	struct mds_mapsvc *svc = arg;
	struct leofs_rpc_opts o = {
		.peer_kind = LEOFS_PEER_MDS,
		.node_id = svc->opts.node_id,
		.connect_timeout_ms = FOLLOW_TIMEOUT_MS,
		.on_push = on_push,
		.push_arg = svc,
	};
	struct leofs_map_get_req req;
	struct leofs_map_reply rep;
	struct leofs_rpc_reply raw;
	struct leofs_rpc *r;
	bool warned = false;
	int rc;

	memcpy(o.cluster_id, svc->cluster_id, 16);
	do {
		rc = leofs_rpc_connect(svc->host, svc->opts.authority_port, &o,
				       NULL, &r);
		if (rc) {
			if (!warned)
				log_warning_errno(rc, "map authority %s:%u: %m",
						  svc->host,
						  svc->opts.authority_port);
			warned = true;
			continue;
		}
		warned = false;
		req.known_epoch = mds_mapsvc_epoch(svc);
		rc = leofs_rpc_call(r, LEOFS_OP_MAP_GET, &req, sizeof(req),
				    &rep, sizeof(rep), &raw, FOLLOW_TIMEOUT_MS);
		if (!rc) {
			if (rep.status == LEOFS_S_OK && rep.map.len)
				follow_install(svc, rep.map.data, rep.map.len);
			leofs_rpc_reply_free(&raw);
		}
		/* pushes arrive on the connection until it breaks */
		while (!rc && leofs_rpc_alive(r))
			if (follow_sleep(svc, 200))
				break;
		leofs_rpc_close(r);
	} while (!follow_sleep(svc, FOLLOW_RETRY_MS));
	return NULL;
}

/* ---- life ------------------------------------------------------------------ */

int mds_mapsvc_open(const struct mds_mapsvc_opts *opts, struct mds_mapsvc **out)
{
	struct mds_mapsvc *svc;
	struct mds_map *m;
	int rc;

	*out = NULL;
	svc = calloc(1, sizeof(*svc));
	if (!svc)
		return -ENOMEM;
	svc->opts = *opts;
	memcpy(svc->cluster_id, opts->cluster_id, 16);
	if (opts->authority_host)
		snprintf(svc->host, sizeof(svc->host), "%s",
			 opts->authority_host);
	svc->opts.authority_host = svc->host;
	pthread_mutex_init(&svc->lock, NULL);
	pthread_cond_init(&svc->stop_cond, NULL);
	rc = store_open(opts->data_dir, &svc->env, &svc->maps);
	if (rc)
		goto fail;
	m = store_load(svc->env, svc->maps, &rc);
	if (rc)
		goto fail;
	if (m && memcmp(m->map.cluster_id, svc->cluster_id, 16)) {
		log_error("the stored map belongs to another cluster");
		mds_map_unref(m);
		rc = -EINVAL;
		goto fail;
	}
	if (m) {
		rc = install_locked(svc, m);
		if (rc) {
			mds_map_unref(m);
			goto fail;
		}
	} else if (opts->authority) {
		log_error("no cluster map: run leofs-mds --init first");
		rc = -ENOENT;
		goto fail;
	}
	if (!opts->authority) {
		rc = -pthread_create(&svc->follower, NULL, follower_main, svc);
		if (rc)
			goto fail;
		svc->follower_started = true;
	}
	*out = svc;
	return 0;
fail:
	mds_mapsvc_close(svc);
	return rc;
}

void mds_mapsvc_close(struct mds_mapsvc *svc)
{
	if (!svc)
		return;
	if (svc->follower_started) {
		pthread_mutex_lock(&svc->lock);
		svc->stopping = true;
		pthread_cond_broadcast(&svc->stop_cond);
		pthread_mutex_unlock(&svc->lock);
		pthread_join(svc->follower, NULL);
	}
	mds_map_unref(svc->cur);
	free(svc->last_seen_ms);
	free(svc->space);
	if (svc->env)
		mdb_env_close(svc->env);
	pthread_cond_destroy(&svc->stop_cond);
	pthread_mutex_destroy(&svc->lock);
	free(svc);
}

bool mds_mapsvc_is_authority(const struct mds_mapsvc *svc)
{
	return svc->opts.authority;
}

struct mds_map *mds_mapsvc_current(struct mds_mapsvc *svc)
{
	struct mds_map *m;

	pthread_mutex_lock(&svc->lock);
	m = mds_map_ref(svc->cur);
	pthread_mutex_unlock(&svc->lock);
	return m;
}

u64 mds_mapsvc_epoch(struct mds_mapsvc *svc)
{
	u64 e;

	pthread_mutex_lock(&svc->lock);
	e = svc->cur ? svc->cur->map.epoch : 0;
	pthread_mutex_unlock(&svc->lock);
	return e;
}
