/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The network side of leofs-mds: the server on the event loop, sessions,
 * the cluster messages (HELLO, MAP_GET, OSS_REGISTER, HEARTBEAT, MAP_PUSH)
 * and the dispatch of metadata requests: reads run on the loop thread,
 * changes on worker threads that wait for their group commit, so that
 * requests from every connection batch in the shards' writers.
 */
#ifndef MDS_NET_H
#define MDS_NET_H

#include <systemd/sd-event.h>

#include "config.h"
#include "mapsvc.h"
#include "mds.h"

struct mds_net;

/* maps may be NULL (no map service: tests, benchmarks). */
int mds_net_new(sd_event *ev, const struct mds_config *cfg,
		struct mds_engine *eng, struct mds_mapsvc *maps,
		struct mds_net **out);
struct leofs_server *mds_net_server(struct mds_net *n);
u16 mds_net_port(struct mds_net *n);
/* Called by the map service on a new epoch (any thread). */
void mds_net_map_changed(void *net);
/* After the loop ended: finishes the workers, closes every connection. */
void mds_net_free(struct mds_net *n);

#endif /* MDS_NET_H */
