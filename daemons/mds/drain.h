/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The deletion queue drain: a thread that removes (or cuts) the objects
 * of the queued inodes on the storage servers, slot by slot on each slot's
 * PG primary, and acknowledges a queue entry only once every server
 * involved answered. Failures are retried with a doubling delay; the queue
 * is durable, so the work resumes after a restart.
 */
#ifndef MDS_DRAIN_H
#define MDS_DRAIN_H

#include "mapsvc.h"
#include "mds.h"

struct mds_drain_opts {
	struct mds_engine *eng;
	struct mds_mapsvc *maps;
	const u16 *shards;
	u32 nr_shards;
	const u8 *cluster_id;
	u32 node_id;
	u32 poll_ms; /* an idle queue is looked at this often */
	u32 retry_max_ms;
};

struct mds_drain;

int mds_drain_start(const struct mds_drain_opts *opts, struct mds_drain **out);
void mds_drain_stop(struct mds_drain *d);

#endif /* MDS_DRAIN_H */
