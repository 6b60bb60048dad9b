// SPDX-License-Identifier: GPL-2.0
/*
 * Reading file data. A byte range is cut into stripe segments; for each,
 * the data fragments it touches are read straight from their targets
 * (READ_FRAGMENT), all segments of a window in flight together, so a large
 * read draws on every OSS at once. Each fragment must be at the committed
 * version of the PG primary's fragment 0 (read as well, or probed with one
 * byte), with no update prepared on top of it.
 *
 * Anything else (a target down or not answering, LEOFS_S_CHECKSUM, a short
 * reply, versions that disagree) makes the segment a degraded read: the
 * range is asked of a PG member with DEGRADED_READ, primary first, which
 * reconstructs it from the other fragments. The caller gets correct bytes
 * or an error, never bytes that failed a check.
 *
 * read_folio and readahead sit on top: bytes at and past i_size read as
 * zeros without asking anyone.
 */
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include "internal.h"

#define LEOFS_READ_WINDOW 8 /* stripe segments in flight */
#define LEOFS_READ_TRIES  3

/* Bytes [a, b) of global stripe g, read with one request per fragment. */
struct leofs_rseg {
	u64 g;
	u32 a, b;
	struct leofs_place p;
	int place_err;
	u32 nops;
	struct leofs_read_fragment_req rf[LEOFS_MAX_FRAGMENTS + 1];
	struct leofs_oss_op ops[LEOFS_MAX_FRAGMENTS + 1];
	bool probe[LEOFS_MAX_FRAGMENTS + 1]; /* only for the version */
};

struct leofs_rctx {
	struct inode *inode;
	struct leofs_fs_info *fsi;
	u64 ino;
	struct leofs_layout l;
	const struct leofs_iobuf *dst;
};

static void leofs_rseg_send(struct leofs_rctx *c, struct leofs_rseg *s)
{
	u32 unit = c->l.stripe_unit, i;
	bool have0 = false;

	s->nops = 0;
	s->place_err = leofs_place_stripe(c->fsi, c->ino, &c->l, s->g, &s->p);
	if (s->place_err)
		return;
	for (i = s->a / unit; i * unit < s->b && i < c->l.k; i++) {
		struct leofs_read_fragment_req *rf = &s->rf[s->nops];
		u32 lo = s->a > i * unit ? s->a - i * unit : 0;
		u32 hi = min(s->b - i * unit, unit);

		memset(rf, 0, sizeof(*rf));
		rf->ino = c->ino;
		rf->slot = s->p.slot;
		rf->fragment = i;
		rf->target_id = s->p.targets[i];
		rf->pg = s->p.ref;
		rf->stripe = s->p.stripe;
		rf->stripe_unit = unit;
		rf->offset = lo;
		rf->length = hi - lo;
		s->probe[s->nops] = false;
		s->nops++;
		if (i == 0)
			have0 = true;
	}
	if (!have0) {
		struct leofs_read_fragment_req *rf = &s->rf[s->nops];

		/* the primary's version is the reference: probe one byte */
		*rf = s->rf[0];
		rf->fragment = 0;
		rf->target_id = s->p.targets[0];
		rf->offset = 0;
		rf->length = 1;
		s->probe[s->nops] = true;
		s->nops++;
	}
	for (i = 0; i < s->nops; i++) {
		leofs_oss_send(c->fsi, s->rf[i].target_id,
			       LEOFS_OP_READ_FRAGMENT, &s->rf[i],
			       sizeof(s->rf[i]), &s->ops[i]);
		atomic64_inc(&c->fsi->stats.fragment_reads);
	}
}

static bool leofs_status_is_routing(u32 status)
{
	return status == LEOFS_S_WRONG_EPOCH || status == LEOFS_S_NOT_PRIMARY;
}

/*
 * DEGRADED_READ of bytes [a, b) of the segment's stripe at a PG member.
 * count: a fragment failed (counted in degraded_reads), rather than a
 * hole being confirmed.
 */
