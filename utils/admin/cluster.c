// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-admin: reaching the cluster. The first MDS of --mds that answers
 * within the timeout gives the cluster map; requests about an inode then
 * go to the MDS serving its shard, as the map says.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "leofs/placement.h"
#include "leofs/proto_map.h"
#include "tool.h"

#define ROOT_INO 1ull /* local id 1 on shard 0 */

static u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000 + (u64)ts.tv_nsec / 1000000;
}

static void rpc_opts(const struct adm *a, struct leofs_rpc_opts *o,
		     u32 timeout_ms)
{
	memset(o, 0, sizeof(*o));
	o->peer_kind = LEOFS_PEER_ADMIN;
	o->connect_timeout_ms = timeout_ms ? timeout_ms : 1;
	if (a->have_cluster)
		memcpy(o->cluster_id, a->cluster_id, 16);
	else if (a->have_map)
		memcpy(o->cluster_id, a->map.cluster_id, 16);
}

static const char *connect_err(int err)
{
	switch (err) {
	case -EXDEV:
	case -ECONNREFUSED:
		return err == -EXDEV ? "a server of another cluster" :
				       "connection refused";
	case -ETIMEDOUT:
		return "no answer";
	default:
		return strerror(-err);
	}
}

static int fetch_map(struct adm *a, struct leofs_rpc *r)
{
	struct leofs_map_get_req req = { 0 };
	struct leofs_map_counts cnt;
	struct leofs_map_reply rep;
	struct leofs_rpc_reply raw;
	struct leofs_map *m = &a->map;
	u32 *scratch = NULL;
	char st[64];
	int rc;

	rc = adm_call(a, r, LEOFS_OP_MAP_GET, &req, sizeof(req), &rep,
		      sizeof(rep), &raw);
	if (rc)
		return rc;
	if (rep.status) {
		adm_err(a, "cluster map: %s",
			adm_status_str(rep.status, st, sizeof(st)));
		rc = -EIO;
		goto out;
	}
	rc = leofs_map_decode_counts(rep.map.data, rep.map.len, &cnt);
	if (rc)
		goto bad;
	memset(m, 0, sizeof(*m));
	m->nodes = calloc(cnt.node_count + 1, sizeof(*m->nodes));
	m->targets = calloc(cnt.target_count + 1, sizeof(*m->targets));
	m->pools = calloc(cnt.pool_count + 1, sizeof(*m->pools));
	m->mds = calloc(cnt.mds_count + 1, sizeof(*m->mds));
	m->shards = calloc(cnt.shard_count + 1, sizeof(*m->shards));
	m->overrides = calloc(cnt.override_count + 1, sizeof(*m->overrides));
	scratch = calloc(cnt.target_count + 1, sizeof(*scratch));
	if (!m->nodes || !m->targets || !m->pools || !m->mds || !m->shards ||
	    !m->overrides || !scratch) {
		rc = -ENOMEM;
		adm_err(a, "out of memory");
		goto out;
	}
	m->node_count = cnt.node_count;
	m->target_count = cnt.target_count;
	m->pool_count = cnt.pool_count;
	m->mds_count = cnt.mds_count;
	m->shard_count = cnt.shard_count;
	m->override_count = cnt.override_count;
	rc = leofs_map_decode(rep.map.data, rep.map.len, m, scratch);
	if (rc)
		goto bad;
	a->have_map = true;
	goto out;
bad:
	adm_err(a, "the cluster map from %s does not decode (%s)", a->bootstrap,
		strerror(-rc));
	rc = -EBADMSG;
out:
	free(scratch);
	leofs_rpc_reply_free(&raw);
	return rc;
}

