// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-file: reaching the cluster. The namespace client (nsclient.h)
 * talks to the metadata servers; file data goes through the file client
 * (client.h), which fetches a newer map through the namespace client when
 * a storage server answers with a routing status.
 */
#include <errno.h>
#include <string.h>

#include "tool.h"

int ft_cluster_open(struct ft *t)
{
	struct admin_hostport hp[FT_MAX_MDS];
	struct leofs_ns_server srv[FT_MAX_MDS];
	struct leofs_ns_opts o = { .peer_kind = LEOFS_PEER_CLIENT,
				   .timeout_ms = t->g.timeout_ms,
				   .have_cluster = t->g.have_cluster };
	char why[300];
	int n;

	if (t->ns)
		return 0;
	n = admin_mds_servers(t->g.mds_arg, hp, srv, FT_MAX_MDS, why,
			      sizeof(why));
	if (n < 0)
		return ft_usage_err(t, "%s", why);
	memcpy(o.cluster_id, t->g.cluster_id, 16);
	if (leofs_ns_open(srv, (unsigned int)n, &o, &t->ns)) {
		ft_err(t, "%s", leofs_ns_why());
		return ADMIN_EXIT_FAIL;
	}
	return 0;
}

int ft_data_open(struct ft *t)
{
	struct leofs_client_opts o = { 0 };
	int rc;

	if (t->data)
		return 0;
	t->view = leofs_ns_view(t->ns);
	o.rpc.peer_kind = LEOFS_PEER_CLIENT;
	o.rpc.connect_timeout_ms = t->g.timeout_ms;
	memcpy(o.rpc.cluster_id, leofs_mapview_map(t->view)->cluster_id, 16);
	o.timeout_ms = t->g.timeout_ms > FT_DATA_TIMEOUT_MS ?
			       t->g.timeout_ms :
			       FT_DATA_TIMEOUT_MS;
	o.refresh = leofs_ns_refresh;
	o.refresh_arg = t->ns;
	rc = leofs_client_new(t->view, &o, &t->data);
	if (rc) {
		t->data = NULL;
		return ft_fail(t, "storage client", rc, NULL);
	}
	return 0;
}

size_t ft_chunk_size(const struct leofs_layout *l)
{
	u32 w = leofs_layout_stripe_width(l);

	return w && w <= FT_CHUNK ? FT_CHUNK / w * w : FT_CHUNK;
}

void ft_cluster_close(struct ft *t)
{
	leofs_client_free(t->data);
	t->data = NULL;
	if (t->view)
		leofs_mapview_put(t->view);
	t->view = NULL;
	leofs_ns_close(t->ns);
	t->ns = NULL;
}
