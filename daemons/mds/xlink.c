// SPDX-License-Identifier: GPL-2.0
/*
 * Cross-shard link and unlink: the entry lives on the directory's shard
 * (the coordinator), the inode on another one. link: the inode's shard
 * counts the new link at prepare (so the inode stays while the entry is
 * made; an abort takes it back), then the entry is added. unlink: the
 * entry goes, then the inode's shard drops the link at commit and
 * releases the inode with its last one.
 */
#include "record.h"

static void nlink_act(struct mds_xrun *x, u64 ino, s32 delta)
{
	struct mds_xprep *p = &x->act[0];

	memset(p, 0, sizeof(*p));
	p->op = MDS_XSHARD_NLINK;
	p->shard = mds_ino_shard(ino);
	p->ino = ino;
	p->delta = delta;
	x->nr = 1;
}

/* ---- link ---- */

static int link_plan(struct mds_engine *eng, const struct mds_creds *cr,
		     struct mds_xrun *x)
{
	struct mds_xentry *e = x->ctx;

	(void)eng;
	(void)cr;
	return mds_ino_shard(e->ino) == mds_ino_shard(e->parent) ? 1 : 0;
}

static int link_begin(struct mds_shard *sh, MDB_txn *txn, struct mds_xrun *x,
		      struct mds_op *op)
{
	struct mds_xentry *e = x->ctx;
	struct mds_inode dir;
	struct mds_dentry de;
	int rc;

	rc = mds_xentry_check(txn, sh, op, e, true, &dir, &de);
	if (!rc)
		nlink_act(x, e->ino, 1);
	return rc;
}

static int link_commit(struct mds_shard *sh, MDB_txn *txn, struct mds_xrun *x,
		       struct mds_op *op)
{
	struct mds_xentry *e = x->ctx;
	struct mds_inode dir;
	struct mds_dentry de;
	int rc;

	rc = mds_xentry_check(txn, sh, op, e, true, &dir, &de);
	if (rc)
		return rc;
	return mds_xentry_add(txn, sh, op, e, &dir, &x->ans[0].attr, 0);
}

static const struct mds_xkind link_kind = {
	.step = "link",
	.kind = MDS_OP_LINK,
	.plan = link_plan,
	.begin = link_begin,
	.commit = link_commit,
};

int mds_xlink(struct mds_engine *eng, const struct mds_creds *cr,
	      const struct mds_req *req, u64 ino, u64 parent, const char *name,
	      size_t len, struct mds_attr *out)
{
	struct mds_xentry e = { parent, name, len, ino };
	return mds_xdrive(eng, cr, req, &link_kind, parent, &e, out);
}

/* ---- unlink ---- */

static int unlink_plan(struct mds_engine *eng, const struct mds_creds *cr,
		       struct mds_xrun *x)
{
	(void)cr;
	return mds_xentry_plan_del(eng, x->ctx, false);
}

static int unlink_begin(struct mds_shard *sh, MDB_txn *txn, struct mds_xrun *x,
			struct mds_op *op)
{
	struct mds_xentry *e = x->ctx;
	struct mds_inode dir;
	struct mds_dentry de;
	int rc;

	rc = mds_xentry_check(txn, sh, op, e, false, &dir, &de);
	if (!rc)
		nlink_act(x, e->ino, -1);
	return rc;
}

static int unlink_commit(struct mds_shard *sh, MDB_txn *txn,
			 struct mds_xrun *x, struct mds_op *op)
{
	struct mds_xentry *e = x->ctx;
	struct mds_inode dir;
	struct mds_dentry de;
	int rc;

	rc = mds_xentry_check(txn, sh, op, e, false, &dir, &de);
	if (rc)
		return rc;
	return mds_xentry_del(txn, sh, op, e, &dir, &de, &x->ans[0].attr, 0);
}

static const struct mds_xkind unlink_kind = {
	.step = "unlink",
	.kind = MDS_OP_UNLINK,
	.plan = unlink_plan,
	.begin = unlink_begin,
	.commit = unlink_commit,
};

int mds_xunlink(struct mds_engine *eng, const struct mds_creds *cr,
		const struct mds_req *req, u64 parent, const char *name,
		size_t len)
{
	struct mds_xentry e = { parent, name, len, 0 };
	return mds_xdrive(eng, cr, req, &unlink_kind, parent, &e, NULL);
}
