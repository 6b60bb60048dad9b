// SPDX-License-Identifier: GPL-2.0
/*
 * Drives leofs-oss through the userspace file client for the integration
 * tests. Data is a pattern of (seed, file offset), so any byte can be
 * checked.
 *
 *	oss_io MAP.json UUID write|verify INO SCHEME UNIT OFF LEN SEED
 *	        (verify prints how many stripe reads fell back to
 *	        DEGRADED_READ: "degraded_reads N")
 *	oss_io MAP.json UUID roundtrip SCHEME UNIT [INO] sizes 0..64 MiB,
 *	        unaligned; files INO.. (default: derived from the scheme)
 *	oss_io MAP.json UUID churn SCHEME UNIT LOG     write and overwrite until
 *	        killed, logging each write to LOG before it is sent and again
 *	        once it is acknowledged
 *	oss_io MAP.json UUID check SCHEME UNIT LOG     every acknowledged write
 *	        reads back; no unacknowledged one is torn inside a stripe
 *	oss_io MAP.json UUID truncate SCHEME UNIT INO  truncate inside a stripe,
 *	        extend: the tail reads as zeros
 *	oss_io MAP.json UUID pg SCHEME UNIT INO        nodes of the PG of INO's
 *	        slot 0, primary first
 *	oss_io MAP.json UUID statfs TARGET            checksum errors of a target
 *	oss_io MAP.json UUID version SCHEME UNIT INO STRIPE   the committed
 *	        version of a stripe of INO's slot 0 on its PG primary
 *	oss_io MAP.json UUID crashed-primary SCHEME UNIT INO STRIPE VERSION
 *	        SEED RANK   act as a PG primary that dies mid-write: PREPARE
 *	        VERSION of the stripe (data pattern SEED) on every member,
 *	        COMMIT it on RANK only, then stop
 *	oss_io MAP.json UUID crashed-new SCHEME UNIT INO STRIPE VERSION SEED
 *	        RANK   the same for a new stripe: it is created on RANK only
 *
 * SCHEME: r1 r2 r3 ec2+1 ec4+1 ec4+2 ec8+3. Exit 0 on success.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "leofs/client.h"
#include "leofs/crc.h"
#include "leofs/ec.h"
#include "leofs/proto_msg.h"
#include "leofs/rpc.h"
#include "../../lib/placesim/placesim.h"

static u8 pattern(u64 seed, u64 x)
{
	u64 h = (x + 1) * 0x9e3779b97f4a7c15ull ^ seed * 0xbf58476d1ce4e5b9ull;

	h ^= h >> 29;
	return (u8)(h ^ (h >> 17));
}

static int parse_scheme(const char *s, u32 unit, struct leofs_layout *l)
{
	unsigned int a, b;

	memset(l, 0, sizeof(*l));
	l->pool_id = 1;
	l->stripe_unit = unit;
	l->stripe_count = 2;
	if (sscanf(s, "r%u", &a) == 1) {
		l->scheme = LEOFS_LAYOUT_REPLICA;
		l->k = 1;
		l->m = (u8)(a - 1);
	} else if (sscanf(s, "ec%u+%u", &a, &b) == 2) {
		l->scheme = LEOFS_LAYOUT_EC;
		l->k = (u8)a;
		l->m = (u8)b;
	} else {
		return -EINVAL;
	}
	return leofs_layout_check(l, NULL);
}

/* The test map: placesim JSON whose nodes carry "addr". */
static int load_map(const char *path, struct leofs_mapview **out)
{
	struct placesim_cluster c = { 0 };
	json_t *root = json_load_file(path, 0, NULL), *nd;
	char err[256], *text, host[64];
	unsigned int port;
	size_t i;
	u32 j;
	int r;

	if (!root)
		return -EINVAL;
	json_t *nodes = json_object_get(root, "nodes");
	json_t *copy = json_deep_copy(root);

	json_array_foreach(json_object_get(copy, "nodes"), i, nd)
		json_object_del(nd, "addr");
	text = json_dumps(copy, JSON_COMPACT);
	r = placesim_parse_json(text, strlen(text), &c, err, sizeof(err));
	free(text);
	json_decref(copy);
	if (r) {
		fprintf(stderr, "map: %s\n", err);
		json_decref(root);
		return r;
	}
	json_array_foreach(nodes, i, nd) {
		const char *a = json_string_value(json_object_get(nd, "addr"));
		u32 id = (u32)json_integer_value(json_object_get(nd, "id"));

		if (!a || sscanf(a, "%63[^:]:%u", host, &port) != 2)
			continue;
		for (j = 0; j < c.map.node_count; j++) {
			if (c.map.nodes[j].id != id)
				continue;
			c.map.nodes[j].addr.family = 4;
			c.map.nodes[j].addr.port = (u16)port;
			sscanf(host, "%hhu.%hhu.%hhu.%hhu",
			       &c.map.nodes[j].addr.addr[0],
			       &c.map.nodes[j].addr.addr[1],
			       &c.map.nodes[j].addr.addr[2],
			       &c.map.nodes[j].addr.addr[3]);
		}
	}
	json_decref(root);
	r = leofs_mapview_new(&c.map, out);
	placesim_cluster_free(&c);
	return r;
}

