// SPDX-License-Identifier: GPL-2.0
/*
 * The namespace client (nsclient.h): connections to the metadata servers,
 * the cluster map, and routing a request to the MDS serving the shard of
 * its inode. The namespace operations are in nsops.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "leofs/placement.h"
#include "leofs/rpc.h"
#include "ns_internal.h"

#define NS_DEFAULT_TIMEOUT_MS 5000
#define NS_ROUTING_TRIES      3
#define NS_WHY_MAX	      640

static __thread char why_buf[NS_WHY_MAX];

int ns_why(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why_buf, sizeof(why_buf), fmt, ap);
	va_end(ap);
	return err;
}

const char *leofs_ns_why(void)
{
	return why_buf;
}

int ns_status_err(u32 status)
{
	int err = leofs_status_to_errno(status);

	switch (status) {
	case LEOFS_S_WRONG_SHARD:
	case LEOFS_S_WRONG_EPOCH:
		return ns_why(err, "the MDS does not serve this shard "
				   "(cluster map changing?)");
	case LEOFS_S_NOTSUP:
		return ns_why(err, "not supported by this cluster");
	default:
		return ns_why(err, "%s", strerror(-err));
	}
}

static const char *connect_err(int err)
{
	switch (err) {
	case -EXDEV:
		return "a server of another cluster";
	case -ECONNREFUSED:
		return "connection refused";
	case -ETIMEDOUT:
		return "no answer";
	default:
		return strerror(-err);
	}
}

static int connect_one(const struct leofs_ns *ns, const char *host, u16 port,
		       u32 timeout_ms, struct leofs_rpc **out)
{
	struct leofs_rpc_opts o = { .peer_kind = ns->opts.peer_kind,
				    .connect_timeout_ms = timeout_ms ?: 1 };

	if (ns->opts.have_cluster)
		memcpy(o.cluster_id, ns->opts.cluster_id, 16);
	return leofs_rpc_connect(host, port, &o, NULL, out);
}

void leofs_creds_self(struct leofs_creds *c)
{
	gid_t *groups;
	int n, i = 0;

	memset(c, 0, sizeof(*c));
	c->uid = geteuid();
	c->gid = getegid();
	/* all of them, then the first LEOFS_MAX_GROUPS (as the kernel sends) */
	n = getgroups(0, NULL);
	groups = n > 0 ? calloc((size_t)n, sizeof(*groups)) : NULL;
	if (groups)
		n = getgroups(n, groups);
	for (; groups && i < n && i < LEOFS_MAX_GROUPS; i++)
		c->groups[i] = groups[i];
	c->ngroups = (u32)i;
	free(groups);
}

/* ---- opening and closing ----------------------------------------------------- */

static int fetch_first_map(struct leofs_ns *ns)
{
	const struct leofs_map *m;
	int rc;

	rc = leofs_map_fetch(ns->conns[0].rpc, 0, ns->opts.timeout_ms,
			     &ns->view);
	if (rc == -EBADMSG)
		return ns_why(rc, "the cluster map from %s does not decode",
			      ns->contacted);
	if (rc == -ETIMEDOUT)
		return ns_why(rc, "MAP_GET: no reply from %s within %u ms",
			      ns->contacted, ns->opts.timeout_ms);
	if (rc)
		return ns_why(rc, "cluster map from %s: %s", ns->contacted,
			      strerror(-rc));
	m = leofs_mapview_map(ns->view);
	if (!ns->opts.have_cluster) {
		memcpy(ns->opts.cluster_id, m->cluster_id, 16);
		ns->opts.have_cluster = true;
	}
	return 0;
}

int leofs_ns_open(const struct leofs_ns_server *servers, unsigned int n,
		  const struct leofs_ns_opts *opts, struct leofs_ns **out)
{
	struct leofs_ns *ns = calloc(1, sizeof(*ns));
	struct leofs_rpc *r = NULL;
	char errs[512] = "";
	unsigned int i;
	int rc = -EDESTADDRREQ;
	u64 deadline;

	if (!ns)
		return ns_why(-ENOMEM, "out of memory");
	ns->opts = *opts;
	if (!ns->opts.peer_kind)
		ns->opts.peer_kind = LEOFS_PEER_CLIENT;
	if (!ns->opts.timeout_ms)
		ns->opts.timeout_ms = NS_DEFAULT_TIMEOUT_MS;
	leofs_creds_self(&ns->creds);
	pthread_mutex_init(&ns->lock, NULL);
	deadline = leofs_now_ms() + ns->opts.timeout_ms;
	for (i = 0; i < n; i++) {
		const struct leofs_ns_server *s = &servers[i];
		size_t len = strlen(errs);
		u64 now = leofs_now_ms();

		if (now >= deadline) {
			rc = -ETIMEDOUT;
			snprintf(errs + len, sizeof(errs) - len,
				 "%s%.100s:%u: not tried, time is up",
				 len ? "; " : "", s->host, s->port);
			continue;
		}
		rc = connect_one(ns, s->host, s->port, (u32)(deadline - now),
				 &r);
		if (!rc) {
			snprintf(ns->first_host, sizeof(ns->first_host), "%s",
				 s->host);
			ns->first_port = s->port;
			snprintf(ns->contacted, sizeof(ns->contacted),
				 "%.255s:%u", s->host, s->port);
			break;
		}
		snprintf(errs + len, sizeof(errs) - len, "%s%.100s:%u: %s",
			 len ? "; " : "", s->host, s->port, connect_err(rc));
	}
	if (rc) {
		ns_why(rc, "cannot reach the cluster within %u ms (%s)",
		       ns->opts.timeout_ms, n ? errs : "no server given");
		leofs_ns_close(ns);
		return rc;
	}
	ns->conns[0].rpc = r;
	ns->nconns = 1;
	rc = fetch_first_map(ns);
	if (rc) {
		leofs_ns_close(ns);
		return rc;
	}
	*out = ns;
	return 0;
}

