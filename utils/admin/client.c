// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-admin client list / show / stats: the leofs mounts of this
 * machine, from the kernel module's generic netlink family "leofs"
 * (include/leofs/netlink.h, Documentation/kernel.md), through libnl-3.
 */
#include <errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leofs/netlink.h"
#include "tool.h"

#define MAX_RPC_TYPES 64

struct mnt {
	u32 id;
	char source[256];
	char fsname[72];
	u64 epoch;
	bool have_stats;
	u64 stat[6]; /* retries .. map_updates */
	u32 nrpc;
	struct {
		u16 opcode;
		char name[32];
		u64 count;
	} rpc[MAX_RPC_TYPES];
};

struct conn {
	u32 mount_id;
	char addr[64];
	char state[16];
	u32 inflight;
	u64 session;
	s32 last_error;
	u32 state_ms;
};

struct dump {
	struct mnt *m;
	u32 nm, mcap;
	struct conn *c;
	u32 nc, ccap;
	int err;
};

static const char *const stat_names[6] = { "retries",	   "timeouts",
					   "reconnects",   "bad_frames",
					   "late_replies", "map_updates" };

static void copy_str(char *dst, size_t len, struct nlattr *a)
{
	snprintf(dst, len, "%s", a ? nla_get_string(a) : "");
}

static struct mnt *mount_slot(struct dump *d, u32 id)
{
	struct mnt *grown;
	u32 i;

	for (i = 0; i < d->nm; i++)
		if (d->m[i].id == id)
			return &d->m[i];
	if (d->nm == d->mcap) {
		d->mcap = d->mcap ? 2 * d->mcap : 8;
		grown = realloc(d->m, d->mcap * sizeof(*grown));
		if (!grown)
			return NULL;
		d->m = grown;
	}
	memset(&d->m[d->nm], 0, sizeof(d->m[0]));
	d->m[d->nm].id = id;
	return &d->m[d->nm++];
}

static int on_msg(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[LEOFS_A_MAX + 1], *nest, *rt[LEOFS_A_MAX + 1];
	struct dump *d = arg;
	struct mnt *m;
	struct conn *c;
	int rem, i;

	if (genlmsg_parse(nlh, 0, tb, LEOFS_A_MAX, NULL) ||
	    !tb[LEOFS_A_MOUNT_ID]) {
		d->err = -EBADMSG;
		return NL_SKIP;
	}
	if (gh->cmd == LEOFS_CMD_CONN_LIST) {
		if (d->nc == d->ccap) {
			struct conn *grown;

			d->ccap = d->ccap ? 2 * d->ccap : 8;
			grown = realloc(d->c, d->ccap * sizeof(*grown));
			if (!grown) {
				d->err = -ENOMEM;
				return NL_STOP;
			}
			d->c = grown;
		}
		c = &d->c[d->nc++];
		memset(c, 0, sizeof(*c));
		c->mount_id = nla_get_u32(tb[LEOFS_A_MOUNT_ID]);
		copy_str(c->addr, sizeof(c->addr), tb[LEOFS_A_CONN_ADDR]);
		copy_str(c->state, sizeof(c->state), tb[LEOFS_A_CONN_STATE]);
		if (tb[LEOFS_A_CONN_INFLIGHT])
			c->inflight = nla_get_u32(tb[LEOFS_A_CONN_INFLIGHT]);
		if (tb[LEOFS_A_CONN_SESSION])
			c->session = nla_get_u64(tb[LEOFS_A_CONN_SESSION]);
		if (tb[LEOFS_A_CONN_LAST_ERROR])
			c->last_error =
				(s32)nla_get_u32(tb[LEOFS_A_CONN_LAST_ERROR]);
		if (tb[LEOFS_A_CONN_STATE_MS])
			c->state_ms = nla_get_u32(tb[LEOFS_A_CONN_STATE_MS]);
		return NL_OK;
	}
	m = mount_slot(d, nla_get_u32(tb[LEOFS_A_MOUNT_ID]));
	if (!m) {
		d->err = -ENOMEM;
		return NL_STOP;
	}
	if (tb[LEOFS_A_MAP_EPOCH])
		m->epoch = nla_get_u64(tb[LEOFS_A_MAP_EPOCH]);
	if (gh->cmd == LEOFS_CMD_MOUNT_LIST) {
		copy_str(m->source, sizeof(m->source), tb[LEOFS_A_SOURCE]);
		copy_str(m->fsname, sizeof(m->fsname), tb[LEOFS_A_FSNAME]);
		return NL_OK;
	}
	m->have_stats = true;
	for (i = 0; i < 6; i++)
		if (tb[LEOFS_A_STAT_RETRIES + i])
			m->stat[i] = nla_get_u64(tb[LEOFS_A_STAT_RETRIES + i]);
	nla_for_each_attr(nest, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			  rem)
	{
		if (nla_type(nest) != LEOFS_A_RPC || m->nrpc == MAX_RPC_TYPES)
			continue;
		if (nla_parse_nested(rt, LEOFS_A_MAX, nest, NULL))
			continue;
		if (rt[LEOFS_A_RPC_OPCODE])
			m->rpc[m->nrpc].opcode =
				nla_get_u16(rt[LEOFS_A_RPC_OPCODE]);
		copy_str(m->rpc[m->nrpc].name, sizeof(m->rpc[0].name),
			 rt[LEOFS_A_RPC_NAME]);
		if (rt[LEOFS_A_RPC_COUNT])
			m->rpc[m->nrpc].count =
				nla_get_u64(rt[LEOFS_A_RPC_COUNT]);
		m->nrpc++;
	}
	return NL_OK;
}

