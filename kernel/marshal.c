// SPDX-License-Identifier: GPL-2.0
/*
 * Requests and replies through lib/proto: encoding a message into a frame,
 * decoding the reply, the caller's credentials, and the one mapping of
 * protocol status to errno (leofs_status_to_errno). Also HELLO, which
 * opens every connection.
 */
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uidgid.h>
#include "internal.h"

/* Opcodes whose requests are counted per type in the statistics. */
const u16 leofs_stat_ops[LEOFS_NR_STAT_OPS] = {
	LEOFS_OP_HELLO,		LEOFS_OP_MAP_GET,	LEOFS_OP_LOOKUP,
	LEOFS_OP_GETATTR,	LEOFS_OP_SETATTR,	LEOFS_OP_CREATE,
	LEOFS_OP_MKDIR,		LEOFS_OP_UNLINK,	LEOFS_OP_RMDIR,
	LEOFS_OP_RENAME,	LEOFS_OP_LINK,		LEOFS_OP_SYMLINK,
	LEOFS_OP_READLINK,	LEOFS_OP_READDIR,	LEOFS_OP_GETXATTR,
	LEOFS_OP_SETXATTR,	LEOFS_OP_LISTXATTR,	LEOFS_OP_REMOVEXATTR,
	LEOFS_OP_STATFS,	LEOFS_OP_COMMIT_SIZE,	LEOFS_OP_GET_LAYOUT,
	LEOFS_OP_SET_LAYOUT,	LEOFS_OP_WRITE_STRIPE,	LEOFS_OP_PARTIAL_WRITE,
	LEOFS_OP_READ_FRAGMENT, LEOFS_OP_DEGRADED_READ,
};

int leofs_stat_op_index(u16 opcode)
{
	int i;

	for (i = 0; i < LEOFS_NR_STAT_OPS; i++)
		if (leofs_stat_ops[i] == opcode)
			return i;
	return -1;
}

void leofs_reply_free(struct leofs_reply *r)
{
	kvfree(r->body);
	r->body = NULL;
	r->len = 0;
}

void leofs_fill_creds(struct leofs_creds *c)
{
	const struct cred *cred = current_cred();
	const struct group_info *gi = cred->group_info;
	u32 i, n = 0;

	c->uid = from_kuid_munged(&init_user_ns, cred->fsuid);
	c->gid = from_kgid_munged(&init_user_ns, cred->fsgid);
	/* the first LEOFS_MAX_GROUPS supplementary groups */
	for (i = 0; gi && i < gi->ngroups && n < LEOFS_MAX_GROUPS; i++)
		c->groups[n++] = from_kgid_munged(&init_user_ns, gi->gid[i]);
	c->ngroups = n;
}

/* Encodes msg into req->frame, growing the buffer as needed. */
int leofs_req_encode(struct leofs_req *req, const void *msg, size_t msg_size)
{
	struct leofs_frame_hdr h = {
		.version = LEOFS_PROTO_VERSION_MAX,
		.opcode = req->opcode,
		.req_id = req->id,
	};
	size_t cap = 1024;
	int len;

	if (req->opcode == LEOFS_OP_HELLO)
		h.version = 1; /* HELLO is always framed as version 1 */
	for (;;) {
		void *buf = kvmalloc(cap, GFP_NOFS);

		if (!buf)
			return -ENOMEM;
		len = leofs_frame_build(buf, cap, &h, msg, msg_size);
		if (len > 0) {
			req->frame = buf;
			req->frame_len = len;
			return 0;
		}
		kvfree(buf);
		if (len != -ENOSPC || cap >= LEOFS_FRAME_MAX)
			return len < 0 ? len : -EINVAL;
		cap = min_t(size_t, cap * 8, LEOFS_FRAME_MAX);
	}
}

int leofs_call(struct leofs_conn *conn, u16 opcode, const void *msg,
	       size_t msg_size, void *out, size_t out_size,
	       struct leofs_reply *raw)
{
	struct leofs_fs_info *fsi = conn->fsi;
	struct leofs_req *req;
	int idx, ret;

	raw->body = NULL;
	raw->len = 0;
	raw->status = LEOFS_S_IO;
	if (READ_ONCE(fsi->shutting_down))
		return -ESHUTDOWN;
	req = leofs_req_alloc(conn, opcode, leofs_opcode_idempotent(opcode));
	if (!req)
		return -ENOMEM;
	ret = leofs_req_encode(req, msg, msg_size);
	if (ret) {
		/* a request this client built does not encode: a bug here */
		pr_warn_ratelimited("cannot encode %s: %d\n",
				    leofs_op_name(opcode), ret);
		goto out;
	}
	idx = leofs_stat_op_index(opcode);
	if (idx >= 0)
		atomic64_inc(&fsi->stats.rpcs[idx]);
	ret = leofs_req_submit(req);
	if (ret)
		goto out;
	ret = leofs_req_wait(req);
	if (ret)
		goto out;

	raw->body = req->reply;
	raw->len = req->reply_len;
	req->reply = NULL;
	ret = leofs_msg_decode(opcode, true, out, out_size, raw->body,
			       raw->len);
	if (ret) {
		leofs_conn_bad(conn, "reply does not decode");
		ret = -EIO;
		goto out;
	}
	/* every reply struct starts with its status */
	raw->status = *(const u32 *)out;
	ret = leofs_status_to_errno(raw->status);
out:
	leofs_req_put(req);
	return ret;
}

