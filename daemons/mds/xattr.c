// SPDX-License-Identifier: GPL-2.0
/*
 * Extended attributes. Namespaces as on Linux: user.* (regular files and
 * directories, file permissions apply), trusted.* (uid 0 only), security.*
 * (anyone reads, uid 0 writes); system.* (ACLs) is not supported. leofs.layout
 * is virtual: the inode's layout in text form, never listed.
 */
#include "record.h"

enum xns { XNS_USER, XNS_TRUSTED, XNS_SECURITY, XNS_LAYOUT };

static bool has_prefix(const char *name, size_t len, const char *p)
{
	size_t n = strlen(p);

	return len > n && !memcmp(name, p, n);
}

static int xattr_ns(const char *name, size_t len)
{
	if (!len || len > MDS_XATTR_NAME_MAX)
		return -ERANGE;
	if (memchr(name, '\0', len))
		return -EINVAL;
	if (len == strlen(MDS_XATTR_LAYOUT) &&
	    !memcmp(name, MDS_XATTR_LAYOUT, len))
		return XNS_LAYOUT;
	if (has_prefix(name, len, "user."))
		return XNS_USER;
	if (has_prefix(name, len, "trusted."))
		return XNS_TRUSTED;
	if (has_prefix(name, len, "security."))
		return XNS_SECURITY;
	return -EOPNOTSUPP;
}

/* xattr_permission() of Linux, for a stored (non-virtual) name. */
static int xattr_perm(const struct mds_creds *cr, const struct mds_inode *in,
		      int ns, int mask)
{
	switch (ns) {
	case XNS_TRUSTED:
		if (cr->uid)
			return mask & MAY_WRITE ? -EPERM : -ENODATA;
		return 0;
	case XNS_SECURITY:
		if (mask & MAY_WRITE && cr->uid)
			return -EPERM;
		return 0;
	default:
		if (!S_ISREG(in->mode) && !S_ISDIR(in->mode))
			return mask & MAY_WRITE ? -EPERM : -ENODATA;
		return mds_permission(cr, in, mask);
	}
}

static size_t xattr_key(u8 *k, u64 ino, const char *name, size_t len)
{
	mds_put_be64(ino, k);
	memcpy(k + 8, name, len);
	return 8 + len;
}

static int copy_out(void *buf, size_t size, const void *val, size_t len)
{
	if (!size)
		return (int)len;
	if (len > size)
		return -ERANGE;
	memcpy(buf, val, len);
	return (int)len;
}

int mds_getxattr(struct mds_engine *eng, const struct mds_creds *cr, u64 ino,
		 const char *name, size_t nlen, void *buf, size_t size)
{
	u8 k[8 + MDS_XATTR_NAME_MAX];
	char text[256];
	struct mds_shard *sh;
	struct mds_inode in;
	MDB_val key, val;
	MDB_txn *txn;
	int ns, rc;

	ns = xattr_ns(name, nlen);
	if (ns < 0)
		return ns;
	rc = mds_read_begin(eng, ino, &sh, &txn);
	if (rc)
		return rc;
	rc = mds_inode_get(txn, sh, ino, &in);
	if (rc)
		goto out;
	if (ns == XNS_LAYOUT) {
		if (!S_ISREG(in.mode) && !S_ISDIR(in.mode)) {
			rc = -ENODATA;
			goto out;
		}
		rc = mds_layout_format(&in.layout, mds_map_get(eng), text,
				       sizeof(text));
		mds_map_put(eng);
		if (rc >= 0)
			rc = copy_out(buf, size, text, (size_t)rc);
		goto out;
	}
	rc = xattr_perm(cr, &in, ns, MAY_READ);
	if (rc)
		goto out;
	key.mv_data = k;
	key.mv_size = xattr_key(k, ino, name, nlen);
	rc = mdb_get(txn, sh->xattrs, &key, &val);
	if (rc == MDB_NOTFOUND)
		rc = -ENODATA;
	else if (rc)
		rc = mds_err(rc);
	else
		rc = copy_out(buf, size, val.mv_data, val.mv_size);
out:
	mdb_txn_abort(txn);
	return rc;
}

/*
 * Lists the stored names of ino into buf (NULL or size 0: only count) as
 * listxattr(2) does. Returns the list size or -errno. cr NULL: all names.
 */