static int dump_cmd(struct adm *a, struct nl_sock *sk, int family, u8 cmd,
		    struct dump *d)
{
	struct nl_msg *msg = nlmsg_alloc();
	int rc;

	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_DUMP,
			 cmd, LEOFS_GENL_VERSION)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	rc = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (rc >= 0)
		rc = nl_recvmsgs_default(sk);
	if (rc < 0) {
		adm_err(a, "kernel module: %s", nl_geterror(rc));
		return -EIO;
	}
	if (d->err) {
		adm_err(a, "kernel module: malformed netlink message");
		return d->err;
	}
	return 0;
}

/* Fetches mounts, connections and stats; 0 or an exit status. */
static int fetch(struct adm *a, struct dump *d)
{
	struct nl_sock *sk = nl_socket_alloc();
	int family, rc = ADM_EXIT_FAIL;

	memset(d, 0, sizeof(*d));
	if (!sk || genl_connect(sk)) {
		adm_err(a, "cannot open a generic netlink socket");
		goto out;
	}
	family = genl_ctrl_resolve(sk, LEOFS_GENL_NAME);
	if (family < 0) {
		adm_err(a,
			"leofs kernel module not loaded (no generic "
			"netlink family '%s')",
			LEOFS_GENL_NAME);
		goto out;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_msg, d);
	if (dump_cmd(a, sk, family, LEOFS_CMD_MOUNT_LIST, d) ||
	    dump_cmd(a, sk, family, LEOFS_CMD_CONN_LIST, d) ||
	    dump_cmd(a, sk, family, LEOFS_CMD_STATS_GET, d))
		goto out;
	rc = 0;
out:
	nl_socket_free(sk);
	return rc;
}

