// SPDX-License-Identifier: GPL-2.0
/*
 * rename(2) across shards. The old parent's shard coordinates (the request
 * goes there) and changes the old entry; the new parent's shard sets the
 * new one (ENTRY), the renamed inode's shard takes the new ctime and, for
 * a directory, its new parent (MOVED), and the replaced inode's shard
 * drops a link or removes the empty directory (NLINK, RMDIR; MOVED with
 * RENAME_EXCHANGE). Each of them may be the coordinator's own shard, whose
 * part is then written in its commit. The loop check of a directory that
 * moves walks the new parent's ancestors across shards; the directory-move
 * record (DIRMOVE, xmove.c) makes sure no other directory moved meanwhile.
 * A directory moving within one shard other than the root's also comes
 * here, with DIRMOVE as its only participant.
 */
#include "record.h"

struct xren {
	u64 op, np;
	const char *on, *nn;
	size_t ol, nl;
	u32 flags;
	bool force;
	/* planned */
	u16 c, n; /* the old and new parent's shards */
	struct mds_dentry ode, nde; /* nde.ino 0: no target */
	bool same, exchange, exists, srcdir, dstdir;
	bool moves; /* a directory goes to another parent */
	u64 movegen; /* the directory-move generation its loop check saw */
	int sslot, dslot, nslot; /* actions, or -1 */
};

/* What the coordinator's transactions see. */
struct xren_state {
	struct mds_inode odir, ndir, src, dst, *od, *nd;
	u64 ocookie, ncookie;
};

static bool is_dir(const struct mds_dentry *de)
{
	return de->type == mds_mode_dtype(S_IFDIR);
}

static int rename_plan(struct mds_engine *eng, const struct mds_creds *cr,
		       struct mds_xrun *x)
{
	struct xren *r = x->ctx;
	struct mds_xprep p = { .op = MDS_XSHARD_PROBE };
	struct mds_shard *sh;
	struct mds_inode dir;
	struct mds_xans a;
	MDB_txn *txn;
	bool local;
	int rc;

	r->c = mds_ino_shard(r->op);
	r->n = mds_ino_shard(r->np);
	r->same = r->op == r->np;
	r->exchange = r->flags & MDS_RENAME_EXCHANGE;
	memset(&r->nde, 0, sizeof(r->nde));
	rc = mds_read_begin(eng, r->op, &sh, &txn);
	if (rc)
		return rc;
	rc = mds_dir_get(txn, sh, cr, r->op, MAY_WRITE | MAY_EXEC, &dir);
	if (!rc && r->n == r->c && !r->same)
		rc = mds_dir_get(txn, sh, cr, r->np, MAY_WRITE | MAY_EXEC, &dir);
	if (!rc)
		rc = mds_dentry_get(txn, sh, r->op, r->on, r->ol, &r->ode);
	if (!rc && r->n == r->c) {
		rc = mds_dentry_get(txn, sh, r->np, r->nn, r->nl, &r->nde);
		if (rc == -ENOENT)
			rc = 0;
	}
	mdb_txn_abort(txn);
	if (!rc && r->n != r->c) {
		p.shard = r->n;
		p.parent = r->np;
		p.name = r->nn;
		p.len = r->nl;
		rc = mds_xpeer_prepare(eng, &p, &a);
		if (!rc) {
			mds_attr_to_inode(&a.attr, &dir);
			rc = mds_permission(cr, &dir, MAY_WRITE | MAY_EXEC);
		}
		r->nde.ino = a.entry_ino;
		r->nde.type = a.entry_type;
	}
	if (rc)
		return rc;
	if (r->same && r->ol == r->nl && !memcmp(r->on, r->nn, r->ol))
		return MDS_XPLAN_DONE;
	r->exists = r->nde.ino != 0;
	if ((r->flags & MDS_RENAME_NOREPLACE) && r->exists)
		return -EEXIST;
	if (r->exchange && !r->exists)
		return -ENOENT;
	/* both names are links to one inode: nothing to do */
	if (r->exists && r->nde.ino == r->ode.ino)
		return MDS_XPLAN_DONE;
	r->srcdir = is_dir(&r->ode);
	r->dstdir = r->exists && is_dir(&r->nde);
	if (r->exists && !r->exchange && r->srcdir != r->dstdir)
		return r->srcdir ? -ENOTDIR : -EISDIR;

	r->moves = !r->same && (r->srcdir || (r->exchange && r->dstdir));
	local = r->n == r->c && mds_ino_shard(r->ode.ino) == r->c &&
		(!r->exists || mds_ino_shard(r->nde.ino) == r->c);
	/* moving a directory needs the record of the root's shard */
	if (local && !r->force && (!r->moves || r->c == MDS_XMOVE_SHARD))
		return 1;
	if (r->moves) {
		/* read before the loop check, checked again at prepare */
		memset(&p, 0, sizeof(p));
		p.op = MDS_XSHARD_MOVEGEN;
		p.shard = MDS_XMOVE_SHARD;
		rc = mds_xpeer_prepare(eng, &p, &a);
		if (rc)
			return rc;
		r->movegen = a.entry_ino;
	}
	/* a directory that moves must not go below itself */
	if (!r->same && r->srcdir) {
		rc = mds_xwalk(eng, r->np, r->ode.ino);
		if (rc)
			return rc;
	}
	if (!r->same && r->exchange && r->dstdir)
		return mds_xwalk(eng, r->op, r->nde.ino);
	return 0;
}

