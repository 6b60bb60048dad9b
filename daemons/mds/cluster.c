// SPDX-License-Identifier: GPL-2.0
/*
 * The cluster description that `leofs-mds --init` turns into the map's
 * first epoch (format in Documentation/mds.md). Every field is checked and
 * the result goes through the map encoder, which checks order, limits and
 * references once more.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leofs/proto_map.h"
#include "mapsvc.h"

struct cparse {
	char *err;
	size_t len;
};

static int cbad(struct cparse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int cbad(struct cparse *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->err && p->len) {
		n = snprintf(p->err, p->len, "cluster: ");
		va_start(ap, fmt);
		if (n > 0 && (size_t)n < p->len)
			vsnprintf(p->err + n, p->len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int ckeys(struct cparse *p, json_t *o, const char *path,
		 const char *const *known)
{
	const char *key;
	json_t *v;
	size_t i;

	if (!json_is_object(o))
		return cbad(p, "%s: must be an object", path);
	json_object_foreach(o, key, v)
	{
		for (i = 0; known[i]; i++)
			if (!strcmp(key, known[i]))
				break;
		if (!known[i])
			return cbad(p, "%s.%s: unknown field", path, key);
	}
	return 0;
}

static int cuint(struct cparse *p, json_t *o, const char *key, const char *path,
		 u64 min, u64 max, bool required, u64 dflt, u64 *out)
{
	json_t *v = json_object_get(o, key);
	json_int_t i;

	if (!v) {
		if (required)
			return cbad(p, "%s.%s: missing", path, key);
		*out = dflt;
		return 0;
	}
	i = json_is_integer(v) ? json_integer_value(v) : -1;
	if (i < 0 || (u64)i < min || (u64)i > max)
		return cbad(p, "%s.%s: must be an integer in %llu..%llu", path,
			    key, (unsigned long long)min,
			    (unsigned long long)max);
	*out = (u64)i;
	return 0;
}

/* Weights are TiB as a JSON number, stored 16.16. */
static int cweight(struct cparse *p, json_t *o, const char *path, u32 *out)
{
	json_t *v = json_object_get(o, "weight");
	double d;

	if (!v) {
		*out = LEOFS_WEIGHT_ONE;
		return 0;
	}
	if (!json_is_number(v))
		return cbad(p, "%s.weight: must be a number", path);
	d = json_number_value(v);
	if (!(d >= 0) || d * LEOFS_WEIGHT_ONE > LEOFS_WEIGHT_MAX)
		return cbad(p, "%s.weight: must be 0..65535", path);
	*out = (u32)(d * LEOFS_WEIGHT_ONE + 0.5);
	return 0;
}

static int ctier(struct cparse *p, json_t *o, const char *path, u8 *out)
{
	static const char *const names[] = { "ssd", "sas", "sata" };
	json_t *v = json_object_get(o, "tier");
	u8 i;

	if (!v || !json_is_string(v))
		return cbad(p, "%s.tier: must be \"ssd\", \"sas\" or \"sata\"",
			    path);
	for (i = 0; i < LEOFS_TIER_COUNT; i++)
		if (!strcmp(json_string_value(v), names[i])) {
			*out = i;
			return 0;
		}
	return cbad(p, "%s.tier: must be \"ssd\", \"sas\" or \"sata\"", path);
}

static int caddr(struct cparse *p, json_t *o, const char *path,
		 struct leofs_addr *a)
{
	json_t *v = json_object_get(o, "address");
	const char *s;
	u64 port;
	int rc;

	if (!v)
		return cbad(p, "%s.address: missing", path);
	s = json_is_string(v) ? json_string_value(v) : "";
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->addr) == 1)
		a->family = 4;
	else if (inet_pton(AF_INET6, s, a->addr) == 1)
		a->family = 6;
	else
		return cbad(p, "%s.address: not an IPv4 or IPv6 address", path);
	rc = cuint(p, o, "port", path, 1, 65535, true, 0, &port);
	a->port = (u16)port;
	return rc;
}

/* Both states default to up and in. */
static int cstate(struct cparse *p, json_t *o, const char *path, u32 *state)
{
	const char *keys[] = { "up", "in" };
	const u32 bits[] = { LEOFS_STATE_UP, LEOFS_STATE_IN };
	json_t *v;
	int i;

	*state = LEOFS_STATE_UP | LEOFS_STATE_IN;
	for (i = 0; i < 2; i++) {
		v = json_object_get(o, keys[i]);
		if (!v)
			continue;
		if (!json_is_boolean(v))
			return cbad(p, "%s.%s: must be true or false", path,
				    keys[i]);
		if (json_is_false(v))
			*state &= ~bits[i];
	}
	return 0;
}

