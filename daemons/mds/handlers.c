// SPDX-License-Identifier: GPL-2.0
/*
 * Metadata request handlers: decode with lib/proto, call the engine with
 * the request's credentials, encode the answer's status with
 * leofs_errno_to_status(). The reply cache key is (session, request id).
 */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "wire.h"

bool mds_op_is_metadata(u16 op)
{
	return op >= LEOFS_OP_LOOKUP && op <= LEOFS_OP_XSHARD_FINISH;
}

bool mds_op_is_peer_only(u16 op)
{
	return op == LEOFS_OP_XSHARD_PREPARE || op == LEOFS_OP_XSHARD_FINISH;
}

bool mds_op_is_read(u16 op)
{
	switch (op) {
	case LEOFS_OP_LOOKUP:
	case LEOFS_OP_GETATTR:
	case LEOFS_OP_READLINK:
	case LEOFS_OP_READDIR:
	case LEOFS_OP_GETXATTR:
	case LEOFS_OP_LISTXATTR:
	case LEOFS_OP_STATFS:
	case LEOFS_OP_GET_LAYOUT:
		return true;
	}
	return false;
}

int mds_call_decode(struct mds_call *c)
{
	int rc;

	if (!mds_op_is_metadata(c->opcode))
		return -EOPNOTSUPP;
	c->reply_size = leofs_msg_struct_size(c->opcode, true);
	rc = leofs_msg_decode(c->opcode, false, &c->req,
			      leofs_msg_struct_size(c->opcode, false), c->body,
			      c->len);
	if (!rc)
		c->decoded = true;
	return rc;
}

bool mds_call_route(const struct mds_call *c, u64 *ino)
{
	const union mds_request *q = &c->req;

	switch (c->opcode) {
	case LEOFS_OP_LOOKUP:
	case LEOFS_OP_UNLINK:
	case LEOFS_OP_RMDIR:
		*ino = q->name.parent;
		return true;
	case LEOFS_OP_CREATE:
	case LEOFS_OP_MKDIR:
		*ino = q->create.parent;
		return true;
	case LEOFS_OP_SYMLINK:
		*ino = q->symlink.parent;
		return true;
	case LEOFS_OP_RENAME:
		*ino = q->rename.old_parent;
		return true;
	case LEOFS_OP_LINK:
		*ino = q->link.new_parent;
		return true;
	case LEOFS_OP_STATFS:
		return false;
	case LEOFS_OP_XSHARD_PREPARE:
		*ino = (u64)q->xprep.shard << 48;
		return true;
	case LEOFS_OP_XSHARD_FINISH:
		*ino = (u64)q->xfinish.shard << 48;
		return true;
	default:
		/* every other request starts with creds, then the inode */
		*ino = q->ino.ino;
		return true;
	}
}

static void to_creds(const struct leofs_creds *in, struct mds_creds *out)
{
	u32 i;

	out->uid = in->uid;
	out->gid = in->gid;
	out->ngroups = in->ngroups <= MDS_MAX_GROUPS ? in->ngroups : 0;
	for (i = 0; i < out->ngroups; i++)
		out->groups[i] = in->groups[i];
}

/* An attr reply: the attributes when rc is 0. */
static void attr_reply(struct mds_call *c, int rc, const struct mds_attr *a)
{
	c->reply.attr.status = leofs_errno_to_status(rc);
	if (!rc)
		mds_attr_to_wire(a, &c->reply.attr.attr);
}

static void status_reply(struct mds_call *c, int rc)
{
	c->reply.status = leofs_errno_to_status(rc);
}

/* An entry whose inode is homed on another MDS is asked there. */
static void do_lookup(const struct mds_handlers *h, struct mds_call *c,
		      const struct mds_creds *cr)
{
	const struct leofs_name_req *q = &c->req.name;
	struct mds_attr a = { 0 };
	int rc;

	rc = mds_lookup(h->eng, cr, q->parent, q->name.data, q->name.len, &a);
	if (rc == -EXDEV && a.ino) {
		if (c->may_wait)
			rc = mds_getattr_any(h->eng, a.ino, &a);
		else
			c->defer = true;
	}
	attr_reply(c, rc, &a);
}

/* ---- readdir ---- */

#define READDIR_HDR 12 /* status, eof, count */
#define READDIR_ENT 19 /* ino, next_cookie, type, name length */

struct readdir_fill {
	struct leofs_readdir_reply *r;
	char *names;
	size_t used; /* bytes of names */
	u32 bytes; /* encoded reply size so far */
	u32 max_bytes;
};

