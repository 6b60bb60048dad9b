// SPDX-License-Identifier: GPL-2.0
/* leofs-admin node list / node show: the nodes of the cluster map. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static u32 node_targets(const struct leofs_map *m, u32 node, char *tiers,
			size_t len)
{
	bool seen[LEOFS_TIER_COUNT] = { false };
	size_t off = 0;
	u32 t, n = 0;
	int i;

	for (t = 0; t < m->target_count; t++)
		if (m->targets[t].node_id == node) {
			n++;
			if (m->targets[t].tier < LEOFS_TIER_COUNT)
				seen[m->targets[t].tier] = true;
		}
	tiers[0] = '\0';
	for (i = 0; i < LEOFS_TIER_COUNT; i++)
		if (seen[i] && off < len)
			off += (size_t)snprintf(tiers + off, len - off, "%s%s",
						off ? "," : "",
						admin_tier_name((u32)i));
	return n;
}

static void shard_roles(const struct leofs_map *m, u32 mds, char *buf,
			size_t len)
{
	size_t off = 0;
	u32 i;

	buf[0] = '\0';
	for (i = 0; i < m->shard_count && off < len; i++) {
		const struct leofs_map_shard *s = &m->shards[i];

		if (s->primary_mds == mds)
			off += (size_t)snprintf(buf + off, len - off,
						"%s%u(primary)", off ? "," : "",
						s->id);
		else if (s->secondary_mds == mds)
			off += (size_t)snprintf(buf + off, len - off,
						"%s%u(secondary)",
						off ? "," : "", s->id);
	}
	if (!off)
		snprintf(buf, len, "-");
}

/* Options and at most 'want' positional arguments into pos[] (NULL-ended). */
static int node_args(struct adm *a, int argc, char **argv, int want, char **pos)
{
	static const struct option opts[] = { ADM_GLOBAL_OPTIONS, { 0 } };
	int c, rc, n = 0;

	adm_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		rc = adm_opt_other(a, c, argv);
		if (rc >= 0)
			return rc;
	}
	while (optind < argc) {
		if (n == want)
			return adm_usage_err(a, "unexpected argument '%s'",
					     argv[optind]);
		pos[n++] = argv[optind++];
	}
	pos[n] = NULL;
	return -1;
}

int adm_cmd_node_list(struct adm *a, int argc, char **argv)
{
	static const char *const oss_hdr[] = { "TYPE",	">ID",	    "ADDRESS",
					       "STATE", ">TARGETS", "TIERS" };
	const struct leofs_map *m = &a->map;
	char *pos[1], addr[80], tiers[32], roles[256];
	struct admin_table *t;
	json_t *root, *arr;
	u32 i, n;
	int rc;

	rc = node_args(a, argc, argv, 0, pos);
	if (rc >= 0)
		return rc;
	rc = adm_cluster_open(a);
	if (rc)
		return adm_exit_status(rc);
	if (a->g.json) {
		root = json_pack("{s:I}", "epoch", (json_int_t)m->epoch);
		arr = json_array();
		for (i = 0; i < m->node_count; i++) {
			n = node_targets(m, m->nodes[i].id, tiers,
					 sizeof(tiers));
			json_array_append_new(
				arr,
				json_pack(
					"{s:I, s:o, s:b, s:b, s:I, s:s}", "id",
					(json_int_t)m->nodes[i].id, "address",
					admin_json_addr(&m->nodes[i].addr),
					"up",
					!!(m->nodes[i].state & LEOFS_STATE_UP),
					"in",
					!!(m->nodes[i].state & LEOFS_STATE_IN),
					"targets", (json_int_t)n, "tiers",
					tiers));
		}
		json_object_set_new(root, "oss", arr);
		arr = json_array();
		for (i = 0; i < m->mds_count; i++) {
			shard_roles(m, m->mds[i].id, roles, sizeof(roles));
			json_array_append_new(
				arr,
				json_pack("{s:I, s:o, s:b, s:s}", "id",
					  (json_int_t)m->mds[i].id, "address",
					  admin_json_addr(&m->mds[i].addr),
					  "up",
					  !!(m->mds[i].state & LEOFS_STATE_UP),
					  "shards", roles));
		}
		json_object_set_new(root, "mds", arr);
		return admin_json_print(root, stdout) ? ADM_EXIT_FAIL : 0;
	}
	t = admin_table_new(6, oss_hdr);
	if (!t)
		return ADM_EXIT_FAIL;
	for (i = 0; i < m->node_count; i++) {
		n = node_targets(m, m->nodes[i].id, tiers, sizeof(tiers));
		admin_table_addf(
			t, "oss\t%u\t%s\t%s/%s\t%u\t%s", m->nodes[i].id,
			admin_addr_str(&m->nodes[i].addr, addr, sizeof(addr)),
			admin_up_str(m->nodes[i].state),
			admin_in_str(m->nodes[i].state), n, tiers);
	}
	for (i = 0; i < m->mds_count; i++) {
		shard_roles(m, m->mds[i].id, roles, sizeof(roles));
		admin_table_addf(
			t, "mds\t%u\t%s\t%s\t-\tshards %s", m->mds[i].id,
			admin_addr_str(&m->mds[i].addr, addr, sizeof(addr)),
			admin_up_str(m->mds[i].state), roles);
	}
	admin_table_print(t, stdout);
	admin_table_free(t);
	return 0;
}

