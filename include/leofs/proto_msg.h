/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leofs message bodies: one C struct per body shape, and typed encode and
 * decode wrappers for every (opcode, request or reply) pair.
 *
 * Decoders never copy variable data: names, symlink targets, xattr values,
 * data payloads and CRC arrays come back as pointer + length into the
 * caller's receive buffer, which must outlive the decoded struct. Encoders
 * copy them into the output buffer.
 *
 * Every reply starts with a status (enum leofs_status). A reply whose
 * status is not LEOFS_S_OK carries nothing else: its body is 4 bytes, and
 * the decoded struct is zero apart from the status.
 *
 * Encodings are canonical: decode then encode gives back the same bytes.
 */
#ifndef LEOFS_PROTO_MSG_H
#define LEOFS_PROTO_MSG_H

#include "proto.h"

/* Variable bytes on the wire; data points into the receive buffer. */
struct leofs_buf {
	const void *data;
	u32 len;
};

/* An array of little-endian u32 on the wire (CRCs, slots), not copied. */
struct leofs_le32s {
	const void *data;
	u32 count;
};

static inline u32 leofs_le32s_get(const struct leofs_le32s *a, u32 i)
{
	return get_unaligned_le32((const u8 *)a->data + 4 * (size_t)i);
}

struct leofs_timespec {
	s64 sec;
	u32 nsec;		/* < 1000000000 */
};

struct leofs_creds {
	u32 uid;
	u32 gid;
	u32 ngroups;		/* <= LEOFS_MAX_GROUPS */
	u32 groups[LEOFS_MAX_GROUPS];
};

/* Mode bits: the Linux values, spelled out to stay freestanding. */
#define LEOFS_S_IFMT	0170000
#define LEOFS_S_IFSOCK	0140000
#define LEOFS_S_IFLNK	0120000
#define LEOFS_S_IFREG	0100000
#define LEOFS_S_IFBLK	0060000
#define LEOFS_S_IFDIR	0040000
#define LEOFS_S_IFCHR	0020000
#define LEOFS_S_IFIFO	0010000
#define LEOFS_S_PERM	07777

/* Directory entry types: the Linux DT_* values. */
enum leofs_dtype {
	LEOFS_DT_UNKNOWN = 0,
	LEOFS_DT_FIFO = 1,
	LEOFS_DT_CHR = 2,
	LEOFS_DT_DIR = 4,
	LEOFS_DT_BLK = 6,
	LEOFS_DT_REG = 8,
	LEOFS_DT_LNK = 10,
	LEOFS_DT_SOCK = 12,
};

struct leofs_attr {
	u64 ino;
	u32 mode;		/* file type and permission bits */
	u32 nlink;
	u32 uid;
	u32 gid;
	u64 size;
	u64 blocks;		/* 512-byte units */
	struct leofs_timespec atime;
	struct leofs_timespec mtime;
	struct leofs_timespec ctime;
	u64 generation;		/* inode generation (ino reuse) */
	struct leofs_layout layout;
};

/* ---- cluster ---------------------------------------------------------- */

struct leofs_hello_req {
	u16 version_min;
	u16 version_max;
	u32 peer_kind;		/* enum leofs_peer_kind */
	u64 features;		/* LEOFS_FEAT_* offered */
	u8 cluster_id[16];	/* all zero: not yet known (first contact) */
	u64 session_id;		/* 0 = new session */
	u32 node_id;		/* mds/oss node id; 0 for clients and admin */
};

struct leofs_hello_reply {
	u32 status;		/* LEOFS_S_VERSION: no common version */
	u16 version;		/* chosen version */
	u32 peer_kind;		/* the server's kind */
	u64 features;		/* accepted: offered & supported */
	u32 node_id;
	u8 cluster_id[16];
	u64 session_id;		/* the session this connection belongs to */
	u64 map_epoch;
};

struct leofs_map_get_req {
	u64 known_epoch;	/* 0 = none */
};

/*
 * MAP_GET reply and MAP_PUSH body. map is the encoded map (proto_map.h);
 * its length is 0 when the requester already has epoch.
 */
