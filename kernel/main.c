// SPDX-License-Identifier: GPL-2.0
/* leofs.ko: module load and unload. */
#include <linux/module.h>
#include "internal.h"

static int __init leofs_init(void)
{
	int ret;

	ret = register_filesystem(&leofs_fs_type);
	if (ret) {
		pr_err("cannot register the filesystem type: %d\n", ret);
		return ret;
	}
	pr_info("loaded\n");
	return 0;
}

static void __exit leofs_exit(void)
{
	unregister_filesystem(&leofs_fs_type);
	pr_info("unloaded\n");
}

module_init(leofs_init);
module_exit(leofs_exit);

MODULE_DESCRIPTION("leofs distributed filesystem client");
MODULE_LICENSE("GPL");
MODULE_ALIAS_FS("leofs");
