// SPDX-License-Identifier: GPL-2.0
/*
 * Extended attributes, stored by the MDS: user.*, trusted.*, security.*
 * and the leofs.* names through which the MDS exposes layouts and status
 * (for example leofs.layout). Names go to the server whole.
 */
#include <linux/slab.h>
#include <linux/xattr.h>
#include "internal.h"

#define LEOFS_XATTR_PREFIX "leofs."

/* "prefix" + "name" into buf (LEOFS_XATTR_NAME_MAX + 1 bytes). */
static int leofs_xattr_full_name(const struct xattr_handler *h,
				 const char *name, char *buf)
{
	int len = snprintf(buf, LEOFS_XATTR_NAME_MAX + 1, "%s%s", h->prefix,
			   name);

	if (len > LEOFS_XATTR_NAME_MAX)
		return -ERANGE;
	return len;
}

static int leofs_xattr_get(const struct xattr_handler *h, struct dentry *dentry,
			   struct inode *inode, const char *name, void *buffer,
			   size_t size)
{
	struct leofs_getxattr_req m = { .ino = LEOFS_I(inode)->ino };
	char full[LEOFS_XATTR_NAME_MAX + 1];
	struct leofs_xattr_reply r;
	struct leofs_reply raw;
	int len, ret;

	len = leofs_xattr_full_name(h, name, full);
	if (len < 0)
		return len;
	m.name.data = full;
	m.name.len = len;
	m.size = min_t(size_t, size, LEOFS_XATTR_VALUE_MAX);
	leofs_fill_creds(&m.creds);
	ret = leofs_mds_call(LEOFS_FS(inode->i_sb), m.ino, LEOFS_OP_GETXATTR,
			     &m, sizeof(m), &r, sizeof(r), &raw);
	if (ret)
		goto out;
	if (r.size > LEOFS_XATTR_VALUE_MAX) {
		ret = -EIO;
	} else if (!size) {
		ret = r.size; /* only the size was asked */
	} else if (r.size > size) {
		ret = -ERANGE;
	} else if (r.value.len != r.size) {
		ret = -EIO;
	} else {
		memcpy(buffer, r.value.data, r.value.len);
		ret = r.value.len;
	}
out:
	leofs_reply_free(&raw);
	return ret;
}

static int leofs_xattr_set(const struct xattr_handler *h,
			   struct user_namespace *ns, struct dentry *dentry,
			   struct inode *inode, const char *name,
			   const void *value, size_t size, int flags)
{
	char full[LEOFS_XATTR_NAME_MAX + 1];
	struct leofs_status_reply r;
	struct leofs_reply raw;
	u64 ino = LEOFS_I(inode)->ino;
	int len, ret;

	len = leofs_xattr_full_name(h, name, full);
	if (len < 0)
		return len;
	if (!value) {
		struct leofs_xattr_name_req m = {
			.ino = ino,
			.name = { .data = full, .len = len },
		};

		leofs_fill_creds(&m.creds);
		ret = leofs_mds_call(LEOFS_FS(inode->i_sb), ino,
				     LEOFS_OP_REMOVEXATTR, &m, sizeof(m), &r,
				     sizeof(r), &raw);
	} else {
		struct leofs_setxattr_req m = {
			.ino = ino,
			.name = { .data = full, .len = len },
			.value = { .data = value, .len = size },
		};

		if (size > LEOFS_XATTR_VALUE_MAX)
			return -E2BIG;
		if (flags & XATTR_CREATE)
			m.flags |= LEOFS_XATTR_CREATE;
		if (flags & XATTR_REPLACE)
			m.flags |= LEOFS_XATTR_REPLACE;
		leofs_fill_creds(&m.creds);
		ret = leofs_mds_call(LEOFS_FS(inode->i_sb), ino,
				     LEOFS_OP_SETXATTR, &m, sizeof(m), &r,
				     sizeof(r), &raw);
	}
	leofs_reply_free(&raw);
	if (!ret)
		leofs_inode_invalidate(inode); /* ctime changed */
	return ret;
}

ssize_t leofs_listxattr(struct dentry *dentry, char *buf, size_t size)
{
	struct inode *inode = d_inode(dentry);
	struct leofs_listxattr_req m = { .ino = LEOFS_I(inode)->ino };
	struct leofs_xattr_reply r;
	struct leofs_reply raw;
	ssize_t ret;

	m.size = min_t(size_t, size, LEOFS_XATTR_LIST_MAX);
	leofs_fill_creds(&m.creds);
	ret = leofs_mds_call(LEOFS_FS(inode->i_sb), m.ino, LEOFS_OP_LISTXATTR,
			     &m, sizeof(m), &r, sizeof(r), &raw);
	if (ret)
		goto out;
	if (r.size > LEOFS_XATTR_LIST_MAX) {
		ret = -EIO;
	} else if (!size) {
		ret = r.size;
	} else if (r.size > size) {
		ret = -ERANGE;
	} else if (r.value.len != r.size ||
		   leofs_xattr_list_check(r.value.data, r.value.len)) {
		ret = -EIO;
	} else {
		memcpy(buf, r.value.data, r.value.len);
		ret = r.value.len;
	}
out:
	leofs_reply_free(&raw);
	return ret;
}

static const struct xattr_handler leofs_user_xattr = {
	.prefix = XATTR_USER_PREFIX,
	.get = leofs_xattr_get,
	.set = leofs_xattr_set,
};

static const struct xattr_handler leofs_trusted_xattr = {
	.prefix = XATTR_TRUSTED_PREFIX,
	.get = leofs_xattr_get,
	.set = leofs_xattr_set,
};

static const struct xattr_handler leofs_security_xattr = {
	.prefix = XATTR_SECURITY_PREFIX,
	.get = leofs_xattr_get,
	.set = leofs_xattr_set,
};

static const struct xattr_handler leofs_layout_xattr = {
	.prefix = LEOFS_XATTR_PREFIX,
	.get = leofs_xattr_get,
	.set = leofs_xattr_set,
};

const struct xattr_handler *leofs_xattr_handlers[] = {
	&leofs_user_xattr,
	&leofs_trusted_xattr,
	&leofs_security_xattr,
	&leofs_layout_xattr,
	NULL,
};