static json_t *json_mount(const struct dump *d, const struct mnt *m, bool stats)
{
	json_t *o, *arr, *s;
	u32 i;

	o = json_pack("{s:I, s:s, s:s, s:I}", "mount_id", (json_int_t)m->id,
		      "source", m->source, "fsname", m->fsname, "map_epoch",
		      (json_int_t)m->epoch);
	arr = json_array();
	for (i = 0; i < d->nc; i++) {
		const struct conn *c = &d->c[i];

		if (c->mount_id != m->id)
			continue;
		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:I, s:I, s:i, s:I}",
				       "address", c->addr, "state", c->state,
				       "inflight", (json_int_t)c->inflight,
				       "session", (json_int_t)c->session,
				       "last_error", c->last_error, "state_ms",
				       (json_int_t)c->state_ms));
	}
	json_object_set_new(o, "connections", arr);
	if (!stats || !m->have_stats)
		return o;
	s = json_object();
	for (i = 0; i < 6; i++)
		json_object_set_new(s, stat_names[i],
				    json_integer((json_int_t)m->stat[i]));
	arr = json_object();
	for (i = 0; i < m->nrpc; i++)
		json_object_set_new(arr, m->rpc[i].name,
				    json_integer((json_int_t)m->rpc[i].count));
	json_object_set_new(s, "rpcs", arr);
	json_object_set_new(o, "stats", s);
	return o;
}

static void print_conns(const struct dump *d, u32 mount_id)
{
	static const char *const hdr[] = { ">MOUNT",	 "SERVER",    "STATE",
					   ">FOR",	 ">INFLIGHT", "SESSION",
					   ">LAST-ERROR" };
	struct admin_table *t = admin_table_new(7, hdr);
	u32 i;

	for (i = 0; t && i < d->nc; i++) {
		const struct conn *c = &d->c[i];

		if (mount_id && c->mount_id != mount_id)
			continue;
		admin_table_addf(t, "%u\t%s\t%s\t%u.%03us\t%u\t%llx\t%d",
				 c->mount_id, c->addr, c->state,
				 c->state_ms / 1000, c->state_ms % 1000,
				 c->inflight, (unsigned long long)c->session,
				 c->last_error);
	}
	if (t && admin_table_rows(t))
		admin_table_print(t, stdout);
	else
		printf("no connections\n");
	admin_table_free(t);
}

static void print_stats(const struct mnt *m)
{
	u32 i;

	printf("mount %u statistics\n", m->id);
	for (i = 0; i < 6; i++)
		printf("  %-13s %llu\n", stat_names[i],
		       (unsigned long long)m->stat[i]);
	printf("  requests sent:");
	for (i = 0; i < m->nrpc; i++)
		if (m->rpc[i].count)
			printf(" %s=%llu", m->rpc[i].name,
			       (unsigned long long)m->rpc[i].count);
	printf("\n");
}

static void dump_free(struct dump *d)
{
	free(d->m);
	free(d->c);
}

/* Parses options and at most one MOUNT_ID; -1 to go on, else exit. */
static int client_args(struct adm *a, int argc, char **argv, bool need_id,
		       u32 *id)
{
	static const struct option opts[] = { ADM_GLOBAL_OPTIONS, { 0 } };
	u64 v;
	int c, rc;

	adm_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		rc = adm_opt_other(a, c, argv);
		if (rc >= 0)
			return rc;
	}
	*id = 0;
	if (optind < argc) {
		if (!need_id && !strcmp(a->cmd, "client list"))
			return adm_usage_err(a, "unexpected argument '%s'",
					     argv[optind]);
		if (admin_parse_u64(argv[optind], 0, 0xffffffffu, &v))
			return adm_usage_err(a, "bad MOUNT_ID '%s'",
					     argv[optind]);
		*id = (u32)v;
		if (++optind < argc)
			return adm_usage_err(a, "unexpected argument '%s'",
					     argv[optind]);
	} else if (need_id) {
		return adm_usage_err(a, "missing MOUNT_ID (see 'leofs-admin "
					"client list')");
	}
	return -1;
}

