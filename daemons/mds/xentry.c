// SPDX-License-Identifier: GPL-2.0
/*
 * The coordinator's side of the cross-shard operations on one directory
 * entry (xdir.c: mkdir, rmdir; xlink.c: link, unlink): the entry lives on
 * the parent directory's shard, the inode it names on another one.
 */
#include "record.h"

int mds_xentry_plan_del(struct mds_engine *eng, struct mds_xentry *e,
			bool dir)
{
	struct mds_shard *sh;
	struct mds_dentry de;
	MDB_txn *txn;
	int rc;

	if (mds_read_begin(eng, e->parent, &sh, &txn))
		return 1;
	rc = mds_dentry_get(txn, sh, e->parent, e->name, e->len, &de);
	mdb_txn_abort(txn);
	if (rc || (de.type == mds_mode_dtype(S_IFDIR)) != dir ||
	    mds_ino_shard(de.ino) == sh->id)
		return 1; /* the one-shard path answers */
	e->ino = de.ino;
	return 0;
}

int mds_xentry_check(MDB_txn *txn, struct mds_shard *sh,
		     const struct mds_op *op, const struct mds_xentry *e,
		     bool add, struct mds_inode *dir, struct mds_dentry *de)
{
	int rc;

	rc = mds_dir_get(txn, sh, op->cr, e->parent, MAY_WRITE | MAY_EXEC, dir);
	if (rc)
		return rc;
	rc = mds_dentry_get(txn, sh, e->parent, e->name, e->len, de);
	if (add)
		return rc == -ENOENT ? 0 : rc ? rc : -EEXIST;
	if (rc)
		return rc;
	return de->ino == e->ino ? 0 : -EINPROGRESS; /* replaced meanwhile */
}

static int put_parent(MDB_txn *txn, struct mds_shard *sh,
		      struct mds_inode *dir, s32 links)
{
	dir->nlink = (u32)((s64)dir->nlink + links);
	mds_now(&dir->mtime);
	dir->ctime = dir->mtime;
	return mds_inode_put(txn, sh, dir);
}

int mds_xentry_add(MDB_txn *txn, struct mds_shard *sh, struct mds_op *op,
		   const struct mds_xentry *e, struct mds_inode *dir,
		   const struct mds_attr *attr, s32 links)
{
	int rc;

	rc = mds_dentry_add(txn, sh, dir, e->name, e->len, attr->ino,
			    mds_mode_dtype(attr->mode));
	if (!rc)
		rc = put_parent(txn, sh, dir, links);
	if (rc)
		return rc;
	op->attr = *attr;
	op->has_attr = true;
	return 0;
}

int mds_xentry_del(MDB_txn *txn, struct mds_shard *sh, struct mds_op *op,
		   const struct mds_xentry *e, struct mds_inode *dir,
		   const struct mds_dentry *de, const struct mds_attr *attr,
		   s32 links)
{
	struct mds_inode victim;
	int rc;

	mds_attr_to_inode(attr, &victim);
	rc = mds_may_delete(op->cr, dir, &victim);
	if (!rc)
		rc = mds_dentry_del(txn, sh, e->parent, e->name, e->len,
				    de->cookie);
	if (rc)
		return rc;
	op->has_attr = false; /* answered with a status only */
	return put_parent(txn, sh, dir, links);
}