int adm_cluster_open(struct adm *a)
{
	struct admin_hostport hp[ADM_MAX_MDS];
	struct leofs_rpc_opts o;
	struct leofs_rpc *r = NULL;
	char errs[512] = "";
	u64 deadline;
	int n, i, rc = -ENOTCONN;

	if (a->have_map)
		return 0;
	if (!a->mds_arg || !*a->mds_arg) {
		adm_usage_err(a, "no metadata server: give --mds HOST:PORT "
				 "or set LEOFS_MDS");
		return -EINVAL;
	}
	n = admin_parse_hostports(a->mds_arg, hp, ADM_MAX_MDS);
	if (n < 0) {
		adm_usage_err(a,
			      "--mds: want HOST:PORT[,HOST:PORT...] "
			      "(at most %d), not '%s'",
			      ADM_MAX_MDS, a->mds_arg);
		return -EINVAL;
	}
	deadline = now_ms() + a->timeout_ms;
	for (i = 0; i < n; i++) {
		u64 now = now_ms();
		size_t len = strlen(errs);

		if (now >= deadline) {
			rc = -ETIMEDOUT;
			snprintf(errs + len, sizeof(errs) - len,
				 "%s%.100s:%u: %s", len ? "; " : "", hp[i].host,
				 hp[i].port, "not tried, time is up");
			continue;
		}
		rpc_opts(a, &o, (u32)(deadline - now));
		rc = leofs_rpc_connect(hp[i].host, hp[i].port, &o, NULL, &r);
		if (!rc) {
			snprintf(a->bootstrap, sizeof(a->bootstrap),
				 "%.255s:%u", hp[i].host, hp[i].port);
			break;
		}
		snprintf(errs + len, sizeof(errs) - len, "%s%.100s:%u: %s",
			 len ? "; " : "", hp[i].host, hp[i].port,
			 connect_err(rc));
	}
	if (rc) {
		adm_err(a, "cannot reach the cluster within %u ms (%s)",
			a->timeout_ms, errs);
		return rc;
	}
	a->conns[0].mds_id = 0;
	a->conns[0].rpc = r;
	a->nconns = 1;
	return fetch_map(a, r);
}

void adm_conns_close(struct adm *a)
{
	int i;

	for (i = 0; i < a->nconns; i++)
		leofs_rpc_close(a->conns[i].rpc);
	a->nconns = 0;
}

void adm_cluster_close(struct adm *a)
{
	adm_conns_close(a);
	if (a->have_map) {
		free(a->map.nodes);
		free(a->map.targets);
		free(a->map.pools);
		free(a->map.mds);
		free(a->map.shards);
		free(a->map.overrides);
		a->have_map = false;
	}
}

/* Does the bootstrap connection go to this MDS? Compared by address. */
static bool is_bootstrap(const struct adm *a, const struct leofs_map_mds *m)
{
	char buf[80];

	admin_addr_str(&m->addr, buf, sizeof(buf));
	return !strcmp(buf, a->bootstrap);
}

int adm_mds_for_ino(struct adm *a, u64 ino, struct leofs_rpc **out)
{
	u16 shard = leofs_ino_shard(ino);
	const struct leofs_map_shard *sh = NULL;
	const struct leofs_map_mds *md;
	struct leofs_rpc_opts o;
	char host[64];
	u32 i, id;
	int rc;

	for (i = 0; i < a->map.shard_count; i++)
		if (a->map.shards[i].id == shard)
			sh = &a->map.shards[i];
	if (!sh) {
		adm_err(a, "inode %#llx: shard %u is not in the cluster map",
			(unsigned long long)ino, shard);
		return -ENOENT;
	}
	id = sh->primary_mds;
	md = admin_map_mds(&a->map, id);
	if (md && !(md->state & LEOFS_STATE_UP) && sh->secondary_mds &&
	    admin_map_mds(&a->map, sh->secondary_mds)) {
		id = sh->secondary_mds;
		md = admin_map_mds(&a->map, id);
	}
	for (i = 0; i < (u32)a->nconns; i++)
		if (a->conns[i].mds_id == id) {
			*out = a->conns[i].rpc;
			return 0;
		}
	if (!md) {
		adm_err(a, "shard %u: MDS %u is not in the cluster map", shard,
			id);
		return -ENOENT;
	}
	if (is_bootstrap(a, md)) {
		a->conns[0].mds_id = id;
		*out = a->conns[0].rpc;
		return 0;
	}
	if (a->nconns == ADM_MAX_MDS) {
		leofs_rpc_close(a->conns[--a->nconns].rpc);
	}
	admin_addr_str(&md->addr, host, sizeof(host));
	rpc_opts(a, &o, a->timeout_ms);
	/* the address string is "ip:port" or "[ip]:port"; connect by parts */
	{
		struct admin_hostport hp;

		if (admin_parse_hostport(host, &hp)) {
			adm_err(a, "MDS %u has no address in the map", id);
			return -EINVAL;
		}
		rc = leofs_rpc_connect(hp.host, hp.port, &o, NULL, out);
	}
	if (rc) {
		adm_err(a, "MDS %u (%s), serving shard %u: %s", id, host, shard,
			connect_err(rc));
		return rc;
	}
	a->conns[a->nconns].mds_id = id;
	a->conns[a->nconns].rpc = *out;
	a->nconns++;
	return 0;
}

void adm_creds(struct leofs_creds *c)
{
	gid_t groups[LEOFS_MAX_GROUPS];
	int n, i;

	memset(c, 0, sizeof(*c));
	c->uid = geteuid();
	c->gid = getegid();
	n = getgroups(LEOFS_MAX_GROUPS, groups);
	for (i = 0; i < n && i < LEOFS_MAX_GROUPS; i++)
		c->groups[i] = groups[i];
	c->ngroups = n > 0 ? (u32)n : 0;
}

