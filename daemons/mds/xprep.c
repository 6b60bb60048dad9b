// SPDX-License-Identifier: GPL-2.0
/*
 * The participant half of cross-shard operations. Each action of an intent
 * on this shard is checked and prepared, and logged in xprep (key: intent,
 * slot) in the same transaction; the coordinator later commits or aborts
 * all actions of the intent at once. What prepare changes, abort undoes:
 * mkdir creates the inode, a link count grows; everything else is applied
 * at commit, and prepare locks the directory it will change (XLOCK) so that
 * nothing else changes it meanwhile. Both steps are idempotent per intent;
 * an aborted intent leaves a tombstone (key: intent alone) so that a late
 * prepare is refused. Conflicts (a lock held, an entry changed since the
 * coordinator read it, a directory moved since it read the directory-move
 * generation) are -EBUSY: the coordinator tries again.
 */
#include "record.h"

#define XPREP_HDR 37 /* op 4, state 4, ino 8, parent 8, expect 8, delta 4, type 1 */

enum xprep_state {
	XPREP_PREPARED = 1,
	XPREP_ABORTED = 2,
};

struct xprep_rec {
	u32 op;
	u32 state;
	u64 ino;
	u64 parent;
	u64 expect;
	s32 delta;
	u8 type;
	size_t len;
	char name[MDS_NAME_MAX];
};

/* Key: the intent, then the slot (none: the tombstone). */
static size_t xkey(u8 *k, u64 intent, int slot)
{
	mds_put_be64(intent, k);
	if (slot < 0)
		return 8;
	k[8] = (u8)slot;
	return 9;
}

static int xrec_decode(const MDB_val *val, struct xprep_rec *r)
{
	const u8 *p = val->mv_data;

	if (val->mv_size < XPREP_HDR || val->mv_size > XPREP_HDR + MDS_NAME_MAX)
		return -EUCLEAN;
	r->op = get_unaligned_le32(p);
	r->state = get_unaligned_le32(p + 4);
	r->ino = get_unaligned_le64(p + 8);
	r->parent = get_unaligned_le64(p + 16);
	r->expect = get_unaligned_le64(p + 24);
	r->delta = (s32)get_unaligned_le32(p + 32);
	r->type = p[36];
	r->len = val->mv_size - XPREP_HDR;
	if (r->len)
		memcpy(r->name, p + XPREP_HDR, r->len);
	return 0;
}

static int xrec_get(MDB_txn *txn, struct mds_shard *sh, u64 intent, int slot,
		    struct xprep_rec *r)
{
	u8 k[9];
	MDB_val key = { xkey(k, intent, slot), k }, val;
	int rc;

	rc = mdb_get(txn, sh->xprep, &key, &val);
	return rc ? mds_err(rc) : xrec_decode(&val, r);
}

static int xrec_put(MDB_txn *txn, struct mds_shard *sh, u64 intent, int slot,
		    const struct xprep_rec *r)
{
	u8 k[9], v[XPREP_HDR + MDS_NAME_MAX];
	MDB_val key = { xkey(k, intent, slot), k }, val = { XPREP_HDR + r->len, v };
	int rc;

	put_unaligned_le32(r->op, v);
	put_unaligned_le32(r->state, v + 4);
	put_unaligned_le64(r->ino, v + 8);
	put_unaligned_le64(r->parent, v + 16);
	put_unaligned_le64(r->expect, v + 24);
	put_unaligned_le32((u32)r->delta, v + 32);
	v[36] = r->type;
	if (r->len)
		memcpy(v + XPREP_HDR, r->name, r->len);
	rc = mdb_put(txn, sh->xprep, &key, &val, 0);
	return rc ? mds_store_fail(sh, rc) : 0;
}

static int xrec_del(MDB_txn *txn, struct mds_shard *sh, u64 intent, int slot)
{
	u8 k[9];
	MDB_val key = { xkey(k, intent, slot), k };
	int rc;

	rc = mdb_del(txn, sh->xprep, &key, NULL);
	return rc && rc != MDB_NOTFOUND ? mds_store_fail(sh, rc) : 0;
}

