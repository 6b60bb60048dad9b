// SPDX-License-Identifier: GPL-2.0
/*
 * Requests in flight on a connection: the table by request id, the limit
 * on requests in flight, waiting with timeouts, and what happens to each
 * request when its connection drops.
 *
 * References: the caller holds one from leofs_req_alloc(); the table holds
 * one while the request is in it; the sender holds one while the frame is
 * being written; the receiver one while it reads the reply.
 *
 * Request ids grow within a connection's life (the MDS reply cache evicts
 * the lowest first) and a request keeps its id when it is sent again, so
 * the server recognises a non-idempotent request it already applied.
 */
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include "internal.h"

/* Operations that may be applied twice with the same outcome. */
bool leofs_opcode_idempotent(u16 opcode)
{
	switch (opcode) {
	case LEOFS_OP_HELLO:
	case LEOFS_OP_MAP_GET:
	case LEOFS_OP_LOOKUP:
	case LEOFS_OP_GETATTR:
	case LEOFS_OP_READLINK:
	case LEOFS_OP_READDIR:
	case LEOFS_OP_GETXATTR:
	case LEOFS_OP_LISTXATTR:
	case LEOFS_OP_STATFS:
	case LEOFS_OP_GET_LAYOUT:
		return true;
	default:
		return false;
	}
}

struct leofs_req *leofs_req_alloc(struct leofs_conn *conn, u16 opcode,
				  bool idempotent)
{
	struct leofs_req *req;

	req = kzalloc(sizeof(*req), GFP_NOFS);
	if (!req)
		return NULL;
	kref_init(&req->ref);
	INIT_LIST_HEAD(&req->queue);
	init_completion(&req->done);
	req->conn = conn;
	req->opcode = opcode;
	req->idempotent = idempotent;
	req->state = LEOFS_REQ_QUEUED;
	req->reply_max = (opcode == LEOFS_OP_MAP_GET) ? LEOFS_BODY_MAX :
							LEOFS_MD_REPLY_MAX;
	req->id = atomic64_inc_return(&conn->last_id);
	req->start = jiffies;
	return req;
}

static void leofs_req_release(struct kref *ref)
{
	struct leofs_req *req = container_of(ref, struct leofs_req, ref);

	kvfree(req->frame);
	kvfree(req->reply);
	kfree(req);
}

void leofs_req_put(struct leofs_req *req)
{
	if (req)
		kref_put(&req->ref, leofs_req_release);
}

/* conn->lock held: takes req out of the table and queue, marks it done. */
static bool leofs_req_unlink_locked(struct leofs_req *req, int result)
{
	struct leofs_conn *conn = req->conn;

	if (req->state == LEOFS_REQ_DONE)
		return false;
	xa_erase(&conn->reqs, (unsigned long)req->id);
	conn->inflight--;
	list_del_init(&req->queue);
	req->state = LEOFS_REQ_DONE;
	req->result = result;
	return true;
}

/* After leofs_req_unlink_locked(), with no lock: wake whoever waits. */
static void leofs_req_signal(struct leofs_req *req)
{
	if (req->complete)
		req->complete(req);
	else
		complete_all(&req->done);
	leofs_req_put(req); /* the table's reference */
}

/*
 * Queues req once the limit on requests in flight admits it. It enters the
 * table only then, under conn->lock with its reference and count: whoever
 * walks the table (leofs_reqs_fail_all() at umount) must never see a
 * request still waiting here, which holds neither. The slot is reserved
 * before the wait so that the insertion cannot fail.
 */
int leofs_req_submit(struct leofs_req *req)
{
	struct leofs_conn *conn = req->conn;
	unsigned long id = (unsigned long)req->id;
	u32 max;
	int ret;

	ret = xa_reserve(&conn->reqs, id, GFP_NOFS);
	if (ret)
		return ret;

	spin_lock(&conn->lock);
	for (;;) {
		max = max_t(u32, READ_ONCE(conn->fsi->tun.max_inflight), 1);
		if (conn->state == LEOFS_CONN_CLOSED) {
			ret = -ESHUTDOWN;
			break;
		}
		if (req->internal || conn->inflight < max)
			break;
		spin_unlock(&conn->lock);
		ret = wait_event_killable(conn->wait,
					  READ_ONCE(conn->inflight) < max ||
						  READ_ONCE(conn->state) ==
							  LEOFS_CONN_CLOSED);
		spin_lock(&conn->lock);
		if (ret) {
			ret = -EINTR;
			break;
		}
	}
	/* the id is taken: a request submitted twice */
	if (!ret && xa_load(&conn->reqs, id))
		ret = -EIO;
	/* the reserved slot takes the request without allocating */
	if (!ret && xa_is_err(xa_store(&conn->reqs, id, req, GFP_ATOMIC)))
		ret = -ENOMEM;
	if (ret) {
		spin_unlock(&conn->lock);
		xa_release(&conn->reqs, id);
		return ret;
	}
	kref_get(&req->ref); /* the table's */
	conn->inflight++;
	if (req->internal)
		list_add(&req->queue, &conn->sendq);
	else
		list_add_tail(&req->queue, &conn->sendq);
	spin_unlock(&conn->lock);

	leofs_conn_kick(conn);
	return 0;
}

