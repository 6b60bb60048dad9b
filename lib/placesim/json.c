// SPDX-License-Identifier: GPL-2.0
/*
 * Cluster description parser (JSON, see Documentation/placement.md).
 * Every field is checked; errors name the offending field by its path.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "placesim.h"

#define GEN_MAX_WEIGHTS 64

struct parse {
	char *err;
	size_t errlen;
};

static int fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Reject keys other than the allowed ones (typos must not pass silently). */
static int check_keys(struct parse *p, json_t *obj, const char *path,
		      const char *const *keys)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return fail(p, "%s: must be an object", path);
	json_object_foreach(obj, key, v) {
		const char *const *k;

		for (k = keys; *k; k++)
			if (!strcmp(*k, key))
				break;
		if (!*k)
			return fail(p, "%s.%s: unknown field", path, key);
	}
	return 0;
}

static int get_u32(struct parse *p, json_t *obj, const char *key,
		   const char *path, u64 min, u64 max, bool required,
		   u32 dflt, u32 *out)
{
	json_t *v = json_object_get(obj, key);
	json_int_t i;

	if (!v) {
		if (required)
			return fail(p, "%s.%s: missing", path, key);
		*out = dflt;
		return 0;
	}
	if (!json_is_integer(v))
		return fail(p, "%s.%s: must be an integer", path, key);
	i = json_integer_value(v);
	if (i < 0 || (u64)i < min || (u64)i > max)
		return fail(p, "%s.%s: must be in [%llu, %llu]", path, key,
			    (unsigned long long)min, (unsigned long long)max);
	*out = (u32)i;
	return 0;
}

/* Weights are TiB as a JSON number; stored 16.16. */
static int parse_weight(struct parse *p, json_t *v, const char *path, u32 *out)
{
	double d;

	if (!json_is_number(v))
		return fail(p, "%s: must be a number", path);
	d = json_number_value(v);
	if (!(d >= 0) || d * LEOFS_WEIGHT_ONE > LEOFS_WEIGHT_MAX)
		return fail(p, "%s: must be in [0, %.0f)", path,
			    (double)LEOFS_WEIGHT_MAX / LEOFS_WEIGHT_ONE);
	*out = (u32)(d * LEOFS_WEIGHT_ONE + 0.5);
	return 0;
}

static int get_bool(struct parse *p, json_t *obj, const char *key,
		    const char *path, bool *out)
{
	json_t *v = json_object_get(obj, key);

	*out = true;
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return fail(p, "%s.%s: must be true or false", path, key);
	*out = json_is_true(v);
	return 0;
}

static int get_state(struct parse *p, json_t *obj, const char *path, u32 *state)
{
	bool up, in;
	int ret;

	ret = get_bool(p, obj, "up", path, &up);
	if (!ret)
		ret = get_bool(p, obj, "in", path, &in);
	if (!ret)
		*state = (up ? LEOFS_STATE_UP : 0) | (in ? LEOFS_STATE_IN : 0);
	return ret;
}

static int get_tier(struct parse *p, json_t *obj, const char *path, u8 *tier)
{
	static const char *const names[] = { "ssd", "sas", "sata" };
	json_t *v = json_object_get(obj, "tier");
	u32 i;

	if (!v)
		return fail(p, "%s.tier: missing", path);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (json_is_string(v) && !strcmp(json_string_value(v), names[i])) {
			*tier = (u8)i;
			return 0;
		}
	}
	return fail(p, "%s.tier: must be \"ssd\", \"sas\" or \"sata\"", path);
}

