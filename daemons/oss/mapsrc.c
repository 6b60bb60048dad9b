// SPDX-License-Identifier: GPL-2.0
/*
 * Where the node's cluster map comes from: a static cluster description
 * (the JSON of leofs-placesim, nodes extended with "addr": "host:port"), or
 * the metadata servers: OSS_REGISTER once, then HEARTBEAT every few seconds,
 * fetching the map with MAP_GET whenever the MDS reports a newer epoch.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leofs/log.h"
#include "leofs/nsclient.h"
#include "../../lib/placesim/placesim.h"
#include "node.h"

#define HEARTBEAT_MS 2000

struct oss_mapsrc {
	pthread_mutex_t lock;
	struct leofs_mapview *cur;
	/* MDS mode */
	struct oss_node *n;
	const struct oss_config *cfg;
	pthread_t thread;
	bool running;
	bool stop;
	pthread_cond_t cond;
};

static int parse_addr(const char *s, struct leofs_addr *a)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	unsigned long port;
	char *end;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, colon - s);
	host[colon - s] = 0;
	port = strtoul(colon + 1, &end, 10);
	if (*end || !port || port > 65535)
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	a->port = (u16)port;
	if (inet_pton(AF_INET, host, a->addr) == 1)
		a->family = 4;
	else if (inet_pton(AF_INET6, host, a->addr) == 1)
		a->family = 6;
	else
		return -EINVAL;
	return 0;
}

/* Loads the description: addresses taken out, the rest to lib/placesim. */
static int load_static(const char *path, struct leofs_mapview **out,
		       char *err, size_t err_len)
{
	struct placesim_cluster c = { 0 };
	struct leofs_addr addrs[1024];
	u32 ids[1024], naddr = 0, i, j;
	json_error_t je;
	json_t *root, *nodes, *nd, *a;
	char *text;
	size_t idx;
	int r;

	root = json_load_file(path, 0, &je);
	if (!root) {
		snprintf(err, err_len, "cluster map %s: line %d: %s", path,
			 je.line, je.text);
		return -EINVAL;
	}
	nodes = json_object_get(root, "nodes");
	json_array_foreach(nodes, idx, nd) {
		a = json_object_get(nd, "addr");
		if (!a)
			continue;
		if (naddr == ARRAY_SIZE(addrs) || !json_is_string(a) ||
		    parse_addr(json_string_value(a), &addrs[naddr]) ||
		    !json_is_integer(json_object_get(nd, "id"))) {
			snprintf(err, err_len,
				 "cluster map %s: nodes[%zu].addr: must be \"address:port\"",
				 path, idx);
			json_decref(root);
			return -EINVAL;
		}
		ids[naddr++] = (u32)json_integer_value(json_object_get(nd, "id"));
		json_object_del(nd, "addr");
	}
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (!text)
		return -ENOMEM;
	r = placesim_parse_json(text, strlen(text), &c, err, err_len);
	free(text);
	if (r)
		return r;
	for (i = 0; i < c.map.node_count; i++)
		for (j = 0; j < naddr; j++)
			if (c.map.nodes[i].id == ids[j])
				c.map.nodes[i].addr = addrs[j];
	r = leofs_mapview_new(&c.map, out);
	placesim_cluster_free(&c);
	return r;
}

static void set_view(struct oss_mapsrc *s, struct leofs_mapview *v)
{
	struct leofs_mapview *old;

	pthread_mutex_lock(&s->lock);
	old = s->cur;
	s->cur = v;
	pthread_mutex_unlock(&s->lock);
	leofs_mapview_put(old);
}

struct leofs_mapview *oss_mapsrc_get(struct oss_mapsrc *s)
{
	struct leofs_mapview *v;

	pthread_mutex_lock(&s->lock);
	v = s->cur ? leofs_mapview_get(s->cur) : NULL;
	pthread_mutex_unlock(&s->lock);
	return v;
}

static struct oss_mapsrc *mapsrc_alloc(void)
{
	struct oss_mapsrc *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	return s;
}

int oss_mapsrc_static(struct leofs_mapview *v, struct oss_mapsrc **out)
{
	struct oss_mapsrc *s = mapsrc_alloc();

	if (!s)
		return -ENOMEM;
	s->cur = v;
	*out = s;
	return 0;
}

/* ---- from the metadata servers ------------------------------------------- */

static int fetch_map(struct oss_mapsrc *s, struct leofs_rpc *rpc, u64 known)
{
	struct leofs_mapview *v;
	int r = leofs_map_fetch(rpc, known, 10000, &v);

	if (r || !v)
		return r;
	set_view(s, v);
	log_info("cluster map epoch %llu from the metadata server",
		 (unsigned long long)leofs_mapview_epoch(v));
	return 0;
}

