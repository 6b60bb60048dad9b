// SPDX-License-Identifier: GPL-2.0
/*
 * The two-step cluster map decoder on arbitrary bytes. A map that decodes
 * must re-encode to the same bytes and decode again to the same map.
 */
#include <stdlib.h>
#include <string.h>

#include "leofs/proto_map.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static void *alloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		abort();
	return p;
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
	m.nodes = alloc(c.node_count, sizeof(*m.nodes));
	m.targets = alloc(c.target_count, sizeof(*m.targets));
	m.pools = alloc(c.pool_count, sizeof(*m.pools));
	m.mds = alloc(c.mds_count, sizeof(*m.mds));
	m.shards = alloc(c.shard_count, sizeof(*m.shards));
	scratch = alloc(c.target_count, sizeof(*scratch));
	out = alloc(size, 1);

	if (leofs_map_decode(data, size, &m, scratch) == 0) {
		if (m.epoch != c.epoch || m.target_count != c.target_count)
			abort();
		len = leofs_map_encode(&m, out, size, scratch);
		if (len != (int)size || memcmp(out, data, size))
			abort();
	}
	free(m.nodes);
	free(m.targets);
	free(m.pools);
	free(m.mds);
	free(m.shards);
	free(scratch);
	free(out);
	return 0;
}