static int parse_pool(struct parse *p, json_t *o, struct placesim_cluster *c)
{
	static const char *const keys[] = { "id", "name", "tier", "pg_num",
					    "width", NULL };
	struct leofs_map_pool *pool = &c->map.pools[0];
	json_t *name;
	int ret;

	ret = check_keys(p, o, "pool", keys);
	if (!ret)
		ret = get_u32(p, o, "id", "pool", 0, 0xffffffffu, true, 0,
			      &pool->id);
	if (!ret)
		ret = get_tier(p, o, "pool", &pool->tier);
	if (!ret)
		ret = get_u32(p, o, "pg_num", "pool", 1, LEOFS_PG_NUM_MAX, true,
			      0, &pool->pg_num);
	if (!ret)
		ret = get_u32(p, o, "width", "pool", 1, LEOFS_PG_WIDTH_MAX, true,
			      0, &c->width);
	if (ret)
		return ret;
	name = json_object_get(o, "name");
	if (name) {
		if (!json_is_string(name) ||
		    json_string_length(name) > LEOFS_NAME_MAX_POOL)
			return fail(p, "pool.name: must be a string of at most %d "
				    "bytes", LEOFS_NAME_MAX_POOL);
		memcpy(pool->name, json_string_value(name),
		       json_string_length(name));
	}
	c->pool_id = pool->id;
	c->map.pool_count = 1;
	return 0;
}

static int parse_target(struct parse *p, json_t *o, const char *path,
			u32 node_id, struct leofs_map_target *t)
{
	static const char *const keys[] = { "id", "weight", "tier", "up", "in",
					    NULL };
	char wpath[128];
	json_t *w;
	int ret;

	ret = check_keys(p, o, path, keys);
	if (!ret)
		ret = get_u32(p, o, "id", path, 0, 0xffffffffu, true, 0, &t->id);
	if (!ret)
		ret = get_tier(p, o, path, &t->tier);
	if (!ret)
		ret = get_state(p, o, path, &t->state);
	if (ret)
		return ret;
	w = json_object_get(o, "weight");
	if (!w)
		return fail(p, "%s.weight: missing", path);
	snprintf(wpath, sizeof(wpath), "%s.weight", path);
	t->node_id = node_id;
	return parse_weight(p, w, wpath, &t->weight);
}

static int parse_nodes(struct parse *p, json_t *arr, struct placesim_cluster *c)
{
	static const char *const keys[] = { "id", "up", "in", "targets", NULL };
	struct leofs_map *m = &c->map;
	size_t i, j, total = 0;
	char path[64], tpath[96];
	json_t *n, *ts, *t;
	int ret;

	if (!json_is_array(arr) || !json_array_size(arr))
		return fail(p, "nodes: must be a non-empty array");
	if (json_array_size(arr) > LEOFS_MAP_MAX_NODES)
		return fail(p, "nodes: at most %d nodes", LEOFS_MAP_MAX_NODES);
	json_array_foreach(arr, i, n) {
		ts = json_is_object(n) ? json_object_get(n, "targets") : NULL;
		total += json_is_array(ts) ? json_array_size(ts) : 0;
	}
	if (total > LEOFS_MAP_MAX_TARGETS)
		return fail(p, "nodes: at most %d targets in all",
			    LEOFS_MAP_MAX_TARGETS);
	m->nodes = calloc(json_array_size(arr) + 1, sizeof(*m->nodes));
	m->targets = calloc(total + LEOFS_PG_WIDTH_MAX, sizeof(*m->targets));
	if (!m->nodes || !m->targets)
		return -ENOMEM;
	json_array_foreach(arr, i, n) {
		struct leofs_map_node *node = &m->nodes[i];

		snprintf(path, sizeof(path), "nodes[%zu]", i);
		ret = check_keys(p, n, path, keys);
		if (!ret)
			ret = get_u32(p, n, "id", path, 0, 0xffffffffu, true, 0,
				      &node->id);
		if (!ret)
			ret = get_state(p, n, path, &node->state);
		if (ret)
			return ret;
		ts = json_object_get(n, "targets");
		if (!json_is_array(ts))
			return fail(p, "%s.targets: must be an array", path);
		json_array_foreach(ts, j, t) {
			snprintf(tpath, sizeof(tpath), "%s.targets[%zu]", path, j);
			ret = parse_target(p, t, tpath, node->id,
					   &m->targets[m->target_count++]);
			if (ret)
				return ret;
		}
		m->node_count++;
	}
	return 0;
}

