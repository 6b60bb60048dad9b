// SPDX-License-Identifier: GPL-2.0
/* Connections to the other metadata servers (peers.h). */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "leofs/log.h"
#include "leofs/placement.h"
#include "leofs/rpc.h"
#include "peers.h"
#include "wire.h"

#define MAX_PEERS	   LEOFS_MAP_MAX_MDS /* one per MDS a map can list */
#define CALL_TIMEOUT_MS	   10000
#define CONNECT_TIMEOUT_MS 2000

/*
 * A connection, shared by the calls on it: the table holds one reference
 * and each call one, so a connection retired (broken, or its MDS moved)
 * while calls run on it is closed by the last of them.
 */
struct peer_link {
	struct leofs_rpc *rpc;
	u32 refs; /* under mds_peers.lock */
};

struct mds_peer_conn {
	u32 mds_id;
	struct leofs_addr addr;
	struct peer_link *link;
};

struct mds_peers {
	struct mds_mapsvc *maps;
	u32 node_id;
	u8 cluster_id[16];
	pthread_mutex_t lock;
	struct mds_peer_conn conns[MAX_PEERS];
	u32 nr;
};

int mds_peers_new(struct mds_mapsvc *maps, u32 node_id, const u8 cluster_id[16],
		  struct mds_peers **out)
{
	struct mds_peers *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->maps = maps;
	p->node_id = node_id;
	memcpy(p->cluster_id, cluster_id, 16);
	pthread_mutex_init(&p->lock, NULL);
	*out = p;
	return 0;
}

/* Drops a reference (lock held); the connection to close, or NULL. */
static struct peer_link *link_put_locked(struct peer_link *l)
{
	return --l->refs ? NULL : l;
}

static void link_close(struct peer_link *l)
{
	if (l) {
		leofs_rpc_close(l->rpc);
		free(l);
	}
}

