// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-admin status: the cluster on one screen. Everything comes from
 * the cluster map, except space: each OSS is asked for its targets'
 * space (TARGET_STATFS); the MDS's STATFS gives the cluster total the
 * namespace reports, used when OSS nodes do not answer.
 *
 * PG health depends on a layout's width and min_size, and the map holds
 * no per-pool default layout. A pool is evaluated for the schemes given
 * with --layout POOL=SCHEME; without them, for the root directory's
 * scheme (the layout new directories inherit) in its pool, and for
 * replica:3 in every other pool.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

#define MAX_PROFILES 64

struct profile {
	u32 pool_id;
	struct leofs_layout l;
};

void adm_collect_space(struct adm *a, u32 only_node, struct adm_space *out,
		       bool *reachable)
{
	const struct leofs_map *m = &a->map;
	struct leofs_target_statfs_req req;
	struct leofs_rpc_reply raw;
	struct leofs_rpc *r;
	u32 n, t;

	memset(out, 0, m->target_count * sizeof(*out));
	for (n = 0; n < m->node_count; n++) {
		reachable[n] = false;
		if (only_node && m->nodes[n].id != only_node)
			continue;
		if (adm_oss_connect(a, &m->nodes[n], &r))
			continue;
		reachable[n] = true;
		for (t = 0; t < m->target_count; t++) {
			if (m->targets[t].node_id != m->nodes[n].id)
				continue;
			req.target_id = m->targets[t].id;
			if (leofs_rpc_call(r, LEOFS_OP_TARGET_STATFS, &req,
					   sizeof(req), &out[t].st,
					   sizeof(out[t].st), &raw,
					   a->g.timeout_ms))
				continue;
			leofs_rpc_reply_free(&raw);
			out[t].reported = out[t].st.status == LEOFS_S_OK;
		}
		leofs_rpc_close(r);
	}
}

static int add_profile(struct adm *a, struct profile *p, int *np, u32 pool,
		       const struct leofs_layout *l)
{
	int i;

	for (i = 0; i < *np; i++)
		if (p[i].pool_id == pool && p[i].l.scheme == l->scheme &&
		    p[i].l.k == l->k && p[i].l.m == l->m)
			return 0;
	if (*np == MAX_PROFILES) {
		adm_usage_err(a, "at most %d --layout options", MAX_PROFILES);
		return -E2BIG;
	}
	p[*np].pool_id = pool;
	p[*np].l = *l;
	(*np)++;
	return 0;
}

static int parse_layout_opt(struct adm *a, const char *arg, struct profile *p,
			    int *np, bool *pending, char **names)
{
	const char *eq = strchr(arg, '=');
	struct leofs_layout l = { 0 };

	if (!eq || eq == arg || admin_parse_scheme(eq + 1, &l))
		return adm_usage_err(a,
				     "--layout: want POOL=ec:K+M or "
				     "POOL=replica:N, not '%s'",
				     arg);
	/* pools are known only once the map is in: keep the name */
	names[*np] = strndup(arg, (size_t)(eq - arg));
	pending[*np] = true;
	return add_profile(a, p, np, 0, &l) ? ADM_EXIT_USAGE : 0;
}

/* Root directory layout, or scheme NONE if it cannot be read. */
static void root_layout(struct adm *a, struct leofs_layout *l)
{
	if (leofs_ns_layout(a->ns, LEOFS_ROOT_INO, l))
		memset(l, 0, sizeof(*l));
}

static json_t *shard_ids(const struct leofs_map *m, u32 mds, bool primary)
{
	json_t *arr = json_array();
	u32 i;

	for (i = 0; arr && i < m->shard_count; i++)
		if ((primary ? m->shards[i].primary_mds :
			       m->shards[i].secondary_mds) == mds)
			json_array_append_new(arr,
					      json_integer(m->shards[i].id));
	return arr;
}