struct leofs_map_reply {
	u32 status;
	u64 epoch;
	struct leofs_buf map;
};

struct leofs_map_push {
	u64 epoch;
	struct leofs_buf map;	/* never empty */
};

struct leofs_target_info {
	u32 id;
	u8 tier;		/* enum leofs_tier */
	u32 weight;		/* 16.16 */
	u64 capacity;		/* bytes */
	u64 used;		/* bytes */
};

struct leofs_oss_register_req {
	u32 node_id;
	u8 addr_family;		/* 4 or 6 */
	u16 port;
	u8 addr[16];		/* IPv4 in the first 4 bytes, rest zero */
	u32 nr_targets;		/* 1..LEOFS_MAX_NODE_TARGETS */
	struct leofs_target_info targets[LEOFS_MAX_NODE_TARGETS];
};

struct leofs_target_health {
	u32 id;
	u32 state;		/* LEOFS_STATE_* bits of map.h */
	u64 used;		/* bytes */
	u64 free;		/* bytes */
};

struct leofs_heartbeat_req {
	u32 node_id;
	u64 map_epoch;		/* the epoch the node runs with */
	u32 nr_targets;		/* 0..LEOFS_MAX_NODE_TARGETS */
	struct leofs_target_health targets[LEOFS_MAX_NODE_TARGETS];
};

/* OSS_REGISTER and HEARTBEAT reply: the current epoch, to fetch if newer. */
struct leofs_epoch_reply {
	u32 status;
	u64 map_epoch;
};

/*
 * POOL_CREATE: a new pool in a new map epoch. The name (1..31 printable
 * ASCII bytes without spaces), tier and pg_num (1..2^20) are checked by
 * the map authority (INVAL), not by the codec.
 */
struct leofs_pool_create_req {
	struct leofs_buf name;
	u8 tier;		/* enum leofs_tier */
	u32 pg_num;
};

struct leofs_pool_create_reply {
	u32 status;
	u32 pool_id;
	u64 map_epoch;		/* the first epoch that holds the pool */
};

/* ---- metadata ------------------------------------------------------------- */

/* Replies that carry nothing but a status. */
struct leofs_status_reply {
	u32 status;
};

/* LOOKUP, GETATTR, SETATTR, CREATE, MKDIR, LINK, SYMLINK, COMMIT_SIZE. */
struct leofs_attr_reply {
	u32 status;
	struct leofs_attr attr;
};

/* GETATTR, READLINK, STATFS (ino: any inode of the filesystem), GET_LAYOUT. */
struct leofs_ino_req {
	struct leofs_creds creds;
	u64 ino;
};

/* LOOKUP, UNLINK, RMDIR. */
struct leofs_name_req {
	struct leofs_creds creds;
	u64 parent;
	struct leofs_buf name;
};

#define LEOFS_SETATTR_MODE	0x01u
#define LEOFS_SETATTR_UID	0x02u
#define LEOFS_SETATTR_GID	0x04u
#define LEOFS_SETATTR_SIZE	0x08u
#define LEOFS_SETATTR_ATIME	0x10u	/* set to atime */
#define LEOFS_SETATTR_MTIME	0x20u	/* set to mtime */
#define LEOFS_SETATTR_ATIME_NOW	0x40u	/* server time; excludes ATIME */
#define LEOFS_SETATTR_MTIME_NOW	0x80u	/* server time; excludes MTIME */
#define LEOFS_SETATTR_KNOWN	0xffu

struct leofs_setattr_req {
	struct leofs_creds creds;
	u64 ino;
	u32 valid;		/* LEOFS_SETATTR_* */
	u32 mode;		/* permission bits only */
	u32 uid;
	u32 gid;
	u64 size;
	struct leofs_timespec atime;
	struct leofs_timespec mtime;
};

#define LEOFS_CREATE_EXCL	0x1u
#define LEOFS_CREATE_KNOWN	LEOFS_CREATE_EXCL

/* CREATE (regular file) and MKDIR (flags 0). mode: permission bits only. */
struct leofs_create_req {
	struct leofs_creds creds;
	u64 parent;
	struct leofs_buf name;
	u32 mode;
	u32 flags;		/* LEOFS_CREATE_* */
};