/*
 * The coordinator's view, checked again in each of its transactions;
 * final: in the commit, with the participants' answers.
 */
static int validate(struct mds_shard *sh, MDB_txn *txn, struct mds_xrun *x,
		    const struct mds_creds *cr, struct xren_state *v,
		    bool final)
{
	struct xren *r = x->ctx;
	struct mds_dentry de;
	int rc;

	v->od = &v->odir;
	v->nd = r->same ? v->od : &v->ndir;
	rc = mds_dir_get(txn, sh, cr, r->op, MAY_WRITE | MAY_EXEC, v->od);
	if (!rc && r->n == r->c && !r->same)
		rc = mds_dir_get(txn, sh, cr, r->np, MAY_WRITE | MAY_EXEC,
				 v->nd);
	if (!rc)
		rc = mds_dentry_get(txn, sh, r->op, r->on, r->ol, &de);
	if (rc)
		return rc;
	if (de.ino != r->ode.ino)
		return -EINPROGRESS; /* changed since the plan */
	v->ocookie = de.cookie;
	if (r->n == r->c) {
		rc = mds_dentry_get(txn, sh, r->np, r->nn, r->nl, &de);
		if (rc && rc != -ENOENT)
			return rc;
		if (rc ? r->exists : de.ino != r->nde.ino)
			return -EINPROGRESS;
		v->ncookie = rc ? 0 : de.cookie;
		rc = 0;
	}
	if (r->sslot < 0) {
		rc = mds_inode_get(txn, sh, r->ode.ino, &v->src);
		if (!rc && r->srcdir && (v->src.flags & MDS_INO_F_XLOCK))
			rc = -EINPROGRESS;
	} else if (final) {
		mds_attr_to_inode(&x->ans[r->sslot].attr, &v->src);
	}
	if (!rc && r->exists && r->dslot < 0) {
		rc = mds_inode_get(txn, sh, r->nde.ino, &v->dst);
		if (!rc && r->dstdir &&
		    (v->dst.flags & (MDS_INO_F_XLOCK | MDS_INO_F_DYING)))
			rc = -EINPROGRESS;
		if (!rc && r->dstdir && !r->exchange) {
			rc = mds_dir_has_entries(txn, sh, r->nde.ino);
			if (rc)
				rc = rc < 0 ? rc : -ENOTEMPTY;
		}
	} else if (final && r->exists) {
		mds_attr_to_inode(&x->ans[r->dslot].attr, &v->dst);
	}
	if (rc || !final)
		return rc;

	if (r->nslot >= 0) {
		mds_attr_to_inode(&x->ans[r->nslot].attr, v->nd);
		rc = mds_permission(cr, v->nd, MAY_WRITE | MAY_EXEC);
	}
	if (!rc)
		rc = mds_may_delete(cr, v->od, &v->src);
	if (!rc && r->exists)
		rc = mds_may_delete(cr, v->nd, &v->dst);
	/* a directory moved: its ".." changes */
	if (!rc && !r->same && r->srcdir)
		rc = mds_permission(cr, &v->src, MAY_WRITE);
	if (!rc && !r->same && r->exchange && r->dstdir)
		rc = mds_permission(cr, &v->dst, MAY_WRITE);
	if (rc)
		return rc;
	if (r->n == r->c && !r->same && r->srcdir && !r->dstdir &&
	    v->nd->nlink >= MDS_LINK_MAX)
		return -EMLINK;
	if (!r->same && r->exchange && r->dstdir && !r->srcdir &&
	    v->od->nlink >= MDS_LINK_MAX)
		return -EMLINK;
	return 0;
}

static struct mds_xprep *add_act(struct mds_xrun *x, u32 op, u16 shard,
				 u64 ino, int *slot)
{
	struct mds_xprep *p = &x->act[x->nr];

	memset(p, 0, sizeof(*p));
	p->op = op;
	p->shard = shard;
	p->ino = ino;
	*slot = (int)x->nr++;
	return p;
}

static int rename_begin(struct mds_shard *sh, MDB_txn *txn, struct mds_xrun *x,
			struct mds_op *op)
{
	struct xren *r = x->ctx;
	struct xren_state v;
	struct mds_xprep *p;
	u16 s = mds_ino_shard(r->ode.ino), d = mds_ino_shard(r->nde.ino);
	int rc, slot;

