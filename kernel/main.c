// SPDX-License-Identifier: GPL-2.0
/* leofs.ko: module load and unload, module parameters. */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include "internal.h"

struct workqueue_struct *leofs_wq;

unsigned int leofs_default_timeo = 30;
module_param_named(timeo, leofs_default_timeo, uint, 0644);
MODULE_PARM_DESC(timeo,
		 "Default seconds a server has to answer a request (1-600)");

unsigned int leofs_default_retrans = 2;
module_param_named(retrans, leofs_default_retrans, uint, 0644);
MODULE_PARM_DESC(retrans, "Default number of retries after a timeout (0-10)");

unsigned int leofs_default_max_inflight = 64;
module_param_named(max_inflight, leofs_default_max_inflight, uint, 0644);
MODULE_PARM_DESC(max_inflight,
		 "Default limit of requests in flight per connection (1-4096)");

unsigned int leofs_default_readahead_kb = 4096;
module_param_named(readahead_kb, leofs_default_readahead_kb, uint, 0644);
MODULE_PARM_DESC(readahead_kb, "Default read-ahead size in KiB");

unsigned int leofs_default_reconnect_max_ms = 5000;
module_param_named(reconnect_max_ms, leofs_default_reconnect_max_ms, uint,
		   0644);
MODULE_PARM_DESC(reconnect_max_ms,
		 "Default longest pause between reconnect attempts, ms");

unsigned int leofs_default_data_retry_s = 120;
module_param_named(data_retry_s, leofs_default_data_retry_s, uint, 0644);
MODULE_PARM_DESC(data_retry_s,
		 "Default seconds a write keeps retrying a PG that cannot take it (0-3600)");

static int __init leofs_init(void)
{
	int ret;

	ret = leofs_selfcheck();
	if (ret)
		return ret;

	leofs_wq = alloc_workqueue("leofs", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!leofs_wq)
		return -ENOMEM;
	ret = leofs_inode_cache_init();
	if (ret)
		goto err_wq;
	ret = leofs_sysfs_init();
	if (ret)
		goto err_cache;
	leofs_debugfs_init();
	ret = leofs_netlink_init();
	if (ret)
		goto err_debugfs;
	ret = register_filesystem(&leofs_fs_type);
	if (ret) {
		pr_err("cannot register the filesystem type: %d\n", ret);
		goto err_netlink;
	}
	pr_info("loaded\n");
	return 0;

err_netlink:
	leofs_netlink_exit();
err_debugfs:
	leofs_debugfs_exit();
	leofs_sysfs_exit();
err_cache:
	leofs_inode_cache_exit();
err_wq:
	destroy_workqueue(leofs_wq);
	return ret;
}

static void __exit leofs_exit(void)
{
	unregister_filesystem(&leofs_fs_type);
	leofs_netlink_exit();
	leofs_debugfs_exit();
	leofs_sysfs_exit();
	leofs_inode_cache_exit();
	destroy_workqueue(leofs_wq);
	pr_info("unloaded\n");
}

module_init(leofs_init);
module_exit(leofs_exit);

MODULE_DESCRIPTION("leofs distributed filesystem client");
MODULE_LICENSE("GPL");
MODULE_ALIAS_FS("leofs");