static void shard_list(const struct leofs_map *m, u32 mds, bool primary,
		       char *buf, size_t len)
{
	size_t off = 0;
	u32 i;

	buf[0] = '\0';
	for (i = 0; i < m->shard_count && off < len; i++)
		if ((primary ? m->shards[i].primary_mds :
			       m->shards[i].secondary_mds) == mds)
			off += (size_t)snprintf(buf + off, len - off, "%s%u",
						off ? "," : "",
						m->shards[i].id);
	if (!off)
		snprintf(buf, len, "-");
}

struct pool_space {
	u32 targets, reported;
	u64 capacity, used, free;
};

static void pool_space(const struct leofs_map *m, const struct adm_space *sp,
		       const struct leofs_map_pool *p, struct pool_space *ps)
{
	u32 t;

	memset(ps, 0, sizeof(*ps));
	for (t = 0; t < m->target_count; t++) {
		const struct leofs_map_target *tg = &m->targets[t];

		if (tg->tier != p->tier || !(tg->state & LEOFS_STATE_IN))
			continue;
		ps->targets++;
		if (!sp[t].reported)
			continue;
		ps->reported++;
		ps->capacity += sp[t].st.capacity;
		ps->used += sp[t].st.used;
		ps->free += sp[t].st.free;
	}
}

static json_t *json_status(struct adm *a, const struct adm_space *sp,
			   const bool *reachable,
			   const struct admin_pg_health *h, int nh,
			   const struct leofs_statfs_reply *fs)
{
	const struct leofs_map *m = &a->map;
	json_t *root, *arr, *o, *ts;
	char uuid[40];
	u32 i, t;
	int k;

	admin_format_uuid(m->cluster_id, uuid);
	root = json_pack("{s:s, s:I, s:s}", "cluster_id", uuid, "epoch",
			 (json_int_t)m->epoch, "mds_contacted",
			 leofs_ns_contacted(a->ns));
	if (!root)
		return NULL;
	arr = json_array();
	for (i = 0; i < m->mds_count; i++) {
		const struct leofs_map_mds *md = &m->mds[i];

		o = json_pack("{s:I, s:o, s:b, s:o, s:o}", "id",
			      (json_int_t)md->id, "address",
			      admin_json_addr(&md->addr), "up",
			      !!(md->state & LEOFS_STATE_UP), "primary_shards",
			      shard_ids(m, md->id, true), "secondary_shards",
			      shard_ids(m, md->id, false));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "mds", arr);
	arr = json_array();
	for (i = 0; i < m->node_count; i++) {
		const struct leofs_map_node *n = &m->nodes[i];

		ts = json_array();
		for (t = 0; t < m->target_count; t++) {
			const struct leofs_map_target *tg = &m->targets[t];

			if (tg->node_id != n->id)
				continue;
			o = json_pack("{s:I, s:s, s:f, s:b, s:b, s:s}", "id",
				      (json_int_t)tg->id, "tier",
				      admin_tier_name(tg->tier), "weight",
				      tg->weight / (double)LEOFS_WEIGHT_ONE,
				      "up", !!(tg->state & LEOFS_STATE_UP),
				      "in", !!(tg->state & LEOFS_STATE_IN),
				      "space_source",
				      sp[t].reported ? "oss" : "none");
			if (sp[t].reported) {
				json_object_set_new(
					o, "capacity",
					json_integer(
						(json_int_t)sp[t].st.capacity));
				json_object_set_new(
					o, "used",
					json_integer(
						(json_int_t)sp[t].st.used));
				json_object_set_new(
					o, "free",
					json_integer(
						(json_int_t)sp[t].st.free));
				json_object_set_new(
					o, "objects",
					json_integer(
						(json_int_t)sp[t].st.objects));
				json_object_set_new(
					o, "checksum_errors",
					json_integer(
						(json_int_t)sp[t]
							.st.checksum_errors));
			}
			json_array_append_new(ts, o);
		}
		o = json_pack("{s:I, s:o, s:b, s:b, s:b, s:o}", "id",
			      (json_int_t)n->id, "address",
			      admin_json_addr(&n->addr), "up",
			      !!(n->state & LEOFS_STATE_UP), "in",
			      !!(n->state & LEOFS_STATE_IN), "reachable",
			      reachable[i], "targets", ts);
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "oss", arr);
	arr = json_array();
	for (k = 0; k < nh; k++) {
		o = admin_json_pg_health(&h[k]);
		json_object_set_new(
			o, "pool",
			json_string(
				admin_map_pool_by_id(m, h[k].pool_id)->name));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "pg_health", arr);
	arr = json_array();
	for (i = 0; i < m->pool_count; i++) {
		struct pool_space ps;

		pool_space(m, sp, &m->pools[i], &ps);
		o = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}",
			      "id", (json_int_t)m->pools[i].id, "name",
			      m->pools[i].name, "tier",
			      admin_tier_name(m->pools[i].tier), "pg_num",
			      (json_int_t)m->pools[i].pg_num, "targets",
			      (json_int_t)ps.targets, "targets_reported",
			      (json_int_t)ps.reported, "capacity",
			      (json_int_t)ps.capacity, "used",
			      (json_int_t)ps.used, "free", (json_int_t)ps.free);
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "pools", arr);
	if (fs)
		json_object_set_new(
			root, "statfs",
			json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "source",
				  "mds", "bytes",
				  (json_int_t)(fs->blocks * fs->bsize),
				  "free_bytes",
				  (json_int_t)(fs->bfree * fs->bsize),
				  "avail_bytes",
				  (json_int_t)(fs->bavail * fs->bsize), "files",
				  (json_int_t)fs->files, "files_free",
				  (json_int_t)fs->ffree));
	else
		json_object_set_new(root, "statfs", json_null());
	return root;
}

