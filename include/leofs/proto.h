/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The leofs wire protocol: limits, framing, opcodes, status codes and the
 * pure helpers around them (version negotiation, name and layout checks).
 * Message bodies are in proto_msg.h, the encoded cluster map in proto_map.h.
 * Documentation/protocol.md is the reference for the bytes on the wire.
 *
 * Shared by the kernel module and userspace: freestanding, no allocation.
 * Everything on the wire is little-endian.
 *
 * Error conventions:
 *   encoders return the encoded length, or -ENOSPC (buffer too small) or
 *   -EINVAL (a value that the decoder would reject);
 *   decoders return 0, -EBADMSG (malformed: truncated, trailing bytes, a
 *   length or count beyond its limit, a bad name, non-zero reserved bytes),
 *   -EPROTO (well-formed but unacceptable: unknown enum value, unknown flag,
 *   unsupported version, inconsistent fields) or -EOPNOTSUPP (unknown
 *   opcode: answer LEOFS_S_NOTSUP and keep the connection).
 */
#ifndef LEOFS_PROTO_H
#define LEOFS_PROTO_H

#include "compat.h"

/* ---- limits ----------------------------------------------------------- */

#define LEOFS_NAME_MAX		255	/* directory entry name, bytes */
#define LEOFS_SYMLINK_MAX	4095	/* symlink target, bytes */
#define LEOFS_XATTR_NAME_MAX	255
#define LEOFS_XATTR_VALUE_MAX	65536
#define LEOFS_XATTR_LIST_MAX	65536	/* LISTXATTR reply */
#define LEOFS_MAX_GROUPS	32	/* supplementary groups in credentials */
#define LEOFS_MAX_IO		(16u << 20)	/* data bytes per message */
#define LEOFS_BLOCK_SIZE	4096u	/* unit of the per-block CRC32C */
#define LEOFS_MAX_BLOCKS	(LEOFS_MAX_IO / LEOFS_BLOCK_SIZE)
#define LEOFS_READDIR_MAX_ENTRIES 512	/* entries per READDIR reply */
#define LEOFS_MAX_NODE_TARGETS	256	/* targets per OSS_REGISTER/HEARTBEAT */
#define LEOFS_MAX_SLOTS		1024	/* slots per DELETE_OBJECTS */

/*
 * End of the window of LEOFS_MAX_IO bytes (aligned) that holds offset @off
 * of a fragment: units larger than a message are read, rebuilt and
 * read-modify-written one such window at a time.
 */
static inline u32 leofs_io_window_end(u32 off)
{
	return off / LEOFS_MAX_IO * LEOFS_MAX_IO + LEOFS_MAX_IO;
}

/*
 * Layouts. Replication with N copies is encoded as k = 1, m = N - 1, so
 * k + m is always the number of fragments (objects) per slot.
 */
#define LEOFS_EC_MAX_K		16
#define LEOFS_EC_MAX_M		4
#define LEOFS_REPLICA_MAX	4	/* copies */
#define LEOFS_MAX_FRAGMENTS	(LEOFS_EC_MAX_K + LEOFS_EC_MAX_M)
#define LEOFS_STRIPE_UNIT_MIN	4096u
#define LEOFS_STRIPE_UNIT_MAX	(64u << 20)
/*
 * A stripe of k units can be wider than one frame (16 x 64 MiB): full-width
 * writes then travel as column slices (WRITE_STRIPE unit_offset), each the
 * same byte range of all k units, which is itself a complete codeword set.
 */
#define LEOFS_MAX_STRIPE_COUNT	256	/* slots a file is striped over */

/* The root directory: local id 1 on shard 0. */
#define LEOFS_ROOT_INO		1ull
/* The metadata servers' port when an address names none. */
#define LEOFS_DEFAULT_PORT	7000

/* ---- framing ----------------------------------------------------------- */

#define LEOFS_PROTO_MAGIC	0x464f454cu	/* "LEOF" */
#define LEOFS_PROTO_VERSION_MIN	1	/* versions this build speaks */
#define LEOFS_PROTO_VERSION_MAX	1
#define LEOFS_FRAME_HDR_SIZE	32
/*
 * The largest body: LEOFS_MAX_IO data bytes plus 64 KiB for the fixed
 * fields and the per-block CRC array (4096 blocks * 4 bytes = 16 KiB).
 * A full stripe of the widest layout (k * stripe unit <= LEOFS_MAX_IO) and
 * the largest cluster map (about 7.2 MB at the LEOFS_MAP_MAX_* limits) fit.
 */