#define LEOFS_RENAME_NOREPLACE	0x1u
#define LEOFS_RENAME_EXCHANGE	0x2u	/* excludes NOREPLACE */
#define LEOFS_RENAME_KNOWN	0x3u

struct leofs_rename_req {
	struct leofs_creds creds;
	u64 old_parent;
	struct leofs_buf old_name;
	u64 new_parent;
	struct leofs_buf new_name;
	u32 flags;		/* LEOFS_RENAME_* */
};

struct leofs_link_req {
	struct leofs_creds creds;
	u64 ino;
	u64 new_parent;
	struct leofs_buf name;
};

struct leofs_symlink_req {
	struct leofs_creds creds;
	u64 parent;
	struct leofs_buf name;
	struct leofs_buf target;	/* 1..LEOFS_SYMLINK_MAX, no NUL */
};

struct leofs_readlink_reply {
	u32 status;
	struct leofs_buf target;
};

struct leofs_readdir_req {
	struct leofs_creds creds;
	u64 ino;
	u64 cookie;		/* 0 = start; else a next_cookie received */
	u32 max_entries;	/* 1..LEOFS_READDIR_MAX_ENTRIES */
	u32 max_bytes;		/* reply body budget, >= 512 */
};

struct leofs_dirent {
	u64 ino;
	u64 next_cookie;	/* resume after this entry */
	u8 type;		/* enum leofs_dtype */
	struct leofs_buf name;
};

struct leofs_readdir_reply {
	u32 status;
	u32 eof;		/* 0 or 1: no entries after the last one */
	u32 nr_entries;		/* <= LEOFS_READDIR_MAX_ENTRIES */
	struct leofs_dirent entries[LEOFS_READDIR_MAX_ENTRIES];
};

struct leofs_getxattr_req {
	struct leofs_creds creds;
	u64 ino;
	struct leofs_buf name;
	u32 size;		/* caller's buffer; 0 = only ask the size */
};

/* GETXATTR and LISTXATTR replies. */
struct leofs_xattr_reply {
	u32 status;
	u32 size;		/* full size of the value (list) */
	struct leofs_buf value;	/* empty, or exactly size bytes */
};

#define LEOFS_XATTR_CREATE	0x1u
#define LEOFS_XATTR_REPLACE	0x2u	/* excludes CREATE */
#define LEOFS_XATTR_KNOWN	0x3u

struct leofs_setxattr_req {
	struct leofs_creds creds;
	u64 ino;
	struct leofs_buf name;
	struct leofs_buf value;	/* 0..LEOFS_XATTR_VALUE_MAX */
	u32 flags;		/* LEOFS_XATTR_* */
};

struct leofs_listxattr_req {
	struct leofs_creds creds;
	u64 ino;
	u32 size;		/* caller's buffer; 0 = only ask the size */
};

/* REMOVEXATTR. */
struct leofs_xattr_name_req {
	struct leofs_creds creds;
	u64 ino;
	struct leofs_buf name;
};

struct leofs_statfs_reply {
	u32 status;
	u32 bsize;
	u32 namelen;
	u64 blocks;		/* in bsize units */
	u64 bfree;
	u64 bavail;
	u64 files;
	u64 ffree;
};

/* Sent by clients on flush and close. */
struct leofs_commit_size_req {
	struct leofs_creds creds;
	u64 ino;
	u64 size;
	struct leofs_timespec mtime;
};

struct leofs_layout_reply {
	u32 status;
	struct leofs_layout layout;
};

struct leofs_set_layout_req {
	struct leofs_creds creds;
	u64 ino;
	struct leofs_layout layout;
};

/* ---- storage -------------------------------------------------------------- */

/* Identifies where a request was routed, for the receiver to fence it. */
struct leofs_pg_ref {
	u32 pool_id;
	u32 pg;
	u64 map_epoch;
};

/*
 * Client -> PG primary: a full-width write of one stripe, or of a column
 * slice of it when the stripe is wider than a frame: data is k equal slices,
 * slice i being bytes [unit_offset, unit_offset + len / k) of data unit i.
 * The client zero-pads the end of a file to whole slices.
 */
