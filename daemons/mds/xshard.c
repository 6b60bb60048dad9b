// SPDX-License-Identifier: GPL-2.0
/*
 * The coordinator of cross-shard operations and the recovery of logged
 * intents. The shard that got the request logs an intent (PENDING) naming
 * every participant shard, has each participant prepare its actions,
 * applies its own side and marks the intent COMMITTED in one transaction,
 * then has the participants commit and drops the intent. Recovery finishes
 * COMMITTED intents and aborts PENDING ones, so after a crash of either
 * side no orphan inode or dangling entry stays. The operations themselves
 * (what is checked, prepared and written) are in xdir.c, xlink.c and
 * xrename.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "record.h"

#define XINTENT_SIZE  (12 + 4 * MDS_XSHARD_SLOTS) /* op, state, nr, peers */
#define RECOVER_BATCH 64
#define XTRIES	      50 /* attempts of an operation that meets conflicts */
#define XWALK_HOPS    256 /* servers asked in one loop check */

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

/* ---- the participants, local or remote ---- */

static bool local(struct mds_engine *eng, u16 shard)
{
	return mds_shard_of(eng, mds_ino_make(shard, 0)) != NULL;
}

int mds_xpeer_prepare(struct mds_engine *eng, const struct mds_xprep *p,
		      struct mds_xans *out)
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

int mds_getattr_any(struct mds_engine *eng, u64 ino, struct mds_attr *out)
{
	if (local(eng, mds_ino_shard(ino)))
		return mds_getattr(eng, ino, out);
	if (!eng->xops.getattr)
		return -EXDEV;
	return eng->xops.getattr(eng->xops.arg, ino, out);
}

int mds_xshard_prepare(struct mds_engine *eng, const struct mds_xprep *p,
		       struct mds_xans *out)
{
	int rc;

	if (!local(eng, p->shard))
		return -EXDEV;
	rc = mds_xprep_prepare(eng, p, out);
	return rc == -EINPROGRESS ? -EBUSY : rc;
}

int mds_xshard_finish(struct mds_engine *eng, u16 shard, u64 intent,
		      bool commit)
{
	if (!local(eng, shard))
		return -EXDEV;
	return mds_xprep_finish(eng, shard, intent, commit);
}

int mds_xwalk(struct mds_engine *eng, u64 dir, u64 anc)
{
	struct mds_xprep p = { .op = MDS_XSHARD_WALK, .parent = anc };
	struct mds_xans a;
	u32 hops;
	int rc;

	for (hops = 0; hops < XWALK_HOPS; hops++) {
		p.shard = mds_ino_shard(dir);
		p.ino = dir;
		a.entry_ino = 0;
		rc = local(eng, p.shard) ?
			     mds_xprep_walk(eng, dir, anc, &a.entry_ino) :
			     mds_xpeer_prepare(eng, &p, &a);
		if (rc || !a.entry_ino)
			return rc;
		dir = a.entry_ino;
	}
	return -ELOOP;
}

/* ---- the intent log ---- */

struct xintent {
	u64 id;
	u32 op;
	u32 state;
	u32 nr;
	u16 peers[MDS_XSHARD_SLOTS];
};

static int intent_put(MDB_txn *txn, struct mds_shard *sh,
		      const struct xintent *x)
{
	u8 k[8], v[XINTENT_SIZE] = { 0 };
	MDB_val key = { 8, k }, val = { sizeof(v), v };
	u32 i;
	int rc;

	mds_put_be64(x->id, k);
	put_unaligned_le32(x->op, v);
	put_unaligned_le32(x->state, v + 4);
	put_unaligned_le32(x->nr, v + 8);
	for (i = 0; i < x->nr; i++)
		put_unaligned_le32(x->peers[i], v + 12 + 4 * i);
	rc = mdb_put(txn, sh->intents, &key, &val, 0);
	return rc ? mds_store_fail(sh, rc) : 0;
}

static int intent_decode(const MDB_val *key, const MDB_val *val,
			 struct xintent *x)
{
	const u8 *v = val->mv_data;
	u32 i;