static json_t *carray(struct cparse *p, json_t *root, const char *key,
		      size_t min, size_t max, int *rc)
{
	json_t *a = json_object_get(root, key);

	*rc = 0;
	if (!a || !json_is_array(a) || json_array_size(a) < min ||
	    json_array_size(a) > max) {
		*rc = cbad(p, "%s: must be an array of %zu..%zu", key, min,
			   max);
		return NULL;
	}
	return a;
}

static int cmp_u32(u32 a, u32 b)
{
	return a < b ? -1 : a > b;
}

static int node_cmp(const void *a, const void *b)
{
	return cmp_u32(((const struct leofs_map_node *)a)->id,
		       ((const struct leofs_map_node *)b)->id);
}

static int target_cmp(const void *a, const void *b)
{
	const struct leofs_map_target *x = a, *y = b;

	return x->node_id != y->node_id ? cmp_u32(x->node_id, y->node_id) :
					  cmp_u32(x->id, y->id);
}

static int pool_cmp(const void *a, const void *b)
{
	return cmp_u32(((const struct leofs_map_pool *)a)->id,
		       ((const struct leofs_map_pool *)b)->id);
}

static int mds_cmp(const void *a, const void *b)
{
	return cmp_u32(((const struct leofs_map_mds *)a)->id,
		       ((const struct leofs_map_mds *)b)->id);
}

static int shard_cmp(const void *a, const void *b)
{
	return cmp_u32(((const struct leofs_map_shard *)a)->id,
		       ((const struct leofs_map_shard *)b)->id);
}

static int parse_nodes(struct cparse *p, json_t *root, struct leofs_map *m)
{
	static const char *const nkeys[] = { "id", "address", "port", "up",
					     "in", "targets", NULL };
	static const char *const tkeys[] = { "id", "tier", "weight",
					     "up", "in",   NULL };
	char path[64], tpath[96];
	size_t i, j, nt = 0;
	json_t *arr, *n, *ts, *t;
	u64 v;
	int rc;

	arr = carray(p, root, "nodes", 1, LEOFS_MAP_MAX_NODES, &rc);
	if (!arr)
		return rc;
	json_array_foreach(arr, i, n)
	{
		ts = json_is_object(n) ? json_object_get(n, "targets") : NULL;
		if (!ts || !json_is_array(ts) || !json_array_size(ts) ||
		    json_array_size(ts) > LEOFS_MAX_NODE_TARGETS)
			return cbad(p,
				    "nodes[%zu].targets: must be an array "
				    "of 1..%d",
				    i, LEOFS_MAX_NODE_TARGETS);
		nt += json_array_size(ts);
	}
	if (nt > LEOFS_MAP_MAX_TARGETS)
		return cbad(p, "nodes: more than %d targets",
			    LEOFS_MAP_MAX_TARGETS);
	m->nodes = calloc(json_array_size(arr), sizeof(*m->nodes));
	m->targets = calloc(nt, sizeof(*m->targets));
	if (!m->nodes || !m->targets)
		return -ENOMEM;
	json_array_foreach(arr, i, n)
	{
		struct leofs_map_node *nd = &m->nodes[i];

		snprintf(path, sizeof(path), "nodes[%zu]", i);
		rc = ckeys(p, n, path, nkeys);
		if (!rc)
			rc = cuint(p, n, "id", path, 1, UINT32_MAX, true, 0,
				   &v);
		if (!rc)
			rc = caddr(p, n, path, &nd->addr);
		if (!rc)
			rc = cstate(p, n, path, &nd->state);
		if (rc)
			return rc;
		nd->id = (u32)v;
		json_array_foreach(json_object_get(n, "targets"), j, t)
		{
			struct leofs_map_target *tg =
				&m->targets[m->target_count];

			snprintf(tpath, sizeof(tpath), "%s.targets[%zu]", path,
				 j);
			rc = ckeys(p, t, tpath, tkeys);
			if (!rc)
				rc = cuint(p, t, "id", tpath, 1, UINT32_MAX,
					   true, 0, &v);
			if (!rc)
				rc = ctier(p, t, tpath, &tg->tier);
			if (!rc)
				rc = cweight(p, t, tpath, &tg->weight);
			if (!rc)
				rc = cstate(p, t, tpath, &tg->state);
			if (rc)
				return rc;
			tg->id = (u32)v;
			tg->node_id = nd->id;
			m->target_count++;
		}
		m->node_count++;
	}
	return 0;
}

