// SPDX-License-Identifier: GPL-2.0
/*
 * Inodes: the slab cache, finding or creating the VFS inode of a leofs
 * inode id, refreshing attributes from the server with the attribute cache
 * timeouts (acregmin..acregmax, acdirmin..acdirmax, or none with noac),
 * getattr and setattr.
 */
#include <linux/slab.h>
#include <linux/pagemap.h>
#include <linux/xattr.h>
#include "internal.h"

static struct kmem_cache *leofs_inode_cachep;

static void leofs_inode_init_once(void *p)
{
	struct leofs_inode *li = p;

	inode_init_once(&li->vfs);
}

int leofs_inode_cache_init(void)
{
	leofs_inode_cachep = kmem_cache_create(
		"leofs_inode", sizeof(struct leofs_inode), 0,
		SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT, leofs_inode_init_once);
	return leofs_inode_cachep ? 0 : -ENOMEM;
}

void leofs_inode_cache_exit(void)
{
	/* inodes are freed after an RCU grace period */
	rcu_barrier();
	kmem_cache_destroy(leofs_inode_cachep);
}

struct inode *leofs_alloc_inode(struct super_block *sb)
{
	struct leofs_inode *li;

	li = alloc_inode_sb(sb, leofs_inode_cachep, GFP_KERNEL);
	if (!li)
		return NULL;
	li->ino = 0;
	li->generation = 0;
	li->attr_time = 0;
	li->attr_timeout = 0;
	li->attr_version = 0;
	memset(&li->layout, 0, sizeof(li->layout));
	mutex_init(&li->io_mutex);
	li->data_flags = 0;
	return &li->vfs;
}

void leofs_free_inode(struct inode *inode)
{
	kmem_cache_free(leofs_inode_cachep, LEOFS_I(inode));
}

static bool leofs_mode_valid(u32 mode)
{
	switch (mode & LEOFS_S_IFMT) {
	case LEOFS_S_IFREG:
	case LEOFS_S_IFDIR:
	case LEOFS_S_IFLNK:
	case LEOFS_S_IFIFO:
	case LEOFS_S_IFSOCK:
	case LEOFS_S_IFCHR:
	case LEOFS_S_IFBLK:
		return (mode & ~(LEOFS_S_IFMT | LEOFS_S_PERM)) == 0;
	default:
		return false;
	}
}

static struct timespec64 leofs_ts(const struct leofs_timespec *t)
{
	return (struct timespec64){ .tv_sec = t->sec,
				    .tv_nsec = t->nsec % NSEC_PER_SEC };
}

/* The attribute timeouts of this inode's kind, in jiffies. */
static void leofs_ac_bounds(struct inode *inode, unsigned long *min,
			    unsigned long *max)
{
	struct leofs_fs_info *fsi = LEOFS_FS(inode->i_sb);
	bool dir = S_ISDIR(inode->i_mode);

	if (fsi->opts.noac) {
		*min = *max = 0;
		return;
	}
	if (dir) {
		*min = (unsigned long)READ_ONCE(fsi->tun.acdirmin) * HZ;
		*max = (unsigned long)READ_ONCE(fsi->tun.acdirmax) * HZ;
	} else {
		*min = (unsigned long)READ_ONCE(fsi->tun.acregmin) * HZ;
		*max = (unsigned long)READ_ONCE(fsi->tun.acregmax) * HZ;
	}
	if (*max < *min)
		*max = *min;
}

/*
 * Applies attributes from the server, unless they were read before a
 * change this client applied since (stamp: see leofs_attr_stamp()).
 * While this client holds writes the MDS has not seen, a read does not
 * shrink i_size nor take mtime back (the next COMMIT_SIZE sends both). The timeout adapts: it doubles
 * (up to the maximum) while the inode does not change, and drops back to
 * the minimum when it does.
 */
