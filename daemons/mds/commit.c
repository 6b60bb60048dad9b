// SPDX-License-Identifier: GPL-2.0
/*
 * Group commit: one writer thread per shard takes every queued change,
 * applies them in order in one LMDB write transaction, commits it once
 * (synchronously durable) and only then completes the callers.
 */
#include "record.h"

/* Attempts of a request that meets a directory locked by XLOCK. */
#define MDS_LOCK_WAIT_TRIES 400

/* Wakes exactly the callers of the batch (op is theirs once posted). */
static void complete(struct mds_op *batch)
{
	struct mds_op *op, *next;

	for (op = batch; op; op = next) {
		next = op->next;
		sem_post(&op->done);
	}
}

static void fail_all(struct mds_op *batch, int err)
{
	struct mds_op *op;

	for (op = batch; op; op = op->next) {
		op->rc = err;
		op->has_attr = false;
	}
}

static bool cacheable(const struct mds_op *op)
{
	return op->req && op->req->session && op->kind != MDS_OP_OTHER;
}

/* Answers that are not final: the caller tries again (another way). */
static bool transient(int rc)
{
	return rc == -EINPROGRESS || rc == -EXDEV;
}

static void run_batch(struct mds_shard *sh, struct mds_op *batch, u32 n)
{
	struct mds_op *op;
	MDB_txn *txn;
	u32 replays = 0;
	int rc;

	rc = mdb_txn_begin(sh->env, NULL, 0, &txn);
	if (rc) {
		fail_all(batch, mds_err(rc));
		return;
	}
	sh->batch_err = 0;
	sh->counters_dirty = false;
	for (op = batch; op && !sh->batch_err; op = op->next) {
		if (cacheable(op)) {
			rc = mds_rcache_get(txn, sh, op);
			if (rc == 1) {
				op->replayed = true;
				replays++;
				continue;
			}
			if (rc < 0) {
				op->rc = rc;
				continue;
			}
		}
		op->rc = op->apply(sh, txn, op);
		if (!sh->batch_err && cacheable(op) && !transient(op->rc))
			mds_rcache_put(txn, sh, op);
	}
	if (!sh->batch_err && sh->counters_dirty)
		mds_store_save_counters(txn, sh);
	if (sh->batch_err) {
		mdb_txn_abort(txn);
		fail_all(batch, sh->batch_err);
		return;
	}
	rc = mdb_txn_commit(txn);
	if (rc) {
		fail_all(batch, mds_err(rc));
		return;
	}
	pthread_mutex_lock(&sh->lock);
	sh->commits++;
	sh->ops += n;
	sh->replays += replays;
	pthread_mutex_unlock(&sh->lock);
}

static void *writer_main(void *arg)
{
	struct mds_shard *sh = arg;
	struct mds_op *batch, **end;
	u32 n;

	pthread_mutex_lock(&sh->lock);
	for (;;) {
		while (!sh->head && !sh->stopping)
			pthread_cond_wait(&sh->work, &sh->lock);
		if (!sh->head)
			break;
		/* take up to max_batch ops off the front of the queue */
		batch = sh->head;
		end = &sh->head;
		for (n = 0; *end && n < sh->eng->max_batch; n++)
			end = &(*end)->next;
		sh->head = *end;
		if (!sh->head)
			sh->tail = &sh->head;
		*end = NULL;
		pthread_mutex_unlock(&sh->lock);

		run_batch(sh, batch, n);
		complete(batch);
		pthread_mutex_lock(&sh->lock);
	}
	pthread_mutex_unlock(&sh->lock);
	return NULL;
}

int mds_writer_start(struct mds_shard *sh)
{
	int rc;

	sh->head = NULL;
	sh->tail = &sh->head;
	sh->stopping = false;
	rc = pthread_create(&sh->writer, NULL, writer_main, sh);
	if (rc)
		return -rc;
	pthread_setname_np(sh->writer, "mds-commit");
	sh->writer_started = true;
	return 0;
}

void mds_writer_stop(struct mds_shard *sh)
{
	if (!sh->writer_started)
		return;
	pthread_mutex_lock(&sh->lock);
	sh->stopping = true;
	pthread_cond_signal(&sh->work);
	pthread_mutex_unlock(&sh->lock);
	pthread_join(sh->writer, NULL);
	sh->writer_started = false;
}

int mds_submit(struct mds_shard *sh, struct mds_op *op)
{
	op->next = NULL;
	op->rc = 0;
	op->has_attr = false;
	op->created = false;
	sem_init(&op->done, 0, 0);
	pthread_mutex_lock(&sh->lock);
	if (sh->stopping) {
		pthread_mutex_unlock(&sh->lock);
		sem_destroy(&op->done);
		return -ESHUTDOWN;
	}
	*sh->tail = op;
	sh->tail = &op->next;
	pthread_cond_signal(&sh->work);
	pthread_mutex_unlock(&sh->lock);
	while (sem_wait(&op->done))
		; /* EINTR */
	sem_destroy(&op->done);
	return op->rc;
}

int mds_run(struct mds_engine *eng, u64 route, const struct mds_creds *cr,
	    const struct mds_req *req, u32 kind, mds_apply_fn apply, void *arg,
	    struct mds_op *op)
{
	struct mds_shard *sh;
	u32 attempt;
	int rc;

	sh = mds_shard_for(eng, route, &rc);
	if (!sh)
		return rc;
	for (attempt = 0; attempt < MDS_LOCK_WAIT_TRIES; attempt++) {
		if (attempt)
			mds_xbackoff(attempt);
		memset(op, 0, sizeof(*op));
		op->apply = apply;
		op->arg = arg;
		op->cr = cr;
		op->req = req;
		op->kind = kind;
		rc = mds_submit(sh, op);
		/* a request waits for a prepared cross-shard change */
		if (rc != -EINPROGRESS || kind == MDS_OP_OTHER)
			return rc;
	}
	return -EBUSY;
}

int mds_read_begin(struct mds_engine *eng, u64 ino, struct mds_shard **sh,
		   MDB_txn **txn)
{
	int rc;

	*sh = mds_shard_for(eng, ino, &rc);
	if (!*sh)
		return rc;
	rc = mdb_txn_begin((*sh)->env, NULL, MDB_RDONLY, txn);
	return mds_err(rc);
}
