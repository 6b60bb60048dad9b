// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: /sys/kernel/debug/leofs/<mount id>/requests lists every
 * connection and the requests in flight on it, which is what one needs
 * when a mount hangs.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include "internal.h"

static struct dentry *leofs_debugfs_root;

static const char *leofs_req_state_name(enum leofs_req_state s)
{
	switch (s) {
	case LEOFS_REQ_QUEUED:
		return "queued";
	case LEOFS_REQ_SENT:
		return "sent";
	case LEOFS_REQ_DONE:
		return "done";
	}
	return "?";
}

static int leofs_requests_show(struct seq_file *m, void *v)
{
	struct leofs_fs_info *fsi = m->private;
	struct leofs_conn *conn;

	mutex_lock(&fsi->conns_lock);
	list_for_each_entry(conn, &fsi->conns, node) {
		struct leofs_req *req;
		unsigned long idx;

		spin_lock(&conn->lock);
		seq_printf(
			m,
			"conn %s %s session=%llx inflight=%u last_error=%d\n",
			conn->name, leofs_conn_state_name(conn->state),
			conn->session_id, conn->inflight, conn->last_err);
		xa_for_each(&conn->reqs, idx, req)
		{
			const char *op = leofs_op_name(req->opcode);

			seq_printf(
				m,
				"  id=%llu op=%s state=%s attempts=%u age_ms=%u%s\n",
				req->id, op ? op : "?",
				leofs_req_state_name(req->state), req->attempts,
				jiffies_to_msecs(jiffies - req->start),
				req == conn->sending ? " writing" : "");
		}
		spin_unlock(&conn->lock);
	}
	mutex_unlock(&fsi->conns_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(leofs_requests);

void leofs_debugfs_register(struct leofs_fs_info *fsi)
{
	char name[16];

	if (IS_ERR_OR_NULL(leofs_debugfs_root))
		return;
	snprintf(name, sizeof(name), "%u", fsi->id);
	fsi->debugfs = debugfs_create_dir(name, leofs_debugfs_root);
	debugfs_create_file("requests", 0400, fsi->debugfs, fsi,
			    &leofs_requests_fops);
}

void leofs_debugfs_unregister(struct leofs_fs_info *fsi)
{
	debugfs_remove(fsi->debugfs); /* waits for readers */
	fsi->debugfs = NULL;
}

void leofs_debugfs_init(void)
{
	leofs_debugfs_root = debugfs_create_dir("leofs", NULL);
}

void leofs_debugfs_exit(void)
{
	debugfs_remove(leofs_debugfs_root);
	leofs_debugfs_root = NULL;
}