struct leofs_write_stripe_req {
	u64 ino;
	u32 slot;
	u64 stripe;		/* stripe number within the slot's object */
	struct leofs_pg_ref pg;
	struct leofs_layout layout;
	u32 unit_offset;	/* block aligned */
	struct leofs_buf data;	/* k slices, 1..LEOFS_MAX_IO bytes */
};

/* WRITE_STRIPE and PARTIAL_WRITE replies. */
struct leofs_write_reply {
	u32 status;
	u64 version;		/* stripe version now stored */
};

/*
 * Primary -> member: bytes [offset, offset + len) of one fragment of stripe
 * @stripe (offset + len <= stripe_unit), with their per-block CRCs, which
 * the member checks before storing anything.
 *   DIRECT:  atomic replace of the whole fragment at @version (offset 0);
 *            the fast path for stripes never written.
 *   PREPARE: durably stage the range as @version, invisible to reads until
 *            COMMIT_FRAGMENT.
 */
enum leofs_frag_phase {
	LEOFS_FRAG_DIRECT = 1,
	LEOFS_FRAG_PREPARE = 2,
};
#define LEOFS_FRAG_PHASE_MAX	LEOFS_FRAG_PREPARE

struct leofs_write_fragment_req {
	u64 ino;
	u32 slot;
	u32 fragment;		/* < k + m of the layout */
	u32 target_id;
	struct leofs_pg_ref pg;
	u64 stripe;		/* stripe number within the slot's object */
	u32 stripe_unit;	/* the layout's unit: bytes per fragment */
	u32 offset;		/* within the fragment, block aligned */
	u64 version;		/* stripe version (transaction id), >= 1 */
	u32 phase;		/* enum leofs_frag_phase */
	struct leofs_le32s crcs;	/* one per 4 KiB block of data */
	struct leofs_buf data;	/* 1..LEOFS_MAX_IO bytes */
};

/*
 * Primary -> member: make a prepared version visible, or drop it; or drop
 * a new stripe (version 1, written DIRECT) whose write the primary refused.
 */
enum leofs_commit_action {
	LEOFS_COMMIT = 1,
	LEOFS_ABORT = 2,
	LEOFS_UNDO_NEW = 3,
};
#define LEOFS_COMMIT_ACTION_MAX	LEOFS_UNDO_NEW

struct leofs_commit_fragment_req {
	u64 ino;
	u32 slot;
	u32 fragment;
	u32 target_id;
	struct leofs_pg_ref pg;
	u64 stripe;
	u32 stripe_unit;
	u64 version;		/* >= 1 */
	u32 action;		/* enum leofs_commit_action */
};

/* Client -> primary: read-modify-write inside one stripe. */
struct leofs_partial_write_req {
	u64 ino;
	u32 slot;
	u64 stripe;
	struct leofs_pg_ref pg;
	struct leofs_layout layout;
	u32 offset;		/* within the stripe */
	struct leofs_buf data;	/* offset + len <= k * stripe_unit */
};

#define LEOFS_READ_WANT_CRCS	0x1u
#define LEOFS_READ_PREPARED	0x2u	/* the prepared version's bytes */
#define LEOFS_READ_KNOWN	(LEOFS_READ_WANT_CRCS | LEOFS_READ_PREPARED)

/* Bytes [offset, offset + length) of one fragment of one stripe. */
struct leofs_read_fragment_req {
	u64 ino;
	u32 slot;
	u32 fragment;
	u32 target_id;
	struct leofs_pg_ref pg;
	u64 stripe;
	u32 stripe_unit;
	u32 offset;		/* block aligned when WANT_CRCS */
	u32 length;		/* 1..LEOFS_MAX_IO, offset + length <= unit */
	u32 flags;		/* LEOFS_READ_* */
};

/*
 * Bytes never written read as zeros. version is the committed version (0:
 * never written), prepared the version staged but not committed (0: none).
 * With LEOFS_READ_PREPARED the data is that of the prepared version
 * (LEOFS_S_NOENT if none is prepared).
 */
