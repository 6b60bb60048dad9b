/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connections to the other metadata servers, for the coordinator side of
 * cross-shard operations and the attributes of inodes homed elsewhere:
 * the engine's mds_xshard_ops over the network.
 * The MDS serving a shard is found in the current cluster map.
 */
#ifndef MDS_PEERS_H
#define MDS_PEERS_H

#include "mapsvc.h"
#include "mds.h"

struct mds_peers;

int mds_peers_new(struct mds_mapsvc *maps, u32 node_id, const u8 cluster_id[16],
		  struct mds_peers **out);
void mds_peers_free(struct mds_peers *p);
/* The engine's transport to the shards of other servers. */
void mds_peers_ops(struct mds_peers *p, struct mds_xshard_ops *ops);

#endif /* MDS_PEERS_H */
