// SPDX-License-Identifier: GPL-2.0
/*
 * Requests to storage servers (leofs-oss). One connection per OSS node,
 * made by conn.c like the metadata connections; requests go through the
 * same request table and in-flight limit (rpc.c), so callers put many in
 * flight and then wait for each.
 *
 * Every storage request of this client may be sent twice: reads have no
 * effect, and a stripe write carries the full bytes of its range, while an
 * inode has at most one write in flight per stripe (io_mutex). A request
 * is therefore always resent after a reconnect.
 *
 * A node that refused a connection is down: waiters give up at once
 * (-EHOSTDOWN) so that reads fall back to another PG member, and new
 * requests skip it for LEOFS_OSS_DOWN_MS before trying again.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include "internal.h"

#define LEOFS_OSS_DOWN_MS 2000

bool leofs_err_is_transport(int err)
{
	switch (err) {
	case -EHOSTDOWN:
	case -EHOSTUNREACH:
	case -ECONNREFUSED:
	case -ECONNRESET:
	case -ETIMEDOUT:
	case -EPIPE:
	case -ENOTCONN:
	case -ESHUTDOWN:
		return true;
	default:
		return false;
	}
}

/* The address of the node holding target_id; -EHOSTDOWN if marked down. */
static int leofs_target_addr(struct leofs_fs_info *fsi, u32 target_id,
			     struct sockaddr_storage *ss)
{
	const struct leofs_map *m;
	const struct leofs_map_target *t = NULL;
	const struct leofs_map_node *n = NULL;
	u32 i;
	int ret;

	spin_lock(&fsi->map_lock);
	if (!fsi->map) {
		ret = -ENOTCONN;
		goto out;
	}
	m = &fsi->map->map;
	for (i = 0; i < m->target_count && !t; i++)
		if (m->targets[i].id == target_id)
			t = &m->targets[i];
	for (i = 0; t && i < m->node_count && !n; i++)
		if (m->nodes[i].id == t->node_id)
			n = &m->nodes[i];
	if (!n) {
		ret = -EHOSTUNREACH;
		goto out;
	}
	if (!(n->state & LEOFS_STATE_UP) || !(t->state & LEOFS_STATE_UP)) {
		ret = -EHOSTDOWN;
		goto out;
	}
	ret = leofs_addr_to_sockaddr(&n->addr, ss) ? -EHOSTUNREACH : 0;
out:
	spin_unlock(&fsi->map_lock);
	return ret;
}

static bool leofs_conn_recently_failed(struct leofs_conn *conn)
{
	bool down;

	spin_lock(&conn->lock);
	down = conn->state != LEOFS_CONN_READY &&
	       conn->state != LEOFS_CONN_HELLO && conn->attempts &&
	       time_before(jiffies,
			   conn->since + msecs_to_jiffies(LEOFS_OSS_DOWN_MS));
	spin_unlock(&conn->lock);
	return down;
}

static int leofs_oss_conn(struct leofs_fs_info *fsi, u32 target_id,
			  struct leofs_conn **out)
{
	struct sockaddr_storage ss;
	struct leofs_conn *conn;
	int ret;

	ret = leofs_target_addr(fsi, target_id, &ss);
	if (ret)
		return ret;
	conn = leofs_conn_get_addr(fsi, &ss, LEOFS_PEER_OSS);
	if (!conn)
		return READ_ONCE(fsi->shutting_down) ? -ESHUTDOWN : -ENOMEM;
	if (leofs_conn_recently_failed(conn))
		return -EHOSTDOWN;
	*out = conn;
	return 0;
}

/* The map marks the target down, or its node refused us a moment ago. */
bool leofs_oss_target_down(struct leofs_fs_info *fsi, u32 target_id)
{
	struct leofs_conn *conn;

	return leofs_oss_conn(fsi, target_id, &conn) != 0;
}

/*
 * Encodes msg and queues it to the node of target_id. On error op->err is
 * set and leofs_oss_wait() returns it.
 */
int leofs_oss_send(struct leofs_fs_info *fsi, u32 target_id, u16 opcode,
		   const void *msg, size_t msg_size, struct leofs_oss_op *op)
{
	struct leofs_conn *conn;
	struct leofs_req *req;
	int idx, ret;

	memset(op, 0, sizeof(*op));
	if (READ_ONCE(fsi->shutting_down))
		return op->err = -ESHUTDOWN;
	ret = leofs_oss_conn(fsi, target_id, &conn);
	if (ret)
		return op->err = ret;
	req = leofs_req_alloc(conn, opcode, true);
	if (!req)
		return op->err = -ENOMEM;
	req->reply_max = LEOFS_BODY_MAX;
	ret = leofs_req_encode(req, msg, msg_size);
	if (ret) {
		pr_warn_ratelimited("cannot encode %s: %d\n",
				    leofs_op_name(opcode), ret);
		leofs_req_put(req);
		return op->err = -EIO;
	}
	idx = leofs_stat_op_index(opcode);
	if (idx >= 0)
		atomic64_inc(&fsi->stats.rpcs[idx]);
	op->failures0 = READ_ONCE(conn->connect_failures);
	ret = leofs_req_submit(req);
	if (ret) {
		leofs_req_put(req);
		return op->err = ret;
	}
	op->req = req;
	op->conn = conn;
	return 0;
}