static const char *map_path;

static int refresh(void *arg, u64 known, struct leofs_mapview **out)
{
	(void)arg;
	(void)known;
	return load_map(map_path, out);
}

static int do_write(struct leofs_client *c, u64 ino,
		    const struct leofs_layout *l, u64 off, u64 len, u64 seed,
		    u32 flags)
{
	u8 *b = malloc(len + 1);
	u64 i;
	int r;

	for (i = 0; i < len; i++)
		b[i] = pattern(seed, off + i);
	r = leofs_file_write(c, ino, l, off, b, len, flags);
	free(b);
	return r;
}

static int do_verify(struct leofs_client *c, u64 ino,
		     const struct leofs_layout *l, u64 off, u64 len, u64 seed)
{
	u8 *b = malloc(len + 1);
	u64 i;
	int r;

	memset(b, 0xee, len);
	r = leofs_file_read(c, ino, l, off, b, len);
	if (r) {
		fprintf(stderr, "read ino %llu [%llu, +%llu): %s\n",
			(unsigned long long)ino, (unsigned long long)off,
			(unsigned long long)len, strerror(-r));
		free(b);
		return r;
	}
	for (i = 0; i < len; i++)
		if (b[i] != pattern(seed, off + i)) {
			fprintf(stderr, "ino %llu: byte %llu differs\n",
				(unsigned long long)ino,
				(unsigned long long)(off + i));
			free(b);
			return -EILSEQ;
		}
	free(b);
	return 0;
}

static int roundtrip(struct leofs_client *c, const struct leofs_layout *l,
		     u64 ino0)
{
	static const u64 sizes[] = { 0, 1, 4095, 4097, 65536 + 17,
				     1000000, 5 << 20, 64 << 20 };
	unsigned int i;
	int r;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u64 ino = ino0 + i, sz = sizes[i];

		/* a new file written whole, then an unaligned overwrite */
		r = do_write(c, ino, l, 0, sz, ino, LEOFS_FILE_EOF);
		if (!r)
			r = do_verify(c, ino, l, 0, sz, ino);
		if (!r && sz > 10) {
			u64 off = sz / 3 + 1, len = sz / 3 + 3, j;
			u8 *b = malloc(sz);

			for (j = 0; j < sz; j++)
				b[j] = j >= off && j < off + len ?
					       pattern(ino + 1000, j) :
					       pattern(ino, j);
			r = do_write(c, ino, l, off, len, ino + 1000, 0);
			if (!r)
				r = leofs_file_read(c, ino, l, 0, b + 0, 0);
			if (!r) {
				u8 *got = malloc(sz);

				r = leofs_file_read(c, ino, l, 0, got, sz);
				if (!r && memcmp(got, b, sz))
					r = -EILSEQ;
				free(got);
			}
			free(b);
		}
		if (r) {
			fprintf(stderr, "size %llu: %s\n",
				(unsigned long long)sz, strerror(-r));
			return r;
		}
	}
	return 0;
}

/* Files of the churn workload, and their size in stripes. */
#define CHURN_FILES   3
#define CHURN_STRIPES 4

