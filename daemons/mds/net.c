// SPDX-License-Identifier: GPL-2.0
/* The network side of leofs-mds (net.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "leofs/log.h"
#include "leofs/placement.h"
#include "leofs/rpc.h"
#include "leofs/server.h"
#include "leofs/workq.h"
#include "handlers.h"
#include "net.h"
#include "peers.h"
#include "session.h"

#define TICK_MS		  1000
#define EXPIRE_PER_TICK	  64
#define SESSION_ADOPT_MAX (1u << 20)
#define MDS_FEATURES	  LEOFS_FEAT_MAP_PUSH
#define PARTICIPANT_THREADS 32 /* XSHARD_PREPARE/FINISH at once */

/* What the daemon keeps per connection. */
struct mds_peer {
	struct leofs_conn *conn;
	struct mds_session *session; /* NULL before HELLO */
	u32 kind; /* enum leofs_peer_kind */
	bool push; /* wants MAP_PUSH */
	struct mds_peer *prev, *next; /* on the push list */
};

struct mds_net {
	sd_event *ev;
	const struct mds_config *cfg;
	struct mds_handlers h;
	struct leofs_server *srv;
	struct leofs_workq *writers; /* changes: wait for group commit */
	/*
	 * XSHARD_PREPARE/FINISH from other MDS. Their own pool: a writer
	 * coordinating an operation waits for another MDS's participant
	 * step, and the participant steps never wait for a peer, so with
	 * one pool for both, two MDS whose writers all coordinate towards
	 * each other would wait on each other until the calls time out.
	 */
	struct leofs_workq *participants;
	struct leofs_workq *chores; /* session expiry */
	struct mds_sessions *sessions;
	struct mds_peer *push_list;

	int map_fd; /* eventfd: a new map epoch */
	sd_event_source *map_src, *tick_src;

	/* changes done by the workers, answered from the loop thread */
	pthread_mutex_t done_lock;
	struct mds_job *done;
	int done_fd;
	sd_event_source *done_src;
	struct mds_map *map; /* the one the engine validates with */
	u64 pushed_epoch;

	struct mds_peers *peers; /* other MDS, for cross-shard operations */
	bool recovering; /* an intent recovery pass is queued or running */
};

/* A change handed to a worker. */
struct mds_job {
	struct mds_net *net;
	struct leofs_request *req;
	struct mds_job *next; /* on net->done */
	struct mds_call call;
};

static bool serves(const struct mds_net *n, u64 ino)
{
	u16 shard = leofs_ino_shard(ino);
	u32 i;

	for (i = 0; i < n->cfg->nr_shards; i++)
		if (n->cfg->shards[i] == shard)
			return true;
	return false;
}

static void reply_errno(struct leofs_request *req, int err)
{
	leofs_request_reply_status(req, leofs_errno_to_status(err));
}

/* ---- cluster messages ---------------------------------------------------- */

static void do_hello(struct mds_net *n, struct leofs_request *req,
		     struct mds_peer *p)
{
	static const u8 zero[16];
	struct leofs_hello_reply out = { .status = LEOFS_S_OK };
	struct leofs_hello_req in;
	int rc, v;

	rc = leofs_hello_req_decode(&in, req->body, req->hdr.body_len);
	if (rc) {
		reply_errno(req, rc);
		return;
	}
	if (p->session) {
		reply_errno(req, -EPROTO); /* one HELLO per connection */
		return;
	}
	v = leofs_proto_negotiate(LEOFS_PROTO_VERSION_MIN,
				  LEOFS_PROTO_VERSION_MAX, in.version_min,
				  in.version_max);
	if (v < 0) {
		leofs_request_reply_status(req, LEOFS_S_VERSION);
		return;
	}
	if (memcmp(in.cluster_id, zero, 16) &&
	    memcmp(in.cluster_id, n->cfg->cluster_id, 16)) {
		leofs_request_reply_status(req, LEOFS_S_WRONG_CLUSTER);
		return;
	}
	rc = mds_session_attach(n->sessions, in.session_id, leofs_now_ms(),
				&p->session);
	if (rc) {
		log_warning("%s: no session: %u sessions in use",
			    leofs_conn_peer(req->conn),
			    mds_sessions_count(n->sessions));
		reply_errno(req, rc == -EUSERS ? -EAGAIN : rc);
		return;
	}
	p->kind = in.peer_kind;
	out.version = (u16)v;
	out.peer_kind = LEOFS_PEER_MDS;
	out.features = in.features & MDS_FEATURES;
	out.node_id = n->cfg->node_id;
	memcpy(out.cluster_id, n->cfg->cluster_id, 16);
	out.session_id = p->session->id;
	out.map_epoch = n->h.maps ? mds_mapsvc_epoch(n->h.maps) : 0;
	if (out.features & LEOFS_FEAT_MAP_PUSH) {
		p->push = true;
		p->next = n->push_list;
		if (p->next)
			p->next->prev = p;
		n->push_list = p;
	}
	leofs_request_reply(req, &out, sizeof(out));
}

