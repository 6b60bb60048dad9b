// SPDX-License-Identifier: GPL-2.0
/*
 * Storage requests: decoding, where each one runs, and the member side
 * (one fragment on one local target). The primary's requests are in
 * primary.c and degraded.c.
 */
#include <stdlib.h>
#include <string.h>

#include "leofs/bigbuf.h"
#include "leofs/crc.h"
#include "leofs/log.h"
#include "node.h"

static void reply_status(struct oss_call *c, u32 status)
{
	struct leofs_status_reply r = { .status = status };

	c->reply(c, &r, sizeof(r));
}

/* The target a member request names, and its queue. */
static struct leofs_workq *target_queue(struct oss_node *n, u32 target_id)
{
	struct oss_local *lt = oss_node_local(n, target_id);

	return lt ? lt->wq : n->coord;
}

u32 oss_call_decode(struct oss_node *n, struct oss_call *c, u16 opcode,
		    const void *body, u32 len, struct leofs_workq **queue)
{
	size_t size = leofs_msg_struct_size(opcode, false);
	int r;

	c->opcode = opcode;
	if ((opcode >> 8) != 0x02 || !size || size > sizeof(c->m))
		return LEOFS_S_NOTSUP;
	r = leofs_msg_decode(opcode, false, &c->m, size, body, len);
	if (r == -EOPNOTSUPP)
		return LEOFS_S_NOTSUP;
	if (r == -EPROTO)
		return LEOFS_S_PROTO;
	if (r)
		return LEOFS_S_BADMSG;
	switch (opcode) {
	case LEOFS_OP_WRITE_FRAGMENT:
		*queue = target_queue(n, c->m.wf.target_id);
		break;
	case LEOFS_OP_COMMIT_FRAGMENT:
		*queue = target_queue(n, c->m.cf.target_id);
		break;
	case LEOFS_OP_READ_FRAGMENT:
		*queue = target_queue(n, c->m.rf.target_id);
		break;
	case LEOFS_OP_TARGET_STATFS:
		*queue = target_queue(n, c->m.sf.target_id);
		break;
	default:
		*queue = n->coord;
		break;
	}
	return 0;
}

/* Write fences: a request routed with an older map than ours is refused. */
static bool stale_epoch(struct oss_node *n, u64 epoch)
{
	struct leofs_mapview *v = oss_mapsrc_get(n->maps);
	bool stale = !v || epoch < leofs_mapview_epoch(v);

	leofs_mapview_put(v);
	return stale;
}

/* Checksums the data into @crcs and checks them against the ones sent. */
static bool crcs_match(const struct leofs_write_fragment_req *m, u32 *crcs)
{
	u32 i;

	leofs_crc32c_blocks(m->data.data, m->data.len, LEOFS_BLOCK_SIZE, crcs);
	for (i = 0; i < m->crcs.count; i++)
		if (crcs[i] != leofs_le32s_get(&m->crcs, i))
			return false;
	return true;
}

static void handle_write_fragment(struct oss_node *n, struct oss_call *c)
{
	const struct leofs_write_fragment_req *m = &c->m.wf;
	struct oss_obj_id id = { m->ino, m->slot, m->fragment };
	struct oss_local *lt = oss_node_local(n, m->target_id);
	u32 *crcs;
	int r;

	if (!lt)
		return reply_status(c, LEOFS_S_NOENT);
	if (stale_epoch(n, m->pg.map_epoch))
		return reply_status(c, LEOFS_S_WRONG_EPOCH);
	crcs = malloc((size_t)m->crcs.count * 4 + 4);
	if (!crcs)
		return reply_status(c, LEOFS_S_NOMEM);
	if (!crcs_match(m, crcs)) {
		log_warning("WRITE_FRAGMENT for target %u: data does not match its CRCs",
			    m->target_id);
		free(crcs);
		return reply_status(c, LEOFS_S_CHECKSUM);
	}
	if (m->phase == LEOFS_FRAG_DIRECT)
		r = oss_stripe_create(lt->t, &id, m->stripe_unit, m->stripe,
				      m->version, m->data.data, m->data.len,
				      crcs);
	else
		r = oss_stripe_prepare(lt->t, &id, m->stripe_unit, m->stripe,
				       m->version, m->offset, m->data.data,
				       m->data.len);
	free(crcs);
	reply_status(c, oss_status(r));
}