void leofs_inode_refresh(struct inode *inode, const struct leofs_attr *a,
			 u64 stamp)
{
	struct leofs_inode *li = LEOFS_I(inode);
	struct timespec64 mtime = leofs_ts(&a->mtime);
	struct timespec64 ctime = leofs_ts(&a->ctime);
	unsigned long min, max;
	bool changed, local;

	local = S_ISREG(inode->i_mode) && leofs_has_local_writes(inode);
	spin_lock(&inode->i_lock);
	if (stamp == LEOFS_ATTR_CHANGED) {
		local = false; /* the server applied what this client asked */
		li->attr_version = (u64)atomic64_inc_return(
			&LEOFS_FS(inode->i_sb)->attr_version);
	} else if (li->attr_version > stamp) {
		spin_unlock(&inode->i_lock);
		return; /* older than what this client changed since */
	}
	changed = !timespec64_equal(&inode->i_mtime, &mtime) ||
		  !timespec64_equal(&inode->i_ctime, &ctime) ||
		  i_size_read(inode) != (loff_t)a->size;
	inode->i_mode = (inode->i_mode & S_IFMT) | (a->mode & LEOFS_S_PERM);
	set_nlink(inode, a->nlink);
	inode->i_uid = make_kuid(&init_user_ns, a->uid);
	inode->i_gid = make_kgid(&init_user_ns, a->gid);
	inode->i_atime = leofs_ts(&a->atime);
	if (!local || timespec64_compare(&mtime, &inode->i_mtime) > 0)
		inode->i_mtime = mtime;
	inode->i_ctime = ctime;
	inode->i_blocks = a->blocks;
	if (!local || a->size >= i_size_read(inode))
		i_size_write(inode, min_t(u64, a->size, MAX_LFS_FILESIZE));
	li->generation = a->generation;
	li->layout = a->layout;

	leofs_ac_bounds(inode, &min, &max);
	if (changed || !li->attr_timeout)
		li->attr_timeout = min;
	else
		li->attr_timeout = min(li->attr_timeout * 2, max);
	li->attr_time = jiffies;
	spin_unlock(&inode->i_lock);
}

/* Changed on the server by this client: fetch the attributes again. */
void leofs_inode_invalidate(struct inode *inode)
{
	spin_lock(&inode->i_lock);
	LEOFS_I(inode)->attr_version = (u64)atomic64_inc_return(
		&LEOFS_FS(inode->i_sb)->attr_version);
	LEOFS_I(inode)->attr_timeout = 0;
	LEOFS_I(inode)->attr_time = jiffies - 1;
	spin_unlock(&inode->i_lock);
}

static bool leofs_attrs_fresh(struct inode *inode)
{
	struct leofs_inode *li = LEOFS_I(inode);
	bool fresh;

	spin_lock(&inode->i_lock);
	fresh = li->attr_timeout &&
		time_before(jiffies, li->attr_time + li->attr_timeout);
	spin_unlock(&inode->i_lock);
	return fresh;
}

static int leofs_iget_test(struct inode *inode, void *data)
{
	return LEOFS_I(inode)->ino == *(u64 *)data;
}

static int leofs_iget_set(struct inode *inode, void *data)
{
	LEOFS_I(inode)->ino = *(u64 *)data;
	inode->i_ino = (unsigned long)*(u64 *)data;
	return 0;
}

