// SPDX-License-Identifier: GPL-2.0
/*
 * One stripe across its PG: member operations sent to every rank in
 * parallel (remote ranks over their node's connection, the local rank
 * straight to the engine).
 */
#include <stdlib.h>
#include <string.h>

#include "leofs/bigbuf.h"
#include "leofs/crc.h"
#include "leofs/log.h"
#include "node.h"

struct pending {
	struct leofs_conn_ref *ref;
	struct leofs_rpc_call *call;
	int err;
};

u32 oss_pg_count(u32 mask)
{
	return (u32)__builtin_popcount(mask);
}

u32 oss_pg_open(struct oss_node *n, struct oss_pg *pg, u64 ino, u32 slot,
		u64 stripe, const struct leofs_pg_ref *ref,
		const struct leofs_layout *l, bool primary)
{
	u32 pg_num, r, live = 0;
	const struct leofs_map_target *t;
	const struct leofs_map_node *nd;
	int err;

	memset(pg, 0, sizeof(*pg));
	pg->n = n;
	pg->v = oss_mapsrc_get(n->maps);
	if (!pg->v)
		return LEOFS_S_AGAIN;
	if (ref->map_epoch != leofs_mapview_epoch(pg->v))
		goto wrong_epoch;
	pg_num = leofs_mapview_pg_num(pg->v, l->pool_id);
	if (!pg_num || ref->pool_id != l->pool_id)
		goto inval;
	if (ref->pg != leofs_stripe_pg(ino, slot, l->stripe_count, pg_num))
		goto inval;
	pg->l = *l;
	pg->ino = ino;
	pg->slot = slot;
	pg->stripe = stripe;
	pg->ref = *ref;
	pg->width = leofs_layout_width(l);
	err = leofs_mapview_row(pg->v, l->pool_id, pg->width, ref->pg,
				pg->targets);
	if (err) {
		oss_pg_close(pg);
		return err == -ENOSPC ? LEOFS_S_DEGRADED_READONLY : LEOFS_S_INVAL;
	}
	if (primary && !oss_node_local(n, pg->targets[0])) {
		oss_pg_close(pg);
		return LEOFS_S_NOT_PRIMARY;
	}
	for (r = 0; r < pg->width; r++) {
		t = leofs_mapview_target(pg->v, pg->targets[r]);
		nd = t ? leofs_mapview_node(pg->v, t->node_id) : NULL;
		if (oss_node_local(n, pg->targets[r])) {
			live |= 1u << r;
			continue;
		}
		if (!nd || !(nd->state & LEOFS_STATE_UP) ||
		    !(t->state & LEOFS_STATE_UP))
			continue;
		if (leofs_conns_is_down(n->conns, nd->id))
			continue;
		live |= 1u << r;
	}
	pg->live = live;
	return 0;

wrong_epoch:
	oss_pg_close(pg);
	return LEOFS_S_WRONG_EPOCH;
inval:
	oss_pg_close(pg);
	return LEOFS_S_INVAL;
}

void oss_pg_close(struct oss_pg *pg)
{
	leofs_mapview_put(pg->v);
	pg->v = NULL;
}

void oss_members_free(struct oss_member *res, u32 width)
{
	u32 r;

	for (r = 0; r < width; r++) {
		leofs_bigbuf_put(res[r].buf);
		res[r].buf = NULL;
	}
}

/*
 * Sends msg to the PG member of @rank; @apart, if not NULL, is the
 * message's data, sent from where it is (it must outlive the wait), and
 * @apart_crc its CRC32C.
 */
static int send_one(struct oss_pg *pg, u32 rank, u16 opcode, const void *msg,
		    size_t size, const struct leofs_buf *apart,
		    const u32 *apart_crc, struct pending *p)
{
	const struct leofs_map_target *t;
	const struct leofs_map_node *nd;
	int r;

	memset(p, 0, sizeof(*p));
	t = leofs_mapview_target(pg->v, pg->targets[rank]);
	nd = t ? leofs_mapview_node(pg->v, t->node_id) : NULL;
	if (!nd)
		return p->err = -EHOSTUNREACH;
	r = leofs_conns_get(pg->n->conns, nd->id, &nd->addr, &p->ref);
	if (r)
		return p->err = r;
	if (apart)
		r = leofs_rpc_send_apart(leofs_conn_ref_rpc(p->ref), opcode,
					 msg, size, 0, apart->data, apart->len,
					 apart_crc, &p->call);
	else
		r = leofs_rpc_send(leofs_conn_ref_rpc(p->ref), opcode, msg,
				   size, &p->call);
	if (r) {
		if (leofs_err_is_transport(r))
			leofs_conns_failed(pg->n->conns, p->ref, r);
		leofs_conns_put(pg->n->conns, p->ref);
		p->ref = NULL;
		p->err = r;
	}
	return r;
}

