// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-oss configuration parsing and validation, and the configured
 * targets opened and checked against their superblocks (see config.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "config.h"

static int fail(char *err, size_t len, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t len, const char *field, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err && len)
		snprintf(err, len, "config: %s: %s", field, msg);
	return -EINVAL;
}

/* Refuse fields that are not in @known (a typo must not go unnoticed). */
static int check_keys(json_t *obj, const char *const *known, const char *where,
		      char *err, size_t len)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		const char *const *k;
		char field[128];

		for (k = known; *k; k++)
			if (!strcmp(*k, key))
				break;
		if (*k)
			continue;
		snprintf(field, sizeof(field), "%s%s%s", where,
			 *where ? "." : "", key);
		return fail(err, len, field, "unknown field");
	}
	return 0;
}

static int get_uint(json_t *obj, const char *key, const char *field,
		    bool required, u64 def, u64 min, u64 max, u64 *out,
		    char *err, size_t len)
{
	json_t *v = json_object_get(obj, key);
	json_int_t n;

	if (!v) {
		if (required)
			return fail(err, len, field, "missing");
		*out = def;
		return 0;
	}
	if (!json_is_integer(v))
		return fail(err, len, field, "must be an integer");
	n = json_integer_value(v);
	if (n < 0 || (u64)n < min || (u64)n > max)
		return fail(err, len, field, "must be between %llu and %llu",
			    (unsigned long long)min, (unsigned long long)max);
	*out = (u64)n;
	return 0;
}

static int get_string(json_t *obj, const char *key, const char *field,
		      size_t max, char **out, char *err, size_t len)
{
	json_t *v = json_object_get(obj, key);
	const char *s;

	if (!v)
		return fail(err, len, field, "missing");
	if (!json_is_string(v))
		return fail(err, len, field, "must be a string");
	s = json_string_value(v);
	if (!*s || strlen(s) > max)
		return fail(err, len, field, "must be 1 to %zu characters",
			    max);
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

static int parse_listen(json_t *root, struct oss_config *cfg, char *err,
			size_t len)
{
	static const char *const known[] = { "address", "port", NULL };
	json_t *l = json_object_get(root, "listen");
	u64 port = 0;
	int r;

	if (!l)
		return fail(err, len, "listen", "missing");
	if (!json_is_object(l))
		return fail(err, len, "listen", "must be an object");
	r = check_keys(l, known, "listen", err, len);
	if (!r)
		r = get_string(l, "address", "listen.address",
			       OSS_CONFIG_ADDR_MAX, &cfg->listen_address, err,
			       len);
	if (!r)
		r = get_uint(l, "port", "listen.port", true, 0, 1, 65535, &port,
			     err, len);
	cfg->listen_port = (u16)port;
	return r;
}

static int parse_target(json_t *t, unsigned int i, struct oss_config *cfg,
			char *err, size_t len)
{
	static const char *const known[] = { "path", "id", "tier", "weight",
					     NULL };
	struct oss_config_target *ct = &cfg->targets[i];
	char where[32], field[64];
	json_t *tier;
	u64 v = 0;
	int r, j;

	snprintf(where, sizeof(where), "targets[%u]", i);
	if (!json_is_object(t))
		return fail(err, len, where, "must be an object");
	r = check_keys(t, known, where, err, len);
	if (r)
		return r;
	snprintf(field, sizeof(field), "%s.path", where);
	r = get_string(t, "path", field, 4000, &ct->path, err, len);
	if (r)
		return r;
	if (ct->path[0] != '/')
		return fail(err, len, field, "must be an absolute path");
	snprintf(field, sizeof(field), "%s.id", where);
	r = get_uint(t, "id", field, true, 0, 0, 0xffffffffu, &v, err, len);
	if (r)
		return r;
	ct->id = (u32)v;
	snprintf(field, sizeof(field), "%s.tier", where);
	tier = json_object_get(t, "tier");
	if (!tier)
		return fail(err, len, field, "missing");
	j = json_is_string(tier) ? oss_tier_parse(json_string_value(tier)) :
				   -EINVAL;
	if (j < 0)
		return fail(err, len, field, "must be one of ssd, sas, sata");
	ct->tier = (u32)j;
	snprintf(field, sizeof(field), "%s.weight", where);
	r = get_uint(t, "weight", field, true, 0, 1, OSS_WEIGHT_MAX, &v, err,
		     len);
	ct->weight = (u32)v;
	if (r)
		return r;
	for (j = 0; j < (int)i; j++) {
		if (cfg->targets[j].id == ct->id) {
			snprintf(field, sizeof(field), "%s.id", where);
			return fail(err, len, field,
				    "duplicate of targets[%d].id", j);
		}
		if (!strcmp(cfg->targets[j].path, ct->path)) {
			snprintf(field, sizeof(field), "%s.path", where);
			return fail(err, len, field,
				    "duplicate of targets[%d].path", j);
		}
	}
	return 0;
}

static int parse_targets(json_t *root, struct oss_config *cfg, char *err,
			 size_t len)
{
	json_t *a = json_object_get(root, "targets");
	size_t i, n;
	int r;

	if (!a)
		return fail(err, len, "targets", "missing");
	if (!json_is_array(a))
		return fail(err, len, "targets", "must be an array");
	n = json_array_size(a);
	if (!n || n > OSS_CONFIG_TARGETS_MAX)
		return fail(err, len, "targets", "must list 1 to %u targets",
			    OSS_CONFIG_TARGETS_MAX);
	cfg->targets = calloc(n, sizeof(*cfg->targets));
	if (!cfg->targets)
		return -ENOMEM;
	cfg->ntargets = (unsigned int)n;
	for (i = 0; i < n; i++) {
		r = parse_target(json_array_get(a, i), (unsigned int)i, cfg,
				 err, len);
		if (r)
			return r;
	}
	return 0;
}

/* "host:port" with a port of 1..65535. */
static bool valid_endpoint(const char *s)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (!colon || colon == s || strlen(s) > OSS_CONFIG_ADDR_MAX)
		return false;
	port = strtol(colon + 1, &end, 10);
	return *(colon + 1) && !*end && port >= 1 && port <= 65535;
}