int adm_call(struct adm *a, struct leofs_rpc *r, u16 op, const void *req,
	     size_t req_size, void *rep, size_t rep_size,
	     struct leofs_rpc_reply *raw)
{
	int rc;

	rc = leofs_rpc_call(r, op, req, req_size, rep, rep_size, raw,
			    a->timeout_ms);
	if (!rc)
		return 0;
	if (rc == -ETIMEDOUT)
		adm_err(a, "%s: no reply within %u ms", leofs_op_name(op),
			a->timeout_ms);
	else if (rc == -EBADMSG)
		adm_err(a, "%s: the reply does not decode", leofs_op_name(op));
	else
		adm_err(a, "%s: %s", leofs_op_name(op), strerror(-rc));
	return rc;
}

const char *adm_status_str(u32 status, char *buf, size_t len)
{
	switch (status) {
	case LEOFS_S_NOTSUP:
		snprintf(buf, len, "not supported by this cluster");
		break;
	case LEOFS_S_WRONG_SHARD:
		snprintf(buf, len,
			 "the MDS does not serve this shard "
			 "(cluster map changing?)");
		break;
	case LEOFS_S_WRONG_CLUSTER:
		snprintf(buf, len, "server of another cluster");
		break;
	case LEOFS_S_DEGRADED_READONLY:
		snprintf(buf, len,
			 "placement group read-only (too few "
			 "members up)");
		break;
	default:
		snprintf(buf, len, "%s",
			 strerror(-leofs_status_to_errno(status)));
		break;
	}
	return buf;
}

int adm_resolve(struct adm *a, const char *path, struct leofs_attr *attr)
{
	struct leofs_name_req req;
	struct leofs_ino_req ireq;
	struct leofs_attr_reply rep;
	struct leofs_rpc_reply raw;
	struct leofs_rpc *r;
	const char *p = path, *end;
	char st[64];
	size_t len;
	int rc;

	if (!path || path[0] != '/') {
		adm_usage_err(a,
			      "'%s': want an absolute path inside the "
			      "leofs namespace, e.g. /images",
			      path ? path : "");
		return -EINVAL;
	}
	memset(&ireq, 0, sizeof(ireq));
	adm_creds(&ireq.creds);
	ireq.ino = ROOT_INO;
	rc = adm_mds_for_ino(a, ROOT_INO, &r);
	if (!rc)
		rc = adm_call(a, r, LEOFS_OP_GETATTR, &ireq, sizeof(ireq), &rep,
			      sizeof(rep), &raw);
	if (rc)
		return rc;
	leofs_rpc_reply_free(&raw);
	if (rep.status) {
		adm_err(a, "/: %s", adm_status_str(rep.status, st, sizeof(st)));
		return leofs_status_to_errno(rep.status);
	}
	*attr = rep.attr;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		end = strchr(p, '/');
		len = end ? (size_t)(end - p) : strlen(p);
		if ((len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.')) {
			adm_usage_err(a,
				      "'%s': '.' and '..' are not resolved; "
				      "give a plain path",
				      path);
			return -EINVAL;
		}
		if (leofs_name_check(p, len)) {
			adm_usage_err(a, "'%s': bad name '%.*s'", path,
				      (int)len, p);
			return -EINVAL;
		}
		memset(&req, 0, sizeof(req));
		adm_creds(&req.creds);
		req.parent = attr->ino;
		req.name.data = p;
		req.name.len = (u32)len;
		rc = adm_mds_for_ino(a, attr->ino, &r);
		if (!rc)
			rc = adm_call(a, r, LEOFS_OP_LOOKUP, &req, sizeof(req),
				      &rep, sizeof(rep), &raw);
		if (rc)
			return rc;
		leofs_rpc_reply_free(&raw);
		if (rep.status) {
			adm_err(a, "%.*s: %s", (int)(p + len - path), path,
				adm_status_str(rep.status, st, sizeof(st)));
			return leofs_status_to_errno(rep.status);
		}
		*attr = rep.attr;
		p += len;
	}
}

int adm_oss_connect(struct adm *a, const struct leofs_map_node *n,
		    struct leofs_rpc **out)
{
	struct admin_hostport hp;
	struct leofs_rpc_opts o;
	char host[80];

	admin_addr_str(&n->addr, host, sizeof(host));
	if (admin_parse_hostport(host, &hp))
		return -EDESTADDRREQ;
	rpc_opts(a, &o, a->timeout_ms);
	return leofs_rpc_connect(hp.host, hp.port, &o, NULL, out);
}
