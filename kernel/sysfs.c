// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/fs/leofs/<mount id>/: tunables and read-only statistics, one line
 * per attribute in a table (the kind of value and where it lives in the
 * mount), in the manner of fs/ext4/sysfs.c. Documentation/kernel.md lists
 * them all.
 */
#include <linux/backing-dev.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include "internal.h"

enum leofs_attr_kind {
	LEOFS_ATTR_TUNABLE, /* u32 in struct leofs_tunables, min..max */
	LEOFS_ATTR_COUNTER, /* atomic64_t in struct leofs_stats */
	LEOFS_ATTR_RPCS,
	LEOFS_ATTR_MAP_EPOCH,
	LEOFS_ATTR_SOURCE,
	LEOFS_ATTR_FSNAME,
	LEOFS_ATTR_CONNECTIONS,
};

struct leofs_sysfs_attr {
	struct attribute attr;
	enum leofs_attr_kind kind;
	size_t offset;
	u32 min, max;
};

#define LEOFS_TUNABLE(_name, _min, _max)                          \
	static struct leofs_sysfs_attr leofs_attr_##_name = {     \
		.attr = { .name = #_name, .mode = 0644 },         \
		.kind = LEOFS_ATTR_TUNABLE,                       \
		.offset = offsetof(struct leofs_tunables, _name), \
		.min = _min,                                      \
		.max = _max,                                      \
	}

#define LEOFS_COUNTER(_name)                                   \
	static struct leofs_sysfs_attr leofs_attr_##_name = {  \
		.attr = { .name = #_name, .mode = 0444 },      \
		.kind = LEOFS_ATTR_COUNTER,                    \
		.offset = offsetof(struct leofs_stats, _name), \
	}

#define LEOFS_INFO(_name, _kind)                              \
	static struct leofs_sysfs_attr leofs_attr_##_name = { \
		.attr = { .name = #_name, .mode = 0444 },     \
		.kind = _kind,                                \
	}

LEOFS_TUNABLE(readahead_kb, 0, 1u << 20);
LEOFS_TUNABLE(max_inflight, 1, 4096);
LEOFS_TUNABLE(timeo, 1, LEOFS_MAX_TIMEO);
LEOFS_TUNABLE(retrans, 0, LEOFS_MAX_RETRANS);
LEOFS_TUNABLE(acregmin, 0, LEOFS_MAX_AC);
LEOFS_TUNABLE(acregmax, 0, LEOFS_MAX_AC);
LEOFS_TUNABLE(acdirmin, 0, LEOFS_MAX_AC);
LEOFS_TUNABLE(acdirmax, 0, LEOFS_MAX_AC);
LEOFS_TUNABLE(reconnect_max_ms, 100, 600000);
LEOFS_TUNABLE(data_retry_s, 0, 3600);
LEOFS_COUNTER(retries);
LEOFS_COUNTER(timeouts);
LEOFS_COUNTER(reconnects);
LEOFS_COUNTER(bad_frames);
LEOFS_COUNTER(late_replies);
LEOFS_COUNTER(map_updates);
LEOFS_COUNTER(bytes_read);
LEOFS_COUNTER(bytes_written);
LEOFS_COUNTER(stripes_written);
LEOFS_COUNTER(partial_writes);
LEOFS_COUNTER(fragment_reads);
LEOFS_COUNTER(degraded_reads);
LEOFS_COUNTER(checksum_errors);
LEOFS_COUNTER(write_errors);
LEOFS_COUNTER(data_retries);
LEOFS_INFO(rpcs, LEOFS_ATTR_RPCS);
LEOFS_INFO(map_epoch, LEOFS_ATTR_MAP_EPOCH);
LEOFS_INFO(source, LEOFS_ATTR_SOURCE);
LEOFS_INFO(fsname, LEOFS_ATTR_FSNAME);
LEOFS_INFO(connections, LEOFS_ATTR_CONNECTIONS);

static struct attribute *leofs_mount_attrs[] = {
	&leofs_attr_readahead_kb.attr,
	&leofs_attr_max_inflight.attr,
	&leofs_attr_timeo.attr,
	&leofs_attr_retrans.attr,
	&leofs_attr_acregmin.attr,
	&leofs_attr_acregmax.attr,
	&leofs_attr_acdirmin.attr,
	&leofs_attr_acdirmax.attr,
	&leofs_attr_reconnect_max_ms.attr,
	&leofs_attr_data_retry_s.attr,
	&leofs_attr_retries.attr,
	&leofs_attr_timeouts.attr,
	&leofs_attr_reconnects.attr,
	&leofs_attr_bad_frames.attr,
	&leofs_attr_late_replies.attr,
	&leofs_attr_map_updates.attr,
	&leofs_attr_bytes_read.attr,
	&leofs_attr_bytes_written.attr,
	&leofs_attr_stripes_written.attr,
	&leofs_attr_partial_writes.attr,
	&leofs_attr_fragment_reads.attr,
	&leofs_attr_degraded_reads.attr,
	&leofs_attr_checksum_errors.attr,
	&leofs_attr_write_errors.attr,
	&leofs_attr_data_retries.attr,
	&leofs_attr_rpcs.attr,
	&leofs_attr_map_epoch.attr,
	&leofs_attr_source.attr,
	&leofs_attr_fsname.attr,
	&leofs_attr_connections.attr,
	NULL,
};
ATTRIBUTE_GROUPS(leofs_mount);

