// SPDX-License-Identifier: GPL-2.0
/*
 * The LMDB store of one metadata shard: opening the environment, and the
 * typed reads and writes of inodes, directory entries and the deletion
 * queue. Key and value layouts are described in Documentation/mds.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "record.h"

#define MDS_FORMAT_VERSION 1

int mds_err(int rc)
{
	switch (rc) {
	case 0:
		return 0;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
	case MDB_READERS_FULL:
		return -ENOSPC;
	case MDB_NOTFOUND:
		return -ENOENT;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH:
		return -EUCLEAN;
	case MDB_BAD_VALSIZE:
		return -EINVAL;
	default:
		return rc > 0 && rc < 4096 ? -rc : -EIO;
	}
}

int mds_store_fail(struct mds_shard *sh, int rc)
{
	int err = mds_err(rc);

	if (!sh->batch_err)
		sh->batch_err = err;
	return err;
}

void mds_now(struct mds_time *t)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	t->sec = ts.tv_sec;
	t->nsec = (u32)ts.tv_nsec;
}

u8 mds_mode_dtype(u32 mode)
{
	return (u8)((mode & S_IFMT) >> 12);
}

void mds_inode_to_attr(const struct mds_inode *in, struct mds_attr *out)
{
	memset(out, 0, sizeof(*out));
	out->ino = in->ino;
	out->mode = in->mode;
	out->nlink = in->nlink;
	out->uid = in->uid;
	out->gid = in->gid;
	out->size = in->size;
	out->blocks = (in->size + 511) / 512;
	out->atime = in->atime;
	out->mtime = in->mtime;
	out->ctime = in->ctime;
	out->generation = in->generation;
	out->layout = in->layout;
}

u64 mds_alloc_ino(struct mds_shard *sh)
{
	sh->counters_dirty = true;
	return mds_ino_make(sh->id, sh->next_local++);
}

/* ---- inodes ---- */

int mds_inode_get(MDB_txn *txn, struct mds_shard *sh, u64 ino,
		  struct mds_inode *out)
{
	u8 k[8];
	MDB_val key = { 8, k }, val;
	int rc;

	if (mds_ino_shard(ino) != sh->id)
		return -EXDEV;
	mds_put_be64(ino, k);
	rc = mdb_get(txn, sh->inodes, &key, &val);
	if (rc == MDB_NOTFOUND)
		return -ESTALE;
	if (rc)
		return mds_err(rc);
	return mds_inode_decode(ino, val.mv_data, val.mv_size, out);
}

int mds_inode_put(MDB_txn *txn, struct mds_shard *sh,
		  const struct mds_inode *in)
{
	u8 k[8], v[MDS_INODE_REC_SIZE];
	MDB_val key = { 8, k }, val = { sizeof(v), v };
	int rc;

	mds_put_be64(in->ino, k);
	mds_inode_encode(in, v);
	rc = mdb_put(txn, sh->inodes, &key, &val, 0);
	return rc ? mds_store_fail(sh, rc) : 0;
}

int mds_inode_del(MDB_txn *txn, struct mds_shard *sh, u64 ino)
{
	u8 k[8];
	MDB_val key = { 8, k };
	int rc;

	mds_put_be64(ino, k);
	rc = mdb_del(txn, sh->inodes, &key, NULL);
	return rc ? mds_store_fail(sh, rc) : 0;
}

/* ---- directory entries ---- */

static size_t dentry_key(u8 *k, u64 parent, const char *name, size_t len)
{
	mds_put_be64(parent, k);
	memcpy(k + 8, name, len);
	return 8 + len;
}

int mds_dentry_get(MDB_txn *txn, struct mds_shard *sh, u64 parent,
		   const char *name, size_t len, struct mds_dentry *out)
{
	u8 k[8 + MDS_NAME_MAX];
	MDB_val key, val;
	const u8 *p;
	int rc;

	key.mv_data = k;
	key.mv_size = dentry_key(k, parent, name, len);
	rc = mdb_get(txn, sh->dentries, &key, &val);
	if (rc)
		return mds_err(rc);
	if (val.mv_size != MDS_DENTRY_REC_SIZE)
		return -EUCLEAN;
	p = val.mv_data;
	out->ino = get_unaligned_le64(p);
	out->cookie = get_unaligned_le64(p + 8);
	out->type = p[16];
	return 0;
}

