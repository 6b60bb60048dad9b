// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace file client (client.h): a byte range of a file is cut into
 * stripes; stripe g of the file is stripe g / stripe_count of slot
 * g % stripe_count, stored by PG leofs_stripe_pg(). Whole stripes go to the
 * PG primary as WRITE_STRIPE, pieces of stripes as PARTIAL_WRITE; reads
 * fetch the data fragments straight from their targets and fall back to a
 * DEGRADED_READ at a live member when one is down, fails its checksum, or
 * the versions disagree. Requests of different stripes run in parallel.
 *
 * A write the PG cannot take now (its primary refuses connections or is
 * marked down, too few members up, the map changing) is sent again with
 * backoff and a fresh map, as the kernel client does, until timeout_ms
 * after it was first sent: the MDS marks a silent node down, then out,
 * which gives its PGs live members.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "leofs/client.h"
#include "leofs/proto_msg.h"

struct leofs_client {
	struct leofs_client_opts opts;
	struct leofs_conns *conns;
	pthread_mutex_t lock; /* view, stats */
	struct leofs_mapview *view;
	struct leofs_client_stats stats;
};

/* One request to one node, possibly retried. */
struct op {
	u16 opcode;
	union {
		struct leofs_write_stripe_req ws;
		struct leofs_partial_write_req pw;
		struct leofs_read_fragment_req rf;
		struct leofs_degraded_read_req dr;
	} m;
	u8 *mem; /* owned payload */
	u32 rank; /* READ_FRAGMENT: the fragment */
	bool probe; /* READ_FRAGMENT of rank 0 only for its version */
	u8 *sink; /* READ_FRAGMENT: where its data is received */
	u64 deadline; /* writes: CLOCK_MONOTONIC ms after which none is sent */
	struct leofs_conn_ref *ref;
	struct leofs_rpc_call *call;
	int err;
};

static void count(struct leofs_client *c, u64 *field)
{
	pthread_mutex_lock(&c->lock);
	(*field)++;
	pthread_mutex_unlock(&c->lock);
}

int leofs_client_new(struct leofs_mapview *map,
		     const struct leofs_client_opts *opts,
		     struct leofs_client **out)
{
	struct leofs_client *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	c->opts = *opts;
	if (!c->opts.timeout_ms)
		c->opts.timeout_ms = 30000;
	if (!c->opts.max_inflight)
		c->opts.max_inflight = 16;
	if (!c->opts.down_ms)
		c->opts.down_ms = 1000;
	if (!c->opts.rpc.peer_kind)
		c->opts.rpc.peer_kind = LEOFS_PEER_CLIENT;
	if (!c->opts.rpc.connect_timeout_ms)
		c->opts.rpc.connect_timeout_ms = 2000;
	r = leofs_conns_new(&c->opts.rpc, c->opts.down_ms, &c->conns);
	if (r) {
		free(c);
		return r;
	}
	pthread_mutex_init(&c->lock, NULL);
	c->view = leofs_mapview_get(map);
	*out = c;
	return 0;
}

