// SPDX-License-Identifier: GPL-2.0
/*
 * Layouts: validation against the cluster map, the text form used by the
 * leofs.layout virtual xattr, and get/set on inodes.
 */
#include <stdarg.h>
#include <stdio.h>

#include "record.h"

static int refuse(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const struct leofs_map_pool *pool_by_id(const struct leofs_map *map,
					       u32 id)
{
	u32 i;

	for (i = 0; map && i < map->pool_count; i++)
		if (map->pools[i].id == id)
			return &map->pools[i];
	return NULL;
}

static const struct leofs_map_pool *pool_by_name(const struct leofs_map *map,
						 const char *name, size_t len)
{
	u32 i;

	for (i = 0; map && i < map->pool_count; i++)
		if (strlen(map->pools[i].name) == len &&
		    !memcmp(map->pools[i].name, name, len))
			return &map->pools[i];
	return NULL;
}

/* Distinct nodes holding a target that can take the pool's data. */
static u32 pool_nodes(const struct leofs_map *map,
		      const struct leofs_map_pool *pool)
{
	u32 i, j, n = 0;

	for (i = 0; i < map->target_count; i++) {
		const struct leofs_map_target *t = &map->targets[i];

		if (t->tier != pool->tier || !t->weight)
			continue;
		for (j = 0; j < i; j++)
			if (map->targets[j].node_id == t->node_id &&
			    map->targets[j].tier == pool->tier &&
			    map->targets[j].weight)
				break;
		if (j == i)
			n++;
	}
	return n;
}

void mds_layout_default(const struct leofs_map *map, struct mds_layout *out)
{
	u32 nodes = map->pool_count ? pool_nodes(map, &map->pools[0]) : 0;

	memset(out, 0, sizeof(*out));
	if (!nodes)
		return;
	out->pool_id = map->pools[0].id;
	out->stripe_unit = MDS_DEFAULT_UNIT;
	out->stripe_count = 1;
	out->generation = 1;
	if (nodes >= 5) {
		out->scheme = MDS_LAYOUT_EC;
		out->k = 4;
		out->m = 1;
	} else {
		out->scheme = MDS_LAYOUT_REPLICA;
		out->k = 1;
		out->m = (u8)((nodes < 3 ? nodes : 3) - 1);
	}
}

int mds_layout_validate(const struct mds_layout *l, const struct leofs_map *map,
			char *why, size_t len)
{
	const struct leofs_map_pool *pool;
	u32 unit = l->stripe_unit, nodes;

	switch (l->scheme) {
	case MDS_LAYOUT_NONE:
		if (l->k || l->m || l->stripe_unit || l->stripe_count ||
		    l->pool_id)
			return refuse(why, len, "scheme none takes no fields");
		return 0;
	case MDS_LAYOUT_REPLICA:
		if (l->k != 1 || l->m + 1 > MDS_REPLICA_MAX)
			return refuse(why, len, "replica n must be 1..%d",
				      MDS_REPLICA_MAX);
		break;
	case MDS_LAYOUT_EC:
		if (l->k < MDS_EC_K_MIN || l->k > MDS_EC_K_MAX)
			return refuse(why, len, "ec k must be %d..%d",
				      MDS_EC_K_MIN, MDS_EC_K_MAX);
		if (l->m < 1 || l->m > MDS_EC_M_MAX)
			return refuse(why, len, "ec m must be 1..%d",
				      MDS_EC_M_MAX);
		break;
	default:
		return refuse(why, len, "unknown scheme %u", l->scheme);
	}
	if (unit & (unit - 1) || unit < MDS_STRIPE_UNIT_MIN ||
	    unit > MDS_STRIPE_UNIT_MAX)
		return refuse(
			why, len,
			"stripe unit %u is not a power of two in 4 KiB..64 MiB",
			unit);
	if (l->stripe_count < 1 || l->stripe_count > MDS_STRIPE_COUNT_MAX)
		return refuse(why, len, "stripe count %u is not 1..%d",
			      l->stripe_count, MDS_STRIPE_COUNT_MAX);
	if (!map)
		return 0;
	pool = pool_by_id(map, l->pool_id);
	if (!pool)
		return refuse(why, len, "unknown pool #%u", l->pool_id);
	nodes = pool_nodes(map, pool);
	if ((u32)l->k + l->m > nodes)
		return refuse(
			why, len,
			"%s %u fragments are wider than pool %s's %u nodes",
			l->scheme == MDS_LAYOUT_EC ? "k+m =" : "n =",
			l->k + l->m, pool->name, nodes);
	return 0;
}

int mds_layout_format(const struct mds_layout *l, const struct leofs_map *map,
		      char *buf, size_t cap)
{
	const struct leofs_map_pool *pool = pool_by_id(map, l->pool_id);
	char pname[LEOFS_NAME_MAX_POOL + 16];
	int n;

	if (pool)
		snprintf(pname, sizeof(pname), "%s", pool->name);
	else
		snprintf(pname, sizeof(pname), "#%u", l->pool_id);
	switch (l->scheme) {
	case MDS_LAYOUT_NONE:
		n = snprintf(buf, cap, "scheme=none");
		break;
	case MDS_LAYOUT_REPLICA:
		n = snprintf(buf, cap,
			     "pool=%s scheme=replica n=%u unit=%u count=%u",
			     pname, l->m + 1, l->stripe_unit, l->stripe_count);
		break;
	default:
		n = snprintf(buf, cap,
			     "pool=%s scheme=ec k=%u m=%u unit=%u count=%u",
			     pname, l->k, l->m, l->stripe_unit,
			     l->stripe_count);
		break;
	}
	if (n < 0)
		return -EINVAL;
	return n < (int)cap ? n : -ERANGE;
}

/* A decimal number without sign or leading zeros, up to max. */
static int parse_num(const char *s, size_t len, u32 max, u32 *out)
{
	u64 v = 0;
	size_t i;

	if (!len || len > 10 || (len > 1 && s[0] == '0'))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (u64)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = (u32)v;
	return 0;
}

enum { K_POOL, K_SCHEME, K_K, K_M, K_N, K_UNIT, K_COUNT, K_NR };

int mds_layout_parse(const char *text, size_t len, const struct leofs_map *map,
		     struct mds_layout *out, char *why, size_t why_len)
{
	static const char *const keys[K_NR] = {
		"pool", "scheme", "k", "m", "n", "unit", "count",
	};
	const char *val[K_NR] = { 0 }, *p = text, *end = text + len;
	size_t vlen[K_NR] = { 0 };
	u32 num[K_NR] = { 0 };
	const struct leofs_map_pool *pool;
	bool ec;
	int i;

	memset(out, 0, sizeof(*out));
	if (len && text[len - 1] == '\n') /* echo(1) adds one */
		end--;
	while (p < end) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		const char *tok_end = sp ? sp : end;
		const char *eq = memchr(p, '=', (size_t)(tok_end - p));

		if (!eq)
			return refuse(why, why_len,
				      "expected key=value at \"%.*s\"",
				      (int)(tok_end - p), p);
		for (i = 0; i < K_NR; i++)
			if (strlen(keys[i]) == (size_t)(eq - p) &&
			    !memcmp(keys[i], p, (size_t)(eq - p)))
				break;
		if (i == K_NR)
			return refuse(why, why_len, "unknown key \"%.*s\"",
				      (int)(eq - p), p);
		if (val[i])
			return refuse(why, why_len, "key %s given twice",
				      keys[i]);
		val[i] = eq + 1;
		vlen[i] = (size_t)(tok_end - eq - 1);
		if (!vlen[i])
			return refuse(why, why_len, "empty value for %s",
				      keys[i]);
		if (sp && sp + 1 == end)
			return refuse(why, why_len, "trailing space");
		p = sp ? sp + 1 : end;
	}
	if (!val[K_SCHEME])
		return refuse(why, why_len, "missing scheme");
	if (vlen[K_SCHEME] == 4 && !memcmp(val[K_SCHEME], "none", 4)) {
		for (i = 0; i < K_NR; i++)
			if (i != K_SCHEME && val[i])
				return refuse(why, why_len,
					      "scheme none takes no %s",
					      keys[i]);
		return 0;
	}
	if (vlen[K_SCHEME] == 2 && !memcmp(val[K_SCHEME], "ec", 2))
		ec = true;
	else if (vlen[K_SCHEME] == 7 && !memcmp(val[K_SCHEME], "replica", 7))
		ec = false;
	else
		return refuse(why, why_len, "unknown scheme \"%.*s\"",
			      (int)vlen[K_SCHEME], val[K_SCHEME]);
	for (i = 0; i < K_NR; i++) {
		bool want = i == K_POOL || i == K_SCHEME || i == K_UNIT ||
			    i == K_COUNT ||
			    (ec ? i == K_K || i == K_M : i == K_N);

		if (want && !val[i])
			return refuse(why, why_len, "missing %s", keys[i]);
		if (!want && val[i])
			return refuse(why, why_len,
				      "%s is not a key of scheme %s", keys[i],
				      ec ? "ec" : "replica");
		if (!want || i == K_POOL || i == K_SCHEME)
			continue;
		if (parse_num(val[i], vlen[i], UINT32_MAX, &num[i]))
			return refuse(why, why_len, "%s: not a decimal number",
				      keys[i]);
	}
	if (val[K_POOL][0] == '#') {
		if (parse_num(val[K_POOL] + 1, vlen[K_POOL] - 1, UINT32_MAX,
			      &out->pool_id))
			return refuse(why, why_len, "pool: bad id");
	} else {
		pool = pool_by_name(map, val[K_POOL], vlen[K_POOL]);
		if (!pool)
			return refuse(why, why_len, "unknown pool \"%.*s\"",
				      (int)vlen[K_POOL], val[K_POOL]);
		out->pool_id = pool->id;
	}
	out->scheme = ec ? MDS_LAYOUT_EC : MDS_LAYOUT_REPLICA;
	if (ec) {
		if (num[K_K] > 255 || num[K_M] > 255)
			return refuse(why, why_len, "k or m out of range");
		out->k = (u8)num[K_K];
		out->m = (u8)num[K_M];
	} else {
		if (num[K_N] < 1 || num[K_N] > MDS_REPLICA_MAX)
			return refuse(why, why_len, "replica n must be 1..%d",
				      MDS_REPLICA_MAX);
		out->k = 1;
		out->m = (u8)(num[K_N] - 1);
	}
	out->stripe_unit = num[K_UNIT];
	out->stripe_count = num[K_COUNT];
	return mds_layout_validate(out, map, why, why_len);
}