static int show_mds(struct adm *a, const struct leofs_map_mds *md)
{
	char addr[80], roles[256];

	shard_roles(&a->map, md->id, roles, sizeof(roles));
	admin_addr_str(&md->addr, addr, sizeof(addr));
	if (a->g.json)
		return admin_json_print(
			       json_pack("{s:s, s:I, s:s, s:b, s:s}", "type",
					 "mds", "id", (json_int_t)md->id,
					 "address", addr, "up",
					 !!(md->state & LEOFS_STATE_UP),
					 "shards", roles),
			       stdout) ?
			       ADM_EXIT_FAIL :
			       0;
	printf("mds %u  %s  %s\nshards: %s\n", md->id, addr,
	       admin_up_str(md->state), roles);
	return 0;
}

static int show_oss(struct adm *a, const struct leofs_map_node *n)
{
	static const char *const hdr[] = {
		">TARGET", "TIER",  ">WEIGHT",	"STATE",       ">CAPACITY",
		">USED",   ">FREE", ">OBJECTS", ">CSUM-ERRORS"
	};
	const struct leofs_map *m = &a->map;
	struct adm_space *sp;
	struct admin_table *t;
	bool *reach;
	char addr[80], b1[32], b2[32], b3[32], b4[24], b5[24];
	json_t *root, *arr, *o;
	u32 i, idx = 0;
	int rc = 0;

	sp = calloc(m->target_count + 1, sizeof(*sp));
	reach = calloc(m->node_count + 1, sizeof(*reach));
	if (!sp || !reach) {
		free(sp);
		free(reach);
		return ADM_EXIT_FAIL;
	}
	for (i = 0; i < m->node_count; i++)
		if (&m->nodes[i] == n)
			idx = i;
	adm_collect_space(a, n->id, sp, reach);
	admin_addr_str(&n->addr, addr, sizeof(addr));
	if (a->g.json) {
		arr = json_array();
		for (i = 0; i < m->target_count; i++) {
			const struct leofs_map_target *tg = &m->targets[i];

			if (tg->node_id != n->id)
				continue;
			o = json_pack("{s:I, s:s, s:f, s:b, s:b, s:b}", "id",
				      (json_int_t)tg->id, "tier",
				      admin_tier_name(tg->tier), "weight",
				      tg->weight / (double)LEOFS_WEIGHT_ONE,
				      "up", !!(tg->state & LEOFS_STATE_UP),
				      "in", !!(tg->state & LEOFS_STATE_IN),
				      "reported", sp[i].reported);
			if (sp[i].reported)
				json_object_update_new(
					o,
					json_pack("{s:I, s:I, s:I, s:I, s:I}",
						  "capacity",
						  (json_int_t)sp[i].st.capacity,
						  "used",
						  (json_int_t)sp[i].st.used,
						  "free",
						  (json_int_t)sp[i].st.free,
						  "objects",
						  (json_int_t)sp[i].st.objects,
						  "checksum_errors",
						  (json_int_t)sp[i]
							  .st.checksum_errors));
			json_array_append_new(arr, o);
		}
		root = json_pack("{s:s, s:I, s:s, s:b, s:b, s:b, s:o}", "type",
				 "oss", "id", (json_int_t)n->id, "address",
				 addr, "up", !!(n->state & LEOFS_STATE_UP),
				 "in", !!(n->state & LEOFS_STATE_IN),
				 "reachable", reach[idx], "targets", arr);
		rc = admin_json_print(root, stdout) ? ADM_EXIT_FAIL : 0;
		goto out;
	}
	printf("oss %u  %s  %s/%s  %s\n", n->id, addr, admin_up_str(n->state),
	       admin_in_str(n->state),
	       reach[idx] ? "reachable" : "unreachable (no space reported)");
	t = admin_table_new(9, hdr);
	for (i = 0; t && i < m->target_count; i++) {
		const struct leofs_map_target *tg = &m->targets[i];

		if (tg->node_id != n->id)
			continue;
		if (!sp[i].reported) {
			admin_table_addf(t,
					 "%u\t%s\t%.2f\t%s/%s\t-\t-\t-\t-\t-",
					 tg->id, admin_tier_name(tg->tier),
					 tg->weight / (double)LEOFS_WEIGHT_ONE,
					 admin_up_str(tg->state),
					 admin_in_str(tg->state));
			continue;
		}
		snprintf(b4, sizeof(b4), "%llu",
			 (unsigned long long)sp[i].st.objects);
		snprintf(b5, sizeof(b5), "%llu",
			 (unsigned long long)sp[i].st.checksum_errors);
		admin_table_addf(
			t, "%u\t%s\t%.2f\t%s/%s\t%s\t%s\t%s\t%s\t%s", tg->id,
			admin_tier_name(tg->tier),
			tg->weight / (double)LEOFS_WEIGHT_ONE,
			admin_up_str(tg->state), admin_in_str(tg->state),
			admin_human_bytes(sp[i].st.capacity, b1, sizeof(b1)),
			admin_human_bytes(sp[i].st.used, b2, sizeof(b2)),
			admin_human_bytes(sp[i].st.free, b3, sizeof(b3)), b4,
			b5);
	}
	if (t) {
		admin_table_print(t, stdout);
		admin_table_free(t);
	}
out:
	free(sp);
	free(reach);
	return rc;
}