#define LEOFS_BODY_MAX		(LEOFS_MAX_IO + 65536u)
#define LEOFS_FRAME_MAX		(LEOFS_FRAME_HDR_SIZE + LEOFS_BODY_MAX)

/* Frame flags. Every other bit is reserved: must be zero. */
#define LEOFS_FLAG_REPLY	0x1u	/* answers the request with this id */
#define LEOFS_FLAG_PUSH		0x2u	/* unsolicited server message */
#define LEOFS_FLAGS_KNOWN	(LEOFS_FLAG_REPLY | LEOFS_FLAG_PUSH)

/*
 * Header byte offsets:
 *   0 magic u32, 4 version u16, 6 opcode u16, 8 flags u32, 12 body_len u32,
 *   16 req_id u64, 24 crc u32, 28 reserved u32 (zero).
 * crc is CRC32C over the 32 header bytes (crc field zeroed) then the body.
 */
struct leofs_frame_hdr {
	u16 version;
	u16 opcode;
	u32 flags;
	u32 body_len;
	u64 req_id;
	u32 crc;
};

/* Writes the 32 header bytes with crc as given (see leofs_frame_seal()). */
void leofs_frame_hdr_encode(const struct leofs_frame_hdr *h, void *buf);

/*
 * Decodes and validates 32 header bytes: magic, then body length against
 * LEOFS_BODY_MAX, version, flags and reserved bits. Returns 0, -EBADMSG
 * (bad magic, oversize, reserved bits) or -EPROTO (unsupported version,
 * unknown flag, REPLY together with PUSH). The opcode is not checked here.
 */
int leofs_frame_hdr_decode(struct leofs_frame_hdr *h, const void *buf,
			   size_t len);

/* CRC32C of a frame: header bytes with the crc field taken as zero, body. */
u32 leofs_frame_crc(const void *hdr, const void *body, size_t body_len);

/* Stores the CRC in an encoded header; body_len must match the header. */
void leofs_frame_seal(void *hdr, const void *body, size_t body_len);

/* 0 if the CRC in the decoded header matches, else -EBADMSG. */
int leofs_frame_verify(const struct leofs_frame_hdr *h, const void *hdr,
		       const void *body);
/* The same for a body received in two pieces: @len bytes, then the rest. */
int leofs_frame_verify_split(const struct leofs_frame_hdr *h, const void *hdr,
			     const void *body, size_t len, const void *tail,
			     size_t tail_len);

/*
 * For a stream reader holding the first have bytes of a frame: how many
 * more bytes it needs before the frame is complete (0: complete). Once the
 * header is in, it is validated: a negative errno means drop the
 * connection.
 */
long leofs_frame_need(const void *buf, size_t have);

/*
 * Encodes a whole frame: header, body from the message codec, CRC.
 * Returns the frame length, -ENOSPC or -EINVAL.
 */
int leofs_frame_build(void *buf, size_t cap, const struct leofs_frame_hdr *h,
		      const void *msg, size_t msg_size);
/*
 * The same for a message whose last field is a BLOB pointing at @tail
 * (leofs_msg_encode_tail()), without the CRC: the frame's header and the
 * rest of the body go into buf, the header's crc field is left zero and
 * *head_crc is the CRC of what buf holds. The frame is what is returned
 * followed by the @tail_len bytes at @tail; the caller adds the tail's CRC
 * (leofs_crc32c(), or leofs_crc32c_combine() of one it knows) and stores
 * the result with leofs_frame_set_crc().
 */
int leofs_frame_build_head(void *buf, size_t cap,
			   const struct leofs_frame_hdr *h, const void *msg,
			   size_t msg_size, const void *tail, size_t tail_len,
			   u32 *head_crc);
/* Stores @crc in an encoded header. */
void leofs_frame_set_crc(void *hdr, u32 crc);

/* ---- opcodes ----------------------------------------------------------- */

enum leofs_opcode {
	LEOFS_OP_HELLO = 0x0001,
	LEOFS_OP_MAP_GET = 0x0002,
	LEOFS_OP_MAP_PUSH = 0x0003,	/* push only, no reply */
	LEOFS_OP_OSS_REGISTER = 0x0004,
	LEOFS_OP_HEARTBEAT = 0x0005,
	LEOFS_OP_POOL_CREATE = 0x0006,	/* map authority only */

