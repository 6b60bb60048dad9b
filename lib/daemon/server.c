// SPDX-License-Identifier: GPL-2.0
/* The daemons' connection layer (include/leofs/server.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "leofs/bigbuf.h"
#include "leofs/frame_alloc.h"
#include "leofs/log.h"
#include "leofs/proto_msg.h"
#include "leofs/rpc.h"
#include "leofs/server.h"

/*
 * Bytes read at once: a window of small requests in one recv(). The tail
 * of a body of half this or more is read straight into the body.
 */
#define IN_BUF_SIZE (16u << 10)
/* recv() calls per readable event, so one busy peer cannot hog the loop */
#define READS_PER_WAKEUP 4
/* Replies handed to the kernel in one sendmsg() */
#define OUT_IOV 64

/*
 * A frame to send: head_len bytes in data, then, for a reply built with
 * leofs_request_reply_tail(), the rest of its body at tail (owned).
 */
struct out_buf {
	struct out_buf *next;
	size_t len;		/* the whole frame */
	size_t off;		/* sent so far */
	size_t head_len;
	u8 *tail;
	u8 data[];
};

struct leofs_conn {
	struct leofs_server *srv;
	int fd;
	sd_event_source *src;
	char peer[64];
	void *priv;
	struct leofs_conn *prev, *next;	/* server list, loop thread */

	/* read state, loop thread only */
	size_t in_off, in_len;		/* in[in_off..in_len): not parsed */
	u8 hdr_buf[LEOFS_FRAME_HDR_SIZE];
	size_t have;			/* bytes of the current frame */
	struct leofs_frame_hdr hdr;
	u8 *body;
	bool reading;			/* EPOLLIN enabled */
	bool heard;			/* a whole request has come in */
	u64 last_read;			/* ms, monotonic: input progress */

	/* shared, under srv->lock */
	int refs;
	bool closed;
	bool close_when_flushed;
	bool pending;			/* on srv->pending */
	struct leofs_conn *pending_next;
	/*
	 * Bytes of requests being served plus replies not yet sent: reading
	 * pauses at max_inflight, so a peer that stops reading its replies
	 * cannot make the server queue without bound.
	 */
	u64 inflight;
	u32 requests;			/* received, not yet answered */
	struct out_buf *out_head, *out_tail;
	u64 last_write;			/* ms: output progress or queued */

	u8 in[IN_BUF_SIZE];		/* read ahead, loop thread only */
};

struct leofs_server {
	sd_event *ev;
	struct leofs_server_config cfg;
	int listen_fd;
	int wake_fd;
	sd_event_source *listen_src, *wake_src, *timer_src;
	u16 port;
	u32 nconns;
	u32 max_requests;
	struct leofs_conn *conns;	/* loop thread */

	pthread_mutex_t lock;
	struct leofs_conn *pending;	/* conns with work for the loop */
	unsigned long busy;		/* unfinished requests */
	/*
	 * While the loop thread is corked, replies it makes itself are only
	 * put on the pending list: uncorking flushes them, so the answers to
	 * everything one wakeup read go out together, without an eventfd.
	 */
	u32 corked;
	pthread_t loop;			/* the corked thread */
};

/* ---- references and cross-thread wakeups ------------------------------ */

static void out_free(struct out_buf *b)
{
	if (!b)
		return;
	leofs_bigbuf_put(b->tail);
	leofs_bigbuf_put(b);
}

static void conn_free(struct leofs_conn *c)
{
	struct out_buf *b, *n;

	for (b = c->out_head; b; b = n) {
		n = b->next;
		out_free(b);
	}
	leofs_bigbuf_put(c->body);
	free(c);
}

/* Called with srv->lock held; returns true if the caller must free c. */
static bool conn_put_locked(struct leofs_conn *c)
{
	return --c->refs == 0;
}

