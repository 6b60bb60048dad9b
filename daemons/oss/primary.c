// SPDX-License-Identifier: GPL-2.0
/*
 * The PG primary's writes: WRITE_STRIPE (a full stripe or a column slice
 * of one) and PARTIAL_WRITE (read-modify-write), both under the stripe's
 * lock. New stripes take the direct path (every member creates its whole
 * fragment); everything else is prepare on every member, then commit on
 * every member. Each attempt takes a new number from the primary's target,
 * above every version the live members hold, and never used before.
 */
#include <stdlib.h>
#include <string.h>

#include "leofs/bigbuf.h"
#include "leofs/log.h"
#include "node.h"

static void reply_write(struct oss_call *c, u32 status, u64 version)
{
	struct leofs_write_reply r = { .status = status, .version = version };

	if (status) {
		struct leofs_status_reply s = { .status = status };

		c->reply(c, &s, sizeof(s));
		return;
	}
	c->reply(c, &r, sizeof(r));
}

/* Ranks of @mask whose result is 0; transport failures leave pg->live. */
static u32 sort_results(struct oss_pg *pg, u32 mask, const int *res,
			int *hard)
{
	u32 r, ok = 0;

	*hard = 0;
	for (r = 0; r < pg->width; r++) {
		if (!(mask & (1u << r)))
			continue;
		if (!res[r])
			ok |= 1u << r;
		else if (leofs_err_is_transport(res[r]))
			pg->live &= ~(1u << r);
		else if (!*hard)
			*hard = res[r];
	}
	return ok;
}

/*
 * Read [off, off + len) of every live member and settle what an earlier
 * primary left behind (we hold the stripe lock, so no other writer is
 * running): the stripe's version is resolved as a reader would
 * (oss_pg_resolve(), rolling it forward where it is only prepared), and
 * every other prepared version is aborted. Returns that version, or a
 * negative errno (-EAGAIN: it cannot be decided with the members down);
 * res[] holds each member's state and bytes, and *top the highest version
 * seen, committed or prepared.
 */
static s64 settle(struct oss_pg *pg, u32 off, u32 len, struct oss_member *res,
		  u64 *top)
{
	u32 need = pg->l.scheme == LEOFS_LAYOUT_EC ? pg->l.k : 1;
	int cres[LEOFS_MAX_FRAGMENTS];
	u32 r, tries, cur;
	bool changed;
	s64 v;

	for (tries = 0; tries < 4; tries++) {
		oss_pg_read(pg, pg->live, off, len, 0, res);
		*top = 0;
		for (r = 0; r < pg->width; r++) {
			if (!(pg->live & (1u << r)))
				continue;
			if (leofs_err_is_transport(res[r].err) ||
			    res[r].err == -EHOSTDOWN)
				pg->live &= ~(1u << r);
			if (res[r].err)
				continue;
			if (res[r].version > *top)
				*top = res[r].version;
			if (res[r].prepared > *top)
				*top = res[r].prepared;
		}
		v = oss_pg_resolve(pg, res, need, &cur);
		if (v < 0)
			return v;
		changed = false;
		for (r = 0; r < pg->width; r++) {
			if (res[r].err == -EAGAIN) {
				changed = true; /* rolled forward */
				continue;
			}
			if (res[r].err || res[r].prepared <= res[r].version)
				continue;
			oss_pg_commit(pg, 1u << r, LEOFS_ABORT,
				      res[r].prepared, cres);
			log_notice("ino %llx slot %u stripe %llu: aborted version %llu of fragment %u",
				   (unsigned long long)pg->ino, pg->slot,
				   (unsigned long long)pg->stripe,
				   (unsigned long long)res[r].prepared, r);
			changed = true;
		}
		if (!changed)
			return v;
		oss_members_free(res, pg->width);
	}
	return -EAGAIN;
}

/*
 * The number of a new version of the stripe, from the primary's target,
 * which never issues one twice: an attempt that was refused or cut short
 * may have left its version on a member that is down now, and no later
 * bytes may come back under that number. A number at or below @top (the
 * highest version the live members hold) means a primary of a newer map
 * wrote here: refused, the client retries with the new map.
 */