struct leofs_read_fragment_reply {
	u32 status;
	u64 version;
	u64 prepared;
	struct leofs_le32s crcs;	/* none, or one per 4 KiB block of data */
	struct leofs_buf data;
};

/* Client -> primary: read, reconstructing from other fragments if needed. */
struct leofs_degraded_read_req {
	u64 ino;
	u32 slot;
	u64 stripe;
	struct leofs_pg_ref pg;
	struct leofs_layout layout;
	u32 offset;		/* within the stripe */
	u32 length;		/* offset + length <= k * stripe_unit */
};

struct leofs_data_reply {
	u32 status;
	struct leofs_buf data;
};

struct leofs_truncate_objects_req {
	u64 ino;
	u64 size;		/* new file size */
	u64 map_epoch;
	struct leofs_layout layout;
};

struct leofs_delete_objects_req {
	u64 ino;
	u64 map_epoch;
	struct leofs_layout layout;
	struct leofs_le32s slots;	/* 1..LEOFS_MAX_SLOTS, each < stripe_count */
};

struct leofs_target_statfs_req {
	u32 target_id;
};

struct leofs_target_statfs_reply {
	u32 status;
	u64 capacity;
	u64 used;
	u64 objects;
	u64 free;		/* bytes available to leofs */
	u64 checksum_errors;	/* blocks that failed their CRC since start */
};

/*
 * Cross-shard operations, from the MDS of the parent's shard (coordinator)
 * to the MDS of the other shard (participant); only from MDS peers.
 * intent: the coordinator's shard in the top 16 bits, a sequence below.
 */
#define LEOFS_XSHARD_MKDIR	1	/* create the directory inode */
#define LEOFS_XSHARD_RMDIR	2	/* mark the empty directory dying */
#define LEOFS_XSHARD_NLINK	3	/* the inode's link count by delta */
#define LEOFS_XSHARD_MOVED	4	/* renamed: ctime, a directory's parent */
#define LEOFS_XSHARD_ENTRY	5	/* set, replace or remove an entry */
#define LEOFS_XSHARD_PROBE	6	/* read: a directory and one entry */
#define LEOFS_XSHARD_WALK	7	/* read: ancestors of a directory */
#define LEOFS_XSHARD_DIRMOVE	8	/* hold the directory-move generation */
#define LEOFS_XSHARD_MOVEGEN	9	/* read: the directory-move generation */
#define LEOFS_XSHARD_OP_MAX	LEOFS_XSHARD_MOVEGEN

#define LEOFS_XSHARD_SLOTS	8	/* actions of one intent */

struct leofs_xshard_prepare_req {
	u64 intent;		/* 0 with PROBE, WALK and MOVEGEN */
	u32 shard;		/* the participant shard, 0..65535 */
	u32 op;			/* LEOFS_XSHARD_* */
	u64 ino;		/* the inode acted on; ENTRY: the new target */
	u64 parent;		/* MKDIR, ENTRY, PROBE: the directory;
				 * MOVED: the new parent (0: unchanged);
				 * WALK: the ancestor looked for */
	u32 mode;		/* MKDIR: the new inode's mode, uid, gid */
	u32 uid;
	u32 gid;
	struct leofs_layout layout;	/* MKDIR: inherited layout */
	u32 slot;		/* the action's index in the intent */
	u64 expect;		/* ENTRY: the entry's current inode (0: none);
				 * DIRMOVE: the generation read */
	u32 type;		/* ENTRY: the new entry's type (LEOFS_DT_*) */
	u32 delta;		/* NLINK, ENTRY: link count change, s32 -1..1 */
	struct leofs_buf name;	/* ENTRY, PROBE: the entry's name */
};

/*
 * attr: the inode prepared (ENTRY, PROBE: the directory; DIRMOVE, MOVEGEN:
 * the root).
 */
struct leofs_xshard_prepare_reply {
	u32 status;
	struct leofs_attr attr;
	u64 entry_ino;		/* PROBE: the entry's inode (0: none);
				 * WALK: the next ancestor to ask (0: none);
				 * MOVEGEN: the generation */
	u32 entry_type;		/* PROBE: the entry's type */
};

