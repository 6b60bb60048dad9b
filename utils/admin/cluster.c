// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-admin: reaching the cluster, through the namespace client
 * (nsclient.h): the first MDS of --mds that answers within the timeout
 * gives the cluster map; requests about an inode then go to the MDS
 * serving its shard, as the map says.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static void rpc_opts(const struct adm *a, struct leofs_rpc_opts *o,
		     u32 timeout_ms)
{
	memset(o, 0, sizeof(*o));
	o->peer_kind = LEOFS_PEER_ADMIN;
	o->connect_timeout_ms = timeout_ms ? timeout_ms : 1;
	if (a->g.have_cluster)
		memcpy(o->cluster_id, a->g.cluster_id, 16);
	else if (a->have_map)
		memcpy(o->cluster_id, a->map.cluster_id, 16);
}

int adm_cluster_open(struct adm *a)
{
	struct admin_hostport hp[ADM_MAX_MDS];
	struct leofs_ns_server srv[ADM_MAX_MDS];
	struct leofs_ns_opts o = { .peer_kind = LEOFS_PEER_ADMIN,
				   .timeout_ms = a->g.timeout_ms,
				   .have_cluster = a->g.have_cluster };
	char why[300];
	int n, rc;

	if (a->have_map)
		return 0;
	n = admin_mds_servers(a->g.mds_arg, hp, srv, ADM_MAX_MDS, why,
			      sizeof(why));
	if (n < 0) {
		adm_usage_err(a, "%s", why);
		return n;
	}
	memcpy(o.cluster_id, a->g.cluster_id, 16);
	rc = leofs_ns_open(srv, (unsigned int)n, &o, &a->ns);
	if (rc) {
		adm_err(a, "%s", leofs_ns_why());
		return rc == -EINVAL ? -EIO : rc;
	}
	/* the view owns the arrays a->map points to */
	a->view = leofs_ns_view(a->ns);
	a->map = *leofs_mapview_map(a->view);
	a->have_map = true;
	return 0;
}

void adm_cluster_close(struct adm *a)
{
	leofs_ns_close(a->ns);
	a->ns = NULL;
	if (a->have_map) {
		leofs_mapview_put(a->view);
		a->view = NULL;
		a->have_map = false;
	}
}

int adm_mds_for_ino(struct adm *a, u64 ino, struct leofs_rpc **out)
{
	int rc = leofs_ns_rpc(a->ns, ino, out);

	if (rc)
		adm_err(a, "inode %#llx: %s", (unsigned long long)ino,
			leofs_ns_why());
	return rc;
}

int adm_call(struct adm *a, struct leofs_rpc *r, u16 op, const void *req,
	     size_t req_size, void *rep, size_t rep_size,
	     struct leofs_rpc_reply *raw)
{
	int rc;

	rc = leofs_rpc_call(r, op, req, req_size, rep, rep_size, raw,
			    a->g.timeout_ms);
	if (!rc)
		return 0;
	if (rc == -ETIMEDOUT)
		adm_err(a, "%s: no reply within %u ms", leofs_op_name(op),
			a->g.timeout_ms);
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
	size_t done;
	int rc;

	rc = leofs_ns_walk(a->ns, path, attr, &done);
	if (rc == -EINVAL)
		adm_usage_err(a, "'%s': %s", path ? path : "", leofs_ns_why());
	else if (rc)
		adm_err(a, "%.*s: %s", (int)done, path, leofs_ns_why());
	return rc;
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
	rpc_opts(a, &o, a->g.timeout_ms);
	return leofs_rpc_connect(hp.host, hp.port, &o, NULL, out);
}
