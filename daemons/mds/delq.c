// SPDX-License-Identifier: GPL-2.0
/*
 * The deletion queue: objects to remove or truncate on the storage servers,
 * queued in the transaction that made them garbage, drained in the
 * background by peek, act, then ack.
 */
#include "record.h"

int mds_delq_peek(struct mds_engine *eng, u16 shard, u64 after,
		  struct mds_delq_entry *ents, u32 max)
{
	struct mds_shard *sh;
	MDB_cursor *cur;
	MDB_txn *txn;
	MDB_val key, val;
	u8 k[8];
	u32 n = 0;
	int rc;

	if (after == UINT64_MAX)
		return 0;
	rc = mds_read_begin(eng, mds_ino_make(shard, 0), &sh, &txn);
	if (rc)
		return rc;
	rc = mdb_cursor_open(txn, sh->delq, &cur);
	if (rc) {
		mdb_txn_abort(txn);
		return mds_err(rc);
	}
	mds_put_be64(after + 1, k);
	key.mv_size = 8;
	key.mv_data = k;
	rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	while (!rc && n < max) {
		const u8 *v = val.mv_data;
		struct mds_delq_entry *e = &ents[n];

		if (key.mv_size != 8 || val.mv_size != MDS_DELQ_REC_SIZE) {
			rc = MDB_CORRUPTED;
			break;
		}
		e->seq = mds_get_be64(key.mv_data);
		e->kind = get_unaligned_le32(v);
		e->ino = get_unaligned_le64(v + 4);
		e->size = get_unaligned_le64(v + 12);
		mds_layout_decode(v + 20, &e->layout);
		n++;
		rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	if (rc && rc != MDB_NOTFOUND)
		return mds_err(rc);
	return (int)n;
}

static int ack_apply(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op)
{
	u8 k[8];
	MDB_val key = { 8, k };
	int rc;

	mds_put_be64(*(u64 *)op->arg, k);
	rc = mdb_del(txn, sh->delq, &key, NULL);
	if (rc == MDB_NOTFOUND)
		return 0;
	return rc ? mds_store_fail(sh, rc) : 0;
}

int mds_delq_ack(struct mds_engine *eng, u16 shard, u64 seq)
{
	struct mds_op op;

	return mds_run(eng, mds_ino_make(shard, 0), NULL, NULL, MDS_OP_OTHER,
		       ack_apply, &seq, &op);
}
