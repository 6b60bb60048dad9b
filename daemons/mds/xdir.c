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
	u64 parent;
	const char *name;
	size_t len;
	u32 mode; /* mkdir */
	u16 peer; /* the directory's shard */
	u64 ino; /* rmdir: the directory */
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

/* The parent, and its entry name: absent (mkdir) or the directory (rmdir). */
static int dir_check(MDB_txn *txn, struct mds_shard *sh,
		     const struct mds_op *op, const struct xdir *d, bool mkdir,
		     struct mds_inode *dir, struct mds_dentry *de)
{
	int rc;

	rc = mds_dir_get(txn, sh, op->cr, d->parent, MAY_WRITE | MAY_EXEC, dir);
	if (rc)
		return rc;
	rc = mds_dentry_get(txn, sh, d->parent, d->name, d->len, de);
	if (mkdir) {
		if (!rc)
			return -EEXIST;
		if (rc != -ENOENT)
			return rc;
		return dir->nlink >= MDS_LINK_MAX ? -EMLINK : 0;
	}
	if (rc)
		return rc;
	return de->ino == d->ino ? 0 : -EINPROGRESS; /* replaced meanwhile */
}

static int mkdir_plan(struct mds_engine *eng, const struct mds_creds *cr,
		      struct mds_xrun *x)
{
	struct xdir *d = x->ctx;

	(void)cr;
	if (!place(eng, d->parent, d->name, d->len, &d->peer) ||
	    d->peer == mds_ino_shard(d->parent))
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
	p->parent = d->parent;
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
	rc = mds_dentry_add(txn, sh, &dir, d->name, d->len, x->ans[0].attr.ino,
			    mds_mode_dtype(S_IFDIR));
	if (rc)
		return rc;
	dir.nlink++;
	mds_now(&dir.mtime);
	dir.ctime = dir.mtime;
	rc = mds_inode_put(txn, sh, &dir);
	if (rc)
		return rc;
	op->attr = x->ans[0].attr;
	op->has_attr = true;
	return 0;
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
	struct xdir d = { parent, name, len, mode, 0, 0 };
	return mds_xdrive(eng, cr, req, &mkdir_kind, parent, &d, out);
}

static int rmdir_plan(struct mds_engine *eng, const struct mds_creds *cr,
		      struct mds_xrun *x)
{
	struct xdir *d = x->ctx;
	struct mds_shard *sh;
	struct mds_dentry de;
	MDB_txn *txn;
	int rc;

	(void)cr;
	if (mds_read_begin(eng, d->parent, &sh, &txn))
		return 1;
	rc = mds_dentry_get(txn, sh, d->parent, d->name, d->len, &de);
	mdb_txn_abort(txn);
	if (rc || de.type != mds_mode_dtype(S_IFDIR) ||
	    mds_ino_shard(de.ino) == sh->id)
		return 1; /* the one-shard path answers */
	d->ino = de.ino;
	d->peer = mds_ino_shard(de.ino);
	return 0;
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
	p->ino = d->ino;
	x->nr = 1;
	return 0;
}

static int rmdir_commit(struct mds_shard *sh, MDB_txn *txn, struct mds_xrun *x,
			struct mds_op *op)
{
	struct xdir *d = x->ctx;
	struct mds_inode dir, victim;
	struct mds_dentry de;
	int rc;

	rc = dir_check(txn, sh, op, d, false, &dir, &de);
	if (rc)
		return rc;
	mds_attr_to_inode(&x->ans[0].attr, &victim);
	rc = mds_may_delete(op->cr, &dir, &victim);
	if (rc)
		return rc;
	rc = mds_dentry_del(txn, sh, d->parent, d->name, d->len, de.cookie);
	if (rc)
		return rc;
	dir.nlink--;
	mds_now(&dir.mtime);
	dir.ctime = dir.mtime;
	op->has_attr = false; /* rmdir answers a status only */
	return mds_inode_put(txn, sh, &dir);
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
	struct xdir d = { parent, name, len, 0, 0, 0 };
	return mds_xdrive(eng, cr, req, &rmdir_kind, parent, &d, NULL);
}
