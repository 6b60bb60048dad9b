// SPDX-License-Identifier: GPL-2.0
/* leofs.ko: the filesystem type and its mount context. */
#include <linux/fs_context.h>
#include <linux/module.h>
#include "internal.h"

static int leofs_get_tree(struct fs_context *fc)
{
	/* The metadata client that a mount needs is not part of this build. */
	errorf(fc, "leofs: this module build cannot mount yet");
	return -EOPNOTSUPP;
}

static const struct fs_context_operations leofs_context_ops = {
	.get_tree = leofs_get_tree,
};

static int leofs_init_fs_context(struct fs_context *fc)
{
	fc->ops = &leofs_context_ops;
	return 0;
}

struct file_system_type leofs_fs_type = {
	.owner = THIS_MODULE,
	.name = "leofs",
	.init_fs_context = leofs_init_fs_context,
	.kill_sb = kill_anon_super,
};
