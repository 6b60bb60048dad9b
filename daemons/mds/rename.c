// SPDX-License-Identifier: GPL-2.0
/*
 * rename(2) within one shard, with RENAME_NOREPLACE and RENAME_EXCHANGE
 * (xrename.c: across shards). Every POSIX check is made before the first
 * write. A directory moving to another parent is serialized with every
 * other such move through the record of the root's shard (xmove.c): here
 * on that shard, through xrename.c on the others.
 */
#include "record.h"

struct rename_arg {
	u64 op;
	u64 np;
	const char *on;
	const char *nn;
	size_t ol;
	size_t nl;
	u32 flags;
};

/* -EINVAL if dir is 'anc' or lies below it. */
static int check_not_below(MDB_txn *txn, struct mds_shard *sh, u64 dir, u64 anc)
{
	struct mds_inode in;
	u32 depth;
	int rc;

	for (depth = 0; depth < MDS_WALK_MAX; depth++) {
		if (dir == anc)
			return -EINVAL;
		if (dir == MDS_ROOT_INO)
			return 0;
		rc = mds_inode_get(txn, sh, dir, &in);
		if (rc)
			return rc;
		if (in.parent == dir)
			return 0;
		dir = in.parent;
	}
	return -ELOOP;
}

static int rename_apply(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op)
{
	struct rename_arg *a = op->arg;
	const struct mds_creds *cr = op->cr;
	bool same = a->op == a->np, exchange = a->flags & MDS_RENAME_EXCHANGE;
	struct mds_inode odir, ndir, src, dst, *od = &odir, *nd;
	struct mds_dentry ode, nde;
	struct mds_dirmove dm;
	bool exists, moves;
	int rc;

	rc = mds_dir_get(txn, sh, cr, a->op, MAY_WRITE | MAY_EXEC, od);
	if (rc)
		return rc;
	nd = same ? od : &ndir;
	if (!same) {
		rc = mds_dir_get(txn, sh, cr, a->np, MAY_WRITE | MAY_EXEC, nd);
		if (rc)
			return rc;
	}
	rc = mds_dentry_get(txn, sh, a->op, a->on, a->ol, &ode);
	if (rc)
		return rc;
	rc = mds_inode_get(txn, sh, ode.ino, &src);
	if (rc)
		return rc;
	if (same && a->ol == a->nl && !memcmp(a->on, a->nn, a->ol))
		return 0;
	rc = mds_dentry_get(txn, sh, a->np, a->nn, a->nl, &nde);
	if (rc && rc != -ENOENT)
		return rc;
	exists = !rc;
	if ((a->flags & MDS_RENAME_NOREPLACE) && exists)
		return -EEXIST;
	if (exchange && !exists)
		return -ENOENT;
	/* both names are links to one inode: nothing to do */
	if (exists && nde.ino == ode.ino)
		return 0;
	if (exists) {
		rc = mds_inode_get(txn, sh, nde.ino, &dst);
		if (rc)
			return rc;
	}

	rc = mds_may_delete(cr, od, &src);
	if (!rc && exists)
		rc = mds_may_delete(cr, nd, &dst);
	if (rc)
		return rc;
	if (exists && !exchange) {
		if (S_ISDIR(src.mode) && !S_ISDIR(dst.mode))
			return -ENOTDIR;
		if (!S_ISDIR(src.mode) && S_ISDIR(dst.mode))
			return -EISDIR;
		if (S_ISDIR(dst.mode)) {
			rc = mds_dir_has_entries(txn, sh, dst.ino);
			if (rc)
				return rc < 0 ? rc : -ENOTEMPTY;
		}
	}
	if (exists && S_ISDIR(dst.mode) &&
	    (dst.flags & (MDS_INO_F_XLOCK | MDS_INO_F_DYING)))
		return -EINPROGRESS;
	if (!same && S_ISDIR(src.mode)) {
		/* its ".." changes */
		if (src.flags & MDS_INO_F_XLOCK)
			return -EINPROGRESS;
		rc = mds_permission(cr, &src, MAY_WRITE);
		if (!rc)
			rc = check_not_below(txn, sh, a->np, src.ino);
		if (rc)
			return rc;
		if (nd->nlink >= MDS_LINK_MAX && !(exists && S_ISDIR(dst.mode)))
			return -EMLINK;
	}
	if (!same && exchange && S_ISDIR(dst.mode)) {
		rc = mds_permission(cr, &dst, MAY_WRITE);
		if (!rc)
			rc = check_not_below(txn, sh, a->op, dst.ino);
		if (rc)
			return rc;
		if (od->nlink >= MDS_LINK_MAX && !S_ISDIR(src.mode))
			return -EMLINK;
	}

	moves = !same && (S_ISDIR(src.mode) || (exchange && S_ISDIR(dst.mode)));
	if (moves) {
		/* serialized with every other directory move (xmove.c) */
		if (sh->id != MDS_XMOVE_SHARD)
			return -EXDEV;
		rc = mds_xmove_check(txn, sh, &dm);
		if (rc)
			return rc;
	}

	/* writes */
	if (moves) {
		rc = mds_xmove_bump(txn, sh, &dm);
		if (rc)
			return rc;
	}
	mds_now(&src.ctime);
	if (exchange) {
		dst.ctime = src.ctime;
		rc = mds_dentry_repoint(txn, sh, a->op, a->on, a->ol,
					ode.cookie, dst.ino,
					mds_mode_dtype(dst.mode));
		if (!rc)
			rc = mds_dentry_repoint(txn, sh, a->np, a->nn, a->nl,
						nde.cookie, src.ino,
						mds_mode_dtype(src.mode));
		if (!rc && !same && S_ISDIR(src.mode)) {
			src.parent = a->np;
			od->nlink--;
			nd->nlink++;
		}
		if (!rc && !same && S_ISDIR(dst.mode)) {
			dst.parent = a->op;
			nd->nlink--;
			od->nlink++;
		}
		if (!rc)
			rc = mds_inode_put(txn, sh, &dst);
	} else {
		rc = mds_dentry_del(txn, sh, a->op, a->on, a->ol, ode.cookie);
		if (rc)
			return rc;
		if (exists) {
			/* the name stays listed: keep its cookie */
			rc = mds_dentry_repoint(txn, sh, a->np, a->nn, a->nl,
						nde.cookie, src.ino,
						mds_mode_dtype(src.mode));
			if (!rc && S_ISDIR(dst.mode)) {
				nd->nlink--;
				rc = mds_inode_release(txn, sh, &dst);
			} else if (!rc && --dst.nlink == 0) {
				rc = mds_inode_release(txn, sh, &dst);
			} else if (!rc) {
				dst.ctime = src.ctime;
				rc = mds_inode_put(txn, sh, &dst);
			}
		} else {
			rc = mds_dentry_add(txn, sh, nd, a->nn, a->nl, src.ino,
					    mds_mode_dtype(src.mode));
		}
		if (!rc && !same && S_ISDIR(src.mode)) {
			src.parent = a->np;
			od->nlink--;
			nd->nlink++;
		}
	}
	if (rc)
		return rc;
	rc = mds_inode_put(txn, sh, &src);
	if (rc)
		return rc;
	od->mtime = od->ctime = src.ctime;
	rc = mds_inode_put(txn, sh, od);
	if (!rc && !same) {
		nd->mtime = nd->ctime = src.ctime;
		rc = mds_inode_put(txn, sh, nd);
	}
	return rc;
}

