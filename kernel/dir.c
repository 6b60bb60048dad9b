// SPDX-License-Identifier: GPL-2.0
/*
 * Directory inode operations (lookup, create, mkdir, unlink, rmdir,
 * rename, link, symlink) and dentry revalidation. Every request goes to
 * the MDS serving the parent directory's shard; the server checks
 * permissions and applies the operation.
 */
#include <linux/namei.h>
#include "internal.h"

/* How long a dentry of this directory is trusted, in jiffies. */
static unsigned long leofs_dentry_timeout(struct inode *dir)
{
	struct leofs_fs_info *fsi = LEOFS_FS(dir->i_sb);

	if (fsi->opts.noac)
		return 0;
	return (unsigned long)READ_ONCE(fsi->tun.acdirmin) * HZ;
}

static void leofs_dentry_stamp(struct dentry *dentry)
{
	dentry->d_time = jiffies;
}

/*
 * A dentry the server was not asked about is never trusted: the VFS does
 * not clear d_time, which may still hold a recent stamp of the dentry the
 * memory last served.
 */
static void leofs_dentry_unstamp(struct dentry *dentry)
{
	dentry->d_time = jiffies - LONG_MAX;
}

static int leofs_name_of(const struct dentry *dentry, struct leofs_buf *b)
{
	int ret = leofs_name_check(dentry->d_name.name, dentry->d_name.len);

	if (ret)
		return ret;
	b->data = dentry->d_name.name;
	b->len = dentry->d_name.len;
	return 0;
}

/* LOOKUP of name in dir: 0 with the attributes, or an errno. */
static int leofs_lookup_rpc(struct inode *dir, const struct dentry *dentry,
			    struct leofs_attr_reply *r, struct leofs_reply *raw)
{
	struct leofs_name_req m = { .parent = LEOFS_I(dir)->ino };
	int ret;

	raw->body = NULL;
	ret = leofs_name_of(dentry, &m.name);
	if (ret)
		return ret;
	leofs_fill_creds(&m.creds);
	return leofs_mds_call(LEOFS_FS(dir->i_sb), m.parent, LEOFS_OP_LOOKUP,
			      &m, sizeof(m), r, sizeof(*r), raw);
}

