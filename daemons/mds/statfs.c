// SPDX-License-Identifier: GPL-2.0
/*
 * statfs: space from the storage targets' reports, inode counts from the
 * shards this engine serves.
 */
#include "record.h"

#define MDS_STATFS_BSIZE 4096u

int mds_statfs(struct mds_engine *eng, const struct mds_target_space *t,
	       size_t nr, struct mds_statfs *out)
{
	u64 cap = 0, used = 0, files = 0;
	MDB_stat st;
	MDB_txn *txn;
	size_t i;
	u32 s;
	int rc;

	for (i = 0; i < nr; i++) {
		/* a down target's space is not available */
		if (!(t[i].state & LEOFS_STATE_IN))
			continue;
		cap += t[i].capacity;
		used += t[i].used < t[i].capacity ? t[i].used : t[i].capacity;
	}
	for (s = 0; s < eng->nr_shards; s++) {
		rc = mdb_txn_begin(eng->shards[s].env, NULL, MDB_RDONLY, &txn);
		if (rc)
			return mds_err(rc);
		rc = mdb_stat(txn, eng->shards[s].inodes, &st);
		mdb_txn_abort(txn);
		if (rc)
			return mds_err(rc);
		files += st.ms_entries;
	}
	memset(out, 0, sizeof(*out));
	out->bsize = MDS_STATFS_BSIZE;
	out->namelen = MDS_NAME_MAX;
	out->blocks = cap / MDS_STATFS_BSIZE;
	out->bfree = (cap - used) / MDS_STATFS_BSIZE;
	out->bavail = out->bfree;
	/* 48 bits of local ids per shard: effectively unlimited */
	out->ffree = MDS_INO_LOCAL_MASK - files;
	out->files = files + out->ffree;
	return 0;
}
