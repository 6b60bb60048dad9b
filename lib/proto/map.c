// SPDX-License-Identifier: GPL-2.0
/*
 * The cluster map codec (proto_map.h). The same validator runs on the
 * in-memory map before encoding and after decoding, so the encoder only
 * produces what the decoder accepts.
 */
#include "leofs/proto_map.h"

#define STATE_KNOWN	(LEOFS_STATE_UP | LEOFS_STATE_IN)

/* ---- validation ------------------------------------------------------------ */

static bool addr_valid(const struct leofs_addr *a)
{
	u32 i, start;

	switch (a->family) {
	case 0:
		if (a->port)
			return false;
		start = 0;
		break;
	case 4:
		start = 4;
		break;
	case 6:
		return true;
	default:
		return false;
	}
	for (i = start; i < sizeof(a->addr); i++)
		if (a->addr[i])
			return false;
	return true;
}

static bool pool_name_valid(const char *name)
{
	u32 i;

	for (i = 0; i <= LEOFS_NAME_MAX_POOL; i++) {
		if (!name[i])
			return i > 0;
		if (name[i] < 0x21 || name[i] > 0x7e)
			return false;
	}
	return false;		/* no NUL */
}

static bool node_exists(const struct leofs_map *map, u32 id)
{
	u32 lo = 0, hi = map->node_count;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (map->nodes[mid].id == id)
			return true;
		if (map->nodes[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static bool mds_exists(const struct leofs_map *map, u32 id)
{
	u32 lo = 0, hi = map->mds_count;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (map->mds[mid].id == id)
			return true;
		if (map->mds[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void sift_down(u32 *a, u32 root, u32 n)
{
	u32 child, tmp;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && a[child + 1] > a[child])
			child++;
		if (a[root] >= a[child])
			return;
		tmp = a[root];
		a[root] = a[child];
		a[child] = tmp;
		root = child;
	}
}

static const struct leofs_map_pool *pool_find(const struct leofs_map *map,
					      u32 id)
{
	u32 lo = 0, hi = map->pool_count;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (map->pools[mid].id == id)
			return &map->pools[mid];
		if (map->pools[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* scratch: the target ids, sorted by target_ids_unique(). */
static bool target_exists(const u32 *ids, u32 n, u32 id)
{
	u32 lo = 0, hi = n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (ids[mid] == id)
			return true;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Heapsorts the target ids into scratch and looks for a duplicate. */
static bool target_ids_unique(const struct leofs_map *map, u32 *scratch)
{
	u32 i, n = map->target_count, tmp;

	for (i = 0; i < n; i++)
		scratch[i] = map->targets[i].id;
	for (i = n / 2; i-- > 0;)
		sift_down(scratch, i, n);
	for (i = n; i-- > 1;) {
		tmp = scratch[0];
		scratch[0] = scratch[i];
		scratch[i] = tmp;
		sift_down(scratch, 0, i);
	}
	for (i = 1; i < n; i++)
		if (scratch[i] == scratch[i - 1])
			return false;
	return true;
}

static int map_validate(const struct leofs_map *map, u32 *scratch)
{
	u32 i;

	if (map->node_count > LEOFS_MAP_MAX_NODES ||
	    map->target_count > LEOFS_MAP_MAX_TARGETS ||
	    map->pool_count > LEOFS_MAP_MAX_POOLS ||
	    map->mds_count > LEOFS_MAP_MAX_MDS ||
	    map->shard_count > LEOFS_MAP_MAX_SHARDS ||
	    map->override_count > LEOFS_MAP_MAX_OVERRIDES)
		return -EBADMSG;
	if ((map->target_count || map->override_count) && !scratch)
		return -EINVAL;

	for (i = 0; i < map->node_count; i++) {
		const struct leofs_map_node *n = &map->nodes[i];

		if (i && n->id <= map->nodes[i - 1].id)
			return -EBADMSG;
		if (n->state & ~STATE_KNOWN || !addr_valid(&n->addr))
			return -EBADMSG;
	}
	for (i = 0; i < map->target_count; i++) {
		const struct leofs_map_target *t = &map->targets[i];
		const struct leofs_map_target *p = t - !!i;

		if (i && (t->node_id < p->node_id ||
			  (t->node_id == p->node_id && t->id <= p->id)))
			return -EBADMSG;
		if (t->tier >= LEOFS_TIER_COUNT || t->state & ~STATE_KNOWN)
			return -EBADMSG;
		if (!node_exists(map, t->node_id))
			return -EBADMSG;
	}
	if (!target_ids_unique(map, scratch))
		return -EBADMSG;
	for (i = 0; i < map->pool_count; i++) {
		const struct leofs_map_pool *p = &map->pools[i];

		if (i && p->id <= map->pools[i - 1].id)
			return -EBADMSG;
		if (p->tier >= LEOFS_TIER_COUNT || !p->pg_num ||
		    !pool_name_valid(p->name))
			return -EBADMSG;
	}
	for (i = 0; i < map->mds_count; i++) {
		const struct leofs_map_mds *m = &map->mds[i];

		if (!m->id || (i && m->id <= map->mds[i - 1].id))
			return -EBADMSG;
		if (m->state & ~STATE_KNOWN || !addr_valid(&m->addr))
			return -EBADMSG;
	}
	for (i = 0; i < map->shard_count; i++) {
		const struct leofs_map_shard *s = &map->shards[i];

		if (i && s->id <= map->shards[i - 1].id)
			return -EBADMSG;
		if (!mds_exists(map, s->primary_mds))
			return -EBADMSG;
		if (s->secondary_mds && (s->secondary_mds == s->primary_mds ||
					 !mds_exists(map, s->secondary_mds)))
			return -EBADMSG;
	}
	for (i = 0; i < map->override_count; i++) {
		const struct leofs_map_override *o = &map->overrides[i];
		const struct leofs_map_pool *pl = pool_find(map, o->pool_id);

		if (i && leofs_map_override_cmp(o - 1, o) >= 0)
			return -EBADMSG;
		if (!pl || o->pg >= pl->pg_num || !o->width ||
		    o->width > LEOFS_MAP_MAX_WIDTH || o->rank >= o->width ||
		    o->reserved)
			return -EBADMSG;
		if (!target_exists(scratch, map->target_count, o->target_id))
			return -EBADMSG;
	}
	return 0;
}

/* ---- encode --------------------------------------------------------------- */

size_t leofs_map_encoded_size(const struct leofs_map *map)
{
	return LEOFS_MAP_HDR_SIZE +
	       (size_t)map->node_count * LEOFS_MAP_NODE_SIZE +
	       (size_t)map->target_count * LEOFS_MAP_TARGET_SIZE +
	       (size_t)map->pool_count * LEOFS_MAP_POOL_SIZE +
	       (size_t)map->mds_count * LEOFS_MAP_MDS_SIZE +
	       (size_t)map->shard_count * LEOFS_MAP_SHARD_SIZE +
	       (size_t)map->override_count * LEOFS_MAP_OVERRIDE_SIZE;
}

static u8 *put_addr(u8 *p, const struct leofs_addr *a)
{
	p[0] = a->family;
	p[1] = 0;
	put_unaligned_le16(a->port, p + 2);
	memcpy(p + 4, a->addr, sizeof(a->addr));
	return p + 4 + sizeof(a->addr);
}

int leofs_map_encode(const struct leofs_map *map, void *buf, size_t cap,
		     u32 *scratch)
{
	size_t size = leofs_map_encoded_size(map);
	u8 *p = buf;
	u32 i;

	if (map_validate(map, scratch))
		return -EINVAL;
	if (size > LEOFS_BODY_MAX - 16)
		return -EINVAL;
	if (cap < size)
		return -ENOSPC;

	put_unaligned_le64(map->epoch, p);
	memcpy(p + 8, map->cluster_id, 16);
	put_unaligned_le32(map->node_count, p + 24);
	put_unaligned_le32(map->target_count, p + 28);
	put_unaligned_le32(map->pool_count, p + 32);
	put_unaligned_le32(map->mds_count, p + 36);
	put_unaligned_le32(map->shard_count, p + 40);
	put_unaligned_le32(map->override_count, p + 44);
	p += LEOFS_MAP_HDR_SIZE;

	for (i = 0; i < map->node_count; i++) {
		put_unaligned_le32(map->nodes[i].id, p);
		put_unaligned_le32(map->nodes[i].state, p + 4);
		p = put_addr(p + 8, &map->nodes[i].addr);
	}
	for (i = 0; i < map->target_count; i++) {
		const struct leofs_map_target *t = &map->targets[i];

		put_unaligned_le32(t->id, p);
		put_unaligned_le32(t->node_id, p + 4);
		put_unaligned_le32(t->weight, p + 8);
		p[12] = t->tier;
		p[13] = p[14] = p[15] = 0;
		put_unaligned_le32(t->state, p + 16);
		p += LEOFS_MAP_TARGET_SIZE;
	}
	for (i = 0; i < map->pool_count; i++) {
		const struct leofs_map_pool *pl = &map->pools[i];

		put_unaligned_le32(pl->id, p);
		p[4] = pl->tier;
		p[5] = p[6] = p[7] = 0;
		put_unaligned_le32(pl->pg_num, p + 8);
		memset(p + 12, 0, LEOFS_NAME_MAX_POOL + 1);
		memcpy(p + 12, pl->name, strlen(pl->name));
		p += LEOFS_MAP_POOL_SIZE;
	}
	for (i = 0; i < map->mds_count; i++) {
		put_unaligned_le32(map->mds[i].id, p);
		put_unaligned_le32(map->mds[i].state, p + 4);
		p = put_addr(p + 8, &map->mds[i].addr);
	}
	for (i = 0; i < map->shard_count; i++) {
		const struct leofs_map_shard *s = &map->shards[i];

		put_unaligned_le16(s->id, p);
		put_unaligned_le16(0, p + 2);
		put_unaligned_le32(s->weight, p + 4);
		put_unaligned_le32(s->primary_mds, p + 8);
		put_unaligned_le32(s->secondary_mds, p + 12);
		p += LEOFS_MAP_SHARD_SIZE;
	}
	for (i = 0; i < map->override_count; i++) {
		const struct leofs_map_override *o = &map->overrides[i];

		put_unaligned_le32(o->pool_id, p);
		p[4] = o->width;
		p[5] = o->rank;
		put_unaligned_le16(0, p + 6);
		put_unaligned_le32(o->pg, p + 8);
		put_unaligned_le32(o->target_id, p + 12);
		p += LEOFS_MAP_OVERRIDE_SIZE;
	}
	return (int)size;
}

/* ---- decode --------------------------------------------------------------- */

int leofs_map_decode_counts(const void *buf, size_t len,
			    struct leofs_map_counts *c)
{
	const u8 *p = buf;
	struct leofs_map m;

	memset(c, 0, sizeof(*c));
	if (len < LEOFS_MAP_HDR_SIZE)
		return -EBADMSG;
	m.node_count = get_unaligned_le32(p + 24);
	m.target_count = get_unaligned_le32(p + 28);
	m.pool_count = get_unaligned_le32(p + 32);
	m.mds_count = get_unaligned_le32(p + 36);
	m.shard_count = get_unaligned_le32(p + 40);
	m.override_count = get_unaligned_le32(p + 44);
	if (m.node_count > LEOFS_MAP_MAX_NODES ||
	    m.target_count > LEOFS_MAP_MAX_TARGETS ||
	    m.pool_count > LEOFS_MAP_MAX_POOLS ||
	    m.mds_count > LEOFS_MAP_MAX_MDS ||
	    m.shard_count > LEOFS_MAP_MAX_SHARDS ||
	    m.override_count > LEOFS_MAP_MAX_OVERRIDES)
		return -EBADMSG;
	if (leofs_map_encoded_size(&m) != len)
		return -EBADMSG;
	c->epoch = get_unaligned_le64(p);
	c->node_count = m.node_count;
	c->target_count = m.target_count;
	c->pool_count = m.pool_count;
	c->mds_count = m.mds_count;
	c->shard_count = m.shard_count;
	c->override_count = m.override_count;
	return 0;
}

/* Reads an address; false if its reserved byte is not zero. */
static bool get_addr(const u8 *p, struct leofs_addr *a)
{
	a->family = p[0];
	a->reserved = 0;
	a->port = get_unaligned_le16(p + 2);
	memcpy(a->addr, p + 4, sizeof(a->addr));
	return !p[1];
}

static bool zeros(const u8 *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

int leofs_map_decode(const void *buf, size_t len, struct leofs_map *map,
		     u32 *scratch)
{
	struct leofs_map_counts c;
	const u8 *p = buf;
	u32 i, n;
	int ret;

	ret = leofs_map_decode_counts(buf, len, &c);
	if (ret)
		return ret;
	if (c.node_count > map->node_count ||
	    c.target_count > map->target_count ||
	    c.pool_count > map->pool_count || c.mds_count > map->mds_count ||
	    c.shard_count > map->shard_count ||
	    c.override_count > map->override_count)
		return -ENOSPC;
	map->epoch = c.epoch;
	memcpy(map->cluster_id, p + 8, 16);
	map->node_count = c.node_count;
	map->target_count = c.target_count;
	map->pool_count = c.pool_count;
	map->mds_count = c.mds_count;
	map->shard_count = c.shard_count;
	map->override_count = c.override_count;
	p += LEOFS_MAP_HDR_SIZE;

	for (i = 0; i < c.node_count; i++) {
		map->nodes[i].id = get_unaligned_le32(p);
		map->nodes[i].state = get_unaligned_le32(p + 4);
		if (!get_addr(p + 8, &map->nodes[i].addr))
			return -EBADMSG;
		p += LEOFS_MAP_NODE_SIZE;
	}
	for (i = 0; i < c.target_count; i++) {
		struct leofs_map_target *t = &map->targets[i];

		t->id = get_unaligned_le32(p);
		t->node_id = get_unaligned_le32(p + 4);
		t->weight = get_unaligned_le32(p + 8);
		t->tier = p[12];
		memset(t->reserved, 0, sizeof(t->reserved));
		t->state = get_unaligned_le32(p + 16);
		if (!zeros(p + 13, 3))
			return -EBADMSG;
		p += LEOFS_MAP_TARGET_SIZE;
	}
	for (i = 0; i < c.pool_count; i++) {
		struct leofs_map_pool *pl = &map->pools[i];

		pl->id = get_unaligned_le32(p);
		pl->tier = p[4];
		memset(pl->reserved, 0, sizeof(pl->reserved));
		pl->pg_num = get_unaligned_le32(p + 8);
		memcpy(pl->name, p + 12, sizeof(pl->name));
		if (!zeros(p + 5, 3))
			return -EBADMSG;
		/* canonical: nothing but zeros after the terminating NUL */
		n = strnlen(pl->name, sizeof(pl->name));
		if (n < sizeof(pl->name) &&
		    !zeros((const u8 *)pl->name + n, sizeof(pl->name) - n))
			return -EBADMSG;
		p += LEOFS_MAP_POOL_SIZE;
	}
	for (i = 0; i < c.mds_count; i++) {
		map->mds[i].id = get_unaligned_le32(p);
		map->mds[i].state = get_unaligned_le32(p + 4);
		if (!get_addr(p + 8, &map->mds[i].addr))
			return -EBADMSG;
		p += LEOFS_MAP_MDS_SIZE;
	}
	for (i = 0; i < c.shard_count; i++) {
		struct leofs_map_shard *s = &map->shards[i];

		s->id = get_unaligned_le16(p);
		s->reserved = 0;
		s->weight = get_unaligned_le32(p + 4);
		s->primary_mds = get_unaligned_le32(p + 8);
		s->secondary_mds = get_unaligned_le32(p + 12);
		if (get_unaligned_le16(p + 2))
			return -EBADMSG;
		p += LEOFS_MAP_SHARD_SIZE;
	}
	for (i = 0; i < c.override_count; i++) {
		struct leofs_map_override *o = &map->overrides[i];

		o->pool_id = get_unaligned_le32(p);
		o->width = p[4];
		o->rank = p[5];
		o->reserved = get_unaligned_le16(p + 6);
		o->pg = get_unaligned_le32(p + 8);
		o->target_id = get_unaligned_le32(p + 12);
		p += LEOFS_MAP_OVERRIDE_SIZE;
	}
	ret = map_validate(map, scratch);
	return ret == -EINVAL ? -EINVAL : (ret ? -EBADMSG : 0);
}