struct leofs_xshard_finish_req {
	u64 intent;
	u32 shard;
	u32 commit;		/* 1 commit, 0 abort */
};

/* ---- the codec ------------------------------------------------------------ */

/*
 * Generic entry points; msg_size must be sizeof the struct that the
 * (opcode, reply) pair uses, else -EINVAL. The decoder zeroes *msg first.
 * Unknown opcode (or MAP_PUSH reply): -EOPNOTSUPP.
 */
int leofs_msg_encode(u16 opcode, bool reply, const void *msg, size_t msg_size,
		     void *buf, size_t cap);
int leofs_msg_decode(u16 opcode, bool reply, void *msg, size_t msg_size,
		     const void *buf, size_t len);
/*
 * Encodes a message whose last field is a BLOB pointing at @tail
 * (@tail_len bytes) without those bytes, which are sent after what is
 * written from where they are. @tail_len 0: as leofs_msg_encode().
 */
int leofs_msg_encode_tail(u16 opcode, bool reply, const void *msg,
			  size_t msg_size, void *buf, size_t cap,
			  const void *tail, size_t tail_len);
/*
 * The same for a message received in two pieces: @buf, then its last field
 * (a BLOB) with its bytes in @tail (@tail_len 0: no tail, as above).
 */
int leofs_msg_decode_tail(u16 opcode, bool reply, void *msg, size_t msg_size,
			  const void *buf, size_t len, const void *tail,
			  size_t tail_len);

/* sizeof the struct for (opcode, reply), or 0 if there is none. */
size_t leofs_msg_struct_size(u16 opcode, bool reply);

#define LEOFS_MSG_CODEC(fn, type, op, is_reply)				\
static inline int leofs_##fn##_encode(const struct type *m, void *buf,	\
				      size_t cap)			\
{									\
	return leofs_msg_encode(op, is_reply, m, sizeof(*m), buf, cap);	\
}									\
static inline int leofs_##fn##_decode(struct type *m, const void *buf,	\
				      size_t len)			\
{									\
	return leofs_msg_decode(op, is_reply, m, sizeof(*m), buf, len);	\
}

LEOFS_MSG_CODEC(hello_req, leofs_hello_req, LEOFS_OP_HELLO, false)
LEOFS_MSG_CODEC(hello_reply, leofs_hello_reply, LEOFS_OP_HELLO, true)
LEOFS_MSG_CODEC(map_get_req, leofs_map_get_req, LEOFS_OP_MAP_GET, false)
LEOFS_MSG_CODEC(map_get_reply, leofs_map_reply, LEOFS_OP_MAP_GET, true)
LEOFS_MSG_CODEC(map_push, leofs_map_push, LEOFS_OP_MAP_PUSH, false)
LEOFS_MSG_CODEC(oss_register_req, leofs_oss_register_req,
		LEOFS_OP_OSS_REGISTER, false)
LEOFS_MSG_CODEC(oss_register_reply, leofs_epoch_reply,
		LEOFS_OP_OSS_REGISTER, true)
LEOFS_MSG_CODEC(heartbeat_req, leofs_heartbeat_req, LEOFS_OP_HEARTBEAT, false)
LEOFS_MSG_CODEC(heartbeat_reply, leofs_epoch_reply, LEOFS_OP_HEARTBEAT, true)
LEOFS_MSG_CODEC(pool_create_req, leofs_pool_create_req, LEOFS_OP_POOL_CREATE,
		false)
LEOFS_MSG_CODEC(pool_create_reply, leofs_pool_create_reply,
		LEOFS_OP_POOL_CREATE, true)

