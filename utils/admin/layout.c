// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-admin layout get / layout set: a directory's (or file's) layout,
 * through GET_LAYOUT and SET_LAYOUT at the MDS serving the inode. A new
 * layout is checked here first (leofs_layout_check(), the pool, and
 * enough nodes for its width) so that a refusal says why.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static int get_layout(struct adm *a, u64 ino, struct leofs_layout *l)
{
	int rc = leofs_ns_layout(a->ns, ino, l);

	if (rc)
		adm_err(a, "%s", leofs_ns_why());
	return rc;
}

static int print_layout(struct adm *a, const char *path,
			const struct leofs_attr *attr,
			const struct leofs_layout *l)
{
	const struct leofs_map_pool *p =
		admin_map_pool_by_id(&a->map, l->pool_id);
	char scheme[32], unit[32];
	json_t *o;

	if (a->g.json) {
		o = admin_json_layout(l, &a->map);
		if (!o)
			return ADM_EXIT_FAIL;
		json_object_set_new(o, "path", json_string(path));
		json_object_set_new(o, "ino",
				    json_integer((json_int_t)attr->ino));
		return admin_json_print(o, stdout) ? ADM_EXIT_FAIL : 0;
	}
	admin_scheme_str(l, scheme, sizeof(scheme));
	if (l->scheme == LEOFS_LAYOUT_NONE) {
		printf("%s: no layout\n", path);
		return 0;
	}
	admin_human_bytes(l->stripe_unit, unit, sizeof(unit));
	printf("path          %s\n"
	       "pool          %s (id %u)\n"
	       "scheme        %s\n"
	       "stripe unit   %u (%s)\n"
	       "stripe count  %u\n"
	       "generation    %llu\n",
	       path, p ? p->name : "(not in the map)", l->pool_id, scheme,
	       l->stripe_unit, unit, l->stripe_count,
	       (unsigned long long)l->generation);
	return 0;
}

int adm_cmd_layout_get(struct adm *a, int argc, char **argv)
{
	static const struct option opts[] = { ADM_GLOBAL_OPTIONS, { 0 } };
	struct leofs_attr attr;
	struct leofs_layout l;
	const char *path;
	int c, rc;

	adm_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		rc = adm_opt_other(a, c, argv);
		if (rc >= 0)
			return rc;
	}
	rc = adm_ns_path_arg(a, argc, argv, &path);
	if (rc >= 0)
		return rc;
	rc = adm_cluster_open(a);
	if (rc)
		return adm_exit_status(rc);
	rc = adm_resolve(a, path, &attr);
	if (rc)
		return rc == -EINVAL ? ADM_EXIT_USAGE : ADM_EXIT_FAIL;
	if (get_layout(a, attr.ino, &l))
		return ADM_EXIT_FAIL;
	return print_layout(a, path, &attr, &l);
}

