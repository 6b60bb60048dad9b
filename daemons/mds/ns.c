// SPDX-License-Identifier: GPL-2.0
/*
 * Namespace operations within one shard: lookup, create, mkdir, symlink,
 * link, unlink, rmdir, readlink and readdir. Rename is in rename.c.
 */
#include "record.h"

int mds_name_check(const char *name, size_t len)
{
	if (!len)
		return -EINVAL;
	if (len > MDS_NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(name, '/', len) || memchr(name, '\0', len))
		return -EINVAL;
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return -EINVAL;
	return 0;
}

int mds_dir_get(MDB_txn *txn, struct mds_shard *sh, const struct mds_creds *cr,
		u64 dir, int mask, struct mds_inode *out)
{
	int rc = mds_inode_get(txn, sh, dir, out);

	if (rc)
		return rc;
	if (!S_ISDIR(out->mode))
		return -ENOTDIR;
	if (out->flags & MDS_INO_F_DYING)
		return -ENOENT; /* its removal is being committed */
	if ((mask & MAY_WRITE) && (out->flags & MDS_INO_F_XLOCK))
		return -EINPROGRESS; /* a cross-shard change is prepared */
	return mds_permission(cr, out, mask);
}

static void touch_dir(struct mds_inode *dir)
{
	mds_now(&dir->mtime);
	dir->ctime = dir->mtime;
}

