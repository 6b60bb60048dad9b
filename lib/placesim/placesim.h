/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace placement analysis shared by leofs-placesim and the placement
 * benchmark: cluster descriptions that own their map arrays (overrides
 * included), map changes run through the balancer as the map authority
 * runs them, balance and movement statistics.
 */
#ifndef LEOFS_PLACESIM_H
#define LEOFS_PLACESIM_H

#include "leofs/balance.h"
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

/* One map change, final tables before and after. */
struct placesim_move {
	u64 moved;		/* (PG, rank) members whose target changed */
	double optimal;		/* the least any placement must move */
	double ratio;		/* moved / optimal */
	u64 moved_elsewhere;	/* removal: members moved that were not on it */
	u64 rank_changed;	/* removal: surviving members on another rank */
	double balance;		/* after: fullest / mean (per weight) */
	double seconds;		/* the balancer's run */
	struct leofs_balance_stats stats;	/* the balancer's, after */
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
int placesim_drop_node(struct placesim_cluster *c, u32 node_id);
int placesim_rebalance(struct placesim_cluster *c,
		       const struct placesim_cluster *prev,
		       struct leofs_balance_stats *st);
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
u32 placesim_override_count(const struct placesim_cluster *c);
int placesim_move_add(const struct placesim_cluster *c,
		      const struct leofs_pg_table *before, u32 targets,
		      u32 weight, struct placesim_move *m,
		      struct placesim_cluster *after);
int placesim_move_remove(const struct placesim_cluster *c,
			 const struct leofs_pg_table *before, u32 node_id,
			 bool drop, struct placesim_move *m,
			 struct placesim_cluster *after);

#endif /* LEOFS_PLACESIM_H */
