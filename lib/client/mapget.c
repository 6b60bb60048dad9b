// SPDX-License-Identifier: GPL-2.0
/* The cluster map from a metadata server: MAP_GET (nsclient.h). */
#include <errno.h>
#include <stdlib.h>

#include "leofs/nsclient.h"
#include "leofs/proto_map.h"

/* Room for n elements of size bytes, 8-byte aligned. */
static size_t span(u32 n, size_t size)
{
	return ((size_t)n * size + 7) & ~(size_t)7;
}

/* The next n elements of a block, from *p. */
static void *take(u8 **p, u32 n, size_t size)
{
	void *at = *p;

	*p += span(n, size);
	return at;
}

/* Decodes an encoded map into a new view. */
static int decode_view(const void *buf, size_t len, struct leofs_mapview **out)
{
	struct leofs_map_counts c;
	struct leofs_map m = { 0 };
	u8 *mem, *p;
	int rc;

	if (leofs_map_decode_counts(buf, len, &c))
		return -EBADMSG;
	m.node_count = c.node_count;
	m.target_count = c.target_count;
	m.pool_count = c.pool_count;
	m.mds_count = c.mds_count;
	m.shard_count = c.shard_count;
	m.override_count = c.override_count;
	/* one block: the arrays, then the decoder's scratch */
	mem = calloc(1, span(c.node_count, sizeof(*m.nodes)) +
				span(c.target_count, sizeof(*m.targets)) +
				span(c.pool_count, sizeof(*m.pools)) +
				span(c.mds_count, sizeof(*m.mds)) +
				span(c.shard_count, sizeof(*m.shards)) +
				span(c.override_count, sizeof(*m.overrides)) +
				span(c.target_count, sizeof(u32)) + 8);
	if (!mem)
		return -ENOMEM;
	p = mem;
	m.nodes = take(&p, c.node_count, sizeof(*m.nodes));
	m.targets = take(&p, c.target_count, sizeof(*m.targets));
	m.pools = take(&p, c.pool_count, sizeof(*m.pools));
	m.mds = take(&p, c.mds_count, sizeof(*m.mds));
	m.shards = take(&p, c.shard_count, sizeof(*m.shards));
	m.overrides = take(&p, c.override_count, sizeof(*m.overrides));
	rc = leofs_map_decode(buf, len, &m, take(&p, c.target_count, 4));
	rc = rc ? -EBADMSG : leofs_mapview_new(&m, out);
	free(mem);
	return rc;
}

int leofs_map_fetch(struct leofs_rpc *r, u64 known_epoch, u32 timeout_ms,
		    struct leofs_mapview **out)
{
	struct leofs_map_get_req req = { .known_epoch = known_epoch };
	struct leofs_map_reply rep;
	struct leofs_rpc_reply raw;
	int rc;

	*out = NULL;
	rc = leofs_rpc_call(r, LEOFS_OP_MAP_GET, &req, sizeof(req), &rep,
			    sizeof(rep), &raw, timeout_ms);
	if (rc)
		return rc;
	rc = leofs_status_to_errno(rep.status);
	if (!rc && rep.map.len)
		rc = decode_view(rep.map.data, rep.map.len, out);
	else if (!rc && !known_epoch)
		rc = -EBADMSG; /* an empty map for a requester that has none */
	leofs_rpc_reply_free(&raw);
	return rc;
}
