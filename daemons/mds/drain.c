// SPDX-License-Identifier: GPL-2.0
/* The deletion queue drain (drain.h). */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "leofs/clock.h"
#include "leofs/log.h"
#include "leofs/placement.h"
#include "leofs/rpc.h"
#include "drain.h"

#define PEEK_BATCH	32
#define MAX_PEERS	64 /* storage server connections kept */
#define RETRY_MIN_MS	100
#define CALL_TIMEOUT_MS 10000

struct oss_peer {
	u32 node_id;
	struct leofs_addr addr;
	struct leofs_rpc *rpc;
};

struct mds_drain {
	struct mds_drain_opts o;
	u16 shards[MDS_MAX_SHARDS];
	u8 cluster_id[16];
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stopping;

	/* drain thread only */
	struct oss_peer peers[MAX_PEERS];
	u32 nr_peers;
	struct leofs_pg_table *table; /* the last one built */
	size_t table_size;
	void *work;
	size_t work_size;
};

static bool stopping(struct mds_drain *d)
{
	return __atomic_load_n(&d->stopping, __ATOMIC_RELAXED);
}

/* Waits up to ms unless stopping; true when stopping. */
static bool nap(struct mds_drain *d, u32 ms)
{
	return leofs_nap_unless(&d->lock, &d->cond, &d->stopping, ms);
}