static int print_tables(struct adm *a, const struct adm_space *sp,
			const bool *reachable, const struct admin_pg_health *h,
			int nh, const struct leofs_statfs_reply *fs)
{
	static const char *const mds_hdr[] = { ">ID", "ADDRESS", "STATE",
					       "PRIMARY", "SECONDARY" };
	static const char *const oss_hdr[] = { ">NODE",	  "ADDRESS", "STATE",
					       ">TARGET", "TIER",    ">WEIGHT",
					       "TSTATE",  ">USED",   ">FREE",
					       "SPACE" };
	static const char *const pg_hdr[] = { "POOL",	   "SCHEME",
					      ">MIN",	   ">PGS",
					      ">CLEAN",	   ">DEGRADED",
					      ">READ-ONLY" };
	static const char *const cap_hdr[] = { "POOL",	  "TIER",  ">TARGETS",
					       ">SIZE",	  ">USED", ">FREE",
					       "REPORTED" };
	const struct leofs_map *m = &a->map;
	struct admin_table *t;
	char uuid[40], b1[32], b2[32], b3[32], b4[64], b5[64], addr[80];
	u32 i, j;
	int k;

	admin_format_uuid(m->cluster_id, uuid);
	printf("cluster %s  map epoch %llu  (map from %s)\n\n", uuid,
	       (unsigned long long)m->epoch, leofs_ns_contacted(a->ns));

	t = admin_table_new(5, mds_hdr);
	for (i = 0; t && i < m->mds_count; i++) {
		shard_list(m, m->mds[i].id, true, b4, sizeof(b4));
		shard_list(m, m->mds[i].id, false, b5, sizeof(b5));
		admin_table_addf(
			t, "%u\t%s\t%s\t%s\t%s", m->mds[i].id,
			admin_addr_str(&m->mds[i].addr, addr, sizeof(addr)),
			admin_up_str(m->mds[i].state), b4, b5);
	}
	if (!t)
		return -ENOMEM;
	printf("Metadata servers (shards)\n");
	admin_table_print(t, stdout);
	admin_table_free(t);

	t = admin_table_new(10, oss_hdr);
	for (i = 0; t && i < m->node_count; i++) {
		const struct leofs_map_node *n = &m->nodes[i];
		char nstate[32];

		snprintf(nstate, sizeof(nstate), "%s/%s%s",
			 admin_up_str(n->state), admin_in_str(n->state),
			 reachable[i] ? "" : " unreachable");
		for (j = 0; j < m->target_count; j++) {
			const struct leofs_map_target *tg = &m->targets[j];

			if (tg->node_id != n->id)
				continue;
			if (sp[j].reported) {
				admin_human_bytes(sp[j].st.used, b2,
						  sizeof(b2));
				admin_human_bytes(sp[j].st.free, b3,
						  sizeof(b3));
			} else {
				strcpy(b2, "-");
				strcpy(b3, "-");
			}
			admin_table_addf(
				t,
				"%u\t%s\t%s\t%u\t%s\t%.2f\t%s/%s\t%s\t%s\t%s",
				n->id, admin_addr_str(&n->addr, b4, sizeof(b4)),
				nstate, tg->id, admin_tier_name(tg->tier),
				tg->weight / (double)LEOFS_WEIGHT_ONE,
				admin_up_str(tg->state),
				admin_in_str(tg->state), b2, b3,
				sp[j].reported ? "oss" : "not reported");
		}
	}
	if (!t)
		return -ENOMEM;
	printf("\nStorage servers and targets\n");
	admin_table_print(t, stdout);
	admin_table_free(t);

	t = admin_table_new(7, pg_hdr);
	for (k = 0; t && k < nh; k++) {
		struct leofs_layout l = { .scheme = h[k].scheme,
					  .k = h[k].k,
					  .m = h[k].m };
		const char *pool = admin_map_pool_by_id(m, h[k].pool_id)->name;

		admin_scheme_str(&l, b1, sizeof(b1));
		if (h[k].error)
			admin_table_addf(t, "%s\t%s\t%u\t%u\t%s\t%s\t%s", pool,
					 b1, h[k].min_size, h[k].pg_num,
					 "too few nodes for this width", "",
					 "");
		else
			admin_table_addf(t, "%s\t%s\t%u\t%u\t%u\t%u\t%u", pool,
					 b1, h[k].min_size, h[k].pg_num,
					 h[k].clean, h[k].degraded,
					 h[k].readonly);
	}
	if (!t)
		return -ENOMEM;
	printf("\nPlacement groups\n");
	admin_table_print(t, stdout);
	admin_table_free(t);

	t = admin_table_new(7, cap_hdr);
	for (i = 0; t && i < m->pool_count; i++) {
		struct pool_space ps;
		char rep[32];

		pool_space(m, sp, &m->pools[i], &ps);
		snprintf(rep, sizeof(rep), "%u/%u targets", ps.reported,
			 ps.targets);
		admin_table_addf(
			t, "%s\t%s\t%u\t%s\t%s\t%s\t%s", m->pools[i].name,
			admin_tier_name(m->pools[i].tier), ps.targets,
			admin_human_bytes(ps.capacity, b1, sizeof(b1)),
			admin_human_bytes(ps.used, b2, sizeof(b2)),
			admin_human_bytes(ps.free, b3, sizeof(b3)), rep);
	}
	if (!t)
		return -ENOMEM;
	printf("\nCapacity (raw, from the storage servers)\n");
	admin_table_print(t, stdout);
	admin_table_free(t);
	if (fs)
		printf("\nCluster total reported by the MDS (statfs): %s, "
		       "%s free, %llu inodes used\n",
		       admin_human_bytes(fs->blocks * fs->bsize, b1,
					 sizeof(b1)),
		       admin_human_bytes(fs->bfree * fs->bsize, b2, sizeof(b2)),
		       (unsigned long long)(fs->files - fs->ffree));
	else
		printf("\nCluster total: the MDS did not answer STATFS\n");
	return 0;
}

