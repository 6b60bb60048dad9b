// SPDX-License-Identifier: GPL-2.0
/*
 * The coordinator half of cross-shard mkdir and rmdir, and the recovery of
 * logged intents. The parent's shard logs an intent (PENDING), has the
 * other shard prepare, inserts or removes the entry and marks the intent
 * COMMITTED in one transaction, then has the other shard commit and drops
 * the intent. Recovery finishes COMMITTED intents and aborts PENDING ones,
 * so after a crash of either side no orphan inode or dangling entry stays.
 */
#include <stdio.h>
#include <stdlib.h>

#include "leofs/placement.h"
#include "record.h"

#define XINTENT_HDR   28 /* op 4, state 4, peer 4, ino 8, parent 8 */
#define RECOVER_BATCH 64

enum xintent_state {
	XINTENT_PENDING = 1,
	XINTENT_COMMITTED = 2,
};

bool (*mds_crash_hook)(const char *point);

void mds_engine_set_xshard(struct mds_engine *eng,
			   const struct mds_xshard_ops *ops)
{
	if (ops)
		eng->xops = *ops;
	else
		memset(&eng->xops, 0, sizeof(eng->xops));
}

/* ---- intents driven by a request: kept from the recovery ---- */

static int busy_add(struct mds_engine *eng, u64 id)
{
	u64 *n;

	pthread_mutex_lock(&eng->xlock);
	if (eng->nr_xbusy == eng->xbusy_cap) {
		n = realloc(eng->xbusy, (eng->xbusy_cap * 2 + 16) * sizeof(*n));
		if (!n) {
			pthread_mutex_unlock(&eng->xlock);
			return -ENOMEM;
		}
		eng->xbusy = n;
		eng->xbusy_cap = eng->xbusy_cap * 2 + 16;
	}
	eng->xbusy[eng->nr_xbusy++] = id;
	pthread_mutex_unlock(&eng->xlock);
	return 0;
}

/* Claims id for the recovery: false if a request drives it. */
static bool busy_claim(struct mds_engine *eng, u64 id)
{
	u32 i;

	pthread_mutex_lock(&eng->xlock);
	for (i = 0; i < eng->nr_xbusy; i++)
		if (eng->xbusy[i] == id) {
			pthread_mutex_unlock(&eng->xlock);
			return false;
		}
	pthread_mutex_unlock(&eng->xlock);
	return !busy_add(eng, id);
}

static void busy_del(struct mds_engine *eng, u64 id)
{
	u32 i;

	pthread_mutex_lock(&eng->xlock);
	for (i = 0; i < eng->nr_xbusy; i++)
		if (eng->xbusy[i] == id) {
			eng->xbusy[i] = eng->xbusy[--eng->nr_xbusy];
			break;
		}
	pthread_mutex_unlock(&eng->xlock);
}

/* ---- the participant, local or remote ---- */

static bool local(struct mds_engine *eng, u16 shard)
{
	return mds_shard_of(eng, mds_ino_make(shard, 0)) != NULL;
}

static int peer_prepare(struct mds_engine *eng, const struct mds_xprep *p,
			struct mds_attr *out)
{
	if (local(eng, p->shard))
		return mds_xprep_prepare(eng, p, out);
	if (!eng->xops.prepare)
		return -EXDEV;
	return eng->xops.prepare(eng->xops.arg, p, out);
}

static int peer_finish(struct mds_engine *eng, u16 shard, u64 intent,
		       bool commit)
{
	if (local(eng, shard))
		return mds_xprep_finish(eng, shard, intent, commit);
	if (!eng->xops.finish)
		return -EXDEV;
	return eng->xops.finish(eng->xops.arg, shard, intent, commit);
}

int mds_xshard_prepare(struct mds_engine *eng, const struct mds_xprep *p,
		       struct mds_attr *out)
{
	if (!local(eng, p->shard))
		return -EXDEV;
	return mds_xprep_prepare(eng, p, out);
}

int mds_xshard_finish(struct mds_engine *eng, u16 shard, u64 intent,
		      bool commit)
{
	if (!local(eng, shard))
		return -EXDEV;
	return mds_xprep_finish(eng, shard, intent, commit);
}

/* ---- the intent log ---- */

struct xintent {
	u64 id;
	u32 op;
	u32 state;
	u16 peer;
	u64 ino;
	u64 parent;
	const char *name;
	size_t len;
};