void leofs_client_free(struct leofs_client *c)
{
	if (!c)
		return;
	leofs_conns_free(c->conns);
	leofs_mapview_put(c->view);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void leofs_client_stats(struct leofs_client *c, struct leofs_client_stats *st)
{
	pthread_mutex_lock(&c->lock);
	*st = c->stats;
	pthread_mutex_unlock(&c->lock);
}

static struct leofs_mapview *view_get(struct leofs_client *c)
{
	struct leofs_mapview *v;

	pthread_mutex_lock(&c->lock);
	v = leofs_mapview_get(c->view);
	pthread_mutex_unlock(&c->lock);
	return v;
}

static void refresh(struct leofs_client *c, u64 known)
{
	struct leofs_mapview *v;

	if (!c->opts.refresh || c->opts.refresh(c->opts.refresh_arg, known, &v))
		return;
	pthread_mutex_lock(&c->lock);
	leofs_mapview_put(c->view);
	c->view = v;
	c->stats.map_refreshes++;
	pthread_mutex_unlock(&c->lock);
}

/* Where stripe g of a file lives. */
struct place {
	u32 slot;
	u64 stripe;
	struct leofs_pg_ref ref;
	u32 targets[LEOFS_MAX_FRAGMENTS];
};

static int locate(struct leofs_mapview *v, u64 ino,
		  const struct leofs_layout *l, u64 g, struct place *p)
{
	u32 pg_num = leofs_mapview_pg_num(v, l->pool_id);

	if (!pg_num)
		return -ENOENT;
	p->slot = (u32)(g % l->stripe_count);
	p->stripe = g / l->stripe_count;
	p->ref.pool_id = l->pool_id;
	p->ref.pg = leofs_stripe_pg(ino, p->slot, l->stripe_count, pg_num);
	p->ref.map_epoch = leofs_mapview_epoch(v);
	return leofs_mapview_row(v, l->pool_id, leofs_layout_width(l),
				 p->ref.pg, p->targets);
}

/* The data of a write, which is sent from where it is; NULL for others. */
static const struct leofs_buf *op_data(const struct op *o)
{
	if (o->opcode == LEOFS_OP_WRITE_STRIPE)
		return &o->m.ws.data;
	if (o->opcode == LEOFS_OP_PARTIAL_WRITE)
		return &o->m.pw.data;
	return NULL;
}

/* Sends o to node n over its cached connection. */
static int send_node(struct leofs_client *c, const struct leofs_map_node *n,
		     struct op *o)
{
	const struct leofs_buf *data;
	int r;

	r = leofs_conns_get(c->conns, n->id, &n->addr, &o->ref);
	if (r)
		return o->err = r;
	data = op_data(o);
	if (data)
		/* from the caller's buffer (or o->mem) */
		r = leofs_rpc_send_apart(
			leofs_conn_ref_rpc(o->ref), o->opcode, &o->m,
			leofs_msg_struct_size(o->opcode, false), 0,
			data->data, data->len, NULL, &o->call);
	else
		r = leofs_rpc_send_into(
			leofs_conn_ref_rpc(o->ref), o->opcode, &o->m,
			leofs_msg_struct_size(o->opcode, false), 0, o->sink,
			o->sink ? o->m.rf.length : 0, &o->call);
	if (r) {
		if (leofs_err_is_transport(r))
			leofs_conns_failed(c->conns, o->ref, r);
		leofs_conns_put(c->conns, o->ref);
		o->ref = NULL;
	}
	return o->err = r;
}

/* Sends o to the node of a target; a node the map marks down is not tried. */
static int send_to(struct leofs_client *c, struct leofs_mapview *v,
		   u32 target_id, struct op *o)
{
	const struct leofs_map_target *t = leofs_mapview_target(v, target_id);
	const struct leofs_map_node *n;

	o->ref = NULL;
	o->call = NULL;
	n = t ? leofs_mapview_node(v, t->node_id) : NULL;
	if (!n)
		return o->err = -EHOSTUNREACH;
	if (!(n->state & LEOFS_STATE_UP) || !(t->state & LEOFS_STATE_UP))
		return o->err = -EHOSTDOWN;
	return send_node(c, n, o);
}

/*
 * Waits up to timeout_ms for o; 0 with the raw reply (status not yet
 * looked at).
 */
static int wait_op(struct leofs_client *c, struct op *o, u32 timeout_ms,
		   struct leofs_rpc_reply *raw)
{
	int r;

	if (!o->ref)
		return o->err;
	r = leofs_rpc_wait(o->call, timeout_ms, raw);
	if (r && leofs_err_is_transport(r))
		leofs_conns_failed(c->conns, o->ref, r);
	leofs_conns_put(c->conns, o->ref);
	o->ref = NULL;
	return r;
}

static void nap(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* ---- writes ---------------------------------------------------------------- */

static struct leofs_pg_ref *op_ref(struct op *o)
{
	return o->opcode == LEOFS_OP_WRITE_STRIPE ? &o->m.ws.pg : &o->m.pw.pg;
}

/* (Re)sends a write to the current primary of its stripe. */
static int send_write(struct leofs_client *c, u64 ino,
		      const struct leofs_layout *l, u64 g, struct op *o)
{
	struct leofs_mapview *v = view_get(c);
	struct place p;
	int r;

	r = locate(v, ino, l, g, &p);
	if (!r) {
		*op_ref(o) = p.ref;
		r = send_to(c, v, p.targets[0], o);
	}
	leofs_mapview_put(v);
	return o->err = r;
}

/* Whether a write that failed may succeed sent again (as kernel/write.c). */
static bool write_retryable(int err, u32 status)
{
	if (status == LEOFS_S_OK)
		return leofs_err_is_transport(err);
	return leofs_status_retry_data(status);
}

/*
 * Waits for a write, sending it again while it may still succeed and its
 * deadline allows (retry: false once the file write has failed anyway).
 */
static int finish_write(struct leofs_client *c, u64 ino,
			const struct leofs_layout *l, u64 g, struct op *o,
			bool retry)
{
	struct leofs_rpc_reply raw;
	u32 st, pause, tries, left;
	u64 now;
	int r;

	for (tries = 0;; tries++) {
		now = leofs_now_ms();
		left = o->deadline > now ? (u32)(o->deadline - now) : 1;
		r = wait_op(c, o, left, &raw);
		st = 0;
		if (!r) {
			st = raw.status;
			leofs_rpc_reply_free(&raw);
			r = st ? leofs_status_to_errno(st) : 0;
		}
		if (!r || !retry || !write_retryable(r, st))
			break;
		/* resent only if the backoff ends before the deadline */
		pause = 100u << (tries < 4 ? tries : 4);
		if (leofs_now_ms() + pause >= o->deadline)
			break;
		nap(pause);
		refresh(c, op_ref(o)->map_epoch);
		send_write(c, ino, l, g, o);
	}
	free(o->mem);
	o->mem = NULL;
	return r;
}

/* Builds the request for bytes [a, b) of stripe g (src: those bytes). */
static int build_write(const struct leofs_layout *l, u64 ino, u64 g, u32 a,
		       u32 b, const u8 *src, bool eof, u32 uo, u32 piece,
		       struct op *o)
{
	u32 W = leofs_layout_stripe_width(l), unit = l->stripe_unit, i, from,
	    to;

	memset(o, 0, sizeof(*o));
	if (a == 0 && (b == W || eof)) {
		/* column slice [uo, uo + piece) of every data unit */
		o->opcode = LEOFS_OP_WRITE_STRIPE;
		o->m.ws.ino = ino;
		o->m.ws.slot = (u32)(g % l->stripe_count);
		o->m.ws.stripe = g / l->stripe_count;
		o->m.ws.layout = *l;
		o->m.ws.unit_offset = uo;
		o->m.ws.data.len = l->k * piece;
		if (piece == unit ? b == W : l->k == 1 && uo + piece <= b) {
			/* the slice is contiguous in the caller's buffer */
			o->m.ws.data.data = src + uo;
			return 0;
		}
		o->mem = calloc((size_t)l->k, piece);
		if (!o->mem)
			return -ENOMEM;
		for (i = 0; i < l->k; i++) {
			from = i * unit + uo;
			to = from + piece;
			if (to > b)
				to = b;
			if (from < to)
				memcpy(o->mem + (size_t)i * piece, src + from,
				       to - from);
		}
		o->m.ws.data.data = o->mem;
		return 0;
	}
	o->opcode = LEOFS_OP_PARTIAL_WRITE;
	o->m.pw.ino = ino;
	o->m.pw.slot = (u32)(g % l->stripe_count);
	o->m.pw.stripe = g / l->stripe_count;
	o->m.pw.layout = *l;
	o->m.pw.offset = a;
	o->m.pw.data.data = src + a;
	o->m.pw.data.len = b - a;
	return 0;
}

struct wslot {
	struct op o;
	u64 g;
};

int leofs_file_write(struct leofs_client *c, u64 ino,
		     const struct leofs_layout *l, u64 off, const void *buf,
		     size_t len, u32 flags)
{
	u32 W = leofs_layout_stripe_width(l), unit = l->stripe_unit;
	u32 max_piece, win = c->opts.max_inflight, head = 0, n = 0;
	u64 g, end = off + len, gs;
	struct wslot *q;
	const u8 *src = buf;
	int r = 0, e;

	if (!len)
		return 0;
	if (l->scheme == LEOFS_LAYOUT_NONE || !W)
		return -EINVAL;
	max_piece = LEOFS_MAX_IO / l->k / LEOFS_BLOCK_SIZE * LEOFS_BLOCK_SIZE;
	q = calloc(win, sizeof(*q));
	if (!q)
		return -ENOMEM;
	for (g = off / W; g * W < end && !r; g++) {
		u32 a = g * W < off ? (u32)(off - g * W) : 0;
		u32 b = end - g * W < W ? (u32)(end - g * W) : W;
		bool eof = (flags & LEOFS_FILE_EOF) && b < W;
		bool whole = !a && (b == W || eof);
		u32 span, uo, piece, pa, pb;

		gs = g * W;
		/* whole stripes: column slices; partial: <= LEOFS_MAX_IO */
		span = whole ? (b == W || b > unit ? unit :
				(b + LEOFS_BLOCK_SIZE - 1) / LEOFS_BLOCK_SIZE *
					LEOFS_BLOCK_SIZE) : b - a;
		for (uo = 0; uo < span && !r; uo += piece) {
			piece = whole ? max_piece : LEOFS_MAX_IO;
			if (piece > span - uo)
				piece = span - uo;
			if (n == win) {
				e = finish_write(c, ino, l, q[head].g,
						 &q[head].o, !r);
				if (e && !r)
					r = e;
				head = (head + 1) % win;
				n--;
			}
			pa = whole ? 0 : a + uo;
			pb = whole ? b : a + uo + piece;
			{
				struct wslot *w = &q[(head + n) % win];

				/* src of the stripe: its byte 0 */
				e = build_write(l, ino, g, pa, pb,
						src + gs - off, eof, uo,
						piece, &w->o);
				if (e) {
					r = e;
					break;
				}
				w->g = g;
				count(c, w->o.opcode == LEOFS_OP_WRITE_STRIPE ?
						 &c->stats.stripes_written :
						 &c->stats.partial_writes);
				w->o.deadline = leofs_now_ms() + c->opts.timeout_ms;
				send_write(c, ino, l, g, &w->o);
				n++;
			}
		}
	}
	while (n) {
		e = finish_write(c, ino, l, q[head].g, &q[head].o, !r);
		if (e && !r)
			r = e;
		head = (head + 1) % win;
		n--;
	}
	free(q);
	return r;
}

/* ---- reads ---------------------------------------------------------------- */

/* A stripe being read: one fragment read per data unit touched, + rank 0. */
struct rstripe {
	u64 g;
	u32 a, b;
	u8 *dst; /* bytes [a, b) of the stripe go to dst */
	u32 nops;
	struct op ops[LEOFS_MAX_FRAGMENTS + 1];
	struct place p;
	u64 epoch;
};

static void send_reads(struct leofs_client *c, u64 ino,
		       const struct leofs_layout *l, struct rstripe *s)
{
	struct leofs_mapview *v = view_get(c);
	u32 unit = l->stripe_unit, i, lo, hi;
	bool have0 = false;
	struct op *o;

	s->nops = 0;
	s->epoch = leofs_mapview_epoch(v);
	if (locate(v, ino, l, s->g, &s->p)) {
		s->nops = 0;
		leofs_mapview_put(v);
		return;
	}
	for (i = s->a / unit; i * unit < s->b && i < l->k; i++) {
		lo = s->a > i * unit ? s->a - i * unit : 0;
		hi = s->b - i * unit < unit ? s->b - i * unit : unit;
		o = &s->ops[s->nops++];
		memset(o, 0, sizeof(*o));
		o->opcode = LEOFS_OP_READ_FRAGMENT;
		o->rank = i;
		o->m.rf.ino = ino;
		o->m.rf.slot = s->p.slot;
		o->m.rf.fragment = i;
		o->m.rf.target_id = s->p.targets[i];
		o->m.rf.pg = s->p.ref;
		o->m.rf.stripe = s->p.stripe;
		o->m.rf.stripe_unit = unit;
		o->m.rf.offset = lo;
		o->m.rf.length = hi - lo;
		/* the data is received in place */
		o->sink = s->dst + (i * unit + lo - s->a);
		if (i == 0)
			have0 = true;
	}
	if (!have0) {
		/* the primary has every acknowledged version: compare to it */
		o = &s->ops[s->nops++];
		memset(o, 0, sizeof(*o));
		o->opcode = LEOFS_OP_READ_FRAGMENT;
		o->rank = 0;
		o->probe = true;
		o->sink = NULL;
		o->m.rf = s->ops[0].m.rf;
		o->m.rf.fragment = 0;
		o->m.rf.target_id = s->p.targets[0];
		o->m.rf.offset = 0;
		o->m.rf.length = 1;
	}
	for (i = 0; i < s->nops; i++) {
		send_to(c, v, s->ops[i].m.rf.target_id, &s->ops[i]);
		count(c, &c->stats.fragment_reads);
	}
	leofs_mapview_put(v);
}

/* DEGRADED_READ of the stripe's range at the members, primary first. */
static int degraded(struct leofs_client *c, u64 ino,
		    const struct leofs_layout *l, struct rstripe *s)
{
	u32 width = leofs_layout_width(l), pos, n, r, tries, st;
	struct leofs_data_reply rp;
	struct leofs_rpc_reply raw;
	struct leofs_mapview *v;
	struct op o;
	int err = -EIO, e;

	count(c, &c->stats.degraded_reads);
	for (pos = s->a; pos < s->b; pos += n) {
		n = s->b - pos < LEOFS_MAX_IO ? s->b - pos : LEOFS_MAX_IO;
		err = -EIO;
		for (tries = 0; tries < 3 && err; tries++) {
			v = view_get(c);
			e = locate(v, ino, l, s->g, &s->p);
			for (r = 0; !e && r < width; r++) {
				memset(&o, 0, sizeof(o));
				o.opcode = LEOFS_OP_DEGRADED_READ;
				o.m.dr.ino = ino;
				o.m.dr.slot = s->p.slot;
				o.m.dr.stripe = s->p.stripe;
				o.m.dr.pg = s->p.ref;
				o.m.dr.layout = *l;
				o.m.dr.offset = pos;
				o.m.dr.length = n;
				if (send_to(c, v, s->p.targets[r], &o))
					continue;
				e = wait_op(c, &o, c->opts.timeout_ms, &raw);
				if (e) {
					err = e;
					continue;
				}
				st = 0;
				if (leofs_degraded_read_reply_decode(
					    &rp, raw.body, raw.len))
					e = -EBADMSG; /* never its data */
				else if ((st = rp.status))
					e = leofs_status_to_errno(st);
				else if (rp.data.len != n)
					e = -EPROTO;
				if (!e)
					memcpy(s->dst + (pos - s->a),
					       rp.data.data, n);
				leofs_rpc_reply_free(&raw);
				err = e;
				if (!e)
					break;
				if (st == LEOFS_S_WRONG_EPOCH)
					break;
			}
			leofs_mapview_put(v);
			if (err == -ESTALE || err == -EAGAIN ||
			    leofs_err_is_transport(err))
				nap(200);
			if (err)
				refresh(c, s->p.ref.map_epoch);
		}
		if (err)
			return err;
	}
	return 0;
}

static int finish_reads(struct leofs_client *c, u64 ino,
			const struct leofs_layout *l, struct rstripe *s)
{
	u32 i;
	struct leofs_read_fragment_reply rp;
	struct leofs_rpc_reply raw;
	u64 versions[LEOFS_MAX_FRAGMENTS + 1], ref = 0;
	bool ok = s->nops > 0;
	int e;

	for (i = 0; i < s->nops; i++) {
		struct op *o = &s->ops[i];

		e = wait_op(c, o, c->opts.timeout_ms, &raw);
		if (e) {
			ok = false;
			continue;
		}
		if (leofs_msg_decode_tail(LEOFS_OP_READ_FRAGMENT, true, &rp,
					  sizeof(rp), raw.body, raw.len,
					  raw.tail, raw.tail_len))
			e = -EBADMSG;
		if (!e && rp.status)
			e = leofs_status_to_errno(rp.status);
		if (!e && rp.data.len != o->m.rf.length)
			e = -EPROTO;
		/* an update in flight or interrupted: let a member settle it */
		if (!e && rp.prepared > rp.version)
			e = -EAGAIN;
		if (!e) {
			versions[i] = rp.version;
			if (o->rank == 0)
				ref = rp.version;
			/* a reply received whole is copied (e.g. to a caller
			 * without sinks); the usual one is in place */
			if (!o->probe && rp.data.data != o->sink)
				memcpy(o->sink, rp.data.data, o->m.rf.length);
		}
		leofs_rpc_reply_free(&raw);
		if (e)
			ok = false;
	}
	/* every fragment read must be at the primary's committed version */
	for (i = 0; ok && i < s->nops; i++)
		if (versions[i] != ref)
			ok = false;
	if (ok)
		return 0;
	return degraded(c, ino, l, s);
}

int leofs_file_read(struct leofs_client *c, u64 ino,
		    const struct leofs_layout *l, u64 off, void *buf,
		    size_t len)
{
	u32 W = leofs_layout_stripe_width(l), win = c->opts.max_inflight;
	u32 head = 0, n = 0;
	u64 g, pos, end = off + len;
	struct rstripe *q;
	u8 *dst = buf;
	int r = 0, e;

	if (!len)
		return 0;
	if (l->scheme == LEOFS_LAYOUT_NONE || !W)
		return -EINVAL;
	if (W > LEOFS_MAX_IO * 4) /* keep a window's memory bounded */
		win = 2;
	q = calloc(win, sizeof(*q));
	if (!q)
		return -ENOMEM;
	for (pos = off; pos < end;) {
		struct rstripe *s;

		if (n == win) {
			e = finish_reads(c, ino, l, &q[head]);
			if (e && !r)
				r = e;
			head = (head + 1) % win;
			n--;
		}
		g = pos / W;
		s = &q[(head + n) % win];
		memset(s, 0, sizeof(*s));
		s->g = g;
		s->a = (u32)(pos - g * W);
		s->b = end - g * W < W ? (u32)(end - g * W) : W;
		/* a unit larger than a message: one window of it at a time */
		if (l->stripe_unit > LEOFS_MAX_IO &&
		    s->b > leofs_io_window_end(s->a))
			s->b = leofs_io_window_end(s->a);
		s->dst = dst + (pos - off);
		send_reads(c, ino, l, s);
		n++;
		pos = g * W + s->b;
	}
	while (n) {
		e = finish_reads(c, ino, l, &q[head]);
		if (e && !r)
			r = e;
		head = (head + 1) % win;
		n--;
	}
	free(q);
	return r;
}

/* ---- truncate and delete ------------------------------------------------- */

static int to_every_node(struct leofs_client *c, u16 opcode, void *msg)
{
	struct leofs_mapview *v = view_get(c);
	const struct leofs_map *map = leofs_mapview_map(v);
	struct leofs_rpc_reply raw;
	struct op o;
	u32 i;
	int r = 0, e;

	/* every up node may hold fragments of the file's PGs */
	for (i = 0; i < map->node_count; i++) {
		if (!(map->nodes[i].state & LEOFS_STATE_UP))
			continue;
		memset(&o, 0, sizeof(o));
		o.opcode = opcode;
		memcpy(&o.m, msg, leofs_msg_struct_size(opcode, false));
		e = send_node(c, &map->nodes[i], &o);
		if (!e)
			e = wait_op(c, &o, c->opts.timeout_ms, &raw);
		if (!e) {
			e = leofs_status_to_errno(raw.status);
			leofs_rpc_reply_free(&raw);
		}
		if (e && !r)
			r = e;
	}
	leofs_mapview_put(v);
	return r;
}

int leofs_file_truncate(struct leofs_client *c, u64 ino,
			const struct leofs_layout *l, u64 size)
{
	struct leofs_mapview *v = view_get(c);
	struct leofs_truncate_objects_req q = {
		.ino = ino, .size = size, .layout = *l,
		.map_epoch = leofs_mapview_epoch(v),
	};

	leofs_mapview_put(v);
	return to_every_node(c, LEOFS_OP_TRUNCATE_OBJECTS, &q);
}

int leofs_file_delete(struct leofs_client *c, u64 ino,
		      const struct leofs_layout *l)
{
	struct leofs_mapview *v = view_get(c);
	struct leofs_delete_objects_req q = {
		.ino = ino, .layout = *l, .map_epoch = leofs_mapview_epoch(v),
	};
	u8 *slots = malloc((size_t)l->stripe_count * 4);
	u32 i;
	int r;

	leofs_mapview_put(v);
	if (!slots)
		return -ENOMEM;
	for (i = 0; i < l->stripe_count; i++)
		put_unaligned_le32(i, slots + 4 * i);
	q.slots.data = slots;
	q.slots.count = l->stripe_count;
	r = to_every_node(c, LEOFS_OP_DELETE_OBJECTS, &q);
	free(slots);
	return r;
}
