/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leofs-oss configuration (JSON). Every field is validated; an error names
 * the field, e.g. "config: targets[2].tier: must be one of ssd, sas, sata".
 *
 *	{
 *	  "node_id": 1,
 *	  "listen": { "address": "127.0.0.1", "port": 7100 },
 *	  "cluster_id": "0b4c6a52-5a3e-4f0e-9a53-7f43e1c9d2a1",
 *	  "targets": [ { "path": "/srv/leofs/t0", "id": 1,
 *	                 "tier": "ssd", "weight": 100 } ],
 *	  "limits": { "max_connections": 1024, "max_frame_size": 67371008,
 *	              "max_inflight_bytes": 268435456,
 *	              "idle_timeout_ms": 30000,
 *	              "coord_memory_bytes": 1073741824 },
 *	  "worker_threads": 4,
 *	  "group_commit_us": 500,
 *	  "reserve_bytes": 1073741824,
 *	  "mds": [ "10.0.0.1:7000" ]        (or "cluster_map": "/path")
 *	}
 *
 * "limits", "worker_threads", "group_commit_us" and "reserve_bytes" are
 * optional; exactly one of "mds" and "cluster_map" is required. A target's
 * tier and weight must match its superblock (oss_config_open_target()).
 */
#ifndef LEOFS_OSS_CONFIG_H
#define LEOFS_OSS_CONFIG_H

#include "oss.h"

#define OSS_CONFIG_TARGETS_MAX 256
#define OSS_CONFIG_MDS_MAX     256
#define OSS_CONFIG_ADDR_MAX    255

struct oss_config_target {
	char *path;
	u32 id;
	u32 tier;
	u32 weight;
};

struct oss_config {
	u32 node_id;
	char *listen_address;
	u16 listen_port;
	u8 cluster_id[16];
	struct oss_config_target *targets;
	unsigned int ntargets;
	u32 max_connections;
	u32 max_frame_size;
	u64 max_inflight_bytes;
	u32 idle_timeout_ms; /* silent peer, half-sent frame, unread replies */
	u64 coord_memory_bytes; /* struct oss_budget */
	u32 worker_threads;
	u32 group_commit_us;
	u64 reserve_bytes;
	char **mds; /* "host:port" */
	unsigned int nmds;
	char *cluster_map;
};

/* Returns 0, or a negative errno with the reason in @err. */
int oss_config_parse(const char *json, struct oss_config *cfg, char *err,
		     size_t err_len);
int oss_config_load(const char *path, struct oss_config *cfg, char *err,
		    size_t err_len);
void oss_config_free(struct oss_config *cfg);

/*
 * Opens target @i of @cfg with the configured options and checks that its
 * superblock has the tier and weight the configuration gives it. Returns
 * 0, or a negative errno with the reason in @err (naming the field when
 * the two disagree).
 */
int oss_config_open_target(const struct oss_config *cfg, unsigned int i,
			   struct oss_target **t, char *err, size_t err_len);

#endif /* LEOFS_OSS_CONFIG_H */
