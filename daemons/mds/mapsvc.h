/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cluster map service of leofs-mds: the one interface through which the
 * rest of the daemon reads the map and reports storage servers' life.
 *
 * This implementation has a single authority: the MDS configured as such
 * keeps the map in LMDB (<data_dir>/map), bootstrapped from a cluster
 * description (mds_cluster_parse, `leofs-mds --init`), and makes every new
 * epoch; the other MDS nodes follow it (MAP_GET, then MAP_PUSH). A
 * replicated authority replaces this file behind the same functions.
 *
 * Thread-safe. Published maps are immutable and reference counted.
 */
#ifndef MDS_MAPSVC_H
#define MDS_MAPSVC_H

#include <stdbool.h>
#include <stddef.h>

#include "leofs/map.h"
#include "leofs/proto_msg.h"
#include "mds.h"

/* One epoch: the decoded map (arrays owned) and its encoding. */
struct mds_map {
	int refs; /* atomic */
	struct leofs_map map;
	u8 *enc;
	u32 enc_len;
};

/* Decodes and validates an encoded map (a copy of buf is kept). */
int mds_map_from_wire(const void *buf, size_t len, struct mds_map **out);
/* Encodes a map built in memory (validated by the encoder). */
int mds_map_from_struct(const struct leofs_map *m, struct mds_map **out);
struct mds_map *mds_map_ref(struct mds_map *m);
void mds_map_unref(struct mds_map *m);

/* Frees the arrays of a map built by mds_cluster_parse(). */
void mds_map_arrays_free(struct leofs_map *m);

/*
 * A cluster description (Documentation/mds.md) into a map of epoch 1 with
 * the given cluster id, and the root directory's layout (may be NULL):
 * "default_layout", or mds_layout_default(). Returns 0 or -EINVAL with
 * the reason in err.
 */
int mds_cluster_parse(const char *text, size_t len, const u8 cluster_id[16],
		      struct leofs_map *out, struct mds_layout *layout,
		      char *err, size_t err_len);
int mds_cluster_load(const char *path, const u8 cluster_id[16],
		     struct leofs_map *out, struct mds_layout *layout, char *err,
		     size_t err_len);

struct mds_mapsvc_opts {
	const char *data_dir; /* the map store is <data_dir>/map */
	const u8 *cluster_id; /* 16 bytes */
	u32 node_id;
	bool authority;
	const char *authority_host; /* followers */
	u16 authority_port;
	u32 grace_ms; /* authority: silent OSS -> down */
	u32 down_out_ms; /* authority: down that long -> out; 0: never */
	u64 (*clock_ms)(void); /* monotonic ms; NULL: CLOCK_MONOTONIC */
};

struct mds_mapsvc;

/* Writes epoch 1 into an empty store; -EEXIST if a map is already there. */
int mds_mapsvc_bootstrap(const char *data_dir, const struct leofs_map *m);

int mds_mapsvc_open(const struct mds_mapsvc_opts *opts,
		    struct mds_mapsvc **out);
void mds_mapsvc_close(struct mds_mapsvc *svc);

/* fn(arg) on every new epoch, from any thread; it must not block. */
void mds_mapsvc_listen(struct mds_mapsvc *svc, void (*fn)(void *arg),
		       void *arg);

bool mds_mapsvc_is_authority(const struct mds_mapsvc *svc);
/* The current map with a reference, or NULL before the first one. */
struct mds_map *mds_mapsvc_current(struct mds_mapsvc *svc);
u64 mds_mapsvc_epoch(struct mds_mapsvc *svc);

/*
 * Authority only (-EOPNOTSUPP elsewhere): storage server life. Both set
 * *epoch to the current epoch. -ENOENT: a node the map does not know.
 */
int mds_mapsvc_register(struct mds_mapsvc *svc,
			const struct leofs_oss_register_req *r, u64 *epoch);
int mds_mapsvc_heartbeat(struct mds_mapsvc *svc,
			 const struct leofs_heartbeat_req *h, u64 *epoch);
#define MDS_POOL_PG_MAX (1u << 20)

/*
 * Authority only (-EOPNOTSUPP elsewhere): a new pool with the next free id
 * in a new epoch, stored before it is published. -EINVAL: a name that is
 * not 1..31 printable ASCII bytes without spaces, an unknown tier or
 * pg_num outside 1..MDS_POOL_PG_MAX; -EEXIST: the name is in use;
 * -ENOSPC: the map holds LEOFS_MAP_MAX_POOLS pools.
 */
int mds_mapsvc_pool_create(struct mds_mapsvc *svc, const char *name,
			   size_t len, u32 tier, u32 pg_num, u32 *pool_id,
			   u64 *epoch);
/* Marks nodes silent for longer than the grace period down. */
int mds_mapsvc_tick(struct mds_mapsvc *svc);

/*
 * The capacity reports of the map's targets (state: the target's and its
 * node's IN bit, as statfs counts them). Returns the number filled.
 */
size_t mds_mapsvc_space(struct mds_mapsvc *svc, struct mds_target_space *out,
			size_t max);

#endif /* MDS_MAPSVC_H */
