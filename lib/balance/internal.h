/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private helpers of lib/balance: the pool's eligible targets and the PG
 * tables of one map.
 */
#ifndef LEOFS_BALANCE_INTERNAL_H
#define LEOFS_BALANCE_INTERNAL_H

#include "leofs/balance.h"

#define BAL_NONE 0xffffffffu

/* An eligible target of the pool (tier, weight > 0, target and node in). */
struct bal_target {
	u32 id;
	u32 node_id;
	u32 weight;
	u32 load;		/* members placed on it */
	u32 cap;		/* most members it may hold */
	u32 fill;		/* most it is filled to or shed to (<= cap) */
};

/* Eligible targets of a map for a pool, sorted by id. */
struct bal_targets {
	struct bal_target *t;
	u32 n;
	u64 weight;		/* sum of their weights */
};

/* tables.c */
int bal_collect(const struct leofs_map *map, u32 pool_id,
		struct bal_targets *ts);
u32 bal_find(const struct bal_targets *ts, u32 id);
struct leofs_pg_table *bal_table(const struct leofs_map *map, u32 pool_id,
				 u32 width, bool overrides, int *err);

#endif /* LEOFS_BALANCE_INTERNAL_H */