static int intent_put(MDB_txn *txn, struct mds_shard *sh,
		      const struct xintent *x)
{
	u8 k[8], v[XINTENT_HDR + MDS_NAME_MAX];
	MDB_val key = { 8, k }, val = { XINTENT_HDR + x->len, v };
	int rc;

	mds_put_be64(x->id, k);
	put_unaligned_le32(x->op, v);
	put_unaligned_le32(x->state, v + 4);
	put_unaligned_le32(x->peer, v + 8);
	put_unaligned_le64(x->ino, v + 12);
	put_unaligned_le64(x->parent, v + 20);
	memcpy(v + XINTENT_HDR, x->name, x->len);
	rc = mdb_put(txn, sh->intents, &key, &val, 0);
	return rc ? mds_store_fail(sh, rc) : 0;
}

static int intent_decode(const MDB_val *key, const MDB_val *val,
			 struct xintent *x)
{
	const u8 *v = val->mv_data;

	if (key->mv_size != 8 || val->mv_size < XINTENT_HDR ||
	    val->mv_size > XINTENT_HDR + MDS_NAME_MAX)
		return -EUCLEAN;
	x->id = mds_get_be64(key->mv_data);
	x->op = get_unaligned_le32(v);
	x->state = get_unaligned_le32(v + 4);
	x->peer = (u16)get_unaligned_le32(v + 8);
	x->ino = get_unaligned_le64(v + 12);
	x->parent = get_unaligned_le64(v + 20);
	x->name = (const char *)v + XINTENT_HDR;
	x->len = val->mv_size - XINTENT_HDR;
	return 0;
}

static int forget_apply(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op)
{
	const u64 *id = op->arg;
	u8 k[8];
	MDB_val key = { 8, k };
	int rc;

	mds_put_be64(*id, k);
	rc = mdb_del(txn, sh->intents, &key, NULL);
	return rc && rc != MDB_NOTFOUND ? mds_store_fail(sh, rc) : 0;
}

static int intent_forget(struct mds_engine *eng, u64 id)
{
	struct mds_op op;

	return mds_run(eng, id, NULL, NULL, MDS_OP_OTHER, forget_apply, &id,
		       &op);
}

/* Aborts at the participant, then drops the intent (else recovery will). */
static void abort_intent(struct mds_engine *eng, u16 peer, u64 id)
{
	if (!peer_finish(eng, peer, id, false))
		intent_forget(eng, id);
}

/* ---- step 1: log the intent ---- */

struct xop {
	/* in */
	u32 op;
	u64 parent;
	const char *name;
	size_t len;
	u32 mode; /* mkdir */
	u16 peer;
	u64 ino; /* rmdir: the directory */
	const struct mds_req *req; /* replays are answered from the cache */
	/* out */
	u64 id;
	bool replayed;
	struct mds_xprep prep;
	struct mds_inode dir;
};

static int begin_apply(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op)
{
	struct xop *x = op->arg;
	struct mds_inode tmpl;
	struct mds_dentry de;
	struct xintent in;
	struct mds_op cached;
	int rc;

	if (x->req && x->req->session) {
		memset(&cached, 0, sizeof(cached));
		cached.req = x->req;
		cached.kind =
			x->op == MDS_XSHARD_MKDIR ? MDS_OP_MKDIR : MDS_OP_RMDIR;
		rc = mds_rcache_get(txn, sh, &cached);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			x->replayed = true;
			op->attr = cached.attr;
			op->has_attr = cached.has_attr;
			return cached.rc;
		}
	}
	rc = mds_dir_get(txn, sh, op->cr, x->parent, MAY_WRITE | MAY_EXEC,
			 &x->dir);
	if (rc)
		return rc;
	rc = mds_dentry_get(txn, sh, x->parent, x->name, x->len, &de);
	if (rc && rc != -ENOENT)
		return rc;
	if (x->op == MDS_XSHARD_MKDIR) {
		if (!rc)
			return -EEXIST;
		if (x->dir.nlink >= MDS_LINK_MAX)
			return -EMLINK;
		mds_inode_init(op->cr, &x->dir, x->mode, &tmpl);
		x->prep.mode = tmpl.mode;
		x->prep.uid = tmpl.uid;
		x->prep.gid = tmpl.gid;
		x->prep.layout = tmpl.layout;
		x->prep.parent = x->parent;
	} else {
		if (rc)
			return rc;
		if (de.ino != x->ino)
			return -EAGAIN; /* replaced meanwhile */
		x->prep.ino = x->ino;
	}
	x->id = mds_ino_make(sh->id, sh->next_intent++);
	sh->counters_dirty = true;
	x->prep.intent = x->id;
	x->prep.shard = x->peer;
	x->prep.op = x->op;
	in.id = x->id;
	in.op = x->op;
	in.state = XINTENT_PENDING;
	in.peer = x->peer;
	in.ino = x->ino;
	in.parent = x->parent;
	in.name = x->name;
	in.len = x->len;
	rc = busy_add(sh->eng, x->id);
	if (rc)
		return rc;
	rc = intent_put(txn, sh, &in);
	if (rc)
		busy_del(sh->eng, x->id);
	return rc;
}