static int readdir_one(void *ctx, const struct mds_dirent *de)
{
	struct readdir_fill *f = ctx;
	struct leofs_dirent *e;

	if (f->r->nr_entries >= LEOFS_READDIR_MAX_ENTRIES ||
	    f->bytes + READDIR_ENT + de->len > f->max_bytes)
		return 1;
	e = &f->r->entries[f->r->nr_entries++];
	memcpy(f->names + f->used, de->name, de->len);
	e->ino = de->ino;
	e->next_cookie = de->cookie;
	e->type = de->type;
	e->name.data = f->names + f->used;
	e->name.len = (u32)de->len;
	f->used += de->len;
	f->bytes += READDIR_ENT + (u32)de->len;
	return 0;
}

static void do_readdir(const struct mds_handlers *h, struct mds_call *c,
		       const struct mds_creds *cr)
{
	const struct leofs_readdir_req *q = &c->req.readdir;
	struct readdir_fill f = { .r = &c->reply.readdir };
	u32 max = q->max_entries;
	bool eof = false;
	int rc;

	f.max_bytes = q->max_bytes;
	if (max > LEOFS_READDIR_MAX_ENTRIES)
		max = LEOFS_READDIR_MAX_ENTRIES;
	/* names never exceed the reply budget */
	f.names = malloc(q->max_bytes < (512u << 10) ? q->max_bytes :
						       (512u << 10));
	if (!f.names) {
		status_reply(c, -ENOMEM);
		return;
	}
	if (f.max_bytes > (512u << 10))
		f.max_bytes = 512u << 10;
	c->scratch = f.names;
	f.bytes = READDIR_HDR;
	rc = mds_readdir(h->eng, cr, q->ino, q->cookie, max, readdir_one, &f,
			 &eof);
	if (rc) {
		memset(&c->reply.readdir, 0, sizeof(c->reply.readdir));
		status_reply(c, rc);
		return;
	}
	/* max_bytes >= 512 always holds one entry of the longest name */
	f.r->eof = eof ? 1 : 0;
	f.r->status = LEOFS_S_OK;
}

/* ---- xattrs ---- */

static void xattr_value_reply(struct mds_call *c, int rc, u32 asked)
{
	struct leofs_xattr_reply *r = &c->reply.xattr;

	if (rc < 0) {
		r->status = leofs_errno_to_status(rc);
		return;
	}
	r->status = LEOFS_S_OK;
	r->size = (u32)rc;
	if (asked) {
		r->value.data = c->scratch;
		r->value.len = (u32)rc;
	}
}

static void do_getxattr(const struct mds_handlers *h, struct mds_call *c,
			const struct mds_creds *cr)
{
	const struct leofs_getxattr_req *q = &c->req.getxattr;
	u32 size = q->size;
	int rc;

	if (size > LEOFS_XATTR_VALUE_MAX)
		size = LEOFS_XATTR_VALUE_MAX;
	if (size) {
		c->scratch = malloc(size);
		if (!c->scratch) {
			status_reply(c, -ENOMEM);
			return;
		}
	}
	rc = mds_getxattr(h->eng, cr, q->ino, q->name.data, q->name.len,
			  c->scratch, size);
	xattr_value_reply(c, rc, size);
}

static void do_listxattr(const struct mds_handlers *h, struct mds_call *c,
			 const struct mds_creds *cr)
{
	const struct leofs_listxattr_req *q = &c->req.listxattr;
	u32 size = q->size;
	int rc;

	if (size > LEOFS_XATTR_LIST_MAX)
		size = LEOFS_XATTR_LIST_MAX;
	if (size) {
		c->scratch = malloc(size);
		if (!c->scratch) {
			status_reply(c, -ENOMEM);
			return;
		}
	}
	rc = mds_listxattr(h->eng, cr, q->ino, c->scratch, size);
	xattr_value_reply(c, rc, size);
}

/* ---- the rest ---- */

static void do_setattr(const struct mds_handlers *h, struct mds_call *c,
		       const struct mds_creds *cr, const struct mds_req *rq)
{
	const struct leofs_setattr_req *q = &c->req.setattr;
	struct mds_setattr sa = { 0 };
	struct mds_attr a;
	int rc;

	/* the wire's valid bits are the engine's, ctime excluded */
	sa.valid = q->valid & LEOFS_SETATTR_KNOWN;
	sa.mode = q->mode;
	sa.uid = q->uid;
	sa.gid = q->gid;
	sa.size = q->size;
	sa.atime.sec = q->atime.sec;
	sa.atime.nsec = q->atime.nsec;
	sa.mtime.sec = q->mtime.sec;
	sa.mtime.nsec = q->mtime.nsec;
	/* only a size change is cached: the rest is idempotent */
	rc = mds_setattr(h->eng, cr, sa.valid & MDS_SET_SIZE ? rq : NULL,
			 q->ino, &sa, &a);
	attr_reply(c, rc, &a);
}