/* Waits for a sent request; 0 with the raw reply, or -errno. */
static int wait_one(struct oss_pg *pg, struct pending *p,
		    struct leofs_rpc_reply *reply)
{
	int r;

	if (p->err)
		return p->err;
	r = leofs_rpc_wait(p->call, OSS_MEMBER_TIMEOUT_MS, reply);
	if (r && leofs_err_is_transport(r))
		leofs_conns_failed(pg->n->conns, p->ref, r);
	leofs_conns_put(pg->n->conns, p->ref);
	p->ref = NULL;
	return r;
}

static void fill_ids(struct oss_pg *pg, u32 rank, u64 *ino, u32 *slot,
		     u32 *frag, u32 *target, struct leofs_pg_ref *ref,
		     u64 *stripe, u32 *unit)
{
	*ino = pg->ino;
	*slot = pg->slot;
	*frag = rank;
	*target = pg->targets[rank];
	*ref = pg->ref;
	*stripe = pg->stripe;
	*unit = pg->l.stripe_unit;
}

static struct oss_obj_id obj_of(struct oss_pg *pg, u32 rank)
{
	struct oss_obj_id id = { .ino = pg->ino, .slot = pg->slot,
				 .frag = rank };
	return id;
}

/* Member rank r of @mask held by one of this node's targets, or NULL. */
static struct oss_local *local_member(struct oss_pg *pg, u32 mask, u32 r)
{
	if (!(mask & (1u << r)))
		return NULL;
	return oss_node_local(pg->n, pg->targets[r]);
}

/* Member rank r of @mask is on another node: a request is sent to it. */
static bool remote_member(struct oss_pg *pg, u32 mask, u32 r)
{
	return (mask & (1u << r)) && !oss_node_local(pg->n, pg->targets[r]);
}

/* Reads the prepared version's bytes (oss_stripe_read_prepared()). */
static int local_read(struct oss_pg *pg, struct oss_local *lt, u32 rank,
		      u32 off, u32 len, u32 flags, struct oss_member *m)
{
	struct oss_obj_id id = obj_of(pg, rank);
	struct oss_stripe_info info;
	int r;

	m->buf = leofs_bigbuf_get(len);
	if (!m->buf)
		return -ENOMEM;
	if (flags & LEOFS_READ_PREPARED)
		r = oss_stripe_read_prepared(lt->t, &id, pg->l.stripe_unit,
					     pg->stripe, off, len, m->buf,
					     &info);
	else
		r = oss_stripe_read(lt->t, &id, pg->l.stripe_unit, pg->stripe,
				    off, len, m->buf, &info);
	if (r) {
		leofs_bigbuf_put(m->buf);
		m->buf = NULL;
		return r;
	}
	m->version = info.version;
	m->prepared = info.prepared;
	return 0;
}

void oss_pg_read(struct oss_pg *pg, u32 mask, u32 off, u32 len, u32 flags,
		 struct oss_member *res)
{
	struct pending p[LEOFS_MAX_FRAGMENTS];
	struct leofs_read_fragment_req q;
	struct leofs_read_fragment_reply rp;
	struct leofs_rpc_reply raw;
	struct oss_local *lt;
	u32 r;
	int e;

	memset(res, 0, sizeof(*res) * pg->width);
	for (r = 0; r < pg->width; r++) {
		res[r].err = -EHOSTDOWN;
		if (!remote_member(pg, mask, r))
			continue;
		memset(&q, 0, sizeof(q));
		fill_ids(pg, r, &q.ino, &q.slot, &q.fragment, &q.target_id,
			 &q.pg, &q.stripe, &q.stripe_unit);
		q.offset = off;
		q.length = len;
		q.flags = flags;
		send_one(pg, r, LEOFS_OP_READ_FRAGMENT, &q, sizeof(q), NULL, NULL,
			 &p[r]);
	}
	for (r = 0; r < pg->width; r++) {
		lt = local_member(pg, mask, r);
		if (lt)
			res[r].err = local_read(pg, lt, r, off, len, flags,
						&res[r]);
	}
	for (r = 0; r < pg->width; r++) {
		if (!remote_member(pg, mask, r))
			continue;
		e = wait_one(pg, &p[r], &raw);
		if (e) {
			res[r].err = e;
			continue;
		}
		e = leofs_read_fragment_reply_decode(&rp, raw.body, raw.len);
		if (!e && rp.status)
			e = leofs_status_to_errno(rp.status);
		if (!e && rp.data.len != len)
			e = -EPROTO;
		if (!e) {
			res[r].buf = leofs_bigbuf_get(len);
			if (!res[r].buf)
				e = -ENOMEM;
			else
				memcpy(res[r].buf, rp.data.data, len);
			res[r].version = rp.version;
			res[r].prepared = rp.prepared;
		}
		res[r].err = e;
		leofs_rpc_reply_free(&raw);
	}
}

