// SPDX-License-Identifier: GPL-2.0
/*
 * The participant half of cross-shard operations: the shard that holds the
 * directory inode prepares (creates it, or marks it dying) and logs the
 * intent in its xprep database in the same transaction; the coordinator
 * later tells it to commit or abort. Both steps are idempotent per intent;
 * an aborted intent leaves a tombstone so that a late prepare is refused.
 */
#include "record.h"

#define XPREP_REC_SIZE 16 /* op 4, state 4, ino 8 */

enum xprep_state {
	XPREP_PREPARED = 1,
	XPREP_ABORTED = 2,
};

struct xprep_rec {
	u32 op;
	u32 state;
	u64 ino;
};

static int xrec_get(MDB_txn *txn, struct mds_shard *sh, u64 intent,
		    struct xprep_rec *r)
{
	u8 k[8];
	MDB_val key = { 8, k }, val;
	const u8 *p;
	int rc;

	mds_put_be64(intent, k);
	rc = mdb_get(txn, sh->xprep, &key, &val);
	if (rc)
		return mds_err(rc);
	if (val.mv_size != XPREP_REC_SIZE)
		return -EUCLEAN;
	p = val.mv_data;
	r->op = get_unaligned_le32(p);
	r->state = get_unaligned_le32(p + 4);
	r->ino = get_unaligned_le64(p + 8);
	return 0;
}

static int xrec_put(MDB_txn *txn, struct mds_shard *sh, u64 intent,
		    const struct xprep_rec *r)
{
	u8 k[8], v[XPREP_REC_SIZE];
	MDB_val key = { 8, k }, val = { sizeof(v), v };
	int rc;

	mds_put_be64(intent, k);
	put_unaligned_le32(r->op, v);
	put_unaligned_le32(r->state, v + 4);
	put_unaligned_le64(r->ino, v + 8);
	rc = mdb_put(txn, sh->xprep, &key, &val, 0);
	return rc ? mds_store_fail(sh, rc) : 0;
}

static int xrec_del(MDB_txn *txn, struct mds_shard *sh, u64 intent)
{
	u8 k[8];
	MDB_val key = { 8, k };
	int rc;

	mds_put_be64(intent, k);
	rc = mdb_del(txn, sh->xprep, &key, NULL);
	return rc && rc != MDB_NOTFOUND ? mds_store_fail(sh, rc) : 0;
}

static int prepare_apply(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op)
{
	const struct mds_xprep *p = op->arg;
	struct xprep_rec r;
	struct mds_inode in;
	int rc;

	rc = xrec_get(txn, sh, p->intent, &r);
	if (!rc) {
		/* a repeat: the same answer */
		if (r.state != XPREP_PREPARED || r.op != p->op)
			return -ECANCELED;
		rc = mds_inode_get(txn, sh, r.ino, &in);
		if (rc)
			return rc == -ESTALE ? -EUCLEAN : rc;
		goto done;
	}
	if (rc != -ENOENT)
		return rc;

	if (p->op == MDS_XSHARD_MKDIR) {
		if (!S_ISDIR(p->mode))
			return -EINVAL;
		memset(&in, 0, sizeof(in));
		in.ino = mds_alloc_ino(sh);
		in.mode = p->mode;
		in.nlink = 2;
		in.uid = p->uid;
		in.gid = p->gid;
		mds_now(&in.ctime);
		in.atime = in.mtime = in.ctime;
		in.generation = 1;
		in.parent = p->parent;
		in.next_cookie = MDS_COOKIE_FIRST;
		in.layout = p->layout;
	} else {
		rc = mds_inode_get(txn, sh, p->ino, &in);
		if (rc)
			return rc;
		if (!S_ISDIR(in.mode))
			return -ENOTDIR;
		if (in.flags & MDS_INO_F_DYING)
			return -EBUSY; /* another removal is under way */
		rc = mds_dir_has_entries(txn, sh, in.ino);
		if (rc)
			return rc < 0 ? rc : -ENOTEMPTY;
		in.flags |= MDS_INO_F_DYING;
	}
	r.op = p->op;
	r.state = XPREP_PREPARED;
	r.ino = in.ino;
	rc = mds_inode_put(txn, sh, &in);
	if (!rc)
		rc = xrec_put(txn, sh, p->intent, &r);
	if (rc)
		return rc;
done:
	mds_inode_to_attr(&in, &op->attr);
	op->has_attr = true;
	return 0;
}

struct finish_arg {
	u64 intent;
	bool commit;
};

static int finish_apply(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op)
{
	const struct finish_arg *a = op->arg;
	struct xprep_rec r;
	struct mds_inode in;
	int rc;

	rc = xrec_get(txn, sh, a->intent, &r);
	if (rc == -ENOENT) {
		if (a->commit)
			return 0; /* committed before */
		/* never prepared: refuse a late prepare */
		r.op = 0;
		r.state = XPREP_ABORTED;
		r.ino = 0;
		return xrec_put(txn, sh, a->intent, &r);
	}
	if (rc)
		return rc;
	if (r.state == XPREP_ABORTED)
		return a->commit ? -ECANCELED : 0;

	rc = mds_inode_get(txn, sh, r.ino, &in);
	if (rc && rc != -ESTALE)
		return rc;
	if (!rc && r.op == MDS_XSHARD_MKDIR && !a->commit)
		rc = mds_inode_release(txn, sh, &in);
	else if (!rc && r.op == MDS_XSHARD_RMDIR && a->commit)
		rc = mds_inode_release(txn, sh, &in);
	else if (!rc && r.op == MDS_XSHARD_RMDIR) {
		in.flags &= ~MDS_INO_F_DYING;
		rc = mds_inode_put(txn, sh, &in);
	} else {
		rc = 0;
	}
	if (rc)
		return rc;
	if (a->commit)
		return xrec_del(txn, sh, a->intent);
	r.state = XPREP_ABORTED;
	return xrec_put(txn, sh, a->intent, &r);
}

int mds_xprep_prepare(struct mds_engine *eng, const struct mds_xprep *p,
		      struct mds_attr *out)
{
	struct mds_op op;
	int rc;

	if (p->op != MDS_XSHARD_MKDIR && p->op != MDS_XSHARD_RMDIR)
		return -EINVAL;
	if (p->op == MDS_XSHARD_RMDIR && mds_ino_shard(p->ino) != p->shard)
		return -EINVAL;
	rc = mds_run(eng, mds_ino_make(p->shard, 0), NULL, NULL, MDS_OP_OTHER,
		     prepare_apply, (void *)p, &op);
	if (rc)
		return rc;
	if (mds_crashpoint(p->op == MDS_XSHARD_MKDIR ? "mkdir-peer-prepared" :
						       "rmdir-peer-prepared"))
		return -EINTR;
	*out = op.attr;
	return 0;
}

int mds_xprep_finish(struct mds_engine *eng, u16 shard, u64 intent, bool commit)
{
	struct finish_arg a = { intent, commit };
	struct mds_op op;
	int rc;

	rc = mds_run(eng, mds_ino_make(shard, 0), NULL, NULL, MDS_OP_OTHER,
		     finish_apply, &a, &op);
	if (!rc && mds_crashpoint(commit ? "peer-committed" : "peer-aborted"))
		return -EINTR;
	return rc;
}