static u32 new_version(struct oss_pg *pg, u64 top, u64 *v)
{
	struct oss_local *lt = oss_node_local(pg->n, pg->targets[0]);
	u64 epoch = leofs_mapview_epoch(pg->v);
	int e = oss_target_new_version(lt->t, epoch, v);

	if (!e && *v <= top) {
		log_notice("ino %llx slot %u stripe %llu: new version %#llx of map epoch %llu is not above %#llx held there: refused",
			   (unsigned long long)pg->ino, pg->slot,
			   (unsigned long long)pg->stripe,
			   (unsigned long long)*v, (unsigned long long)epoch,
			   (unsigned long long)top);
		return LEOFS_S_WRONG_EPOCH;
	}
	if (e == -ESTALE)
		return LEOFS_S_WRONG_EPOCH;
	if (e)
		log_error("ino %llx slot %u stripe %llu: no version number in map epoch %llu: %s",
			  (unsigned long long)pg->ino, pg->slot,
			  (unsigned long long)pg->stripe,
			  (unsigned long long)epoch, strerror(-e));
	return e ? oss_status(e) : 0;
}

/*
 * Prepare @v on every rank of @mask, then commit it on every rank that
 * prepared. The first commit is the point of no return: from then on a
 * reader rolls the other members forward.
 */
static u32 prepare_commit(struct oss_pg *pg, u32 mask, u64 v, u32 off,
			  u8 *const frags[], u32 len)
{
	u32 min = leofs_layout_min_size(&pg->l), prepared, committed;
	int res[LEOFS_MAX_FRAGMENTS], hard;

	if (oss_pg_count(mask) < min)
		return LEOFS_S_DEGRADED_READONLY;
	oss_pg_write(pg, mask, LEOFS_FRAG_PREPARE, v, off, frags, len, res);
	prepared = sort_results(pg, mask, res, &hard);
	if (hard || oss_pg_count(prepared) < min) {
		oss_pg_commit(pg, prepared, LEOFS_ABORT, v, res);
		return hard ? oss_status(hard) : LEOFS_S_DEGRADED_READONLY;
	}
	oss_pg_commit(pg, prepared, LEOFS_COMMIT, v, res);
	committed = sort_results(pg, prepared, res, &hard);
	if (!committed)
		return hard ? oss_status(hard) : LEOFS_S_IO;
	if (hard)
		log_error("ino %llx slot %u stripe %llu: commit of version %llu failed on a member: %s",
			  (unsigned long long)pg->ino, pg->slot,
			  (unsigned long long)pg->stripe,
			  (unsigned long long)v, strerror(-hard));
	/* members that went down after preparing are rolled forward later */
	return 0;
}

/*
 * A new stripe's write at @v was refused (too few members, or one failed):
 * drop it from the members in @took, so the stripe is absent everywhere
 * again rather than at @v on some members only, which a later partial
 * write would refuse as degraded. A member that fails by transport keeps
 * what it took, under a number no later write uses; that stripe then
 * takes only whole writes until it is written whole again (oss.md).
 */
static int undo_new(struct oss_pg *pg, u32 took, u64 v)
{
	int res[LEOFS_MAX_FRAGMENTS], hard;
	u32 r;

	if (!took)
		return 0;
	oss_pg_commit(pg, took, LEOFS_UNDO_NEW, v, res);
	sort_results(pg, took, res, &hard);
	for (r = 0; r < pg->width; r++)
		if ((took & (1u << r)) && res[r] &&
		    !leofs_err_is_transport(res[r]))
			log_error("ino %llx slot %u stripe %llu: undo of the refused new stripe failed on fragment %u: %s",
				  (unsigned long long)pg->ino, pg->slot,
				  (unsigned long long)pg->stripe, r,
				  strerror(-res[r]));
	return hard;
}