static int parse_membership(json_t *root, struct oss_config *cfg, char *err,
			    size_t len)
{
	json_t *mds = json_object_get(root, "mds");
	json_t *map = json_object_get(root, "cluster_map");
	char field[32];
	size_t i, n;

	if (mds && map)
		return fail(err, len, "mds",
			    "give either mds or cluster_map, not both");
	if (!mds && !map)
		return fail(err, len, "mds",
			    "missing (or give cluster_map, a static map file)");
	if (map)
		return get_string(root, "cluster_map", "cluster_map", 4000,
				  &cfg->cluster_map, err, len);
	if (!json_is_array(mds))
		return fail(err, len, "mds", "must be an array");
	n = json_array_size(mds);
	if (!n || n > OSS_CONFIG_MDS_MAX)
		return fail(err, len, "mds", "must list 1 to %u addresses",
			    OSS_CONFIG_MDS_MAX);
	cfg->mds = calloc(n, sizeof(*cfg->mds));
	if (!cfg->mds)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		json_t *v = json_array_get(mds, i);

		snprintf(field, sizeof(field), "mds[%zu]", i);
		if (!json_is_string(v) || !valid_endpoint(json_string_value(v)))
			return fail(err, len, field,
				    "must be a \"host:port\" string");
		cfg->mds[i] = strdup(json_string_value(v));
		if (!cfg->mds[i])
			return -ENOMEM;
		cfg->nmds++;
	}
	return 0;
}

static int parse_limits(json_t *root, struct oss_config *cfg, char *err,
			size_t len)
{
	static const char *const known[] = { "max_connections",
					     "max_frame_size",
					     "max_inflight_bytes",
					     "idle_timeout_ms",
					     "coord_memory_bytes", NULL };
	json_t *l = json_object_get(root, "limits");
	json_t *empty = NULL;
	u64 v = 0;
	int r;

	if (l && !json_is_object(l))
		return fail(err, len, "limits", "must be an object");
	if (!l)
		l = empty = json_object();
	r = check_keys(l, known, "limits", err, len);
	if (!r)
		r = get_uint(l, "max_connections", "limits.max_connections",
			     false, 1024, 1, 1000000, &v, err, len);
	cfg->max_connections = (u32)v;
	if (!r)
		r = get_uint(l, "max_frame_size", "limits.max_frame_size",
			     false, OSS_UNIT_MAX + (1u << 20), 4096,
			     (1ull << 30), &v, err, len);
	cfg->max_frame_size = (u32)v;
	if (!r)
		r = get_uint(l, "max_inflight_bytes",
			     "limits.max_inflight_bytes", false, 256ull << 20,
			     4096, 1ull << 40, &v, err, len);
	cfg->max_inflight_bytes = v;
	if (!r)
		r = get_uint(l, "idle_timeout_ms", "limits.idle_timeout_ms",
			     false, 30000, 100, 3600000, &v, err, len);
	cfg->idle_timeout_ms = (u32)v;
	if (!r)
		r = get_uint(l, "coord_memory_bytes",
			     "limits.coord_memory_bytes", false, 1ull << 30,
			     1ull << 20, 1ull << 40, &v, err, len);
	cfg->coord_memory_bytes = v;
	if (!r && cfg->max_inflight_bytes < cfg->max_frame_size)
		r = fail(err, len, "limits.max_inflight_bytes",
			 "must be at least limits.max_frame_size");
	json_decref(empty);
	return r;
}

