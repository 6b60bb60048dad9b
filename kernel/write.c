// SPDX-License-Identifier: GPL-2.0
/*
 * Writing file data to the storage servers. A byte range is cut at stripe
 * boundaries; each piece goes to its PG primary:
 *
 *  - WRITE_STRIPE when it is the whole stripe, or the stripe's head up to
 *    the end of the file (the rest is sent as zeros: nothing past i_size
 *    may read as anything else). A stripe wider than one frame goes as
 *    column slices, each the same byte range of all k data units;
 *  - PARTIAL_WRITE (the primary reads, modifies and writes the stripe)
 *    otherwise, at most LEOFS_MAX_IO bytes per request.
 *
 * Requests of different stripes are in flight together (a window bounded
 * in count and bytes); two requests for the same stripe never are. The
 * primary answers once the stripe is durable on its PG, so when this
 * returns 0 every byte is durable.
 *
 * WRONG_EPOCH and NOT_PRIMARY refresh the cluster map and send again to
 * the new primary; an unreachable primary, a PG below min_size
 * (DEGRADED_READONLY), AGAIN, BUSY and SHUTDOWN are retried with backoff
 * and a fresh map for up to the data_retry_s tunable: the MDS marks a
 * silent node down, then out, which moves its PGs to live targets.
 */
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include "internal.h"

#define LEOFS_WRITE_WINDOW 16
#define LEOFS_WRITE_BYTES  (32u << 20) /* data bytes in flight */

/* One request: a column slice of a whole stripe, or a partial range. */
struct leofs_wop {
	u64 g;
	bool whole;
	u32 a, b; /* whole: data is [0, b), zeros after; else [a, b) */
	u32 uo, piece; /* whole: bytes [uo, uo + piece) of each data unit */
	u32 bytes; /* payload */
	u64 epoch; /* of the map it was routed with */
	struct leofs_oss_op op;
};

struct leofs_wctx {
	struct leofs_fs_info *fsi;
	u64 ino;
	struct leofs_layout l;
	u32 W;
	const struct leofs_iobuf *src;
};

static void *leofs_payload_alloc(size_t len)
{
	unsigned int nofs = memalloc_nofs_save();
	void *p = kvzalloc(len, GFP_KERNEL);

	memalloc_nofs_restore(nofs);
	return p;
}

/* Builds the request from the source buffer and sends it to the primary. */
static void leofs_wop_send(struct leofs_wctx *c, struct leofs_wop *w)
{
	u64 gs = w->g * c->W;
	struct leofs_place p;
	u32 unit = c->l.stripe_unit, i;
	u8 *data;
	int ret;

	memset(&w->op, 0, sizeof(w->op));
	ret = leofs_place_stripe(c->fsi, c->ino, &c->l, w->g, &p);
	if (ret) {
		w->op.err = ret;
		return;
	}
	w->epoch = p.ref.map_epoch;
	data = leofs_payload_alloc(w->bytes);
	if (!data) {
		w->op.err = -ENOMEM;
		return;
	}
	if (w->whole) {
		struct leofs_write_stripe_req m = {
			.ino = c->ino,
			.slot = p.slot,
			.stripe = p.stripe,
			.pg = p.ref,
			.layout = c->l,
			.unit_offset = w->uo,
			.data = { .data = data, .len = w->bytes },
		};

		for (i = 0; i < c->l.k; i++) {
			u32 from = i * unit + w->uo;
			u32 to = min(from + w->piece, w->b);

			if (from < to)
				leofs_iobuf_get(c->src, gs + from,
						data + (size_t)i * w->piece,
						to - from);
		}
		leofs_oss_send(c->fsi, p.targets[0], LEOFS_OP_WRITE_STRIPE, &m,
			       sizeof(m), &w->op);
		atomic64_inc(&c->fsi->stats.stripes_written);
	} else {
		struct leofs_partial_write_req m = {
			.ino = c->ino,
			.slot = p.slot,
			.stripe = p.stripe,
			.pg = p.ref,
			.layout = c->l,
			.offset = w->a,
			.data = { .data = data, .len = w->bytes },
		};

		leofs_iobuf_get(c->src, gs + w->a, data, w->bytes);
		leofs_oss_send(c->fsi, p.targets[0], LEOFS_OP_PARTIAL_WRITE, &m,
			       sizeof(m), &w->op);
		atomic64_inc(&c->fsi->stats.partial_writes);
	}
	/* the frame holds a copy; a resend builds the payload again */
	kvfree(data);
}

static bool leofs_write_retryable(int err, u32 status)
{
	if (status == LEOFS_S_OK)
		return leofs_err_is_transport(err) || err == -ENOTCONN;
	return leofs_status_retry_data(status);
}