static const struct leofs_map_pool *find_pool(const struct leofs_map *m, u32 id)
{
	u32 i;

	for (i = 0; i < m->pool_count; i++)
		if (m->pools[i].id == id)
			return &m->pools[i];
	return NULL;
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

static const struct leofs_map_node *find_node(const struct leofs_map *m, u32 id)
{
	u32 i;

	for (i = 0; i < m->node_count; i++)
		if (m->nodes[i].id == id)
			return &m->nodes[i];
	return NULL;
}

/* The PG table of (pool, width) at the map's epoch, built when needed. */
static int pg_table(struct mds_drain *d, const struct leofs_map *m,
		    const struct leofs_map_pool *pool, u32 width)
{
	size_t tsize, wsize;
	void *p;
	int rc;

	if (d->table && d->table->epoch == m->epoch &&
	    d->table->pool_id == pool->id && d->table->width == width)
		return 0;
	tsize = leofs_pg_table_size(pool->pg_num, width);
	wsize = leofs_pg_table_work_size(m->target_count, pool->pg_num, width);
	if (!tsize || !wsize)
		return -EINVAL;
	if (tsize > d->table_size) {
		p = realloc(d->table, tsize);
		if (!p)
			return -ENOMEM;
		d->table = p;
		d->table_size = tsize;
	}
	if (wsize > d->work_size) {
		p = realloc(d->work, wsize);
		if (!p)
			return -ENOMEM;
		d->work = p;
		d->work_size = wsize;
	}
	d->table->epoch = 0;
	rc = leofs_pg_table_build(m, pool->id, width, d->work, wsize, d->table,
				  tsize);
	if (!rc)
		d->table->epoch = m->epoch;
	return rc;
}

/* A live connection to a storage node, made when needed. */
static struct leofs_rpc *peer(struct mds_drain *d,
			      const struct leofs_map_node *n)
{
	struct leofs_rpc_opts o = {
		.peer_kind = LEOFS_PEER_MDS,
		.node_id = d->o.node_id,
		.connect_timeout_ms = 3000,
	};
	struct oss_peer *p = NULL;
	char host[INET6_ADDRSTRLEN];
	u32 i;
	int rc;

	for (i = 0; i < d->nr_peers; i++)
		if (d->peers[i].node_id == n->id)
			p = &d->peers[i];
	if (!p) {
		if (d->nr_peers == MAX_PEERS) {
			/* forget the oldest one */
			leofs_rpc_close(d->peers[0].rpc);
			memmove(d->peers, d->peers + 1,
				(MAX_PEERS - 1) * sizeof(*p));
			d->nr_peers--;
		}
		p = &d->peers[d->nr_peers++];
		memset(p, 0, sizeof(*p));
		p->node_id = n->id;
	}
	if (p->rpc && (!leofs_rpc_alive(p->rpc) ||
		       memcmp(&p->addr, &n->addr, sizeof(n->addr)))) {
		leofs_rpc_close(p->rpc);
		p->rpc = NULL;
	}
	if (p->rpc)
		return p->rpc;
	if (!inet_ntop(n->addr.family == 6 ? AF_INET6 : AF_INET, n->addr.addr,
		       host, sizeof(host)))
		return NULL;
	memcpy(o.cluster_id, d->cluster_id, 16);
	rc = leofs_rpc_connect(host, n->addr.port, &o, NULL, &p->rpc);
	if (rc) {
		log_debug("storage node %u at %s:%u: %d", n->id, host,
			  n->addr.port, rc);
		p->rpc = NULL;
		return NULL;
	}
	p->addr = n->addr;
	return p->rpc;
}

static void to_wire(const struct mds_layout *l, struct leofs_layout *o)
{
	o->pool_id = l->pool_id;
	o->scheme = l->scheme;
	o->k = l->k;
	o->m = l->m;
	o->stripe_unit = l->stripe_unit;
	o->stripe_count = l->stripe_count;
	o->generation = l->generation;
}

/* Sends one request to a node; 0 once it acknowledged. */
static int call_node(struct mds_drain *d, const struct leofs_map_node *n,
		     u16 opcode, const void *msg, size_t size)
{
	struct leofs_status_reply rep;
	struct leofs_rpc_reply raw;
	struct leofs_rpc *r;
	int rc;

	if (!(n->state & LEOFS_STATE_UP))
		return -EHOSTDOWN;
	r = peer(d, n);
	if (!r)
		return -ECONNREFUSED;
	rc = leofs_rpc_call(r, opcode, msg, size, &rep, sizeof(rep), &raw,
			    CALL_TIMEOUT_MS);
	if (rc)
		return rc;
	leofs_rpc_reply_free(&raw);
	/* objects already gone count as deleted */
	if (rep.status == LEOFS_S_OK || rep.status == LEOFS_S_NOENT)
		return 0;
	return leofs_status_to_errno(rep.status);
}

/* DELETE_OBJECTS of the given slots of e's file, at node n. */
static int delete_at(struct mds_drain *d, const struct leofs_map *m,
		     const struct mds_delq_entry *e,
		     const struct leofs_map_node *n, const u32 *slots, u32 nr)
{
	struct leofs_delete_objects_req q = {
		.ino = e->ino,
		.map_epoch = m->epoch,
	};
	u8 wire[4 * LEOFS_MAX_STRIPE_COUNT];
	u32 i;

	for (i = 0; i < nr; i++)
		put_unaligned_le32(slots[i], wire + 4 * i);
	to_wire(&e->layout, &q.layout);
	q.slots.data = wire;
	q.slots.count = nr;
	return call_node(d, n, LEOFS_OP_DELETE_OBJECTS, &q, sizeof(q));
}

/*
 * One queue entry: every node holding a member of a slot's PG is asked
 * (each node deletes the fragments of all its targets), once with all
 * its slots. 0 when all of them acknowledged.
 */
static int drain_entry(struct mds_drain *d, const struct leofs_map *m,
		       const struct mds_delq_entry *e)
{
	const struct mds_layout *l = &e->layout;
	const struct leofs_map_pool *pool;
	const struct leofs_map_target *t;
	const struct leofs_map_node *n;
	u32 nodes[LEOFS_MAX_STRIPE_COUNT * LEOFS_MAX_FRAGMENTS];
	u32 slots[LEOFS_MAX_STRIPE_COUNT];
	u32 i, j, r, nr, nn = 0, width = (u32)l->k + l->m;
	int rc;

	if (l->scheme == MDS_LAYOUT_NONE || !l->stripe_count)
		return 0; /* no objects */
	if (l->stripe_count > LEOFS_MAX_STRIPE_COUNT ||
	    width > LEOFS_MAX_FRAGMENTS)
		return -EINVAL;
	/*
	 * Clients cut a file's objects themselves, before their truncating
	 * setattr returns. Cutting them again from here, later, could not be
	 * ordered against the writes the client has made since (their size
	 * may not be committed yet) and would destroy acknowledged data, so a
	 * queued truncation is only acknowledged.
	 */
	if (e->kind == MDS_DELQ_TRUNCATE)
		return 0;
	pool = find_pool(m, l->pool_id);
	if (!pool)
		return -ENOENT;
	rc = pg_table(d, m, pool, width);
	if (rc)
		return rc;
	/* nodes[slot * width + rank]: the node of each member */
	for (i = 0; i < l->stripe_count; i++) {
		u32 pg = leofs_stripe_pg(e->ino, i, l->stripe_count,
					 pool->pg_num);

		for (r = 0; r < width; r++) {
			t = find_target(m, leofs_pg_target(d->table, pg, r));
			if (!t)
				return -ENOENT;
			nodes[nn++] = t->node_id;
		}
	}
	for (i = 0; i < nn; i++) {
		bool first = true;

		for (j = 0; j < i && first; j++)
			first = nodes[j] != nodes[i];
		if (!first)
			continue; /* this node was asked already */
		n = find_node(m, nodes[i]);
		if (!n)
			return -ENOENT;
		/* the slots with a member on this node, each once */
		for (j = 0, nr = 0; j < nn; j++)
			if (nodes[j] == nodes[i] &&
			    (!nr || slots[nr - 1] != j / width))
				slots[nr++] = j / width;
		rc = delete_at(d, m, e, n, slots, nr);
		if (rc)
			return rc;
	}
	return 0;
}

/* One pass over every shard's queue. Returns the number of failures. */
static u32 drain_pass(struct mds_drain *d, u32 *acked)
{
	struct mds_delq_entry ents[PEEK_BATCH];
	struct mds_map *m = mds_mapsvc_current(d->o.maps);
	u32 s, failed = 0;
	u64 after;
	int i, n, rc;

	*acked = 0;
	for (s = 0; s < d->o.nr_shards && !stopping(d); s++) {
		after = 0;
		for (;;) {
			n = mds_delq_peek(d->o.eng, d->shards[s], after, ents,
					  PEEK_BATCH);
			if (n <= 0)
				break;
			for (i = 0; i < n && !stopping(d); i++) {
				after = ents[i].seq;
				rc = m ? drain_entry(d, &m->map, &ents[i]) :
					 -EAGAIN;
				if (!rc)
					rc = mds_delq_ack(d->o.eng,
							  d->shards[s],
							  ents[i].seq);
				if (rc) {
					if (!failed)
						log_debug("delete of inode "
							  "%llx: %d",
							  (unsigned long long)
								  ents[i]
									  .ino,
							  rc);
					failed++;
				} else {
					(*acked)++;
				}
			}
			if (n < PEEK_BATCH || stopping(d))
				break;
		}
	}
	mds_map_unref(m);
	return failed;
}

static void *drain_main(void *arg)
{
	struct mds_drain *d = arg;
	u32 delay = 0, failed, acked;
	u32 i;

	do {
		failed = drain_pass(d, &acked);
		if (acked)
			log_debug("deletion queue: %u entries done", acked);
		if (failed) {
			delay = delay ? delay * 2 : RETRY_MIN_MS;
			if (delay > d->o.retry_max_ms)
				delay = d->o.retry_max_ms;
			if (delay == d->o.retry_max_ms)
				log_warning("deletion queue: %u entries wait "
					    "for their storage servers",
					    failed);
		} else {
			delay = 0;
		}
	} while (!nap(d, failed ? delay : d->o.poll_ms));
	for (i = 0; i < d->nr_peers; i++)
		leofs_rpc_close(d->peers[i].rpc);
	free(d->table);
	free(d->work);
	return NULL;
}

int mds_drain_start(const struct mds_drain_opts *opts, struct mds_drain **out)
{
	struct mds_drain *d;
	int rc;

	if (opts->nr_shards > MDS_MAX_SHARDS)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->o = *opts;
	memcpy(d->shards, opts->shards, opts->nr_shards * sizeof(u16));
	memcpy(d->cluster_id, opts->cluster_id, 16);
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	rc = -pthread_create(&d->thread, NULL, drain_main, d);
	if (rc) {
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

void mds_drain_stop(struct mds_drain *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	__atomic_store_n(&d->stopping, true, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->thread, NULL);
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
	free(d);
}