static void do_map_get(struct mds_net *n, struct leofs_request *req)
{
	struct leofs_map_reply out = { .status = LEOFS_S_OK };
	struct leofs_map_get_req in;
	struct mds_map *m;
	int rc;

	rc = leofs_map_get_req_decode(&in, req->body, req->hdr.body_len);
	if (rc) {
		reply_errno(req, rc);
		return;
	}
	m = n->h.maps ? mds_mapsvc_current(n->h.maps) : NULL;
	if (!m) {
		reply_errno(req, -EAGAIN); /* a follower not yet in touch */
		return;
	}
	out.epoch = m->map.epoch;
	if (in.known_epoch != m->map.epoch) {
		out.map.data = m->enc;
		out.map.len = m->enc_len;
	}
	leofs_request_reply(req, &out, sizeof(out));
	mds_map_unref(m);
}

static void do_oss(struct mds_net *n, struct leofs_request *req)
{
	struct leofs_epoch_reply out = { .status = LEOFS_S_OK };
	struct leofs_oss_register_req *reg;
	struct leofs_heartbeat_req *hb;
	int rc;

	/* both carry up to 256 targets: too large for the stack */
	if (req->hdr.opcode == LEOFS_OP_OSS_REGISTER) {
		reg = malloc(sizeof(*reg));
		rc = reg ? leofs_oss_register_req_decode(reg, req->body,
							 req->hdr.body_len) :
			   -ENOMEM;
		if (!rc)
			rc = mds_mapsvc_register(n->h.maps, reg,
						 &out.map_epoch);
		free(reg);
	} else {
		hb = malloc(sizeof(*hb));
		rc = hb ? leofs_heartbeat_req_decode(hb, req->body,
						     req->hdr.body_len) :
			  -ENOMEM;
		if (!rc)
			rc = mds_mapsvc_heartbeat(n->h.maps, hb,
						  &out.map_epoch);
		free(hb);
	}
	if (rc) {
		reply_errno(req, rc);
		return;
	}
	leofs_request_reply(req, &out, sizeof(out));
}

static void do_pool_create(struct mds_net *n, struct leofs_request *req)
{
	struct leofs_pool_create_reply out = { .status = LEOFS_S_OK };
	struct leofs_pool_create_req in;
	int rc;

	rc = leofs_pool_create_req_decode(&in, req->body, req->hdr.body_len);
	if (!rc)
		rc = mds_mapsvc_pool_create(n->h.maps, in.name.data,
					    in.name.len, in.tier, in.pg_num,
					    &out.pool_id, &out.map_epoch);
	if (rc) {
		reply_errno(req, rc);
		return;
	}
	leofs_request_reply(req, &out, sizeof(out));
}

/* ---- metadata ------------------------------------------------------------- */

static void job_reply(struct mds_job *j)
{
	leofs_request_reply(j->req, &j->call.reply, j->call.reply_size);
	mds_call_release(&j->call);
	free(j);
}

/*
 * Worker: runs a change (waiting for its commit) and queues the answer
 * for the loop thread, which sends it; one wakeup carries every answer
 * of a group commit.
 */