static int dentry_write(MDB_txn *txn, struct mds_shard *sh, u64 parent,
			const char *name, size_t len, u64 cookie, u64 ino,
			u8 type)
{
	u8 k[8 + MDS_NAME_MAX], v[MDS_DENTRY_REC_SIZE];
	u8 ck[16], cv[MDS_DCOOKIE_HDR_SIZE + MDS_NAME_MAX];
	MDB_val key, val;
	int rc;

	key.mv_data = k;
	key.mv_size = dentry_key(k, parent, name, len);
	put_unaligned_le64(ino, v);
	put_unaligned_le64(cookie, v + 8);
	v[16] = type;
	val.mv_data = v;
	val.mv_size = sizeof(v);
	rc = mdb_put(txn, sh->dentries, &key, &val, 0);
	if (rc)
		return mds_store_fail(sh, rc);

	mds_put_be64(parent, ck);
	mds_put_be64(cookie, ck + 8);
	put_unaligned_le64(ino, cv);
	cv[8] = type;
	memcpy(cv + MDS_DCOOKIE_HDR_SIZE, name, len);
	key.mv_data = ck;
	key.mv_size = sizeof(ck);
	val.mv_data = cv;
	val.mv_size = MDS_DCOOKIE_HDR_SIZE + len;
	rc = mdb_put(txn, sh->dcookies, &key, &val, 0);
	return rc ? mds_store_fail(sh, rc) : 0;
}

int mds_dentry_add(MDB_txn *txn, struct mds_shard *sh, struct mds_inode *dir,
		   const char *name, size_t len, u64 ino, u8 type)
{
	u64 cookie = dir->next_cookie++;

	return dentry_write(txn, sh, dir->ino, name, len, cookie, ino, type);
}

int mds_dentry_repoint(MDB_txn *txn, struct mds_shard *sh, u64 parent,
		       const char *name, size_t len, u64 cookie, u64 ino,
		       u8 type)
{
	return dentry_write(txn, sh, parent, name, len, cookie, ino, type);
}

int mds_dentry_del(MDB_txn *txn, struct mds_shard *sh, u64 parent,
		   const char *name, size_t len, u64 cookie)
{
	u8 k[8 + MDS_NAME_MAX], ck[16];
	MDB_val key;
	int rc;

	key.mv_data = k;
	key.mv_size = dentry_key(k, parent, name, len);
	rc = mdb_del(txn, sh->dentries, &key, NULL);
	if (rc)
		return mds_store_fail(sh, rc);
	mds_put_be64(parent, ck);
	mds_put_be64(cookie, ck + 8);
	key.mv_data = ck;
	key.mv_size = sizeof(ck);
	rc = mdb_del(txn, sh->dcookies, &key, NULL);
	return rc ? mds_store_fail(sh, rc) : 0;
}

/* Deletes every key starting with the 8-byte prefix of ino in dbi. */
static int del_prefix(MDB_txn *txn, struct mds_shard *sh, MDB_dbi dbi, u64 ino)
{
	u8 k[8];
	MDB_val key = { 8, k }, val;
	MDB_cursor *cur;
	int rc;

	mds_put_be64(ino, k);
	rc = mdb_cursor_open(txn, dbi, &cur);
	if (rc)
		return mds_store_fail(sh, rc);
	rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	while (!rc && key.mv_size >= 8 && !memcmp(key.mv_data, k, 8)) {
		rc = mdb_cursor_del(cur, 0);
		if (rc)
			break;
		rc = mdb_cursor_get(cur, &key, &val, MDB_GET_CURRENT);
		if (rc == EINVAL || rc == MDB_NOTFOUND)
			rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	}
	mdb_cursor_close(cur);
	if (rc && rc != MDB_NOTFOUND)
		return mds_store_fail(sh, rc);
	return 0;
}