/* The inode for attributes a server sent, checked before use. */
struct inode *leofs_iget(struct super_block *sb, const struct leofs_attr *a,
			 u64 stamp)
{
	struct inode *inode;
	u64 ino = a->ino;

	if (!ino || !leofs_mode_valid(a->mode)) {
		pr_warn_ratelimited(
			"server sent invalid attributes (inode %llx, mode %o)\n",
			ino, a->mode);
		return ERR_PTR(-EIO);
	}
	inode = iget5_locked(sb, (unsigned long)(ino ^ (ino >> 32)),
			     leofs_iget_test, leofs_iget_set, &ino);
	if (!inode)
		return ERR_PTR(-ENOMEM);

	if (!(inode->i_state & I_NEW)) {
		if ((inode->i_mode & S_IFMT) != (a->mode & LEOFS_S_IFMT)) {
			/* the id now names another inode: ours is stale */
			iput(inode);
			return ERR_PTR(-ESTALE);
		}
		leofs_inode_refresh(inode, a, stamp);
		return inode;
	}

	inode->i_mode = a->mode & LEOFS_S_IFMT;
	inode->i_generation = (u32)a->generation;
	switch (inode->i_mode & S_IFMT) {
	case S_IFDIR:
		inode->i_op = &leofs_dir_iops;
		inode->i_fop = &leofs_dir_fops;
		break;
	case S_IFREG:
		inode->i_op = &leofs_file_iops;
		inode->i_fop = &leofs_file_fops;
		inode->i_mapping->a_ops = &leofs_file_aops;
		break;
	case S_IFLNK:
		inode->i_op = &leofs_symlink_iops;
		break;
	default:
		inode->i_op = &leofs_special_iops;
		init_special_inode(inode, inode->i_mode, 0);
		break;
	}
	leofs_inode_refresh(inode, a, LEOFS_ATTR_CHANGED);
	unlock_new_inode(inode);
	return inode;
}

int leofs_revalidate_attrs(struct inode *inode, bool force)
{
	struct leofs_fs_info *fsi = LEOFS_FS(inode->i_sb);
	struct leofs_ino_req m = { .ino = LEOFS_I(inode)->ino };
	struct leofs_attr_reply r;
	struct leofs_reply raw;
	u64 stamp;
	int ret;

	if (!force && leofs_attrs_fresh(inode))
		return 0;
	leofs_fill_creds(&m.creds);
	stamp = leofs_attr_stamp(inode->i_sb);
	ret = leofs_mds_call(fsi, m.ino, LEOFS_OP_GETATTR, &m, sizeof(m), &r,
			     sizeof(r), &raw);
	if (!ret) {
		if (r.attr.ino != m.ino ||
		    (r.attr.mode & LEOFS_S_IFMT) != (inode->i_mode & S_IFMT) ||
		    !leofs_mode_valid(r.attr.mode))
			ret = -ESTALE;
		else
			leofs_inode_refresh(inode, &r.attr, stamp);
	}
	leofs_reply_free(&raw);
	return ret;
}

int leofs_getattr(struct user_namespace *ns, const struct path *path,
		  struct kstat *stat, u32 mask, unsigned int flags)
{
	struct inode *inode = d_inode(path->dentry);
	int ret;

	if (!(flags & AT_STATX_DONT_SYNC)) {
		ret = leofs_revalidate_attrs(inode,
					     flags & AT_STATX_FORCE_SYNC);
		if (ret)
			return ret;
	}
	generic_fillattr(ns, inode, stat);
	stat->ino = LEOFS_I(inode)->ino;
	stat->blksize = LEOFS_BLOCK_SIZE;
	return 0;
}