static int parse_shards(struct parse *p, json_t *arr, struct leofs_map *m)
{
	static const char *const keys[] = { "id", "weight", NULL };
	char path[64], wpath[80];
	json_t *s, *w;
	size_t i;
	int ret;

	if (!json_is_array(arr) || json_array_size(arr) > LEOFS_MAP_MAX_SHARDS)
		return fail(p, "shards: must be an array of at most %d",
			    LEOFS_MAP_MAX_SHARDS);
	free(m->shards);
	m->shards = calloc(json_array_size(arr) + 1, sizeof(*m->shards));
	if (!m->shards)
		return -ENOMEM;
	json_array_foreach(arr, i, s) {
		struct leofs_map_shard *sh = &m->shards[i];
		u32 id;

		snprintf(path, sizeof(path), "shards[%zu]", i);
		ret = check_keys(p, s, path, keys);
		if (!ret)
			ret = get_u32(p, s, "id", path, 0, 0xffff, true, 0, &id);
		if (ret)
			return ret;
		w = json_object_get(s, "weight");
		if (!w)
			return fail(p, "%s.weight: missing", path);
		snprintf(wpath, sizeof(wpath), "%s.weight", path);
		ret = parse_weight(p, w, wpath, &sh->weight);
		if (ret)
			return ret;
		sh->id = (u16)id;
		m->shard_count++;
	}
	return 0;
}

static int parse_generate(struct parse *p, json_t *o,
			  struct placesim_cluster *c)
{
	static const char *const keys[] = { "nodes", "targets_per_node",
					    "weights", "members_per_target",
					    "width", NULL };
	u32 nodes, tpn, mpt, width, weights[GEN_MAX_WEIGHTS], nw = 0;
	char path[64];
	json_t *ws, *w;
	size_t i;
	int ret;

	ret = check_keys(p, o, "generate", keys);
	if (!ret)
		ret = get_u32(p, o, "nodes", "generate", 1, LEOFS_MAP_MAX_NODES,
			      true, 0, &nodes);
	if (!ret)
		ret = get_u32(p, o, "targets_per_node", "generate", 1, 64, false,
			      1, &tpn);
	if (!ret)
		ret = get_u32(p, o, "members_per_target", "generate", 1, 100000,
			      false, 100, &mpt);
	if (!ret)
		ret = get_u32(p, o, "width", "generate", 1, LEOFS_PG_WIDTH_MAX,
			      true, 0, &width);
	if (ret)
		return ret;
	ws = json_object_get(o, "weights");
	if (!ws) {
		weights[nw++] = LEOFS_WEIGHT_ONE;
	} else {
		if (!json_is_array(ws) || !json_array_size(ws) ||
		    json_array_size(ws) > GEN_MAX_WEIGHTS)
			return fail(p, "generate.weights: must be an array of 1 "
				    "to %d numbers", GEN_MAX_WEIGHTS);
		json_array_foreach(ws, i, w) {
			snprintf(path, sizeof(path), "generate.weights[%zu]", i);
			ret = parse_weight(p, w, path, &weights[nw]);
			if (ret)
				return ret;
			if (!weights[nw])
				return fail(p, "%s: must be > 0", path);
			nw++;
		}
	}
	if ((u64)nodes * tpn > LEOFS_MAP_MAX_TARGETS)
		return fail(p, "generate: nodes x targets_per_node above %d",
			    LEOFS_MAP_MAX_TARGETS);
	if ((u64)mpt * nodes * tpn / width > LEOFS_PG_NUM_MAX ||
	    (u64)mpt * nodes * tpn / width == 0)
		return fail(p, "generate: pg_num (members_per_target x targets "
			    "/ width) must be in [1, %u]", LEOFS_PG_NUM_MAX);
	ret = placesim_generate(c, nodes, tpn, weights, nw, mpt, width);
	return ret == -EINVAL ? fail(p, "generate: invalid parameters") : ret;
}