static int walk_names(MDB_txn *txn, struct mds_shard *sh, u64 ino,
		      const struct mds_creds *cr, char *buf, size_t size)
{
	u8 k[8];
	MDB_val key = { 8, k }, val;
	MDB_cursor *cur;
	size_t total = 0;
	int rc;

	mds_put_be64(ino, k);
	rc = mdb_cursor_open(txn, sh->xattrs, &cur);
	if (rc)
		return mds_err(rc);
	rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	while (!rc && key.mv_size > 8 && !memcmp(key.mv_data, k, 8)) {
		const char *name = (const char *)key.mv_data + 8;
		size_t len = key.mv_size - 8;

		/* trusted.* is invisible to everyone but uid 0 */
		if (cr && cr->uid && has_prefix(name, len, "trusted."))
			goto next;
		if (buf && size) {
			if (total + len + 1 > size) {
				mdb_cursor_close(cur);
				return -ERANGE;
			}
			memcpy(buf + total, name, len);
			buf[total + len] = '\0';
		}
		total += len + 1;
next:
		rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	if (rc && rc != MDB_NOTFOUND)
		return mds_err(rc);
	return total > INT32_MAX ? -E2BIG : (int)total;
}

int mds_listxattr(struct mds_engine *eng, const struct mds_creds *cr, u64 ino,
		  char *buf, size_t size)
{
	struct mds_shard *sh;
	struct mds_inode in;
	MDB_txn *txn;
	int rc;

	rc = mds_read_begin(eng, ino, &sh, &txn);
	if (rc)
		return rc;
	rc = mds_inode_get(txn, sh, ino, &in);
	if (!rc)
		rc = walk_names(txn, sh, ino, cr, buf, size);
	mdb_txn_abort(txn);
	return rc;
}

struct xattr_arg {
	u64 ino;
	const char *name;
	size_t nlen;
	const void *value;
	size_t vlen;
	u32 flags;
	int ns;
	bool remove;
};

static int xattr_apply(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op)
{
	struct xattr_arg *a = op->arg;
	u8 k[8 + MDS_XATTR_NAME_MAX];
	MDB_val key, val;
	struct mds_inode in;
	bool exists;
	int rc;

	rc = mds_inode_get(txn, sh, a->ino, &in);
	if (rc)
		return rc;
	rc = xattr_perm(op->cr, &in, a->ns, MAY_WRITE);
	if (rc)
		return rc;
	key.mv_data = k;
	key.mv_size = xattr_key(k, a->ino, a->name, a->nlen);
	rc = mdb_get(txn, sh->xattrs, &key, &val);
	if (rc && rc != MDB_NOTFOUND)
		return mds_err(rc);
	exists = !rc;
	if (a->remove || a->flags & MDS_XATTR_REPLACE) {
		if (!exists)
			return -ENODATA;
	} else if (a->flags & MDS_XATTR_CREATE && exists) {
		return -EEXIST;
	}
	if (!a->remove && !exists) {
		/* the whole list must still fit a listxattr reply */
		rc = walk_names(txn, sh, a->ino, NULL, NULL, 0);
		if (rc < 0)
			return rc;
		if ((size_t)rc + a->nlen + 1 > MDS_XATTR_LIST_MAX)
			return -ENOSPC;
	}

	if (a->remove) {
		rc = mdb_del(txn, sh->xattrs, &key, NULL);
	} else {
		val.mv_data = (void *)a->value;
		val.mv_size = a->vlen;
		rc = mdb_put(txn, sh->xattrs, &key, &val, 0);
	}
	if (rc)
		return mds_store_fail(sh, rc);
	mds_now(&in.ctime);
	return mds_inode_put(txn, sh, &in);
}

int mds_setxattr(struct mds_engine *eng, const struct mds_creds *cr, u64 ino,
		 const char *name, size_t nlen, const void *value, size_t vlen,
		 u32 flags, char *why, size_t why_len)
{
	struct xattr_arg a = { ino, name, nlen, value, vlen, flags, 0, false };
	struct mds_layout layout;
	struct mds_op op;
	int rc;

	if (flags & ~(MDS_XATTR_CREATE | MDS_XATTR_REPLACE) ||
	    flags == (MDS_XATTR_CREATE | MDS_XATTR_REPLACE))
		return -EINVAL;
	a.ns = xattr_ns(name, nlen);
	if (a.ns < 0)
		return a.ns;
	if (vlen > MDS_XATTR_VALUE_MAX)
		return -E2BIG;
	if (a.ns == XNS_LAYOUT) {
		if (flags & MDS_XATTR_CREATE)
			return -EEXIST;
		rc = mds_layout_parse(value, vlen, mds_map_get(eng), &layout,
				      why, why_len);
		mds_map_put(eng);
		if (rc)
			return rc;
		return mds_set_layout(eng, cr, ino, &layout, why, why_len);
	}
	return mds_run(eng, ino, cr, NULL, MDS_OP_OTHER, xattr_apply, &a, &op);
}

int mds_removexattr(struct mds_engine *eng, const struct mds_creds *cr, u64 ino,
		    const char *name, size_t nlen)
{
	struct xattr_arg a = { ino, name, nlen, NULL, 0, 0, 0, true };
	struct mds_op op;

	a.ns = xattr_ns(name, nlen);
	if (a.ns < 0)
		return a.ns;
	if (a.ns == XNS_LAYOUT)
		return -EPERM;
	return mds_run(eng, ino, cr, NULL, MDS_OP_OTHER, xattr_apply, &a, &op);
}