LEOFS_MSG_CODEC(lookup_req, leofs_name_req, LEOFS_OP_LOOKUP, false)
LEOFS_MSG_CODEC(lookup_reply, leofs_attr_reply, LEOFS_OP_LOOKUP, true)
LEOFS_MSG_CODEC(getattr_req, leofs_ino_req, LEOFS_OP_GETATTR, false)
LEOFS_MSG_CODEC(getattr_reply, leofs_attr_reply, LEOFS_OP_GETATTR, true)
LEOFS_MSG_CODEC(setattr_req, leofs_setattr_req, LEOFS_OP_SETATTR, false)
LEOFS_MSG_CODEC(setattr_reply, leofs_attr_reply, LEOFS_OP_SETATTR, true)
LEOFS_MSG_CODEC(create_req, leofs_create_req, LEOFS_OP_CREATE, false)
LEOFS_MSG_CODEC(create_reply, leofs_attr_reply, LEOFS_OP_CREATE, true)
LEOFS_MSG_CODEC(mkdir_req, leofs_create_req, LEOFS_OP_MKDIR, false)
LEOFS_MSG_CODEC(mkdir_reply, leofs_attr_reply, LEOFS_OP_MKDIR, true)
LEOFS_MSG_CODEC(unlink_req, leofs_name_req, LEOFS_OP_UNLINK, false)
LEOFS_MSG_CODEC(unlink_reply, leofs_status_reply, LEOFS_OP_UNLINK, true)
LEOFS_MSG_CODEC(rmdir_req, leofs_name_req, LEOFS_OP_RMDIR, false)
LEOFS_MSG_CODEC(rmdir_reply, leofs_status_reply, LEOFS_OP_RMDIR, true)
LEOFS_MSG_CODEC(rename_req, leofs_rename_req, LEOFS_OP_RENAME, false)
LEOFS_MSG_CODEC(rename_reply, leofs_status_reply, LEOFS_OP_RENAME, true)
LEOFS_MSG_CODEC(link_req, leofs_link_req, LEOFS_OP_LINK, false)
LEOFS_MSG_CODEC(link_reply, leofs_attr_reply, LEOFS_OP_LINK, true)
LEOFS_MSG_CODEC(symlink_req, leofs_symlink_req, LEOFS_OP_SYMLINK, false)
LEOFS_MSG_CODEC(symlink_reply, leofs_attr_reply, LEOFS_OP_SYMLINK, true)
LEOFS_MSG_CODEC(readlink_req, leofs_ino_req, LEOFS_OP_READLINK, false)
LEOFS_MSG_CODEC(readlink_reply, leofs_readlink_reply, LEOFS_OP_READLINK, true)
LEOFS_MSG_CODEC(readdir_req, leofs_readdir_req, LEOFS_OP_READDIR, false)
LEOFS_MSG_CODEC(readdir_reply, leofs_readdir_reply, LEOFS_OP_READDIR, true)
LEOFS_MSG_CODEC(getxattr_req, leofs_getxattr_req, LEOFS_OP_GETXATTR, false)
LEOFS_MSG_CODEC(getxattr_reply, leofs_xattr_reply, LEOFS_OP_GETXATTR, true)
LEOFS_MSG_CODEC(setxattr_req, leofs_setxattr_req, LEOFS_OP_SETXATTR, false)
LEOFS_MSG_CODEC(setxattr_reply, leofs_status_reply, LEOFS_OP_SETXATTR, true)
LEOFS_MSG_CODEC(listxattr_req, leofs_listxattr_req, LEOFS_OP_LISTXATTR, false)
LEOFS_MSG_CODEC(listxattr_reply, leofs_xattr_reply, LEOFS_OP_LISTXATTR, true)
LEOFS_MSG_CODEC(removexattr_req, leofs_xattr_name_req, LEOFS_OP_REMOVEXATTR,
		false)
LEOFS_MSG_CODEC(removexattr_reply, leofs_status_reply, LEOFS_OP_REMOVEXATTR,
		true)
LEOFS_MSG_CODEC(statfs_req, leofs_ino_req, LEOFS_OP_STATFS, false)
LEOFS_MSG_CODEC(statfs_reply, leofs_statfs_reply, LEOFS_OP_STATFS, true)
LEOFS_MSG_CODEC(commit_size_req, leofs_commit_size_req, LEOFS_OP_COMMIT_SIZE,
		false)
LEOFS_MSG_CODEC(commit_size_reply, leofs_attr_reply, LEOFS_OP_COMMIT_SIZE,
		true)