static int cmp_node(const void *a, const void *b)
{
	const struct leofs_map_node *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_target(const void *a, const void *b)
{
	const struct leofs_map_target *x = a, *y = b;

	if (x->node_id != y->node_id)
		return x->node_id < y->node_id ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* Sort into map order and reject duplicate ids. */
static int finish(struct parse *p, struct leofs_map *m)
{
	u32 *ids, i;

	qsort(m->nodes, m->node_count, sizeof(*m->nodes), cmp_node);
	for (i = 1; i < m->node_count; i++)
		if (m->nodes[i].id == m->nodes[i - 1].id)
			return fail(p, "nodes: duplicate id %u", m->nodes[i].id);
	qsort(m->targets, m->target_count, sizeof(*m->targets), cmp_target);
	ids = malloc((m->target_count + 1) * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (i = 0; i < m->target_count; i++)
		ids[i] = m->targets[i].id;
	qsort(ids, m->target_count, sizeof(*ids), cmp_u32);
	for (i = 1; i < m->target_count; i++) {
		if (ids[i] == ids[i - 1]) {
			u32 dup = ids[i];

			free(ids);
			return fail(p, "targets: duplicate id %u", dup);
		}
	}
	free(ids);
	for (i = 1; i < m->shard_count; i++) {
		u32 j;

		for (j = 0; j < i; j++)
			if (m->shards[i].id == m->shards[j].id)
				return fail(p, "shards: duplicate id %u",
					    m->shards[i].id);
	}
	return 0;
}

static int parse_root(struct parse *p, json_t *root,
		      struct placesim_cluster *c)
{
	static const char *const keys[] = { "epoch", "pool", "nodes", "shards",
					    "generate", NULL };
	struct leofs_map *m = &c->map;
	json_t *gen, *v;
	int ret;

	ret = check_keys(p, root, "(top)", keys);
	if (ret)
		return ret;
	gen = json_object_get(root, "generate");
	if (gen) {
		if (json_object_get(root, "pool") || json_object_get(root, "nodes"))
			return fail(p, "generate: excludes \"pool\" and \"nodes\"");
		ret = parse_generate(p, gen, c);
	} else {
		if (!json_object_get(root, "pool"))
			return fail(p, "pool: missing");
		if (!json_object_get(root, "nodes"))
			return fail(p, "nodes: missing");
		m->pools = calloc(1, sizeof(*m->pools));
		m->mds = calloc(1, sizeof(*m->mds));
		m->shards = calloc(1, sizeof(*m->shards));
		if (!m->pools || !m->mds || !m->shards)
			return -ENOMEM;
		ret = parse_pool(p, json_object_get(root, "pool"), c);
		if (!ret)
			ret = parse_nodes(p, json_object_get(root, "nodes"), c);
	}
	if (ret)
		return ret;
	v = json_object_get(root, "epoch");
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return fail(p, "epoch: must be a non-negative integer");
		m->epoch = (u64)json_integer_value(v);
	} else {
		m->epoch = 1;
	}
	v = json_object_get(root, "shards");
	if (v) {
		ret = parse_shards(p, v, m);
		if (ret)
			return ret;
	}
	return finish(p, m);
}

int placesim_parse_json(const char *text, size_t len,
			struct placesim_cluster *c, char *err, size_t errlen)
{
	struct parse p = { .err = err, .errlen = errlen };
	json_error_t jerr;
	json_t *root;
	int ret;

	memset(c, 0, sizeof(*c));
	if (errlen)
		err[0] = 0;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return fail(&p, "line %d column %d: %s", jerr.line, jerr.column,
			    jerr.text);
	ret = parse_root(&p, root, c);
	json_decref(root);
	if (ret) {
		if (ret == -ENOMEM && errlen && !err[0])
			snprintf(err, errlen, "out of memory");
		placesim_cluster_free(c);
	}
	return ret;
}

int placesim_load_file(const char *path, struct placesim_cluster *c,
		       char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int ret;

	if (!f) {
		snprintf(err, errlen, "%s: cannot open", path);
		return -errno;
	}
	for (;;) {
		if (len == cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				snprintf(err, errlen, "out of memory");
				return -ENOMEM;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (!n)
			break;
		len += n;
	}
	ret = ferror(f) ? -EIO : 0;
	fclose(f);
	if (ret)
		snprintf(err, errlen, "%s: read error", path);
	else
		ret = placesim_parse_json(buf, len, c, err, errlen);
	free(buf);
	return ret;
}