static int parse_pools(struct cparse *p, json_t *root, struct leofs_map *m)
{
	static const char *const keys[] = { "id", "name", "tier", "pg_num",
					    NULL };
	char path[64];
	json_t *arr, *o, *nm;
	const char *s;
	size_t i, k;
	u64 v;
	int rc;

	arr = carray(p, root, "pools", 1, LEOFS_MAP_MAX_POOLS, &rc);
	if (!arr)
		return rc;
	m->pools = calloc(json_array_size(arr), sizeof(*m->pools));
	if (!m->pools)
		return -ENOMEM;
	json_array_foreach(arr, i, o)
	{
		struct leofs_map_pool *pl = &m->pools[i];

		snprintf(path, sizeof(path), "pools[%zu]", i);
		rc = ckeys(p, o, path, keys);
		if (!rc)
			rc = cuint(p, o, "id", path, 1, UINT32_MAX, true, 0,
				   &v);
		if (rc)
			return rc;
		pl->id = (u32)v;
		rc = cuint(p, o, "pg_num", path, 1, 1u << 20, true, 0, &v);
		if (!rc)
			rc = ctier(p, o, path, &pl->tier);
		if (rc)
			return rc;
		pl->pg_num = (u32)v;
		nm = json_object_get(o, "name");
		s = nm && json_is_string(nm) ? json_string_value(nm) : "";
		if (!*s || strlen(s) > LEOFS_NAME_MAX_POOL)
			return cbad(p, "%s.name: must be 1..%d characters",
				    path, LEOFS_NAME_MAX_POOL);
		for (k = 0; s[k]; k++)
			if (s[k] <= ' ' || s[k] > '~')
				return cbad(p,
					    "%s.name: printable ASCII "
					    "without spaces only",
					    path);
		strcpy(pl->name, s);
		m->pool_count++;
	}
	return 0;
}

static int parse_mds(struct cparse *p, json_t *root, struct leofs_map *m)
{
	static const char *const keys[] = { "id", "address", "port", NULL };
	char path[64];
	json_t *arr, *o;
	size_t i;
	u64 v;
	int rc;

	arr = carray(p, root, "mds", 1, LEOFS_MAP_MAX_MDS, &rc);
	if (!arr)
		return rc;
	m->mds = calloc(json_array_size(arr), sizeof(*m->mds));
	if (!m->mds)
		return -ENOMEM;
	json_array_foreach(arr, i, o)
	{
		struct leofs_map_mds *md = &m->mds[i];

		snprintf(path, sizeof(path), "mds[%zu]", i);
		rc = ckeys(p, o, path, keys);
		if (!rc)
			rc = cuint(p, o, "id", path, 1, UINT32_MAX, true, 0,
				   &v);
		if (!rc)
			rc = caddr(p, o, path, &md->addr);
		if (rc)
			return rc;
		md->id = (u32)v;
		md->state = LEOFS_STATE_UP | LEOFS_STATE_IN;
		m->mds_count++;
	}
	return 0;
}

static bool has_mds(const struct leofs_map *m, u32 id)
{
	u32 i;

	for (i = 0; i < m->mds_count; i++)
		if (m->mds[i].id == id)
			return true;
	return false;
}

static int parse_shards(struct cparse *p, json_t *root, struct leofs_map *m)
{
	static const char *const keys[] = { "id", "mds", "secondary", "weight",
					    NULL };
	char path[64];
	json_t *arr, *o;
	size_t i;
	u64 v;
	int rc;

	arr = carray(p, root, "shards", 1, LEOFS_MAP_MAX_SHARDS, &rc);
	if (!arr)
		return rc;
	m->shards = calloc(json_array_size(arr), sizeof(*m->shards));
	if (!m->shards)
		return -ENOMEM;
	json_array_foreach(arr, i, o)
	{
		struct leofs_map_shard *sh = &m->shards[i];

		snprintf(path, sizeof(path), "shards[%zu]", i);
		rc = ckeys(p, o, path, keys);
		if (!rc)
			rc = cuint(p, o, "id", path, 0, 65535, true, 0, &v);
		if (rc)
			return rc;
		sh->id = (u16)v;
		rc = cuint(p, o, "mds", path, 1, UINT32_MAX, true, 0, &v);
		if (rc)
			return rc;
		if (!has_mds(m, (u32)v))
			return cbad(p, "%s.mds: no MDS %llu", path,
				    (unsigned long long)v);
		sh->primary_mds = (u32)v;
		rc = cuint(p, o, "secondary", path, 0, UINT32_MAX, false, 0,
			   &v);
		if (rc)
			return rc;
		if (v && !has_mds(m, (u32)v))
			return cbad(p, "%s.secondary: no MDS %llu", path,
				    (unsigned long long)v);
		sh->secondary_mds = (u32)v;
		rc = cweight(p, o, path, &sh->weight);
		if (rc)
			return rc;
		m->shard_count++;
	}
	return 0;
}

