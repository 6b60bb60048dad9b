// SPDX-License-Identifier: GPL-2.0
/*
 * The two-step cluster map decoder on arbitrary bytes. A map that decodes
 * must re-encode to the same bytes, and placement must accept it: its
 * first pool's PG table (at the width of the first override, else 3)
 * builds or fails with a documented error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "leofs/placement.h"
#include "leofs/proto_map.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static void *alloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		abort();
	return p;
}

/* Small pools only, to keep every run fast. */
static void build_table(const struct leofs_map *m)
{
	u32 width = m->override_count ? m->overrides[0].width : 3;
	size_t ts, ws;
	void *t, *work;
	int ret;

	if (!m->pool_count || m->pools[0].pg_num > 512)
		return;
	ts = leofs_pg_table_size(m->pools[0].pg_num, width);
	ws = leofs_pg_table_work_size(m->target_count, m->pools[0].pg_num,
				      width);
	if (!ts || !ws)
		abort();
	t = alloc(ts, 1);
	work = alloc(ws, 1);
	ret = leofs_pg_table_build(m, m->pools[0].id, width, work, ws, t, ts);
	if (ret && ret != -ENOSPC && ret != -EINVAL)
		abort();
	free(t);
	free(work);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct leofs_map_counts c;
	struct leofs_map m = { 0 };
	u32 *scratch;
	u8 *out;
	int len;

	if (leofs_map_decode_counts(data, size, &c))
		return 0;
	m.node_count = c.node_count;
	m.target_count = c.target_count;
	m.pool_count = c.pool_count;
	m.mds_count = c.mds_count;
	m.shard_count = c.shard_count;
	m.override_count = c.override_count;
	m.nodes = alloc(c.node_count, sizeof(*m.nodes));
	m.targets = alloc(c.target_count, sizeof(*m.targets));
	m.pools = alloc(c.pool_count, sizeof(*m.pools));
	m.mds = alloc(c.mds_count, sizeof(*m.mds));
	m.shards = alloc(c.shard_count, sizeof(*m.shards));
	m.overrides = alloc(c.override_count, sizeof(*m.overrides));
	scratch = alloc(c.target_count, sizeof(*scratch));
	out = alloc(size, 1);

	if (leofs_map_decode(data, size, &m, scratch) == 0) {
		if (m.epoch != c.epoch || m.target_count != c.target_count)
			abort();
		len = leofs_map_encode(&m, out, size, scratch);
		if (len != (int)size || memcmp(out, data, size))
			abort();
		build_table(&m);
	}
	free(m.nodes);
	free(m.targets);
	free(m.pools);
	free(m.mds);
	free(m.shards);
	free(m.overrides);
	free(scratch);
	free(out);
	return 0;
}