/* The first action record of intent left, in *slot; -ENOENT if none. */
static int xrec_first(MDB_txn *txn, struct mds_shard *sh, u64 intent,
		      int *slot, struct xprep_rec *r)
{
	u8 k[9];
	MDB_val key = { xkey(k, intent, 0), k }, val;
	MDB_cursor *cur;
	int rc;

	rc = mdb_cursor_open(txn, sh->xprep, &cur);
	if (rc)
		return mds_err(rc);
	rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	mdb_cursor_close(cur);
	if (rc)
		return mds_err(rc);
	if (key.mv_size != 9 || memcmp(key.mv_data, k, 8))
		return -ENOENT;
	*slot = ((const u8 *)key.mv_data)[8];
	return xrec_decode(&val, r);
}

/* ---- prepare ---- */

/* A directory an action will change: not dying, not locked. */
static int dir_lockable(MDB_txn *txn, struct mds_shard *sh, u64 ino,
			struct mds_inode *dir)
{
	int rc = mds_inode_get(txn, sh, ino, dir);

	if (rc)
		return rc;
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (dir->flags & MDS_INO_F_DYING)
		return -ENOENT;
	return dir->flags & MDS_INO_F_XLOCK ? -EBUSY : 0;
}

static int prep_mkdir(struct mds_shard *sh, const struct mds_xprep *p,
		      struct mds_inode *in)
{
	if (!S_ISDIR(p->mode))
		return -EINVAL;
	memset(in, 0, sizeof(*in));
	in->ino = mds_alloc_ino(sh);
	in->mode = p->mode;
	in->nlink = 2;
	in->uid = p->uid;
	in->gid = p->gid;
	mds_now(&in->ctime);
	in->atime = in->mtime = in->ctime;
	in->generation = 1;
	in->parent = p->parent;
	in->next_cookie = MDS_COOKIE_FIRST;
	in->layout = p->layout;
	return 0;
}

static int prep_rmdir(MDB_txn *txn, struct mds_shard *sh,
		      const struct mds_xprep *p, struct mds_inode *in)
{
	int rc = mds_inode_get(txn, sh, p->ino, in);

	if (rc)
		return rc;
	if (!S_ISDIR(in->mode))
		return -ENOTDIR;
	if (in->flags & (MDS_INO_F_DYING | MDS_INO_F_XLOCK))
		return -EBUSY; /* another operation is under way */
	rc = mds_dir_has_entries(txn, sh, in->ino);
	if (rc)
		return rc < 0 ? rc : -ENOTEMPTY;
	in->flags |= MDS_INO_F_DYING;
	return 0;
}

static int prep_nlink(MDB_txn *txn, struct mds_shard *sh,
		      const struct mds_xprep *p, struct mds_inode *in)
{
	int rc = mds_inode_get(txn, sh, p->ino, in);

	if (rc)
		return rc;
	if (S_ISDIR(in->mode))
		return -EPERM;
	if (p->delta > 0) {
		/* a new link counts at once, so the inode stays meanwhile */
		if (in->nlink >= MDS_LINK_MAX)
			return -EMLINK;
		in->nlink++;
		mds_now(&in->ctime);
	}
	return 0;
}

static int prep_moved(MDB_txn *txn, struct mds_shard *sh,
		      const struct mds_xprep *p, struct mds_inode *in)
{
	int rc = mds_inode_get(txn, sh, p->ino, in);

	if (rc || !S_ISDIR(in->mode))
		return rc;
	if (in->flags & (MDS_INO_F_DYING | MDS_INO_F_XLOCK))
		return -EBUSY;
	in->flags |= MDS_INO_F_XLOCK; /* its ".." is about to change */
	return 0;
}

