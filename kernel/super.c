// SPDX-License-Identifier: GPL-2.0
/*
 * The filesystem type, its mount context, and the superblock: mounting
 * (connect, HELLO, MAP_GET, the root inode), statfs, and umount, which
 * leaves nothing behind.
 */
#include <linux/backing-dev.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <net/net_namespace.h>
#include "internal.h"

#define LEOFS_SUPER_MAGIC 0x464f454c /* "LEOF" */

LIST_HEAD(leofs_mounts);
DEFINE_MUTEX(leofs_mounts_lock);
static DEFINE_IDA(leofs_mount_ida);

static int leofs_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	struct leofs_fs_info *fsi = LEOFS_FS(dentry->d_sb);
	struct leofs_ino_req m = { .ino = LEOFS_I(d_inode(dentry))->ino };
	struct leofs_statfs_reply r;
	struct leofs_reply raw;
	int ret;

	leofs_fill_creds(&m.creds);
	ret = leofs_mds_call(fsi, m.ino, LEOFS_OP_STATFS, &m, sizeof(m), &r,
			     sizeof(r), &raw);
	leofs_reply_free(&raw);
	if (ret)
		return ret;
	buf->f_type = LEOFS_SUPER_MAGIC;
	buf->f_bsize = r.bsize ? r.bsize : LEOFS_BLOCK_SIZE;
	buf->f_frsize = buf->f_bsize;
	buf->f_blocks = r.blocks;
	buf->f_bfree = min(r.bfree, r.blocks);
	buf->f_bavail = min(r.bavail, buf->f_bfree);
	buf->f_files = r.files;
	buf->f_ffree = min(r.ffree, r.files);
	buf->f_namelen = r.namelen && r.namelen <= LEOFS_NAME_MAX ?
				 r.namelen :
				 LEOFS_NAME_MAX;
	return 0;
}

static void leofs_evict_inode(struct inode *inode)
{
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
}

static const struct super_operations leofs_super_ops = {
	.alloc_inode = leofs_alloc_inode,
	.free_inode = leofs_free_inode,
	.evict_inode = leofs_evict_inode,
	.statfs = leofs_statfs,
	.show_options = leofs_show_options,
};

static void leofs_tunables_init(struct leofs_fs_info *fsi)
{
	struct leofs_tunables *t = &fsi->tun;
	const struct leofs_mount_opts *o = &fsi->opts;

	t->readahead_kb = READ_ONCE(leofs_default_readahead_kb);
	t->max_inflight =
		clamp_val(READ_ONCE(leofs_default_max_inflight), 1, 4096);
	t->reconnect_max_ms = clamp_val(
		READ_ONCE(leofs_default_reconnect_max_ms), 100, 600000);
	t->data_retry_s = min(READ_ONCE(leofs_default_data_retry_s), 3600u);
	t->timeo = o->timeo;
	t->retrans = o->retrans;
	t->acregmin = o->acregmin;
	t->acregmax = o->acregmax;
	t->acdirmin = o->acdirmin;
	t->acdirmax = o->acdirmax;
}

static struct leofs_fs_info *leofs_fs_info_alloc(struct fs_context *fc)
{
	struct leofs_mount_opts *o = fc->fs_private;
	struct leofs_fs_info *fsi;
	int id;

	fsi = kzalloc(sizeof(*fsi), GFP_KERNEL);
	if (!fsi)
		return NULL;
	id = ida_alloc(&leofs_mount_ida, GFP_KERNEL);
	if (id < 0) {
		kfree(fsi);
		return NULL;
	}
	fsi->id = id;
	INIT_LIST_HEAD(&fsi->mounts);
	fsi->opts = *o;
	o->source = NULL; /* moved */
	o->fsname = NULL;
	if (fsi->opts.has_cluster_id) {
		memcpy(fsi->cluster_id, fsi->opts.cluster_id, 16);
		fsi->cluster_known = true;
	}
	leofs_tunables_init(fsi);
	fsi->net = get_net(fc->net_ns);
	mutex_init(&fsi->conns_lock);
	INIT_LIST_HEAD(&fsi->conns);
	spin_lock_init(&fsi->map_lock);
	INIT_WORK(&fsi->map_work, leofs_map_work);
	mutex_init(&fsi->pgt_lock);
	init_completion(&fsi->kobj_unregister);
	return fsi;
}