static void do_statfs(const struct mds_handlers *h, struct mds_call *c)
{
	struct leofs_statfs_reply *r = &c->reply.statfs;
	struct mds_target_space *t = NULL;
	struct mds_map *m = h->maps ? mds_mapsvc_current(h->maps) : NULL;
	struct mds_statfs st;
	size_t n = 0;
	int rc;

	if (m) {
		t = calloc(m->map.target_count + 1, sizeof(*t));
		if (t)
			n = mds_mapsvc_space(h->maps, t, m->map.target_count);
		mds_map_unref(m);
	}
	rc = mds_statfs(h->eng, t, n, &st);
	free(t);
	r->status = leofs_errno_to_status(rc);
	if (rc)
		return;
	r->bsize = st.bsize;
	r->namelen = st.namelen;
	r->blocks = st.blocks;
	r->bfree = st.bfree;
	r->bavail = st.bavail;
	r->files = st.files;
	r->ffree = st.ffree;
}

static void do_set_layout(const struct mds_handlers *h, struct mds_call *c,
			  const struct mds_creds *cr)
{
	const struct leofs_set_layout_req *q = &c->req.set_layout;
	struct mds_layout l = {
		.pool_id = q->layout.pool_id,
		.scheme = q->layout.scheme,
		.k = q->layout.k,
		.m = q->layout.m,
		.stripe_unit = q->layout.stripe_unit,
		.stripe_count = q->layout.stripe_count,
	};

	status_reply(c, mds_set_layout(h->eng, cr, q->ino, &l, NULL, 0));
}

/* The wire's LEOFS_XSHARD_* are the engine's MDS_XSHARD_* values. */
static void do_xshard_prepare(const struct mds_handlers *h,
			      struct mds_call *c)
{
	const struct leofs_xshard_prepare_req *q = &c->req.xprep;
	struct leofs_xshard_prepare_reply *r = &c->reply.xprep;
	struct mds_xprep p = {
		.intent = q->intent,
		.shard = (u16)q->shard,
		.op = q->op,
		.slot = q->slot,
		.ino = q->ino,
		.parent = q->parent,
		.mode = q->mode,
		.uid = q->uid,
		.gid = q->gid,
		.expect = q->expect,
		.type = (u8)q->type,
		.delta = (s32)q->delta,
		.name = q->name.data,
		.len = q->name.len,
	};
	struct mds_xans a;
	int rc;

	mds_layout_from_wire(&q->layout, &p.layout);
	rc = mds_xshard_prepare(h->eng, &p, &a);
	r->status = leofs_errno_to_status(rc);
	if (rc)
		return;
	mds_attr_to_wire(&a.attr, &r->attr);
	r->entry_ino = a.entry_ino;
	r->entry_type = a.entry_type;
}