	r->sslot = r->dslot = r->nslot = -1;
	if (r->n != r->c) {
		p = add_act(x, MDS_XSHARD_ENTRY, r->n, r->ode.ino, &r->nslot);
		p->parent = r->np;
		p->name = r->nn;
		p->len = r->nl;
		p->expect = r->nde.ino;
		p->type = r->ode.type;
		p->delta = (r->srcdir ? 1 : 0) - (r->dstdir ? 1 : 0);
	}
	if (s != r->c) {
		p = add_act(x, MDS_XSHARD_MOVED, s, r->ode.ino, &r->sslot);
		p->parent = r->srcdir && !r->same ? r->np : 0;
	}
	if (r->exists && d != r->c) {
		if (r->exchange) {
			p = add_act(x, MDS_XSHARD_MOVED, d, r->nde.ino,
				    &r->dslot);
			p->parent = r->dstdir && !r->same ? r->op : 0;
		} else if (r->dstdir) {
			add_act(x, MDS_XSHARD_RMDIR, d, r->nde.ino, &r->dslot);
		} else {
			p = add_act(x, MDS_XSHARD_NLINK, d, r->nde.ino,
				    &r->dslot);
			p->delta = -1;
		}
	}
	if (r->moves) {
		p = add_act(x, MDS_XSHARD_DIRMOVE, MDS_XMOVE_SHARD, 0, &slot);
		p->expect = r->movegen;
	}
	rc = validate(sh, txn, x, op->cr, &v, false);
	if (rc)
		x->nr = 0;
	return rc;
}

/* The entries on the coordinator's shard. */
static int write_entries(struct mds_shard *sh, MDB_txn *txn,
			 const struct xren *r, struct xren_state *v)
{
	int rc;

	if (r->exchange) {
		rc = mds_dentry_repoint(txn, sh, r->op, r->on, r->ol,
					v->ocookie, r->nde.ino, r->nde.type);
		if (!rc && r->n == r->c)
			rc = mds_dentry_repoint(txn, sh, r->np, r->nn, r->nl,
						v->ncookie, r->ode.ino,
						r->ode.type);
		return rc;
	}
	rc = mds_dentry_del(txn, sh, r->op, r->on, r->ol, v->ocookie);
	if (rc || r->n != r->c)
		return rc;
	if (r->exists)
		/* the name stays listed: keep its cookie */
		return mds_dentry_repoint(txn, sh, r->np, r->nn, r->nl,
					  v->ncookie, r->ode.ino, r->ode.type);
	return mds_dentry_add(txn, sh, v->nd, r->nn, r->nl, r->ode.ino,
			      r->ode.type);
}

/* The inodes on the coordinator's shard. */
static int write_inodes(struct mds_shard *sh, MDB_txn *txn,
			const struct xren *r, struct xren_state *v,
			const struct mds_time *now)
{
	int rc = 0;

	if (r->sslot < 0) {
		v->src.ctime = *now;
		if (r->srcdir && !r->same)
			v->src.parent = r->np;
		rc = mds_inode_put(txn, sh, &v->src);
	}
	if (rc || !r->exists || r->dslot >= 0)
		return rc;
	if (r->exchange) {
		v->dst.ctime = *now;
		if (r->dstdir && !r->same)
			v->dst.parent = r->op;
		return mds_inode_put(txn, sh, &v->dst);
	}
	if (r->dstdir)
		return mds_inode_release(txn, sh, &v->dst);
	return mds_drop_link(txn, sh, &v->dst);
}

static int rename_commit(struct mds_shard *sh, MDB_txn *txn,
			 struct mds_xrun *x, struct mds_op *op)
{
	struct xren *r = x->ctx;
	bool local_n = r->n == r->c;
	struct xren_state v;
	struct mds_time now;
	int rc;

	rc = validate(sh, txn, x, op->cr, &v, true);
	if (rc)
		return rc;
	rc = write_entries(sh, txn, r, &v);
	if (rc)
		return rc;
	if (!r->same && r->srcdir) {
		v.od->nlink--;
		if (local_n)
			v.nd->nlink++;
	}
	if (!r->same && r->exchange && r->dstdir) {
		v.od->nlink++;
		if (local_n)
			v.nd->nlink--;
	}
	if (!r->exchange && r->dstdir && local_n)
		v.nd->nlink--;
	mds_now(&now);
	rc = write_inodes(sh, txn, r, &v, &now);
	if (rc)
		return rc;
	v.od->mtime = v.od->ctime = now;
	rc = mds_inode_put(txn, sh, v.od);
	if (!rc && local_n && !r->same) {
		v.nd->mtime = v.nd->ctime = now;
		rc = mds_inode_put(txn, sh, v.nd);
	}
	op->has_attr = false;
	return rc;
}

static const struct mds_xkind rename_kind = {
	.step = "rename",
	.kind = MDS_OP_RENAME,
	.plan = rename_plan,
	.begin = rename_begin,
	.commit = rename_commit,
};

int mds_xrename(struct mds_engine *eng, const struct mds_creds *cr,
		const struct mds_req *req, u64 old_parent, const char *old_name,
		size_t old_len, u64 new_parent, const char *new_name,
		size_t new_len, u32 flags, bool force)
{
	struct xren r = {
		.op = old_parent,
		.np = new_parent,
		.on = old_name,
		.nn = new_name,
		.ol = old_len,
		.nl = new_len,
		.flags = flags,
		.force = force,
	};
	return mds_xdrive(eng, cr, req, &rename_kind, old_parent, &r, NULL);
}
