/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running storage server: local targets with their work queues, the
 * cluster map, connections to the other nodes, and the request handlers.
 * Documentation/oss.md describes the request flow.
 */
#ifndef LEOFS_OSS_NODE_H
#define LEOFS_OSS_NODE_H

#include <pthread.h>

#include "leofs/client.h"
#include "leofs/ec.h"
#include "leofs/proto_msg.h"
#include "leofs/workq.h"
#include "config.h"
#include "oss.h"

/* Per-stripe locks of the primary (hashed; collisions only serialise). */
#define OSS_PRIMARY_LOCKS 1024
/* Member requests: a member that does not answer in time is down. */
#define OSS_MEMBER_TIMEOUT_MS 30000
/* How long a member that failed is skipped before it is tried again. */
#define OSS_DOWN_MS 2000

struct oss_mapsrc;

/*
 * Coordination memory: what a PG primary or a degraded read allocates
 * beyond the request it received (the members' fragments, rebuilt and
 * re-encoded pieces, parity). Each such request takes a bound of it
 * before it starts, and before any stripe lock, so that a holder never
 * waits for another request's share, and gives it back when it is done;
 * a node under a storm of degraded reads or partial writes (EC 16+4 with
 * large units: about 660 MiB each) then queues them instead of running
 * out of memory. budget.c.
 */
struct oss_budget {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	u64 limit, used, peak;
	u64 next, serving; /* tickets: admitted in arrival order */
	u64 waits;	   /* requests that had to wait */
	long logged;	   /* when a wait was last logged (monotonic s) */
};

struct oss_budget_stats {
	u64 limit, used, peak, waits;
};

void oss_budget_init(struct oss_budget *b, u64 limit);
void oss_budget_destroy(struct oss_budget *b);
/* Waits until @bytes fit (or nothing else is held), then holds them. */
void oss_budget_take(struct oss_budget *b, u64 bytes);
void oss_budget_put(struct oss_budget *b, u64 bytes);
void oss_budget_stats(struct oss_budget *b, struct oss_budget_stats *st);
/*
 * The bound for a request that works on pieces of a stripe at most @span
 * bytes wide (a fragment window: a unit, LEOFS_MAX_IO at most) and builds
 * @out bytes of its own: every member's piece twice (as received, and
 * kept), one rebuilt piece, and the output.
 */
u64 oss_coord_bytes(const struct leofs_layout *l, u32 span, u64 out);

struct oss_local {
	u32 id;
	struct oss_target *t;
	struct leofs_workq *wq; /* this disk's I/O */
};

struct oss_node {
	u32 node_id;
	u8 cluster_id[16];
	struct oss_local *locals;
	unsigned int nlocals;
	struct leofs_workq *coord; /* primary work: EC, fan-out, waits */
	struct oss_budget budget;  /* the coordination pool's memory */
	struct oss_mapsrc *maps;
	struct leofs_conns *conns;
	pthread_mutex_t stripe_locks[OSS_PRIMARY_LOCKS];
	pthread_mutex_t ec_lock; /* ec[] */
	struct leofs_ec *ec[LEOFS_EC_MAX_K + 1][LEOFS_EC_MAX_M + 1];
	u64 checksum_errors; /* __atomic: CHECKSUM answers sent */
	u64 degraded_reads; /* __atomic */
	u64 roll_forwards; /* __atomic */
};

/* ---- the map: where it comes from (mapsrc.c) ------------------------------ */

/*
 * The node's current cluster map: from a static cluster description file
 * (the JSON that leofs-placesim reads), or from the metadata servers
 * (OSS_REGISTER, then HEARTBEAT and MAP_GET).
 */
int oss_mapsrc_open(const struct oss_config *cfg, struct oss_node *n,
		    struct oss_mapsrc **out, char *err, size_t err_len);
void oss_mapsrc_close(struct oss_mapsrc *s);
/* A referenced view of the current map, or NULL if there is none yet. */
struct leofs_mapview *oss_mapsrc_get(struct oss_mapsrc *s);
/* A static map for tests and the fuzzer (takes the view's reference). */
int oss_mapsrc_static(struct leofs_mapview *v, struct oss_mapsrc **out);

/* ---- node (node.c) --------------------------------------------------------- */

struct oss_local *oss_node_local(struct oss_node *n, u32 target_id);
/* The EC context for k + m, created on first use; NULL on error. */
struct leofs_ec *oss_node_ec(struct oss_node *n, u32 k, u32 m);
pthread_mutex_t *oss_node_stripe_lock(struct oss_node *n, u64 ino, u32 slot,
				      u64 stripe);
void oss_node_count(u64 *counter);
/*
 * What the node has done that an operator watches for: degraded reads
 * served, stripes rolled forward, checksum failures answered, and the
 * coordination memory (for the service's STATUS).
 */
void oss_node_status(struct oss_node *n, char *buf, size_t len);
/* Engine errno -> wire status (-EBADMSG is a checksum failure). */
u32 oss_status(int err);

/* ---- requests (handlers.c) ------------------------------------------------- */