int adm_cmd_status(struct adm *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "layout", required_argument, NULL, 'l' },
		ADM_GLOBAL_OPTIONS,
		{ 0 },
	};
	struct profile prof[MAX_PROFILES];
	bool pending[MAX_PROFILES] = { false };
	char *names[MAX_PROFILES] = { NULL };
	struct admin_pg_health h[MAX_PROFILES];
	struct leofs_statfs_reply fs;
	struct leofs_ino_req sreq = { .ino = 1 };
	struct leofs_rpc_reply raw;
	struct leofs_layout root;
	struct adm_space *sp = NULL;
	struct leofs_rpc *r;
	bool *reachable = NULL, have_fs = false;
	int np = 0, nh = 0, c, rc, i;
	u32 p;

	adm_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'l') {
			rc = parse_layout_opt(a, optarg, prof, &np, pending,
					      names);
			if (rc)
				goto out;
			continue;
		}
		rc = adm_opt_other(a, c, argv);
		if (rc >= 0)
			goto out;
	}
	if (optind < argc) {
		rc = adm_usage_err(a, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	rc = adm_exit_status(adm_cluster_open(a));
	if (rc)
		goto out;
	rc = ADM_EXIT_FAIL;
	for (i = 0; i < np; i++) {
		const struct leofs_map_pool *pl =
			admin_map_pool_by_name(&a->map, names[i]);
		u64 id;

		if (!pl && !admin_parse_u64(names[i], 0, 0xffffffff, &id))
			pl = admin_map_pool_by_id(&a->map, (u32)id);
		if (!pl) {
			adm_err(a, "--layout: no pool '%s' in the cluster map",
				names[i]);
			goto out;
		}
		prof[i].pool_id = pl->id;
	}
	if (!np) {
		root_layout(a, &root);
		if (root.scheme != LEOFS_LAYOUT_NONE &&
		    admin_map_pool_by_id(&a->map, root.pool_id))
			add_profile(a, prof, &np, root.pool_id, &root);
		for (p = 0; p < a->map.pool_count; p++) {
			struct leofs_layout r3 = {
				.scheme = LEOFS_LAYOUT_REPLICA, .k = 1, .m = 2
			};
			bool seen = false;

			for (i = 0; i < np; i++)
				seen |= prof[i].pool_id == a->map.pools[p].id;
			if (!seen)
				add_profile(a, prof, &np, a->map.pools[p].id,
					    &r3);
		}
	}
	for (i = 0; i < np; i++) {
		if (admin_pg_health(&a->map, prof[i].pool_id, prof[i].l.scheme,
				    prof[i].l.k, prof[i].l.m, &h[nh])) {
			adm_err(a, "PG table of pool %u: cannot be computed",
				prof[i].pool_id);
			goto out;
		}
		nh++;
	}
	sp = calloc(a->map.target_count + 1, sizeof(*sp));
	reachable = calloc(a->map.node_count + 1, sizeof(*reachable));
	if (!sp || !reachable) {
		adm_err(a, "out of memory");
		goto out;
	}
	adm_collect_space(a, 0, sp, reachable);
	leofs_creds_self(&sreq.creds);
	if (!adm_mds_for_ino(a, 1, &r) &&
	    !leofs_rpc_call(r, LEOFS_OP_STATFS, &sreq, sizeof(sreq), &fs,
			    sizeof(fs), &raw, a->g.timeout_ms)) {
		leofs_rpc_reply_free(&raw);
		have_fs = fs.status == LEOFS_S_OK;
	}
	if (a->g.json)
		rc = admin_json_print(json_status(a, sp, reachable, h, nh,
						  have_fs ? &fs : NULL),
				      stdout);
	else
		rc = print_tables(a, sp, reachable, h, nh,
				  have_fs ? &fs : NULL);
	if (rc) {
		adm_err(a, "out of memory");
		rc = ADM_EXIT_FAIL;
	}
out:
	for (i = 0; i < np; i++)
		free(names[i]);
	free(sp);
	free(reachable);
	return rc;
}
