/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace placement analysis shared by leofs-placesim and the placement
 * benchmark: cluster descriptions that own their map arrays, balance and
 * movement statistics.
 */
#ifndef LEOFS_PLACESIM_H
#define LEOFS_PLACESIM_H

#include "leofs/placement.h"

/* A cluster description: one map (owning its arrays) and the pool to study. */
struct placesim_cluster {
	struct leofs_map map;
	u32 pool_id;
	u32 width;
};

struct placesim_balance {
	u32 targets;		/* in targets of the pool's tier, weight > 0 */
	double min;		/* members per unit of weight (1.0 = 0x10000) */
	double max;
	double mean;
	double ratio;		/* max / mean */
};

struct placesim_move {
	u64 moved;		/* (PG, rank) columns whose target changed */
	double optimal;		/* the least any placement must move */
	double ratio;		/* moved / optimal */
	u64 moved_elsewhere;	/* removal: columns moved that were not on it */
};

/* cluster.c */
void placesim_cluster_free(struct placesim_cluster *c);
int placesim_cluster_copy(struct placesim_cluster *dst,
			  const struct placesim_cluster *src);
int placesim_generate(struct placesim_cluster *c, u32 nodes,
		      u32 targets_per_node, const u32 *weights, u32 nweights,
		      u32 members_per_target, u32 width);
int placesim_add_node(struct placesim_cluster *c, u32 targets, u32 weight);
int placesim_mark_out(struct placesim_cluster *c, u32 node_id);
u32 placesim_node_weight(const struct placesim_cluster *c, u32 node_id);

/* json.c: parse a cluster description (Documentation/placement.md). */
int placesim_parse_json(const char *text, size_t len,
			struct placesim_cluster *c, char *err, size_t errlen);
int placesim_load_file(const char *path, struct placesim_cluster *c,
		       char *err, size_t errlen);

/* stats.c */
struct leofs_pg_table *placesim_build(const struct placesim_cluster *c,
				      int *err);
void placesim_balance(const struct placesim_cluster *c,
		      const struct leofs_pg_table *t,
		      struct placesim_balance *b);
int placesim_move_add(const struct placesim_cluster *c,
		      const struct leofs_pg_table *before, u32 targets,
		      u32 weight, struct placesim_move *m);
int placesim_move_remove(const struct placesim_cluster *c,
			 const struct leofs_pg_table *before, u32 node_id,
			 struct placesim_move *m);

#endif /* LEOFS_PLACESIM_H */
