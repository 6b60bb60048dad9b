// SPDX-License-Identifier: GPL-2.0
/*
 * The message tables: one field list per body shape, in wire order, the
 * cross-field rules of each shape, and the opcode -> shape map.
 */
#include "codec.h"
#include "leofs/proto_map.h"

#define FLD(s, t, f, ...) \
	{ .type = LEOFS_FT_##t, .off = offsetof(struct s, f), __VA_ARGS__ }
#define U8(s, f)		FLD(s, U8, f)
#define U16(s, f)		FLD(s, U16, f)
#define U32(s, f)		FLD(s, U32, f)
#define U64(s, f)		FLD(s, U64, f)
#define ENUM8(s, f, lim)	FLD(s, ENUM8, f, .max = (lim))
#define ENUM32(s, f, lim)	FLD(s, ENUM32, f, .max = (lim))
#define FLAGS(s, f, mask)	FLD(s, FLAGS32, f, .max = (mask))
#define BOOL(s, f)		FLD(s, BOOL32, f)
#define PAD(n)			{ .type = LEOFS_FT_PAD, .max = (n) }
#define ID16(s, f)		FLD(s, ID16, f)
#define NAME(s, f)		FLD(s, NAME, f)
#define XNAME(s, f)		FLD(s, XNAME, f)
#define SYMLINK(s, f)		FLD(s, SYMLINK, f)
#define BLOB(s, f, lim)		FLD(s, BLOB, f, .max = (lim))
#define XLIST(s, f, lim)	FLD(s, XLIST, f, .max = (lim))
#define LE32S(s, f, lim)	FLD(s, LE32S, f, .max = (lim))
#define U32S(s, f, cnt, lim) \
	FLD(s, U32S, f, .aux = offsetof(struct s, cnt), .max = (lim))
#define STRUCT(s, f, d)		FLD(s, STRUCT, f, .sub = &(d))
#define STRUCTS(s, f, cnt, lim, d) \
	FLD(s, STRUCTS, f, .aux = offsetof(struct s, cnt), .max = (lim), \
	    .sub = &(d))
#define STATUS(s, f)		FLD(s, STATUS, f)
#define CREDS(s)		STRUCT(s, creds, creds_desc)

#define DESC(name, s, chk)						\
static const struct leofs_msg_desc name = {				\
	.fields = name##_fields,					\
	.nr_fields = ARRAY_SIZE(name##_fields),				\
	.size = sizeof(struct s),					\
	.check = (chk),							\
}

/* ---- common parts --------------------------------------------------------- */

static int timespec_check(const void *msg)
{
	const struct leofs_timespec *t = msg;

	return t->nsec < 1000000000u ? 0 : -EBADMSG;
}

static const struct leofs_field timespec_desc_fields[] = {
	U64(leofs_timespec, sec),
	U32(leofs_timespec, nsec),
};
DESC(timespec_desc, leofs_timespec, timespec_check);

static const struct leofs_field creds_desc_fields[] = {
	U32(leofs_creds, uid),
	U32(leofs_creds, gid),
	U32S(leofs_creds, groups, ngroups, LEOFS_MAX_GROUPS),
};
DESC(creds_desc, leofs_creds, NULL);

static int layout_check(const void *msg)
{
	return leofs_layout_check(msg, NULL) ? -EPROTO : 0;
}

static const struct leofs_field layout_desc_fields[] = {
	U32(leofs_layout, pool_id),
	U8(leofs_layout, scheme),
	U8(leofs_layout, k),
	U8(leofs_layout, m),
	PAD(1),
	U32(leofs_layout, stripe_unit),
	U32(leofs_layout, stripe_count),
	U64(leofs_layout, generation),
};
DESC(layout_desc, leofs_layout, layout_check);

static bool mode_type_valid(u32 mode)
{
	switch (mode & LEOFS_S_IFMT) {
	case LEOFS_S_IFSOCK:
	case LEOFS_S_IFLNK:
	case LEOFS_S_IFREG:
	case LEOFS_S_IFBLK:
	case LEOFS_S_IFDIR:
	case LEOFS_S_IFCHR:
	case LEOFS_S_IFIFO:
		return true;
	default:
		return false;
	}
}

static int attr_check(const void *msg)
{
	const struct leofs_attr *a = msg;

	if (a->mode & ~(LEOFS_S_IFMT | LEOFS_S_PERM))
		return -EPROTO;
	return mode_type_valid(a->mode) ? 0 : -EPROTO;
}

static const struct leofs_field attr_desc_fields[] = {
	U64(leofs_attr, ino),
	U32(leofs_attr, mode),
	U32(leofs_attr, nlink),
	U32(leofs_attr, uid),
	U32(leofs_attr, gid),
	U64(leofs_attr, size),
	U64(leofs_attr, blocks),
	STRUCT(leofs_attr, atime, timespec_desc),
	STRUCT(leofs_attr, mtime, timespec_desc),
	STRUCT(leofs_attr, ctime, timespec_desc),
	U64(leofs_attr, generation),
	STRUCT(leofs_attr, layout, layout_desc),
};
DESC(attr_desc, leofs_attr, attr_check);

static const struct leofs_field pg_desc_fields[] = {
	U32(leofs_pg_ref, pool_id),
	U32(leofs_pg_ref, pg),
	U64(leofs_pg_ref, map_epoch),
};
DESC(pg_desc, leofs_pg_ref, NULL);

static u32 blocks_for(u32 len)
{
	return len / LEOFS_BLOCK_SIZE + !!(len % LEOFS_BLOCK_SIZE);
}

/* ---- replies shared by many opcodes -------------------------------------- */

static const struct leofs_field status_reply_fields[] = {
	STATUS(leofs_status_reply, status),
};
DESC(status_reply, leofs_status_reply, NULL);

static const struct leofs_field attr_reply_fields[] = {
	STATUS(leofs_attr_reply, status),
	STRUCT(leofs_attr_reply, attr, attr_desc),
};
DESC(attr_reply, leofs_attr_reply, NULL);

static const struct leofs_field epoch_reply_fields[] = {
	STATUS(leofs_epoch_reply, status),
	U64(leofs_epoch_reply, map_epoch),
};
DESC(epoch_reply, leofs_epoch_reply, NULL);

/* ---- cluster -------------------------------------------------------------- */

static int hello_req_check(const void *msg)
{
	const struct leofs_hello_req *m = msg;

	if (!m->version_min || m->version_min > m->version_max)
		return -EPROTO;
	return m->peer_kind ? 0 : -EPROTO;
}

static const struct leofs_field hello_req_fields[] = {
	U16(leofs_hello_req, version_min),
	U16(leofs_hello_req, version_max),
	ENUM32(leofs_hello_req, peer_kind, LEOFS_PEER_KIND_MAX + 1),
	U64(leofs_hello_req, features),
	ID16(leofs_hello_req, cluster_id),
	U64(leofs_hello_req, session_id),
	U32(leofs_hello_req, node_id),
};
DESC(hello_req, leofs_hello_req, hello_req_check);

static int hello_reply_check(const void *msg)
{
	const struct leofs_hello_reply *m = msg;

	return m->version && m->peer_kind ? 0 : -EPROTO;
}

static const struct leofs_field hello_reply_fields[] = {
	STATUS(leofs_hello_reply, status),
	U16(leofs_hello_reply, version),
	PAD(2),
	ENUM32(leofs_hello_reply, peer_kind, LEOFS_PEER_KIND_MAX + 1),
	U64(leofs_hello_reply, features),
	U32(leofs_hello_reply, node_id),
	ID16(leofs_hello_reply, cluster_id),
	U64(leofs_hello_reply, session_id),
	U64(leofs_hello_reply, map_epoch),
};
DESC(hello_reply, leofs_hello_reply, hello_reply_check);

static const struct leofs_field map_get_req_fields[] = {
	U64(leofs_map_get_req, known_epoch),
};
DESC(map_get_req, leofs_map_get_req, NULL);

/* The map bytes must at least have valid counts for the stated epoch. */
static int map_bytes_check(u64 epoch, const struct leofs_buf *map)
{
	struct leofs_map_counts c;

	if (leofs_map_decode_counts(map->data, map->len, &c))
		return -EBADMSG;
	return c.epoch == epoch ? 0 : -EBADMSG;
}

static int map_reply_check(const void *msg)
{
	const struct leofs_map_reply *m = msg;

	return m->map.len ? map_bytes_check(m->epoch, &m->map) : 0;
}

static const struct leofs_field map_reply_fields[] = {
	STATUS(leofs_map_reply, status),
	U64(leofs_map_reply, epoch),
	BLOB(leofs_map_reply, map, LEOFS_BODY_MAX - 16),
};
DESC(map_reply, leofs_map_reply, map_reply_check);

static int map_push_check(const void *msg)
{
	const struct leofs_map_push *m = msg;

	return map_bytes_check(m->epoch, &m->map);
}

static const struct leofs_field map_push_fields[] = {
	U64(leofs_map_push, epoch),
	BLOB(leofs_map_push, map, LEOFS_BODY_MAX - 16),
};
DESC(map_push, leofs_map_push, map_push_check);

static const struct leofs_field target_info_desc_fields[] = {
	U32(leofs_target_info, id),
	ENUM8(leofs_target_info, tier, LEOFS_TIER_COUNT),
	PAD(3),
	U32(leofs_target_info, weight),
	U64(leofs_target_info, capacity),
	U64(leofs_target_info, used),
};
DESC(target_info_desc, leofs_target_info, NULL);

static int oss_register_check(const void *msg)
{
	const struct leofs_oss_register_req *m = msg;
	u32 i;

	if (!m->nr_targets)
		return -EPROTO;
	if (m->addr_family == 4) {
		for (i = 4; i < sizeof(m->addr); i++)
			if (m->addr[i])
				return -EBADMSG;
		return 0;
	}
	return m->addr_family == 6 ? 0 : -EPROTO;
}

static const struct leofs_field oss_register_req_fields[] = {
	U32(leofs_oss_register_req, node_id),
	U8(leofs_oss_register_req, addr_family),
	PAD(1),
	U16(leofs_oss_register_req, port),
	ID16(leofs_oss_register_req, addr),
	STRUCTS(leofs_oss_register_req, targets, nr_targets,
		LEOFS_MAX_NODE_TARGETS, target_info_desc),
};
DESC(oss_register_req, leofs_oss_register_req, oss_register_check);

static const struct leofs_field target_health_desc_fields[] = {
	U32(leofs_target_health, id),
	FLAGS(leofs_target_health, state, LEOFS_STATE_UP | LEOFS_STATE_IN),
	U64(leofs_target_health, used),
	U64(leofs_target_health, free),
};
DESC(target_health_desc, leofs_target_health, NULL);

static const struct leofs_field heartbeat_req_fields[] = {
	U32(leofs_heartbeat_req, node_id),
	U64(leofs_heartbeat_req, map_epoch),
	STRUCTS(leofs_heartbeat_req, targets, nr_targets,
		LEOFS_MAX_NODE_TARGETS, target_health_desc),
};
DESC(heartbeat_req, leofs_heartbeat_req, NULL);

static const struct leofs_field pool_create_req_fields[] = {
	NAME(leofs_pool_create_req, name),
	U8(leofs_pool_create_req, tier),
	PAD(3),
	U32(leofs_pool_create_req, pg_num),
};
DESC(pool_create_req, leofs_pool_create_req, NULL);

static const struct leofs_field pool_create_reply_fields[] = {
	STATUS(leofs_pool_create_reply, status),
	U32(leofs_pool_create_reply, pool_id),
	U64(leofs_pool_create_reply, map_epoch),
};
DESC(pool_create_reply, leofs_pool_create_reply, NULL);

/* ---- metadata ------------------------------------------------------------- */

static const struct leofs_field ino_req_fields[] = {
	CREDS(leofs_ino_req),
	U64(leofs_ino_req, ino),
};
DESC(ino_req, leofs_ino_req, NULL);

static const struct leofs_field name_req_fields[] = {
	CREDS(leofs_name_req),
	U64(leofs_name_req, parent),
	NAME(leofs_name_req, name),
};
DESC(name_req, leofs_name_req, NULL);

static int setattr_check(const void *msg)
{
	const struct leofs_setattr_req *m = msg;

	if (m->mode & ~LEOFS_S_PERM)
		return -EPROTO;
	if ((m->valid & LEOFS_SETATTR_ATIME) &&
	    (m->valid & LEOFS_SETATTR_ATIME_NOW))
		return -EPROTO;
	if ((m->valid & LEOFS_SETATTR_MTIME) &&
	    (m->valid & LEOFS_SETATTR_MTIME_NOW))
		return -EPROTO;
	return 0;
}

static const struct leofs_field setattr_req_fields[] = {
	CREDS(leofs_setattr_req),
	U64(leofs_setattr_req, ino),
	FLAGS(leofs_setattr_req, valid, LEOFS_SETATTR_KNOWN),
	U32(leofs_setattr_req, mode),
	U32(leofs_setattr_req, uid),
	U32(leofs_setattr_req, gid),
	U64(leofs_setattr_req, size),
	STRUCT(leofs_setattr_req, atime, timespec_desc),
	STRUCT(leofs_setattr_req, mtime, timespec_desc),
};
DESC(setattr_req, leofs_setattr_req, setattr_check);

static int create_check(const void *msg)
{
	const struct leofs_create_req *m = msg;

	return m->mode & ~LEOFS_S_PERM ? -EPROTO : 0;
}

static int mkdir_check(const void *msg)
{
	const struct leofs_create_req *m = msg;

	return m->flags ? -EPROTO : create_check(msg);
}

static const struct leofs_field create_req_fields[] = {
	CREDS(leofs_create_req),
	U64(leofs_create_req, parent),
	NAME(leofs_create_req, name),
	U32(leofs_create_req, mode),
	FLAGS(leofs_create_req, flags, LEOFS_CREATE_KNOWN),
};
DESC(create_req, leofs_create_req, create_check);

#define mkdir_req_fields create_req_fields
DESC(mkdir_req, leofs_create_req, mkdir_check);

static int rename_check(const void *msg)
{
	const struct leofs_rename_req *m = msg;

	return m->flags == LEOFS_RENAME_KNOWN ? -EPROTO : 0;
}

static const struct leofs_field rename_req_fields[] = {
	CREDS(leofs_rename_req),
	U64(leofs_rename_req, old_parent),
	NAME(leofs_rename_req, old_name),
	U64(leofs_rename_req, new_parent),
	NAME(leofs_rename_req, new_name),
	FLAGS(leofs_rename_req, flags, LEOFS_RENAME_KNOWN),
};
DESC(rename_req, leofs_rename_req, rename_check);

static const struct leofs_field link_req_fields[] = {
	CREDS(leofs_link_req),
	U64(leofs_link_req, ino),
	U64(leofs_link_req, new_parent),
	NAME(leofs_link_req, name),
};
DESC(link_req, leofs_link_req, NULL);

static const struct leofs_field symlink_req_fields[] = {
	CREDS(leofs_symlink_req),
	U64(leofs_symlink_req, parent),
	NAME(leofs_symlink_req, name),
	SYMLINK(leofs_symlink_req, target),
};
DESC(symlink_req, leofs_symlink_req, NULL);

static const struct leofs_field readlink_reply_fields[] = {
	STATUS(leofs_readlink_reply, status),
	SYMLINK(leofs_readlink_reply, target),
};
DESC(readlink_reply, leofs_readlink_reply, NULL);

static int readdir_req_check(const void *msg)
{
	const struct leofs_readdir_req *m = msg;

	if (!m->max_entries || m->max_entries > LEOFS_READDIR_MAX_ENTRIES)
		return -EPROTO;
	return m->max_bytes < 512 ? -EPROTO : 0;
}

static const struct leofs_field readdir_req_fields[] = {
	CREDS(leofs_readdir_req),
	U64(leofs_readdir_req, ino),
	U64(leofs_readdir_req, cookie),
	U32(leofs_readdir_req, max_entries),
	U32(leofs_readdir_req, max_bytes),
};
DESC(readdir_req, leofs_readdir_req, readdir_req_check);

static int dirent_check(const void *msg)
{
	const struct leofs_dirent *d = msg;

	switch (d->type) {
	case LEOFS_DT_UNKNOWN:
	case LEOFS_DT_FIFO:
	case LEOFS_DT_CHR:
	case LEOFS_DT_DIR:
	case LEOFS_DT_BLK:
	case LEOFS_DT_REG:
	case LEOFS_DT_LNK:
	case LEOFS_DT_SOCK:
		return 0;
	default:
		return -EPROTO;
	}
}

static const struct leofs_field dirent_desc_fields[] = {
	U64(leofs_dirent, ino),
	U64(leofs_dirent, next_cookie),
	U8(leofs_dirent, type),
	NAME(leofs_dirent, name),
};
DESC(dirent_desc, leofs_dirent, dirent_check);

static const struct leofs_field readdir_reply_fields[] = {
	STATUS(leofs_readdir_reply, status),
	BOOL(leofs_readdir_reply, eof),
	STRUCTS(leofs_readdir_reply, entries, nr_entries,
		LEOFS_READDIR_MAX_ENTRIES, dirent_desc),
};
DESC(readdir_reply, leofs_readdir_reply, NULL);

static const struct leofs_field getxattr_req_fields[] = {
	CREDS(leofs_getxattr_req),
	U64(leofs_getxattr_req, ino),
	XNAME(leofs_getxattr_req, name),
	U32(leofs_getxattr_req, size),
};
DESC(getxattr_req, leofs_getxattr_req, NULL);

static int xattr_reply_check(const void *msg)
{
	const struct leofs_xattr_reply *m = msg;

	if (m->size > LEOFS_XATTR_VALUE_MAX)
		return -EBADMSG;
	return !m->value.len || m->value.len == m->size ? 0 : -EPROTO;
}

static const struct leofs_field getxattr_reply_fields[] = {
	STATUS(leofs_xattr_reply, status),
	U32(leofs_xattr_reply, size),
	BLOB(leofs_xattr_reply, value, LEOFS_XATTR_VALUE_MAX),
};
DESC(getxattr_reply, leofs_xattr_reply, xattr_reply_check);

static const struct leofs_field listxattr_reply_fields[] = {
	STATUS(leofs_xattr_reply, status),
	U32(leofs_xattr_reply, size),
	XLIST(leofs_xattr_reply, value, LEOFS_XATTR_LIST_MAX),
};
DESC(listxattr_reply, leofs_xattr_reply, xattr_reply_check);

static int setxattr_check(const void *msg)
{
	const struct leofs_setxattr_req *m = msg;

	return m->flags == LEOFS_XATTR_KNOWN ? -EPROTO : 0;
}

static const struct leofs_field setxattr_req_fields[] = {
	CREDS(leofs_setxattr_req),
	U64(leofs_setxattr_req, ino),
	XNAME(leofs_setxattr_req, name),
	BLOB(leofs_setxattr_req, value, LEOFS_XATTR_VALUE_MAX),
	FLAGS(leofs_setxattr_req, flags, LEOFS_XATTR_KNOWN),
};
DESC(setxattr_req, leofs_setxattr_req, setxattr_check);

static const struct leofs_field listxattr_req_fields[] = {
	CREDS(leofs_listxattr_req),
	U64(leofs_listxattr_req, ino),
	U32(leofs_listxattr_req, size),
};
DESC(listxattr_req, leofs_listxattr_req, NULL);

static const struct leofs_field xattr_name_req_fields[] = {
	CREDS(leofs_xattr_name_req),
	U64(leofs_xattr_name_req, ino),
	XNAME(leofs_xattr_name_req, name),
};
DESC(xattr_name_req, leofs_xattr_name_req, NULL);

static const struct leofs_field statfs_reply_fields[] = {
	STATUS(leofs_statfs_reply, status),
	U32(leofs_statfs_reply, bsize),
	U32(leofs_statfs_reply, namelen),
	U64(leofs_statfs_reply, blocks),
	U64(leofs_statfs_reply, bfree),
	U64(leofs_statfs_reply, bavail),
	U64(leofs_statfs_reply, files),
	U64(leofs_statfs_reply, ffree),
};
DESC(statfs_reply, leofs_statfs_reply, NULL);

static const struct leofs_field commit_size_req_fields[] = {
	CREDS(leofs_commit_size_req),
	U64(leofs_commit_size_req, ino),
	U64(leofs_commit_size_req, size),
	STRUCT(leofs_commit_size_req, mtime, timespec_desc),
};
DESC(commit_size_req, leofs_commit_size_req, NULL);

static const struct leofs_field layout_reply_fields[] = {
	STATUS(leofs_layout_reply, status),
	STRUCT(leofs_layout_reply, layout, layout_desc),
};
DESC(layout_reply, leofs_layout_reply, NULL);

static const struct leofs_field set_layout_req_fields[] = {
	CREDS(leofs_set_layout_req),
	U64(leofs_set_layout_req, ino),
	STRUCT(leofs_set_layout_req, layout, layout_desc),
};
DESC(set_layout_req, leofs_set_layout_req, NULL);

/* ---- storage -------------------------------------------------------------- */

/* A layout that has data objects, and a slot inside it. */
static int data_layout_check(const struct leofs_layout *l, u32 slot)
{
	if (l->scheme == LEOFS_LAYOUT_NONE)
		return -EPROTO;
	return slot < l->stripe_count ? 0 : -EPROTO;
}

/* A non-empty byte range inside one stripe of l. */
static int stripe_range_check(const struct leofs_layout *l, u32 off, u32 len)
{
	if (!len)
		return -EPROTO;
	return (u64)off + len <= leofs_layout_stripe_width(l) ? 0 : -EPROTO;
}

static int write_stripe_check(const void *msg)
{
	const struct leofs_write_stripe_req *m = msg;
	u32 slice;

	if (data_layout_check(&m->layout, m->slot))
		return -EPROTO;
	if (!m->data.len || m->data.len % m->layout.k)
		return -EPROTO;
	slice = m->data.len / m->layout.k;
	if (m->unit_offset % LEOFS_BLOCK_SIZE ||
	    (u64)m->unit_offset + slice > m->layout.stripe_unit)
		return -EPROTO;
	return 0;
}

static const struct leofs_field write_stripe_req_fields[] = {
	U64(leofs_write_stripe_req, ino),
	U32(leofs_write_stripe_req, slot),
	U64(leofs_write_stripe_req, stripe),
	STRUCT(leofs_write_stripe_req, pg, pg_desc),
	STRUCT(leofs_write_stripe_req, layout, layout_desc),
	U32(leofs_write_stripe_req, unit_offset),
	BLOB(leofs_write_stripe_req, data, LEOFS_MAX_IO),
};
DESC(write_stripe_req, leofs_write_stripe_req, write_stripe_check);

static const struct leofs_field write_reply_fields[] = {
	STATUS(leofs_write_reply, status),
	U64(leofs_write_reply, version),
};
DESC(write_reply, leofs_write_reply, NULL);

/* A stripe unit valid in a layout, and a non-empty range inside it. */
static int unit_range_check(u32 unit, u32 off, u32 len)
{
	if (unit < LEOFS_STRIPE_UNIT_MIN || unit > LEOFS_STRIPE_UNIT_MAX ||
	    (unit & (unit - 1)))
		return -EPROTO;
	if (!len || len > LEOFS_MAX_IO)
		return -EPROTO;
	return (u64)off + len <= unit ? 0 : -EPROTO;
}

static int write_fragment_check(const void *msg)
{
	const struct leofs_write_fragment_req *m = msg;

	if (m->fragment >= LEOFS_MAX_FRAGMENTS || !m->version || !m->phase)
		return -EPROTO;
	if (unit_range_check(m->stripe_unit, m->offset, m->data.len))
		return -EPROTO;
	if (m->offset % LEOFS_BLOCK_SIZE)
		return -EPROTO;
	if (m->phase == LEOFS_FRAG_DIRECT && m->offset)
		return -EPROTO;
	return m->crcs.count == blocks_for(m->data.len) ? 0 : -EPROTO;
}

static const struct leofs_field write_fragment_req_fields[] = {
	U64(leofs_write_fragment_req, ino),
	U32(leofs_write_fragment_req, slot),
	U32(leofs_write_fragment_req, fragment),
	U32(leofs_write_fragment_req, target_id),
	STRUCT(leofs_write_fragment_req, pg, pg_desc),
	U64(leofs_write_fragment_req, stripe),
	U32(leofs_write_fragment_req, stripe_unit),
	U32(leofs_write_fragment_req, offset),
	U64(leofs_write_fragment_req, version),
	ENUM32(leofs_write_fragment_req, phase, LEOFS_FRAG_PHASE_MAX + 1),
	LE32S(leofs_write_fragment_req, crcs, LEOFS_MAX_BLOCKS),
	BLOB(leofs_write_fragment_req, data, LEOFS_MAX_IO),
};
DESC(write_fragment_req, leofs_write_fragment_req, write_fragment_check);

static int commit_fragment_check(const void *msg)
{
	const struct leofs_commit_fragment_req *m = msg;

	if (m->fragment >= LEOFS_MAX_FRAGMENTS || !m->version || !m->action)
		return -EPROTO;
	return unit_range_check(m->stripe_unit, 0, LEOFS_BLOCK_SIZE);
}

static const struct leofs_field commit_fragment_req_fields[] = {
	U64(leofs_commit_fragment_req, ino),
	U32(leofs_commit_fragment_req, slot),
	U32(leofs_commit_fragment_req, fragment),
	U32(leofs_commit_fragment_req, target_id),
	STRUCT(leofs_commit_fragment_req, pg, pg_desc),
	U64(leofs_commit_fragment_req, stripe),
	U32(leofs_commit_fragment_req, stripe_unit),
	U64(leofs_commit_fragment_req, version),
	ENUM32(leofs_commit_fragment_req, action,
	       LEOFS_COMMIT_ACTION_MAX + 1),
};
DESC(commit_fragment_req, leofs_commit_fragment_req, commit_fragment_check);

static int partial_write_check(const void *msg)
{
	const struct leofs_partial_write_req *m = msg;

	return data_layout_check(&m->layout, m->slot) ?:
	       stripe_range_check(&m->layout, m->offset, m->data.len);
}

static const struct leofs_field partial_write_req_fields[] = {
	U64(leofs_partial_write_req, ino),
	U32(leofs_partial_write_req, slot),
	U64(leofs_partial_write_req, stripe),
	STRUCT(leofs_partial_write_req, pg, pg_desc),
	STRUCT(leofs_partial_write_req, layout, layout_desc),
	U32(leofs_partial_write_req, offset),
	BLOB(leofs_partial_write_req, data, LEOFS_MAX_IO),
};
DESC(partial_write_req, leofs_partial_write_req, partial_write_check);

static int read_fragment_req_check(const void *msg)
{
	const struct leofs_read_fragment_req *m = msg;

	if (m->fragment >= LEOFS_MAX_FRAGMENTS)
		return -EPROTO;
	if (unit_range_check(m->stripe_unit, m->offset, m->length))
		return -EPROTO;
	if ((m->flags & LEOFS_READ_WANT_CRCS) && m->offset % LEOFS_BLOCK_SIZE)
		return -EPROTO;
	return 0;
}

static const struct leofs_field read_fragment_req_fields[] = {
	U64(leofs_read_fragment_req, ino),
	U32(leofs_read_fragment_req, slot),
	U32(leofs_read_fragment_req, fragment),
	U32(leofs_read_fragment_req, target_id),
	STRUCT(leofs_read_fragment_req, pg, pg_desc),
	U64(leofs_read_fragment_req, stripe),
	U32(leofs_read_fragment_req, stripe_unit),
	U32(leofs_read_fragment_req, offset),
	U32(leofs_read_fragment_req, length),
	FLAGS(leofs_read_fragment_req, flags, LEOFS_READ_KNOWN),
};
DESC(read_fragment_req, leofs_read_fragment_req, read_fragment_req_check);

static int read_fragment_reply_check(const void *msg)
{
	const struct leofs_read_fragment_reply *m = msg;

	if (!m->crcs.count || m->crcs.count == blocks_for(m->data.len))
		return 0;
	return -EPROTO;
}

static const struct leofs_field read_fragment_reply_fields[] = {
	STATUS(leofs_read_fragment_reply, status),
	U64(leofs_read_fragment_reply, version),
	U64(leofs_read_fragment_reply, prepared),
	LE32S(leofs_read_fragment_reply, crcs, LEOFS_MAX_BLOCKS),
	BLOB(leofs_read_fragment_reply, data, LEOFS_MAX_IO),
};
DESC(read_fragment_reply, leofs_read_fragment_reply,
     read_fragment_reply_check);

/* At most one message of data: the reply carries it whole. */
static int degraded_read_check(const void *msg)
{
	const struct leofs_degraded_read_req *m = msg;

	if (m->length > LEOFS_MAX_IO)
		return -EPROTO;
	return data_layout_check(&m->layout, m->slot) ?:
	       stripe_range_check(&m->layout, m->offset, m->length);
}

static const struct leofs_field degraded_read_req_fields[] = {
	U64(leofs_degraded_read_req, ino),
	U32(leofs_degraded_read_req, slot),
	U64(leofs_degraded_read_req, stripe),
	STRUCT(leofs_degraded_read_req, pg, pg_desc),
	STRUCT(leofs_degraded_read_req, layout, layout_desc),
	U32(leofs_degraded_read_req, offset),
	U32(leofs_degraded_read_req, length),
};
DESC(degraded_read_req, leofs_degraded_read_req, degraded_read_check);

static const struct leofs_field data_reply_fields[] = {
	STATUS(leofs_data_reply, status),
	BLOB(leofs_data_reply, data, LEOFS_MAX_IO),
};
DESC(data_reply, leofs_data_reply, NULL);

/* A size a file can have: at most 2^63 - 1 bytes, as a Linux loff_t. */
static int truncate_check(const void *msg)
{
	const struct leofs_truncate_objects_req *m = msg;

	if (m->size > (~0ull >> 1))
		return -EPROTO;
	return data_layout_check(&m->layout, 0);
}

static const struct leofs_field truncate_objects_req_fields[] = {
	U64(leofs_truncate_objects_req, ino),
	U64(leofs_truncate_objects_req, size),
	U64(leofs_truncate_objects_req, map_epoch),
	STRUCT(leofs_truncate_objects_req, layout, layout_desc),
};
DESC(truncate_objects_req, leofs_truncate_objects_req, truncate_check);

/* Slots: at least one, strictly increasing, inside the layout. */
static int delete_check(const void *msg)
{
	const struct leofs_delete_objects_req *m = msg;
	u32 i, slot, prev = 0;

	if (!m->slots.count || data_layout_check(&m->layout, 0))
		return -EPROTO;
	for (i = 0; i < m->slots.count; i++) {
		slot = leofs_le32s_get(&m->slots, i);
		if ((i && slot <= prev) || slot >= m->layout.stripe_count)
			return -EPROTO;
		prev = slot;
	}
	return 0;
}

static const struct leofs_field delete_objects_req_fields[] = {
	U64(leofs_delete_objects_req, ino),
	U64(leofs_delete_objects_req, map_epoch),
	STRUCT(leofs_delete_objects_req, layout, layout_desc),
	LE32S(leofs_delete_objects_req, slots, LEOFS_MAX_SLOTS),
};
DESC(delete_objects_req, leofs_delete_objects_req, delete_check);

static const struct leofs_field target_statfs_req_fields[] = {
	U32(leofs_target_statfs_req, target_id),
};
DESC(target_statfs_req, leofs_target_statfs_req, NULL);

static const struct leofs_field target_statfs_reply_fields[] = {
	STATUS(leofs_target_statfs_reply, status),
	U64(leofs_target_statfs_reply, capacity),
	U64(leofs_target_statfs_reply, used),
	U64(leofs_target_statfs_reply, objects),
	U64(leofs_target_statfs_reply, free),
	U64(leofs_target_statfs_reply, checksum_errors),
};
DESC(target_statfs_reply, leofs_target_statfs_reply, NULL);

/* ---- cross-shard (MDS to MDS) ------------------------------------------------ */

static int xshard_prepare_check(const void *msg)
{
	const struct leofs_xshard_prepare_req *m = msg;

	if (m->shard > 0xffff || !m->op || m->slot >= LEOFS_XSHARD_SLOTS)
		return -EPROTO;
	if (m->delta > 1 && m->delta != 0xffffffffu)
		return -EPROTO;
	return 0;
}

static const struct leofs_field xshard_prepare_req_fields[] = {
	U64(leofs_xshard_prepare_req, intent),
	U32(leofs_xshard_prepare_req, shard),
	ENUM32(leofs_xshard_prepare_req, op, LEOFS_XSHARD_OP_MAX + 1),
	U64(leofs_xshard_prepare_req, ino),
	U64(leofs_xshard_prepare_req, parent),
	U32(leofs_xshard_prepare_req, mode),
	U32(leofs_xshard_prepare_req, uid),
	U32(leofs_xshard_prepare_req, gid),
	STRUCT(leofs_xshard_prepare_req, layout, layout_desc),
	U32(leofs_xshard_prepare_req, slot),
	U64(leofs_xshard_prepare_req, expect),
	ENUM32(leofs_xshard_prepare_req, type, 16),
	U32(leofs_xshard_prepare_req, delta),
	BLOB(leofs_xshard_prepare_req, name, LEOFS_NAME_MAX),
};
DESC(xshard_prepare_req, leofs_xshard_prepare_req, xshard_prepare_check);

static const struct leofs_field xshard_prepare_reply_fields[] = {
	STATUS(leofs_xshard_prepare_reply, status),
	STRUCT(leofs_xshard_prepare_reply, attr, attr_desc),
	U64(leofs_xshard_prepare_reply, entry_ino),
	ENUM32(leofs_xshard_prepare_reply, entry_type, 16),
};
DESC(xshard_prepare_reply, leofs_xshard_prepare_reply, NULL);

static int xshard_finish_check(const void *msg)
{
	const struct leofs_xshard_finish_req *m = msg;

	return m->shard <= 0xffff ? 0 : -EPROTO;
}

static const struct leofs_field xshard_finish_req_fields[] = {
	U64(leofs_xshard_finish_req, intent),
	U32(leofs_xshard_finish_req, shard),
	BOOL(leofs_xshard_finish_req, commit),
};
DESC(xshard_finish_req, leofs_xshard_finish_req, xshard_finish_check);

/* ---- opcodes -------------------------------------------------------------- */

struct leofs_op {
	const char *name;
	const struct leofs_msg_desc *req;
	const struct leofs_msg_desc *reply;	/* NULL: no reply */
};

#define OP(n, rq, rp) { .name = (n), .req = &(rq), .reply = (rp) }

/* Indexed by the low byte of the opcode, one table per high byte. */
static const struct leofs_op cluster_ops[] = {
	[0x01] = OP("HELLO", hello_req, &hello_reply),
	[0x02] = OP("MAP_GET", map_get_req, &map_reply),
	[0x03] = OP("MAP_PUSH", map_push, NULL),
	[0x04] = OP("OSS_REGISTER", oss_register_req, &epoch_reply),
	[0x05] = OP("HEARTBEAT", heartbeat_req, &epoch_reply),
	[0x06] = OP("POOL_CREATE", pool_create_req, &pool_create_reply),
};

static const struct leofs_op meta_ops[] = {
	[0x00] = OP("LOOKUP", name_req, &attr_reply),
	[0x01] = OP("GETATTR", ino_req, &attr_reply),
	[0x02] = OP("SETATTR", setattr_req, &attr_reply),
	[0x03] = OP("CREATE", create_req, &attr_reply),
	[0x04] = OP("MKDIR", mkdir_req, &attr_reply),
	[0x05] = OP("UNLINK", name_req, &status_reply),
	[0x06] = OP("RMDIR", name_req, &status_reply),
	[0x07] = OP("RENAME", rename_req, &status_reply),
	[0x08] = OP("LINK", link_req, &attr_reply),
	[0x09] = OP("SYMLINK", symlink_req, &attr_reply),
	[0x0a] = OP("READLINK", ino_req, &readlink_reply),
	[0x0b] = OP("READDIR", readdir_req, &readdir_reply),
	[0x0c] = OP("GETXATTR", getxattr_req, &getxattr_reply),
	[0x0d] = OP("SETXATTR", setxattr_req, &status_reply),
	[0x0e] = OP("LISTXATTR", listxattr_req, &listxattr_reply),
	[0x0f] = OP("REMOVEXATTR", xattr_name_req, &status_reply),
	[0x10] = OP("STATFS", ino_req, &statfs_reply),
	[0x11] = OP("COMMIT_SIZE", commit_size_req, &attr_reply),
	[0x12] = OP("GET_LAYOUT", ino_req, &layout_reply),
	[0x13] = OP("SET_LAYOUT", set_layout_req, &status_reply),
	[0x14] = OP("XSHARD_PREPARE", xshard_prepare_req,
		     &xshard_prepare_reply),
	[0x15] = OP("XSHARD_FINISH", xshard_finish_req, &status_reply),
};

static const struct leofs_op storage_ops[] = {
	[0x00] = OP("WRITE_STRIPE", write_stripe_req, &write_reply),
	[0x01] = OP("WRITE_FRAGMENT", write_fragment_req, &status_reply),
	[0x02] = OP("PARTIAL_WRITE", partial_write_req, &write_reply),
	[0x03] = OP("READ_FRAGMENT", read_fragment_req, &read_fragment_reply),
	[0x04] = OP("DEGRADED_READ", degraded_read_req, &data_reply),
	[0x05] = OP("TRUNCATE_OBJECTS", truncate_objects_req, &status_reply),
	[0x06] = OP("DELETE_OBJECTS", delete_objects_req, &status_reply),
	[0x07] = OP("TARGET_STATFS", target_statfs_req, &target_statfs_reply),
	[0x08] = OP("COMMIT_FRAGMENT", commit_fragment_req, &status_reply),
};

static const struct leofs_op *find_op(u16 opcode)
{
	const struct leofs_op *table;
	u32 n, i = opcode & 0xff;

	switch (opcode >> 8) {
	case 0x00:
		table = cluster_ops;
		n = ARRAY_SIZE(cluster_ops);
		break;
	case 0x01:
		table = meta_ops;
		n = ARRAY_SIZE(meta_ops);
		break;
	case 0x02:
		table = storage_ops;
		n = ARRAY_SIZE(storage_ops);
		break;
	default:
		return NULL;
	}
	if (i >= n || !table[i].name)
		return NULL;
	return &table[i];
}

static const struct leofs_msg_desc *find_desc(u16 opcode, bool reply)
{
	const struct leofs_op *op = find_op(opcode);

	if (!op)
		return NULL;
	return reply ? op->reply : op->req;
}

const char *leofs_op_name(u16 opcode)
{
	const struct leofs_op *op = find_op(opcode);

	return op ? op->name : NULL;
}

size_t leofs_msg_struct_size(u16 opcode, bool reply)
{
	const struct leofs_msg_desc *d = find_desc(opcode, reply);

	return d ? d->size : 0;
}

int leofs_msg_encode_tail(u16 opcode, bool reply, const void *msg,
			  size_t msg_size, void *buf, size_t cap,
			  const void *tail, size_t tail_len)
{
	const struct leofs_msg_desc *d = find_desc(opcode, reply);

	if (!d || d->size != msg_size)
		return -EINVAL;
	return leofs_codec_encode_tail(d, msg, buf, cap, tail, tail_len);
}

int leofs_msg_encode(u16 opcode, bool reply, const void *msg, size_t msg_size,
		     void *buf, size_t cap)
{
	return leofs_msg_encode_tail(opcode, reply, msg, msg_size, buf, cap,
				     NULL, 0);
}

int leofs_msg_decode_tail(u16 opcode, bool reply, void *msg, size_t msg_size,
			  const void *buf, size_t len, const void *tail,
			  size_t tail_len)
{
	const struct leofs_msg_desc *d = find_desc(opcode, reply);

	if (!d)
		return -EOPNOTSUPP;
	if (d->size != msg_size)
		return -EINVAL;
	return leofs_codec_decode_tail(d, msg, buf, len, tail, tail_len);
}

int leofs_msg_decode(u16 opcode, bool reply, void *msg, size_t msg_size,
		     const void *buf, size_t len)
{
	return leofs_msg_decode_tail(opcode, reply, msg, msg_size, buf, len,
				     NULL, 0);
}