static int prep_entry(MDB_txn *txn, struct mds_shard *sh,
		      const struct mds_xprep *p, struct mds_inode *dir)
{
	struct mds_dentry de;
	int rc;

	rc = mds_name_check(p->name, p->len);
	if (!rc)
		rc = dir_lockable(txn, sh, p->parent, dir);
	if (rc)
		return rc;
	rc = mds_dentry_get(txn, sh, p->parent, p->name, p->len, &de);
	if (rc && rc != -ENOENT)
		return rc;
	if (rc ? p->expect != 0 : de.ino != p->expect)
		return -EBUSY; /* changed since the coordinator read it */
	if (!p->expect && !p->ino)
		return -EINVAL;
	if (p->delta > 0 && dir->nlink >= MDS_LINK_MAX)
		return -EMLINK;
	dir->flags |= MDS_INO_F_XLOCK;
	return 0;
}

static int prepare_apply(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op)
{
	const struct mds_xprep *p = op->arg;
	struct xprep_rec r;
	struct mds_inode in;
	int rc;

	rc = xrec_get(txn, sh, p->intent, -1, &r);
	if (!rc)
		return -ECANCELED; /* aborted before */
	if (rc != -ENOENT)
		return rc;
	rc = xrec_get(txn, sh, p->intent, (int)p->slot, &r);
	if (!rc) {
		/* a repeat: the same answer */
		if (r.op != p->op)
			return -ECANCELED;
		rc = mds_inode_get(txn, sh,
				   r.op == MDS_XSHARD_ENTRY ? r.parent : r.ino,
				   &in);
		if (rc)
			return rc == -ESTALE ? -EUCLEAN : rc;
		goto done;
	}
	if (rc != -ENOENT)
		return rc;

	switch (p->op) {
	case MDS_XSHARD_MKDIR:
		rc = prep_mkdir(sh, p, &in);
		break;
	case MDS_XSHARD_RMDIR:
		rc = prep_rmdir(txn, sh, p, &in);
		break;
	case MDS_XSHARD_NLINK:
		rc = prep_nlink(txn, sh, p, &in);
		break;
	case MDS_XSHARD_MOVED:
		rc = prep_moved(txn, sh, p, &in);
		break;
	case MDS_XSHARD_ENTRY:
		rc = prep_entry(txn, sh, p, &in);
		break;
	case MDS_XSHARD_DIRMOVE:
		rc = mds_inode_get(txn, sh, MDS_ROOT_INO, &in);
		if (!rc)
			rc = mds_xmove_hold(txn, sh, p->intent, p->expect);
		break;
	default:
		rc = -EINVAL;
	}
	if (rc)
		return rc;
	memset(&r, 0, sizeof(r));
	r.op = p->op;
	r.state = XPREP_PREPARED;
	r.ino = p->op == MDS_XSHARD_MKDIR ? in.ino : p->ino;
	if (p->op == MDS_XSHARD_DIRMOVE)
		r.ino = MDS_ROOT_INO; /* the answer's inode */
	r.parent = p->parent;
	r.expect = p->expect;
	r.delta = p->delta;
	r.type = p->type;
	r.len = p->len;
	if (p->len)
		memcpy(r.name, p->name, p->len);
	rc = p->op == MDS_XSHARD_DIRMOVE ? 0 : mds_inode_put(txn, sh, &in);
	if (!rc)
		rc = xrec_put(txn, sh, p->intent, (int)p->slot, &r);
	if (rc)
		return rc;
done:
	mds_inode_to_attr(&in, &op->attr);
	op->has_attr = true;
	return 0;
}

/* ---- commit, abort ---- */

static int commit_entry(MDB_txn *txn, struct mds_shard *sh,
			const struct xprep_rec *r, struct mds_inode *dir)
{
	struct mds_dentry de;
	int rc;

	rc = mds_dentry_get(txn, sh, r->parent, r->name, r->len, &de);
	if (rc && rc != -ENOENT)
		return rc;
	if (!rc && r->ino)
		/* a replaced name stays listed: keep its cookie */
		rc = mds_dentry_repoint(txn, sh, r->parent, r->name, r->len,
					de.cookie, r->ino, r->type);
	else if (!rc)
		rc = mds_dentry_del(txn, sh, r->parent, r->name, r->len,
				    de.cookie);
	else if (r->ino)
		rc = mds_dentry_add(txn, sh, dir, r->name, r->len, r->ino,
				    r->type);
	else
		rc = 0;
	if (rc)
		return rc;
	dir->nlink = (u32)((s64)dir->nlink + r->delta);
	mds_now(&dir->mtime);
	dir->ctime = dir->mtime;
	return 0;
}

