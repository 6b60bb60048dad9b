// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the placesim cluster description parser, then the PG table build on
 * whatever it accepts (bounded size): the build must succeed or return a
 * documented error, rows must hold in targets of the pool's tier on
 * distinct in nodes, and two builds must agree.
 */
#include <stdlib.h>

#include "../../lib/placesim/placesim.h"

#define MAX_COLS 20000
#define MAX_TARGETS 2000

static const struct leofs_map_target *find_target(const struct leofs_map *m,
						  u32 id)
{
	u32 i;

	for (i = 0; i < m->target_count; i++)
		if (m->targets[i].id == id)
			return &m->targets[i];
	return NULL;
}

static bool node_in(const struct leofs_map *m, u32 id)
{
	u32 i;

	for (i = 0; i < m->node_count; i++)
		if (m->nodes[i].id == id)
			return m->nodes[i].state & LEOFS_STATE_IN;
	return false;
}

static void check_table(const struct placesim_cluster *c,
			const struct leofs_pg_table *t)
{
	const struct leofs_map *m = &c->map;
	u32 pg, r, q;

	for (pg = 0; pg < t->pg_num; pg++) {
		for (r = 0; r < t->width; r++) {
			const struct leofs_map_target *tg =
				find_target(m, leofs_pg_target(t, pg, r));

			if (!tg || !tg->weight || tg->tier != m->pools[0].tier ||
			    !(tg->state & LEOFS_STATE_IN) ||
			    !node_in(m, tg->node_id))
				abort();
			for (q = 0; q < r; q++)
				if (find_target(m, leofs_pg_target(t, pg, q))
					    ->node_id == tg->node_id)
					abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct placesim_cluster c;
	struct leofs_pg_table *t1, *t2;
	char err[256];
	int ret;

	if (placesim_parse_json((const char *)data, size, &c, err, sizeof(err))) {
		if (!err[0])
			abort();	/* every rejection says why */
		return 0;
	}
	if ((u64)c.map.pools[0].pg_num * c.width > MAX_COLS ||
	    c.map.target_count > MAX_TARGETS)
		goto out;
	t1 = placesim_build(&c, &ret);
	if (!t1) {
		if (ret != -ENOSPC)
			abort();
		goto out;
	}
	check_table(&c, t1);
	t2 = placesim_build(&c, &ret);
	if (!t2 || memcmp(t1, t2, leofs_pg_table_size(t1->pg_num, t1->width)))
		abort();
	free(t2);
	free(t1);
out:
	placesim_cluster_free(&c);
	return 0;
}