LEOFS_MSG_CODEC(get_layout_req, leofs_ino_req, LEOFS_OP_GET_LAYOUT, false)
LEOFS_MSG_CODEC(get_layout_reply, leofs_layout_reply, LEOFS_OP_GET_LAYOUT,
		true)
LEOFS_MSG_CODEC(set_layout_req, leofs_set_layout_req, LEOFS_OP_SET_LAYOUT,
		false)
LEOFS_MSG_CODEC(set_layout_reply, leofs_status_reply, LEOFS_OP_SET_LAYOUT,
		true)
LEOFS_MSG_CODEC(xshard_prepare_req, leofs_xshard_prepare_req,
		LEOFS_OP_XSHARD_PREPARE, false)
LEOFS_MSG_CODEC(xshard_prepare_reply, leofs_xshard_prepare_reply,
		LEOFS_OP_XSHARD_PREPARE, true)
LEOFS_MSG_CODEC(xshard_finish_req, leofs_xshard_finish_req,
		LEOFS_OP_XSHARD_FINISH, false)
LEOFS_MSG_CODEC(xshard_finish_reply, leofs_status_reply,
		LEOFS_OP_XSHARD_FINISH, true)

LEOFS_MSG_CODEC(write_stripe_req, leofs_write_stripe_req,
		LEOFS_OP_WRITE_STRIPE, false)
LEOFS_MSG_CODEC(write_stripe_reply, leofs_write_reply, LEOFS_OP_WRITE_STRIPE,
		true)
LEOFS_MSG_CODEC(write_fragment_req, leofs_write_fragment_req,
		LEOFS_OP_WRITE_FRAGMENT, false)
LEOFS_MSG_CODEC(write_fragment_reply, leofs_status_reply,
		LEOFS_OP_WRITE_FRAGMENT, true)
LEOFS_MSG_CODEC(partial_write_req, leofs_partial_write_req,
		LEOFS_OP_PARTIAL_WRITE, false)
LEOFS_MSG_CODEC(partial_write_reply, leofs_write_reply,
		LEOFS_OP_PARTIAL_WRITE, true)
LEOFS_MSG_CODEC(read_fragment_req, leofs_read_fragment_req,
		LEOFS_OP_READ_FRAGMENT, false)
LEOFS_MSG_CODEC(read_fragment_reply, leofs_read_fragment_reply,
		LEOFS_OP_READ_FRAGMENT, true)
LEOFS_MSG_CODEC(degraded_read_req, leofs_degraded_read_req,
		LEOFS_OP_DEGRADED_READ, false)
LEOFS_MSG_CODEC(degraded_read_reply, leofs_data_reply, LEOFS_OP_DEGRADED_READ,
		true)
LEOFS_MSG_CODEC(truncate_objects_req, leofs_truncate_objects_req,
		LEOFS_OP_TRUNCATE_OBJECTS, false)
LEOFS_MSG_CODEC(truncate_objects_reply, leofs_status_reply,
		LEOFS_OP_TRUNCATE_OBJECTS, true)
LEOFS_MSG_CODEC(delete_objects_req, leofs_delete_objects_req,
		LEOFS_OP_DELETE_OBJECTS, false)
LEOFS_MSG_CODEC(delete_objects_reply, leofs_status_reply,
		LEOFS_OP_DELETE_OBJECTS, true)
LEOFS_MSG_CODEC(commit_fragment_req, leofs_commit_fragment_req,
		LEOFS_OP_COMMIT_FRAGMENT, false)
LEOFS_MSG_CODEC(commit_fragment_reply, leofs_status_reply,
		LEOFS_OP_COMMIT_FRAGMENT, true)
LEOFS_MSG_CODEC(target_statfs_req, leofs_target_statfs_req,
		LEOFS_OP_TARGET_STATFS, false)
LEOFS_MSG_CODEC(target_statfs_reply, leofs_target_statfs_reply,
		LEOFS_OP_TARGET_STATFS, true)

#undef LEOFS_MSG_CODEC

#endif /* LEOFS_PROTO_MSG_H */