/* ---- step 3: the entry, and the intent committed ---- */

static int commit_apply(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op)
{
	struct xop *x = op->arg;
	struct mds_inode dir, victim = { 0 };
	struct mds_dentry de;
	struct xintent in;
	int rc;

	rc = mds_dir_get(txn, sh, op->cr, x->parent, MAY_WRITE | MAY_EXEC,
			 &dir);
	if (rc)
		return rc;
	rc = mds_dentry_get(txn, sh, x->parent, x->name, x->len, &de);
	if (rc && rc != -ENOENT)
		return rc;
	if (x->op == MDS_XSHARD_MKDIR) {
		if (!rc)
			return -EEXIST;
		if (dir.nlink >= MDS_LINK_MAX)
			return -EMLINK;
		rc = mds_dentry_add(txn, sh, &dir, x->name, x->len,
				    op->attr.ino, mds_mode_dtype(S_IFDIR));
		dir.nlink++;
	} else {
		if (rc)
			return rc;
		if (de.ino != x->ino)
			return -EAGAIN;
		victim.ino = x->ino;
		victim.uid = op->attr.uid;
		victim.mode = op->attr.mode;
		rc = mds_may_delete(op->cr, &dir, &victim);
		if (rc)
			return rc;
		rc = mds_dentry_del(txn, sh, x->parent, x->name, x->len,
				    de.cookie);
		dir.nlink--;
	}
	if (rc)
		return rc;
	mds_now(&dir.mtime);
	dir.ctime = dir.mtime;
	rc = mds_inode_put(txn, sh, &dir);
	if (rc)
		return rc;
	in.id = x->id;
	in.op = x->op;
	in.state = XINTENT_COMMITTED;
	in.peer = x->peer;
	in.ino = op->attr.ino;
	in.parent = x->parent;
	in.name = x->name;
	in.len = x->len;
	rc = intent_put(txn, sh, &in);
	if (!rc && x->op == MDS_XSHARD_MKDIR)
		op->has_attr = true;
	else
		op->has_attr = false; /* rmdir answers a status only */
	return rc;
}

/* Crash point of a step; true: stop as if the process had died there. */
static bool stop_at(const struct xop *x, const char *step)
{
	char point[32];

	snprintf(point, sizeof(point), "%s-%s",
		 x->op == MDS_XSHARD_MKDIR ? "mkdir" : "rmdir", step);
	return mds_crashpoint(point);
}

static int run_xop(struct mds_engine *eng, const struct mds_creds *cr,
		   const struct mds_req *req, struct xop *x,
		   struct mds_attr *out)
{
	struct mds_op op;
	struct mds_attr attr;
	int rc;

	x->req = req;
	rc = mds_run(eng, x->parent, cr, NULL, MDS_OP_OTHER, begin_apply, x,
		     &op);
	if (x->replayed) {
		if (!rc && out && op.has_attr)
			*out = op.attr;
		return rc;
	}
	if (rc) {
		if (x->id)
			busy_del(eng, x->id);
		return rc;
	}
	if (stop_at(x, "intent"))
		goto crashed;

	rc = peer_prepare(eng, &x->prep, &attr);
	if (rc == -EINTR)
		goto crashed; /* the participant stopped (tests) */
	if (rc) {
		abort_intent(eng, x->peer, x->id);
		goto out;
	}
	if (stop_at(x, "prepared"))
		goto crashed;