void mds_call_run(const struct mds_handlers *h, struct mds_call *c)
{
	const union mds_request *q = &c->req;
	struct mds_req rq = { c->session, c->req_id };
	struct mds_layout layout;
	struct mds_creds cr;
	struct mds_attr a;
	struct mds_time mt;
	bool created;
	int rc;

	c->defer = false;
	rc = c->decoded ? 0 : mds_call_decode(c);
	/* only the opcode's reply structure: the union is ~20 KiB */
	c->reply_size = leofs_msg_struct_size(c->opcode, true);
	memset(&c->reply, 0,
	       c->reply_size < sizeof(c->reply) ? c->reply_size :
						  sizeof(c->reply));
	if (rc) {
		status_reply(c, rc);
		return;
	}
	switch (c->opcode) {
	case LEOFS_OP_XSHARD_PREPARE:
		do_xshard_prepare(h, c);
		return;
	case LEOFS_OP_XSHARD_FINISH:
		status_reply(c, mds_xshard_finish(h->eng,
						  (u16)q->xfinish.shard,
						  q->xfinish.intent,
						  q->xfinish.commit));
		return;
	}
	/* every metadata request starts with the caller's credentials */
	to_creds(&q->ino.creds, &cr);

	switch (c->opcode) {
	case LEOFS_OP_LOOKUP:
		do_lookup(h, c, &cr);
		break;
	case LEOFS_OP_GETATTR:
		rc = mds_getattr(h->eng, q->ino.ino, &a);
		attr_reply(c, rc, &a);
		break;
	case LEOFS_OP_SETATTR:
		do_setattr(h, c, &cr, &rq);
		break;
	case LEOFS_OP_CREATE:
		rc = mds_create(h->eng, &cr, &rq, q->create.parent,
				q->create.name.data, q->create.name.len,
				q->create.mode, q->create.flags, &a, &created);
		attr_reply(c, rc, &a);
		break;
	case LEOFS_OP_MKDIR:
		rc = mds_mkdir(h->eng, &cr, &rq, q->create.parent,
			       q->create.name.data, q->create.name.len,
			       q->create.mode, &a);
		attr_reply(c, rc, &a);
		break;
	case LEOFS_OP_UNLINK:
		status_reply(c,
			     mds_unlink(h->eng, &cr, &rq, q->name.parent,
					q->name.name.data, q->name.name.len));
		break;
	case LEOFS_OP_RMDIR:
		status_reply(c, mds_rmdir(h->eng, &cr, &rq, q->name.parent,
					  q->name.name.data, q->name.name.len));
		break;
	case LEOFS_OP_RENAME:
		status_reply(
			c,
			mds_rename(h->eng, &cr, &rq, q->rename.old_parent,
				   q->rename.old_name.data,
				   q->rename.old_name.len, q->rename.new_parent,
				   q->rename.new_name.data,
				   q->rename.new_name.len, q->rename.flags));
		break;
	case LEOFS_OP_LINK:
		rc = mds_link(h->eng, &cr, &rq, q->link.ino, q->link.new_parent,
			      q->link.name.data, q->link.name.len, &a);
		attr_reply(c, rc, &a);
		break;
	case LEOFS_OP_SYMLINK:
		rc = mds_symlink(h->eng, &cr, &rq, q->symlink.parent,
				 q->symlink.name.data, q->symlink.name.len,
				 q->symlink.target.data, q->symlink.target.len,
				 &a);
		attr_reply(c, rc, &a);
		break;
	case LEOFS_OP_READLINK:
		c->scratch = malloc(LEOFS_SYMLINK_MAX);
		rc = c->scratch ? mds_readlink(h->eng, q->ino.ino, c->scratch,
					       LEOFS_SYMLINK_MAX) :
				  -ENOMEM;
		c->reply.readlink.status =
			leofs_errno_to_status(rc < 0 ? rc : 0);
		if (rc > 0) {
			c->reply.readlink.target.data = c->scratch;
			c->reply.readlink.target.len = (u32)rc;
		} else if (!rc) {
			c->reply.readlink.status = LEOFS_S_INVAL;
		}
		break;
	case LEOFS_OP_READDIR:
		do_readdir(h, c, &cr);
		break;
	case LEOFS_OP_GETXATTR:
		do_getxattr(h, c, &cr);
		break;
	case LEOFS_OP_SETXATTR:
		status_reply(c, mds_setxattr(h->eng, &cr, q->setxattr.ino,
					     q->setxattr.name.data,
					     q->setxattr.name.len,
					     q->setxattr.value.data,
					     q->setxattr.value.len,
					     q->setxattr.flags, NULL, 0));
		break;
	case LEOFS_OP_LISTXATTR:
		do_listxattr(h, c, &cr);
		break;
	case LEOFS_OP_REMOVEXATTR:
		status_reply(c, mds_removexattr(h->eng, &cr, q->xname.ino,
						q->xname.name.data,
						q->xname.name.len));
		break;
	case LEOFS_OP_STATFS:
		do_statfs(h, c);
		break;
	case LEOFS_OP_COMMIT_SIZE:
		mt.sec = q->commit.mtime.sec;
		mt.nsec = q->commit.mtime.nsec;
		rc = mds_commit_size(h->eng, &cr, q->commit.ino, q->commit.size,
				     &mt, &a);
		attr_reply(c, rc, &a);
		break;
	case LEOFS_OP_GET_LAYOUT:
		rc = mds_get_layout(h->eng, q->ino.ino, &layout);
		c->reply.layout.status = leofs_errno_to_status(rc);
		if (!rc)
			mds_layout_to_wire(&layout, &c->reply.layout.layout);
		break;
	case LEOFS_OP_SET_LAYOUT:
		do_set_layout(h, c, &cr);
		break;
	default:
		status_reply(c, -EOPNOTSUPP);
	}
}

void mds_call_release(struct mds_call *c)
{
	free(c->scratch);
	c->scratch = NULL;
}