int adm_cmd_layout_set(struct adm *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pool", required_argument, NULL, 'p' },
		{ "replica", required_argument, NULL, 'r' },
		{ "ec", required_argument, NULL, 'e' },
		{ "unit", required_argument, NULL, 'u' },
		{ "count", required_argument, NULL, 'c' },
		ADM_GLOBAL_OPTIONS,
		{ 0 },
	};
	struct leofs_layout want = { 0 }, cur;
	struct leofs_set_layout_req req;
	struct leofs_status_reply rep;
	struct leofs_rpc_reply raw;
	const struct leofs_map_pool *pool = NULL;
	const char *path, *pool_arg = NULL;
	struct leofs_attr attr;
	struct leofs_rpc *r;
	bool scheme = false, unit = false, count = false;
	u32 reason, targets, nodes;
	char buf[32], st[64];
	u64 v;
	int c, rc;

	adm_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pool_arg = optarg;
			break;
		case 'r':
			if (scheme)
				return adm_usage_err(a, "give one of --replica "
							"and --ec");
			if (admin_parse_u64(optarg, 1, LEOFS_REPLICA_MAX, &v))
				return adm_usage_err(a,
						     "--replica: want 1..%d "
						     "copies, not '%s'",
						     LEOFS_REPLICA_MAX, optarg);
			want.scheme = LEOFS_LAYOUT_REPLICA;
			want.k = 1;
			want.m = (u8)(v - 1);
			scheme = true;
			break;
		case 'e':
			if (scheme)
				return adm_usage_err(a, "give one of --replica "
							"and --ec");
			if (admin_parse_ec(optarg, &want.k, &want.m))
				return adm_usage_err(a,
						     "--ec: want K+M with K "
						     "2..%d and M 1..%d, not "
						     "'%s'",
						     LEOFS_EC_MAX_K,
						     LEOFS_EC_MAX_M, optarg);
			want.scheme = LEOFS_LAYOUT_EC;
			scheme = true;
			break;
		case 'u':
			if (admin_parse_bytes(optarg, &v) || v > 0xffffffffu)
				return adm_usage_err(a,
						     "--unit: not a size: "
						     "'%s'",
						     optarg);
			want.stripe_unit = (u32)v;
			unit = true;
			break;
		case 'c':
			if (admin_parse_u64(optarg, 0, 0xffffffffu, &v))
				return adm_usage_err(a,
						     "--count: not a number: "
						     "'%s'",
						     optarg);
			want.stripe_count = (u32)v;
			count = true;
			break;
		default:
			rc = adm_opt_other(a, c, argv);
			if (rc >= 0)
				return rc;
		}
	}
	rc = adm_ns_path_arg(a, argc, argv, &path);
	if (rc >= 0)
		return rc;
	if (!pool_arg && !scheme && !unit && !count)
		return adm_usage_err(a, "nothing to change: give --pool, "
					"--replica, --ec, --unit or --count");
	rc = adm_cluster_open(a);
	if (rc)
		return adm_exit_status(rc);
	if (pool_arg) {
		pool = admin_map_pool_by_name(&a->map, pool_arg);
		if (!pool && !admin_parse_u64(pool_arg, 0, 0xffffffffu, &v))
			pool = admin_map_pool_by_id(&a->map, (u32)v);
		if (!pool) {
			adm_err(a,
				"no pool '%s' in the cluster map (see "
				"'leofs-admin pool list')",
				pool_arg);
			return ADM_EXIT_FAIL;
		}
	}
	rc = adm_resolve(a, path, &attr);
	if (rc)
		return rc == -EINVAL ? ADM_EXIT_USAGE : ADM_EXIT_FAIL;
	if (get_layout(a, attr.ino, &cur))
		return ADM_EXIT_FAIL;

	/* start from the current layout, change what was given */
	if (cur.scheme == LEOFS_LAYOUT_NONE) {
		if (!scheme || !pool) {
			adm_err(a,
				"%s has no layout yet: give --pool and "
				"--replica or --ec",
				path);
			return ADM_EXIT_FAIL;
		}
		cur.stripe_unit = 1u << 20;
		cur.stripe_count = 1;
	}
	if (pool)
		cur.pool_id = pool->id;
	if (scheme) {
		cur.scheme = want.scheme;
		cur.k = want.k;
		cur.m = want.m;
	}
	if (unit)
		cur.stripe_unit = want.stripe_unit;
	if (count)
		cur.stripe_count = want.stripe_count;
	if (leofs_layout_check(&cur, &reason)) {
		adm_err(a, "invalid layout: %s", leofs_layout_strerror(reason));
		return ADM_EXIT_FAIL;
	}
	pool = admin_map_pool_by_id(&a->map, cur.pool_id);
	if (!pool) {
		adm_err(a, "invalid layout: pool %u is not in the cluster map",
			cur.pool_id);
		return ADM_EXIT_FAIL;
	}
	admin_pool_members(&a->map, pool, &targets, &nodes);
	if ((u32)cur.k + cur.m > nodes) {
		adm_err(a,
			"invalid layout: %s needs %u nodes with a %s target, "
			"pool %s has %u",
			admin_scheme_str(&cur, buf, sizeof(buf)),
			(u32)cur.k + cur.m, admin_tier_name(pool->tier),
			pool->name, nodes);
		return ADM_EXIT_FAIL;
	}

	memset(&req, 0, sizeof(req));
	leofs_creds_self(&req.creds);
	req.ino = attr.ino;
	req.layout = cur;
	rc = adm_mds_for_ino(a, attr.ino, &r);
	if (!rc)
		rc = adm_call(a, r, LEOFS_OP_SET_LAYOUT, &req, sizeof(req),
			      &rep, sizeof(rep), &raw);
	if (rc)
		return ADM_EXIT_FAIL;
	leofs_rpc_reply_free(&raw);
	if (rep.status) {
		const char *why =
			rep.status == LEOFS_S_BUSY ?
				"the file already has data" :
			rep.status == LEOFS_S_PERM ?
				"only the owner (or root) may change it" :
				adm_status_str(rep.status, st, sizeof(st));

		adm_err(a, "%s: the MDS refused the layout: %s", path, why);
		return ADM_EXIT_FAIL;
	}
	if (get_layout(a, attr.ino, &cur))
		return ADM_EXIT_FAIL;
	return print_layout(a, path, &attr, &cur);
}