	LEOFS_OP_LOOKUP = 0x0100,
	LEOFS_OP_GETATTR = 0x0101,
	LEOFS_OP_SETATTR = 0x0102,
	LEOFS_OP_CREATE = 0x0103,
	LEOFS_OP_MKDIR = 0x0104,
	LEOFS_OP_UNLINK = 0x0105,
	LEOFS_OP_RMDIR = 0x0106,
	LEOFS_OP_RENAME = 0x0107,
	LEOFS_OP_LINK = 0x0108,
	LEOFS_OP_SYMLINK = 0x0109,
	LEOFS_OP_READLINK = 0x010a,
	LEOFS_OP_READDIR = 0x010b,
	LEOFS_OP_GETXATTR = 0x010c,
	LEOFS_OP_SETXATTR = 0x010d,
	LEOFS_OP_LISTXATTR = 0x010e,
	LEOFS_OP_REMOVEXATTR = 0x010f,
	LEOFS_OP_STATFS = 0x0110,
	LEOFS_OP_COMMIT_SIZE = 0x0111,
	LEOFS_OP_GET_LAYOUT = 0x0112,
	LEOFS_OP_SET_LAYOUT = 0x0113,
	LEOFS_OP_XSHARD_PREPARE = 0x0114,	/* MDS to MDS */
	LEOFS_OP_XSHARD_FINISH = 0x0115,	/* MDS to MDS */

	LEOFS_OP_WRITE_STRIPE = 0x0200,
	LEOFS_OP_WRITE_FRAGMENT = 0x0201,
	LEOFS_OP_PARTIAL_WRITE = 0x0202,
	LEOFS_OP_READ_FRAGMENT = 0x0203,
	LEOFS_OP_DEGRADED_READ = 0x0204,
	LEOFS_OP_TRUNCATE_OBJECTS = 0x0205,
	LEOFS_OP_DELETE_OBJECTS = 0x0206,
	LEOFS_OP_TARGET_STATFS = 0x0207,
	LEOFS_OP_COMMIT_FRAGMENT = 0x0208,
};

/* "LOOKUP", or NULL for an unknown opcode. */
const char *leofs_op_name(u16 opcode);

/* ---- status codes ------------------------------------------------------- */

/* Fixed wire values: never renumber, only append. */
enum leofs_status {
	LEOFS_S_OK = 0,
	LEOFS_S_PERM = 1,
	LEOFS_S_NOENT = 2,
	LEOFS_S_IO = 3,
	LEOFS_S_EXIST = 4,
	LEOFS_S_NOTDIR = 5,
	LEOFS_S_ISDIR = 6,
	LEOFS_S_NOTEMPTY = 7,
	LEOFS_S_ACCES = 8,
	LEOFS_S_NAMETOOLONG = 9,
	LEOFS_S_INVAL = 10,
	LEOFS_S_NOSPC = 11,
	LEOFS_S_CHECKSUM = 12,	/* a stored block failed its CRC */
	LEOFS_S_STALE = 13,
	LEOFS_S_AGAIN = 14,
	LEOFS_S_TIMEDOUT = 15,
	LEOFS_S_BADMSG = 16,	/* the request did not decode */
	LEOFS_S_PROTO = 17,	/* decoded, but unacceptable values */
	LEOFS_S_NOTSUP = 18,	/* unknown opcode or unsupported operation */
	LEOFS_S_ROFS = 19,
	LEOFS_S_XDEV = 20,
	LEOFS_S_LOOP = 21,
	LEOFS_S_NODATA = 22,	/* no such xattr */
	LEOFS_S_RANGE = 23,	/* xattr buffer too small */
	LEOFS_S_FBIG = 24,
	LEOFS_S_MLINK = 25,
	LEOFS_S_DQUOT = 26,
	LEOFS_S_BUSY = 27,
	LEOFS_S_NOMEM = 28,
	LEOFS_S_OVERFLOW = 29,
	LEOFS_S_2BIG = 30,	/* xattr value too large */
	LEOFS_S_SHUTDOWN = 31,	/* server is stopping: retry elsewhere */

	LEOFS_S_WRONG_EPOCH = 100,	/* refresh the map, then retry */
	LEOFS_S_NOT_PRIMARY = 101,	/* not this PG's primary: refresh map */
	LEOFS_S_WRONG_SHARD = 102,	/* inode not served here: refresh map */
	LEOFS_S_DEGRADED_READONLY = 103,	/* PG below min_size */
	LEOFS_S_VERSION = 104,	/* no common protocol version */
	LEOFS_S_WRONG_CLUSTER = 105,	/* cluster id mismatch */
};

/*
 * The one mapping each way. Unknown statuses map to -EIO, errnos without
 * a status to LEOFS_S_IO; 0 <-> LEOFS_S_OK.
 */