static void leofs_fs_info_free(struct leofs_fs_info *fsi)
{
	mutex_lock(&leofs_mounts_lock);
	list_del_init(&fsi->mounts);
	mutex_unlock(&leofs_mounts_lock);
	leofs_debugfs_unregister(fsi);
	leofs_sysfs_unregister(fsi);
	leofs_conns_destroy(fsi);
	leofs_pgt_free(fsi);
	leofs_map_free(fsi);
	leofs_opts_free(&fsi->opts);
	put_net(fsi->net);
	ida_free(&leofs_mount_ida, fsi->id);
	kfree(fsi);
}

static int leofs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct leofs_fs_info *fsi;
	struct leofs_ino_req m = { .ino = LEOFS_ROOT_INO };
	struct leofs_attr_reply r;
	struct leofs_reply raw;
	struct inode *root;
	int ret;

	fsi = leofs_fs_info_alloc(fc);
	if (!fsi)
		return -ENOMEM;
	fsi->sb = sb;
	sb->s_fs_info = fsi;
	sb->s_magic = LEOFS_SUPER_MAGIC;
	sb->s_op = &leofs_super_ops;
	sb->s_d_op = &leofs_dentry_ops;
	sb->s_xattr = leofs_xattr_handlers;
	sb->s_blocksize = LEOFS_BLOCK_SIZE;
	sb->s_blocksize_bits = ilog2(LEOFS_BLOCK_SIZE);
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_time_gran = 1;
	sb->s_flags |= SB_NOATIME;

	ret = super_setup_bdi(sb);
	if (ret)
		return ret;
	sb->s_bdi->ra_pages = fsi->tun.readahead_kb / (PAGE_SIZE / 1024);

	ret = leofs_mds_bootstrap(fsi);
	if (ret) {
		errorfc(fc,
			"no metadata server reachable within %us (last error %d)",
			fsi->tun.timeo, ret);
		return ret;
	}

	ret = leofs_map_fetch(fsi, fsi->boot_conn);
	if (ret) {
		errorfc(fc, "cannot get the cluster map: error %d", ret);
		return ret;
	}

	leofs_fill_creds(&m.creds);
	ret = leofs_mds_call(fsi, m.ino, LEOFS_OP_GETATTR, &m, sizeof(m), &r,
			     sizeof(r), &raw);
	if (!ret && ((r.attr.mode & LEOFS_S_IFMT) != LEOFS_S_IFDIR ||
		     r.attr.ino != LEOFS_ROOT_INO))
		ret = -EIO;
	root = ret ? ERR_PTR(ret) : leofs_iget(sb, &r.attr, LEOFS_ATTR_CHANGED);
	leofs_reply_free(&raw);
	if (IS_ERR(root)) {
		errorfc(fc, "cannot get the root directory: error %ld",
			PTR_ERR(root));
		return PTR_ERR(root);
	}
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		return -ENOMEM;

	ret = leofs_sysfs_register(fsi);
	if (ret)
		return ret;
	leofs_debugfs_register(fsi);
	mutex_lock(&leofs_mounts_lock);
	list_add_tail(&fsi->mounts, &leofs_mounts);
	mutex_unlock(&leofs_mounts_lock);
	pr_info("mounted %s (id %u, cluster map epoch %llu)\n",
		fsi->opts.source, fsi->id, leofs_map_epoch(fsi));
	return 0;
}

static int leofs_get_tree(struct fs_context *fc)
{
	int ret;

	ret = leofs_opts_finish(fc, fc->fs_private);
	if (ret)
		return ret;
	return get_tree_nodev(fc, leofs_fill_super);
}

static void leofs_free_fc(struct fs_context *fc)
{
	struct leofs_mount_opts *o = fc->fs_private;

	if (o) {
		leofs_opts_free(o);
		kfree(o);
	}
}

static int leofs_reconfigure(struct fs_context *fc)
{
	sync_filesystem(fc->root->d_sb);
	return 0;
}

static const struct fs_context_operations leofs_context_ops = {
	.free = leofs_free_fc,
	.parse_param = leofs_parse_param,
	.get_tree = leofs_get_tree,
	.reconfigure = leofs_reconfigure,
};

static int leofs_init_fs_context(struct fs_context *fc)
{
	struct leofs_mount_opts *o;

	o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	leofs_opts_init(o);
	fc->fs_private = o;
	fc->ops = &leofs_context_ops;
	return 0;
}

static void leofs_kill_sb(struct super_block *sb)
{
	struct leofs_fs_info *fsi = LEOFS_FS(sb);

	kill_anon_super(sb);
	if (fsi)
		leofs_fs_info_free(fsi);
}

struct file_system_type leofs_fs_type = {
	.owner = THIS_MODULE,
	.name = "leofs",
	.init_fs_context = leofs_init_fs_context,
	.parameters = leofs_param_specs,
	.kill_sb = leofs_kill_sb,
};