static void job_run(void *arg)
{
	struct mds_job *j = arg;
	struct mds_net *n = j->net;
	bool wake;
	u64 one = 1;

	mds_call_run(&n->h, &j->call);
	pthread_mutex_lock(&n->done_lock);
	wake = !n->done;
	j->next = n->done;
	n->done = j;
	pthread_mutex_unlock(&n->done_lock);
	if (wake && write(n->done_fd, &one, sizeof(one)) != sizeof(one))
		log_warning("cannot wake the event loop");
}

static int on_done(sd_event_source *s, int fd, uint32_t revents, void *arg)
{
	struct mds_net *n = arg;
	struct mds_job *j, *next;
	u64 v;

	(void)s;
	(void)revents;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return 0;
	pthread_mutex_lock(&n->done_lock);
	j = n->done;
	n->done = NULL;
	pthread_mutex_unlock(&n->done_lock);
	if (!j)
		return 0;
	/* the answers go out together, one sendmsg() per connection */
	leofs_server_cork(n->srv);
	for (; j; j = next) {
		next = j->next;
		job_reply(j);
	}
	leofs_server_uncork(n->srv);
	return 0;
}

static void do_metadata(struct mds_net *n, struct leofs_request *req,
			struct mds_peer *p)
{
	struct mds_job *j;
	u64 ino;
	int rc;

	j = malloc(sizeof(*j));
	if (!j) {
		reply_errno(req, -ENOMEM);
		return;
	}
	j->net = n;
	j->req = req;
	memset(&j->call, 0, offsetof(struct mds_call, reply));
	j->call.opcode = req->hdr.opcode;
	j->call.session = p->session->id;
	j->call.req_id = req->hdr.req_id;
	j->call.body = req->body;
	j->call.len = req->hdr.body_len;
	j->call.scratch = NULL;
	rc = mds_call_decode(&j->call);
	if (rc) {
		free(j);
		reply_errno(req, rc);
		return;
	}
	if (mds_call_route(&j->call, &ino) && !serves(n, ino)) {
		free(j);
		leofs_request_reply_status(req, LEOFS_S_WRONG_SHARD);
		return;
	}
	if (mds_op_is_read(req->hdr.opcode)) {
		/* a read transaction: no waiting */
		mds_call_run(&n->h, &j->call);
		if (!j->call.defer) {
			job_reply(j);
			return;
		}
		/* it needs another MDS: a worker asks it */
		mds_call_release(&j->call);
	}
	j->call.may_wait = true;
	rc = leofs_workq_submit(mds_op_is_peer_only(req->hdr.opcode) ?
					n->participants :
					n->writers,
				job_run, j);
	if (rc) {
		free(j);
		reply_errno(req, rc);
	}
}

static void handle(struct leofs_request *req, void *arg)
{
	struct mds_net *n = arg;
	struct mds_peer *p = leofs_conn_priv(req->conn);
	u16 op = req->hdr.opcode;

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p) {
			struct leofs_conn *c = req->conn; /* the reply frees req */

			reply_errno(req, -ENOMEM);
			leofs_conn_close(c);
			return;
		}
		p->conn = req->conn;
		leofs_conn_set_priv(req->conn, p);
	}
	if (op == LEOFS_OP_HELLO) {
		do_hello(n, req, p);
		return;
	}
	if (!p->session) {
		reply_errno(req, -EPROTO); /* HELLO comes first */
		return;
	}
	switch (op) {
	case LEOFS_OP_MAP_GET:
		do_map_get(n, req);
		return;
	case LEOFS_OP_OSS_REGISTER:
	case LEOFS_OP_HEARTBEAT:
		if (n->h.maps)
			do_oss(n, req);
		else
			reply_errno(req, -EOPNOTSUPP);
		return;
	case LEOFS_OP_POOL_CREATE:
		if (n->h.maps)
			do_pool_create(n, req);
		else
			reply_errno(req, -EOPNOTSUPP);
		return;
	}
	if (mds_op_is_peer_only(op) && p->kind != LEOFS_PEER_MDS) {
		reply_errno(req, -EPERM);
		return;
	}
	if (mds_op_is_metadata(op)) {
		do_metadata(n, req, p);
		return;
	}
	reply_errno(req, -EOPNOTSUPP);
}