/* No call may be running: the server has stopped its workers. */
void mds_peers_free(struct mds_peers *p)
{
	u32 i;

	if (!p)
		return;
	for (i = 0; i < p->nr; i++)
		if (p->conns[i].link)
			link_close(link_put_locked(p->conns[i].link));
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* The address of the MDS serving shard, from the current map. */
static int shard_addr(struct mds_peers *p, u16 shard, u32 *id,
		      struct leofs_addr *addr)
{
	struct mds_map *m = p->maps ? mds_mapsvc_current(p->maps) : NULL;
	int rc = -EHOSTUNREACH;
	u32 i, j;

	if (!m)
		return -EAGAIN;
	for (i = 0; i < m->map.shard_count; i++) {
		if (m->map.shards[i].id != shard)
			continue;
		for (j = 0; j < m->map.mds_count; j++)
			if (m->map.mds[j].id == m->map.shards[i].primary_mds) {
				*id = m->map.mds[j].id;
				*addr = m->map.mds[j].addr;
				rc = 0;
			}
	}
	mds_map_unref(m);
	return rc;
}

/*
 * A live connection to the MDS of shard, with a reference for the caller
 * (lock held). A connection stays until it breaks or the shard moves; a
 * retired one is handed back in *retired, to be closed without the lock.
 */
static int conn_locked(struct mds_peers *p, u16 shard, struct peer_link **out,
		       struct peer_link **retired)
{
	struct leofs_rpc_opts o = {
		.peer_kind = LEOFS_PEER_MDS,
		.node_id = p->node_id,
		.connect_timeout_ms = CONNECT_TIMEOUT_MS,
	};
	struct mds_peer_conn *c = NULL;
	struct leofs_addr addr;
	char host[INET6_ADDRSTRLEN];
	u32 id = 0, i;
	int rc;

	rc = shard_addr(p, shard, &id, &addr);
	if (rc)
		return rc;
	if (id == p->node_id)
		return -EXDEV; /* the map says this server: not served here */
	for (i = 0; i < p->nr; i++)
		if (p->conns[i].mds_id == id)
			c = &p->conns[i];
	if (!c && p->nr < MAX_PEERS) {
		c = &p->conns[p->nr++];
		memset(c, 0, sizeof(*c));
		c->mds_id = id;
	} else if (!c) {
		/*
		 * Full: MDS that left the map over the years keep entries.
		 * One that no call is using is given to this one.
		 */
		for (i = 0; i < p->nr && !c; i++)
			if (!p->conns[i].link || p->conns[i].link->refs == 1)
				c = &p->conns[i];
		if (!c)
			return -EAGAIN;
		if (c->link)
			*retired = link_put_locked(c->link);
		memset(c, 0, sizeof(*c));
		c->mds_id = id;
	}
	if (c->link && (!leofs_rpc_alive(c->link->rpc) ||
			memcmp(&c->addr, &addr, sizeof(addr)))) {
		*retired = link_put_locked(c->link);
		c->link = NULL;
	}
	if (!c->link) {
		struct peer_link *l;

		if (!inet_ntop(addr.family == 6 ? AF_INET6 : AF_INET, addr.addr,
			       host, sizeof(host)))
			return -EINVAL;
		l = calloc(1, sizeof(*l));
		if (!l)
			return -ENOMEM;
		memcpy(o.cluster_id, p->cluster_id, 16);
		rc = leofs_rpc_connect(host, addr.port, &o, NULL, &l->rpc);
		if (rc) {
			free(l);
			return rc;
		}
		l->refs = 1;
		c->link = l;
		c->addr = addr;
	}
	c->link->refs++;
	*out = c->link;
	return 0;
}

/* A transport failure is -EAGAIN for the caller: the peer may come back. */
static int call(struct mds_peers *p, u16 shard, u16 opcode, const void *req,
		size_t req_size, void *rep, size_t rep_size)
{
	struct peer_link *l = NULL, *retired = NULL;
	struct leofs_rpc_reply raw;
	int rc;

	/* the lock covers connecting; calls on a connection run in parallel */
	pthread_mutex_lock(&p->lock);
	rc = conn_locked(p, shard, &l, &retired);
	pthread_mutex_unlock(&p->lock);
	link_close(retired);
	if (rc)
		return rc == -EXDEV || rc == -ENOMEM ? rc : -EAGAIN;
	rc = leofs_rpc_call(l->rpc, opcode, req, req_size, rep, rep_size, &raw,
			    CALL_TIMEOUT_MS);
	if (!rc)
		leofs_rpc_reply_free(&raw);
	if (rc == -ETIMEDOUT)
		log_warning("%s to the MDS of shard %u: no answer in %u ms",
			    leofs_op_name(opcode) ?: "?", shard,
			    CALL_TIMEOUT_MS);
	pthread_mutex_lock(&p->lock);
	retired = link_put_locked(l);
	pthread_mutex_unlock(&p->lock);
	link_close(retired);
	return rc ? -EAGAIN : 0;
}

/* The wire's LEOFS_XSHARD_* are the engine's MDS_XSHARD_* values. */
static int remote_prepare(void *arg, const struct mds_xprep *x,
			  struct mds_xans *out)
{
	struct leofs_xshard_prepare_req q = {
		.intent = x->intent,
		.shard = x->shard,
		.op = x->op,
		.ino = x->ino,
		.parent = x->parent,
		.mode = x->mode,
		.uid = x->uid,
		.gid = x->gid,
		.slot = x->slot,
		.expect = x->expect,
		.type = x->type,
		.delta = (u32)x->delta,
		.name = { x->name, (u32)x->len },
	};
	struct leofs_xshard_prepare_reply rep;
	int rc;

	mds_layout_to_wire(&x->layout, &q.layout);
	rc = call(arg, x->shard, LEOFS_OP_XSHARD_PREPARE, &q, sizeof(q), &rep,
		  sizeof(rep));
	if (rc)
		return rc;
	if (rep.status)
		return leofs_status_to_errno(rep.status);
	memset(out, 0, sizeof(*out));
	mds_attr_from_wire(&rep.attr, &out->attr);
	out->entry_ino = rep.entry_ino;
	out->entry_type = (u8)rep.entry_type;
	/* not an inode of the asked shard */
	if (x->op != MDS_XSHARD_WALK &&
	    leofs_ino_shard(out->attr.ino) != x->shard)
		return -EPROTO;
	return 0;
}

static int remote_finish(void *arg, u16 shard, u64 intent, bool commit)
{
	struct leofs_xshard_finish_req q = { intent, shard, commit ? 1 : 0 };
	struct leofs_status_reply rep;
	int rc;

	rc = call(arg, shard, LEOFS_OP_XSHARD_FINISH, &q, sizeof(q), &rep,
		  sizeof(rep));
	if (rc)
		return rc;
	return rep.status ? leofs_status_to_errno(rep.status) : 0;
}

/* GETATTR at the inode's MDS (it checks no permission). */
static int remote_getattr(void *arg, u64 ino, struct mds_attr *out)
{
	struct leofs_ino_req q = { .ino = ino };
	struct leofs_attr_reply rep;
	int rc;

	rc = call(arg, leofs_ino_shard(ino), LEOFS_OP_GETATTR, &q, sizeof(q),
		  &rep, sizeof(rep));
	if (rc)
		return rc;
	if (rep.status)
		return leofs_status_to_errno(rep.status);
	if (rep.attr.ino != ino)
		return -EPROTO;
	memset(out, 0, sizeof(*out));
	mds_attr_from_wire(&rep.attr, out);
	return 0;
}

void mds_peers_ops(struct mds_peers *p, struct mds_xshard_ops *ops)
{
	ops->prepare = remote_prepare;
	ops->finish = remote_finish;
	ops->getattr = remote_getattr;
	ops->arg = p;
}