int mds_rename(struct mds_engine *eng, const struct mds_creds *cr,
	       const struct mds_req *req, u64 old_parent, const char *old_name,
	       size_t old_len, u64 new_parent, const char *new_name,
	       size_t new_len, u32 flags)
{
	struct rename_arg a = {
		old_parent, new_parent, old_name, new_name,
		old_len,    new_len,	flags,
	};
	struct mds_op op;
	int rc;

	if ((flags & ~(MDS_RENAME_NOREPLACE | MDS_RENAME_EXCHANGE)) ||
	    flags == (MDS_RENAME_NOREPLACE | MDS_RENAME_EXCHANGE))
		return -EINVAL;
	rc = mds_name_check(old_name, old_len);
	if (!rc)
		rc = mds_name_check(new_name, new_len);
	if (rc)
		return rc;
	rc = mds_xrename(eng, cr, req, old_parent, old_name, old_len,
			 new_parent, new_name, new_len, flags, false);
	if (rc != 1)
		return rc;
	rc = mds_run(eng, old_parent, cr, req, MDS_OP_RENAME, rename_apply, &a,
		     &op);
	if (rc != -EXDEV)
		return rc;
	/* an inode or the loop check lies on another shard after all */
	return mds_xrename(eng, cr, req, old_parent, old_name, old_len,
			   new_parent, new_name, new_len, flags, true);
}