static int leofs_rseg_degraded(struct leofs_rctx *c, struct leofs_rseg *s,
			       bool count)
{
	u64 gs = s->g * leofs_layout_stripe_width(&c->l);
	u32 pos, n, r, tries;
	int err = 0;

	if (count)
		atomic64_inc(&c->fsi->stats.degraded_reads);
	for (pos = s->a; pos < s->b; pos += n) {
		n = min(s->b - pos, LEOFS_MAX_IO);
		err = -EIO;
		for (tries = 0; tries < LEOFS_READ_TRIES && err; tries++) {
			struct leofs_degraded_read_req m;
			u64 epoch = leofs_map_epoch(c->fsi);
			bool routing = false;

			if (tries) {
				if (msleep_interruptible(200 << tries))
					return -EINTR;
				leofs_data_refresh_map(c->fsi, epoch);
			}
			err = leofs_place_stripe(c->fsi, c->ino, &c->l, s->g,
						 &s->p);
			if (err)
				continue;
			memset(&m, 0, sizeof(m));
			m.ino = c->ino;
			m.slot = s->p.slot;
			m.stripe = s->p.stripe;
			m.pg = s->p.ref;
			m.layout = c->l;
			m.offset = pos;
			m.length = n;
			err = -EHOSTDOWN;
			for (r = 0; r < s->p.width && err && !routing; r++) {
				struct leofs_data_reply rp;
				struct leofs_oss_op op;
				int e;

				if (leofs_oss_target_down(c->fsi,
							  s->p.targets[r]))
					continue;
				leofs_oss_send(c->fsi, s->p.targets[r],
					       LEOFS_OP_DEGRADED_READ, &m,
					       sizeof(m), &op);
				e = leofs_oss_wait(&op);
				if (!e)
					e = leofs_degraded_read_reply_decode(
						    &rp, op.body, op.len) ?
						    -EIO :
						    0;
				if (!e && rp.status) {
					routing = leofs_status_is_routing(
						rp.status);
					e = leofs_status_to_errno(rp.status);
				}
				if (!e && rp.data.len != n) {
					pr_warn_ratelimited(
						"%s: degraded read returned %u bytes, not %u\n",
						op.conn->name, rp.data.len, n);
					e = -EIO;
				}
				if (!e)
					leofs_iobuf_put(c->dst, gs + pos,
							rp.data.data, n);
				leofs_oss_op_release(&op);
				err = e;
				if (err == -EINTR)
					return err;
			}
		}
		if (err) {
			pr_warn_ratelimited(
				"inode %llx stripe %llu: no PG member could serve a degraded read (error %d)\n",
				c->ino, s->g, err);
			return err;
		}
	}
	return 0;
}

static int leofs_rseg_finish(struct leofs_rctx *c, struct leofs_rseg *s)
{
	u64 gs = s->g * leofs_layout_stripe_width(&c->l);
	u64 versions[LEOFS_MAX_FRAGMENTS + 1], ref = 0;
	bool ok = !s->place_err && s->nops, stale = false, intr = false;
	u32 i;

	for (i = 0; i < s->nops; i++) {
		struct leofs_read_fragment_reply rp;
		struct leofs_read_fragment_req *rf = &s->rf[i];
		struct leofs_oss_op *op = &s->ops[i];
		int e;

		e = leofs_oss_wait(op);
		if (!e &&
		    leofs_read_fragment_reply_decode(&rp, op->body, op->len))
			e = -EIO;
		if (!e && rp.status) {
			if (rp.status == LEOFS_S_CHECKSUM) {
				atomic64_inc(&c->fsi->stats.checksum_errors);
				pr_warn_ratelimited(
					"inode %llx slot %u stripe %llu fragment %u on target %u failed its checksum; reading degraded\n",
					c->ino, rf->slot, rf->stripe,
					rf->fragment, rf->target_id);
			}
			stale |= leofs_status_is_routing(rp.status);
			e = leofs_status_to_errno(rp.status);
		}
		if (!e && rp.data.len != rf->length)
			e = -EIO;
		/* an update in flight or interrupted: a member settles it */
		if (!e && rp.prepared > rp.version)
			e = -EAGAIN;
		if (!e) {
			versions[i] = rp.version;
			if (rf->fragment == 0)
				ref = rp.version;
			if (!s->probe[i])
				leofs_iobuf_put(
					c->dst,
					gs +
						(u64)rf->fragment *
							rf->stripe_unit +
						rf->offset,
					rp.data.data, rf->length);
		}
		leofs_oss_op_release(op);
		if (e == -EINTR)
			intr = true;
		if (e)
			ok = false;
	}
	if (intr)
		return -EINTR;
	for (i = 0; ok && i < s->nops; i++)
		if (versions[i] != ref)
			ok = false;
	/*
	 * Version 0 at the primary is a stripe never written, or one the
	 * primary missed (it was down when the stripe was written): only
	 * the other members can tell, so a member settles it.
	 */
	if (ok && !ref && s->p.width > 1)
		return leofs_rseg_degraded(c, s, false);
	if (ok)
		return 0;
	if (stale)
		leofs_data_refresh_map(c->fsi, s->p.ref.map_epoch);
	return leofs_rseg_degraded(c, s, true);
}

/* End of the segment that starts at a: one frame per fragment at most. */
static u32 leofs_rseg_end(const struct leofs_layout *l, u32 a, u32 b)
{
	if (l->stripe_unit <= LEOFS_MAX_IO)
		return b;
	return min(b, leofs_io_window_end(a));
}

/*
 * Reads bytes [off, off + len) of the file into dst, which must hold
 * them. Returns 0 or a negative errno.
 */
