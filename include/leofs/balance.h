/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The placement balancer, run by the map authority when it publishes a
 * new map epoch (userspace only).
 *
 * lib/placement computes a pool's PG table as pure straw2, which moves the
 * least data on map changes but is only as even as the straw2 draws. The
 * balancer computes the map's overrides (map.h) for one (pool, width) so
 * that the final table (straw2 + overrides, as leofs_pg_table_build()
 * computes it) holds every target to at most its weighted share plus the
 * tolerance, while moving, relative to the previous epoch's final table,
 * only what straw2 moves plus the fewest members that restore balance.
 * See Documentation/placement.md.
 */
#ifndef LEOFS_BALANCE_H
#define LEOFS_BALANCE_H

#include "placement.h"

#define LEOFS_BALANCE_TOLERANCE	50	/* permille over the share: 5% */

struct leofs_balance_limits {
	u32 tolerance;		/* permille over the share; 0 = default */
	u32 max_overrides;	/* for this (pool, width); 0 = map limit */
};

/* What one run did; every count is in (PG, rank) members. */
struct leofs_balance_stats {
	u32 members;		/* pg_num x width */
	u32 overrides;		/* overrides now in the map for (pool, width) */
	u32 moved;		/* final table vs the previous final table */
	u32 balance_moves;	/* moves made only to restore balance */
	u32 over_cap;		/* targets left above their cap (0 unless the
				 * node rule makes balance impossible) */
};

/*
 * Compute next's overrides for (pool_id, width). prev is the previous
 * epoch with its overrides, or NULL for a new cluster or pool (prev is
 * also ignored when it lacks the pool or the pool's pg_num changed).
 *
 * Every target's members stay at most max(floor(share x (1 + tolerance)),
 * ceil(share)), share = members x weight / total weight of the pool's
 * eligible targets, unless the node rule makes that impossible (counted
 * in stats->over_cap). Relative to prev's final table, a member moves only
 * if its target left or lost weight, straw2 moves it to a target that
 * joined or gained weight, or balance requires it.
 *
 * On success next->overrides points to a new array from malloc() holding
 * next's overrides for other (pool, width) pairs and the new ones, sorted;
 * the caller frees it. The array it replaced is the caller's and is not
 * freed. Returns 0, or:
 *   -ENOENT  no such pool in next
 *   -EINVAL  bad width, or a map leofs_pg_table_build() refuses
 *   -ENOSPC  fewer nodes than width with an eligible target
 *   -E2BIG   more overrides needed than the limit
 *   -ENOMEM
 * On error next is unchanged. stats may be NULL.
 */
int leofs_balance(const struct leofs_map *prev, struct leofs_map *next,
		  u32 pool_id, u32 width,
		  const struct leofs_balance_limits *limits,
		  struct leofs_balance_stats *stats);

#endif /* LEOFS_BALANCE_H */