int mds_dir_has_entries(MDB_txn *txn, struct mds_shard *sh, u64 dir)
{
	u8 k[8];
	MDB_val key = { 8, k }, val;
	MDB_cursor *cur;
	int rc;

	mds_put_be64(dir, k);
	rc = mdb_cursor_open(txn, sh->dcookies, &cur);
	if (rc)
		return mds_err(rc);
	rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return mds_err(rc);
	return key.mv_size >= 8 && !memcmp(key.mv_data, k, 8);
}

int mds_delq_push(MDB_txn *txn, struct mds_shard *sh, u32 kind,
		  const struct mds_inode *in, u64 size)
{
	u8 k[8], v[MDS_DELQ_REC_SIZE];
	MDB_val key = { 8, k }, val = { sizeof(v), v };
	int rc;

	mds_put_be64(sh->next_delq++, k);
	sh->counters_dirty = true;
	put_unaligned_le32(kind, v);
	put_unaligned_le64(in->ino, v + 4);
	put_unaligned_le64(size, v + 12);
	mds_layout_encode(&in->layout, v + 20);
	rc = mdb_put(txn, sh->delq, &key, &val, 0);
	return rc ? mds_store_fail(sh, rc) : 0;
}

int mds_inode_release(MDB_txn *txn, struct mds_shard *sh,
		      const struct mds_inode *in)
{
	u8 k[8];
	MDB_val key = { 8, k };
	int rc;

	rc = mds_inode_del(txn, sh, in->ino);
	if (!rc)
		rc = del_prefix(txn, sh, sh->xattrs, in->ino);
	if (rc)
		return rc;
	if (S_ISLNK(in->mode)) {
		mds_put_be64(in->ino, k);
		rc = mdb_del(txn, sh->symlinks, &key, NULL);
		if (rc && rc != MDB_NOTFOUND)
			return mds_store_fail(sh, rc);
	}
	/* Objects exist only for regular files that were written. */
	if (S_ISREG(in->mode) && in->layout.scheme != MDS_LAYOUT_NONE &&
	    (in->size || (in->flags & MDS_INO_F_DATA)))
		return mds_delq_push(txn, sh, MDS_DELQ_DELETE, in, 0);
	return 0;
}

int mds_drop_link(MDB_txn *txn, struct mds_shard *sh, struct mds_inode *in)
{
	if (--in->nlink == 0)
		return mds_inode_release(txn, sh, in);
	mds_now(&in->ctime);
	return mds_inode_put(txn, sh, in);
}

void mds_attr_to_inode(const struct mds_attr *a, struct mds_inode *in)
{
	memset(in, 0, sizeof(*in));
	in->ino = a->ino;
	in->mode = a->mode;
	in->nlink = a->nlink;
	in->uid = a->uid;
	in->gid = a->gid;
	in->size = a->size;
	in->layout = a->layout;
}

/* ---- opening ---- */

static int meta_get_u64(MDB_txn *txn, MDB_dbi dbi, const char *name, u64 *v)
{
	MDB_val key = { strlen(name), (void *)name }, val;
	int rc = mdb_get(txn, dbi, &key, &val);

	if (rc)
		return rc;
	if (val.mv_size != 8)
		return MDB_CORRUPTED;
	*v = get_unaligned_le64(val.mv_data);
	return 0;
}

static int meta_put_u64(MDB_txn *txn, MDB_dbi dbi, const char *name, u64 v)
{
	u8 b[8];
	MDB_val key = { strlen(name), (void *)name }, val = { 8, b };

	put_unaligned_le64(v, b);
	return mdb_put(txn, dbi, &key, &val, 0);
}

int mds_store_save_counters(MDB_txn *txn, struct mds_shard *sh)
{
	int rc = meta_put_u64(txn, sh->meta, "next_local", sh->next_local);

	if (!rc)
		rc = meta_put_u64(txn, sh->meta, "next_delq", sh->next_delq);
	if (!rc)
		rc = meta_put_u64(txn, sh->meta, "next_intent",
				  sh->next_intent);
	return rc ? mds_store_fail(sh, rc) : 0;
}