int leofs_setattr(struct user_namespace *ns, struct dentry *dentry,
		  struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	struct leofs_fs_info *fsi = LEOFS_FS(inode->i_sb);
	struct leofs_setattr_req m = { .ino = LEOFS_I(inode)->ino };
	struct leofs_attr_reply r;
	struct leofs_reply raw;
	u64 old_size = 0;
	int ret;

	ret = setattr_prepare(ns, dentry, attr);
	if (ret)
		return ret;
	if (attr->ia_valid & ATTR_MODE) {
		m.valid |= LEOFS_SETATTR_MODE;
		m.mode = attr->ia_mode & LEOFS_S_PERM;
	}
	if (attr->ia_valid & ATTR_UID) {
		m.valid |= LEOFS_SETATTR_UID;
		m.uid = from_kuid(&init_user_ns, attr->ia_uid);
	}
	if (attr->ia_valid & ATTR_GID) {
		m.valid |= LEOFS_SETATTR_GID;
		m.gid = from_kgid(&init_user_ns, attr->ia_gid);
	}
	if (attr->ia_valid & ATTR_SIZE) {
		if (!S_ISREG(inode->i_mode))
			return -EINVAL;
		m.valid |= LEOFS_SETATTR_SIZE;
		m.size = attr->ia_size;
		/*
		 * The MDS truncates what it knows is stored: write back and
		 * commit first, so that it knows all of it.
		 */
		ret = leofs_flush_and_commit(inode);
		if (ret)
			return ret;
		old_size = i_size_read(inode);
	}
	if (attr->ia_valid & ATTR_ATIME) {
		if (attr->ia_valid & ATTR_ATIME_SET) {
			m.valid |= LEOFS_SETATTR_ATIME;
			m.atime.sec = attr->ia_atime.tv_sec;
			m.atime.nsec = attr->ia_atime.tv_nsec;
		} else {
			m.valid |= LEOFS_SETATTR_ATIME_NOW;
		}
	}
	if (attr->ia_valid & ATTR_MTIME) {
		if (attr->ia_valid & ATTR_MTIME_SET) {
			m.valid |= LEOFS_SETATTR_MTIME;
			m.mtime.sec = attr->ia_mtime.tv_sec;
			m.mtime.nsec = attr->ia_mtime.tv_nsec;
		} else {
			m.valid |= LEOFS_SETATTR_MTIME_NOW;
		}
	}
	if (!m.valid)
		return 0; /* ctime alone: the server sets it itself */

	leofs_fill_creds(&m.creds);
	ret = leofs_mds_call(fsi, m.ino, LEOFS_OP_SETATTR, &m, sizeof(m), &r,
			     sizeof(r), &raw);
	if (!ret) {
		if (r.attr.ino != m.ino ||
		    (r.attr.mode & LEOFS_S_IFMT) != (inode->i_mode & S_IFMT)) {
			ret = -EIO;
		} else {
			leofs_inode_refresh(inode, &r.attr,
					    LEOFS_ATTR_CHANGED);
		}
	}
	leofs_reply_free(&raw);
	if (!ret && (m.valid & LEOFS_SETATTR_SIZE)) {
		struct leofs_inode *li = LEOFS_I(inode);

		truncate_setsize(inode, attr->ia_size);
		mutex_lock(&li->io_mutex);
		ret = leofs_truncate_objects(inode, old_size, attr->ia_size);
		mutex_unlock(&li->io_mutex);
	}
	return ret;
}

static const char *leofs_get_link(struct dentry *dentry, struct inode *inode,
				  struct delayed_call *done)
{
	struct leofs_fs_info *fsi;
	struct leofs_ino_req m;
	struct leofs_readlink_reply r;
	struct leofs_reply raw;
	char *target;
	int ret;

	if (!dentry)
		return ERR_PTR(-ECHILD); /* needs the network */
	fsi = LEOFS_FS(inode->i_sb);
	memset(&m, 0, sizeof(m));
	m.ino = LEOFS_I(inode)->ino;
	leofs_fill_creds(&m.creds);
	ret = leofs_mds_call(fsi, m.ino, LEOFS_OP_READLINK, &m, sizeof(m), &r,
			     sizeof(r), &raw);
	if (!ret && leofs_symlink_check(r.target.data, r.target.len))
		ret = -EIO;
	if (ret) {
		leofs_reply_free(&raw);
		return ERR_PTR(ret);
	}
	target = kmemdup_nul(r.target.data, r.target.len, GFP_KERNEL);
	leofs_reply_free(&raw);
	if (!target)
		return ERR_PTR(-ENOMEM);
	set_delayed_call(done, kfree_link, target);
	return target;
}

const struct inode_operations leofs_file_iops = {
	.getattr = leofs_getattr,
	.setattr = leofs_setattr,
	.listxattr = leofs_listxattr,
};

const struct inode_operations leofs_symlink_iops = {
	.get_link = leofs_get_link,
	.getattr = leofs_getattr,
	.setattr = leofs_setattr,
	.listxattr = leofs_listxattr,
};

const struct inode_operations leofs_special_iops = {
	.getattr = leofs_getattr,
	.setattr = leofs_setattr,
	.listxattr = leofs_listxattr,
};