/* Whole-fragment bytes [off, off + len) of every rank: a new version. */
static u32 store(struct oss_pg *pg, u8 *const frags[], u32 off, u32 len,
		 u64 *version)
{
	u32 min = leofs_layout_min_size(&pg->l), ok, mask, r;
	struct oss_member st[LEOFS_MAX_FRAGMENTS];
	struct oss_stripe_info info;
	struct oss_obj_id id = { pg->ino, pg->slot, 0 };
	struct oss_local *lt = oss_node_local(pg->n, pg->targets[0]);
	int res[LEOFS_MAX_FRAGMENTS], hard, e;
	bool whole = !off && len == pg->l.stripe_unit;
	u64 next, top;
	u32 status;
	s64 base;

	if (oss_pg_count(pg->live) < min)
		return LEOFS_S_DEGRADED_READONLY;
	e = oss_stripe_stat(lt->t, &id, pg->l.stripe_unit, pg->stripe, &info);
	if (e)
		return oss_status(e);
	if (!off && !info.version && !info.prepared) {
		/* a new stripe: one atomic create per member, no staging */
		status = new_version(pg, 0, &next);
		if (status)
			return status;
		oss_pg_write(pg, pg->live, LEOFS_FRAG_DIRECT, next, 0, frags,
			     len, res);
		ok = sort_results(pg, pg->live, res, &hard);
		if (!hard && oss_pg_count(ok) >= min) {
			*version = next;
			return 0;
		}
		e = undo_new(pg, ok, next);
		if (e)
			return oss_status(e);
		if (!hard)
			return LEOFS_S_DEGRADED_READONLY;
		if (hard != -ESTALE && hard != -EBUSY)
			return oss_status(hard);
		/* a member already has this stripe: take the versioned path */
	}
	base = settle(pg, 0, LEOFS_BLOCK_SIZE, st, &top);
	if (base < 0) {
		oss_members_free(st, pg->width);
		return oss_status((int)base);
	}
	/* a member that missed updates only takes a whole fragment */
	mask = 0;
	for (r = 0; r < pg->width; r++)
		if ((pg->live & (1u << r)) && !st[r].err &&
		    (whole || st[r].version == (u64)base))
			mask |= 1u << r;
	oss_members_free(st, pg->width);
	status = new_version(pg, top, &next);
	if (!status)
		status = prepare_commit(pg, mask, next, off, frags, len);
	if (!status)
		*version = next;
	return status;
}

/* Says why a write was refused as read-only: which members were live. */
static void log_below_min(const struct oss_pg *pg, u32 status)
{
	if (status != LEOFS_S_DEGRADED_READONLY)
		return;
	log_notice("ino %llx slot %u stripe %llu: refused, %u of %u members live (mask %#x), min_size %u",
		   (unsigned long long)pg->ino, pg->slot,
		   (unsigned long long)pg->stripe, oss_pg_count(pg->live),
		   pg->width, pg->live, leofs_layout_min_size(&pg->l));
}

void oss_handle_write_stripe(struct oss_node *n, struct oss_call *c)
{
	const struct leofs_write_stripe_req *m = &c->m.ws;
	u8 *frags[LEOFS_MAX_FRAGMENTS] = { 0 }, *parity = NULL;
	u32 k = m->layout.k, sl = m->data.len / k, r, status;
	pthread_mutex_t *lock;
	struct leofs_ec *ec;
	struct oss_pg pg;
	u64 version = 0, mem = 0;

	status = oss_pg_open(n, &pg, m->ino, m->slot, m->stripe, &m->pg,
			     &m->layout, true);
	if (status)
		return reply_write(c, status, 0);
	for (r = 0; r < k; r++)
		frags[r] = (u8 *)m->data.data + (size_t)r * sl;
	if (m->layout.scheme == LEOFS_LAYOUT_EC) {
		/* the data is the request's; the parity is coordination's */
		mem = (u64)m->layout.m * sl;
		oss_budget_take(&n->budget, mem);
		ec = oss_node_ec(n, k, m->layout.m);
		parity = leofs_bigbuf_get((size_t)m->layout.m * sl + 1);
		if (!ec || !parity) {
			leofs_bigbuf_put(parity);
			oss_budget_put(&n->budget, mem);
			oss_pg_close(&pg);
			return reply_write(c, LEOFS_S_NOMEM, 0);
		}
		for (r = k; r < pg.width; r++)
			frags[r] = parity + (size_t)(r - k) * sl;
		leofs_ec_encode(ec, sl, frags, frags + k);
	} else {
		for (r = 1; r < pg.width; r++)
			frags[r] = frags[0];
	}
	lock = oss_node_stripe_lock(n, m->ino, m->slot, m->stripe);
	pthread_mutex_lock(lock);
	status = store(&pg, frags, m->unit_offset, sl, &version);
	pthread_mutex_unlock(lock);
	log_below_min(&pg, status);
	leofs_bigbuf_put(parity);
	oss_budget_put(&n->budget, mem);
	oss_pg_close(&pg);
	reply_write(c, status, version);
}

/*
 * Bytes of [off, end) (offsets in the stripe's data) that unit @u holds in
 * fragment columns [c0, c1): [*x, *y), empty if *x >= *y.
 */
static void unit_cols(u32 unit, u32 u, u32 off, u32 end, u32 c0, u32 c1,
		      u32 *x, u32 *y)
{
	u64 lo = (u64)u * unit, hi = lo + unit;

	*x = off > lo ? off - (u32)lo : 0;
	*y = end < hi ? end - (u32)lo : unit;
	if (*x < c0)
		*x = c0;
	if (*y > c1)
		*y = c1;
}

