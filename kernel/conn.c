// SPDX-License-Identifier: GPL-2.0
/*
 * One TCP connection to one server: a kernel socket, a sender work item
 * and a receiver work item (both non-blocking, woken by the socket's
 * callbacks), and a connect work item that (re)connects with backoff and
 * sends HELLO first.
 *
 * The receiver checks every frame before anything else looks at it: the
 * header (magic, version, flags, size), the opcode, that a reply answers a
 * request that was sent and has the request's opcode, the size against
 * what that request may get back, and the CRC. Anything else drops the
 * connection; requests then go back to the queue (rpc.c) and the
 * connection is made again.
 *
 * Locking: conn->lock (a spinlock) guards the state, the queue and the
 * request table; conn->sock_mutex guards publishing and shutting down the
 * socket. The socket is released only by the connect work or at destroy,
 * after the sender and receiver work items are cancelled.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <net/sock.h>
#include <net/tcp.h>
#include "internal.h"

#define LEOFS_BACKOFF_MIN_MS 100
#define LEOFS_RECV_BUDGET    64 /* frames per receiver run */
#define LEOFS_STABLE_SECS    10 /* READY this long: reconnect at once */

const char *leofs_conn_state_name(enum leofs_conn_state s)
{
	switch (s) {
	case LEOFS_CONN_IDLE:
		return "idle";
	case LEOFS_CONN_CONNECTING:
		return "connecting";
	case LEOFS_CONN_HELLO:
		return "hello";
	case LEOFS_CONN_READY:
		return "ready";
	case LEOFS_CONN_CLOSED:
		return "closed";
	}
	return "?";
}

