// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-oss as a daemon: opens the targets, starts one work queue per
 * target and the coordination pool, gets the cluster map, and serves the
 * storage requests on the sd-event loop until SIGTERM drains them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leofs/log.h"
#include "leofs/server.h"
#include "leofs/service.h"
#include "node.h"
#include "serve.h"

#define DRAIN_TIMEOUT_MS 20000
#define COORD_THREADS	 16
#define STATUS_EVERY_US	 2000000 /* STATUS to the service manager */

struct job {
	struct oss_node *n;
	struct leofs_request *req;
	struct oss_call call;
};

static void net_reply(struct oss_call *c, const void *msg, size_t size)
{
	struct job *j = c->arg;

	if (size == sizeof(struct leofs_status_reply))
		leofs_request_reply_status(j->req,
					   ((const struct leofs_status_reply *)
						    msg)->status);
	else
		leofs_request_reply(j->req, msg, size);
	j->req = NULL;
}

static void net_reply_tail(struct oss_call *c, const void *msg, size_t size,
			   void *tail, size_t tail_len, const u32 *tail_crc)
{
	struct job *j = c->arg;

	leofs_request_reply_tail(j->req, msg, size, tail, tail_len, tail_crc);
	j->req = NULL;
}

static void run_job(void *arg)
{
	struct job *j = arg;

	oss_call_run(j->n, &j->call);
	if (j->req) /* a handler that forgot to answer */
		leofs_request_reply_status(j->req, LEOFS_S_IO);
	free(j);
}

/* The service's STATUS: where the node serves, and oss_node_status(). */
struct status_tick {
	struct oss_node *n;
	char where[96];
	char last[384];
};

static int on_status_tick(sd_event_source *src, uint64_t usec, void *arg)
{
	struct status_tick *st = arg;
	char now[256];

	oss_node_status(st->n, now, sizeof(now));
	if (strcmp(now, st->last)) {
		snprintf(st->last, sizeof(st->last), "%s", now);
		leofs_service_status("%s; %s", st->where, now);
	}
	sd_event_source_set_time(src, usec + STATUS_EVERY_US);
	return 0;
}

static void hello(struct oss_node *n, struct leofs_request *req)
{
	static const u8 zero[16];
	struct leofs_hello_reply out = { .status = LEOFS_S_OK };
	struct leofs_mapview *v;
	struct leofs_hello_req in;
	int ver;

	if (leofs_hello_req_decode(&in, req->body, req->hdr.body_len)) {
		leofs_request_reply_status(req, LEOFS_S_BADMSG);
		return;
	}
	ver = leofs_proto_negotiate(LEOFS_PROTO_VERSION_MIN,
				    LEOFS_PROTO_VERSION_MAX, in.version_min,
				    in.version_max);
	if (ver < 0) {
		struct leofs_conn *c = req->conn; /* the reply frees req */

		/* on the loop thread, which alone closes: c outlives this */
		leofs_request_reply_status(req, LEOFS_S_VERSION);
		leofs_conn_close(c);
		return;
	}
	if (memcmp(in.cluster_id, zero, 16) &&
	    memcmp(in.cluster_id, n->cluster_id, 16)) {
		leofs_request_reply_status(req, LEOFS_S_WRONG_CLUSTER);
		return;
	}
	v = oss_mapsrc_get(n->maps);
	out.version = (u16)ver;
	out.peer_kind = LEOFS_PEER_OSS;
	out.features = in.features &
		       (LEOFS_FEAT_BLOCK_CRC | LEOFS_FEAT_PARTIAL_WRITE);
	out.node_id = n->node_id;
	memcpy(out.cluster_id, n->cluster_id, 16);
	out.map_epoch = v ? leofs_mapview_epoch(v) : 0;
	leofs_mapview_put(v);
	leofs_request_reply(req, &out, sizeof(out));
}

/* On the loop thread: decode, then queue where the request must run. */
static void handle(struct leofs_request *req, void *arg)
{
	struct oss_node *n = arg;
	struct leofs_workq *q = NULL;
	struct job *j;
	u32 status;

	if (req->hdr.opcode == LEOFS_OP_HELLO)
		return hello(n, req);
	if (req->hdr.opcode == LEOFS_OP_MAP_PUSH) {
		leofs_request_free(req);
		return;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		leofs_request_reply_status(req, LEOFS_S_NOMEM);
		return;
	}
	j->n = n;
	j->req = req;
	j->call.reply = net_reply;
	j->call.reply_tail = net_reply_tail;
	j->call.arg = j;
	status = oss_call_decode(n, &j->call, req->hdr.opcode, req->body,
				 req->hdr.body_len, &q);
	if (status) {
		leofs_request_reply_status(req, status);
		free(j);
		return;
	}
	if (leofs_workq_submit(q, run_job, j)) {
		leofs_request_reply_status(req, LEOFS_S_NOMEM);
		free(j);
	}
}

