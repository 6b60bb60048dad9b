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

struct xlnk {
	u64 parent;
	const char *name;
	size_t len;
	u64 ino;
};

/* The directory, and its entry name: absent (link) or ino (unlink). */
static int entry_check(MDB_txn *txn, struct mds_shard *sh,
		       const struct mds_op *op, const struct xlnk *l, bool link,
		       struct mds_inode *dir, struct mds_dentry *de)
{
	int rc;

	rc = mds_dir_get(txn, sh, op->cr, l->parent, MAY_WRITE | MAY_EXEC, dir);
	if (rc)
		return rc;
	rc = mds_dentry_get(txn, sh, l->parent, l->name, l->len, de);
	if (link)
		return rc == -ENOENT ? 0 : rc ? rc : -EEXIST;
	if (rc)
		return rc;
	return de->ino == l->ino ? 0 : -EINPROGRESS; /* replaced meanwhile */
}

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

static void touch(struct mds_inode *dir)
{
	mds_now(&dir->mtime);
	dir->ctime = dir->mtime;
}

/* ---- link ---- */

static int link_plan(struct mds_engine *eng, const struct mds_creds *cr,
		     struct mds_xrun *x)
{
	struct xlnk *l = x->ctx;

	(void)eng;
	(void)cr;
	return mds_ino_shard(l->ino) == mds_ino_shard(l->parent) ? 1 : 0;
}

static int link_begin(struct mds_shard *sh, MDB_txn *txn, struct mds_xrun *x,
		      struct mds_op *op)
{
	struct xlnk *l = x->ctx;
	struct mds_inode dir;
	struct mds_dentry de;
	int rc;

	rc = entry_check(txn, sh, op, l, true, &dir, &de);
	if (!rc)
		nlink_act(x, l->ino, 1);
	return rc;
}

static int link_commit(struct mds_shard *sh, MDB_txn *txn, struct mds_xrun *x,
		       struct mds_op *op)
{
	struct xlnk *l = x->ctx;
	struct mds_inode dir;
	struct mds_dentry de;
	int rc;

	rc = entry_check(txn, sh, op, l, true, &dir, &de);
	if (rc)
		return rc;
	rc = mds_dentry_add(txn, sh, &dir, l->name, l->len, l->ino,
			    mds_mode_dtype(x->ans[0].attr.mode));
	if (rc)
		return rc;
	touch(&dir);
	rc = mds_inode_put(txn, sh, &dir);
	if (rc)
		return rc;
	op->attr = x->ans[0].attr;
	op->has_attr = true;
	return 0;
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
	struct xlnk l = { parent, name, len, ino };
	return mds_xdrive(eng, cr, req, &link_kind, parent, &l, out);
}

/* ---- unlink ---- */

static int unlink_plan(struct mds_engine *eng, const struct mds_creds *cr,
		       struct mds_xrun *x)
{
	struct xlnk *l = x->ctx;
	struct mds_shard *sh;
	struct mds_dentry de;
	MDB_txn *txn;
	int rc;

	(void)cr;
	if (mds_read_begin(eng, l->parent, &sh, &txn))
		return 1;
	rc = mds_dentry_get(txn, sh, l->parent, l->name, l->len, &de);
	mdb_txn_abort(txn);
	if (rc || de.type == mds_mode_dtype(S_IFDIR) ||
	    mds_ino_shard(de.ino) == sh->id)
		return 1; /* the one-shard path answers */
	l->ino = de.ino;
	return 0;
}

static int unlink_begin(struct mds_shard *sh, MDB_txn *txn, struct mds_xrun *x,
			struct mds_op *op)
{
	struct xlnk *l = x->ctx;
	struct mds_inode dir;
	struct mds_dentry de;
	int rc;

	rc = entry_check(txn, sh, op, l, false, &dir, &de);
	if (!rc)
		nlink_act(x, l->ino, -1);
	return rc;
}

static int unlink_commit(struct mds_shard *sh, MDB_txn *txn,
			 struct mds_xrun *x, struct mds_op *op)
{
	struct xlnk *l = x->ctx;
	struct mds_inode dir, victim;
	struct mds_dentry de;
	int rc;

	rc = entry_check(txn, sh, op, l, false, &dir, &de);
	if (rc)
		return rc;
	mds_attr_to_inode(&x->ans[0].attr, &victim);
	rc = mds_may_delete(op->cr, &dir, &victim);
	if (rc)
		return rc;
	rc = mds_dentry_del(txn, sh, l->parent, l->name, l->len, de.cookie);
	if (rc)
		return rc;
	touch(&dir);
	op->has_attr = false;
	return mds_inode_put(txn, sh, &dir);
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
	struct xlnk l = { parent, name, len, 0 };
	return mds_xdrive(eng, cr, req, &unlink_kind, parent, &l, NULL);
}
