/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The userspace data path: cluster map views, connections to storage nodes,
 * and a file client that stripes byte ranges of a file over stripes, PGs
 * and targets and moves them through the storage servers (leofs-oss).
 * Used by the tests, the benchmarks, the tools and the replicator; the OSS
 * itself uses the map view and the connection cache to reach PG members.
 *
 * Threads: every object here may be shared by any number of threads.
 * Errors are negative errnos; a storage status travels as
 * leofs_status_to_errno() of it (e.g. LEOFS_S_CHECKSUM -> -EBADMSG).
 */
#ifndef LEOFS_CLIENT_H
#define LEOFS_CLIENT_H

#include <stdbool.h>

#include "leofs/map.h"
#include "leofs/placement.h"
#include "leofs/proto.h"
#include "leofs/rpc.h"

/* ---- map views -------------------------------------------------------- */

/*
 * An immutable, reference-counted copy of one cluster map epoch, with PG
 * tables built on first use.
 */
struct leofs_mapview;

/* Deep-copies @map. */
int leofs_mapview_new(const struct leofs_map *map, struct leofs_mapview **out);
struct leofs_mapview *leofs_mapview_get(struct leofs_mapview *v);
void leofs_mapview_put(struct leofs_mapview *v);
const struct leofs_map *leofs_mapview_map(const struct leofs_mapview *v);
u64 leofs_mapview_epoch(const struct leofs_mapview *v);

/*
 * Targets of PG @pg of pool @pool_id laid out @width wide, in rank order,
 * into targets[width]. -ENOENT: no such pool; -ERANGE: pg >= pg_num;
 * -ENOSPC: too few nodes for the width.
 */
int leofs_mapview_row(struct leofs_mapview *v, u32 pool_id, u32 width, u32 pg,
		      u32 *targets);
/* pg_num of a pool, 0 if there is no such pool. */
u32 leofs_mapview_pg_num(const struct leofs_mapview *v, u32 pool_id);
const struct leofs_map_target *
leofs_mapview_target(const struct leofs_mapview *v, u32 target_id);
const struct leofs_map_node *leofs_mapview_node(const struct leofs_mapview *v,
						u32 node_id);

/* ---- layouts ------------------------------------------------------------ */

/* Fragments of a stripe: k + m (N copies are k = 1, m = N - 1). */
static inline u32 leofs_layout_width(const struct leofs_layout *l)
{
	return (u32)l->k + l->m;
}

/*
 * Members that must be live for a PG to take writes: K + 1 for EC (all
 * of them when M = 1), 2 for N >= 2 copies, 1 for a single copy.
 */
static inline u32 leofs_layout_min_size(const struct leofs_layout *l)
{
	if (l->scheme == LEOFS_LAYOUT_EC)
		return (u32)l->k + 1;
	return leofs_layout_width(l) >= 2 ? 2 : 1;
}

/* ---- connections to nodes ------------------------------------------------ */

/*
 * One multiplexed connection per node, opened on first use. A node whose
 * connection fails (connect error, reset, timeout) is down for @down_ms:
 * leofs_conns_get() fails at once with -EHOSTDOWN until then.
 */
struct leofs_conns;
struct leofs_conn_ref;

int leofs_conns_new(const struct leofs_rpc_opts *opts, u32 down_ms,
		    struct leofs_conns **out);
void leofs_conns_free(struct leofs_conns *c);
int leofs_conns_get(struct leofs_conns *c, u32 node_id,
		    const struct leofs_addr *addr, struct leofs_conn_ref **ref);
struct leofs_rpc *leofs_conn_ref_rpc(struct leofs_conn_ref *ref);
void leofs_conns_put(struct leofs_conns *c, struct leofs_conn_ref *ref);
/* The call on @ref failed with @err: drop the connection, mark it down. */
void leofs_conns_failed(struct leofs_conns *c, struct leofs_conn_ref *ref,
			int err);
bool leofs_conns_is_down(struct leofs_conns *c, u32 node_id);
/* A transport error: the peer is down for this request. */
bool leofs_err_is_transport(int err);

/* ---- the file client --------------------------------------------------- */

struct leofs_client;

struct leofs_client_opts {
	struct leofs_rpc_opts rpc;	/* cluster id, connect timeout */
	u32 timeout_ms;			/* per request + resends; 0 = 30 s */
	u32 max_inflight;		/* stripe requests in flight; 0 = 16 */
	u32 down_ms;			/* how long a failed node is skipped */
	/*
	 * Fetches a newer map before a request is sent again (optional).
	 * Returns 0 with a referenced view in *out.
	 */
	int (*refresh)(void *arg, u64 known_epoch, struct leofs_mapview **out);
	void *refresh_arg;
};

struct leofs_client_stats {
	u64 stripes_written;
	u64 partial_writes;
	u64 fragment_reads;
	u64 degraded_reads;	/* fell back to DEGRADED_READ */
	u64 map_refreshes;
};

int leofs_client_new(struct leofs_mapview *map,
		     const struct leofs_client_opts *opts,
		     struct leofs_client **out);
void leofs_client_free(struct leofs_client *c);
void leofs_client_stats(struct leofs_client *c, struct leofs_client_stats *st);

/*
 * LEOFS_FILE_EOF: the write ends the file, so the bytes after it in its
 * last stripe may be written as zeros (a full-stripe write instead of a
 * read-modify-write).
 */
#define LEOFS_FILE_EOF 0x1u

/*
 * Write @len bytes at @off of file @ino. Returns 0 once every stripe is
 * durable on its PG, or the first error (stripes already written stay).
 */
int leofs_file_write(struct leofs_client *c, u64 ino,
		     const struct leofs_layout *l, u64 off, const void *buf,
		     size_t len, u32 flags);
/*
 * Read @len bytes at @off (never-written bytes read as zeros). Never
 * returns data that failed a checksum: a bad or unreachable fragment is
 * reconstructed by a PG member, or the read fails.
 */
int leofs_file_read(struct leofs_client *c, u64 ino,
		    const struct leofs_layout *l, u64 off, void *buf,
		    size_t len);
/* Ask every node holding the file's PGs to drop whole stripes past @size. */
int leofs_file_truncate(struct leofs_client *c, u64 ino,
			const struct leofs_layout *l, u64 size);
/* Ask every node holding the file's PGs to delete its objects. */
int leofs_file_delete(struct leofs_client *c, u64 ino,
		      const struct leofs_layout *l);

#endif /* LEOFS_CLIENT_H */