int adm_cmd_node_show(struct adm *a, int argc, char **argv)
{
	char *pos[3];
	const char *kind = "oss", *ids;
	const struct leofs_map_node *n;
	const struct leofs_map_mds *md;
	u64 id;
	int rc;

	rc = node_args(a, argc, argv, 2, pos);
	if (rc >= 0)
		return rc;
	if (!pos[0])
		return adm_usage_err(a, "missing node ID");
	ids = pos[0];
	if (pos[1]) {
		kind = pos[0];
		ids = pos[1];
		if (strcmp(kind, "oss") && strcmp(kind, "mds"))
			return adm_usage_err(a,
					     "want 'oss' or 'mds', not "
					     "'%s'",
					     kind);
	}
	if (admin_parse_u64(ids, 1, 0xffffffff, &id))
		return adm_usage_err(a, "bad node ID '%s'", ids);
	rc = adm_cluster_open(a);
	if (rc)
		return adm_exit_status(rc);
	if (!strcmp(kind, "mds")) {
		md = admin_map_mds(&a->map, (u32)id);
		if (!md) {
			adm_err(a, "no MDS %llu in the cluster map",
				(unsigned long long)id);
			return ADM_EXIT_FAIL;
		}
		return show_mds(a, md);
	}
	n = admin_map_node(&a->map, (u32)id);
	if (!n) {
		adm_err(a, "no OSS node %llu in the cluster map",
			(unsigned long long)id);
		return ADM_EXIT_FAIL;
	}
	return show_oss(a, n);
}