	if (key->mv_size != 8 || val->mv_size != XINTENT_SIZE)
		return -EUCLEAN;
	x->id = mds_get_be64(key->mv_data);
	x->op = get_unaligned_le32(v);
	x->state = get_unaligned_le32(v + 4);
	x->nr = get_unaligned_le32(v + 8);
	if (x->nr > MDS_XSHARD_SLOTS)
		return -EUCLEAN;
	for (i = 0; i < x->nr; i++)
		x->peers[i] = (u16)get_unaligned_le32(v + 12 + 4 * i);
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

/*
 * The distinct participant shards of x's actions; the shard of the
 * directory-move record last, so that the generation moves only once every
 * other participant committed (a moved directory's new parent included).
 */
static void peers_of(const struct mds_xrun *x, struct xintent *in)
{
	u32 i, j;

	in->nr = 0;
	for (i = 0; i < x->nr; i++) {
		if (x->act[i].shard == MDS_XMOVE_SHARD)
			continue;
		for (j = 0; j < in->nr; j++)
			if (in->peers[j] == x->act[i].shard)
				break;
		if (j == in->nr)
			in->peers[in->nr++] = x->act[i].shard;
	}
	for (i = 0; i < x->nr; i++)
		if (x->act[i].shard == MDS_XMOVE_SHARD) {
			in->peers[in->nr++] = MDS_XMOVE_SHARD;
			break;
		}
}

/*
 * Commits or aborts the intent at every participant, then drops it; if a
 * participant does not answer, recovery does the rest. A commit reaches
 * the last participant only after every other one answered (peers_of()).
 * 1: a participant stopped (tests), else 0 or the first error.
 */
static int finish_all(struct mds_engine *eng, const struct xintent *in,
		      bool commit, const char *step)
{
	u32 i;
	int rc, err = 0;

	for (i = 0; i < in->nr; i++) {
		if (commit && err && i == in->nr - 1)
			break;
		rc = peer_finish(eng, in->peers[i], in->id, commit);
		if (rc == -EINTR)
			return 1;
		if (rc && !err)
			err = rc;
	}
	if (err)
		return err;
	if (step && mds_crashpoint(step))
		return 1;
	return intent_forget(eng, in->id);
}

/* ---- running one intent ---- */

struct xstate {
	struct mds_xrun *x;
	struct xintent in;
};

static int begin_apply(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op)
{
	struct xstate *s = op->arg;
	struct mds_xrun *x = s->x;
	u32 i;
	int rc;

	x->nr = 0;
	rc = x->k->begin(sh, txn, x, op);
	if (rc)
		return rc;
	s->in.id = mds_ino_make(sh->id, sh->next_intent++);
	sh->counters_dirty = true;
	s->in.op = x->k->kind;
	s->in.state = XINTENT_PENDING;
	for (i = 0; i < x->nr; i++) {
		x->act[i].intent = s->in.id;
		x->act[i].slot = i;
	}
	peers_of(x, &s->in);
	rc = busy_add(sh->eng, s->in.id);
	if (rc)
		return rc;
	rc = intent_put(txn, sh, &s->in);
	if (rc)
		busy_del(sh->eng, s->in.id);
	return rc;
}

static int commit_apply(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op)
{
	struct xstate *s = op->arg;
	int rc;

	rc = s->x->k->commit(sh, txn, s->x, op);
	if (rc)
		return rc;
	s->in.state = XINTENT_COMMITTED;
	return intent_put(txn, sh, &s->in);
}

/* Crash point of a step; true: stop as if the process had died there. */
static bool stop_at(const struct mds_xrun *x, const char *step)
{
	char point[32];

	snprintf(point, sizeof(point), "%s-%s", x->k->step, step);
	return mds_crashpoint(point);
}

/* One attempt: -EINTR if a step stopped it (tests). */
static int run_once(struct mds_engine *eng, const struct mds_creds *cr,
		    const struct mds_req *req, struct mds_xrun *x,
		    struct mds_attr *out)
{
	struct xstate s = { .x = x };
	struct mds_op op;
	char point[32];
	u32 i;
	int rc;

	rc = mds_run(eng, x->route, cr, NULL, MDS_OP_OTHER, begin_apply, &s,
		     &op);
	if (rc) {
		if (s.in.id)
			busy_del(eng, s.in.id);
		return rc;
	}
	if (stop_at(x, "intent"))
		goto crashed;

	for (i = 0; i < x->nr && !rc; i++)
		rc = mds_xpeer_prepare(eng, &x->act[i], &x->ans[i]);
	if (rc == -EINTR)
		goto crashed; /* the participant stopped (tests) */
	if (rc)
		goto abort;
	if (stop_at(x, "prepared"))
		goto crashed;