static void closed(struct leofs_conn *conn, void *arg)
{
	struct mds_net *n = arg;
	struct mds_peer *p = leofs_conn_priv(conn);

	if (!p)
		return;
	if (p->session)
		mds_session_detach(n->sessions, p->session, leofs_now_ms());
	if (p->push) {
		if (p->prev)
			p->prev->next = p->next;
		else
			n->push_list = p->next;
		if (p->next)
			p->next->prev = p->prev;
	}
	leofs_conn_set_priv(conn, NULL);
	free(p);
}

/* ---- map epochs, sessions ------------------------------------------------- */

void mds_net_map_changed(void *arg)
{
	struct mds_net *n = arg;
	u64 one = 1;

	if (write(n->map_fd, &one, sizeof(one)) != sizeof(one))
		log_warning("cannot signal a new map epoch");
}

/* Loop thread: hands the new map to the engine and to the peers. */
static void map_update(struct mds_net *n)
{
	struct leofs_map_push push;
	struct mds_map *m, *old;
	struct mds_peer *p;

	m = n->h.maps ? mds_mapsvc_current(n->h.maps) : NULL;
	if (!m || m->map.epoch <= n->pushed_epoch) {
		mds_map_unref(m);
		return;
	}
	old = n->map;
	n->map = m;
	mds_engine_set_map(n->h.eng, &m->map);
	mds_map_unref(old);
	n->pushed_epoch = m->map.epoch;
	push.epoch = m->map.epoch;
	push.map.data = m->enc;
	push.map.len = m->enc_len;
	for (p = n->push_list; p; p = p->next)
		leofs_conn_push(p->conn, LEOFS_OP_MAP_PUSH, &push,
				sizeof(push));
	log_info("map epoch %llu in use", (unsigned long long)push.epoch);
}

static int on_map(sd_event_source *s, int fd, uint32_t revents, void *arg)
{
	u64 v;

	(void)s;
	(void)revents;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return 0;
	map_update(arg);
	return 0;
}

struct forget_job {
	struct mds_engine *eng;
	u64 id;
};

static void forget_run(void *arg)
{
	struct forget_job *f = arg;
	int rc = mds_session_forget(f->eng, f->id);

	if (rc)
		log_warning_errno(rc,
				  "cannot drop the replies of session "
				  "%016llx: %m",
				  (unsigned long long)f->id);
	free(f);
}

static void expired(u64 id, void *arg)
{
	struct mds_net *n = arg;
	struct forget_job *f = malloc(sizeof(*f));

	if (!f)
		return;
	f->eng = n->h.eng;
	f->id = id;
	if (leofs_workq_submit(n->chores, forget_run, f))
		free(f);
}

static void recover_run(void *arg)
{
	struct mds_net *n = arg;
	int rc = mds_xshard_recover(n->h.eng);

	if (rc < 0)
		log_warning_errno(rc, "cross-shard intent recovery: %m");
	__atomic_store_n(&n->recovering, false, __ATOMIC_RELEASE);
}

/* Finishes or rolls back the logged cross-shard intents, in the background. */
static void recover_kick(struct mds_net *n)
{
	if (__atomic_exchange_n(&n->recovering, true, __ATOMIC_ACQ_REL))
		return;
	if (leofs_workq_submit(n->chores, recover_run, n))
		__atomic_store_n(&n->recovering, false, __ATOMIC_RELEASE);
}

static int on_tick(sd_event_source *s, uint64_t usec, void *arg)
{
	struct mds_net *n = arg;
	int rc;

	mds_sessions_expire(n->sessions, leofs_now_ms(), EXPIRE_PER_TICK, expired, n);
	recover_kick(n);
	if (n->h.maps) {
		rc = mds_mapsvc_tick(n->h.maps);
		if (rc)
			log_warning_errno(rc, "cannot publish a map epoch: %m");
	}
	sd_event_source_set_time(s, usec + TICK_MS * 1000ull);
	return 0;
}