int leofs_data_read(struct inode *inode, u64 off, u64 len,
		    const struct leofs_iobuf *dst)
{
	struct leofs_inode *li = LEOFS_I(inode);
	struct leofs_rctx c = {
		.inode = inode,
		.fsi = LEOFS_FS(inode->i_sb),
		.ino = li->ino,
		.dst = dst,
	};
	struct leofs_rseg *q;
	u32 W, head = 0, n = 0, a, b;
	u64 g, pos, end = off + len;
	unsigned int nofs;
	int ret = 0, e;

	if (!len)
		return 0;
	spin_lock(&inode->i_lock);
	c.l = li->layout;
	spin_unlock(&inode->i_lock);
	if (leofs_layout_usable(&c.l)) {
		pr_warn_ratelimited("inode %llx has no usable data layout\n",
				    c.ino);
		return -EIO;
	}
	W = leofs_layout_stripe_width(&c.l);
	nofs = memalloc_nofs_save();
	q = kvcalloc(LEOFS_READ_WINDOW, sizeof(*q), GFP_KERNEL);
	memalloc_nofs_restore(nofs);
	if (!q)
		return -ENOMEM;

	for (pos = off; pos < end && ret != -EINTR;) {
		struct leofs_rseg *s;

		if (n == LEOFS_READ_WINDOW) {
			e = leofs_rseg_finish(&c, &q[head]);
			if (e && !ret)
				ret = e;
			head = (head + 1) % LEOFS_READ_WINDOW;
			n--;
			continue;
		}
		g = div_u64(pos, W);
		a = (u32)(pos - g * W);
		b = (u32)min_t(u64, W, end - g * W);
		s = &q[(head + n) % LEOFS_READ_WINDOW];
		memset(s, 0, sizeof(*s));
		s->g = g;
		s->a = a;
		s->b = leofs_rseg_end(&c.l, a, b);
		leofs_rseg_send(&c, s);
		n++;
		pos = g * W + s->b;
	}
	while (n) {
		e = leofs_rseg_finish(&c, &q[head]);
		if (e && !ret)
			ret = e;
		head = (head + 1) % LEOFS_READ_WINDOW;
		n--;
	}
	kvfree(q);
	if (!ret)
		atomic64_add(len, &c.fsi->stats.bytes_read);
	return ret;
}

/* ---- the page cache ------------------------------------------------------- */

int leofs_read_folio(struct file *file, struct folio *folio)
{
	struct inode *inode = folio->mapping->host;
	u64 pos = folio_pos(folio), isize = i_size_read(inode), n = 0;
	struct leofs_iobuf b = { .start = pos, .folios = &folio };
	int ret = 0;

	if (pos < isize) {
		n = min_t(u64, folio_size(folio), isize - pos);
		b.len = folio_size(folio);
		ret = leofs_data_read(inode, pos, n, &b);
	}
	if (!ret) {
		folio_zero_segment(folio, n, folio_size(folio));
		folio_mark_uptodate(folio);
	}
	folio_unlock(folio);
	return ret;
}

#define LEOFS_RA_BATCH 1024 /* folios */

static void leofs_readahead_batch(struct inode *inode, struct folio **folios,
				  unsigned int nr)
{
	u64 pos = folio_pos(folios[0]), isize = i_size_read(inode), len = 0;
	struct leofs_iobuf b = {
		.start = pos,
		.len = (u64)nr * PAGE_SIZE,
		.folios = folios,
	};
	unsigned int i;
	int ret = 0;

	if (pos < isize) {
		len = min_t(u64, b.len, isize - pos);
		ret = leofs_data_read(inode, pos, len, &b);
	}
	for (i = 0; i < nr; i++) {
		struct folio *folio = folios[i];
		u64 fpos = folio_pos(folio);

		if (!ret) {
			if (fpos + PAGE_SIZE > pos + len)
				folio_zero_segment(folio,
						   fpos >= pos + len ?
							   0 :
							   pos + len - fpos,
						   PAGE_SIZE);
			folio_mark_uptodate(folio);
		}
		/* on error read_folio tries again and reports it */
		folio_unlock(folio);
	}
}

void leofs_readahead(struct readahead_control *ractl)
{
	struct inode *inode = ractl->mapping->host;
	struct folio **folios;
	struct folio *folio;
	unsigned int nr = 0;

	folios = kmalloc_array(LEOFS_RA_BATCH, sizeof(*folios), GFP_NOFS);
	if (!folios)
		return; /* the folios stay unread; read_folio reads them */
	while ((folio = readahead_folio(ractl))) {
		if (WARN_ON_ONCE(folio_size(folio) != PAGE_SIZE)) {
			folio_unlock(folio);
			continue;
		}
		if (nr && (folio->index != folios[nr - 1]->index + 1 ||
			   nr == LEOFS_RA_BATCH)) {
			leofs_readahead_batch(inode, folios, nr);
			nr = 0;
		}
		folios[nr++] = folio;
	}
	if (nr)
		leofs_readahead_batch(inode, folios, nr);
	kfree(folios);
}