static bool leofs_oss_gave_up(struct leofs_oss_op *op)
{
	struct leofs_conn *conn = op->conn;

	return READ_ONCE(conn->connect_failures) != op->failures0 ||
	       READ_ONCE(conn->state) == LEOFS_CONN_CLOSED;
}

/*
 * Waits for the reply: 0 with op->body/len (the status not yet looked
 * at), or a negative errno. Like leofs_req_wait(), each attempt has timeo
 * seconds and a timeout drops the connection; in addition, a failed
 * reconnect ends the wait at once with -EHOSTDOWN.
 */
int leofs_oss_wait(struct leofs_oss_op *op)
{
	struct leofs_req *req = op->req;
	struct leofs_fs_info *fsi;
	long left;

	if (!req)
		return op->err ? op->err : -EIO;
	fsi = op->conn->fsi;
	for (;;) {
		long timeo = (long)clamp_val(READ_ONCE(fsi->tun.timeo), 1,
					     LEOFS_MAX_TIMEO) *
			     HZ;

		left = wait_event_killable_timeout(
			op->conn->wait,
			completion_done(&req->done) || leofs_oss_gave_up(op),
			timeo);
		if (completion_done(&req->done))
			break;
		if (left < 0) {
			leofs_req_cancel(req, -EINTR);
			break;
		}
		if (left > 0) {
			leofs_req_cancel(req, -EHOSTDOWN);
			break;
		}
		atomic64_inc(&fsi->stats.timeouts);
		if (++req->attempts > READ_ONCE(fsi->tun.retrans)) {
			leofs_req_cancel(req, -ETIMEDOUT);
			break;
		}
		leofs_conn_fault(op->conn, -ETIMEDOUT, "no reply in time");
	}
	wait_for_completion(&req->done);
	if (req->result)
		return req->result;
	op->body = req->reply;
	op->len = req->reply_len;
	req->reply = NULL;
	return 0;
}

void leofs_oss_op_release(struct leofs_oss_op *op)
{
	leofs_req_put(op->req);
	op->req = NULL;
	kvfree(op->body);
	op->body = NULL;
	op->len = 0;
}

/* Sends msg to every node marked up and waits for all; the first error. */
int leofs_oss_to_every_node(struct leofs_fs_info *fsi, u16 opcode,
			    const void *msg, size_t msg_size)
{
	struct leofs_status_reply r;
	struct sockaddr_storage *addrs;
	struct leofs_oss_op *ops;
	struct leofs_cmap *cm;
	u32 i, n = 0;
	int ret = 0, err;

	cm = leofs_cmap_get(fsi);
	if (!cm)
		return -ENOTCONN;
	addrs = kvcalloc(max_t(u32, cm->map.node_count, 1), sizeof(*addrs),
			 GFP_KERNEL);
	ops = kvcalloc(max_t(u32, cm->map.node_count, 1), sizeof(*ops),
		       GFP_KERNEL);
	if (!addrs || !ops) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < cm->map.node_count; i++) {
		const struct leofs_map_node *nd = &cm->map.nodes[i];
		struct leofs_conn *conn;
		struct leofs_req *req;

		if (!(nd->state & LEOFS_STATE_UP) ||
		    leofs_addr_to_sockaddr(&nd->addr, &addrs[n]))
			continue;
		conn = leofs_conn_get_addr(fsi, &addrs[n], LEOFS_PEER_OSS);
		if (!conn) {
			ret = -ENOMEM;
			break;
		}
		req = leofs_req_alloc(conn, opcode, true);
		if (!req) {
			ret = -ENOMEM;
			break;
		}
		req->reply_max = 4096;
		if (leofs_req_encode(req, msg, msg_size) ||
		    leofs_req_submit(req)) {
			leofs_req_put(req);
			ret = -EIO;
			break;
		}
		ops[n].req = req;
		ops[n].conn = conn;
		ops[n].failures0 = READ_ONCE(conn->connect_failures);
		n++;
	}
	for (i = 0; i < n; i++) {
		err = leofs_oss_wait(&ops[i]);
		if (!err) {
			err = leofs_msg_decode(opcode, true, &r, sizeof(r),
					       ops[i].body, ops[i].len);
			err = err ? -EIO : leofs_status_to_errno(r.status);
		}
		if (err && !ret)
			ret = err;
		leofs_oss_op_release(&ops[i]);
	}
out:
	kvfree(addrs);
	kvfree(ops);
	leofs_cmap_put(cm);
	return ret;
}