	memset(&op, 0, sizeof(op));
	op.apply = commit_apply;
	op.arg = &s;
	op.cr = cr;
	op.req = req;
	op.kind = x->k->kind;
	rc = mds_submit(mds_shard_of(eng, x->route), &op);
	if (rc)
		goto abort;
	if (out && op.has_attr)
		*out = op.attr;
	if (op.replayed)
		/*
		 * A copy of this request (sent again after a reconnect while
		 * this one ran) committed first: its answer stands, and what
		 * this intent prepared would apply the change twice.
		 */
		goto abort;
	if (stop_at(x, "committed"))
		goto crashed;

	/* what is left, recovery would also do */
	snprintf(point, sizeof(point), "%s-finished", x->k->step);
	if (finish_all(eng, &s.in, true, point) == 1)
		goto crashed;
	busy_del(eng, s.in.id);
	return 0;
abort:
	if (finish_all(eng, &s.in, false, NULL) == 1)
		goto crashed;
	busy_del(eng, s.in.id);
	return rc;
crashed:
	busy_del(eng, s.in.id);
	return -EINTR;
}

/* The answer of a request already applied: 1 and *rc, or 0. */
static int replayed(struct mds_engine *eng, const struct mds_req *req,
		    const struct mds_xrun *x, int *rc, struct mds_attr *out)
{
	struct mds_shard *sh;
	struct mds_op op = { .req = req, .kind = x->k->kind };
	MDB_txn *txn;
	int found;

	if (!req || !req->session || mds_read_begin(eng, x->route, &sh, &txn))
		return 0;
	found = mds_rcache_get(txn, sh, &op);
	mdb_txn_abort(txn);
	if (found < 0) {
		*rc = found;
		return 1;
	}
	if (found == 1) {
		pthread_mutex_lock(&sh->lock);
		sh->replays++;
		pthread_mutex_unlock(&sh->lock);
		*rc = op.rc;
		if (!op.rc && out && op.has_attr)
			*out = op.attr;
	}
	return found;
}

bool mds_xconflict(int rc)
{
	return rc == -EBUSY || rc == -EINPROGRESS;
}

void mds_xbackoff(u32 attempt)
{
	u32 ms = attempt < 6 ? 1u << attempt : 50;
	struct timespec ts = { 0, (long)(ms + (u32)rand() % 4) * 1000000 };

	nanosleep(&ts, NULL);
}

int mds_xdrive(struct mds_engine *eng, const struct mds_creds *cr,
	       const struct mds_req *req, const struct mds_xkind *k, u64 route,
	       void *ctx, struct mds_attr *out)
{
	struct mds_xrun run = { .k = k, .route = route, .ctx = ctx }, *x = &run;
	u32 attempt;
	int rc;

	if (!mds_shard_of(eng, route))
		return 1;
	for (attempt = 0; attempt < XTRIES; attempt++) {
		if (attempt)
			mds_xbackoff(attempt);
		x->nr = 0;
		rc = k->plan(eng, cr, x);
		if (rc == 1)
			return 1; /* within one shard */
		if (!attempt && replayed(eng, req, x, &rc, out))
			return rc;
		if (rc == MDS_XPLAN_DONE)
			return 0;
		if (!rc)
			rc = run_once(eng, cr, req, x, out);
		if (!mds_xconflict(rc))
			return rc;
	}
	return -EBUSY;
}

/* ---- recovery ---- */

/*
 * @x as stored now: 0 with x updated, 1 if it is gone (its request
 * finished it), or a negative errno. Recovery reads a batch of intents and
 * then works through it, peers taking seconds each: a request may have
 * committed one of them meanwhile, and its PENDING copy would abort it.
 */
static int intent_reread(struct mds_shard *sh, struct xintent *x)
{
	u8 k[8];
	MDB_val key = { 8, k }, val;
	MDB_txn *txn;
	int rc;

	mds_put_be64(x->id, k);
	rc = mds_err(mdb_txn_begin(sh->env, NULL, MDB_RDONLY, &txn));
	if (rc)
		return rc;
	rc = mdb_get(txn, sh->intents, &key, &val);
	if (rc == MDB_NOTFOUND)
		rc = 1;
	else if (rc)
		rc = mds_err(rc);
	else
		rc = intent_decode(&key, &val, x);
	mdb_txn_abort(txn);
	return rc;
}

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
		rc = intent_reread(sh, x);
		if (rc == 1) {
			busy_del(eng, x->id); /* finished meanwhile */
			continue;
		}
		if (!rc)
			rc = finish_all(eng, x, x->state == XINTENT_COMMITTED,
					NULL);
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
