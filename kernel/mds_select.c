// SPDX-License-Identifier: GPL-2.0
/*
 * Which server a request goes to: inode id -> metadata shard (the top
 * bits of the id, see placement.h) -> the MDS serving it in the cluster
 * map (the primary, or the secondary while the primary is down) -> the
 * connection to that address. Before the map is known, every request goes
 * to the first mount address that answered.
 */
#include <linux/bsearch.h>
#include <linux/in.h>
#include <linux/in6.h>
#include "leofs/placement.h"
#include "internal.h"

struct leofs_conn *leofs_conn_get_addr(struct leofs_fs_info *fsi,
				       const struct sockaddr_storage *addr,
				       u32 peer_kind)
{
	struct leofs_conn *conn;

	mutex_lock(&fsi->conns_lock);
	list_for_each_entry(conn, &fsi->conns, node) {
		if (leofs_conn_same_addr(conn, addr)) {
			if (conn->peer_kind != peer_kind)
				conn = NULL; /* one address, two roles */
			goto out;
		}
	}
	conn = NULL;
	if (fsi->shutting_down)
		goto out;
	conn = leofs_conn_create(fsi, addr, peer_kind);
	if (conn)
		list_add_tail(&conn->node, &fsi->conns);
out:
	mutex_unlock(&fsi->conns_lock);
	return conn;
}

int leofs_addr_to_sockaddr(const struct leofs_addr *a,
				  struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(a->port);
		memcpy(&sin->sin_addr, a->addr, 4);
		return 0;
	}
	if (a->family == 6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(a->port);
		memcpy(&sin6->sin6_addr, a->addr, 16);
		return 0;
	}
	return -EINVAL;
}

static int leofs_cmp_shard(const void *key, const void *elt)
{
	u16 id = *(const u16 *)key;
	const struct leofs_map_shard *s = elt;

	return id < s->id ? -1 : id > s->id;
}

static int leofs_cmp_mds(const void *key, const void *elt)
{
	u32 id = *(const u32 *)key;
	const struct leofs_map_mds *m = elt;

	return id < m->id ? -1 : id > m->id;
}

/* map_lock held: the address of the MDS serving shard. */
static int leofs_shard_addr(const struct leofs_map *map, u16 shard,
			    struct sockaddr_storage *ss)
{
	const struct leofs_map_shard *s;
	const struct leofs_map_mds *m;
	u32 id;

	/* the decoder guarantees strictly increasing ids */
	s = bsearch(&shard, map->shards, map->shard_count, sizeof(*s),
		    leofs_cmp_shard);
	if (!s)
		return -ESTALE;
	id = s->primary_mds;
	m = bsearch(&id, map->mds, map->mds_count, sizeof(*m), leofs_cmp_mds);
	if ((!m || !(m->state & LEOFS_STATE_UP)) && s->secondary_mds) {
		const struct leofs_map_mds *m2;

		id = s->secondary_mds;
		m2 = bsearch(&id, map->mds, map->mds_count, sizeof(*m2),
			     leofs_cmp_mds);
		if (m2 && (m2->state & LEOFS_STATE_UP))
			m = m2;
	}
	if (!m)
		return -ESTALE;
	return leofs_addr_to_sockaddr(&m->addr, ss);
}

int leofs_mds_select(struct leofs_fs_info *fsi, u64 ino,
		     struct leofs_conn **out)
{
	struct sockaddr_storage ss;
	struct leofs_conn *conn;
	int ret;

	spin_lock(&fsi->map_lock);
	if (!fsi->map) {
		spin_unlock(&fsi->map_lock);
		if (!fsi->boot_conn)
			return -ENOTCONN;
		*out = fsi->boot_conn;
		return 0;
	}
	ret = leofs_shard_addr(&fsi->map->map, leofs_ino_shard(ino), &ss);
	spin_unlock(&fsi->map_lock);
	if (ret) {
		pr_warn_ratelimited(
			"no metadata server for inode %llx in the cluster map\n",
			ino);
		return ret == -EINVAL ? -EIO : ret;
	}
	conn = leofs_conn_get_addr(fsi, &ss, LEOFS_PEER_MDS);
	if (!conn)
		return fsi->shutting_down ? -ESHUTDOWN : -ENOMEM;
	*out = conn;
	return 0;
}

/*
 * The first mount address that completes HELLO, tried in order within
 * one timeo. Returns 0 or the last error.
 */
int leofs_mds_bootstrap(struct leofs_fs_info *fsi)
{
	unsigned long deadline =
		jiffies + (unsigned long)READ_ONCE(fsi->tun.timeo) * HZ;
	int ret = -EHOSTUNREACH;
	unsigned int i;

	for (i = 0; i < fsi->opts.naddrs; i++) {
		struct leofs_conn *conn;
		long left = (long)(deadline - jiffies);

		if (left <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		conn = leofs_conn_get_addr(fsi, &fsi->opts.addrs[i],
					   LEOFS_PEER_MDS);
		if (!conn)
			return -ENOMEM;
		leofs_conn_start(conn);
		ret = leofs_conn_wait_ready(conn, left);
		if (!ret) {
			fsi->boot_conn = conn;
			return 0;
		}
		if (ret == -EINTR)
			break;
		pr_info("%s: not reachable (error %d)\n", conn->name, ret);
	}
	return ret;
}

/* umount: closes every connection, stops map refreshes, frees. */
void leofs_conns_destroy(struct leofs_fs_info *fsi)
{
	struct leofs_conn *conn, *tmp;

	mutex_lock(&fsi->conns_lock);
	WRITE_ONCE(fsi->shutting_down, true);
	list_for_each_entry(conn, &fsi->conns, node)
		leofs_conn_close(conn);
	mutex_unlock(&fsi->conns_lock);

	/* a refresh in progress fails at once: its connection is closed */
	cancel_work_sync(&fsi->map_work);

	list_for_each_entry_safe(conn, tmp, &fsi->conns, node) {
		list_del(&conn->node);
		leofs_conn_free(conn);
	}
	fsi->boot_conn = NULL;
}