/*
 * Read-modify-write of fragment columns [a0, a0 + len) (block aligned,
 * len <= LEOFS_MAX_IO) of every fragment, putting there the bytes of
 * [off, end) that fall into them, as one new version: a crash leaves all
 * of it old or all of it new.
 */
static u32 rmw_columns(struct oss_pg *pg, u32 a0, u32 len, u32 off, u32 end,
		       const u8 *data, u64 *version)
{
	u32 unit = pg->l.stripe_unit, k = pg->l.k, r, u, x, y;
	u32 cur = 0, want = 0, mask;
	bool changed = false;
	const u8 *src;
	u8 *dst;
	struct oss_member st[LEOFS_MAX_FRAGMENTS];
	u8 *frags[LEOFS_MAX_FRAGMENTS] = { 0 }, *mem;
	struct leofs_ec *ec = NULL;
	u32 status = 0;
	u64 next, top;
	s64 base;

	if (oss_pg_count(pg->live) < leofs_layout_min_size(&pg->l))
		return LEOFS_S_DEGRADED_READONLY;
	base = settle(pg, a0, len, st, &top);
	if (base < 0) {
		oss_members_free(st, pg->width);
		return oss_status((int)base);
	}
	for (r = 0; r < pg->width; r++)
		if ((pg->live & (1u << r)) && !st[r].err &&
		    st[r].version == (u64)base)
			cur |= 1u << r;
	mem = calloc(pg->width, len);
	if (!mem) {
		oss_members_free(st, pg->width);
		return LEOFS_S_NOMEM;
	}
	for (r = 0; r < pg->width; r++) {
		frags[r] = mem + (size_t)r * len;
		if (cur & (1u << r))
			memcpy(frags[r], st[r].buf, len);
	}
	if (pg->l.scheme == LEOFS_LAYOUT_EC) {
		ec = oss_node_ec(pg->n, k, pg->l.m);
		for (r = 0; r < k; r++)
			if (!(cur & (1u << r)))
				want |= 1u << r;
		if (!ec || (want && leofs_ec_reconstruct(ec, len, frags, cur,
							 want)))
			status = ec ? LEOFS_S_IO : LEOFS_S_NOMEM;
	} else if (!cur) {
		status = LEOFS_S_IO;
	} else {
		for (r = 0; r < pg->width; r++)
			if (cur & (1u << r))
				break;
		frags[0] = frags[r];
	}
	/* each unit's bytes go to its data fragment (copies: 0) */
	for (u = off / unit; !status && u <= (end - 1) / unit; u++) {
		unit_cols(unit, u, off, end, a0, a0 + len, &x, &y);
		if (x >= y)
			continue;
		dst = frags[ec ? u : 0] + (x - a0);
		src = data + ((u64)u * unit + x - off);
		if (memcmp(dst, src, y - x)) {
			memcpy(dst, src, y - x);
			changed = true;
		}
	}
	if (!status && !changed) {
		/*
		 * the stripe holds these bytes already (zeros over zeros in a
		 * truncate's tail, a block written again as it is): no write
		 */
		*version = (u64)base;
	} else if (!status) {
		if (ec)
			leofs_ec_encode(ec, len, frags, frags + k);
		else
			for (r = 1; r < pg->width; r++)
				frags[r] = frags[0];
		mask = cur & pg->live;
		status = new_version(pg, top, &next);
		if (!status)
			status = prepare_commit(pg, mask, next, a0, frags,
						len);
		if (!status)
			*version = next;
	}
	oss_members_free(st, pg->width);
	free(mem);
	return status;
}

/* The block-aligned columns of each unit that rmw() of [off, end) works on. */
static void rmw_span(u32 unit, u32 off, u32 end, u32 *a0, u32 *b0)
{
	if (off / unit == (end - 1) / unit) {
		*a0 = off % unit;
		*b0 = *a0 + (end - off);
	} else {
		*a0 = 0;
		*b0 = unit;
	}
	*a0 = *a0 / LEOFS_BLOCK_SIZE * LEOFS_BLOCK_SIZE;
	*b0 = (*b0 + LEOFS_BLOCK_SIZE - 1) / LEOFS_BLOCK_SIZE * LEOFS_BLOCK_SIZE;
	if (*b0 > unit)
		*b0 = unit;
}