static u64 churn_rand(u64 *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * Writes and overwrites until killed: whole stripes, pieces of one unit,
 * and pieces spanning units. Each write is logged before it is sent
 * ("W n ino off len", its data is pattern n) and again once acknowledged
 * ("A n").
 */
static int churn(struct leofs_client *c, const struct leofs_layout *l,
		 const char *log)
{
	u64 W = leofs_layout_stripe_width(l), size = CHURN_STRIPES * W;
	u64 x = 0x2545f4914f6cdd1dull, n, ino, off, len;
	FILE *f = fopen(log, "a");

	if (!f)
		return -errno;
	setvbuf(f, NULL, _IOLBF, 0);
	for (n = 1;; n++) {
		ino = 1000 + churn_rand(&x) % CHURN_FILES;
		switch (n % 3) {
		case 0: /* one or two whole stripes */
			off = churn_rand(&x) % (CHURN_STRIPES - 1) * W;
			len = (1 + churn_rand(&x) % 2) * W;
			break;
		case 1: /* inside one unit */
			off = churn_rand(&x) % size;
			len = 1 + churn_rand(&x) % (l->stripe_unit / 2);
			break;
		default: /* across units, maybe across stripes */
			off = churn_rand(&x) % size;
			len = 1 + churn_rand(&x) % W;
			break;
		}
		if (off + len > size)
			len = size - off;
		fprintf(f, "W %llu %llu %llu %llu\n", (unsigned long long)n,
			(unsigned long long)ino, (unsigned long long)off,
			(unsigned long long)len);
		if (do_write(c, ino, l, off, len, n, 0) == 0)
			fprintf(f, "A %llu\n", (unsigned long long)n);
	}
}

struct logged {
	u64 n, ino, off, len;
	bool acked;
};

static bool covers(const struct logged *w, u64 ino, u64 i)
{
	return w->ino == ino && i >= w->off && i < w->off + w->len;
}

/*
 * After the churn: every byte holds its last acknowledged write (zero if
 * none), or the data of an unacknowledged write sent after it. And no
 * unacknowledged write is torn inside a stripe: where no later write
 * covers it, its piece of each stripe is all new or all old.
 */
static int check(struct leofs_client *c, const struct leofs_layout *l,
		 const char *log)
{
	u64 W = leofs_layout_stripe_width(l), size = CHURN_STRIPES * W;
	unsigned long long a, b, d, e;
	struct logged *w = NULL;
	size_t nw = 0, cap = 0, k, u, acked = 0, unacked;
	u64 *last_ack = malloc(size * sizeof(u64));
	u64 *last_any = malloc(size * sizeof(u64));
	u8 *got = malloc(size), want;
	u64 ino, i, s;
	char kind;
	FILE *f = fopen(log, "r");
	int r = 0;

	if (!f || !last_ack || !last_any || !got)
		return -ENOMEM;
	while (fscanf(f, " %c", &kind) == 1) {
		if (kind == 'W' &&
		    fscanf(f, "%llu %llu %llu %llu", &a, &b, &d, &e) == 4) {
			if (nw == cap) {
				cap = cap ? 2 * cap : 1024;
				w = realloc(w, cap * sizeof(*w));
				if (!w)
					return -ENOMEM;
			}
			w[nw++] = (struct logged){ a, b, d, e, false };
		} else if (kind == 'A' && fscanf(f, "%llu", &a) == 1 && nw &&
			   w[nw - 1].n == a) {
			w[nw - 1].acked = true;
			acked++;
		} else {
			break; /* a line cut by the kill */
		}
	}
	fclose(f);
	unacked = nw - acked;
	printf("%zu writes logged, %zu acknowledged\n", nw, acked);
	if (acked < 20) {
		fprintf(stderr, "too few acknowledged writes to check\n");
		r = -EAGAIN;
	}
	for (ino = 1000; ino < 1000 + CHURN_FILES && !r; ino++) {
		memset(last_ack, 0, size * sizeof(u64));
		memset(last_any, 0, size * sizeof(u64));
		for (k = 0; k < nw; k++) {
			if (w[k].ino != ino)
				continue;
			for (i = w[k].off; i < w[k].off + w[k].len; i++) {
				last_any[i] = w[k].n;
				if (w[k].acked)
					last_ack[i] = w[k].n;
			}
		}
		r = leofs_file_read(c, ino, l, 0, got, size);
		if (r) {
			fprintf(stderr, "ino %llu: %s\n",
				(unsigned long long)ino, strerror(-r));
			break;
		}
		for (i = 0; i < size && !r; i++) {
			want = last_ack[i] ? pattern(last_ack[i], i) : 0;
			if (got[i] == want)
				continue;
			for (k = 0; k < nw; k++)
				if (!w[k].acked && w[k].n > last_ack[i] &&
				    covers(&w[k], ino, i) &&
				    got[i] == pattern(w[k].n, i))
					break;
			if (k == nw) {
				fprintf(stderr, "ino %llu byte %llu: 0x%02x, acknowledged write %llu has 0x%02x\n",
					(unsigned long long)ino,
					(unsigned long long)i, got[i],
					(unsigned long long)last_ack[i], want);
				r = -EILSEQ;
			}
		}
		/* torn pieces of unacknowledged writes */
		for (u = 0; u < nw && !r; u++) {
			if (w[u].acked || w[u].ino != ino)
				continue;
			for (s = w[u].off / W; s * W < w[u].off + w[u].len &&
					       !r; s++) {
				u64 from = s * W > w[u].off ? s * W : w[u].off;
				u64 to = (s + 1) * W < w[u].off + w[u].len ?
						 (s + 1) * W :
						 w[u].off + w[u].len;
				u64 newb = 0, oldb = 0;

				for (i = from; i < to; i++) {
					if (last_any[i] != w[u].n)
						continue; /* written again later */
					want = last_ack[i] ?
						       pattern(last_ack[i], i) : 0;
					if (got[i] != pattern(w[u].n, i))
						oldb++;
					else if (got[i] != want)
						newb++;
				}
				if (newb && oldb) {
					fprintf(stderr, "ino %llu stripe %llu: unacknowledged write %llu is torn (%llu bytes new, %llu old)\n",
						(unsigned long long)ino,
						(unsigned long long)s,
						(unsigned long long)w[u].n,
						(unsigned long long)newb,
						(unsigned long long)oldb);
					r = -EILSEQ;
				}
			}
		}
	}
	printf("%zu unacknowledged writes checked for tearing\n", unacked);
	free(w);
	free(last_ack);
	free(last_any);
	free(got);
	return r;
}

/*
 * Truncate inside a stripe, then extend past it: the cut tail and the gap
 * read as zeros, the bytes before the cut are intact. Sizes are unaligned
 * and fall in a unit other than the first.
 */
static int truncate_check(struct leofs_client *c,
			  const struct leofs_layout *l, u64 ino)
{
	u64 W = leofs_layout_stripe_width(l), size = 3 * W + W / 2 + 777;
	u64 cut = W + W - l->stripe_unit / 2 - 5, ext = 2 * W + 123, i;
	u64 end = ext + 10000;
	u8 *got = malloc(end);
	int r;

	r = do_write(c, ino, l, 0, size, ino, LEOFS_FILE_EOF);
	if (!r)
		r = leofs_file_truncate(c, ino, l, cut);
	if (!r)
		r = do_write(c, ino, l, ext, end - ext, ino + 1, 0);
	if (!r)
		r = leofs_file_read(c, ino, l, 0, got, end);
	for (i = 0; i < end && !r; i++) {
		u8 want = i < cut ? pattern(ino, i) :
			  i < ext ? 0 : pattern(ino + 1, i);

		if (got[i] != want) {
			fprintf(stderr, "after truncate to %llu: byte %llu is 0x%02x, not 0x%02x\n",
				(unsigned long long)cut, (unsigned long long)i,
				got[i], want);
			r = -EILSEQ;
		}
	}
	/* truncating to a stripe boundary and to zero */
	if (!r)
		r = leofs_file_truncate(c, ino, l, W);
	if (!r)
		r = leofs_file_read(c, ino, l, 0, got, end);
	for (i = 0; i < end && !r; i++)
		if (got[i] != (i < W ? pattern(ino, i) : 0)) {
			fprintf(stderr, "after truncate to %llu: byte %llu differs\n",
				(unsigned long long)W, (unsigned long long)i);
			r = -EILSEQ;
		}
	if (!r)
		r = leofs_file_truncate(c, ino, l, 0);
	if (!r)
		r = leofs_file_read(c, ino, l, 0, got, end);
	for (i = 0; i < end && !r; i++)
		if (got[i]) {
			fprintf(stderr, "after truncate to 0: byte %llu is not zero\n",
				(unsigned long long)i);
			r = -EILSEQ;
		}
	free(got);
	return r;
}

/*
 * One request to the node of @target, as a peer of @kind: the decoded
 * reply in @out, its raw form in @raw (to free) when the call succeeds.
 */
static int node_call(struct leofs_mapview *v, u32 target, u32 kind, u16 op,
		     const void *msg, size_t size, void *out, size_t out_size,
		     struct leofs_rpc_reply *raw)
{
	const struct leofs_map_target *t = leofs_mapview_target(v, target);
	const struct leofs_map_node *n = leofs_mapview_node(v, t->node_id);
	struct leofs_rpc_opts o = { .peer_kind = kind,
				    .connect_timeout_ms = 2000 };
	struct leofs_rpc *rpc;
	char host[32];
	int r;

	if (kind == LEOFS_PEER_OSS)
		memcpy(o.cluster_id, leofs_mapview_map(v)->cluster_id, 16);
	snprintf(host, sizeof(host), "%u.%u.%u.%u", n->addr.addr[0],
		 n->addr.addr[1], n->addr.addr[2], n->addr.addr[3]);
	r = leofs_rpc_connect(host, n->addr.port, &o, NULL, &rpc);
	if (r)
		return r;
	r = leofs_rpc_call(rpc, op, msg, size, out, out_size, raw, 10000);
	leofs_rpc_close(rpc);
	return r;
}

static int statfs_target(struct leofs_mapview *v, u32 target)
{
	struct leofs_target_statfs_req q = { .target_id = target };
	struct leofs_target_statfs_reply rp;
	struct leofs_rpc_reply raw;
	int r;

	r = node_call(v, target, LEOFS_PEER_ADMIN, LEOFS_OP_TARGET_STATFS, &q,
		      sizeof(q), &rp, sizeof(rp), &raw);
	if (r)
		return r;
	printf("%llu\n", (unsigned long long)rp.checksum_errors);
	leofs_rpc_reply_free(&raw);
	return 0;
}

/* The PG of (@ino, slot 0): its reference and targets in rank order. */
static int pg_of(struct leofs_mapview *v, const struct leofs_layout *l,
		 u64 ino, struct leofs_pg_ref *ref, u32 *targets)
{
	*ref = (struct leofs_pg_ref){
		.pool_id = l->pool_id,
		.pg = leofs_stripe_pg(ino, 0, l->stripe_count,
				      leofs_mapview_pg_num(v, l->pool_id)),
		.map_epoch = leofs_mapview_epoch(v),
	};
	return leofs_mapview_row(v, l->pool_id, leofs_layout_width(l),
				 ref->pg, targets);
}

/* The nodes of the PG of (ino, slot 0), in rank order: "primary members..." */
static int print_pg(struct leofs_mapview *v, const struct leofs_layout *l,
		    u64 ino)
{
	u32 targets[LEOFS_MAX_FRAGMENTS], width = leofs_layout_width(l), r;
	struct leofs_pg_ref ref;
	int e = pg_of(v, l, ino, &ref, targets);

	if (e)
		return e;
	for (r = 0; r < width; r++)
		printf("%s%u", r ? " " : "",
		       leofs_mapview_target(v, targets[r])->node_id);
	printf("\n");
	return 0;
}

/* The committed version of @stripe on the PG primary (rank 0). */
static int print_version(struct leofs_mapview *v,
			 const struct leofs_layout *l, u64 ino, u64 stripe)
{
	u32 targets[LEOFS_MAX_FRAGMENTS];
	struct leofs_read_fragment_req q = {
		.ino = ino, .stripe = stripe, .stripe_unit = l->stripe_unit,
		.length = 1,
	};
	struct leofs_read_fragment_reply rp;
	struct leofs_rpc_reply raw;
	int r = pg_of(v, l, ino, &q.pg, targets);

	q.target_id = targets[0];
	if (!r)
		r = node_call(v, targets[0], LEOFS_PEER_OSS,
			      LEOFS_OP_READ_FRAGMENT, &q, sizeof(q), &rp,
			      sizeof(rp), &raw);
	if (r)
		return r;
	r = leofs_status_to_errno(raw.status);
	if (!r)
		printf("%llu\n", (unsigned long long)rp.version);
	leofs_rpc_reply_free(&raw);
	return r;
}

/* One member request of the crashed primary, as the primary sends it. */
static int member_call(struct leofs_mapview *v, u32 target, u16 op,
		       const void *msg, size_t size)
{
	struct leofs_status_reply st;
	struct leofs_rpc_reply raw;
	int r;

	r = node_call(v, target, LEOFS_PEER_OSS, op, msg, size, &st,
		      sizeof(st), &raw);
	if (r)
		return r;
	r = leofs_status_to_errno(raw.status);
	leofs_rpc_reply_free(&raw);
	return r;
}

/*
 * A PG primary that dies mid-write of @stripe of @ino at @version (whole
 * fragments; the data units hold pattern @seed): with @phase PREPARE it
 * prepares on every member and commits on rank @rank only; with DIRECT it
 * creates the new stripe on rank @rank only.
 */
static int crashed_primary(struct leofs_mapview *v,
			   const struct leofs_layout *l, u64 ino, u64 stripe,
			   u64 version, u64 seed, u32 phase, u32 rank)
{
	u32 targets[LEOFS_MAX_FRAGMENTS], width = leofs_layout_width(l);
	u32 unit = l->stripe_unit, k = l->k, r;
	struct leofs_pg_ref ref;
	u8 *frags[LEOFS_MAX_FRAGMENTS] = { 0 };
	u8 *mem = calloc(width, unit), *crcs = malloc(unit / 1024);
	struct leofs_ec ec;
	int e = 0;
	u64 i;

	if (!mem || !crcs || rank >= width || pg_of(v, l, ino, &ref, targets)) {
		free(mem);
		free(crcs);
		return -EINVAL;
	}
	for (r = 0; r < width; r++)
		frags[r] = l->scheme == LEOFS_LAYOUT_EC ? mem + (size_t)r * unit :
							  mem;
	for (i = 0; i < (u64)k * unit; i++)
		mem[i] = pattern(seed, (stripe * l->stripe_count * k) * unit + i);
	if (l->scheme == LEOFS_LAYOUT_EC) {
		e = leofs_ec_init(&ec, k, l->m);
		if (!e) {
			e = leofs_ec_encode(&ec, unit, frags, frags + k);
			leofs_ec_destroy(&ec);
		}
	}
	for (r = 0; r < width && !e; r++) {
		struct leofs_write_fragment_req w = {
			.ino = ino, .fragment = r, .target_id = targets[r],
			.pg = ref, .stripe = stripe, .stripe_unit = unit,
			.version = version, .phase = phase,
		};

		if (phase == LEOFS_FRAG_DIRECT && r != rank)
			continue;
		leofs_crc32c_blocks_le(frags[r], unit, LEOFS_BLOCK_SIZE, crcs);
		w.crcs.data = crcs;
		w.crcs.count = unit / LEOFS_BLOCK_SIZE;
		w.data.data = frags[r];
		w.data.len = unit;
		e = member_call(v, targets[r], LEOFS_OP_WRITE_FRAGMENT, &w,
				sizeof(w));
		if (e)
			fprintf(stderr, "write rank %u: %s\n", r, strerror(-e));
	}
	if (!e && phase == LEOFS_FRAG_PREPARE) {
		struct leofs_commit_fragment_req c = {
			.ino = ino, .fragment = rank,
			.target_id = targets[rank], .pg = ref, .stripe = stripe,
			.stripe_unit = unit, .version = version,
			.action = LEOFS_COMMIT,
		};

		e = member_call(v, targets[rank], LEOFS_OP_COMMIT_FRAGMENT,
				&c, sizeof(c));
		if (e)
			fprintf(stderr, "commit rank %u: %s\n", rank,
				strerror(-e));
	}
	free(mem);
	free(crcs);
	return e;
}

int main(int argc, char **argv)
{
	struct leofs_client_opts o = { 0 };
	struct leofs_layout l;
	struct leofs_mapview *v;
	struct leofs_client *c;
	const char *cmd;
	int r;

	if (argc < 4)
		return 2;
	map_path = argv[1];
	cmd = argv[3];
	if (load_map(map_path, &v))
		return 2;
	o.refresh = refresh;
	o.timeout_ms = 20000;
	if (leofs_client_new(v, &o, &c))
		return 2;
	if (!strcmp(cmd, "statfs") && argc == 5) {
		r = statfs_target(v, (u32)atoi(argv[4]));
	} else if ((!strcmp(cmd, "write") || !strcmp(cmd, "verify")) &&
		   argc == 10) {
		if (parse_scheme(argv[5], (u32)atoi(argv[6]), &l))
			return 2;
		if (!strcmp(cmd, "write"))
			r = do_write(c, strtoull(argv[4], NULL, 0), &l,
				     strtoull(argv[7], NULL, 0),
				     strtoull(argv[8], NULL, 0),
				     strtoull(argv[9], NULL, 0), LEOFS_FILE_EOF);
		else
			r = do_verify(c, strtoull(argv[4], NULL, 0), &l,
				      strtoull(argv[7], NULL, 0),
				      strtoull(argv[8], NULL, 0),
				      strtoull(argv[9], NULL, 0));
		if (!r && !strcmp(cmd, "verify")) {
			struct leofs_client_stats st;

			leofs_client_stats(c, &st);
			printf("degraded_reads %llu\n",
			       (unsigned long long)st.degraded_reads);
		}
	} else if (!strcmp(cmd, "roundtrip") && (argc == 6 || argc == 7)) {
		if (parse_scheme(argv[4], (u32)atoi(argv[5]), &l))
			return 2;
		r = roundtrip(c, &l, argc == 7 ? strtoull(argv[6], NULL, 0) :
				     1 + ((u64)l.k << 8 | l.m) * 100);
	} else if (!strcmp(cmd, "truncate") && argc == 7) {
		if (parse_scheme(argv[4], (u32)atoi(argv[5]), &l))
			return 2;
		r = truncate_check(c, &l, strtoull(argv[6], NULL, 0));
	} else if ((!strcmp(cmd, "crashed-primary") ||
		    !strcmp(cmd, "crashed-new")) && argc == 11) {
		if (parse_scheme(argv[4], (u32)atoi(argv[5]), &l))
			return 2;
		r = crashed_primary(v, &l, strtoull(argv[6], NULL, 0),
				    strtoull(argv[7], NULL, 0),
				    strtoull(argv[8], NULL, 0),
				    strtoull(argv[9], NULL, 0),
				    !strcmp(cmd, "crashed-new") ?
					    LEOFS_FRAG_DIRECT :
					    LEOFS_FRAG_PREPARE,
				    (u32)atoi(argv[10]));
	} else if (!strcmp(cmd, "version") && argc == 8) {
		if (parse_scheme(argv[4], (u32)atoi(argv[5]), &l))
			return 2;
		r = print_version(v, &l, strtoull(argv[6], NULL, 0),
				  strtoull(argv[7], NULL, 0));
	} else if (!strcmp(cmd, "pg") && argc == 7) {
		if (parse_scheme(argv[4], (u32)atoi(argv[5]), &l))
			return 2;
		r = print_pg(v, &l, strtoull(argv[6], NULL, 0));
	} else if ((!strcmp(cmd, "churn") || !strcmp(cmd, "check")) &&
		   argc == 7) {
		if (parse_scheme(argv[4], (u32)atoi(argv[5]), &l))
			return 2;
		r = !strcmp(cmd, "churn") ? churn(c, &l, argv[6]) :
					    check(c, &l, argv[6]);
	} else {
		return 2;
	}
	if (r)
		fprintf(stderr, "%s: %s\n", cmd, strerror(-r));
	leofs_client_free(c);
	leofs_mapview_put(v);
	return r ? 1 : 0;
}