void leofs_ns_close(struct leofs_ns *ns)
{
	u32 i;

	if (!ns)
		return;
	for (i = 0; i < ns->nconns; i++)
		leofs_rpc_close(ns->conns[i].rpc);
	for (i = 0; i < ns->nretired; i++)
		leofs_rpc_close(ns->retired[i]);
	free(ns->retired);
	if (ns->view)
		leofs_mapview_put(ns->view);
	pthread_mutex_destroy(&ns->lock);
	free(ns);
}

/* ---- connections ------------------------------------------------------------ */

/* Keeps a broken connection for the threads that may still wait on it. */
static void retire(struct leofs_ns *ns, struct ns_conn *c)
{
	struct leofs_rpc **p;

	if (!c->rpc)
		return;
	p = realloc(ns->retired, (ns->nretired + 1) * sizeof(*p));
	if (p) {
		ns->retired = p;
		ns->retired[ns->nretired++] = c->rpc;
	} /* else leaked: freeing it under a waiting thread would be worse */
	c->rpc = NULL;
}

static bool usable(const struct ns_conn *c)
{
	return c->rpc && leofs_rpc_alive(c->rpc);
}

/* Lock held. Reconnects c to host:port if it is not usable. */
static int ensure(struct leofs_ns *ns, struct ns_conn *c, const char *host,
		  u16 port)
{
	int rc;

	if (usable(c))
		return 0;
	retire(ns, c);
	rc = connect_one(ns, host, port, ns->opts.timeout_ms, &c->rpc);
	if (rc)
		c->rpc = NULL;
	return rc;
}

int leofs_ns_first_rpc(struct leofs_ns *ns, struct leofs_rpc **out)
{
	int rc;

	pthread_mutex_lock(&ns->lock);
	rc = ensure(ns, &ns->conns[0], ns->first_host, ns->first_port);
	*out = ns->conns[0].rpc;
	pthread_mutex_unlock(&ns->lock);
	if (rc)
		return ns_why(rc, "%s: %s", ns->contacted, connect_err(rc));
	return 0;
}

const char *leofs_ns_contacted(const struct leofs_ns *ns)
{
	return ns->contacted;
}

static const struct leofs_map_mds *map_mds(const struct leofs_map *m, u32 id)
{
	u32 i;

	for (i = 0; i < m->mds_count; i++)
		if (m->mds[i].id == id)
			return &m->mds[i];
	return NULL;
}

/* The MDS serving a shard: its primary, or its secondary while it is down. */
static int shard_mds(const struct leofs_map *m, u16 shard,
		     const struct leofs_map_mds **out)
{
	const struct leofs_map_shard *sh = NULL;
	const struct leofs_map_mds *md, *sec;
	u32 i;

	for (i = 0; i < m->shard_count && !sh; i++)
		if (m->shards[i].id == shard)
			sh = &m->shards[i];
	if (!sh)
		return ns_why(-ENOENT, "shard %u is not in the cluster map",
			      shard);
	md = map_mds(m, sh->primary_mds);
	sec = sh->secondary_mds ? map_mds(m, sh->secondary_mds) : NULL;
	if (md && !(md->state & LEOFS_STATE_UP) && sec)
		md = sec;
	if (!md)
		return ns_why(-ENOENT,
			      "shard %u: MDS %u is not in the cluster map",
			      shard, sh->primary_mds);
	*out = md;
	return 0;
}