/* Commits or aborts one prepared action. */
static int finish_one(MDB_txn *txn, struct mds_shard *sh, u64 intent,
		      const struct xprep_rec *r, bool commit)
{
	struct mds_inode in;
	int rc;

	if (r->op == MDS_XSHARD_DIRMOVE)
		return mds_xmove_release(txn, sh, intent, commit);
	rc = mds_inode_get(txn, sh,
			   r->op == MDS_XSHARD_ENTRY ? r->parent : r->ino, &in);
	if (rc == -ESTALE)
		return 0; /* nothing left to change */
	if (rc)
		return rc;
	switch (r->op) {
	case MDS_XSHARD_MKDIR:
		return commit ? 0 : mds_inode_release(txn, sh, &in);
	case MDS_XSHARD_RMDIR:
		if (commit)
			return mds_inode_release(txn, sh, &in);
		in.flags &= ~MDS_INO_F_DYING;
		break;
	case MDS_XSHARD_NLINK:
		if (commit == (r->delta < 0))
			return mds_drop_link(txn, sh, &in);
		return 0;
	case MDS_XSHARD_MOVED:
		if (commit) {
			mds_now(&in.ctime);
			if (r->parent && S_ISDIR(in.mode))
				in.parent = r->parent;
		}
		in.flags &= ~MDS_INO_F_XLOCK;
		break;
	case MDS_XSHARD_ENTRY:
		if (commit) {
			rc = commit_entry(txn, sh, r, &in);
			if (rc)
				return rc;
		}
		in.flags &= ~MDS_INO_F_XLOCK;
		break;
	default:
		return -EUCLEAN;
	}
	return mds_inode_put(txn, sh, &in);
}

struct finish_arg {
	u64 intent;
	bool commit;
};

static int finish_apply(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op)
{
	const struct finish_arg *a = op->arg;
	struct xprep_rec r;
	int rc, slot = 0;

	rc = xrec_get(txn, sh, a->intent, -1, &r);
	if (!rc)
		return a->commit ? -ECANCELED : 0; /* aborted before */
	if (rc != -ENOENT)
		return rc;
	while (!(rc = xrec_first(txn, sh, a->intent, &slot, &r))) {
		rc = finish_one(txn, sh, a->intent, &r, a->commit);
		if (!rc)
			rc = xrec_del(txn, sh, a->intent, slot);
		if (rc)
			return rc;
	}
	if (rc != -ENOENT)
		return rc;
	if (a->commit)
		return 0; /* done, now or before */
	/* refuse a late prepare of this intent */
	memset(&r, 0, sizeof(r));
	r.state = XPREP_ABORTED;
	return xrec_put(txn, sh, a->intent, -1, &r);
}

/* ---- reads ---- */

static int probe(struct mds_engine *eng, const struct mds_xprep *p,
		 struct mds_xans *out)
{
	struct mds_shard *sh;
	struct mds_inode dir;
	struct mds_dentry de;
	MDB_txn *txn;
	int rc;

	rc = mds_name_check(p->name, p->len);
	if (!rc)
		rc = mds_read_begin(eng, p->parent, &sh, &txn);
	if (rc)
		return rc;
	rc = mds_inode_get(txn, sh, p->parent, &dir);
	if (!rc && !S_ISDIR(dir.mode))
		rc = -ENOTDIR;
	if (!rc && (dir.flags & MDS_INO_F_DYING))
		rc = -ENOENT;
	if (!rc) {
		mds_inode_to_attr(&dir, &out->attr);
		rc = mds_dentry_get(txn, sh, p->parent, p->name, p->len, &de);
		if (!rc) {
			out->entry_ino = de.ino;
			out->entry_type = de.type;
		} else if (rc == -ENOENT) {
			rc = 0;
		}
	}
	mdb_txn_abort(txn);
	return rc;
}