static struct kset *leofs_kset;

static ssize_t leofs_attr_show(struct kobject *kobj, struct attribute *attr,
			       char *buf)
{
	struct leofs_fs_info *fsi =
		container_of(kobj, struct leofs_fs_info, kobj);
	struct leofs_sysfs_attr *a =
		container_of(attr, struct leofs_sysfs_attr, attr);
	struct leofs_conn *conn;
	ssize_t len = 0;
	int i;

	switch (a->kind) {
	case LEOFS_ATTR_TUNABLE:
		return sysfs_emit(
			buf, "%u\n",
			READ_ONCE(*(u32 *)((u8 *)&fsi->tun + a->offset)));
	case LEOFS_ATTR_COUNTER:
		return sysfs_emit(
			buf, "%lld\n",
			atomic64_read(
				(atomic64_t *)((u8 *)&fsi->stats + a->offset)));
	case LEOFS_ATTR_RPCS:
		for (i = 0; i < LEOFS_NR_STAT_OPS; i++)
			len += sysfs_emit_at(
				buf, len, "%s %lld\n",
				leofs_op_name(leofs_stat_ops[i]),
				atomic64_read(&fsi->stats.rpcs[i]));
		return len;
	case LEOFS_ATTR_MAP_EPOCH:
		return sysfs_emit(buf, "%llu\n", leofs_map_epoch(fsi));
	case LEOFS_ATTR_SOURCE:
		return sysfs_emit(buf, "%s\n", fsi->opts.source);
	case LEOFS_ATTR_FSNAME:
		return sysfs_emit(buf, "%s\n",
				  fsi->opts.fsname ? fsi->opts.fsname : "");
	case LEOFS_ATTR_CONNECTIONS:
		mutex_lock(&fsi->conns_lock);
		list_for_each_entry(conn, &fsi->conns, node) {
			spin_lock(&conn->lock);
			len += sysfs_emit_at(buf, len, "%s %s inflight=%u\n",
					     conn->name,
					     leofs_conn_state_name(conn->state),
					     conn->inflight);
			spin_unlock(&conn->lock);
		}
		mutex_unlock(&fsi->conns_lock);
		return len;
	}
	return -EIO;
}

static ssize_t leofs_attr_store(struct kobject *kobj, struct attribute *attr,
				const char *buf, size_t len)
{
	struct leofs_fs_info *fsi =
		container_of(kobj, struct leofs_fs_info, kobj);
	struct leofs_sysfs_attr *a =
		container_of(attr, struct leofs_sysfs_attr, attr);
	u32 v;
	int ret;

	if (a->kind != LEOFS_ATTR_TUNABLE)
		return -EPERM;
	ret = kstrtou32(buf, 0, &v);
	if (ret)
		return ret;
	if (v < a->min || v > a->max)
		return -EINVAL;
	WRITE_ONCE(*(u32 *)((u8 *)&fsi->tun + a->offset), v);
	if (a == &leofs_attr_readahead_kb)
		fsi->sb->s_bdi->ra_pages = v / (PAGE_SIZE / 1024);
	if (a == &leofs_attr_max_inflight) {
		struct leofs_conn *conn;

		/* waiters for a slot re-check the new limit */
		mutex_lock(&fsi->conns_lock);
		list_for_each_entry(conn, &fsi->conns, node)
			wake_up_all(&conn->wait);
		mutex_unlock(&fsi->conns_lock);
	}
	return len;
}

static void leofs_mount_release(struct kobject *kobj)
{
	struct leofs_fs_info *fsi =
		container_of(kobj, struct leofs_fs_info, kobj);

	complete(&fsi->kobj_unregister);
}

static const struct sysfs_ops leofs_attr_ops = {
	.show = leofs_attr_show,
	.store = leofs_attr_store,
};

static struct kobj_type leofs_mount_ktype = {
	.default_groups = leofs_mount_groups,
	.sysfs_ops = &leofs_attr_ops,
	.release = leofs_mount_release,
};

int leofs_sysfs_register(struct leofs_fs_info *fsi)
{
	int ret;

	fsi->kobj.kset = leofs_kset;
	ret = kobject_init_and_add(&fsi->kobj, &leofs_mount_ktype, NULL, "%u",
				   fsi->id);
	if (ret) {
		kobject_put(&fsi->kobj);
		wait_for_completion(&fsi->kobj_unregister);
		memset(&fsi->kobj, 0, sizeof(fsi->kobj));
		return ret;
	}
	return 0;
}

void leofs_sysfs_unregister(struct leofs_fs_info *fsi)
{
	if (!fsi->kobj.state_initialized)
		return;
	kobject_del(&fsi->kobj);
	kobject_put(&fsi->kobj);
	wait_for_completion(&fsi->kobj_unregister);
}

int leofs_sysfs_init(void)
{
	leofs_kset = kset_create_and_add("leofs", NULL, fs_kobj);
	return leofs_kset ? 0 : -ENOMEM;
}

void leofs_sysfs_exit(void)
{
	kset_unregister(leofs_kset);
}
