// SPDX-License-Identifier: GPL-2.0
/*
 * The reply cache: (session, request) -> the answer of a non-idempotent
 * operation, written in the transaction that applied it, so a resent
 * request gets its original answer. Each session keeps at most
 * rcache_per_session answers; the lowest request ids go first.
 */
#include "record.h"

/* value: kind 4, rc 4, flags 4, attr */
#define RC_HDR	    12
#define RC_HAS_ATTR 0x1u
#define RC_CREATED  0x2u

static void rc_key(u8 *k, u64 session, u64 request)
{
	mds_put_be64(session, k);
	mds_put_be64(request, k + 8);
}

int mds_rcache_get(MDB_txn *txn, struct mds_shard *sh, struct mds_op *op)
{
	u8 k[16];
	MDB_val key = { 16, k }, val;
	const u8 *p;
	u32 flags;
	int rc;

	rc_key(k, op->req->session, op->req->request);
	rc = mdb_get(txn, sh->rcache, &key, &val);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return mds_err(rc);
	p = val.mv_data;
	if (val.mv_size != RC_HDR && val.mv_size != RC_HDR + MDS_ATTR_REC_SIZE)
		return -EUCLEAN;
	/* the same request id reused for another operation */
	if (get_unaligned_le32(p) != op->kind)
		return -EPROTO;
	op->rc = (int)get_unaligned_le32(p + 4);
	flags = get_unaligned_le32(p + 8);
	op->created = flags & RC_CREATED;
	op->has_attr = false;
	if ((flags & RC_HAS_ATTR) && val.mv_size > RC_HDR) {
		mds_attr_decode(p + RC_HDR, &op->attr);
		op->has_attr = true;
	}
	return 1;
}

/* Drops the session's oldest answers until at most max - 1 remain. */
static int evict(MDB_txn *txn, struct mds_shard *sh, u64 session, u32 count,
		 u32 max)
{
	u8 k[16];
	MDB_val key = { 16, k }, val;
	MDB_cursor *cur;
	int rc;

	rc_key(k, session, 0);
	rc = mdb_cursor_open(txn, sh->rcache, &cur);
	if (rc)
		return mds_store_fail(sh, rc);
	rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	while (!rc && count >= max && key.mv_size == 16 &&
	       mds_get_be64(key.mv_data) == session) {
		rc = mdb_cursor_del(cur, 0);
		if (rc)
			break;
		count--;
		rc = mdb_cursor_get(cur, &key, &val, MDB_GET_CURRENT);
	}
	mdb_cursor_close(cur);
	if (rc && rc != MDB_NOTFOUND && rc != EINVAL)
		return mds_store_fail(sh, rc);
	return (int)count;
}

int mds_rcache_put(MDB_txn *txn, struct mds_shard *sh, const struct mds_op *op)
{
	u8 k[16], sk[8], cnt[4], v[RC_HDR + MDS_ATTR_REC_SIZE];
	MDB_val key = { 16, k }, val = { RC_HDR, v };
	MDB_val skey = { 8, sk }, sval = { 4, cnt }, old;
	u32 count = 0, flags = 0, max = sh->eng->rcache_per_session;
	int rc;

	mds_put_be64(op->req->session, sk);
	rc = mdb_get(txn, sh->sessions, &skey, &old);
	if (!rc && old.mv_size == 4)
		count = get_unaligned_le32(old.mv_data);
	else if (rc && rc != MDB_NOTFOUND)
		return mds_store_fail(sh, rc);
	if (count >= max) {
		rc = evict(txn, sh, op->req->session, count, max);
		if (rc < 0)
			return rc;
		count = (u32)rc;
	}

	rc_key(k, op->req->session, op->req->request);
	put_unaligned_le32(op->kind, v);
	put_unaligned_le32((u32)op->rc, v + 4);
	if (op->has_attr) {
		flags |= RC_HAS_ATTR;
		mds_attr_encode(&op->attr, v + RC_HDR);
		val.mv_size += MDS_ATTR_REC_SIZE;
	}
	if (op->created)
		flags |= RC_CREATED;
	put_unaligned_le32(flags, v + 8);
	rc = mdb_put(txn, sh->rcache, &key, &val, 0);
	if (rc)
		return mds_store_fail(sh, rc);
	put_unaligned_le32(count + 1, cnt);
	rc = mdb_put(txn, sh->sessions, &skey, &sval, 0);
	return rc ? mds_store_fail(sh, rc) : 0;
}

static int forget_apply(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op)
{
	u64 session = *(const u64 *)op->arg;
	u8 k[16], sk[8];
	MDB_val key = { 16, k }, val, skey = { 8, sk };
	MDB_cursor *cur;
	int rc;

	rc_key(k, session, 0);
	rc = mdb_cursor_open(txn, sh->rcache, &cur);
	if (rc)
		return mds_store_fail(sh, rc);
	rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	while (!rc && key.mv_size == 16 &&
	       mds_get_be64(key.mv_data) == session) {
		rc = mdb_cursor_del(cur, 0);
		if (!rc)
			rc = mdb_cursor_get(cur, &key, &val, MDB_GET_CURRENT);
	}
	mdb_cursor_close(cur);
	if (rc && rc != MDB_NOTFOUND && rc != EINVAL)
		return mds_store_fail(sh, rc);
	mds_put_be64(session, sk);
	rc = mdb_del(txn, sh->sessions, &skey, NULL);
	if (rc && rc != MDB_NOTFOUND)
		return mds_store_fail(sh, rc);
	return 0;
}

int mds_session_forget(struct mds_engine *eng, u64 session)
{
	struct mds_op op;
	u32 i;
	int rc, first = 0;

	for (i = 0; i < eng->nr_shards; i++) {
		memset(&op, 0, sizeof(op));
		op.apply = forget_apply;
		op.arg = &session;
		op.kind = MDS_OP_OTHER;
		rc = mds_submit(&eng->shards[i], &op);
		if (rc && !first)
			first = rc;
	}
	return first;
}

int mds_session_list(struct mds_engine *eng, void (*fn)(u64 id, void *arg),
		     void *arg)
{
	MDB_val key, val;
	MDB_cursor *cur;
	MDB_txn *txn;
	u32 i;
	int rc;

	for (i = 0; i < eng->nr_shards; i++) {
		rc = mdb_txn_begin(eng->shards[i].env, NULL, MDB_RDONLY, &txn);
		if (rc)
			return mds_err(rc);
		rc = mdb_cursor_open(txn, eng->shards[i].sessions, &cur);
		if (rc) {
			mdb_txn_abort(txn);
			return mds_err(rc);
		}
		rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST);
		while (!rc) {
			if (key.mv_size == 8)
				fn(mds_get_be64(key.mv_data), arg);
			rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
		}
		mdb_cursor_close(cur);
		mdb_txn_abort(txn);
		if (rc != MDB_NOTFOUND)
			return mds_err(rc);
	}
	return 0;
}
