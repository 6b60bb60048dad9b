/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "leofs" generic netlink family: commands and attributes. Userspace
 * (leofs-admin client ...) uses the same values; Documentation/kernel.md
 * describes every message. Append only.
 */
#ifndef LEOFS_NETLINK_H
#define LEOFS_NETLINK_H

#define LEOFS_GENL_NAME	   "leofs"
#define LEOFS_GENL_VERSION 1

enum leofs_genl_cmd {
	LEOFS_CMD_UNSPEC,
	LEOFS_CMD_MOUNT_LIST, /* dump: one message per mount */
	LEOFS_CMD_CONN_LIST, /* dump: one message per connection */
	LEOFS_CMD_STATS_GET, /* dump: one message per mount */
	__LEOFS_CMD_MAX,
};
#define LEOFS_CMD_MAX (__LEOFS_CMD_MAX - 1)

enum leofs_genl_attr {
	LEOFS_A_UNSPEC,
	LEOFS_A_PAD,
	LEOFS_A_MOUNT_ID, /* u32: /sys/fs/leofs/<id> */
	LEOFS_A_SOURCE, /* string: the mount source */
	LEOFS_A_FSNAME, /* string: fsname= or empty */
	LEOFS_A_MAP_EPOCH, /* u64 */
	LEOFS_A_CONN_ADDR, /* string: "192.0.2.1:7000", "[2001:db8::1]:7000" */
	LEOFS_A_CONN_STATE, /* string: idle connecting hello ready closed */
	LEOFS_A_CONN_INFLIGHT, /* u32: requests in flight */
	LEOFS_A_CONN_SESSION, /* u64: 0 before the first HELLO */
	LEOFS_A_CONN_LAST_ERROR, /* s32: negative errno of the last failure */
	LEOFS_A_CONN_STATE_MS, /* u32: milliseconds in this state */
	LEOFS_A_STAT_RETRIES, /* u64 counters, as in sysfs */
	LEOFS_A_STAT_TIMEOUTS,
	LEOFS_A_STAT_RECONNECTS,
	LEOFS_A_STAT_BAD_FRAMES,
	LEOFS_A_STAT_LATE_REPLIES,
	LEOFS_A_STAT_MAP_UPDATES,
	LEOFS_A_RPC, /* nested, one per opcode: */
	LEOFS_A_RPC_OPCODE, /*   u16 */
	LEOFS_A_RPC_NAME, /*   string, e.g. "LOOKUP" */
	LEOFS_A_RPC_COUNT, /*   u64 requests sent */
	__LEOFS_A_MAX,
};
#define LEOFS_A_MAX (__LEOFS_A_MAX - 1)

#endif /* LEOFS_NETLINK_H */