static int parse_root(json_t *root, struct oss_config *cfg, char *err,
		      size_t len)
{
	static const char *const known[] = {
		"node_id",
		"listen",
		"cluster_id",
		"targets",
		"limits",
		"worker_threads",
		"group_commit_us",
		"reserve_bytes",
		"mds",
		"cluster_map",
		NULL,
	};
	json_t *v;
	u64 n = 0;
	int r;

	if (!json_is_object(root))
		return fail(err, len, "(top level)", "must be an object");
	r = check_keys(root, known, "", err, len);
	if (!r)
		r = get_uint(root, "node_id", "node_id", true, 0, 1,
			     0xffffffffu, &n, err, len);
	cfg->node_id = (u32)n;
	if (r)
		return r;
	r = parse_listen(root, cfg, err, len);
	if (r)
		return r;
	v = json_object_get(root, "cluster_id");
	if (!v)
		return fail(err, len, "cluster_id", "missing");
	if (!json_is_string(v) ||
	    oss_uuid_parse(json_string_value(v), cfg->cluster_id))
		return fail(
			err, len, "cluster_id",
			"must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
	r = parse_targets(root, cfg, err, len);
	if (!r)
		r = parse_limits(root, cfg, err, len);
	if (!r)
		r = get_uint(root, "worker_threads", "worker_threads", false, 4,
			     1, 1024, &n, err, len);
	cfg->worker_threads = (u32)n;
	if (!r)
		r = get_uint(root, "group_commit_us", "group_commit_us", false,
			     500, 0, 1000000, &n, err, len);
	cfg->group_commit_us = (u32)n;
	if (!r)
		r = get_uint(root, "reserve_bytes", "reserve_bytes", false, 0,
			     0, 1ull << 50, &cfg->reserve_bytes, err, len);
	if (!r)
		r = parse_membership(root, cfg, err, len);
	return r;
}

int oss_config_parse(const char *json, struct oss_config *cfg, char *err,
		     size_t err_len)
{
	json_error_t jerr;
	json_t *root;
	int r;

	memset(cfg, 0, sizeof(*cfg));
	root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (err && err_len)
			snprintf(err, err_len, "config: line %d: %s", jerr.line,
				 jerr.text);
		return -EINVAL;
	}
	r = parse_root(root, cfg, err, err_len);
	json_decref(root);
	if (r)
		oss_config_free(cfg);
	return r;
}

int oss_config_load(const char *path, struct oss_config *cfg, char *err,
		    size_t err_len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = fopen(path, "re");
	int r;

	memset(cfg, 0, sizeof(*cfg));
	if (!f) {
		r = -errno;
		snprintf(err, err_len, "config: cannot open %s: %s", path,
			 strerror(errno));
		return r;
	}
	/* a config is small; 1 MiB is plenty */
	buf = malloc(1 << 20);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	size = fread(buf, 1, (1 << 20) - 1, f);
	r = ferror(f) ? -EIO : 0;
	if (!r && !feof(f))
		r = -EFBIG;
	fclose(f);
	if (r) {
		snprintf(err, err_len, "config: cannot read %s: %s", path,
			 strerror(-r));
		free(buf);
		return r;
	}
	buf[size] = 0;
	r = oss_config_parse(buf, cfg, err, err_len);
	free(buf);
	return r;
}

void oss_config_free(struct oss_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->ntargets; i++)
		free(cfg->targets[i].path);
	free(cfg->targets);
	for (i = 0; i < cfg->nmds; i++)
		free(cfg->mds[i]);
	free(cfg->mds);
	free(cfg->listen_address);
	free(cfg->cluster_map);
	memset(cfg, 0, sizeof(*cfg));
}

int oss_config_open_target(const struct oss_config *cfg, unsigned int i,
			   struct oss_target **t, char *err, size_t err_len)
{
	const struct oss_config_target *ct = &cfg->targets[i];
	struct oss_target_opts opts = {
		.reserve_bytes = cfg->reserve_bytes,
		.group_commit_us = cfg->group_commit_us,
	};
	struct oss_statfs st;
	char field[64];
	int r;

	r = oss_target_open(ct->path, cfg->cluster_id, ct->id, &opts, t, err,
			    err_len);
	if (r)
		return r;
	r = oss_target_statfs(*t, &st);
	if (r) {
		snprintf(err, err_len, "statfs: %s", strerror(-r));
	} else if (st.tier != ct->tier) {
		snprintf(field, sizeof(field), "targets[%u].tier", i);
		r = fail(err, err_len, field,
			 "\"%s\", but %s was formatted as %s",
			 oss_tier_name(ct->tier), ct->path,
			 oss_tier_name(st.tier));
	} else if (st.weight != ct->weight) {
		snprintf(field, sizeof(field), "targets[%u].weight", i);
		r = fail(err, err_len, field,
			 "%u, but %s was formatted with weight %u", ct->weight,
			 ct->path, st.weight);
	}
	if (r) {
		oss_target_close(*t);
		*t = NULL;
	}
	return r;
}