int mds_get_layout(struct mds_engine *eng, u64 ino, struct mds_layout *out)
{
	struct mds_attr attr;
	int rc = mds_getattr(eng, ino, &attr);

	if (!rc)
		*out = attr.layout;
	return rc;
}

struct layout_arg {
	u64 ino;
	const struct mds_layout *layout;
};

static int set_layout_apply(struct mds_shard *sh, MDB_txn *txn,
			    struct mds_op *op)
{
	struct layout_arg *a = op->arg;
	struct mds_inode in;
	u64 gen;
	int rc;

	rc = mds_inode_get(txn, sh, a->ino, &in);
	if (rc)
		return rc;
	if (!S_ISDIR(in.mode) && !S_ISREG(in.mode))
		return -EINVAL;
	if (!mds_is_owner(op->cr, &in))
		return -EPERM;
	if (S_ISREG(in.mode) && (in.size || in.flags & MDS_INO_F_DATA))
		return -EBUSY;
	gen = in.layout.generation;
	in.layout = *a->layout;
	in.layout.generation = gen + 1;
	mds_now(&in.ctime);
	return mds_inode_put(txn, sh, &in);
}

int mds_set_layout(struct mds_engine *eng, const struct mds_creds *cr, u64 ino,
		   const struct mds_layout *layout, char *why, size_t why_len)
{
	struct layout_arg a = { ino, layout };
	struct mds_op op;
	int rc;

	rc = mds_layout_validate(layout, mds_map_get(eng), why, why_len);
	mds_map_put(eng);
	if (rc)
		return rc;
	return mds_run(eng, ino, cr, NULL, MDS_OP_OTHER, set_layout_apply, &a,
		       &op);
}