int oss_stripe_finish(struct oss_target *t, const struct oss_obj_id *obj,
		      u32 unit, u64 stripe, u64 version, u32 action)
{
	switch (action) {
	case LEOFS_COMMIT:
		return oss_stripe_commit(t, obj, unit, stripe, version);
	case LEOFS_ABORT:
		return oss_stripe_abort(t, obj, unit, stripe, version);
	case LEOFS_UNDO_NEW:
		return oss_stripe_undo_new(t, obj, unit, stripe, version);
	}
	return -EINVAL;
}

static void handle_commit_fragment(struct oss_node *n, struct oss_call *c)
{
	const struct leofs_commit_fragment_req *m = &c->m.cf;
	struct oss_obj_id id = { m->ino, m->slot, m->fragment };
	struct oss_local *lt = oss_node_local(n, m->target_id);
	int r;

	if (!lt)
		return reply_status(c, LEOFS_S_NOENT);
	/*
	 * Fenced like the writes: a primary of an older map could otherwise
	 * undo or abort under the primary of the new one (whatever it
	 * prepared and could not commit is rolled forward by that one).
	 */
	if (stale_epoch(n, m->pg.map_epoch))
		return reply_status(c, LEOFS_S_WRONG_EPOCH);
	r = oss_stripe_finish(lt->t, &id, m->stripe_unit, m->stripe,
			      m->version, m->action);
	reply_status(c, oss_status(r));
}

static void handle_read_fragment(struct oss_node *n, struct oss_call *c)
{
	const struct leofs_read_fragment_req *m = &c->m.rf;
	struct oss_obj_id id = { m->ino, m->slot, m->fragment };
	struct oss_local *lt = oss_node_local(n, m->target_id);
	struct leofs_read_fragment_reply rp = { 0 };
	struct oss_stripe_info info;
	u8 *buf, *crcs = NULL;
	u32 nblk;
	int r;

	if (!lt)
		return reply_status(c, LEOFS_S_NOENT);
	buf = leofs_bigbuf_get(m->length);
	if (!buf)
		return reply_status(c, LEOFS_S_NOMEM);
	if (m->flags & LEOFS_READ_PREPARED)
		r = oss_stripe_read_prepared(lt->t, &id, m->stripe_unit,
					     m->stripe, m->offset, m->length,
					     buf, &info);
	else
		r = oss_stripe_read(lt->t, &id, m->stripe_unit, m->stripe,
				    m->offset, m->length, buf, &info);
	if (r == -EBADMSG) {
		oss_node_count(&n->checksum_errors);
		log_error("target %u: ino %llx slot %u fragment %u stripe %llu failed its checksum",
			  m->target_id, (unsigned long long)m->ino, m->slot,
			  m->fragment, (unsigned long long)m->stripe);
	}
	if (r) {
		leofs_bigbuf_put(buf);
		return reply_status(c, oss_status(r));
	}
	if (m->flags & LEOFS_READ_WANT_CRCS) {
		nblk = (m->length + LEOFS_BLOCK_SIZE - 1) / LEOFS_BLOCK_SIZE;
		crcs = malloc((size_t)nblk * 4);
		if (!crcs) {
			leofs_bigbuf_put(buf);
			return reply_status(c, LEOFS_S_NOMEM);
		}
		leofs_crc32c_blocks_le(buf, m->length, LEOFS_BLOCK_SIZE, crcs);
		rp.crcs.data = crcs;
		rp.crcs.count = nblk;
	}
	rp.version = info.version;
	rp.prepared = info.prepared;
	rp.data.data = buf;
	rp.data.len = m->length;
	if (c->reply_tail) {
		/* the data goes out from buf, which the reply takes */
		c->reply_tail(c, &rp, sizeof(rp), buf, m->length,
			      info.crc_known ? &info.crc : NULL);
		buf = NULL;
	} else {
		c->reply(c, &rp, sizeof(rp));
	}
	free(crcs);
	leofs_bigbuf_put(buf);
}

/*
 * Apply @fn to every fragment of the given slots whose target is on this
 * node. Returns the first error.
 */