void mds_inode_init(const struct mds_creds *cr, const struct mds_inode *dir,
		    u32 mode, struct mds_inode *in)
{
	memset(in, 0, sizeof(*in));
	in->mode = mode;
	in->nlink = 1;
	in->uid = cr->uid;
	if (dir->mode & S_ISGID) {
		in->gid = dir->gid;
		if (S_ISDIR(mode))
			in->mode |= S_ISGID;
	} else {
		in->gid = cr->gid;
	}
	if (!S_ISDIR(mode) &&
	    (in->mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
	    cr->uid && !mds_in_group(cr, in->gid))
		in->mode &= ~S_ISGID;
	mds_now(&in->ctime);
	in->atime = in->mtime = in->ctime;
	in->generation = 1;
	if (S_ISDIR(mode)) {
		in->nlink = 2;
		in->parent = dir->ino;
		in->next_cookie = MDS_COOKIE_FIRST;
	}
	if (S_ISDIR(mode) || S_ISREG(mode)) {
		in->layout = dir->layout;
		in->layout.generation = 1;
	}
}

/* A new inode owned by the caller in directory dir (not yet written). */
static void new_inode(struct mds_shard *sh, const struct mds_creds *cr,
		      const struct mds_inode *dir, u32 mode,
		      struct mds_inode *in)
{
	mds_inode_init(cr, dir, mode, in);
	in->ino = mds_alloc_ino(sh);
}

/* ---- create, mkdir, symlink ---- */

struct create_arg {
	u64 parent;
	const char *name;
	size_t len;
	u32 mode; /* with the file type */
	u32 flags;
	const char *target; /* symlinks */
	size_t tlen;
};

static int create_apply(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op)
{
	struct create_arg *a = op->arg;
	struct mds_inode dir, in;
	struct mds_dentry de;
	MDB_val key, val;
	u8 k[8];
	int rc;

	rc = mds_dir_get(txn, sh, op->cr, a->parent, MAY_EXEC, &dir);
	if (rc)
		return rc;
	rc = mds_dentry_get(txn, sh, a->parent, a->name, a->len, &de);
	if (!rc) {
		if (!S_ISREG(a->mode) || (a->flags & MDS_CREATE_EXCL))
			return -EEXIST;
		if (de.type == mds_mode_dtype(S_IFDIR))
			return -EISDIR;
		if (mds_ino_shard(de.ino) != sh->id) {
			/* homed elsewhere: mds_create() asks there */
			op->attr.ino = de.ino;
			op->has_attr = true;
			return -EXDEV;
		}
		rc = mds_inode_get(txn, sh, de.ino, &in);
		if (rc)
			return rc;
		mds_inode_to_attr(&in, &op->attr);
		op->has_attr = true;
		return 0;
	}
	if (rc != -ENOENT)
		return rc;
	/* a new entry, as mds_dir_get() refuses for MAY_WRITE */
	if (dir.flags & MDS_INO_F_XLOCK)
		return -EINPROGRESS; /* a cross-shard change is prepared */
	rc = mds_permission(op->cr, &dir, MAY_WRITE | MAY_EXEC);
	if (rc)
		return rc;
	if (S_ISDIR(a->mode) && dir.nlink >= MDS_LINK_MAX)
		return -EMLINK;

	new_inode(sh, op->cr, &dir, a->mode, &in);
	if (S_ISLNK(a->mode)) {
		in.size = a->tlen;
		mds_put_be64(in.ino, k);
		key.mv_size = 8;
		key.mv_data = k;
		val.mv_size = a->tlen;
		val.mv_data = (void *)a->target;
		rc = mdb_put(txn, sh->symlinks, &key, &val, 0);
		if (rc)
			return mds_store_fail(sh, rc);
	}
	rc = mds_inode_put(txn, sh, &in);
	if (rc)
		return rc;
	rc = mds_dentry_add(txn, sh, &dir, a->name, a->len, in.ino,
			    mds_mode_dtype(in.mode));
	if (rc)
		return rc;
	if (S_ISDIR(in.mode))
		dir.nlink++;
	touch_dir(&dir);
	rc = mds_inode_put(txn, sh, &dir);
	if (rc)
		return rc;
	mds_inode_to_attr(&in, &op->attr);
	op->has_attr = true;
	op->created = true;
	return 0;
}

static int do_create(struct mds_engine *eng, const struct mds_creds *cr,
		     const struct mds_req *req, u32 kind, struct create_arg *a,
		     struct mds_attr *out, bool *created)
{
	struct mds_op op;
	int rc;

	rc = mds_name_check(a->name, a->len);
	if (rc)
		return rc;
	memset(&op, 0, sizeof(op));
	rc = mds_run(eng, a->parent, cr, req, kind, create_apply, a, &op);
	if (rc == -EXDEV && op.has_attr)
		/* an existing file homed on another shard */
		rc = mds_getattr_any(eng, op.attr.ino, &op.attr);
	if (!rc && out && op.has_attr)
		*out = op.attr;
	if (created)
		*created = !rc && op.created;
	return rc;
}

int mds_create(struct mds_engine *eng, const struct mds_creds *cr,
	       const struct mds_req *req, u64 parent, const char *name,
	       size_t len, u32 mode, u32 flags, struct mds_attr *out,
	       bool *created)
{
	struct create_arg a = {
		.parent = parent,
		.name = name,
		.len = len,
		.mode = S_IFREG | (mode & 07777),
		.flags = flags,
	};

	if (flags & ~MDS_CREATE_EXCL)
		return -EINVAL;
	return do_create(eng, cr, req, MDS_OP_CREATE, &a, out, created);
}

int mds_mkdir(struct mds_engine *eng, const struct mds_creds *cr,
	      const struct mds_req *req, u64 parent, const char *name,
	      size_t len, u32 mode, struct mds_attr *out)
{
	struct create_arg a = {
		.parent = parent,
		.name = name,
		.len = len,
		.mode = S_IFDIR | (mode & 07777),
	};
	int rc;

	rc = mds_name_check(name, len);
	if (rc)
		return rc;
	rc = mds_xmkdir(eng, cr, req, parent, name, len, a.mode, out);
	if (rc != 1)
		return rc;
	return do_create(eng, cr, req, MDS_OP_MKDIR, &a, out, NULL);
}

int mds_symlink(struct mds_engine *eng, const struct mds_creds *cr,
		const struct mds_req *req, u64 parent, const char *name,
		size_t len, const char *target, size_t tlen,
		struct mds_attr *out)
{
	struct create_arg a = {
		.parent = parent,
		.name = name,
		.len = len,
		.mode = S_IFLNK | 0777,
		.target = target,
		.tlen = tlen,
	};

	if (!tlen || tlen > MDS_SYMLINK_MAX)
		return tlen ? -ENAMETOOLONG : -ENOENT;
	if (memchr(target, '\0', tlen))
		return -EINVAL;
	return do_create(eng, cr, req, MDS_OP_SYMLINK, &a, out, NULL);
}

/* ---- link ---- */

struct link_arg {
	u64 ino;
	u64 parent;
	const char *name;
	size_t len;
};

static int link_apply(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op)
{
	struct link_arg *a = op->arg;
	struct mds_inode dir, in;
	struct mds_dentry de;
	int rc;

	rc = mds_inode_get(txn, sh, a->ino, &in);
	if (rc)
		return rc;
	if (S_ISDIR(in.mode))
		return -EPERM;
	rc = mds_dir_get(txn, sh, op->cr, a->parent, MAY_WRITE | MAY_EXEC,
			 &dir);
	if (rc)
		return rc;
	rc = mds_dentry_get(txn, sh, a->parent, a->name, a->len, &de);
	if (!rc)
		return -EEXIST;
	if (rc != -ENOENT)
		return rc;
	if (in.nlink >= MDS_LINK_MAX)
		return -EMLINK;

	in.nlink++;
	mds_now(&in.ctime);
	rc = mds_inode_put(txn, sh, &in);
	if (!rc)
		rc = mds_dentry_add(txn, sh, &dir, a->name, a->len, in.ino,
				    mds_mode_dtype(in.mode));
	touch_dir(&dir);
	if (!rc)
		rc = mds_inode_put(txn, sh, &dir);
	if (rc)
		return rc;
	mds_inode_to_attr(&in, &op->attr);
	op->has_attr = true;
	return 0;
}

int mds_link(struct mds_engine *eng, const struct mds_creds *cr,
	     const struct mds_req *req, u64 ino, u64 new_parent,
	     const char *name, size_t len, struct mds_attr *out)
{
	struct link_arg a = { ino, new_parent, name, len };
	struct mds_op op;
	int rc;

	rc = mds_name_check(name, len);
	if (rc)
		return rc;
	rc = mds_xlink(eng, cr, req, ino, new_parent, name, len, out);
	if (rc != 1)
		return rc;
	rc = mds_run(eng, new_parent, cr, req, MDS_OP_LINK, link_apply, &a,
		     &op);
	if (!rc && out)
		*out = op.attr;
	return rc;
}

/* ---- unlink, rmdir ---- */

struct remove_arg {
	u64 parent;
	const char *name;
	size_t len;
	bool dir;
};

static int remove_apply(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op)
{
	struct remove_arg *a = op->arg;
	struct mds_inode dir, victim;
	struct mds_dentry de;
	int rc;

	rc = mds_dir_get(txn, sh, op->cr, a->parent, MAY_WRITE | MAY_EXEC,
			 &dir);
	if (rc)
		return rc;
	rc = mds_dentry_get(txn, sh, a->parent, a->name, a->len, &de);
	if (rc)
		return rc;
	if (!a->dir && de.type == mds_mode_dtype(S_IFDIR))
		return -EISDIR;
	rc = mds_inode_get(txn, sh, de.ino, &victim);
	if (rc)
		return rc;
	if (a->dir && !S_ISDIR(victim.mode))
		return -ENOTDIR;
	if (!a->dir && S_ISDIR(victim.mode))
		return -EISDIR;
	rc = mds_may_delete(op->cr, &dir, &victim);
	if (rc)
		return rc;
	if (a->dir) {
		if (victim.flags & MDS_INO_F_XLOCK)
			return -EINPROGRESS;
		rc = mds_dir_has_entries(txn, sh, victim.ino);
		if (rc)
			return rc < 0 ? rc : -ENOTEMPTY;
	}

	rc = mds_dentry_del(txn, sh, dir.ino, a->name, a->len, de.cookie);
	if (rc)
		return rc;
	if (a->dir) {
		dir.nlink--;
		rc = mds_inode_release(txn, sh, &victim);
	} else if (--victim.nlink == 0) {
		rc = mds_inode_release(txn, sh, &victim);
	} else {
		mds_now(&victim.ctime);
		rc = mds_inode_put(txn, sh, &victim);
	}
	if (rc)
		return rc;
	touch_dir(&dir);
	return mds_inode_put(txn, sh, &dir);
}

static int do_remove(struct mds_engine *eng, const struct mds_creds *cr,
		     const struct mds_req *req, u64 parent, const char *name,
		     size_t len, bool dir)
{
	struct remove_arg a = { parent, name, len, dir };
	struct mds_op op;
	int rc;

	rc = mds_name_check(name, len);
	if (rc)
		return rc;
	return mds_run(eng, parent, cr, req, dir ? MDS_OP_RMDIR : MDS_OP_UNLINK,
		       remove_apply, &a, &op);
}

int mds_unlink(struct mds_engine *eng, const struct mds_creds *cr,
	       const struct mds_req *req, u64 parent, const char *name,
	       size_t len)
{
	int rc;

	rc = mds_name_check(name, len);
	if (rc)
		return rc;
	rc = mds_xunlink(eng, cr, req, parent, name, len);
	if (rc != 1)
		return rc;
	return do_remove(eng, cr, req, parent, name, len, false);
}

int mds_rmdir(struct mds_engine *eng, const struct mds_creds *cr,
	      const struct mds_req *req, u64 parent, const char *name,
	      size_t len)
{
	int rc;

	rc = mds_name_check(name, len);
	if (rc)
		return rc;
	rc = mds_xrmdir(eng, cr, req, parent, name, len);
	if (rc != 1)
		return rc;
	return do_remove(eng, cr, req, parent, name, len, true);
}

/* ---- reads ---- */

int mds_getattr(struct mds_engine *eng, u64 ino, struct mds_attr *out)
{
	struct mds_shard *sh;
	struct mds_inode in;
	MDB_txn *txn;
	int rc;

	rc = mds_read_begin(eng, ino, &sh, &txn);
	if (rc)
		return rc;
	rc = mds_inode_get(txn, sh, ino, &in);
	mdb_txn_abort(txn);
	if (!rc)
		mds_inode_to_attr(&in, out);
	return rc;
}

int mds_lookup(struct mds_engine *eng, const struct mds_creds *cr, u64 parent,
	       const char *name, size_t len, struct mds_attr *out)
{
	struct mds_shard *sh;
	struct mds_inode dir, in;
	struct mds_dentry de;
	MDB_txn *txn;
	int rc;

	rc = mds_name_check(name, len);
	if (rc)
		return rc;
	rc = mds_read_begin(eng, parent, &sh, &txn);
	if (rc)
		return rc;
	rc = mds_dir_get(txn, sh, cr, parent, MAY_EXEC, &dir);
	if (!rc)
		rc = mds_dentry_get(txn, sh, parent, name, len, &de);
	if (!rc && mds_ino_shard(de.ino) != sh->id) {
		/* a directory homed on another shard */
		mdb_txn_abort(txn);
		rc = mds_getattr(eng, de.ino, out);
		if (rc == -EXDEV) {
			memset(out, 0, sizeof(*out));
			out->ino = de.ino;
			out->mode = (u32)de.type << 12;
		}
		return rc;
	}
	if (!rc)
		rc = mds_inode_get(txn, sh, de.ino, &in);
	mdb_txn_abort(txn);
	if (!rc)
		mds_inode_to_attr(&in, out);
	return rc;
}

int mds_readlink(struct mds_engine *eng, u64 ino, char *buf, size_t cap)
{
	struct mds_shard *sh;
	struct mds_inode in;
	MDB_txn *txn;
	MDB_val key, val;
	u8 k[8];
	int rc;

	rc = mds_read_begin(eng, ino, &sh, &txn);
	if (rc)
		return rc;
	rc = mds_inode_get(txn, sh, ino, &in);
	if (!rc && !S_ISLNK(in.mode))
		rc = -EINVAL;
	if (!rc) {
		mds_put_be64(ino, k);
		key.mv_size = 8;
		key.mv_data = k;
		rc = mds_err(mdb_get(txn, sh->symlinks, &key, &val));
		if (rc == -ENOENT)
			rc = -EUCLEAN;
	}
	if (!rc) {
		if (val.mv_size > cap) {
			rc = -ERANGE;
		} else {
			memcpy(buf, val.mv_data, val.mv_size);
			rc = (int)val.mv_size;
		}
	}
	mdb_txn_abort(txn);
	return rc;
}

int mds_readdir(struct mds_engine *eng, const struct mds_creds *cr, u64 ino,
		u64 cookie, u32 max_entries, mds_dirent_fn fn, void *ctx,
		bool *eof)
{
	struct mds_shard *sh;
	struct mds_inode dir;
	struct mds_dirent de;
	MDB_cursor *cur = NULL;
	MDB_txn *txn;
	MDB_val key, val;
	u8 k[16];
	u32 n = 0;
	int rc, stop = 0;

	*eof = false;
	if (!max_entries || max_entries > MDS_READDIR_MAX)
		return -EINVAL;
	rc = mds_read_begin(eng, ino, &sh, &txn);
	if (rc)
		return rc;
	rc = mds_dir_get(txn, sh, cr, ino, MAY_READ, &dir);
	if (!rc)
		rc = mds_err(mdb_cursor_open(txn, sh->dcookies, &cur));
	if (rc)
		goto out;

	if (cookie == UINT64_MAX) {
		*eof = true;
		goto out;
	}
	mds_put_be64(ino, k);
	mds_put_be64(cookie < MDS_COOKIE_FIRST ? MDS_COOKIE_FIRST : cookie + 1,
		     k + 8);
	key.mv_size = 16;
	key.mv_data = k;
	rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	while (!rc) {
		const u8 *v = val.mv_data;

		if (key.mv_size != 16 || mds_get_be64(key.mv_data) != ino)
			break;
		if (n == max_entries || stop)
			goto out_rc0;
		if (val.mv_size < MDS_DCOOKIE_HDR_SIZE + 1) {
			rc = -EUCLEAN;
			goto out;
		}
		de.ino = get_unaligned_le64(v);
		de.type = v[8];
		de.cookie = mds_get_be64((const u8 *)key.mv_data + 8);
		de.name = (const char *)v + MDS_DCOOKIE_HDR_SIZE;
		de.len = val.mv_size - MDS_DCOOKIE_HDR_SIZE;
		stop = fn(ctx, &de);
		if (stop)
			goto out_rc0;
		n++;
		rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
	}
	if (rc && rc != MDB_NOTFOUND) {
		rc = mds_err(rc);
		goto out;
	}
	*eof = true;
out_rc0:
	rc = 0;
out:
	if (cur)
		mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return rc;
}