/* The coordination memory rmw() of [off, end) may hold at once. */
static u64 rmw_bytes(const struct leofs_layout *l, u32 off, u32 end)
{
	u32 a0, b0;

	rmw_span(l->stripe_unit, off, end, &a0, &b0);
	return oss_coord_bytes(l, b0 - a0, 0);
}

/*
 * Read-modify-write of bytes [off, end) of the stripe (offsets in the
 * stripe's data, end <= k * unit). Works on the column range every touched
 * unit needs, block aligned, in every fragment (one unit: its byte range;
 * several: the whole column), in windows of LEOFS_MAX_IO columns, each one
 * new version: every byte reads old or new after a crash, whatever the
 * stripe unit (up to 64 MiB, larger than one message can carry).
 */
static u32 rmw(struct oss_pg *pg, u32 off, u32 end, const u8 *data,
	       u64 *version)
{
	u32 unit = pg->l.stripe_unit, a0, b0, c, c1, u, x, y, status = 0;
	bool touched;

	rmw_span(unit, off, end, &a0, &b0);
	for (c = a0; c < b0 && !status; c = c1) {
		c1 = leofs_io_window_end(c);
		if (c1 > b0)
			c1 = b0;
		/* columns no unit of the range reaches stay as they are */
		touched = false;
		for (u = off / unit; u <= (end - 1) / unit; u++) {
			unit_cols(unit, u, off, end, c, c1, &x, &y);
			touched |= x < y;
		}
		if (touched)
			status = rmw_columns(pg, c, c1 - c, off, end, data,
					     version);
	}
	return status;
}

void oss_handle_partial_write(struct oss_node *n, struct oss_call *c)
{
	const struct leofs_partial_write_req *m = &c->m.pw;
	pthread_mutex_t *lock;
	struct oss_pg pg;
	u64 version = 0, mem;
	u32 status;

	status = oss_pg_open(n, &pg, m->ino, m->slot, m->stripe, &m->pg,
			     &m->layout, true);
	if (status)
		return reply_write(c, status, 0);
	mem = rmw_bytes(&m->layout, m->offset, m->offset + m->data.len);
	oss_budget_take(&n->budget, mem);
	lock = oss_node_stripe_lock(n, m->ino, m->slot, m->stripe);
	pthread_mutex_lock(lock);
	status = rmw(&pg, m->offset, m->offset + m->data.len, m->data.data,
		     &version);
	pthread_mutex_unlock(lock);
	oss_budget_put(&n->budget, mem);
	log_below_min(&pg, status);
	oss_pg_close(&pg);
	reply_write(c, status, version);
}

u32 oss_primary_zero_tail(struct oss_node *n, u64 ino,
			  const struct leofs_layout *l, u64 epoch, u64 size)
{
	u32 W = leofs_layout_stripe_width(l), slot, status, pg_num;
	struct leofs_pg_ref ref = { .pool_id = l->pool_id, .map_epoch = epoch };
	struct leofs_mapview *v;
	pthread_mutex_t *lock;
	struct oss_pg pg;
	u64 g = size / W, version = 0, mem;
	u8 *zeros;

	if (!(size % W))
		return 0;
	v = oss_mapsrc_get(n->maps);
	if (!v)
		return LEOFS_S_AGAIN;
	pg_num = leofs_mapview_pg_num(v, l->pool_id);
	leofs_mapview_put(v);
	if (!pg_num)
		return LEOFS_S_INVAL;
	slot = (u32)(g % l->stripe_count);
	ref.pg = leofs_stripe_pg(ino, slot, l->stripe_count, pg_num);
	status = oss_pg_open(n, &pg, ino, slot, g / l->stripe_count, &ref, l,
			     true);
	if (status == LEOFS_S_NOT_PRIMARY)
		return 0; /* the primary of that stripe does it */
	if (status)
		return status;
	zeros = calloc(1, W - size % W);
	if (!zeros) {
		oss_pg_close(&pg);
		return LEOFS_S_NOMEM;
	}
	mem = rmw_bytes(l, (u32)(size % W), W);
	oss_budget_take(&n->budget, mem);
	lock = oss_node_stripe_lock(n, ino, slot, pg.stripe);
	pthread_mutex_lock(lock);
	status = rmw(&pg, (u32)(size % W), W, zeros, &version);
	pthread_mutex_unlock(lock);
	oss_budget_put(&n->budget, mem);
	free(zeros);
	oss_pg_close(&pg);
	return status;
}