	memset(&op, 0, sizeof(op));
	op.apply = commit_apply;
	op.arg = x;
	op.cr = cr;
	op.req = req;
	op.kind = x->op == MDS_XSHARD_MKDIR ? MDS_OP_MKDIR : MDS_OP_RMDIR;
	op.attr = attr;
	rc = mds_submit(mds_shard_of(eng, x->parent), &op);
	if (rc) {
		abort_intent(eng, x->peer, x->id);
		goto out;
	}
	if (out && x->op == MDS_XSHARD_MKDIR)
		*out = attr;
	if (stop_at(x, "committed"))
		goto crashed;

	/* the reply may go now; what is left, recovery would also do */
	if (!peer_finish(eng, x->peer, x->id, true)) {
		if (stop_at(x, "finished"))
			goto crashed;
		intent_forget(eng, x->id);
	}
out:
	busy_del(eng, x->id);
	return rc;
crashed:
	busy_del(eng, x->id);
	return -EINTR;
}

/* The shard a new directory named name under parent goes to. */
static bool place(struct mds_engine *eng, u64 parent, const char *name,
		  size_t len, u16 *shard)
{
	const struct leofs_map *map = mds_map_get(eng);
	int rc = map ? leofs_dir_shard(map, parent, name, len, shard) : -ENOENT;

	mds_map_put(eng);
	return !rc;
}

int mds_xmkdir(struct mds_engine *eng, const struct mds_creds *cr,
	       const struct mds_req *req, u64 parent, const char *name,
	       size_t len, u32 mode, struct mds_attr *out)
{
	struct xop x = {
		.op = MDS_XSHARD_MKDIR,
		.parent = parent,
		.name = name,
		.len = len,
		.mode = mode,
	};

	if (!place(eng, parent, name, len, &x.peer) ||
	    x.peer == mds_ino_shard(parent) || !mds_shard_of(eng, parent))
		return 1;
	return run_xop(eng, cr, req, &x, out);
}

int mds_xrmdir(struct mds_engine *eng, const struct mds_creds *cr,
	       const struct mds_req *req, u64 parent, const char *name,
	       size_t len)
{
	struct xop x = {
		.op = MDS_XSHARD_RMDIR,
		.parent = parent,
		.name = name,
		.len = len,
	};
	struct mds_shard *sh;
	struct mds_dentry de;
	MDB_txn *txn;
	int rc;

	if (mds_read_begin(eng, parent, &sh, &txn))
		return 1;
	rc = mds_dentry_get(txn, sh, parent, name, len, &de);
	mdb_txn_abort(txn);
	if (rc || de.type != mds_mode_dtype(S_IFDIR) ||
	    mds_ino_shard(de.ino) == sh->id)
		return 1; /* the one-shard path answers */
	x.ino = de.ino;
	x.peer = mds_ino_shard(de.ino);
	return run_xop(eng, cr, req, &x, NULL);
}

/* ---- recovery ---- */

static int recover_shard(struct mds_engine *eng, struct mds_shard *sh)
{
	struct xintent todo[RECOVER_BATCH];
	MDB_cursor *cur;
	MDB_txn *txn;
	MDB_val key, val;
	u32 n = 0, i;
	int rc, left = 0;

	rc = mds_err(mdb_txn_begin(sh->env, NULL, MDB_RDONLY, &txn));
	if (rc)
		return rc;
	rc = mds_err(mdb_cursor_open(txn, sh->intents, &cur));
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST);
	while (!rc && n < RECOVER_BATCH) {
		if (!intent_decode(&key, &val, &todo[n]))
			n++;
		rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
	}
	if (!rc)
		left++; /* more than one batch: the next pass goes on */
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);

	for (i = 0; i < n; i++) {
		struct xintent *x = &todo[i];

		if (!busy_claim(eng, x->id))
			continue;
		rc = peer_finish(eng, x->peer, x->id,
				 x->state == XINTENT_COMMITTED);
		if (!rc)
			rc = intent_forget(eng, x->id);
		busy_del(eng, x->id);
		if (rc)
			left++;
	}
	return left;
}

int mds_xshard_recover(struct mds_engine *eng)
{
	u32 i;
	int rc, left = 0;

	for (i = 0; i < eng->nr_shards; i++) {
		rc = recover_shard(eng, &eng->shards[i]);
		if (rc < 0)
			return rc;
		left += rc;
	}
	return left;
}