static void conn_put(struct leofs_conn *c)
{
	struct leofs_server *s = c->srv;
	bool last;

	pthread_mutex_lock(&s->lock);
	last = conn_put_locked(c);
	pthread_mutex_unlock(&s->lock);
	if (last)
		conn_free(c);
}

/* Queues c for the loop thread; srv->lock held. */
static void conn_kick_locked(struct leofs_conn *c)
{
	struct leofs_server *s = c->srv;
	u64 one = 1;

	if (c->pending || c->closed)
		return;
	c->pending = true;
	c->refs++;
	c->pending_next = s->pending;
	s->pending = c;
	if (s->corked && pthread_equal(s->loop, pthread_self()))
		return;		/* leofs_server_uncork() takes it */
	if (write(s->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warning_errno(-errno, "%s: cannot wake the event loop: %m",
				  s->cfg.name);
}

/* Appends a frame to c's output; srv->lock held, c not closed. */
static void conn_queue_locked(struct leofs_conn *c, struct out_buf *b)
{
	if (!c->out_head)
		c->last_write = leofs_now_ms();
	if (c->out_tail)
		c->out_tail->next = b;
	else
		c->out_head = b;
	c->out_tail = b;
	c->inflight += b->len;
}

/* ---- closing ------------------------------------------------------------ */

static void conn_close_now(struct leofs_conn *c, const char *why)
{
	struct leofs_server *s = c->srv;
	struct out_buf *b, *n;

	if (c->src == NULL)
		return;		/* already closed */
	if (why)
		log_info("%s: closing connection from %s: %s", s->cfg.name,
			 c->peer, why);
	c->src = sd_event_source_unref(c->src);
	close(c->fd);
	c->fd = -1;

	pthread_mutex_lock(&s->lock);
	c->closed = true;
	for (b = c->out_head; b; b = n) {
		n = b->next;
		out_free(b);
	}
	c->out_head = c->out_tail = NULL;
	pthread_mutex_unlock(&s->lock);

	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	if (s->cfg.closed)
		s->cfg.closed(c, s->cfg.arg);
	conn_put(c);
}

void leofs_conn_close(struct leofs_conn *c)
{
	pthread_mutex_lock(&c->srv->lock);
	c->close_when_flushed = true;
	conn_kick_locked(c);
	pthread_mutex_unlock(&c->srv->lock);
}

/* ---- writing (loop thread) ---------------------------------------------- */

static void conn_set_events(struct leofs_conn *c, bool want_out)
{
	u32 ev = (c->reading ? EPOLLIN : 0) | (want_out ? EPOLLOUT : 0);

	if (c->src)
		sd_event_source_set_io_events(c->src, ev);
}

/*
 * Sends what it can, up to OUT_IOV queued frames per sendmsg(); returns
 * -errno on a dead socket. Workers only append behind the frames taken.
 */
static int conn_flush(struct leofs_conn *c)
{
	struct leofs_server *s = c->srv;
	struct iovec iov[OUT_IOV];
	struct msghdr mh = { .msg_iov = iov };
	struct out_buf *b, *done;
	size_t n;
	ssize_t sent;

	for (;;) {
		pthread_mutex_lock(&s->lock);
		for (b = c->out_head, n = 0; b && n + 2 <= OUT_IOV;
		     b = b->next) {
			if (b->off < b->head_len) {
				iov[n].iov_base = b->data + b->off;
				iov[n++].iov_len = b->head_len - b->off;
			}
			if (b->len > b->head_len) {
				size_t at = b->off > b->head_len ?
						    b->off - b->head_len : 0;

				iov[n].iov_base = b->tail + at;
				iov[n++].iov_len = b->len - b->head_len - at;
			}
		}
		pthread_mutex_unlock(&s->lock);
		if (!n)
			break;
		mh.msg_iovlen = n;
		sent = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (sent < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				conn_set_events(c, true);
				return 0;
			}
			return -errno;
		}
		/* unlink the frames sent in full, free them unlocked */
		done = NULL;
		pthread_mutex_lock(&s->lock);
		c->last_write = leofs_now_ms();
		while ((b = c->out_head) && (size_t)sent >= b->len - b->off) {
			sent -= (ssize_t)(b->len - b->off);
			c->out_head = b->next;
			c->inflight -= b->len;
			b->next = done;
			done = b;
		}
		if (!c->out_head)
			c->out_tail = NULL;
		else
			c->out_head->off += (size_t)sent;
		pthread_mutex_unlock(&s->lock);
		for (; done; done = b) {
			b = done->next;
			out_free(done);
		}
	}
	conn_set_events(c, false);
	return 0;
}

/* ---- requests ------------------------------------------------------------ */

static u64 request_cost(const struct leofs_request *req)
{
	return LEOFS_FRAME_HDR_SIZE + (u64)req->hdr.body_len;
}

/* Frames are built in an out_buf (frame_alloc()): this sets it up. */
static struct out_buf *out_init(u8 *frame, size_t len, u8 *tail,
				size_t tail_len)
{
	struct out_buf *b = (struct out_buf *)frame;

	if (!b)
		return NULL;
	b->next = NULL;
	b->head_len = len;
	b->len = len + tail_len;
	b->off = 0;
	b->tail = tail;
	return b;
}

static void request_finish(struct leofs_request *req, struct out_buf *b)
{
	struct leofs_conn *c = req->conn;
	struct leofs_server *s = c->srv;
	bool last;

	pthread_mutex_lock(&s->lock);
	c->inflight -= request_cost(req);
	c->requests--;
	s->busy--;
	if (b && !c->closed) {
		conn_queue_locked(c, b);
		b = NULL;
	}
	/* the loop flushes, and resumes reading if it had paused */
	conn_kick_locked(c);
	last = conn_put_locked(c);
	pthread_mutex_unlock(&s->lock);
	out_free(b);
	if (last)
		conn_free(c);
	leofs_bigbuf_put(req->body);
	free(req);
}

void leofs_request_free(struct leofs_request *req)
{
	request_finish(req, NULL);
}

/* Frames are built directly inside an out_buf so they are never copied. */
static void *frame_alloc(size_t cap, u8 **frame)
{
	struct out_buf *b = leofs_bigbuf_get(sizeof(*b) + cap);

	if (!b)
		return NULL;
	*frame = b->data;
	return b;
}

static int build_frame(u16 opcode, u32 flags, u64 req_id, const void *msg,
		       size_t msg_size, const void *tail, size_t tail_len,
		       const u32 *tail_crc, u8 **out, size_t *out_len)
{
	struct leofs_frame_hdr h = {
		.version = LEOFS_PROTO_VERSION_MAX,
		.opcode = opcode,
		.flags = flags,
		.req_id = req_id,
	};
	void *mem;
	int ret;

	ret = leofs_frame_alloc_build_tail(&h, msg, msg_size, tail, tail_len,
					   tail_crc, frame_alloc, &mem,
					   out_len);
	if (ret == 0)
		*out = mem;
	return ret;
}

int leofs_request_reply_tail(struct leofs_request *req, const void *msg,
			     size_t msg_size, void *tail, size_t tail_len,
			     const u32 *tail_crc)
{
	u8 *buf = NULL;
	size_t len;
	int ret;

	ret = build_frame(req->hdr.opcode, LEOFS_FLAG_REPLY, req->hdr.req_id,
			  msg, msg_size, tail, tail_len, tail_crc, &buf, &len);
	if (ret < 0) {
		log_error_errno(ret, "%s: cannot encode the %s reply: %m",
				req->conn->srv->cfg.name,
				leofs_op_name(req->hdr.opcode) ?: "?");
		leofs_bigbuf_put(tail);
		return leofs_request_reply_status(req, LEOFS_S_IO) ?: ret;
	}
	request_finish(req, out_init(buf, len, tail, tail_len));
	return 0;
}

int leofs_request_reply(struct leofs_request *req, const void *msg,
			size_t msg_size)
{
	return leofs_request_reply_tail(req, msg, msg_size, NULL, 0, NULL);
}

int leofs_request_reply_status(struct leofs_request *req, u32 status)
{
	/* any reply with a non-OK status is the bare 4-byte status */
	struct leofs_frame_hdr h = {
		.version = LEOFS_PROTO_VERSION_MAX,
		.opcode = req->hdr.opcode,
		.flags = LEOFS_FLAG_REPLY,
		.body_len = 4,
		.req_id = req->hdr.req_id,
	};
	u8 *buf, *frame;

	buf = frame_alloc(LEOFS_FRAME_HDR_SIZE + 4, &frame);
	if (!buf) {
		request_finish(req, NULL);
		return -ENOMEM;
	}
	leofs_frame_hdr_encode(&h, frame);
	put_unaligned_le32(status, frame + LEOFS_FRAME_HDR_SIZE);
	leofs_frame_seal(frame, frame + LEOFS_FRAME_HDR_SIZE, 4);
	request_finish(req, out_init(buf, LEOFS_FRAME_HDR_SIZE + 4, NULL, 0));
	return 0;
}

int leofs_conn_push(struct leofs_conn *c, u16 opcode, const void *msg,
		    size_t msg_size)
{
	struct leofs_server *s = c->srv;
	struct out_buf *b;
	u8 *buf = NULL;
	size_t len;
	int ret;

	ret = build_frame(opcode, LEOFS_FLAG_PUSH, 0, msg, msg_size, NULL, 0,
			  NULL, &buf, &len);
	if (ret < 0)
		return ret;
	b = out_init(buf, len, NULL, 0);
	pthread_mutex_lock(&s->lock);
	if (c->closed) {
		pthread_mutex_unlock(&s->lock);
		out_free(b);
		return -ENOTCONN;
	}
	conn_queue_locked(c, b);
	conn_kick_locked(c);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

void leofs_conn_set_priv(struct leofs_conn *c, void *priv)
{
	c->priv = priv;
}

void *leofs_conn_priv(const struct leofs_conn *c)
{
	return c->priv;
}

const char *leofs_conn_peer(const struct leofs_conn *c)
{
	return c->peer;
}

/* ---- reading (loop thread) ------------------------------------------------ */

/* Hands a complete frame to the handler. */
static int conn_dispatch(struct leofs_conn *c)
{
	struct leofs_server *s = c->srv;
	struct leofs_request *req;
	bool pause;

	if (leofs_frame_verify(&c->hdr, c->hdr_buf, c->body) < 0)
		return -EBADMSG;
	if (c->hdr.flags & (LEOFS_FLAG_REPLY | LEOFS_FLAG_PUSH))
		return -EPROTO;	/* servers only take requests */
	req = calloc(1, sizeof(*req));
	if (!req)
		return -ENOMEM;
	req->conn = c;
	req->hdr = c->hdr;
	req->body = c->body;
	c->body = NULL;
	c->have = 0;
	c->heard = true;

	pthread_mutex_lock(&s->lock);
	c->refs++;
	c->inflight += request_cost(req);
	c->requests++;
	s->busy++;
	pause = c->inflight >= s->cfg.max_inflight ||
		c->requests >= s->max_requests;
	pthread_mutex_unlock(&s->lock);
	if (pause) {
		c->reading = false;
		conn_set_events(c, c->out_head != NULL);
	}
	s->cfg.handle(req, s->cfg.arg);
	return 0;
}

/* The header of a frame is complete: check it, get room for its body. */
static int conn_header(struct leofs_conn *c)
{
	int ret;

	ret = leofs_frame_hdr_decode(&c->hdr, c->hdr_buf, LEOFS_FRAME_HDR_SIZE);
	if (ret < 0)
		return ret;
	if (c->hdr.body_len > c->srv->cfg.max_body)
		return -EMSGSIZE;
	/* one spare byte so an empty body has a buffer */
	c->body = leofs_bigbuf_get(c->hdr.body_len + 1);
	return c->body ? 0 : -ENOMEM;
}

/*
 * Moves read-ahead bytes into the frame being assembled and dispatches
 * every frame completed, until the bytes run out or reading pauses.
 */
static int conn_parse(struct leofs_conn *c)
{
	size_t take, got;
	int ret;

	while (c->reading && c->in_off < c->in_len) {
		const u8 *p = c->in + c->in_off;
		size_t avail = c->in_len - c->in_off;

		if (c->have < LEOFS_FRAME_HDR_SIZE) {
			take = LEOFS_FRAME_HDR_SIZE - c->have;
			take = take < avail ? take : avail;
			memcpy(c->hdr_buf + c->have, p, take);
			c->have += take;
			c->in_off += take;
			if (c->have < LEOFS_FRAME_HDR_SIZE)
				break;
			ret = conn_header(c);
			if (ret < 0)
				return ret;
		} else {
			got = c->have - LEOFS_FRAME_HDR_SIZE;
			take = c->hdr.body_len - got;
			take = take < avail ? take : avail;
			memcpy(c->body + got, p, take);
			c->have += take;
			c->in_off += take;
		}
		if (c->have == LEOFS_FRAME_HDR_SIZE + c->hdr.body_len) {
			ret = conn_dispatch(c);
			if (ret < 0)
				return ret;
		}
	}
	if (c->in_off == c->in_len)
		c->in_off = c->in_len = 0;
	return 0;
}

/*
 * Reads until EAGAIN or READS_PER_WAKEUP reads, dispatching every frame
 * read; returns -errno to close. The tail of a large body is read straight
 * into it.
 */
static int conn_read(struct leofs_conn *c)
{
	int reads = 0;
	ssize_t n;
	int ret;

	ret = conn_parse(c);	/* what a pause left */
	while (ret == 0 && c->reading && reads++ < READS_PER_WAKEUP) {
		size_t got = c->have - LEOFS_FRAME_HDR_SIZE;
		bool direct = c->have >= LEOFS_FRAME_HDR_SIZE &&
			      c->hdr.body_len - got >= IN_BUF_SIZE / 2;

		if (direct) {
			n = recv(c->fd, c->body + got, c->hdr.body_len - got,
				 MSG_DONTWAIT);
		} else {
			n = recv(c->fd, c->in, IN_BUF_SIZE, MSG_DONTWAIT);
		}
		if (n == 0)
			return c->have ? -ECONNRESET : -ESHUTDOWN;
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return -errno;
		}
		c->last_read = leofs_now_ms();
		if (direct) {
			c->have += (size_t)n;
			if (c->have == LEOFS_FRAME_HDR_SIZE + c->hdr.body_len)
				ret = conn_dispatch(c);
		} else {
			c->in_off = 0;
			c->in_len = (size_t)n;
			ret = conn_parse(c);
		}
	}
	return ret;
}

/*
 * After output progress: close a connection that asked for it once
 * flushed, or resume reading if replies have freed room. Returns -errno to
 * close.
 */
static int conn_after_flush(struct leofs_conn *c)
{
	struct leofs_server *s = c->srv;
	bool resume, close_it;

	pthread_mutex_lock(&s->lock);
	resume = !c->reading && c->inflight < s->cfg.max_inflight &&
		 c->requests < s->max_requests;
	close_it = c->close_when_flushed && !c->out_head;
	pthread_mutex_unlock(&s->lock);
	if (close_it)
		return -ESHUTDOWN;
	if (!resume)
		return 0;
	c->reading = true;
	conn_set_events(c, c->out_head != NULL);
	return conn_read(c);
}

static int conn_io(sd_event_source *src, int fd, uint32_t revents, void *data)
{
	struct leofs_conn *c = data;
	struct leofs_server *s = c->srv;
	int ret = 0;

	(void)src;
	(void)fd;
	leofs_server_cork(s);
	/*
	 * epoll reports a hangup or an error even with no events asked for:
	 * while reading is paused nothing would consume it, and the loop
	 * would spin until the requests in flight finish. The peer is gone.
	 */
	if ((revents & (EPOLLHUP | EPOLLERR)) && !c->reading)
		ret = -ECONNRESET;
	else if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
		ret = conn_read(c);
	if (ret == 0 && (revents & EPOLLOUT)) {
		ret = conn_flush(c);
		if (ret == 0)
			ret = conn_after_flush(c);
	}
	if (ret == -ESHUTDOWN) {
		conn_close_now(c, NULL);
	} else if (ret < 0) {
		char why[96];

		snprintf(why, sizeof(why), "%s", strerror(-ret));
		conn_close_now(c, why);
	}
	leofs_server_uncork(s);
	return 0;
}

/* ---- the loop's own sources -------------------------------------------- */

/* Flushes the connections on the pending list until it stays empty. */
static void run_pending(struct leofs_server *s)
{
	struct leofs_conn *list, *c;

	pthread_mutex_lock(&s->lock);
	s->corked++;		/* replies made meanwhile join the list */
	s->loop = pthread_self();
	while ((list = s->pending)) {
		s->pending = NULL;
		while ((c = list)) {
			/*
			 * Unlink c before clearing its flag: once pending is
			 * false it may be queued again, reusing pending_next
			 * (with a new reference that the next round drops).
			 */
			list = c->pending_next;
			c->pending_next = NULL;
			c->pending = false;
			pthread_mutex_unlock(&s->lock);
			if (c->src) {
				int ret = conn_flush(c);

				if (ret == 0)
					ret = conn_after_flush(c);
				if (ret < 0)
					conn_close_now(c, ret == -ESHUTDOWN ?
						       NULL : strerror(-ret));
			}
			conn_put(c);
			pthread_mutex_lock(&s->lock);
		}
	}
	s->corked--;
	pthread_mutex_unlock(&s->lock);
}

void leofs_server_cork(struct leofs_server *s)
{
	pthread_mutex_lock(&s->lock);
	s->corked++;
	s->loop = pthread_self();
	pthread_mutex_unlock(&s->lock);
}

void leofs_server_uncork(struct leofs_server *s)
{
	bool last;

	pthread_mutex_lock(&s->lock);
	last = --s->corked == 0;
	pthread_mutex_unlock(&s->lock);
	if (last)
		run_pending(s);
}

static int on_wake(sd_event_source *src, int fd, uint32_t revents, void *data)
{
	struct leofs_server *s = data;
	u64 v;

	(void)src;
	(void)revents;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warning_errno(-errno, "%s: eventfd: %m", s->cfg.name);
	run_pending(s);
	return 0;
}

static int on_timer(sd_event_source *src, uint64_t usec, void *data)
{
	struct leofs_server *s = data;
	struct leofs_conn *c, *next;
	u64 now = leofs_now_ms();

	for (c = s->conns; c; c = next) {
		bool stalled;

		next = c->next;
		/*
		 * Nothing since it connected, half a frame, or replies it
		 * does not read. A peer that has spoken may stay idle: the
		 * clients keep their connections between requests.
		 */
		pthread_mutex_lock(&s->lock);
		stalled = ((c->have > 0 || !c->heard) &&
			   now - c->last_read > s->cfg.idle_timeout_ms) ||
			  (c->out_head &&
			   now - c->last_write > s->cfg.idle_timeout_ms);
		pthread_mutex_unlock(&s->lock);
		if (stalled)
			conn_close_now(c, "peer stalled");
	}
	sd_event_source_set_time(src, usec + 1000000);
	return 0;
}

static int on_accept(sd_event_source *src, int fd, uint32_t revents,
		     void *data)
{
	struct leofs_server *s = data;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct leofs_conn *c;
	char host[INET6_ADDRSTRLEN] = "?";
	int cfd, one = 1, ret;

	(void)src;
	(void)revents;
	cfd = accept4(fd, (struct sockaddr *)&ss, &sl,
		      SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return 0;
	if (!s->listen_src || s->nconns >= s->cfg.max_conns) {
		log_warning("%s: refusing a connection: %u connections open (limit %u)",
			    s->cfg.name, s->nconns, s->cfg.max_conns);
		close(cfd);
		return 0;
	}
	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(cfd);
		return 0;
	}
	c->srv = s;
	c->fd = cfd;
	c->refs = 1;
	c->reading = true;
	c->last_read = leofs_now_ms();
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(c->peer, sizeof(c->peer), "%s:%u", host,
			 ntohs(in->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(c->peer, sizeof(c->peer), "[%s]:%u", host,
			 ntohs(in6->sin6_port));
	}
	ret = sd_event_add_io(s->ev, &c->src, cfd, EPOLLIN, conn_io, c);
	if (ret < 0) {
		close(cfd);
		free(c);
		return 0;
	}
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	return 0;
}

/* ---- setup ------------------------------------------------------------------ */

static int listen_on(const char *host, u16 port, u16 *bound)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int fd, one = 1;

	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		sl = sizeof(*in);
	} else if (inet_pton(AF_INET6, host,
			     &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		sl = sizeof(*in6);
	} else {
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 128) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	sl = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	*bound = ntohs(ss.ss_family == AF_INET ?
		       ((struct sockaddr_in *)&ss)->sin_port :
		       ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

int leofs_server_new(sd_event *ev, const struct leofs_server_config *cfg,
		     struct leofs_server **out)
{
	struct leofs_server *s;
	int ret;

	if (!cfg->handle || cfg->max_conns == 0 || cfg->max_body == 0 ||
	    cfg->max_body > LEOFS_BODY_MAX || cfg->max_inflight == 0 ||
	    cfg->idle_timeout_ms == 0)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->ev = sd_event_ref(ev);
	s->cfg = *cfg;
	s->max_requests = cfg->max_requests ? cfg->max_requests : 128;
	s->listen_fd = -1;
	s->wake_fd = -1;
	pthread_mutex_init(&s->lock, NULL);

	ret = listen_on(cfg->host, cfg->port, &s->port);
	if (ret < 0)
		goto fail;
	s->listen_fd = ret;
	s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->wake_fd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = sd_event_add_io(ev, &s->listen_src, s->listen_fd, EPOLLIN,
			      on_accept, s);
	if (ret < 0)
		goto fail;
	ret = sd_event_add_io(ev, &s->wake_src, s->wake_fd, EPOLLIN, on_wake,
			      s);
	if (ret < 0)
		goto fail;
	ret = sd_event_add_time_relative(ev, &s->timer_src, CLOCK_MONOTONIC,
					 1000000, 100000, on_timer, s);
	if (ret < 0)
		goto fail;
	sd_event_source_set_enabled(s->timer_src, SD_EVENT_ON);
	*out = s;
	return 0;
fail:
	leofs_server_free(s);
	return ret;
}

u16 leofs_server_port(const struct leofs_server *s)
{
	return s->port;
}

void leofs_server_stop_accepting(struct leofs_server *s)
{
	s->listen_src = sd_event_source_unref(s->listen_src);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	s->listen_fd = -1;
}

unsigned long leofs_server_busy(const struct leofs_server *s)
{
	unsigned long busy;

	pthread_mutex_lock((pthread_mutex_t *)&s->lock);
	busy = s->busy;
	pthread_mutex_unlock((pthread_mutex_t *)&s->lock);
	return busy;
}

void leofs_server_free(struct leofs_server *s)
{
	if (!s)
		return;
	leofs_server_stop_accepting(s);
	while (s->conns)
		conn_close_now(s->conns, NULL);
	/* drop the references the pending list holds */
	on_wake(NULL, s->wake_fd, 0, s);
	s->wake_src = sd_event_source_unref(s->wake_src);
	s->timer_src = sd_event_source_unref(s->timer_src);
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	sd_event_unref(s->ev);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
