// SPDX-License-Identifier: GPL-2.0
/*
 * The directory-move record: serializes every rename that moves a
 * directory to another parent, cluster-wide, so that its loop check still
 * holds when it commits. One record on the root's shard: a generation,
 * bumped by every such move, and the intent holding it (0: none). A
 * coordinator reads the generation before its loop check (MOVEGEN) and
 * prepares a DIRMOVE action that takes the record only if the generation
 * is unchanged and nobody holds it (else -EBUSY: the whole rename runs
 * again, loop check included). The commit bumps the generation and frees
 * the record, an abort frees it. A move within the root's shard checks
 * and bumps the record in its own transaction.
 */
#include "record.h"

#define XMOVE_KEY "dirmove"

static int xmove_get(MDB_txn *txn, struct mds_shard *sh,
		     struct mds_dirmove *out)
{
	MDB_val key = { sizeof(XMOVE_KEY) - 1, (void *)XMOVE_KEY }, val;
	int rc;

	if (sh->id != MDS_XMOVE_SHARD)
		return -EXDEV;
	rc = mdb_get(txn, sh->meta, &key, &val);
	if (rc == MDB_NOTFOUND) {
		memset(out, 0, sizeof(*out)); /* no directory moved yet */
		return 0;
	}
	if (rc)
		return mds_err(rc);
	return mds_dirmove_decode(val.mv_data, val.mv_size, out);
}

static int xmove_put(MDB_txn *txn, struct mds_shard *sh,
		     const struct mds_dirmove *dm)
{
	u8 v[MDS_DIRMOVE_REC_SIZE];
	MDB_val key = { sizeof(XMOVE_KEY) - 1, (void *)XMOVE_KEY },
		val = { sizeof(v), v };
	int rc;

	mds_dirmove_encode(dm, v);
	rc = mdb_put(txn, sh->meta, &key, &val, 0);
	return rc ? mds_store_fail(sh, rc) : 0;
}

int mds_xmove_peek(struct mds_engine *eng, u64 *gen)
{
	struct mds_dirmove dm;
	struct mds_shard *sh;
	MDB_txn *txn;
	int rc;

	rc = mds_read_begin(eng, mds_ino_make(MDS_XMOVE_SHARD, 0), &sh, &txn);
	if (rc)
		return rc;
	rc = xmove_get(txn, sh, &dm);
	mdb_txn_abort(txn);
	if (rc)
		return rc;
	*gen = dm.gen;
	/* a move is under way: its commit changes the generation */
	return dm.owner ? -EBUSY : 0;
}

int mds_xmove_hold(MDB_txn *txn, struct mds_shard *sh, u64 intent, u64 gen)
{
	struct mds_dirmove dm;
	int rc = intent ? xmove_get(txn, sh, &dm) : -EINVAL;

	if (rc)
		return rc;
	if (dm.owner || dm.gen != gen)
		return -EBUSY; /* another directory moved or is moving */
	dm.owner = intent;
	return xmove_put(txn, sh, &dm);
}

int mds_xmove_release(MDB_txn *txn, struct mds_shard *sh, u64 intent,
		      bool commit)
{
	struct mds_dirmove dm;
	int rc = xmove_get(txn, sh, &dm);

	if (rc || dm.owner != intent)
		return rc; /* released before */
	if (commit)
		dm.gen++;
	dm.owner = 0;
	return xmove_put(txn, sh, &dm);
}

int mds_xmove_check(MDB_txn *txn, struct mds_shard *sh, struct mds_dirmove *dm)
{
	int rc = xmove_get(txn, sh, dm);

	if (!rc && dm->owner)
		rc = -EINPROGRESS; /* wait for the move under way */
	return rc;
}

int mds_xmove_bump(MDB_txn *txn, struct mds_shard *sh, struct mds_dirmove *dm)
{
	dm->gen++;
	return xmove_put(txn, sh, dm);
}
