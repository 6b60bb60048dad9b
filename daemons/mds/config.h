/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leofs-mds configuration: a JSON file, every field validated. Errors read
 * "config: <field>: <reason>", e.g. "config: shards[1]: must be 0..65535".
 */
#ifndef MDS_CONFIG_H
#define MDS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "leofs/compat.h"

#define MDS_CONFIG_MAX_SHARDS 64
#define MDS_FRAME_SIZE_MAX    ((16u << 20) + 65536u + 32u)

struct mds_config {
	u32 node_id; /* 1..2^32-1 */
	u8 cluster_id[16]; /* 32 hex digits, dashes allowed */
	char listen_address[64]; /* IPv4 or IPv6 literal */
	u16 port; /* 1..65535 */
	char data_dir[256]; /* absolute path */
	u16 shards[MDS_CONFIG_MAX_SHARDS];
	u32 nr_shards; /* 1..64, distinct */
	u32 max_connections; /* 1..65536, default 1024 */
	u32 max_frame_size; /* 4096..MDS_FRAME_SIZE_MAX */
	u32 max_sessions; /* 1..1048576, default 4096 */
	u32 reply_cache_size; /* per session, 1..65536, default 64 */
	u32 max_inflight_bytes; /* per connection, 64 KiB..1 GiB */
	u32 idle_timeout_ms; /* silent peer, half-sent frame, unread replies */
	u32 session_timeout_ms; /* a session without connection expires */
	u32 workers; /* threads running changes, 1..1024, default 128 */

	/* the cluster map service */
	bool map_authority; /* this node holds the map */
	char authority_address[64]; /* followers: where the authority is */
	u16 authority_port;
	u32 heartbeat_grace_ms; /* silent OSS is marked down after it */
	u32 down_out_ms; /* a down OSS is marked out after it; 0: never */

	/* the deletion queue drain */
	u32 delete_poll_ms; /* how often an idle queue is looked at */
	u32 delete_retry_max_ms; /* backoff ceiling after failures */
};

/* 0, or -EINVAL with the reason in err. */
int mds_config_parse(const char *json, size_t len, struct mds_config *cfg,
		     char *err, size_t err_len);
int mds_config_load(const char *path, struct mds_config *cfg, char *err,
		    size_t err_len);

#endif /* MDS_CONFIG_H */