/*
 * A request being handled: the decoded body, and how to answer. The network
 * answers with leofs_request_reply(); the fuzzer records the reply.
 */
struct oss_call {
	u16 opcode;
	union {
		struct leofs_write_stripe_req ws;
		struct leofs_write_fragment_req wf;
		struct leofs_commit_fragment_req cf;
		struct leofs_partial_write_req pw;
		struct leofs_read_fragment_req rf;
		struct leofs_degraded_read_req dr;
		struct leofs_truncate_objects_req tr;
		struct leofs_delete_objects_req del;
		struct leofs_target_statfs_req sf;
	} m;
	void (*reply)(struct oss_call *c, const void *msg, size_t size);
	/*
	 * Optional: the same for a reply whose last field is a BLOB pointing
	 * at @tail (a leofs_bigbuf_get() buffer, which it takes): the bytes
	 * are sent from there, not copied. @tail_crc: their CRC32C if known.
	 */
	void (*reply_tail)(struct oss_call *c, const void *msg, size_t size,
			   void *tail, size_t tail_len, const u32 *tail_crc);
	void *arg;
};

/*
 * Decode a storage request. Returns 0, or the status to answer with at once
 * (BADMSG, PROTO, NOTSUP). @queue receives where it must run: the target's
 * work queue for member operations, the coordination pool for the others.
 */
u32 oss_call_decode(struct oss_node *n, struct oss_call *c, u16 opcode,
		    const void *body, u32 len, struct leofs_workq **queue);
/* Run a decoded request to its reply (on the queue chosen above). */
void oss_call_run(struct oss_node *n, struct oss_call *c);

/* primary.c */
void oss_handle_write_stripe(struct oss_node *n, struct oss_call *c);
void oss_handle_partial_write(struct oss_node *n, struct oss_call *c);
/*
 * Truncate to @size: if this node is the primary of the stripe that holds
 * byte @size - 1, write zeros over the rest of that stripe (a new version),
 * so that a later extension reads zeros. Returns 0 or a status.
 */
u32 oss_primary_zero_tail(struct oss_node *n, u64 ino,
			  const struct leofs_layout *l, u64 epoch, u64 size);
/* degraded.c */
void oss_handle_degraded_read(struct oss_node *n, struct oss_call *c);

/* ---- a stripe across its PG (fanout.c) ------------------------------------- */

struct oss_pg {
	struct oss_node *n;
	struct leofs_mapview *v;
	struct leofs_layout l;
	u64 ino;
	u32 slot;
	u64 stripe;
	struct leofs_pg_ref ref;
	u32 width;
	u32 targets[LEOFS_MAX_FRAGMENTS];
	u32 live; /* bit per rank: reachable for this request */
};

/* What each member said about the stripe. */
struct oss_member {
	int err; /* 0, or -errno (transport errors: down) */
	u64 version;
	u64 prepared;
	u8 *buf; /* read data, owned */
};

/*
 * Resolve the PG of a request and check it may be served here: map epoch
 * (WRONG_EPOCH), PG number, and for @primary that rank 0 is local
 * (NOT_PRIMARY). Returns 0 or a status; on success the caller puts pg->v.
 */
u32 oss_pg_open(struct oss_node *n, struct oss_pg *pg, u64 ino, u32 slot,
		u64 stripe, const struct leofs_pg_ref *ref,
		const struct leofs_layout *l, bool primary);
void oss_pg_close(struct oss_pg *pg);
u32 oss_pg_count(u32 mask);

/* READ_FRAGMENT [off, off + len) of every rank in @mask, in parallel. */
void oss_pg_read(struct oss_pg *pg, u32 mask, u32 off, u32 len, u32 flags,
		 struct oss_member *res);
/* WRITE_FRAGMENT of frags[rank] + data_off, len bytes at @off. */
void oss_pg_write(struct oss_pg *pg, u32 mask, u32 phase, u64 version,
		  u32 off, u8 *const frags[], u32 len, int *res);
/* COMMIT, ABORT or UNDO_NEW (enum leofs_commit_action) on a local target. */
int oss_stripe_finish(struct oss_target *t, const struct oss_obj_id *obj,
		      u32 unit, u64 stripe, u64 version, u32 action);
/* COMMIT_FRAGMENT: @action (enum leofs_commit_action) of @version. */
void oss_pg_commit(struct oss_pg *pg, u32 mask, u32 action, u64 version,
		   int *res);
void oss_members_free(struct oss_member *res, u32 width);

/*
 * The stripe's version from its members' states (resolve.c): the highest
 * version held (committed or prepared) by at least @need members (K; 1 for
 * copies), whose prepared holders are rolled forward (marked -EAGAIN, to
 * be read again), passing over versions that cannot have been
 * acknowledged. Returns the version (0: never written), -EAGAIN while a
 * version that may have been acknowledged cannot be rebuilt from the live
 * members, or -EIO; @current receives the ranks holding it committed.
 */
s64 oss_pg_resolve(struct oss_pg *pg, struct oss_member *res, u32 need,
		   u32 *current);

#endif /* LEOFS_OSS_NODE_H */