static int open_targets(struct oss_node *n, const struct oss_config *cfg)
{
	char why[512], name[32];
	unsigned int i;
	int r;

	n->locals = calloc(cfg->ntargets, sizeof(*n->locals));
	if (!n->locals)
		return -ENOMEM;
	for (i = 0; i < cfg->ntargets; i++) {
		struct oss_local *lt = &n->locals[i];

		lt->id = cfg->targets[i].id;
		r = oss_config_open_target(cfg, i, &lt->t, why, sizeof(why));
		if (r) {
			log_error("target %u (%s): %s", lt->id,
				  cfg->targets[i].path, why);
			return r;
		}
		n->nlocals = i + 1;
		snprintf(name, sizeof(name), "oss-t%u", lt->id);
		r = leofs_workq_new(name, cfg->worker_threads, &lt->wq);
		if (r)
			return r;
	}
	return 0;
}

static void close_node(struct oss_node *n)
{
	unsigned int i, k, m;

	if (n->coord)
		leofs_workq_free(n->coord);
	for (i = 0; i < n->nlocals; i++)
		if (n->locals[i].wq)
			leofs_workq_free(n->locals[i].wq);
	oss_mapsrc_close(n->maps);
	leofs_conns_free(n->conns);
	for (i = 0; i < n->nlocals; i++)
		oss_target_close(n->locals[i].t);
	free(n->locals);
	for (k = 0; k <= LEOFS_EC_MAX_K; k++)
		for (m = 0; m <= LEOFS_EC_MAX_M; m++)
			if (n->ec[k][m]) {
				leofs_ec_destroy(n->ec[k][m]);
				free(n->ec[k][m]);
			}
	oss_budget_destroy(&n->budget);
}

int oss_serve(const char *config_path)
{
	struct leofs_server_config sc = { 0 };
	struct leofs_rpc_opts ro = { 0 };
	struct leofs_server *srv = NULL;
	struct oss_node *n;
	struct oss_config cfg;
	sd_event_source *tick_src = NULL;
	struct status_tick tick = { 0 };
	char err[512];
	sd_event *ev = NULL;
	unsigned int i;
	int r;

	log_init("leofs-oss");
	r = oss_config_load(config_path, &cfg, err, sizeof(err));
	if (r) {
		log_error("%s", err);
		return 1;
	}
	r = leofs_service_init(&ev);
	if (r) {
		log_error_errno(-r, "setting up the event loop");
		oss_config_free(&cfg);
		return 1;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return 1;
	n->node_id = cfg.node_id;
	memcpy(n->cluster_id, cfg.cluster_id, 16);
	for (i = 0; i < OSS_PRIMARY_LOCKS; i++)
		pthread_mutex_init(&n->stripe_locks[i], NULL);
	pthread_mutex_init(&n->ec_lock, NULL);
	oss_budget_init(&n->budget, cfg.coord_memory_bytes);
	ro.peer_kind = LEOFS_PEER_OSS;
	ro.node_id = cfg.node_id;
	memcpy(ro.cluster_id, cfg.cluster_id, 16);
	ro.connect_timeout_ms = 2000;
	r = open_targets(n, &cfg);
	if (!r)
		r = leofs_workq_new("oss-coord", COORD_THREADS, &n->coord);
	if (!r)
		r = leofs_conns_new(&ro, OSS_DOWN_MS, &n->conns);
	if (!r) {
		r = oss_mapsrc_open(&cfg, n, &n->maps, err, sizeof(err));
		if (r)
			log_error("%s", err);
	}
	if (r)
		goto out;
	sc.name = "leofs-oss";
	sc.host = cfg.listen_address;
	sc.port = cfg.listen_port;
	sc.max_conns = cfg.max_connections;
	sc.max_body = cfg.max_frame_size < LEOFS_BODY_MAX ? cfg.max_frame_size :
							    LEOFS_BODY_MAX;
	sc.max_inflight = cfg.max_inflight_bytes;
	sc.idle_timeout_ms = cfg.idle_timeout_ms;
	sc.handle = handle;
	sc.arg = n;
	r = leofs_server_new(ev, &sc, &srv);
	if (r) {
		log_error_errno(-r, "listening on %s:%u", cfg.listen_address,
				cfg.listen_port);
		goto out;
	}
	log_info("node %u serving %u target(s) on %s:%u", cfg.node_id,
		 n->nlocals, cfg.listen_address, leofs_server_port(srv));
	tick.n = n;
	snprintf(tick.where, sizeof(tick.where),
		 "serving %u target(s) on port %u", n->nlocals,
		 leofs_server_port(srv));
	r = sd_event_add_time_relative(ev, &tick_src, CLOCK_MONOTONIC,
				       STATUS_EVERY_US, 100000, on_status_tick,
				       &tick);
	if (r < 0) {
		log_error_errno(-r, "setting up the status timer");
		goto out;
	}
	sd_event_source_set_enabled(tick_src, SD_EVENT_ON);
	r = leofs_service_run(ev, srv, DRAIN_TIMEOUT_MS, tick.where);
out:
	/* workers finish what they hold before the server goes away */
	if (n->coord) {
		leofs_workq_free(n->coord);
		n->coord = NULL;
	}
	for (i = 0; i < n->nlocals; i++)
		if (n->locals[i].wq) {
			leofs_workq_free(n->locals[i].wq);
			n->locals[i].wq = NULL;
		}
	sd_event_source_unref(tick_src);
	if (srv)
		leofs_server_free(srv);
	close_node(n);
	free(n);
	sd_event_unref(ev);
	oss_config_free(&cfg);
	return r ? 1 : 0;
}