static int leofs_wop_finish(struct leofs_wctx *c, struct leofs_wop *w)
{
	u16 opcode = w->whole ? LEOFS_OP_WRITE_STRIPE : LEOFS_OP_PARTIAL_WRITE;
	unsigned long deadline = jiffies +
		READ_ONCE(c->fsi->tun.data_retry_s) * (unsigned long)HZ;
	unsigned int tries;
	int err;

	for (tries = 1;; tries++) {
		struct leofs_write_reply r;
		u32 status = LEOFS_S_OK;

		err = leofs_oss_wait(&w->op);
		if (!err && leofs_msg_decode(opcode, true, &r, sizeof(r),
					     w->op.body, w->op.len))
			err = -EIO;
		if (!err && r.status) {
			status = r.status;
			err = leofs_status_to_errno(status);
		}
		leofs_oss_op_release(&w->op);
		if (!err || err == -EINTR || time_after(jiffies, deadline) ||
		    !leofs_write_retryable(err, status))
			break;
		atomic64_inc(&c->fsi->stats.data_retries);
		if (status != LEOFS_S_WRONG_EPOCH &&
		    status != LEOFS_S_NOT_PRIMARY &&
		    msleep_interruptible(100u << min(tries, 4u))) {
			err = -EINTR;
			break;
		}
		leofs_data_refresh_map(c->fsi, w->epoch);
		leofs_wop_send(c, w);
	}
	if (err)
		pr_warn_ratelimited(
			"inode %llx stripe %llu: %s failed (error %d)\n",
			c->ino, w->g, leofs_op_name(opcode), err);
	return err;
}

struct leofs_wwin {
	struct leofs_wop ops[LEOFS_WRITE_WINDOW];
	u32 head, n;
	u64 bytes;
	int err;
};

static void leofs_wwin_pop(struct leofs_wctx *c, struct leofs_wwin *q)
{
	struct leofs_wop *w = &q->ops[q->head];
	int e = leofs_wop_finish(c, w);

	if (e && !q->err)
		q->err = e;
	q->bytes -= w->bytes;
	q->head = (q->head + 1) % LEOFS_WRITE_WINDOW;
	q->n--;
}

static void leofs_wwin_push(struct leofs_wctx *c, struct leofs_wwin *q,
			    const struct leofs_wop *tmpl)
{
	struct leofs_wop *w;

	/* one request per stripe at a time: the same stripe waits */
	if (q->n &&
	    q->ops[(q->head + q->n - 1) % LEOFS_WRITE_WINDOW].g == tmpl->g) {
		while (q->n)
			leofs_wwin_pop(c, q);
	}
	while (q->n == LEOFS_WRITE_WINDOW ||
	       (q->n && q->bytes + tmpl->bytes > LEOFS_WRITE_BYTES))
		leofs_wwin_pop(c, q);
	if (q->err)
		return;
	w = &q->ops[(q->head + q->n) % LEOFS_WRITE_WINDOW];
	*w = *tmpl;
	q->bytes += w->bytes;
	q->n++;
	leofs_wop_send(c, w);
}

/*
 * Writes bytes [off, off + len) of the file from src. isize is the file
 * size these bytes belong to: a stripe's head that reaches it is written
 * whole, zero-padded. Returns 0 once all is durable, or the first error.
 * The caller holds the inode's io_mutex.
 */
int leofs_data_write(struct inode *inode, u64 off, u64 len, u64 isize,
		     const struct leofs_iobuf *src)
{
	struct leofs_inode *li = LEOFS_I(inode);
	struct leofs_wctx c = {
		.fsi = LEOFS_FS(inode->i_sb),
		.ino = li->ino,
		.src = src,
	};
	u64 pos, end = off + len;
	struct leofs_wwin *q;
	u32 unit, max_piece;
	unsigned int nofs;
	int ret;

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
	c.W = leofs_layout_stripe_width(&c.l);
	unit = c.l.stripe_unit;
	max_piece = round_down(LEOFS_MAX_IO / c.l.k, LEOFS_BLOCK_SIZE);
	nofs = memalloc_nofs_save();
	q = kvzalloc(sizeof(*q), GFP_KERNEL);
	memalloc_nofs_restore(nofs);
	if (!q)
		return -ENOMEM;

	for (pos = off; pos < end && !q->err;) {
		u64 g = div_u64(pos, c.W), gs = g * c.W;
		u32 a = (u32)(pos - gs);
		u32 b = (u32)min_t(u64, c.W, end - gs);
		struct leofs_wop t = { .g = g, .a = a, .b = b };

		t.whole = !a && (b == c.W || gs + b >= isize);
		if (t.whole) {
			u32 span = (b == c.W || b > unit) ?
					   unit :
					   round_up(b, LEOFS_BLOCK_SIZE);

			for (t.uo = 0; t.uo < span && !q->err;
			     t.uo += t.piece) {
				t.piece = min(max_piece, span - t.uo);
				t.bytes = c.l.k * t.piece;
				leofs_wwin_push(&c, q, &t);
			}
		} else {
			u32 x, n;

			for (x = a; x < b && !q->err; x += n) {
				n = min(b - x, LEOFS_MAX_IO);
				t.a = x;
				t.b = x + n;
				t.bytes = n;
				leofs_wwin_push(&c, q, &t);
			}
		}
		pos = gs + b;
	}
	while (q->n)
		leofs_wwin_pop(&c, q);
	ret = q->err;
	kvfree(q);
	if (!ret)
		atomic64_add(len, &c.fsi->stats.bytes_written);
	return ret;
}
