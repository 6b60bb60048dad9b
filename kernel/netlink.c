// SPDX-License-Identifier: GPL-2.0
/*
 * The "leofs" generic netlink family: lists mounts, connections and their
 * state, and statistics, as dumps. Attributes are in netlink.h and
 * described in Documentation/kernel.md.
 */
#include <net/genetlink.h>
#include "internal.h"
#include "leofs/netlink.h"

static const struct nla_policy leofs_nl_policy[LEOFS_A_MAX + 1] = {
	[LEOFS_A_MOUNT_ID] = { .type = NLA_U32 },
};

static struct genl_family leofs_genl_family;

/* The mount at position idx of leofs_mounts (leofs_mounts_lock held). */
static struct leofs_fs_info *leofs_nl_mount_at(long idx)
{
	struct leofs_fs_info *fsi;

	list_for_each_entry(fsi, &leofs_mounts, mounts)
		if (idx-- == 0)
			return fsi;
	return NULL;
}

static void *leofs_nl_put_hdr(struct sk_buff *skb, struct netlink_callback *cb,
			      u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   &leofs_genl_family, NLM_F_MULTI, cmd);
}

static int leofs_nl_fill_mount(struct sk_buff *skb, struct leofs_fs_info *fsi)
{
	if (nla_put_u32(skb, LEOFS_A_MOUNT_ID, fsi->id) ||
	    nla_put_string(skb, LEOFS_A_SOURCE, fsi->opts.source) ||
	    nla_put_string(skb, LEOFS_A_FSNAME,
			   fsi->opts.fsname ? fsi->opts.fsname : "") ||
	    nla_put_u64_64bit(skb, LEOFS_A_MAP_EPOCH, leofs_map_epoch(fsi),
			      LEOFS_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int leofs_nl_fill_stats(struct sk_buff *skb, struct leofs_fs_info *fsi)
{
	static const struct {
		int attr;
		size_t offset;
	} counters[] = {
		{ LEOFS_A_STAT_RETRIES, offsetof(struct leofs_stats, retries) },
		{ LEOFS_A_STAT_TIMEOUTS,
		  offsetof(struct leofs_stats, timeouts) },
		{ LEOFS_A_STAT_RECONNECTS,
		  offsetof(struct leofs_stats, reconnects) },
		{ LEOFS_A_STAT_BAD_FRAMES,
		  offsetof(struct leofs_stats, bad_frames) },
		{ LEOFS_A_STAT_LATE_REPLIES,
		  offsetof(struct leofs_stats, late_replies) },
		{ LEOFS_A_STAT_MAP_UPDATES,
		  offsetof(struct leofs_stats, map_updates) },
	};
	int i;

	if (nla_put_u32(skb, LEOFS_A_MOUNT_ID, fsi->id) ||
	    nla_put_u64_64bit(skb, LEOFS_A_MAP_EPOCH, leofs_map_epoch(fsi),
			      LEOFS_A_PAD))
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(counters); i++) {
		atomic64_t *c =
			(atomic64_t *)((u8 *)&fsi->stats + counters[i].offset);

		if (nla_put_u64_64bit(skb, counters[i].attr, atomic64_read(c),
				      LEOFS_A_PAD))
			return -EMSGSIZE;
	}
	for (i = 0; i < LEOFS_NR_STAT_OPS; i++) {
		struct nlattr *nest = nla_nest_start(skb, LEOFS_A_RPC);

		if (!nest ||
		    nla_put_u16(skb, LEOFS_A_RPC_OPCODE, leofs_stat_ops[i]) ||
		    nla_put_string(skb, LEOFS_A_RPC_NAME,
				   leofs_op_name(leofs_stat_ops[i])) ||
		    nla_put_u64_64bit(skb, LEOFS_A_RPC_COUNT,
				      atomic64_read(&fsi->stats.rpcs[i]),
				      LEOFS_A_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	return 0;
}

/* Dumps one message per mount; cb->args[0] is the next mount's position. */
static int leofs_nl_dump_mounts(struct sk_buff *skb,
				struct netlink_callback *cb, u8 cmd)
{
	struct leofs_fs_info *fsi;

	mutex_lock(&leofs_mounts_lock);
	while ((fsi = leofs_nl_mount_at(cb->args[0]))) {
		void *hdr = leofs_nl_put_hdr(skb, cb, cmd);
		int ret;

		if (!hdr)
			break;
		ret = cmd == LEOFS_CMD_MOUNT_LIST ?
			      leofs_nl_fill_mount(skb, fsi) :
			      leofs_nl_fill_stats(skb, fsi);
		if (ret) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0]++;
	}
	mutex_unlock(&leofs_mounts_lock);
	return skb->len;
}

static int leofs_nl_mount_list(struct sk_buff *skb, struct netlink_callback *cb)
{
	return leofs_nl_dump_mounts(skb, cb, LEOFS_CMD_MOUNT_LIST);
}

static int leofs_nl_stats_get(struct sk_buff *skb, struct netlink_callback *cb)
{
	return leofs_nl_dump_mounts(skb, cb, LEOFS_CMD_STATS_GET);
}

static int leofs_nl_fill_conn(struct sk_buff *skb, struct leofs_fs_info *fsi,
			      struct leofs_conn *conn)
{
	char name[sizeof(conn->name)];
	enum leofs_conn_state state;
	u32 inflight, state_ms;
	u64 session;
	int err;

	spin_lock(&conn->lock);
	memcpy(name, conn->name, sizeof(name));
	state = conn->state;
	inflight = conn->inflight;
	session = conn->session_id;
	err = conn->last_err;
	state_ms = jiffies_to_msecs(jiffies - conn->since);
	spin_unlock(&conn->lock);

	if (nla_put_u32(skb, LEOFS_A_MOUNT_ID, fsi->id) ||
	    nla_put_string(skb, LEOFS_A_CONN_ADDR, name) ||
	    nla_put_string(skb, LEOFS_A_CONN_STATE,
			   leofs_conn_state_name(state)) ||
	    nla_put_u32(skb, LEOFS_A_CONN_INFLIGHT, inflight) ||
	    nla_put_u64_64bit(skb, LEOFS_A_CONN_SESSION, session,
			      LEOFS_A_PAD) ||
	    nla_put_s32(skb, LEOFS_A_CONN_LAST_ERROR, err) ||
	    nla_put_u32(skb, LEOFS_A_CONN_STATE_MS, state_ms))
		return -EMSGSIZE;
	return 0;
}

/* cb->args[0]: mount position, cb->args[1]: connection position in it. */
static int leofs_nl_conn_list(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct leofs_fs_info *fsi;
	bool full = false;

	mutex_lock(&leofs_mounts_lock);
	while (!full && (fsi = leofs_nl_mount_at(cb->args[0]))) {
		struct leofs_conn *conn;
		long idx = 0;

		mutex_lock(&fsi->conns_lock);
		list_for_each_entry(conn, &fsi->conns, node) {
			void *hdr;

			if (idx++ < cb->args[1])
				continue;
			hdr = leofs_nl_put_hdr(skb, cb, LEOFS_CMD_CONN_LIST);
			if (!hdr || leofs_nl_fill_conn(skb, fsi, conn)) {
				if (hdr)
					genlmsg_cancel(skb, hdr);
				full = true;
				break;
			}
			genlmsg_end(skb, hdr);
			cb->args[1]++;
		}
		mutex_unlock(&fsi->conns_lock);
		if (!full) {
			cb->args[0]++;
			cb->args[1] = 0;
		}
	}
	mutex_unlock(&leofs_mounts_lock);
	return skb->len;
}

static const struct genl_small_ops leofs_genl_ops[] = {
	{
		.cmd = LEOFS_CMD_MOUNT_LIST,
		.dumpit = leofs_nl_mount_list,
	},
	{
		.cmd = LEOFS_CMD_CONN_LIST,
		.dumpit = leofs_nl_conn_list,
	},
	{
		.cmd = LEOFS_CMD_STATS_GET,
		.dumpit = leofs_nl_stats_get,
	},
};

static struct genl_family leofs_genl_family __ro_after_init = {
	.name = LEOFS_GENL_NAME,
	.version = LEOFS_GENL_VERSION,
	.maxattr = LEOFS_A_MAX,
	.policy = leofs_nl_policy,
	.module = THIS_MODULE,
	.small_ops = leofs_genl_ops,
	.n_small_ops = ARRAY_SIZE(leofs_genl_ops),
};

int leofs_netlink_init(void)
{
	return genl_register_family(&leofs_genl_family);
}

void leofs_netlink_exit(void)
{
	genl_unregister_family(&leofs_genl_family);
}