/* Lock held. The connection slot for MDS id (new ones are empty). */
static struct ns_conn *conn_slot(struct leofs_ns *ns, u32 id, const char *host,
				 u16 port)
{
	struct ns_conn *c;
	u32 i;

	for (i = 0; i < ns->nconns; i++)
		if (ns->conns[i].mds_id == id)
			return &ns->conns[i];
	/* the first connection, once the map names its server */
	if (!ns->conns[0].mds_id && port == ns->first_port &&
	    !strcmp(host, ns->first_host)) {
		ns->conns[0].mds_id = id;
		return &ns->conns[0];
	}
	if (ns->nconns == LEOFS_MAP_MAX_MDS + 1) {
		/* MDS ids come and go across epochs: reuse the last slot */
		c = &ns->conns[ns->nconns - 1];
		retire(ns, c);
	} else {
		c = &ns->conns[ns->nconns++];
	}
	c->mds_id = id;
	c->rpc = NULL;
	return c;
}

int leofs_ns_rpc(struct leofs_ns *ns, u64 ino, struct leofs_rpc **out)
{
	u16 shard = leofs_ino_shard(ino);
	const struct leofs_map_mds *md = NULL;
	char host[INET6_ADDRSTRLEN];
	struct ns_conn *c;
	int rc;

	pthread_mutex_lock(&ns->lock);
	rc = shard_mds(leofs_mapview_map(ns->view), shard, &md);
	if (rc)
		goto out;
	if ((md->addr.family != 4 && md->addr.family != 6) ||
	    !inet_ntop(md->addr.family == 4 ? AF_INET : AF_INET6, md->addr.addr,
		       host, sizeof(host))) {
		rc = ns_why(-EDESTADDRREQ, "MDS %u has no address in the map",
			    md->id);
		goto out;
	}
	c = conn_slot(ns, md->id, host, md->addr.port);
	rc = ensure(ns, c, host, md->addr.port);
	if (rc)
		ns_why(rc, "MDS %u (%s:%u), serving shard %u: %s", md->id, host,
		       md->addr.port, shard, connect_err(rc));
	*out = c->rpc;
out:
	pthread_mutex_unlock(&ns->lock);
	return rc;
}

/* ---- the map ------------------------------------------------------------------- */

struct leofs_mapview *leofs_ns_view(struct leofs_ns *ns)
{
	struct leofs_mapview *v;

	pthread_mutex_lock(&ns->lock);
	v = leofs_mapview_get(ns->view);
	pthread_mutex_unlock(&ns->lock);
	return v;
}

int leofs_ns_refresh(void *arg, u64 known_epoch, struct leofs_mapview **out)
{
	struct leofs_ns *ns = arg;
	struct leofs_mapview *v = NULL;
	int rc = 0;

	pthread_mutex_lock(&ns->lock);
	/* another thread may have fetched a newer one already */
	if (!known_epoch || leofs_mapview_epoch(ns->view) <= known_epoch) {
		rc = ensure(ns, &ns->conns[0], ns->first_host, ns->first_port);
		if (!rc)
			rc = leofs_map_fetch(ns->conns[0].rpc, 0,
					     ns->opts.timeout_ms, &v);
		if (rc)
			ns_why(rc, "cluster map from %s: %s", ns->contacted,
			       rc == -ETIMEDOUT ? "no answer" : strerror(-rc));
	}
	if (v && leofs_mapview_epoch(v) >= leofs_mapview_epoch(ns->view)) {
		leofs_mapview_put(ns->view);
		ns->view = v;
	} else if (v) {
		leofs_mapview_put(v);
	}
	if (!rc)
		*out = leofs_mapview_get(ns->view);
	pthread_mutex_unlock(&ns->lock);
	return rc;
}

/* ---- requests ------------------------------------------------------------------- */

static bool is_routing(u32 status)
{
	return status == LEOFS_S_WRONG_SHARD || status == LEOFS_S_WRONG_EPOCH;
}

int leofs_ns_call(struct leofs_ns *ns, u64 ino, u16 op, const void *req,
		  size_t req_size, void *rep, size_t rep_size,
		  struct leofs_rpc_reply *raw)
{
	struct leofs_mapview *v;
	struct leofs_rpc *r;
	int rc, tries;

	for (tries = 1;; tries++) {
		rc = leofs_ns_rpc(ns, ino, &r);
		if (rc)
			return rc;
		rc = leofs_rpc_call(r, op, req, req_size, rep, rep_size, raw,
				    ns->opts.timeout_ms);
		if (rc == -ETIMEDOUT)
			return ns_why(rc, "%s: no reply within %u ms",
				      leofs_op_name(op), ns->opts.timeout_ms);
		if (rc == -EBADMSG)
			return ns_why(rc, "%s: the reply does not decode",
				      leofs_op_name(op));
		if (rc)
			return ns_why(rc, "%s: %s", leofs_op_name(op),
				      strerror(-rc));
		if (!is_routing(raw->status) || tries == NS_ROUTING_TRIES)
			return 0;
		leofs_rpc_reply_free(raw);
		rc = leofs_ns_refresh(ns, 0, &v);
		if (rc)
			return rc;
		leofs_mapview_put(v);
	}
}
