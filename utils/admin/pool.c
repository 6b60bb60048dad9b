// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-admin pool list / pool create.
 *
 * Creating a pool is a map change made by the map authority: POOL_CREATE
 * goes to the MDS the tool reached; any other MDS (or a server without
 * the message) answers NOTSUP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

int adm_cmd_pool_list(struct adm *a, int argc, char **argv)
{
	static const struct option opts[] = { ADM_GLOBAL_OPTIONS, { 0 } };
	static const char *const hdr[] = { ">ID",  "NAME",     "TIER",
					   ">PGS", ">TARGETS", ">NODES" };
	const struct leofs_map *m = &a->map;
	struct admin_table *t;
	json_t *arr;
	u32 i, nt, nn;
	int c, rc;

	adm_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		rc = adm_opt_other(a, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (optind < argc)
		return adm_usage_err(a, "unexpected argument '%s'",
				     argv[optind]);
	rc = adm_cluster_open(a);
	if (rc)
		return adm_exit_status(rc);
	if (a->g.json) {
		arr = json_array();
		for (i = 0; i < m->pool_count; i++) {
			admin_pool_members(m, &m->pools[i], &nt, &nn);
			json_array_append_new(
				arr,
				json_pack("{s:I, s:s, s:s, s:I, s:I, s:I}",
					  "id", (json_int_t)m->pools[i].id,
					  "name", m->pools[i].name, "tier",
					  admin_tier_name(m->pools[i].tier),
					  "pg_num",
					  (json_int_t)m->pools[i].pg_num,
					  "targets", (json_int_t)nt, "nodes",
					  (json_int_t)nn));
		}
		return admin_json_print(json_pack("{s:I, s:o}", "epoch",
						  (json_int_t)m->epoch, "pools",
						  arr),
					stdout) ?
			       ADM_EXIT_FAIL :
			       0;
	}
	t = admin_table_new(6, hdr);
	if (!t)
		return ADM_EXIT_FAIL;
	for (i = 0; i < m->pool_count; i++) {
		admin_pool_members(m, &m->pools[i], &nt, &nn);
		admin_table_addf(t, "%u\t%s\t%s\t%u\t%u\t%u", m->pools[i].id,
				 m->pools[i].name,
				 admin_tier_name(m->pools[i].tier),
				 m->pools[i].pg_num, nt, nn);
	}
	admin_table_print(t, stdout);
	admin_table_free(t);
	return 0;
}

int adm_cmd_pool_create(struct adm *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tier", required_argument, NULL, 't' },
		{ "pgs", required_argument, NULL, 'p' },
		ADM_GLOBAL_OPTIONS,
		{ 0 },
	};
	struct leofs_pool_create_reply rep;
	struct leofs_pool_create_req req;
	struct leofs_rpc_reply raw;
	struct leofs_rpc *r;
	const char *name, *s;
	int c, rc, tier = -1;
	u64 pgs = 0;
	char st[64];

	adm_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			tier = admin_parse_tier(optarg);
			if (tier < 0)
				return adm_usage_err(a,
						     "--tier: want ssd, sas "
						     "or sata, not '%s'",
						     optarg);
			break;
		case 'p':
			if (admin_parse_u64(optarg, 1, 1u << 20, &pgs))
				return adm_usage_err(a,
						     "--pgs: want 1..%u, "
						     "not '%s'",
						     1u << 20, optarg);
			break;
		default:
			rc = adm_opt_other(a, c, argv);
			if (rc >= 0)
				return rc;
		}
	}
	rc = adm_one_arg(a, argc, argv, "pool NAME", &name);
	if (rc >= 0)
		return rc;
	if (!*name || strlen(name) > LEOFS_NAME_MAX_POOL)
		return adm_usage_err(a, "pool names are 1..%d characters",
				     LEOFS_NAME_MAX_POOL);
	for (s = name; *s; s++)
		if (*s <= ' ' || *s > '~')
			return adm_usage_err(a, "pool names are printable "
						"ASCII without spaces");
	if (tier < 0)
		return adm_usage_err(a, "--tier is required");
	if (!pgs)
		return adm_usage_err(a, "--pgs is required");
	rc = adm_cluster_open(a);
	if (rc)
		return adm_exit_status(rc);
	if (admin_map_pool_by_name(&a->map, name)) {
		adm_err(a, "a pool named '%s' exists already", name);
		return ADM_EXIT_FAIL;
	}
	req.name.data = name;
	req.name.len = (u32)strlen(name);
	req.tier = (u8)tier;
	req.pg_num = (u32)pgs;
	rc = leofs_ns_first_rpc(a->ns, &r);
	if (rc)
		adm_err(a, "%s", leofs_ns_why());
	else
		rc = adm_call(a, r, LEOFS_OP_POOL_CREATE, &req, sizeof(req),
			      &rep, sizeof(rep), &raw);
	if (rc)
		return ADM_EXIT_FAIL;
	leofs_rpc_reply_free(&raw);
	if (rep.status == LEOFS_S_NOTSUP) {
		adm_err(a,
			"not supported by this cluster (the MDS at %s is not "
			"the map authority or does not know POOL_CREATE)",
			leofs_ns_contacted(a->ns));
		return ADM_EXIT_FAIL;
	}
	if (rep.status == LEOFS_S_EXIST) {
		adm_err(a, "a pool named '%s' exists already", name);
		return ADM_EXIT_FAIL;
	}
	if (rep.status) {
		adm_err(a, "refused: %s",
			adm_status_str(rep.status, st, sizeof(st)));
		return ADM_EXIT_FAIL;
	}
	if (a->g.json)
		return admin_json_print(json_pack("{s:s, s:I, s:s, s:I, s:I}",
						  "pool", name, "id",
						  (json_int_t)rep.pool_id,
						  "tier",
						  admin_tier_name((u32)tier),
						  "pg_num", (json_int_t)pgs,
						  "epoch",
						  (json_int_t)rep.map_epoch),
					stdout) ?
			       ADM_EXIT_FAIL :
			       0;
	printf("pool %s created (id %u, %s, %llu PGs) in map epoch %llu\n",
	       name, rep.pool_id, admin_tier_name((u32)tier),
	       (unsigned long long)pgs, (unsigned long long)rep.map_epoch);
	return 0;
}
