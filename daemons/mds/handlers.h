/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The metadata request handlers: one request body in, decoded with the
 * shared codec, run through the engine with the request's credentials,
 * one reply structure out (status through leofs_errno_to_status()).
 * No networking here: the network layer (net.c) and the fuzzer call it.
 */
#ifndef MDS_HANDLERS_H
#define MDS_HANDLERS_H

#include "leofs/proto_msg.h"
#include "mapsvc.h"
#include "mds.h"

struct mds_handlers {
	struct mds_engine *eng;
	struct mds_mapsvc *maps; /* statfs figures; may be NULL */
};

/* Every reply structure a metadata request can get. */
union mds_reply {
	u32 status;
	struct leofs_status_reply st;
	struct leofs_attr_reply attr;
	struct leofs_readlink_reply readlink;
	struct leofs_readdir_reply readdir;
	struct leofs_xattr_reply xattr;
	struct leofs_statfs_reply statfs;
	struct leofs_layout_reply layout;
	struct leofs_xshard_prepare_reply xprep;
};

/* Every decoded metadata request. */
union mds_request {
	struct leofs_ino_req ino;
	struct leofs_name_req name;
	struct leofs_setattr_req setattr;
	struct leofs_create_req create;
	struct leofs_rename_req rename;
	struct leofs_link_req link;
	struct leofs_symlink_req symlink;
	struct leofs_readdir_req readdir;
	struct leofs_getxattr_req getxattr;
	struct leofs_setxattr_req setxattr;
	struct leofs_listxattr_req listxattr;
	struct leofs_xattr_name_req xname;
	struct leofs_commit_size_req commit;
	struct leofs_set_layout_req set_layout;
	struct leofs_xshard_prepare_req xprep;
	struct leofs_xshard_finish_req xfinish;
};

struct mds_call {
	u16 opcode;
	u64 session; /* reply cache key with req_id; 0 = none */
	u64 req_id;
	const u8 *body;
	u32 len;

	union mds_request req; /* mds_call_decode() */
	bool decoded;
	bool may_wait; /* off the event loop: may wait for another MDS */
	bool defer; /* set by mds_call_run(): run it again with may_wait */
	union mds_reply reply; /* filled by mds_call_run() */
	size_t reply_size; /* sizeof the reply structure of opcode */
	void *scratch; /* names, values: freed by mds_call_release() */
};

/* The opcodes handled here (LOOKUP..XSHARD_FINISH). */
bool mds_op_is_metadata(u16 opcode);
/* Requests only another MDS may send (XSHARD_*). */
bool mds_op_is_peer_only(u16 opcode);
/* Metadata requests that only read (no writer, no durability wait). */
bool mds_op_is_read(u16 opcode);

/* Decodes the body: 0, -EBADMSG, -EPROTO or -EOPNOTSUPP. */
int mds_call_decode(struct mds_call *c);

/*
 * After decoding: the inode whose shard serves the request. STATFS may go
 * to any MDS (returns false).
 */
bool mds_call_route(const struct mds_call *c, u64 *ino);

/*
 * Decodes (if not done) and runs the request, filling c->reply; blocks
 * until a change is durable. A read that needs another MDS (LOOKUP of an
 * entry whose inode is homed there) waits for it only with may_wait;
 * without, it sets defer and answers XDEV.
 */
void mds_call_run(const struct mds_handlers *h, struct mds_call *c);
void mds_call_release(struct mds_call *c);

#endif /* MDS_HANDLERS_H */