static bool leofs_status_is_routing(u32 status)
{
	return status == LEOFS_S_WRONG_EPOCH || status == LEOFS_S_WRONG_SHARD ||
	       status == LEOFS_S_NOT_PRIMARY;
}

int leofs_mds_call(struct leofs_fs_info *fsi, u64 ino, u16 opcode,
		   const void *msg, size_t msg_size, void *out, size_t out_size,
		   struct leofs_reply *raw)
{
	struct leofs_conn *conn;
	int tries, ret = -EIO;

	/* a routing answer means our map is old: refresh it and try again */
	for (tries = 0; tries < 3; tries++) {
		ret = leofs_mds_select(fsi, ino, &conn);
		if (ret) {
			raw->body = NULL;
			return ret;
		}
		ret = leofs_call(conn, opcode, msg, msg_size, out, out_size,
				 raw);
		if (!ret || !leofs_status_is_routing(raw->status))
			return ret;
		leofs_reply_free(raw);
		leofs_map_fetch(fsi, conn);
	}
	return ret;
}

/* ---- HELLO ---------------------------------------------------------------- */

static void leofs_hello_done(struct leofs_req *req)
{
	struct leofs_conn *conn = req->conn;
	struct leofs_fs_info *fsi = conn->fsi;
	struct leofs_hello_reply r;
	bool new_session, reconnect;
	int ret;

	if (req->result)
		return; /* the connection dropped meanwhile */
	if (leofs_hello_reply_decode(&r, req->reply, req->reply_len)) {
		leofs_conn_bad(conn, "HELLO reply does not decode");
		return;
	}
	if (r.status != LEOFS_S_OK) {
		ret = leofs_status_to_errno(r.status);
		pr_err_ratelimited("%s: HELLO refused: %s\n", conn->name,
				   r.status == LEOFS_S_VERSION ?
					   "no common protocol version" :
				   r.status == LEOFS_S_WRONG_CLUSTER ?
					   "another cluster" :
					   "error");
		leofs_conn_fault(conn, ret, "HELLO refused");
		return;
	}
	if (r.version < LEOFS_PROTO_VERSION_MIN ||
	    r.version > LEOFS_PROTO_VERSION_MAX ||
	    r.peer_kind != conn->peer_kind ||
	    (!r.session_id && conn->peer_kind == LEOFS_PEER_MDS)) {
		leofs_conn_bad(conn, "HELLO reply with unacceptable values");
		return;
	}

	spin_lock(&fsi->map_lock);
	if (!fsi->cluster_known) {
		memcpy(fsi->cluster_id, r.cluster_id, sizeof(r.cluster_id));
		fsi->cluster_known = true;
		ret = 0;
	} else {
		ret = memcmp(fsi->cluster_id, r.cluster_id,
			     sizeof(r.cluster_id)) ?
			      -ECONNREFUSED :
			      0;
	}
	spin_unlock(&fsi->map_lock);
	if (ret) {
		pr_err_ratelimited(
			"%s: server belongs to another cluster (%16phN)\n",
			conn->name, r.cluster_id);
		leofs_conn_fault(conn, ret, "cluster id differs");
		return;
	}

	spin_lock(&conn->lock);
	new_session = conn->session_id && conn->session_id != r.session_id;
	conn->session_id = r.session_id;
	conn->server_epoch = r.map_epoch;
	conn->server_node = r.node_id;
	spin_unlock(&conn->lock);
	if (new_session)
		leofs_reqs_session_changed(conn);

	spin_lock(&conn->lock);
	reconnect = conn->ever_ready;
	if (conn->state == LEOFS_CONN_HELLO) {
		conn->state = LEOFS_CONN_READY;
		conn->since = jiffies;
		conn->attempts = 0;
		conn->last_err = 0;
		conn->ever_ready = true;
	}
	spin_unlock(&conn->lock);
	if (reconnect)
		atomic64_inc(&fsi->stats.reconnects);
	wake_up_all(&conn->wait);
	leofs_conn_kick(conn);
	leofs_map_announce(fsi, r.map_epoch);
}

struct leofs_req *leofs_hello_req(struct leofs_conn *conn)
{
	struct leofs_fs_info *fsi = conn->fsi;
	struct leofs_hello_req m = {
		.version_min = LEOFS_PROTO_VERSION_MIN,
		.version_max = LEOFS_PROTO_VERSION_MAX,
		.peer_kind = LEOFS_PEER_CLIENT,
		.features = LEOFS_FEATURES_ALL,
	};
	struct leofs_req *req;

	spin_lock(&fsi->map_lock);
	if (fsi->cluster_known)
		memcpy(m.cluster_id, fsi->cluster_id, sizeof(m.cluster_id));
	spin_unlock(&fsi->map_lock);
	spin_lock(&conn->lock);
	m.session_id = conn->session_id; /* resume the session */
	spin_unlock(&conn->lock);

	req = leofs_req_alloc(conn, LEOFS_OP_HELLO, true);
	if (!req)
		return NULL;
	req->internal = true;
	req->reply_max = 4096;
	req->complete = leofs_hello_done;
	if (leofs_req_encode(req, &m, sizeof(m))) {
		leofs_req_put(req);
		return NULL;
	}
	atomic64_inc(&fsi->stats.rpcs[0]);
	return req;
}