int leofs_status_to_errno(u32 status);
u32 leofs_errno_to_status(int err);

/*
 * Whether a data request (a stripe write, a truncate) answered with this
 * status may succeed sent again, after a fresh map and a pause: the PG may
 * move (map epochs), a member come back or be marked out (below
 * min_size), a server finish starting or stopping.
 */
bool leofs_status_retry_data(u32 status);

/* ---- hello: versions and features --------------------------------------- */

enum leofs_peer_kind {
	LEOFS_PEER_CLIENT = 1,
	LEOFS_PEER_MDS = 2,
	LEOFS_PEER_OSS = 3,
	LEOFS_PEER_ADMIN = 4,
};
#define LEOFS_PEER_KIND_MAX	LEOFS_PEER_ADMIN

/*
 * Feature bits, each optional behaviour within a version. The accepted set
 * is the intersection; unknown bits from a peer are simply not accepted.
 */
#define LEOFS_FEAT_BLOCK_CRC	(1ull << 0)	/* per-block CRCs on reads */
#define LEOFS_FEAT_MAP_PUSH	(1ull << 1)	/* peer accepts MAP_PUSH */
#define LEOFS_FEAT_PARTIAL_WRITE (1ull << 2)
#define LEOFS_FEATURES_ALL \
	(LEOFS_FEAT_BLOCK_CRC | LEOFS_FEAT_MAP_PUSH | LEOFS_FEAT_PARTIAL_WRITE)

/*
 * Picks the highest version in both ranges. Returns it, or -EPROTO when
 * the ranges do not overlap or are empty (answer LEOFS_S_VERSION).
 */
int leofs_proto_negotiate(u16 local_min, u16 local_max, u16 peer_min,
			  u16 peer_max);

/* ---- names ---------------------------------------------------------------- */

/*
 * A directory entry name: 1..LEOFS_NAME_MAX bytes, no '/', no NUL, not "."
 * or "..". Returns 0, -ENAMETOOLONG or -EINVAL. Both sides use it.
 */
int leofs_name_check(const void *name, size_t len);

/* An xattr name: 1..LEOFS_XATTR_NAME_MAX bytes, no NUL. */
int leofs_xattr_name_check(const void *name, size_t len);

/* A symlink target: 1..LEOFS_SYMLINK_MAX bytes, no NUL. */
int leofs_symlink_check(const void *target, size_t len);

/*
 * A LISTXATTR list: NUL-terminated names back to back, each a valid xattr
 * name; empty list allowed. Returns 0 or -EINVAL.
 */
int leofs_xattr_list_check(const void *list, size_t len);

/* ---- layouts -------------------------------------------------------------- */

enum leofs_layout_scheme {
	LEOFS_LAYOUT_NONE = 0,	/* no data objects (directories, symlinks) */
	LEOFS_LAYOUT_REPLICA = 1,
	LEOFS_LAYOUT_EC = 2,
};

struct leofs_layout {
	u32 pool_id;
	u8 scheme;		/* enum leofs_layout_scheme */
	u8 k;			/* data fragments; 1 for replication */
	u8 m;			/* parity fragments; copies - 1 for replication */
	u32 stripe_unit;	/* bytes per fragment per stripe */
	u32 stripe_count;	/* slots (objects) the file is striped over */
	u64 generation;		/* bumped on every layout change */
};

/* Why leofs_layout_check() refused a layout. */
enum leofs_layout_error {
	LEOFS_LAYOUT_OK = 0,
	LEOFS_LAYOUT_BAD_SCHEME,
	LEOFS_LAYOUT_BAD_NONE,		/* NONE with non-zero fields */
	LEOFS_LAYOUT_BAD_K,
	LEOFS_LAYOUT_BAD_M,
	LEOFS_LAYOUT_BAD_UNIT,		/* not a power of two in range */
	LEOFS_LAYOUT_BAD_COUNT,
};

/*
 * Validates a layout. Returns 0 or -EINVAL; if reason is not NULL it gets
 * the enum leofs_layout_error.
 */
int leofs_layout_check(const struct leofs_layout *l, u32 *reason);

/* A short English description of an enum leofs_layout_error value. */
const char *leofs_layout_strerror(u32 reason);

/* Data bytes in one full stripe: k * stripe_unit (0 for NONE). */
static inline u32 leofs_layout_stripe_width(const struct leofs_layout *l)
{
	return (u32)l->k * l->stripe_unit;
}

#endif /* LEOFS_PROTO_H */
