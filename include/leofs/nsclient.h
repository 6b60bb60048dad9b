/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The namespace from userspace: a client of the metadata servers that
 * fetches the cluster map and sends each request about an inode to the MDS
 * serving the inode's shard (its top 16 bits), as the map says: the
 * shard's primary, or its secondary while the primary is down. Routing
 * statuses (WRONG_SHARD, WRONG_EPOCH) refresh the map and retry. Used by
 * leofs-admin and leofs-file; file data goes through client.h with the
 * layout and inode number this client returns.
 *
 * Errors are negative errnos; a server status travels as
 * leofs_status_to_errno() of it. On every failure leofs_ns_why() has a
 * one-line description for the calling thread. A leofs_ns may be used by
 * any number of threads.
 */
#ifndef LEOFS_NSCLIENT_H
#define LEOFS_NSCLIENT_H

#include <stdbool.h>

#include "leofs/client.h"
#include "leofs/map.h"
#include "leofs/proto_msg.h"
#include "leofs/rpc.h"

/* ---- the cluster map ------------------------------------------------------- */

/*
 * MAP_GET on @r: 0 with a new view in *out, or with *out NULL when
 * @known_epoch is still current; a server status as its errno.
 */
int leofs_map_fetch(struct leofs_rpc *r, u64 known_epoch, u32 timeout_ms,
		    struct leofs_mapview **out);

/* ---- the namespace client ---------------------------------------------------- */

struct leofs_ns;

/* One metadata server to try. */
struct leofs_ns_server {
	const char *host; /* a name, an IPv4 or an IPv6 address */
	u16 port;
};

struct leofs_ns_opts {
	u32 peer_kind; /* enum leofs_peer_kind; 0: LEOFS_PEER_CLIENT */
	/*
	 * Bounds reaching the cluster (all servers together), each later
	 * connection and each request; 0: 5000.
	 */
	u32 timeout_ms;
	/* Refuse servers of another cluster; otherwise the first one's. */
	bool have_cluster;
	u8 cluster_id[16];
};

/*
 * Connects to the first of servers[0..n) that completes HELLO and
 * fetches the cluster map from it.
 */
int leofs_ns_open(const struct leofs_ns_server *servers, unsigned int n,
		  const struct leofs_ns_opts *opts, struct leofs_ns **out);
void leofs_ns_close(struct leofs_ns *ns);

/* Why the calling thread's last failed call failed. */
const char *leofs_ns_why(void);

/* The current map, referenced (leofs_mapview_put() it). */
struct leofs_mapview *leofs_ns_view(struct leofs_ns *ns);
/*
 * Fetches the map again; 0 with a referenced view in *out. Fits
 * leofs_client_opts.refresh, with the leofs_ns as its argument.
 */
int leofs_ns_refresh(void *ns, u64 known_epoch, struct leofs_mapview **out);

/* "127.0.0.1:7000": the server the map came from. */
const char *leofs_ns_contacted(const struct leofs_ns *ns);
/*
 * The connection to that server (requests that are not about an inode),
 * reconnected if it broke.
 */
int leofs_ns_first_rpc(struct leofs_ns *ns, struct leofs_rpc **out);
/* The connection to the MDS serving @ino's shard (opened on first use). */
int leofs_ns_rpc(struct leofs_ns *ns, u64 ino, struct leofs_rpc **out);

/*
 * A request about @ino at the MDS serving it, retried after a map refresh
 * on a routing status: 0 with the reply decoded into @rep (its status
 * unchecked; its buffers point into *raw, freed by the caller), or a
 * transport error.
 */
int leofs_ns_call(struct leofs_ns *ns, u64 ino, u16 op, const void *req,
		  size_t req_size, void *rep, size_t rep_size,
		  struct leofs_rpc_reply *raw);

/* The caller's credentials as the MDS checks them (euid, egid, groups). */
void leofs_creds_self(struct leofs_creds *c);

/* ---- namespace operations (the process's credentials) ---------------------- */

int leofs_ns_getattr(struct leofs_ns *ns, u64 ino, struct leofs_attr *out);
int leofs_ns_lookup(struct leofs_ns *ns, u64 parent, const char *name,
		    size_t len, struct leofs_attr *out);

/*
 * Resolves an absolute path, one LOOKUP a component from LEOFS_ROOT_INO.
 * '.' and '..' are not resolved (-EINVAL, as for a relative path or a bad
 * name). *done (if not NULL) gets the length of the path up to the
 * component that failed, or the whole length.
 */
int leofs_ns_walk(struct leofs_ns *ns, const char *path, struct leofs_attr *out,
		  size_t *done);

/* Creates regular file @name in @parent; -EEXIST if the name is taken. */
int leofs_ns_create(struct leofs_ns *ns, u64 parent, const char *name, u32 mode,
		    struct leofs_attr *out);
int leofs_ns_unlink(struct leofs_ns *ns, u64 parent, const char *name);

/*
 * Calls fn for every entry of directory @dir after @cookie (0: from the
 * start), READDIR batch after batch. The entry's name is valid during the
 * call only. A non-zero return of fn stops the walk and is returned.
 */
typedef int (*leofs_ns_dirent_fn)(void *arg, const struct leofs_dirent *de);
int leofs_ns_readdir(struct leofs_ns *ns, u64 dir, u64 cookie,
		     leofs_ns_dirent_fn fn, void *arg);

/* GET_LAYOUT: the layout the data of @ino is stored with. */
int leofs_ns_layout(struct leofs_ns *ns, u64 ino, struct leofs_layout *out);
/*
 * COMMIT_SIZE once the data is stored: the MDS keeps the larger of its
 * size and @size, and marks the file as having data.
 */
int leofs_ns_commit_size(struct leofs_ns *ns, u64 ino, u64 size,
			 const struct leofs_timespec *mtime,
			 struct leofs_attr *out);

#endif /* LEOFS_NSCLIENT_H */