static int status_of(struct oss_pg *pg, struct pending *p)
{
	struct leofs_rpc_reply raw;
	int e;

	e = wait_one(pg, p, &raw);
	if (e)
		return e;
	e = raw.status ? leofs_status_to_errno(raw.status) : 0;
	leofs_rpc_reply_free(&raw);
	return e;
}

/* The answer of each remote member of @mask, sent p[rank], into res. */
static void collect_status(struct oss_pg *pg, u32 mask, struct pending *p,
			   int *res)
{
	u32 r;

	for (r = 0; r < pg->width; r++)
		if (remote_member(pg, mask, r))
			res[r] = status_of(pg, &p[r]);
}

void oss_pg_write(struct oss_pg *pg, u32 mask, u32 phase, u64 version,
		  u32 off, u8 *const frags[], u32 len, int *res)
{
	struct pending p[LEOFS_MAX_FRAGMENTS];
	struct leofs_write_fragment_req q;
	u32 nblk = (len + LEOFS_BLOCK_SIZE - 1) / LEOFS_BLOCK_SIZE;
	struct oss_local *lt;
	/* each block's CRC in host order, then as the wire carries them */
	u32 *hcrcs = malloc((size_t)nblk * 8);
	u8 *crcs = (u8 *)(hcrcs + nblk);
	u32 r, i, crc;

	for (r = 0; r < pg->width; r++)
		res[r] = -EHOSTDOWN;
	if (!hcrcs) {
		for (r = 0; r < pg->width; r++)
			res[r] = -ENOMEM;
		return;
	}
	for (r = 0; r < pg->width; r++) {
		if (!remote_member(pg, mask, r))
			continue;
		leofs_crc32c_blocks(frags[r], len, LEOFS_BLOCK_SIZE, hcrcs);
		for (i = 0; i < nblk; i++)
			put_unaligned_le32(hcrcs[i], crcs + 4 * i);
		/* the frame's CRC joined from them, not a second pass */
		crc = leofs_crc32c_join(hcrcs, len, LEOFS_BLOCK_SIZE);
		memset(&q, 0, sizeof(q));
		fill_ids(pg, r, &q.ino, &q.slot, &q.fragment, &q.target_id,
			 &q.pg, &q.stripe, &q.stripe_unit);
		q.offset = off;
		q.version = version;
		q.phase = phase;
		q.crcs.data = crcs;
		q.crcs.count = nblk;
		q.data.data = frags[r];
		q.data.len = len;
		send_one(pg, r, LEOFS_OP_WRITE_FRAGMENT, &q, sizeof(q), &q.data,
			 &crc, &p[r]);
	}
	free(hcrcs);
	for (r = 0; r < pg->width; r++) {
		struct oss_obj_id id = obj_of(pg, r);

		lt = local_member(pg, mask, r);
		if (!lt)
			continue;
		if (phase == LEOFS_FRAG_DIRECT)
			res[r] = oss_stripe_create(lt->t, &id,
						   pg->l.stripe_unit,
						   pg->stripe, version,
						   frags[r], len, NULL);
		else
			res[r] = oss_stripe_prepare(lt->t, &id,
						    pg->l.stripe_unit,
						    pg->stripe, version, off,
						    frags[r], len);
	}
	collect_status(pg, mask, p, res);
}

void oss_pg_commit(struct oss_pg *pg, u32 mask, u32 action, u64 version,
		   int *res)
{
	struct pending p[LEOFS_MAX_FRAGMENTS];
	struct leofs_commit_fragment_req q;
	struct oss_local *lt;
	u32 r;

	for (r = 0; r < pg->width; r++) {
		res[r] = -EHOSTDOWN;
		if (!remote_member(pg, mask, r))
			continue;
		memset(&q, 0, sizeof(q));
		fill_ids(pg, r, &q.ino, &q.slot, &q.fragment, &q.target_id,
			 &q.pg, &q.stripe, &q.stripe_unit);
		q.version = version;
		q.action = action;
		send_one(pg, r, LEOFS_OP_COMMIT_FRAGMENT, &q, sizeof(q), NULL, NULL,
			 &p[r]);
	}
	for (r = 0; r < pg->width; r++) {
		struct oss_obj_id id = obj_of(pg, r);

		lt = local_member(pg, mask, r);
		if (!lt)
			continue;
		res[r] = oss_stripe_finish(lt->t, &id, pg->l.stripe_unit,
					   pg->stripe, version, action);
	}
	collect_status(pg, mask, p, res);
}
