// SPDX-License-Identifier: GPL-2.0
/*
 * DEGRADED_READ: any live PG member reads a range of a stripe from the
 * members that answer, settles which version is the stripe's (rolling
 * members forward), and reconstructs what is missing from K survivors.
 */
#include <stdlib.h>
#include <string.h>

#include "leofs/log.h"
#include "node.h"

/* Bytes [a, b) of unit @u into @out. Returns 0 or a status. */
static u32 read_piece(struct oss_pg *pg, u32 u, u32 a, u32 b, u8 *out)
{
	u32 unit = pg->l.stripe_unit, k = pg->l.k, a0, b0, len, r, cur = 0;
	bool ec = pg->l.scheme == LEOFS_LAYOUT_EC;
	struct oss_member st[LEOFS_MAX_FRAGMENTS];
	u8 *frags[LEOFS_MAX_FRAGMENTS] = { 0 }, *mem = NULL;
	u32 need = ec ? k : 1, status = 0, tries;
	struct leofs_ec *ctx;
	bool again;
	s64 v = -EIO;

	a0 = a / LEOFS_BLOCK_SIZE * LEOFS_BLOCK_SIZE;
	b0 = (b + LEOFS_BLOCK_SIZE - 1) / LEOFS_BLOCK_SIZE * LEOFS_BLOCK_SIZE;
	if (b0 > unit)
		b0 = unit;
	len = b0 - a0;
	for (tries = 1;; tries++) {
		oss_pg_read(pg, pg->live, a0, len, 0, st);
		v = oss_pg_resolve(pg, st, need, &cur);
		again = false;
		for (r = 0; r < pg->width; r++)
			if (st[r].err == -EAGAIN)
				again = true;
		if (!again || v < 0)
			break;
		if (tries == 4) {
			v = -EAGAIN; /* still moving: the client asks again */
			break;
		}
		oss_members_free(st, pg->width);
	}
	if (v == -EAGAIN) {
		status = LEOFS_S_AGAIN; /* oss_pg_resolve() said why */
		goto out;
	}
	if (v < 0 || oss_pg_count(cur) < need) {
		log_error("ino %llx slot %u stripe %llu: only %u of %u members hold a readable version",
			  (unsigned long long)pg->ino, pg->slot,
			  (unsigned long long)pg->stripe, oss_pg_count(cur),
			  need);
		status = LEOFS_S_IO;
		goto out;
	}
	if (!ec || (cur & (1u << u))) {
		r = ec ? u : (u32)__builtin_ctz(cur);
		memcpy(out, st[r].buf + (a - a0), b - a);
		goto out;
	}
	ctx = oss_node_ec(pg->n, k, pg->l.m);
	mem = malloc(len);
	if (!ctx || !mem) {
		status = LEOFS_S_NOMEM;
		goto out;
	}
	for (r = 0; r < pg->width; r++)
		if (cur & (1u << r))
			frags[r] = st[r].buf;
	frags[u] = mem;
	if (leofs_ec_reconstruct(ctx, len, frags, cur, 1u << u)) {
		status = LEOFS_S_IO;
		goto out;
	}
	memcpy(out, mem + (a - a0), b - a);
out:
	oss_members_free(st, pg->width);
	free(mem);
	return status;
}

void oss_handle_degraded_read(struct oss_node *n, struct oss_call *c)
{
	const struct leofs_degraded_read_req *m = &c->m.dr;
	u32 unit = m->layout.stripe_unit, pos, end, u, a, b, status;
	struct leofs_data_reply rp = { 0 };
	pthread_mutex_t *lock = NULL;
	struct oss_pg pg;
	u64 mem;
	u8 *out;

	status = oss_pg_open(n, &pg, m->ino, m->slot, m->stripe, &m->pg,
			     &m->layout, false);
	if (status)
		goto fail;
	/* pieces span the range rounded out to blocks; out, and its reply */
	mem = oss_coord_bytes(&m->layout, m->length + 2 * LEOFS_BLOCK_SIZE,
			      2 * (u64)m->length);
	oss_budget_take(&n->budget, mem);
	out = malloc(m->length);
	if (!out) {
		oss_budget_put(&n->budget, mem);
		oss_pg_close(&pg);
		status = LEOFS_S_NOMEM;
		goto fail;
	}
	oss_node_count(&n->degraded_reads);
	/* on the primary, a read waits for a write of the stripe to finish */
	if (oss_node_local(n, pg.targets[0])) {
		lock = oss_node_stripe_lock(n, m->ino, m->slot, m->stripe);
		pthread_mutex_lock(lock);
	}
	for (pos = m->offset, end = m->offset + m->length; pos < end && !status;
	     pos = u * unit + b) {
		u = pos / unit;
		a = pos % unit;
		b = end - u * unit < unit ? end - u * unit : unit;
		/* columns of one message: a window of LEOFS_MAX_IO */
		if (b > leofs_io_window_end(a))
			b = leofs_io_window_end(a);
		status = read_piece(&pg, u, a, b, out + (pos - m->offset));
	}
	if (lock)
		pthread_mutex_unlock(lock);
	oss_pg_close(&pg);
	if (!status) {
		rp.data.data = out;
		rp.data.len = m->length;
		c->reply(c, &rp, sizeof(rp));
	}
	free(out);
	oss_budget_put(&n->budget, mem);
	if (!status)
		return;
fail:
	{
		struct leofs_status_reply s = { .status = status };

		c->reply(c, &s, sizeof(s));
	}
}
