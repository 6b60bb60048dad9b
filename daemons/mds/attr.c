// SPDX-License-Identifier: GPL-2.0
/*
 * setattr with the Linux ownership rules (chmod, chown/chgrp, utimes,
 * truncate) and commit_size from clients.
 */
#include "record.h"

struct setattr_arg {
	u64 ino;
	const struct mds_setattr *sa;
};

static int setattr_check(const struct mds_creds *cr, const struct mds_inode *in,
			 const struct mds_setattr *sa)
{
	u32 v = sa->valid;
	bool owner = mds_is_owner(cr, in);
	int rc;

	if (v & MDS_SET_MODE && !owner)
		return -EPERM;
	if (v & MDS_SET_UID && cr->uid &&
	    (cr->uid != in->uid || sa->uid != in->uid))
		return -EPERM;
	if (v & MDS_SET_GID && cr->uid &&
	    (cr->uid != in->uid ||
	     (sa->gid != in->gid && !mds_in_group(cr, sa->gid))))
		return -EPERM;
	if (v & MDS_SET_CTIME && cr->uid)
		return -EPERM;
	if (v & (MDS_SET_ATIME | MDS_SET_MTIME) && !owner)
		return -EPERM;
	if (v & (MDS_SET_ATIME_NOW | MDS_SET_MTIME_NOW) && !owner) {
		rc = mds_permission(cr, in, MAY_WRITE);
		if (rc)
			return rc;
	}
	if (v & MDS_SET_SIZE) {
		if (S_ISDIR(in->mode))
			return -EISDIR;
		if (!S_ISREG(in->mode))
			return -EINVAL;
		rc = mds_permission(cr, in, MAY_WRITE);
		if (rc)
			return rc;
	}
	return 0;
}

static void kill_suid(struct mds_inode *in)
{
	if (S_ISDIR(in->mode))
		return;
	in->mode &= ~S_ISUID;
	if (in->mode & S_IXGRP)
		in->mode &= ~S_ISGID;
}

static int setattr_apply(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op)
{
	struct setattr_arg *a = op->arg;
	const struct mds_setattr *sa = a->sa;
	const struct mds_creds *cr = op->cr;
	struct mds_inode in;
	struct mds_time now;
	u32 v = sa->valid;
	int rc;

	rc = mds_inode_get(txn, sh, a->ino, &in);
	if (rc)
		return rc;
	rc = setattr_check(cr, &in, sa);
	if (rc)
		return rc;

	mds_now(&now);
	if (v & (MDS_SET_UID | MDS_SET_GID)) {
		if (v & MDS_SET_UID)
			in.uid = sa->uid;
		if (v & MDS_SET_GID)
			in.gid = sa->gid;
		kill_suid(&in);
	}
	if (v & MDS_SET_MODE) {
		in.mode = (in.mode & S_IFMT) | (sa->mode & 07777);
		if (cr->uid && !mds_in_group(cr, in.gid))
			in.mode &= ~S_ISGID;
	}
	if (v & MDS_SET_SIZE) {
		if (sa->size < in.size && in.layout.scheme != MDS_LAYOUT_NONE) {
			rc = mds_delq_push(txn, sh, MDS_DELQ_TRUNCATE, &in,
					   sa->size);
			if (rc)
				return rc;
		}
		in.size = sa->size;
		in.mtime = now;
		if (cr->uid && !(v & MDS_SET_MODE))
			kill_suid(&in);
	}
	if (v & MDS_SET_ATIME)
		in.atime = sa->atime;
	if (v & MDS_SET_ATIME_NOW)
		in.atime = now;
	if (v & MDS_SET_MTIME)
		in.mtime = sa->mtime;
	if (v & MDS_SET_MTIME_NOW)
		in.mtime = now;
	in.ctime = v & MDS_SET_CTIME ? sa->ctime : now;
	rc = mds_inode_put(txn, sh, &in);
	if (rc)
		return rc;
	mds_inode_to_attr(&in, &op->attr);
	op->has_attr = true;
	return 0;
}

static bool time_ok(const struct mds_time *t)
{
	return t->nsec < 1000000000u;
}

int mds_setattr(struct mds_engine *eng, const struct mds_creds *cr,
		const struct mds_req *req, u64 ino,
		const struct mds_setattr *sa, struct mds_attr *out)
{
	struct setattr_arg a = { ino, sa };
	struct mds_op op;
	u32 v = sa->valid;
	int rc;

	if (v & ~MDS_SET_KNOWN ||
	    (v & MDS_SET_ATIME && v & MDS_SET_ATIME_NOW) ||
	    (v & MDS_SET_MTIME && v & MDS_SET_MTIME_NOW) ||
	    (v & MDS_SET_ATIME && !time_ok(&sa->atime)) ||
	    (v & MDS_SET_MTIME && !time_ok(&sa->mtime)) ||
	    (v & MDS_SET_CTIME && !time_ok(&sa->ctime)))
		return -EINVAL;
	/* only a size change is not idempotent */
	rc = mds_run(eng, ino, cr, req,
		     v & MDS_SET_SIZE ? MDS_OP_SETATTR : MDS_OP_OTHER,
		     setattr_apply, &a, &op);
	if (!rc && out)
		*out = op.attr;
	return rc;
}

struct commit_arg {
	u64 ino;
	u64 size;
	const struct mds_time *mtime;
};

static int commit_apply(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op)
{
	struct commit_arg *a = op->arg;
	struct mds_inode in;
	int rc;

	rc = mds_inode_get(txn, sh, a->ino, &in);
	if (rc)
		return rc;
	if (S_ISDIR(in.mode))
		return -EISDIR;
	if (!S_ISREG(in.mode))
		return -EINVAL;
	if (!mds_is_owner(op->cr, &in)) {
		rc = mds_permission(op->cr, &in, MAY_WRITE);
		if (rc)
			return rc;
	}
	in.flags |= MDS_INO_F_DATA;
	if (a->size > in.size)
		in.size = a->size;
	if (a->mtime->sec > in.mtime.sec ||
	    (a->mtime->sec == in.mtime.sec && a->mtime->nsec > in.mtime.nsec))
		in.mtime = *a->mtime;
	mds_now(&in.ctime);
	rc = mds_inode_put(txn, sh, &in);
	if (rc)
		return rc;
	mds_inode_to_attr(&in, &op->attr);
	op->has_attr = true;
	return 0;
}

int mds_commit_size(struct mds_engine *eng, const struct mds_creds *cr, u64 ino,
		    u64 size, const struct mds_time *mtime,
		    struct mds_attr *out)
{
	struct commit_arg a = { ino, size, mtime };
	struct mds_op op;
	int rc;

	if (!time_ok(mtime))
		return -EINVAL;
	rc = mds_run(eng, ino, cr, NULL, MDS_OP_OTHER, commit_apply, &a, &op);
	if (!rc && out)
		*out = op.attr;
	return rc;
}