/* Sorted into the map's canonical order; duplicates refused by name. */
static int sort_and_check(struct cparse *p, struct leofs_map *m)
{
	u32 i;

	qsort(m->nodes, m->node_count, sizeof(*m->nodes), node_cmp);
	qsort(m->targets, m->target_count, sizeof(*m->targets), target_cmp);
	qsort(m->pools, m->pool_count, sizeof(*m->pools), pool_cmp);
	qsort(m->mds, m->mds_count, sizeof(*m->mds), mds_cmp);
	qsort(m->shards, m->shard_count, sizeof(*m->shards), shard_cmp);
	for (i = 1; i < m->node_count; i++)
		if (m->nodes[i].id == m->nodes[i - 1].id)
			return cbad(p, "nodes: id %u listed twice",
				    m->nodes[i].id);
	for (i = 1; i < m->pool_count; i++)
		if (m->pools[i].id == m->pools[i - 1].id)
			return cbad(p, "pools: id %u listed twice",
				    m->pools[i].id);
	for (i = 1; i < m->mds_count; i++)
		if (m->mds[i].id == m->mds[i - 1].id)
			return cbad(p, "mds: id %u listed twice", m->mds[i].id);
	for (i = 1; i < m->shard_count; i++)
		if (m->shards[i].id == m->shards[i - 1].id)
			return cbad(p, "shards: id %u listed twice",
				    m->shards[i].id);
	return 0;
}

void mds_map_arrays_free(struct leofs_map *m)
{
	free(m->nodes);
	free(m->targets);
	free(m->pools);
	free(m->mds);
	free(m->shards);
	free(m->overrides);
	memset(m, 0, sizeof(*m));
}

/* "default_layout" (text form, validated against m), or one derived. */
static int parse_layout(struct cparse *p, json_t *root,
			const struct leofs_map *m, struct mds_layout *out)
{
	json_t *v = json_object_get(root, "default_layout");
	char why[160] = "";

	if (!v) {
		mds_layout_default(m, out);
		return 0;
	}
	if (!json_is_string(v))
		return cbad(p, "default_layout: must be a string");
	if (mds_layout_parse(json_string_value(v), json_string_length(v), m,
			     out, why, sizeof(why)) ||
	    mds_layout_validate(out, m, why, sizeof(why)))
		return cbad(p, "default_layout: %s", why);
	out->generation = 1;
	return 0;
}

static int parse_cluster(json_t *root, const u8 cluster_id[16],
			 struct leofs_map *m, struct mds_layout *layout,
			 struct cparse *p)
{
	static const char *const keys[] = { "nodes",  "pools",	       "mds",
					    "shards", "default_layout", NULL };
	struct mds_layout dummy;
	struct mds_map *enc;
	int rc;

	rc = ckeys(p, root, "(top)", keys);
	if (!rc)
		rc = parse_nodes(p, root, m);
	if (!rc)
		rc = parse_pools(p, root, m);
	if (!rc)
		rc = parse_mds(p, root, m);
	if (!rc)
		rc = parse_shards(p, root, m);
	if (!rc)
		rc = sort_and_check(p, m);
	if (!rc)
		rc = parse_layout(p, root, m, layout ? layout : &dummy);
	if (rc)
		return rc;
	m->epoch = 1;
	memcpy(m->cluster_id, cluster_id, 16);
	/* the encoder checks what is left: unique target ids, limits */
	rc = mds_map_from_struct(m, &enc);
	if (rc)
		return cbad(p, "not a valid map (duplicate target ids?)");
	mds_map_unref(enc);
	return 0;
}

int mds_cluster_parse(const char *text, size_t len, const u8 cluster_id[16],
		      struct leofs_map *out, struct mds_layout *layout,
		      char *err, size_t err_len)
{
	struct cparse p = { err, err_len };
	json_error_t jerr;
	json_t *root;
	int rc;

	memset(out, 0, sizeof(*out));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return cbad(&p, "line %d: %s", jerr.line, jerr.text);
	rc = parse_cluster(root, cluster_id, out, layout, &p);
	json_decref(root);
	if (rc)
		mds_map_arrays_free(out);
	return rc;
}

int mds_cluster_load(const char *path, const u8 cluster_id[16],
		     struct leofs_map *out, struct mds_layout *layout, char *err,
		     size_t err_len)
{
	struct cparse p = { err, err_len };
	json_error_t jerr;
	json_t *root;
	int rc;

	memset(out, 0, sizeof(*out));
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return cbad(&p, "%s:%d: %s", path, jerr.line, jerr.text);
	rc = parse_cluster(root, cluster_id, out, layout, &p);
	json_decref(root);
	if (rc)
		mds_map_arrays_free(out);
	return rc;
}