static int create_root(MDB_txn *txn, struct mds_shard *sh,
		       const struct mds_layout *layout)
{
	struct mds_inode root = { 0 };

	root.ino = MDS_ROOT_INO;
	root.mode = S_IFDIR | 0755;
	root.nlink = 2;
	mds_now(&root.ctime);
	root.atime = root.mtime = root.ctime;
	root.generation = 1;
	root.parent = MDS_ROOT_INO;
	root.next_cookie = MDS_COOKIE_FIRST;
	root.layout = *layout;
	return mds_inode_put(txn, sh, &root);
}

static int open_dbs(MDB_txn *txn, struct mds_shard *sh)
{
	static const char *const names[] = {
		"meta",	    "inodes", "dentries", "dcookies", "xattrs",
		"symlinks", "delq",   "rcache",	  "sessions", "intents",
		"xprep",
	};
	MDB_dbi *dbis[] = {
		&sh->meta,     &sh->inodes,   &sh->dentries, &sh->dcookies,
		&sh->xattrs,   &sh->symlinks, &sh->delq,     &sh->rcache,
		&sh->sessions, &sh->intents,  &sh->xprep,
	};
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		rc = mdb_dbi_open(txn, names[i], MDB_CREATE, dbis[i]);
		if (rc)
			return rc;
	}
	return 0;
}

int mds_store_open(struct mds_shard *sh, const char *dir, u64 map_size,
		   const struct mds_layout *root_layout)
{
	MDB_txn *txn = NULL;
	u64 v;
	int rc;

	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	rc = mdb_env_create(&sh->env);
	if (rc)
		return mds_err(rc);
	rc = mdb_env_set_maxdbs(sh->env, 16);
	if (!rc)
		rc = mdb_env_set_mapsize(sh->env, map_size);
	if (!rc)
		rc = mdb_env_set_maxreaders(sh->env, 1024);
	/* synchronous commits: a commit returns once it is on stable storage */
	if (!rc)
		rc = mdb_env_open(sh->env, dir, MDB_NOTLS, 0600);
	if (!rc)
		rc = mdb_txn_begin(sh->env, NULL, 0, &txn);
	if (!rc)
		rc = open_dbs(txn, sh);
	if (rc)
		goto fail;

	sh->batch_err = 0;
	rc = meta_get_u64(txn, sh->meta, "format", &v);
	if (rc == MDB_NOTFOUND) {
		sh->next_local = 2; /* 1 is the root's on shard 0 */
		sh->next_delq = 1;
		sh->next_intent = 1;
		rc = meta_put_u64(txn, sh->meta, "format", MDS_FORMAT_VERSION);
		if (!rc)
			rc = meta_put_u64(txn, sh->meta, "shard", sh->id);
		if (!rc && sh->id == 0)
			rc = create_root(txn, sh, root_layout) ? sh->batch_err :
								 0;
		if (!rc)
			rc = mds_store_save_counters(txn, sh) ? sh->batch_err :
								0;
		if (rc)
			goto fail;
	} else if (rc) {
		goto fail;
	} else {
		if (v != MDS_FORMAT_VERSION)
			rc = MDB_VERSION_MISMATCH;
		if (!rc &&
		    (meta_get_u64(txn, sh->meta, "shard", &v) || v != sh->id))
			rc = MDB_INVALID; /* another shard's store */
		if (!rc)
			rc = meta_get_u64(txn, sh->meta, "next_local",
					  &sh->next_local);
		if (!rc)
			rc = meta_get_u64(txn, sh->meta, "next_delq",
					  &sh->next_delq);
		if (!rc &&
		    meta_get_u64(txn, sh->meta, "next_intent", &sh->next_intent))
			sh->next_intent = 1; /* a store from before intents */
		if (rc)
			goto fail;
	}
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc)
		goto fail;
	sh->batch_err = 0;
	return 0;
fail:
	if (txn)
		mdb_txn_abort(txn);
	mdb_env_close(sh->env);
	sh->env = NULL;
	return rc < 0 ? rc : mds_err(rc);
}

void mds_store_close(struct mds_shard *sh)
{
	if (sh->env)
		mdb_env_close(sh->env);
	sh->env = NULL;
}