static struct dentry *leofs_lookup(struct inode *dir, struct dentry *dentry,
				   unsigned int flags)
{
	struct leofs_attr_reply r;
	struct leofs_reply raw;
	struct inode *inode;
	u64 stamp;
	int ret;

	if (dentry->d_name.len > LEOFS_NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	/* an exclusive create finds out itself whether the name exists */
	if (flags & LOOKUP_EXCL) {
		/* if the create fails (EEXIST), the name is looked up again */
		leofs_dentry_unstamp(dentry);
		d_add(dentry, NULL);
		return NULL;
	}
	stamp = leofs_attr_stamp(dir->i_sb);
	ret = leofs_lookup_rpc(dir, dentry, &r, &raw);
	if (ret == -ENOENT) {
		leofs_reply_free(&raw);
		leofs_dentry_stamp(dentry);
		d_add(dentry, NULL);
		return NULL;
	}
	inode = ret ? ERR_PTR(ret) : leofs_iget(dir->i_sb, &r.attr, stamp);
	leofs_reply_free(&raw);
	if (IS_ERR(inode))
		return ERR_CAST(inode);
	leofs_dentry_stamp(dentry);
	return d_splice_alias(inode, dentry);
}

/*
 * A dentry is trusted for acdirmin seconds (never with noac); after that
 * the name is looked up again and must still lead to the same inode.
 */
static int leofs_d_revalidate(struct dentry *dentry, unsigned int flags)
{
	struct leofs_attr_reply r;
	struct leofs_reply raw;
	struct dentry *parent;
	struct inode *dir, *inode;
	unsigned long timeout;
	u64 stamp;
	int ret, valid;

	if (flags & LOOKUP_RCU) {
		parent = READ_ONCE(dentry->d_parent);
		dir = d_inode_rcu(parent);
		if (!dir)
			return -ECHILD;
		timeout = leofs_dentry_timeout(dir);
		if (timeout && time_before(jiffies, dentry->d_time + timeout))
			return 1;
		return -ECHILD;
	}

	parent = dget_parent(dentry);
	dir = d_inode(parent);
	timeout = leofs_dentry_timeout(dir);
	if (timeout && time_before(jiffies, dentry->d_time + timeout)) {
		dput(parent);
		return 1;
	}

	inode = d_inode(dentry);
	stamp = leofs_attr_stamp(dir->i_sb);
	ret = leofs_lookup_rpc(dir, dentry, &r, &raw);
	if (ret == -ENOENT) {
		valid = !inode; /* still absent */
	} else if (ret) {
		valid = ret; /* cannot tell: report the error */
	} else if (!inode || LEOFS_I(inode)->ino != r.attr.ino ||
		   (inode->i_mode & S_IFMT) != (r.attr.mode & LEOFS_S_IFMT)) {
		valid = 0; /* the name now leads elsewhere */
	} else {
		leofs_inode_refresh(inode, &r.attr, stamp);
		valid = 1;
	}
	leofs_reply_free(&raw);
	if (valid == 1)
		leofs_dentry_stamp(dentry);
	dput(parent);
	return valid;
}

const struct dentry_operations leofs_dentry_ops = {
	.d_revalidate = leofs_d_revalidate,
};

/* Instantiates dentry with the inode a create-like reply describes. */
static int leofs_instantiate(struct inode *dir, struct dentry *dentry,
			     const struct leofs_attr *a)
{
	struct inode *inode;

	inode = leofs_iget(dir->i_sb, a, LEOFS_ATTR_CHANGED);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	if (S_ISDIR(inode->i_mode)) {
		/*
		 * A new directory the server says we know already (the root,
		 * say): a second dentry for it would deadlock a later rmdir,
		 * which locks the parent and then the directory itself.
		 */
		struct dentry *alias = d_find_any_alias(inode);

		if (alias) {
			dput(alias);
			iput(inode);
			return -EIO;
		}
	}
	leofs_inode_invalidate(dir);
	leofs_dentry_stamp(dentry);
	d_instantiate(dentry, inode);
	return 0;
}

static int leofs_create_common(struct inode *dir, struct dentry *dentry,
			       u16 opcode, umode_t mode, u32 flags,
			       umode_t want_type)
{
	struct leofs_create_req m = {
		.parent = LEOFS_I(dir)->ino,
		.mode = mode & LEOFS_S_PERM,
		.flags = flags,
	};
	struct leofs_attr_reply r;
	struct leofs_reply raw;
	int ret;

	ret = leofs_name_of(dentry, &m.name);
	if (ret)
		return ret;
	leofs_fill_creds(&m.creds);
	ret = leofs_mds_call(LEOFS_FS(dir->i_sb), m.parent, opcode, &m,
			     sizeof(m), &r, sizeof(r), &raw);
	if (!ret && (r.attr.mode & LEOFS_S_IFMT) != want_type)
		ret = -EIO;
	if (!ret)
		ret = leofs_instantiate(dir, dentry, &r.attr);
	leofs_reply_free(&raw);
	return ret;
}

static int leofs_create(struct user_namespace *ns, struct inode *dir,
			struct dentry *dentry, umode_t mode, bool excl)
{
	return leofs_create_common(dir, dentry, LEOFS_OP_CREATE, mode,
				   excl ? LEOFS_CREATE_EXCL : 0, S_IFREG);
}

static int leofs_mkdir(struct user_namespace *ns, struct inode *dir,
		       struct dentry *dentry, umode_t mode)
{
	return leofs_create_common(dir, dentry, LEOFS_OP_MKDIR, mode, 0,
				   S_IFDIR);
}

static int leofs_remove(struct inode *dir, struct dentry *dentry, u16 opcode)
{
	struct leofs_name_req m = { .parent = LEOFS_I(dir)->ino };
	struct inode *inode = d_inode(dentry);
	struct leofs_status_reply r;
	struct leofs_reply raw;
	int ret;

	ret = leofs_name_of(dentry, &m.name);
	if (ret)
		return ret;
	leofs_fill_creds(&m.creds);
	ret = leofs_mds_call(LEOFS_FS(dir->i_sb), m.parent, opcode, &m,
			     sizeof(m), &r, sizeof(r), &raw);
	leofs_reply_free(&raw);
	if (ret)
		return ret;
	leofs_inode_invalidate(dir);
	if (opcode == LEOFS_OP_RMDIR)
		clear_nlink(inode);
	else if (inode->i_nlink)
		drop_nlink(inode);
	leofs_inode_invalidate(inode);
	return 0;
}

static int leofs_unlink(struct inode *dir, struct dentry *dentry)
{
	return leofs_remove(dir, dentry, LEOFS_OP_UNLINK);
}

static int leofs_rmdir(struct inode *dir, struct dentry *dentry)
{
	return leofs_remove(dir, dentry, LEOFS_OP_RMDIR);
}

static int leofs_rename(struct user_namespace *ns, struct inode *old_dir,
			struct dentry *old_dentry, struct inode *new_dir,
			struct dentry *new_dentry, unsigned int flags)
{
	struct leofs_rename_req m = {
		.old_parent = LEOFS_I(old_dir)->ino,
		.new_parent = LEOFS_I(new_dir)->ino,
	};
	struct inode *target = d_inode(new_dentry);
	struct leofs_status_reply r;
	struct leofs_reply raw;
	int ret;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if (flags & RENAME_NOREPLACE)
		m.flags |= LEOFS_RENAME_NOREPLACE;
	if (flags & RENAME_EXCHANGE)
		m.flags |= LEOFS_RENAME_EXCHANGE;
	ret = leofs_name_of(old_dentry, &m.old_name);
	if (!ret)
		ret = leofs_name_of(new_dentry, &m.new_name);
	if (ret)
		return ret;
	leofs_fill_creds(&m.creds);
	ret = leofs_mds_call(LEOFS_FS(old_dir->i_sb), m.old_parent,
			     LEOFS_OP_RENAME, &m, sizeof(m), &r, sizeof(r),
			     &raw);
	leofs_reply_free(&raw);
	if (ret)
		return ret;
	leofs_inode_invalidate(old_dir);
	leofs_inode_invalidate(new_dir);
	leofs_inode_invalidate(d_inode(old_dentry));
	if (target) {
		if (!(flags & RENAME_EXCHANGE)) {
			if (S_ISDIR(target->i_mode))
				clear_nlink(target);
			else if (target->i_nlink)
				drop_nlink(target);
		}
		leofs_inode_invalidate(target);
	}
	leofs_dentry_stamp(old_dentry);
	leofs_dentry_stamp(new_dentry);
	return 0;
}

static int leofs_link(struct dentry *old_dentry, struct inode *dir,
		      struct dentry *dentry)
{
	struct inode *inode = d_inode(old_dentry);
	struct leofs_link_req m = {
		.ino = LEOFS_I(inode)->ino,
		.new_parent = LEOFS_I(dir)->ino,
	};
	struct leofs_attr_reply r;
	struct leofs_reply raw;
	int ret;

	ret = leofs_name_of(dentry, &m.name);
	if (ret)
		return ret;
	leofs_fill_creds(&m.creds);
	ret = leofs_mds_call(LEOFS_FS(dir->i_sb), m.new_parent, LEOFS_OP_LINK,
			     &m, sizeof(m), &r, sizeof(r), &raw);
	if (!ret && (r.attr.ino != m.ino ||
		     (r.attr.mode & LEOFS_S_IFMT) != (inode->i_mode & S_IFMT)))
		ret = -EIO;
	if (!ret) {
		leofs_inode_refresh(inode, &r.attr, LEOFS_ATTR_CHANGED);
		leofs_inode_invalidate(dir);
		ihold(inode);
		leofs_dentry_stamp(dentry);
		d_instantiate(dentry, inode);
	}
	leofs_reply_free(&raw);
	return ret;
}

static int leofs_symlink(struct user_namespace *ns, struct inode *dir,
			 struct dentry *dentry, const char *target)
{
	struct leofs_symlink_req m = { .parent = LEOFS_I(dir)->ino };
	struct leofs_attr_reply r;
	struct leofs_reply raw;
	size_t len = strlen(target);
	int ret;

	if (len > LEOFS_SYMLINK_MAX)
		return -ENAMETOOLONG;
	ret = leofs_symlink_check(target, len);
	if (ret)
		return ret;
	ret = leofs_name_of(dentry, &m.name);
	if (ret)
		return ret;
	m.target.data = target;
	m.target.len = len;
	leofs_fill_creds(&m.creds);
	ret = leofs_mds_call(LEOFS_FS(dir->i_sb), m.parent, LEOFS_OP_SYMLINK,
			     &m, sizeof(m), &r, sizeof(r), &raw);
	if (!ret && (r.attr.mode & LEOFS_S_IFMT) != LEOFS_S_IFLNK)
		ret = -EIO;
	if (!ret)
		ret = leofs_instantiate(dir, dentry, &r.attr);
	leofs_reply_free(&raw);
	return ret;
}

const struct inode_operations leofs_dir_iops = {
	.lookup = leofs_lookup,
	.create = leofs_create,
	.mkdir = leofs_mkdir,
	.unlink = leofs_unlink,
	.rmdir = leofs_rmdir,
	.rename = leofs_rename,
	.link = leofs_link,
	.symlink = leofs_symlink,
	.getattr = leofs_getattr,
	.setattr = leofs_setattr,
	.listxattr = leofs_listxattr,
};