static void adopt(u64 id, void *arg)
{
	struct mds_net *n = arg;

	mds_session_adopt(n->sessions, id, leofs_now_ms());
}

/* ---- life ------------------------------------------------------------------ */

int mds_net_new(sd_event *ev, const struct mds_config *cfg,
		struct mds_engine *eng, struct mds_mapsvc *maps,
		struct mds_net **out)
{
	struct leofs_server_config sc = {
		.name = "leofs-mds",
		.host = cfg->listen_address,
		.port = cfg->port,
		.max_conns = cfg->max_connections,
		.max_body = cfg->max_frame_size - LEOFS_FRAME_HDR_SIZE,
		.max_inflight = cfg->max_inflight_bytes,
		.idle_timeout_ms = cfg->idle_timeout_ms,
		.handle = handle,
		.closed = closed,
	};
	struct mds_net *n;
	int rc;

	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->ev = ev;
	n->cfg = cfg;
	n->map_fd = n->done_fd = -1;
	n->h.eng = eng;
	n->h.maps = maps;
	pthread_mutex_init(&n->done_lock, NULL);
	n->map_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	n->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (n->map_fd < 0 || n->done_fd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = mds_sessions_new(cfg->max_sessions, cfg->session_timeout_ms,
			      &n->sessions);
	if (!rc)
		rc = mds_session_list(eng, adopt, n);
	if (!rc)
		rc = leofs_workq_new("mds-write", cfg->workers, &n->writers);
	if (!rc)
		rc = leofs_workq_new("mds-peer", PARTICIPANT_THREADS,
				     &n->participants);
	if (!rc)
		rc = leofs_workq_new("mds-chore", 1, &n->chores);
	if (!rc)
		rc = mds_peers_new(maps, cfg->node_id, cfg->cluster_id,
				   &n->peers);
	if (!rc) {
		struct mds_xshard_ops ops;

		mds_peers_ops(n->peers, &ops);
		mds_engine_set_xshard(eng, &ops);
	}
	if (!rc)
		rc = sd_event_add_io(ev, &n->map_src, n->map_fd, EPOLLIN,
				     on_map, n);
	if (rc >= 0)
		rc = sd_event_add_io(ev, &n->done_src, n->done_fd, EPOLLIN,
				     on_done, n);
	if (rc >= 0)
		rc = sd_event_add_time_relative(
			ev, &n->tick_src, CLOCK_MONOTONIC, TICK_MS * 1000ull,
			1000, on_tick, n);
	if (rc >= 0)
		rc = sd_event_source_set_enabled(n->tick_src, SD_EVENT_ON);
	if (rc < 0)
		goto fail;
	sc.arg = n;
	rc = leofs_server_new(ev, &sc, &n->srv);
	if (rc)
		goto fail;
	map_update(n);
	recover_kick(n);
	*out = n;
	return 0;
fail:
	mds_net_free(n);
	return rc;
}

struct leofs_server *mds_net_server(struct mds_net *n)
{
	return n->srv;
}

u16 mds_net_port(struct mds_net *n)
{
	return leofs_server_port(n->srv);
}

void mds_net_free(struct mds_net *n)
{
	if (!n)
		return;
	/* the workers finish what they hold, it is answered, then the
	 * connections go */
	if (n->writers)
		leofs_workq_free(n->writers);
	if (n->participants)
		leofs_workq_free(n->participants);
	if (n->chores)
		leofs_workq_free(n->chores);
	mds_engine_set_xshard(n->h.eng, NULL);
	mds_peers_free(n->peers);
	if (n->done_fd >= 0)
		on_done(NULL, n->done_fd, 0, n);
	if (n->srv)
		leofs_server_free(n->srv);
	sd_event_source_unref(n->map_src);
	sd_event_source_unref(n->tick_src);
	sd_event_source_unref(n->done_src);
	if (n->map_fd >= 0)
		close(n->map_fd);
	if (n->done_fd >= 0)
		close(n->done_fd);
	pthread_mutex_destroy(&n->done_lock);
	mds_engine_set_map(n->h.eng, NULL);
	mds_map_unref(n->map);
	mds_sessions_free(n->sessions);
	free(n);
}