static int mds_session(struct oss_mapsrc *s, const char *hostport)
{
	struct leofs_rpc_opts o = { .peer_kind = LEOFS_PEER_OSS,
				    .node_id = s->cfg->node_id,
				    .connect_timeout_ms = 2000 };
	struct leofs_oss_register_req *reg = calloc(1, sizeof(*reg));
	struct leofs_heartbeat_req *hb = calloc(1, sizeof(*hb));
	struct leofs_epoch_reply er;
	struct leofs_rpc_reply raw;
	struct leofs_addr maddr, self;
	struct leofs_mapview *v;
	struct leofs_rpc *rpc = NULL;
	char host[64];
	unsigned int i;
	struct oss_statfs st;
	int r;

	memcpy(o.cluster_id, s->cfg->cluster_id, 16);
	r = (!reg || !hb) ? -ENOMEM : parse_addr(hostport, &maddr);
	if (r)
		goto out;
	inet_ntop(maddr.family == 4 ? AF_INET : AF_INET6, maddr.addr, host,
		  sizeof(host));
	r = leofs_rpc_connect(host, maddr.port, &o, NULL, &rpc);
	if (r)
		goto out;
	snprintf(host, sizeof(host), "%s:%u", s->cfg->listen_address,
		 s->cfg->listen_port);
	parse_addr(host, &self);
	reg->node_id = s->cfg->node_id;
	reg->addr_family = self.family;
	reg->port = self.port;
	memcpy(reg->addr, self.addr, 16);
	reg->nr_targets = s->n->nlocals;
	for (i = 0; i < s->n->nlocals; i++) {
		oss_target_statfs(s->n->locals[i].t, &st);
		reg->targets[i].id = s->n->locals[i].id;
		reg->targets[i].tier = (u8)st.tier;
		reg->targets[i].weight = st.weight;
		reg->targets[i].capacity = st.capacity_bytes;
		reg->targets[i].used = st.used_bytes;
	}
	r = leofs_rpc_call(rpc, LEOFS_OP_OSS_REGISTER, reg, sizeof(*reg), &er,
			   sizeof(er), &raw, 10000);
	if (!r) {
		r = er.status ? leofs_status_to_errno(er.status) : 0;
		leofs_rpc_reply_free(&raw);
	}
	if (r)
		goto out;
	log_info("registered with the metadata server %s", hostport);
	for (;;) {
		v = oss_mapsrc_get(s);
		if (!v || er.map_epoch > leofs_mapview_epoch(v))
			fetch_map(s, rpc, v ? leofs_mapview_epoch(v) : 0);
		hb->node_id = s->cfg->node_id;
		hb->map_epoch = v ? leofs_mapview_epoch(v) : 0;
		leofs_mapview_put(v);
		hb->nr_targets = s->n->nlocals;
		for (i = 0; i < s->n->nlocals; i++) {
			oss_target_statfs(s->n->locals[i].t, &st);
			hb->targets[i].id = s->n->locals[i].id;
			hb->targets[i].state = LEOFS_STATE_UP | LEOFS_STATE_IN;
			hb->targets[i].used = st.used_bytes;
			hb->targets[i].free = st.free_bytes;
		}
		pthread_mutex_lock(&s->lock);
		if (!s->stop) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += HEARTBEAT_MS / 1000;
			pthread_cond_timedwait(&s->cond, &s->lock, &ts);
		}
		if (s->stop) {
			pthread_mutex_unlock(&s->lock);
			break;
		}
		pthread_mutex_unlock(&s->lock);
		r = leofs_rpc_call(rpc, LEOFS_OP_HEARTBEAT, hb, sizeof(*hb),
				   &er, sizeof(er), &raw, 10000);
		if (r)
			break;
		leofs_rpc_reply_free(&raw);
	}
out:
	if (rpc)
		leofs_rpc_close(rpc);
	free(reg);
	free(hb);
	return r;
}

static void *mds_main(void *arg)
{
	struct oss_mapsrc *s = arg;
	unsigned int i = 0;
	int r;

	for (;;) {
		pthread_mutex_lock(&s->lock);
		if (s->stop) {
			pthread_mutex_unlock(&s->lock);
			return NULL;
		}
		pthread_mutex_unlock(&s->lock);
		r = mds_session(s, s->cfg->mds[i % s->cfg->nmds]);
		if (r)
			log_warning("metadata server %s: %s",
				    s->cfg->mds[i % s->cfg->nmds], strerror(-r));
		i++;
		pthread_mutex_lock(&s->lock);
		if (!s->stop) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&s->cond, &s->lock, &ts);
		}
		pthread_mutex_unlock(&s->lock);
	}
}

int oss_mapsrc_open(const struct oss_config *cfg, struct oss_node *n,
		    struct oss_mapsrc **out, char *err, size_t err_len)
{
	struct oss_mapsrc *s = mapsrc_alloc();
	int r;

	if (!s)
		return -ENOMEM;
	s->n = n;
	s->cfg = cfg;
	if (cfg->cluster_map) {
		r = load_static(cfg->cluster_map, &s->cur, err, err_len);
		if (r) {
			free(s);
			return r;
		}
		log_info("cluster map epoch %llu from %s",
			 (unsigned long long)leofs_mapview_epoch(s->cur),
			 cfg->cluster_map);
	} else {
		r = pthread_create(&s->thread, NULL, mds_main, s);
		if (r) {
			free(s);
			return -r;
		}
		s->running = true;
	}
	*out = s;
	return 0;
}

void oss_mapsrc_close(struct oss_mapsrc *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	if (s->running)
		pthread_join(s->thread, NULL);
	leofs_mapview_put(s->cur);
	free(s);
}
