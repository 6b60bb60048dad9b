// SPDX-License-Identifier: GPL-2.0
/*
 * Cross-shard mkdir and rmdir. mkdir: the placement puts the new directory
 * on another shard, which creates its inode (prepare) before the parent's
 * shard adds the entry. rmdir of a directory homed on another shard: that
 * shard checks it is empty and marks it dying (prepare), the parent's shard
 * removes the entry, then the inode goes (commit).
 */
#include "leofs/placement.h"
#include "record.h"

struct xdir {
	struct mds_xentry e; /* e.ino: rmdir's directory */
	u32 mode; /* mkdir */
	u16 peer; /* the directory's shard */
};

/* The shard a new directory named name under parent goes to. */
static bool place(struct mds_engine *eng, u64 parent, const char *name,
		  size_t len, u16 *shard)
{
	const struct leofs_map *map = mds_map_get(eng);
	int rc = map ? leofs_dir_shard(map, parent, name, len, shard) : -ENOENT;

	mds_map_put(eng);
	return !rc;
}

/* The parent and its entry, which mkdir also needs room for a link in. */
static int dir_check(MDB_txn *txn, struct mds_shard *sh,
		     const struct mds_op *op, const struct xdir *d, bool mkdir,
		     struct mds_inode *dir, struct mds_dentry *de)
{
	int rc = mds_xentry_check(txn, sh, op, &d->e, mkdir, dir, de);

	if (!rc && mkdir && dir->nlink >= MDS_LINK_MAX)
		rc = -EMLINK;
	return rc;
}

static int mkdir_plan(struct mds_engine *eng, const struct mds_creds *cr,
		      struct mds_xrun *x)
{
	struct xdir *d = x->ctx;

	(void)cr;
	if (!place(eng, d->e.parent, d->e.name, d->e.len, &d->peer) ||
	    d->peer == mds_ino_shard(d->e.parent))
		return 1;
	return 0;
}

static int mkdir_begin(struct mds_shard *sh, MDB_txn *txn, struct mds_xrun *x,
		       struct mds_op *op)
{
	struct xdir *d = x->ctx;
	struct mds_xprep *p = &x->act[0];
	struct mds_inode dir, tmpl;
	struct mds_dentry de;
	int rc;

	rc = dir_check(txn, sh, op, d, true, &dir, &de);
	if (rc)
		return rc;
	mds_inode_init(op->cr, &dir, d->mode, &tmpl);
	memset(p, 0, sizeof(*p));
	p->op = MDS_XSHARD_MKDIR;
	p->shard = d->peer;
	p->mode = tmpl.mode;
	p->uid = tmpl.uid;
	p->gid = tmpl.gid;
	p->layout = tmpl.layout;
	p->parent = d->e.parent;
	x->nr = 1;
	return 0;
}

static int mkdir_commit(struct mds_shard *sh, MDB_txn *txn, struct mds_xrun *x,
			struct mds_op *op)
{
	struct xdir *d = x->ctx;
	struct mds_inode dir;
	struct mds_dentry de;
	int rc;

	rc = dir_check(txn, sh, op, d, true, &dir, &de);
	if (rc)
		return rc;
	/* the new directory's ".." */
	return mds_xentry_add(txn, sh, op, &d->e, &dir, &x->ans[0].attr, 1);
}

static const struct mds_xkind mkdir_kind = {
	.step = "mkdir",
	.kind = MDS_OP_MKDIR,
	.plan = mkdir_plan,
	.begin = mkdir_begin,
	.commit = mkdir_commit,
};

int mds_xmkdir(struct mds_engine *eng, const struct mds_creds *cr,
	       const struct mds_req *req, u64 parent, const char *name,
	       size_t len, u32 mode, struct mds_attr *out)
{
	struct xdir d = { { parent, name, len, 0 }, mode, 0 };
	return mds_xdrive(eng, cr, req, &mkdir_kind, parent, &d, out);
}

static int rmdir_plan(struct mds_engine *eng, const struct mds_creds *cr,
		      struct mds_xrun *x)
{
	struct xdir *d = x->ctx;
	int rc;

	(void)cr;
	rc = mds_xentry_plan_del(eng, &d->e, true);
	if (!rc)
		d->peer = mds_ino_shard(d->e.ino);
	return rc;
}

static int rmdir_begin(struct mds_shard *sh, MDB_txn *txn, struct mds_xrun *x,
		       struct mds_op *op)
{
	struct xdir *d = x->ctx;
	struct mds_xprep *p = &x->act[0];
	struct mds_inode dir;
	struct mds_dentry de;
	int rc;

	rc = dir_check(txn, sh, op, d, false, &dir, &de);
	if (rc)
		return rc;
	memset(p, 0, sizeof(*p));
	p->op = MDS_XSHARD_RMDIR;
	p->shard = d->peer;
	p->ino = d->e.ino;
	x->nr = 1;
	return 0;
}

static int rmdir_commit(struct mds_shard *sh, MDB_txn *txn, struct mds_xrun *x,
			struct mds_op *op)
{
	struct xdir *d = x->ctx;
	struct mds_inode dir;
	struct mds_dentry de;
	int rc;

	rc = dir_check(txn, sh, op, d, false, &dir, &de);
	if (rc)
		return rc;
	return mds_xentry_del(txn, sh, op, &d->e, &dir, &de, &x->ans[0].attr,
			      -1);
}

static const struct mds_xkind rmdir_kind = {
	.step = "rmdir",
	.kind = MDS_OP_RMDIR,
	.plan = rmdir_plan,
	.begin = rmdir_begin,
	.commit = rmdir_commit,
};

int mds_xrmdir(struct mds_engine *eng, const struct mds_creds *cr,
	       const struct mds_req *req, u64 parent, const char *name,
	       size_t len)
{
	struct xdir d = { { parent, name, len, 0 }, 0, 0 };
	return mds_xdrive(eng, cr, req, &rmdir_kind, parent, &d, NULL);
}