static u32 for_local_fragments(struct oss_node *n, u64 ino,
			       const struct leofs_layout *l, u64 epoch,
			       const struct leofs_le32s *slots, u64 size)
{
	struct leofs_mapview *v = oss_mapsrc_get(n->maps);
	u32 width = leofs_layout_width(l), targets[LEOFS_MAX_FRAGMENTS];
	u64 stripe_bytes = (u64)l->k * l->stripe_unit, total, keep;
	u32 i, slot, nslots, pg, pg_num, r;
	struct oss_local *lt;
	int err, first = 0;

	if (!v)
		return LEOFS_S_AGAIN;
	if (epoch < leofs_mapview_epoch(v)) {
		leofs_mapview_put(v);
		return LEOFS_S_WRONG_EPOCH;
	}
	pg_num = leofs_mapview_pg_num(v, l->pool_id);
	if (!pg_num) {
		leofs_mapview_put(v);
		return LEOFS_S_INVAL;
	}
	total = size / stripe_bytes + (size % stripe_bytes != 0);
	nslots = slots ? slots->count : l->stripe_count;
	for (i = 0; i < nslots; i++) {
		slot = slots ? leofs_le32s_get(slots, i) : i;
		pg = leofs_stripe_pg(ino, slot, l->stripe_count, pg_num);
		if (leofs_mapview_row(v, l->pool_id, width, pg, targets))
			continue;
		/* stripes of this slot: global stripes slot, slot + count... */
		keep = total > slot ? (total - slot + l->stripe_count - 1) /
					      l->stripe_count : 0;
		for (r = 0; r < width; r++) {
			struct oss_obj_id id = { ino, slot, r };

			lt = oss_node_local(n, targets[r]);
			if (!lt)
				continue;
			err = slots ? oss_object_delete(lt->t, &id) :
				      oss_object_truncate(lt->t, &id, keep);
			if (err && !first)
				first = err;
		}
	}
	leofs_mapview_put(v);
	return oss_status(first);
}

/* Drop whole stripes past the size, then zero the tail of the last one. */
static void handle_truncate(struct oss_node *n, struct oss_call *c)
{
	const struct leofs_truncate_objects_req *m = &c->m.tr;
	u32 status;

	status = for_local_fragments(n, m->ino, &m->layout, m->map_epoch, NULL,
				     m->size);
	if (!status)
		status = oss_primary_zero_tail(n, m->ino, &m->layout,
					       m->map_epoch, m->size);
	reply_status(c, status);
}

static void handle_statfs(struct oss_node *n, struct oss_call *c)
{
	struct oss_local *lt = oss_node_local(n, c->m.sf.target_id);
	struct leofs_target_statfs_reply rp = { 0 };
	struct oss_statfs st;
	int r;

	if (!lt)
		return reply_status(c, LEOFS_S_NOENT);
	r = oss_target_statfs(lt->t, &st);
	if (r)
		return reply_status(c, oss_status(r));
	rp.capacity = st.capacity_bytes;
	rp.used = st.used_bytes;
	rp.objects = st.objects;
	rp.free = st.free_bytes;
	rp.checksum_errors = st.checksum_errors;
	c->reply(c, &rp, sizeof(rp));
}

void oss_call_run(struct oss_node *n, struct oss_call *c)
{
	switch (c->opcode) {
	case LEOFS_OP_WRITE_FRAGMENT:
		return handle_write_fragment(n, c);
	case LEOFS_OP_COMMIT_FRAGMENT:
		return handle_commit_fragment(n, c);
	case LEOFS_OP_READ_FRAGMENT:
		return handle_read_fragment(n, c);
	case LEOFS_OP_WRITE_STRIPE:
		return oss_handle_write_stripe(n, c);
	case LEOFS_OP_PARTIAL_WRITE:
		return oss_handle_partial_write(n, c);
	case LEOFS_OP_DEGRADED_READ:
		return oss_handle_degraded_read(n, c);
	case LEOFS_OP_TRUNCATE_OBJECTS:
		return handle_truncate(n, c);
	case LEOFS_OP_DELETE_OBJECTS:
		return reply_status(c, for_local_fragments(n, c->m.del.ino,
							   &c->m.del.layout,
							   c->m.del.map_epoch,
							   &c->m.del.slots, 0));
	case LEOFS_OP_TARGET_STATFS:
		return handle_statfs(n, c);
	default:
		return reply_status(c, LEOFS_S_NOTSUP);
	}
}