int adm_cmd_client_list(struct adm *a, int argc, char **argv)
{
	static const char *const hdr[] = { ">MOUNT", "SOURCE", "FSNAME",
					   ">EPOCH", "CONNECTIONS" };
	struct admin_table *t;
	struct dump d;
	json_t *arr;
	u32 id, i, j, ready, total;
	int rc;

	rc = client_args(a, argc, argv, false, &id);
	if (rc >= 0)
		return rc;
	rc = fetch(a, &d);
	if (rc)
		goto out;
	if (a->g.json) {
		arr = json_array();
		for (i = 0; i < d.nm; i++)
			json_array_append_new(arr,
					      json_mount(&d, &d.m[i], false));
		rc = admin_json_print(json_pack("{s:o}", "mounts", arr),
				      stdout) ?
			     ADM_EXIT_FAIL :
			     0;
		goto out;
	}
	if (!d.nm) {
		printf("no leofs mounts\n");
		goto out;
	}
	t = admin_table_new(5, hdr);
	for (i = 0; t && i < d.nm; i++) {
		for (j = 0, ready = 0, total = 0; j < d.nc; j++) {
			if (d.c[j].mount_id != d.m[i].id)
				continue;
			total++;
			ready += !strcmp(d.c[j].state, "ready");
		}
		admin_table_addf(
			t, "%u\t%s\t%s\t%llu\t%u ready of %u", d.m[i].id,
			d.m[i].source, d.m[i].fsname[0] ? d.m[i].fsname : "-",
			(unsigned long long)d.m[i].epoch, ready, total);
	}
	if (t) {
		admin_table_print(t, stdout);
		admin_table_free(t);
	}
	printf("\n");
	print_conns(&d, 0);
out:
	dump_free(&d);
	return rc;
}

static const struct mnt *find_mount(struct adm *a, const struct dump *d, u32 id)
{
	u32 i;

	for (i = 0; i < d->nm; i++)
		if (d->m[i].id == id)
			return &d->m[i];
	adm_err(a,
		"no leofs mount with id %u (see 'leofs-admin client "
		"list')",
		id);
	return NULL;
}

int adm_cmd_client_show(struct adm *a, int argc, char **argv)
{
	const struct mnt *m;
	struct dump d;
	u32 id;
	int rc;

	rc = client_args(a, argc, argv, true, &id);
	if (rc >= 0)
		return rc;
	rc = fetch(a, &d);
	if (rc)
		goto out;
	m = find_mount(a, &d, id);
	if (!m) {
		rc = ADM_EXIT_FAIL;
		goto out;
	}
	if (a->g.json) {
		rc = admin_json_print(json_mount(&d, m, true), stdout) ?
			     ADM_EXIT_FAIL :
			     0;
		goto out;
	}
	printf("mount %u  source %s  fsname %s  map epoch %llu\n\n", m->id,
	       m->source, m->fsname[0] ? m->fsname : "-",
	       (unsigned long long)m->epoch);
	print_conns(&d, m->id);
	printf("\n");
	print_stats(m);
out:
	dump_free(&d);
	return rc;
}

int adm_cmd_client_stats(struct adm *a, int argc, char **argv)
{
	const struct mnt *m;
	struct dump d;
	json_t *arr;
	u32 id, i;
	int rc;

	rc = client_args(a, argc, argv, false, &id);
	if (rc >= 0)
		return rc;
	rc = fetch(a, &d);
	if (rc)
		goto out;
	if (id && !find_mount(a, &d, id)) {
		rc = ADM_EXIT_FAIL;
		goto out;
	}
	if (a->g.json) {
		arr = json_array();
		for (i = 0; i < d.nm; i++)
			if (!id || d.m[i].id == id)
				json_array_append_new(
					arr, json_mount(&d, &d.m[i], true));
		rc = admin_json_print(json_pack("{s:o}", "mounts", arr),
				      stdout) ?
			     ADM_EXIT_FAIL :
			     0;
		goto out;
	}
	if (!d.nm)
		printf("no leofs mounts\n");
	for (i = 0; i < d.nm; i++) {
		m = &d.m[i];
		if (!id || m->id == id)
			print_stats(m);
	}
out:
	dump_free(&d);
	return rc;
}
