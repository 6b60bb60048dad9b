// SPDX-License-Identifier: GPL-2.0
/* Parsing and validation of the leofs-mds JSON configuration. */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

static int bad(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err && len) {
		n = snprintf(err, len, "config: ");
		va_start(ap, fmt);
		if (n > 0 && (size_t)n < len)
			vsnprintf(err + n, len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* An integer in min..max; absent: *v keeps its default unless required. */
static int get_uint(json_t *obj, const char *key, const char *field, u64 min,
		    u64 max, bool required, u64 *v, char *err, size_t len)
{
	json_t *j = json_object_get(obj, key);
	json_int_t i;

	if (!j) {
		if (required)
			return bad(err, len, "%s: missing", field);
		return 0;
	}
	if (!json_is_integer(j))
		return bad(err, len, "%s: must be an integer", field);
	i = json_integer_value(j);
	if (i < 0 || (u64)i < min || (u64)i > max)
		return bad(err, len, "%s: must be %llu..%llu", field,
			   (unsigned long long)min, (unsigned long long)max);
	*v = (u64)i;
	return 0;
}

static int get_str(json_t *obj, const char *key, const char *field, char *out,
		   size_t cap, char *err, size_t len)
{
	json_t *j = json_object_get(obj, key);
	const char *s;

	if (!j)
		return bad(err, len, "%s: missing", field);
	if (!json_is_string(j))
		return bad(err, len, "%s: must be a string", field);
	s = json_string_value(j);
	if (!*s || strlen(s) >= cap)
		return bad(err, len, "%s: must be 1..%zu bytes", field,
			   cap - 1);
	strcpy(out, s);
	return 0;
}

static int check_keys(json_t *obj, const char *where, const char *const *known,
		      char *err, size_t len)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(obj, key, v)
	{
		for (i = 0; known[i]; i++)
			if (!strcmp(key, known[i]))
				break;
		if (!known[i])
			return bad(err, len, "%s%s: unknown field", where, key);
	}
	return 0;
}

static int parse_uuid(const char *s, u8 *out)
{
	int n = 0, hi = -1, d;

	for (; *s; s++) {
		if (*s == '-')
			continue;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -EINVAL;
		if (n == 16)
			return -EINVAL;
		if (hi < 0) {
			hi = d;
		} else {
			out[n++] = (u8)(hi << 4 | d);
			hi = -1;
		}
	}
	return n == 16 && hi < 0 ? 0 : -EINVAL;
}

/*
 * "map": { "authority": true, "heartbeat_grace_ms": 15000,
 *          "down_out_ms": 60000 } or
 * "map": { "authority": false, "address": "10.0.0.1", "port": 7100 }
 */
static int parse_map(json_t *root, struct mds_config *cfg, char *err,
		     size_t len)
{
	static const char *const keys[] = { "authority", "address", "port",
					    "heartbeat_grace_ms", "down_out_ms",
					    NULL };
	json_t *j = json_object_get(root, "map"), *a;
	u8 addr[16];
	u64 v;
	int rc;

	if (!j)
		return 0;
	if (!json_is_object(j))
		return bad(err, len, "map: must be an object");
	rc = check_keys(j, "map.", keys, err, len);
	if (rc)
		return rc;
	a = json_object_get(j, "authority");
	if (a && !json_is_boolean(a))
		return bad(err, len, "map.authority: must be true or false");
	if (a)
		cfg->map_authority = json_is_true(a);
	v = cfg->heartbeat_grace_ms;
	rc = get_uint(j, "heartbeat_grace_ms", "map.heartbeat_grace_ms", 100,
		      3600000, false, &v, err, len);
	if (rc)
		return rc;
	cfg->heartbeat_grace_ms = (u32)v;
	v = cfg->down_out_ms;
	rc = get_uint(j, "down_out_ms", "map.down_out_ms", 0, 86400000, false,
		      &v, err, len);
	if (rc)
		return rc;
	cfg->down_out_ms = (u32)v;
	if (cfg->map_authority) {
		if (json_object_get(j, "address") || json_object_get(j, "port"))
			return bad(err, len,
				   "map: address and port are for followers");
		return 0;
	}
	rc = get_str(j, "address", "map.address", cfg->authority_address,
		     sizeof(cfg->authority_address), err, len);
	if (rc)
		return rc;
	if (inet_pton(AF_INET, cfg->authority_address, addr) != 1 &&
	    inet_pton(AF_INET6, cfg->authority_address, addr) != 1)
		return bad(err, len,
			   "map.address: not an IPv4 or IPv6 address");
	rc = get_uint(j, "port", "map.port", 1, 65535, true, &v, err, len);
	if (rc)
		return rc;
	cfg->authority_port = (u16)v;
	return 0;
}

/* "delete": { "poll_ms": 1000, "retry_max_ms": 60000 } */
static int parse_delete(json_t *root, struct mds_config *cfg, char *err,
			size_t len)
{
	static const char *const keys[] = { "poll_ms", "retry_max_ms", NULL };
	json_t *j = json_object_get(root, "delete");
	u64 v;
	int rc;

	if (!j)
		return 0;
	if (!json_is_object(j))
		return bad(err, len, "delete: must be an object");
	rc = check_keys(j, "delete.", keys, err, len);
	if (rc)
		return rc;
	v = cfg->delete_poll_ms;
	rc = get_uint(j, "poll_ms", "delete.poll_ms", 10, 3600000, false, &v,
		      err, len);
	if (rc)
		return rc;
	cfg->delete_poll_ms = (u32)v;
	v = cfg->delete_retry_max_ms;
	rc = get_uint(j, "retry_max_ms", "delete.retry_max_ms", 100, 86400000,
		      false, &v, err, len);
	if (rc)
		return rc;
	cfg->delete_retry_max_ms = (u32)v;
	return 0;
}

static int parse_root(json_t *root, struct mds_config *cfg, char *err,
		      size_t len)
{
	static const char *const top[] = { "node_id",  "cluster_id", "listen",
					   "data_dir", "shards",     "limits",
					   "map",      "delete",     NULL };
	static const char *const lkeys[] = { "address", "port", NULL };
	static const char *const limkeys[] = { "max_connections",
					       "max_frame_size",
					       "max_sessions",
					       "reply_cache_size",
					       "max_inflight_bytes",
					       "idle_timeout_ms",
					       "session_timeout_ms",
					       "workers",
					       NULL };
	char uuid[64], field[32];
	u8 addr[16];
	json_t *j, *e;
	size_t i, k;
	u64 v;
	int rc;

	if (!json_is_object(root))
		return bad(err, len, "top level must be an object");
	rc = check_keys(root, "", top, err, len);
	if (rc)
		return rc;
	rc = get_uint(root, "node_id", "node_id", 1, UINT32_MAX, true, &v, err,
		      len);
	if (rc)
		return rc;
	cfg->node_id = (u32)v;
	rc = get_str(root, "cluster_id", "cluster_id", uuid, sizeof(uuid), err,
		     len);
	if (rc)
		return rc;
	if (parse_uuid(uuid, cfg->cluster_id))
		return bad(err, len, "cluster_id: must be 32 hex digits");

	j = json_object_get(root, "listen");
	if (!j)
		return bad(err, len, "listen: missing");
	if (!json_is_object(j))
		return bad(err, len, "listen: must be an object");
	rc = check_keys(j, "listen.", lkeys, err, len);
	if (!rc)
		rc = get_str(j, "address", "listen.address",
			     cfg->listen_address, sizeof(cfg->listen_address),
			     err, len);
	if (rc)
		return rc;
	if (inet_pton(AF_INET, cfg->listen_address, addr) != 1 &&
	    inet_pton(AF_INET6, cfg->listen_address, addr) != 1)
		return bad(err, len,
			   "listen.address: not an IPv4 or IPv6 address");
	rc = get_uint(j, "port", "listen.port", 1, 65535, true, &v, err, len);
	if (rc)
		return rc;
	cfg->port = (u16)v;

	rc = get_str(root, "data_dir", "data_dir", cfg->data_dir,
		     sizeof(cfg->data_dir), err, len);
	if (rc)
		return rc;
	if (cfg->data_dir[0] != '/')
		return bad(err, len, "data_dir: must be an absolute path");

	j = json_object_get(root, "shards");
	if (!j)
		return bad(err, len, "shards: missing");
	if (!json_is_array(j) || !json_array_size(j) ||
	    json_array_size(j) > MDS_CONFIG_MAX_SHARDS)
		return bad(err, len, "shards: must be an array of 1..%d ids",
			   MDS_CONFIG_MAX_SHARDS);
	json_array_foreach(j, i, e)
	{
		json_int_t id = json_integer_value(e);

		if (!json_is_integer(e) || id < 0 || id > 65535)
			return bad(err, len, "shards[%zu]: must be 0..65535",
				   i);
		for (k = 0; k < i; k++)
			if (cfg->shards[k] == id)
				return bad(err, len,
					   "shards[%zu]: %d listed twice", i,
					   (int)id);
		cfg->shards[i] = (u16)id;
	}
	cfg->nr_shards = (u32)json_array_size(j);

	rc = parse_map(root, cfg, err, len);
	if (!rc)
		rc = parse_delete(root, cfg, err, len);
	if (rc)
		return rc;

	j = json_object_get(root, "limits");
	if (!j)
		return 0;
	if (!json_is_object(j))
		return bad(err, len, "limits: must be an object");
	rc = check_keys(j, "limits.", limkeys, err, len);
	if (rc)
		return rc;
	struct {
		const char *key;
		u64 min, max;
		u32 *out;
	} lim[] = {
		{ "max_connections", 1, 65536, &cfg->max_connections },
		{ "max_frame_size", 4096, MDS_FRAME_SIZE_MAX,
		  &cfg->max_frame_size },
		{ "max_sessions", 1, 1 << 20, &cfg->max_sessions },
		{ "reply_cache_size", 1, 65536, &cfg->reply_cache_size },
		{ "max_inflight_bytes", 65536, 1u << 30,
		  &cfg->max_inflight_bytes },
		{ "idle_timeout_ms", 100, 3600000, &cfg->idle_timeout_ms },
		{ "session_timeout_ms", 1000, 86400000,
		  &cfg->session_timeout_ms },
		{ "workers", 1, 1024, &cfg->workers },
	};
	for (i = 0; i < ARRAY_SIZE(lim); i++) {
		v = *lim[i].out;
		snprintf(field, sizeof(field), "limits.%s", lim[i].key);
		rc = get_uint(j, lim[i].key, field, lim[i].min, lim[i].max,
			      false, &v, err, len);
		if (rc)
			return rc;
		*lim[i].out = (u32)v;
	}
	return 0;
}

static void defaults(struct mds_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_connections = 1024;
	cfg->max_frame_size = MDS_FRAME_SIZE_MAX;
	cfg->max_sessions = 4096;
	cfg->reply_cache_size = 64;
	cfg->max_inflight_bytes = 64u << 20;
	cfg->idle_timeout_ms = 30000;
	cfg->session_timeout_ms = 600000;
	cfg->workers = 128;
	cfg->map_authority = true;
	cfg->heartbeat_grace_ms = 15000;
	cfg->down_out_ms = 60000;
	cfg->delete_poll_ms = 1000;
	cfg->delete_retry_max_ms = 60000;
}

int mds_config_parse(const char *text, size_t tlen, struct mds_config *cfg,
		     char *err, size_t len)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	defaults(cfg);
	root = json_loadb(text, tlen, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return bad(err, len, "line %d: %s", jerr.line, jerr.text);
	rc = parse_root(root, cfg, err, len);
	json_decref(root);
	return rc;
}

int mds_config_load(const char *path, struct mds_config *cfg, char *err,
		    size_t len)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	defaults(cfg);
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return bad(err, len, "%s:%d: %s", path, jerr.line, jerr.text);
	rc = parse_root(root, cfg, err, len);
	json_decref(root);
	return rc;
}