int mds_xprep_walk(struct mds_engine *eng, u64 dir, u64 anc, u64 *next)
{
	struct mds_shard *sh;
	struct mds_inode in;
	MDB_txn *txn;
	u32 depth;
	int rc;

	for (depth = 0; depth < MDS_WALK_MAX; depth++) {
		if (dir == anc)
			return -EINVAL;
		if (dir == MDS_ROOT_INO)
			break;
		if (!mds_shard_of(eng, dir)) {
			*next = dir; /* the rest of the way is elsewhere */
			return 0;
		}
		rc = mds_read_begin(eng, dir, &sh, &txn);
		if (rc)
			return rc;
		rc = mds_inode_get(txn, sh, dir, &in);
		mdb_txn_abort(txn);
		if (rc)
			return rc;
		if (in.parent == dir)
			break;
		dir = in.parent;
	}
	if (depth == MDS_WALK_MAX)
		return -ELOOP;
	*next = 0;
	return 0;
}

/* ---- entry points ---- */

/* Whether the inode acted on is the asked shard's. */
static bool on_shard(const struct mds_xprep *p)
{
	switch (p->op) {
	case MDS_XSHARD_MKDIR:
		return true;
	case MDS_XSHARD_ENTRY:
	case MDS_XSHARD_PROBE:
		return mds_ino_shard(p->parent) == p->shard;
	case MDS_XSHARD_DIRMOVE:
	case MDS_XSHARD_MOVEGEN:
		return p->shard == MDS_XMOVE_SHARD;
	default:
		return mds_ino_shard(p->ino) == p->shard;
	}
}

static bool is_read(u32 op)
{
	return op == MDS_XSHARD_PROBE || op == MDS_XSHARD_WALK;
}

int mds_xprep_prepare(struct mds_engine *eng, const struct mds_xprep *p,
		      struct mds_xans *out)
{
	static const char *const points[] = {
		[MDS_XSHARD_MKDIR] = "mkdir-peer-prepared",
		[MDS_XSHARD_RMDIR] = "rmdir-peer-prepared",
		[MDS_XSHARD_NLINK] = "nlink-peer-prepared",
		[MDS_XSHARD_MOVED] = "moved-peer-prepared",
		[MDS_XSHARD_ENTRY] = "entry-peer-prepared",
		[MDS_XSHARD_DIRMOVE] = "dirmove-peer-prepared",
	};
	struct mds_op op;
	int rc;

	memset(out, 0, sizeof(*out));
	if (p->op < MDS_XSHARD_MKDIR || p->op > MDS_XSHARD_MOVEGEN ||
	    p->slot >= MDS_XSHARD_SLOTS || p->delta < -1 || p->delta > 1 ||
	    p->len > MDS_NAME_MAX)
		return -EINVAL;
	if (p->op == MDS_XSHARD_WALK) {
		/* the answer carries the start directory's attributes */
		rc = mds_xprep_walk(eng, p->ino, p->parent, &out->entry_ino);
		return rc ? rc : mds_getattr(eng, p->ino, &out->attr);
	}
	if (!on_shard(p))
		return -EINVAL;
	if (p->op == MDS_XSHARD_MOVEGEN) {
		rc = mds_xmove_peek(eng, &out->entry_ino);
		return rc ? rc : mds_getattr(eng, MDS_ROOT_INO, &out->attr);
	}
	if (is_read(p->op))
		return probe(eng, p, out);
	rc = mds_run(eng, mds_ino_make(p->shard, 0), NULL, NULL, MDS_OP_OTHER,
		     prepare_apply, (void *)p, &op);
	if (rc)
		return rc;
	if (mds_crashpoint(points[p->op]))
		return -EINTR;
	out->attr = op.attr;
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