/* Gives up on a request the caller no longer waits for. */
void leofs_req_cancel(struct leofs_req *req, int err)
{
	struct leofs_conn *conn = req->conn;
	bool unlinked;

	spin_lock(&conn->lock);
	unlinked = leofs_req_unlink_locked(req, err);
	spin_unlock(&conn->lock);
	if (unlinked) {
		/* signal first: storage waiters sleep on conn->wait */
		leofs_req_signal(req);
		wake_up_all(&conn->wait);
	}
}

/*
 * Waits for the reply. Each attempt has timeo seconds; an attempt that
 * times out drops the connection (the server is not answering) and the
 * request is sent again once it is back, retrans times at most.
 */
int leofs_req_wait(struct leofs_req *req)
{
	struct leofs_conn *conn = req->conn;
	struct leofs_fs_info *fsi = conn->fsi;
	long left;

	for (;;) {
		long timeo = (long)clamp_val(READ_ONCE(fsi->tun.timeo), 1,
					     LEOFS_MAX_TIMEO) *
			     HZ;

		left = wait_for_completion_killable_timeout(&req->done, timeo);
		if (left > 0)
			break;
		if (left < 0) {
			leofs_req_cancel(req, -EINTR);
			break;
		}
		atomic64_inc(&fsi->stats.timeouts);
		if (++req->attempts > READ_ONCE(fsi->tun.retrans)) {
			leofs_req_cancel(req, -ETIMEDOUT);
			break;
		}
		leofs_conn_fault(conn, -ETIMEDOUT, "no reply in time");
	}
	return req->result;
}

void leofs_req_finish(struct leofs_req *req, int result, void *body, u32 len)
{
	struct leofs_conn *conn = req->conn;
	bool unlinked;

	spin_lock(&conn->lock);
	unlinked = leofs_req_unlink_locked(req, result);
	if (unlinked) {
		req->reply = body;
		req->reply_len = len;
		body = NULL;
	}
	spin_unlock(&conn->lock);
	kvfree(body);
	if (unlinked) {
		/* signal first: storage waiters sleep on conn->wait */
		leofs_req_signal(req);
		wake_up_all(&conn->wait);
	}
}

/*
 * After a fault, with conn->lock held: the frame being written and every
 * request written and unanswered go back to the queue, to be sent on the
 * next connection with the same id. HELLO requests belong to the dropped
 * connection: they move to *dead, for leofs_reqs_finish_dead().
 * Returns the sender's frame reference to drop after unlocking.
 */
struct leofs_req *leofs_reqs_requeue_locked(struct leofs_conn *conn,
					    struct list_head *dead)
{
	struct leofs_req *req, *sending = conn->sending;
	unsigned long idx;

	conn->sending = NULL;
	conn->sent = 0;
	if (sending && sending->state == LEOFS_REQ_QUEUED &&
	    list_empty(&sending->queue))
		list_add(&sending->queue, &conn->sendq);

	xa_for_each(&conn->reqs, idx, req)
	{
		if (req->internal) {
			if (leofs_req_unlink_locked(req, -ECONNRESET))
				list_add_tail(&req->queue, dead);
			continue;
		}
		if (req->state == LEOFS_REQ_SENT) {
			req->state = LEOFS_REQ_QUEUED;
			list_add_tail(&req->queue, &conn->sendq);
		}
	}
	return sending;
}

void leofs_reqs_finish_dead(struct leofs_conn *conn, struct list_head *dead)
{
	struct leofs_req *req, *tmp;

	list_for_each_entry_safe(req, tmp, dead, queue) {
		list_del_init(&req->queue);
		leofs_req_signal(req);
	}
	wake_up_all(&conn->wait);
}

/*
 * The server answered HELLO with a new session: it no longer knows which
 * requests it applied. A non-idempotent request already written may have
 * been applied; sending it again could apply it twice, so it fails.
 */
void leofs_reqs_session_changed(struct leofs_conn *conn)
{
	struct leofs_req *req;
	unsigned long idx;
	LIST_HEAD(dead);

	spin_lock(&conn->lock);
	xa_for_each(&conn->reqs, idx, req)
	{
		if (req->idempotent || !req->was_sent || req->internal ||
		    req->state != LEOFS_REQ_QUEUED || req == conn->sending)
			continue;
		if (leofs_req_unlink_locked(req, -EIO))
			list_add_tail(&req->queue, &dead);
	}
	spin_unlock(&conn->lock);
	if (!list_empty(&dead))
		pr_warn_ratelimited(
			"%s: the server started a new session; requests it may have applied fail with EIO\n",
			conn->name);
	leofs_reqs_finish_dead(conn, &dead);
}

void leofs_reqs_fail_all(struct leofs_conn *conn, int err)
{
	struct leofs_req *req;
	unsigned long idx;
	LIST_HEAD(dead);

	spin_lock(&conn->lock);
	xa_for_each(&conn->reqs, idx, req)
	{
		if (leofs_req_unlink_locked(req, err))
			list_add_tail(&req->queue, &dead);
	}
	spin_unlock(&conn->lock);
	leofs_reqs_finish_dead(conn, &dead);
}