bool leofs_conn_same_addr(const struct leofs_conn *conn,
			  const struct sockaddr_storage *addr)
{
	const struct sockaddr_in6 *a6 = (const void *)&conn->addr;
	const struct sockaddr_in6 *b6 = (const void *)addr;
	const struct sockaddr_in *a4 = (const void *)&conn->addr;
	const struct sockaddr_in *b4 = (const void *)addr;

	if (conn->addr.ss_family != addr->ss_family)
		return false;
	if (addr->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		       a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a6->sin6_port == b6->sin6_port &&
	       ipv6_addr_equal(&a6->sin6_addr, &b6->sin6_addr);
}

/* ---- socket callbacks (softirq) ------------------------------------------ */

static void leofs_sk_data_ready(struct sock *sk)
{
	struct leofs_conn *conn;

	read_lock_bh(&sk->sk_callback_lock);
	conn = sk->sk_user_data;
	if (conn)
		queue_work(leofs_wq, &conn->recv_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void leofs_sk_write_space(struct sock *sk)
{
	struct leofs_conn *conn;

	read_lock_bh(&sk->sk_callback_lock);
	conn = sk->sk_user_data;
	if (conn && sk_stream_is_writeable(sk)) {
		clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		queue_work(leofs_wq, &conn->send_work);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void leofs_sk_state_change(struct sock *sk)
{
	struct leofs_conn *conn;

	read_lock_bh(&sk->sk_callback_lock);
	conn = sk->sk_user_data;
	/* the receiver sees the end of the stream or the error */
	if (conn && sk->sk_state != TCP_ESTABLISHED)
		queue_work(leofs_wq, &conn->recv_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void leofs_sock_attach(struct leofs_conn *conn, struct socket *sock)
{
	struct sock *sk = sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	conn->saved_data_ready = sk->sk_data_ready;
	conn->saved_write_space = sk->sk_write_space;
	conn->saved_state_change = sk->sk_state_change;
	sk->sk_user_data = conn;
	sk->sk_data_ready = leofs_sk_data_ready;
	sk->sk_write_space = leofs_sk_write_space;
	sk->sk_state_change = leofs_sk_state_change;
	write_unlock_bh(&sk->sk_callback_lock);
}

static void leofs_sock_detach(struct leofs_conn *conn, struct socket *sock)
{
	struct sock *sk = sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	if (sk->sk_user_data == conn) {
		sk->sk_user_data = NULL;
		sk->sk_data_ready = conn->saved_data_ready;
		sk->sk_write_space = conn->saved_write_space;
		sk->sk_state_change = conn->saved_state_change;
	}
	write_unlock_bh(&sk->sk_callback_lock);
}

/* ---- state ---------------------------------------------------------------- */

static void leofs_conn_set_state(struct leofs_conn *conn,
				 enum leofs_conn_state s)
{
	conn->state = s;
	conn->since = jiffies;
}

void leofs_conn_kick(struct leofs_conn *conn)
{
	bool connect = false, send = false;

	spin_lock(&conn->lock);
	if (conn->state == LEOFS_CONN_IDLE && !list_empty(&conn->sendq)) {
		leofs_conn_set_state(conn, LEOFS_CONN_CONNECTING);
		connect = true;
	} else if (conn->state == LEOFS_CONN_READY ||
		   conn->state == LEOFS_CONN_HELLO) {
		send = true;
	}
	spin_unlock(&conn->lock);
	if (connect)
		queue_delayed_work(leofs_wq, &conn->connect_work, 0);
	if (send)
		queue_work(leofs_wq, &conn->send_work);
}

void leofs_conn_start(struct leofs_conn *conn)
{
	spin_lock(&conn->lock);
	if (conn->state == LEOFS_CONN_IDLE)
		leofs_conn_set_state(conn, LEOFS_CONN_CONNECTING);
	spin_unlock(&conn->lock);
	queue_delayed_work(leofs_wq, &conn->connect_work, 0);
}

/* conn->lock held: the next attempt, or idle if nothing waits for one. */
static unsigned long leofs_conn_retry_locked(struct leofs_conn *conn,
					     bool was_ready)
{
	u32 max = max_t(u32, READ_ONCE(conn->fsi->tun.reconnect_max_ms),
			LEOFS_BACKOFF_MIN_MS);

	/*
	 * A connection that worked for a while is made again at once; one
	 * that fails right after HELLO (a server sending garbage) backs off.
	 */
	if (was_ready &&
	    time_after(jiffies, conn->since + LEOFS_STABLE_SECS * HZ))
		conn->backoff_ms = 0;
	else if (!conn->backoff_ms)
		conn->backoff_ms = LEOFS_BACKOFF_MIN_MS;
	else
		conn->backoff_ms = min(conn->backoff_ms * 2, max);
	if (list_empty(&conn->sendq) && !conn->sending) {
		leofs_conn_set_state(conn, LEOFS_CONN_IDLE);
		return ULONG_MAX;
	}
	leofs_conn_set_state(conn, LEOFS_CONN_CONNECTING);
	return msecs_to_jiffies(conn->backoff_ms);
}

/*
 * Drops the connection: the socket is shut down (sender and receiver stop
 * at once), requests go back to the queue, and a new connection follows
 * after the backoff if anything waits for one. Process context.
 */
void leofs_conn_fault(struct leofs_conn *conn, int err, const char *why)
{
	struct leofs_req *sending;
	unsigned long delay;
	bool was_ready;
	LIST_HEAD(dead);

	spin_lock(&conn->lock);
	if (conn->state != LEOFS_CONN_HELLO &&
	    conn->state != LEOFS_CONN_READY) {
		spin_unlock(&conn->lock);
		return;
	}
	was_ready = conn->state == LEOFS_CONN_READY;
	conn->generation++;
	conn->last_err = err;
	if (!was_ready) {
		conn->attempts++;
		conn->connect_failures++; /* connected, but HELLO failed */
	}
	sending = leofs_reqs_requeue_locked(conn, &dead);
	delay = leofs_conn_retry_locked(conn, was_ready);
	spin_unlock(&conn->lock);

	pr_warn_ratelimited("%s: %s (error %d), connection dropped\n",
			    conn->name, why, err);
	mutex_lock(&conn->sock_mutex);
	if (conn->sock)
		kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	mutex_unlock(&conn->sock_mutex);

	leofs_req_put(sending);
	leofs_reqs_finish_dead(conn, &dead);
	if (delay != ULONG_MAX)
		queue_delayed_work(leofs_wq, &conn->connect_work, delay);
	wake_up_all(&conn->wait);
}

/* Protocol violation by the server. */
int leofs_conn_bad(struct leofs_conn *conn, const char *why)
{
	atomic64_inc(&conn->fsi->stats.bad_frames);
	leofs_conn_fault(conn, -EPROTO, why);
	return -EPROTO;
}

/* ---- sender -------------------------------------------------------------- */

static void leofs_send_work(struct work_struct *work)
{
	struct leofs_conn *conn =
		container_of(work, struct leofs_conn, send_work);
	unsigned int nofs = memalloc_nofs_save();

	for (;;) {
		struct msghdr msg = { .msg_flags =
					      MSG_DONTWAIT | MSG_NOSIGNAL };
		struct leofs_req *req, *done = NULL;
		struct socket *sock;
		struct kvec iov;
		u64 gen;
		int ret;

		spin_lock(&conn->lock);
		if (conn->state != LEOFS_CONN_HELLO &&
		    conn->state != LEOFS_CONN_READY) {
			spin_unlock(&conn->lock);
			break;
		}
		req = conn->sending;
		if (!req) {
			req = list_first_entry_or_null(&conn->sendq,
						       struct leofs_req, queue);
			/* before READY only HELLO goes out */
			if (!req || (conn->state == LEOFS_CONN_HELLO &&
				     !req->internal)) {
				spin_unlock(&conn->lock);
				break;
			}
			list_del_init(&req->queue);
			kref_get(&req->ref); /* the sending slot's */
			conn->sending = req;
			conn->sent = 0;
		}
		kref_get(&req->ref); /* ours, while writing */
		sock = conn->sock;
		gen = conn->generation;
		iov.iov_base = (u8 *)req->frame + conn->sent;
		iov.iov_len = req->frame_len - conn->sent;
		spin_unlock(&conn->lock);

		ret = kernel_sendmsg(sock, &msg, &iov, 1, iov.iov_len);
		if (ret == -EAGAIN) {
			leofs_req_put(req);
			break; /* the write_space callback calls us again */
		}
		if (ret <= 0) {
			leofs_req_put(req);
			leofs_conn_fault(conn, ret ? ret : -EPIPE,
					 "send failed");
			break;
		}

		spin_lock(&conn->lock);
		if (conn->generation == gen && conn->sending == req) {
			conn->sent += ret;
			if (conn->sent == req->frame_len) {
				conn->sending = NULL;
				done = req;
				if (req->state == LEOFS_REQ_QUEUED) {
					req->state = LEOFS_REQ_SENT;
					if (req->was_sent)
						atomic64_inc(&conn->fsi->stats
								      .retries);
					req->was_sent = true;
				}
			}
		}
		spin_unlock(&conn->lock);
		leofs_req_put(done); /* the sending slot's */
		leofs_req_put(req);
	}
	memalloc_nofs_restore(nofs);
}

/* ---- receiver ------------------------------------------------------------ */

static void leofs_rx_reset(struct leofs_conn *conn)
{
	kvfree(conn->rbody);
	conn->rbody = NULL;
	conn->rbody_have = 0;
	conn->rhdr_have = 0;
	conn->rdiscard = false;
	leofs_req_put(conn->rreq);
	conn->rreq = NULL;
}

/* A whole header is in: decide what the body is and where it goes. */
static int leofs_rx_header(struct leofs_conn *conn)
{
	struct leofs_frame_hdr *h = &conn->rh;
	u32 max = LEOFS_BODY_MAX;

	if (leofs_frame_hdr_decode(h, conn->rhdr, LEOFS_FRAME_HDR_SIZE))
		return leofs_conn_bad(conn, "malformed frame header");
	if (!leofs_op_name(h->opcode))
		return leofs_conn_bad(conn, "unknown opcode");

	if (h->flags & LEOFS_FLAG_PUSH) {
		if (h->opcode != LEOFS_OP_MAP_PUSH)
			return leofs_conn_bad(conn, "unexpected push message");
	} else if (h->flags & LEOFS_FLAG_REPLY) {
		struct leofs_req *req;

		if (!h->req_id ||
		    h->req_id > (u64)atomic64_read(&conn->last_id))
			return leofs_conn_bad(conn,
					      "reply to a request never sent");
		spin_lock(&conn->lock);
		req = xa_load(&conn->reqs, (unsigned long)h->req_id);
		if (req && req->id != h->req_id)
			req = NULL;
		if (req && req->state != LEOFS_REQ_SENT &&
		    !(req->state == LEOFS_REQ_QUEUED && req == conn->sending)) {
			spin_unlock(&conn->lock);
			return leofs_conn_bad(conn,
					      "reply to a request not sent");
		}
		if (req && req->opcode != h->opcode) {
			spin_unlock(&conn->lock);
			return leofs_conn_bad(
				conn,
				"reply opcode differs from the request's");
		}
		if (req) {
			kref_get(&req->ref);
			conn->rreq = req;
			max = req->reply_max;
		}
		spin_unlock(&conn->lock);
		if (!req) {
			/* its caller gave up (timeout, signal): read and drop */
			atomic64_inc(&conn->fsi->stats.late_replies);
			conn->rdiscard = true;
			return 0;
		}
	} else {
		return leofs_conn_bad(conn, "request from the server");
	}

	if (h->body_len > max)
		return leofs_conn_bad(conn, "message larger than allowed");
	conn->rbody = kvmalloc(max_t(u32, h->body_len, 1), GFP_KERNEL);
	if (!conn->rbody) {
		leofs_conn_fault(conn, -ENOMEM, "no memory for a reply");
		return -ENOMEM;
	}
	conn->rbody_have = 0;
	return 0;
}

/* A whole frame is in. */
static int leofs_rx_frame(struct leofs_conn *conn)
{
	struct leofs_frame_hdr *h = &conn->rh;
	struct leofs_req *req;
	void *body;

	if (conn->rdiscard) {
		leofs_rx_reset(conn);
		return 0;
	}
	if (leofs_frame_verify(h, conn->rhdr, conn->rbody))
		return leofs_conn_bad(conn, "frame CRC mismatch");

	body = conn->rbody;
	conn->rbody = NULL;
	req = conn->rreq;
	conn->rreq = NULL;
	if (h->flags & LEOFS_FLAG_PUSH) {
		int ret = leofs_map_push(conn, body, h->body_len);

		kvfree(body);
		leofs_rx_reset(conn);
		if (ret == -EBADMSG || ret == -EPROTO)
			return leofs_conn_bad(conn, "malformed map push");
		return 0;
	}
	leofs_req_finish(req, 0, body, h->body_len);
	leofs_req_put(req); /* the receiver's */
	leofs_rx_reset(conn);
	return 0;
}

static int leofs_recv_some(struct socket *sock, void *buf, size_t len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec iov = { .iov_base = buf, .iov_len = len };

	return kernel_recvmsg(sock, &msg, &iov, 1, len, msg.msg_flags);
}

static void leofs_recv_work(struct work_struct *work)
{
	struct leofs_conn *conn =
		container_of(work, struct leofs_conn, recv_work);
	unsigned int nofs = memalloc_nofs_save();
	int frames = 0;

	for (;;) {
		struct socket *sock;
		void *buf;
		size_t want;
		int ret;

		spin_lock(&conn->lock);
		sock = (conn->state == LEOFS_CONN_HELLO ||
			conn->state == LEOFS_CONN_READY) ?
			       conn->sock :
			       NULL;
		spin_unlock(&conn->lock);
		if (!sock)
			break;
		if (frames >= LEOFS_RECV_BUDGET) {
			queue_work(leofs_wq, &conn->recv_work);
			break;
		}

		if (conn->rhdr_have < LEOFS_FRAME_HDR_SIZE) {
			buf = conn->rhdr + conn->rhdr_have;
			want = LEOFS_FRAME_HDR_SIZE - conn->rhdr_have;
		} else if (conn->rdiscard) {
			buf = conn->discard_buf;
			want = min_t(size_t, PAGE_SIZE,
				     conn->rh.body_len - conn->rbody_have);
		} else {
			buf = conn->rbody + conn->rbody_have;
			want = conn->rh.body_len - conn->rbody_have;
		}

		if (want) {
			ret = leofs_recv_some(sock, buf, want);
			if (ret == -EAGAIN)
				break;
			if (ret <= 0) {
				leofs_conn_fault(conn, ret ? ret : -ECONNRESET,
						 ret ? "receive failed" :
						       "closed by the server");
				break;
			}
		} else {
			ret = 0;
		}

		if (conn->rhdr_have < LEOFS_FRAME_HDR_SIZE) {
			conn->rhdr_have += ret;
			if (conn->rhdr_have == LEOFS_FRAME_HDR_SIZE &&
			    leofs_rx_header(conn))
				break;
			if (conn->rhdr_have < LEOFS_FRAME_HDR_SIZE)
				continue;
		} else {
			conn->rbody_have += ret;
		}
		if (conn->rhdr_have == LEOFS_FRAME_HDR_SIZE &&
		    conn->rbody_have == conn->rh.body_len) {
			frames++;
			if (leofs_rx_frame(conn))
				break;
		}
	}
	memalloc_nofs_restore(nofs);
}

/* ---- connecting ------------------------------------------------------------ */

/* Releases the socket, if any; only the connect work and destroy call it. */
static void leofs_conn_teardown(struct leofs_conn *conn)
{
	struct leofs_req *sending;
	struct socket *sock;

	mutex_lock(&conn->sock_mutex);
	sock = conn->sock;
	if (sock) {
		leofs_sock_detach(conn, sock);
		kernel_sock_shutdown(sock, SHUT_RDWR);
	}
	mutex_unlock(&conn->sock_mutex);

	cancel_work_sync(&conn->send_work);
	cancel_work_sync(&conn->recv_work);
	leofs_rx_reset(conn);

	spin_lock(&conn->lock);
	sending = conn->sending;
	conn->sending = NULL;
	conn->sent = 0;
	if (sending && sending->state == LEOFS_REQ_QUEUED &&
	    list_empty(&sending->queue))
		list_add(&sending->queue, &conn->sendq);
	spin_unlock(&conn->lock);
	leofs_req_put(sending);

	mutex_lock(&conn->sock_mutex);
	conn->sock = NULL;
	mutex_unlock(&conn->sock_mutex);
	if (sock)
		sock_release(sock);
}

static void leofs_connect_failed(struct leofs_conn *conn, int err)
{
	unsigned long delay = ULONG_MAX;

	spin_lock(&conn->lock);
	if (conn->state == LEOFS_CONN_CONNECTING) {
		conn->last_err = err;
		conn->attempts++;
		conn->connect_failures++;
		delay = leofs_conn_retry_locked(conn, false);
	}
	spin_unlock(&conn->lock);
	pr_info_ratelimited("%s: cannot connect (error %d)\n", conn->name, err);
	if (delay != ULONG_MAX)
		queue_delayed_work(leofs_wq, &conn->connect_work, delay);
	wake_up_all(&conn->wait);
}

static void leofs_connect_work(struct work_struct *work)
{
	struct leofs_conn *conn = container_of(to_delayed_work(work),
					       struct leofs_conn, connect_work);
	struct leofs_fs_info *fsi = conn->fsi;
	struct leofs_req *hello;
	struct socket *sock;
	bool closed;
	int ret;

	spin_lock(&conn->lock);
	closed = conn->state != LEOFS_CONN_CONNECTING;
	spin_unlock(&conn->lock);
	if (closed)
		return;

	leofs_conn_teardown(conn);

	ret = sock_create_kern(fsi->net, conn->addr.ss_family, SOCK_STREAM,
			       IPPROTO_TCP, &sock);
	if (ret) {
		leofs_connect_failed(conn, ret);
		return;
	}
	sock->sk->sk_allocation = GFP_NOFS;
	/* a blocking connect waits at most this long */
	sock->sk->sk_sndtimeo =
		(long)clamp_val(READ_ONCE(fsi->tun.timeo), 1, LEOFS_MAX_TIMEO) *
		HZ;
	tcp_sock_set_nodelay(sock->sk);

	mutex_lock(&conn->sock_mutex);
	spin_lock(&conn->lock);
	closed = conn->state != LEOFS_CONN_CONNECTING;
	spin_unlock(&conn->lock);
	if (!closed)
		conn->sock = sock;
	mutex_unlock(&conn->sock_mutex);
	if (closed) {
		sock_release(sock);
		return;
	}

	ret = kernel_connect(sock, (struct sockaddr *)&conn->addr,
			     conn->addr.ss_family == AF_INET ?
				     sizeof(struct sockaddr_in) :
				     sizeof(struct sockaddr_in6),
			     0);
	if (ret) {
		leofs_conn_teardown(conn);
		leofs_connect_failed(conn, ret);
		return;
	}
	sock->sk->sk_sndtimeo = MAX_SCHEDULE_TIMEOUT;

	hello = leofs_hello_req(conn);
	if (!hello) {
		leofs_conn_teardown(conn);
		leofs_connect_failed(conn, -ENOMEM);
		return;
	}
	leofs_sock_attach(conn, sock);
	spin_lock(&conn->lock);
	closed = conn->state != LEOFS_CONN_CONNECTING;
	if (!closed)
		leofs_conn_set_state(conn, LEOFS_CONN_HELLO);
	spin_unlock(&conn->lock);
	if (closed || leofs_req_submit(hello)) {
		leofs_req_put(hello);
		return;
	}
	leofs_req_put(hello);
	/* data may have arrived before the callbacks were in place */
	queue_work(leofs_wq, &conn->recv_work);
}

int leofs_conn_wait_ready(struct leofs_conn *conn, long timeout)
{
	unsigned int attempts = READ_ONCE(conn->attempts);
	long left;

	left = wait_event_killable_timeout(
		conn->wait,
		READ_ONCE(conn->state) == LEOFS_CONN_READY ||
			READ_ONCE(conn->state) == LEOFS_CONN_CLOSED ||
			READ_ONCE(conn->attempts) != attempts,
		timeout);
	if (left < 0)
		return -EINTR;
	spin_lock(&conn->lock);
	if (conn->state == LEOFS_CONN_READY)
		left = 0;
	else if (conn->state == LEOFS_CONN_CLOSED)
		left = -ESHUTDOWN;
	else if (conn->attempts != attempts)
		left = conn->last_err ? conn->last_err : -ECONNREFUSED;
	else
		left = -ETIMEDOUT;
	spin_unlock(&conn->lock);
	return left;
}

struct leofs_conn *leofs_conn_create(struct leofs_fs_info *fsi,
				     const struct sockaddr_storage *addr,
				     u32 peer_kind)
{
	struct leofs_conn *conn;

	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		return NULL;
	conn->discard_buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!conn->discard_buf) {
		kfree(conn);
		return NULL;
	}
	conn->fsi = fsi;
	INIT_LIST_HEAD(&conn->node);
	conn->addr = *addr;
	snprintf(conn->name, sizeof(conn->name), "%pISpc", addr);
	mutex_init(&conn->sock_mutex);
	spin_lock_init(&conn->lock);
	conn->state = LEOFS_CONN_IDLE;
	conn->since = jiffies;
	conn->peer_kind = peer_kind;
	xa_init(&conn->reqs);
	atomic64_set(&conn->last_id, 0);
	INIT_LIST_HEAD(&conn->sendq);
	init_waitqueue_head(&conn->wait);
	INIT_WORK(&conn->send_work, leofs_send_work);
	INIT_WORK(&conn->recv_work, leofs_recv_work);
	INIT_DELAYED_WORK(&conn->connect_work, leofs_connect_work);
	return conn;
}

/*
 * Closes the connection for good: new requests are refused, those in
 * flight fail with -ESHUTDOWN, a connect in progress is aborted. Never
 * waits on the server.
 */
void leofs_conn_close(struct leofs_conn *conn)
{
	spin_lock(&conn->lock);
	leofs_conn_set_state(conn, LEOFS_CONN_CLOSED);
	spin_unlock(&conn->lock);
	wake_up_all(&conn->wait);

	mutex_lock(&conn->sock_mutex);
	if (conn->sock)
		kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	mutex_unlock(&conn->sock_mutex);
	leofs_reqs_fail_all(conn, -ESHUTDOWN);
}

/* After leofs_conn_close(): releases the socket and frees the connection. */
void leofs_conn_free(struct leofs_conn *conn)
{
	cancel_delayed_work_sync(&conn->connect_work);
	leofs_conn_teardown(conn);
	leofs_reqs_fail_all(conn, -ESHUTDOWN);

	WARN_ON_ONCE(!xa_empty(&conn->reqs));
	xa_destroy(&conn->reqs);
	kfree(conn->discard_buf);
	kfree(conn);
}
