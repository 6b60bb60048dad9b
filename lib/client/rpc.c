// SPDX-License-Identifier: GPL-2.0
/* The leofs protocol from userspace (include/leofs/rpc.h). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "leofs/bigbuf.h"
#include "leofs/frame_alloc.h"
#include "leofs/rpc.h"

#define PENDING_BUCKETS 64
/*
 * Bytes the receiver reads at once: many small replies per recv(). Kept
 * small because the head of a large body read with them is copied.
 */
#define RECV_BUF_SIZE (16u << 10)
/* Frames per sendmsg() */
#define SEND_IOV 64
/* Queued bytes beyond which a send waits for the flush under way. */
#define SENDQ_MAX (4u << 20)

/*
 * A frame waiting to be sent: head_len bytes encoded in data[], then, for
 * a request sent with its data apart, len - head_len bytes at tail, which
 * the caller of @call may not reuse until the frame is sent or dropped.
 */
struct sendq_frame {
	struct sendq_frame *next;
	size_t len;			/* the whole frame */
	size_t head_len;
	const u8 *tail;
	struct leofs_rpc_call *call;	/* to tell when tail is let go */
	u8 data[];
};

struct leofs_rpc_call {
	struct leofs_rpc *rpc;
	struct leofs_rpc_call *next;	/* hash bucket */
	u64 req_id;
	u16 opcode;
	bool done;
	int error;
	struct leofs_rpc_reply reply;
	pthread_cond_t cond;		/* own: a reply wakes one waiter */
	u8 *sink;			/* where a reply's tail goes, or NULL */
	u32 sink_len;
	bool filling;			/* the receiver is writing into sink */
	bool frame_out;			/* its frame still reads the data */
};

struct leofs_rpc {
	int fd;
	struct leofs_rpc_opts opts;
	u32 max_body;
	pthread_t receiver;
	bool receiver_started;

	/*
	 * Frames to send. One thread at a time (the flusher) writes; frames
	 * queued meanwhile go out with its next sendmsg(), so concurrent
	 * callers share syscalls.
	 */
	pthread_mutex_t send_lock;	/* the queue and flushing */
	pthread_cond_t sent;		/* the flusher took the queue */
	struct sendq_frame *sq_head, **sq_tail;
	size_t sq_bytes;
	bool flushing;

	pthread_mutex_t lock;		/* below, and the calls' done */
	bool dead;
	int dead_error;
	u64 next_id;
	struct leofs_rpc_call *pending[PENDING_BUCKETS];
};

static struct leofs_rpc_call **bucket(struct leofs_rpc *r, u64 id)
{
	return &r->pending[id % PENDING_BUCKETS];
}

static struct leofs_rpc_call *find_call(struct leofs_rpc *r, u64 id)
{
	struct leofs_rpc_call *c;

	for (c = *bucket(r, id); c && c->req_id != id; c = c->next)
		;
	return c;
}

/* Removes the call with id from the table; lock held. */
static struct leofs_rpc_call *unlink_call(struct leofs_rpc *r, u64 id)
{
	struct leofs_rpc_call **pp, *c;

	for (pp = bucket(r, id); (c = *pp); pp = &c->next) {
		if (c->req_id == id) {
			*pp = c->next;
			c->next = NULL;
			return c;
		}
	}
	return NULL;
}

static void call_free(struct leofs_rpc_call *c)
{
	pthread_cond_destroy(&c->cond);
	free(c);
}

static int read_full(int fd, void *buf, size_t len)
{
	u8 *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n == 0)
			return -ECONNRESET;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Fails every waiting call; the connection is unusable from now on. */
static void mark_dead(struct leofs_rpc *r, int err)
{
	struct leofs_rpc_call *c;
	int i;

	pthread_mutex_lock(&r->lock);
	if (!r->dead) {
		r->dead = true;
		r->dead_error = err;
	}
	for (i = 0; i < PENDING_BUCKETS; i++) {
		while ((c = r->pending[i])) {
			r->pending[i] = c->next;
			c->next = NULL;
			c->error = -ECONNRESET;
			c->done = true;
			pthread_cond_signal(&c->cond);
		}
	}
	pthread_mutex_unlock(&r->lock);
}

/* Frees a frame sent or dropped; its caller may then reuse its data. */
static void frame_done(struct leofs_rpc *r, struct sendq_frame *f)
{
	struct leofs_rpc_call *c = f->call;

	leofs_bigbuf_put(f);
	if (!c)
		return;
	pthread_mutex_lock(&r->lock);
	c->frame_out = false;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&r->lock);
}

static void free_frames(struct leofs_rpc *r, struct sendq_frame *f)
{
	struct sendq_frame *next;

	for (; f; f = next) {
		next = f->next;
		frame_done(r, f);
	}
}

/*
 * Writes a list of frames, up to SEND_IOV pieces per sendmsg(), and frees
 * them. A frame with its data apart ends its sendmsg(), so it is let go
 * as soon as the peer can have it all.
 */
static int send_frames(struct leofs_rpc *r, struct sendq_frame *f)
{
	struct iovec iov[SEND_IOV];
	struct msghdr mh = { .msg_iov = iov };
	struct sendq_frame *b, *next;
	size_t off = 0, n;	/* off: bytes of f already sent */
	ssize_t sent;
	int ret = 0;

	while (f && ret == 0) {
		for (b = f, n = 0; b && n + 2 <= SEND_IOV; b = b->next) {
			size_t at = b == f ? off : 0;

			if (at < b->head_len) {
				iov[n].iov_base = b->data + at;
				iov[n++].iov_len = b->head_len - at;
			}
			if (b->len > b->head_len) {
				size_t t = at > b->head_len ? at - b->head_len : 0;

				iov[n].iov_base = (u8 *)b->tail + t;
				iov[n++].iov_len = b->len - b->head_len - t;
				break;
			}
		}
		mh.msg_iovlen = n;
		sent = sendmsg(r->fd, &mh, MSG_NOSIGNAL);
		if (sent < 0) {
			/* SO_SNDTIMEO ran out: the peer took nothing */
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				ret = -ETIMEDOUT;
			else if (errno != EINTR)
				ret = -errno;
			continue;
		}
		while (f && (size_t)sent >= f->len - off) {
			sent -= (ssize_t)(f->len - off);
			off = 0;
			next = f->next;
			frame_done(r, f);
			f = next;
		}
		off += (size_t)sent;
	}
	free_frames(r, f);
	return ret;
}

/*
 * Sends the queued frames unless another thread is at it (it sends them
 * with its next batch). A failure breaks the connection: a partial frame
 * may be on the wire.
 */
static void flush_queue(struct leofs_rpc *r)
{
	struct sendq_frame *list;
	int ret = 0;

	pthread_mutex_lock(&r->send_lock);
	if (r->flushing) {
		pthread_mutex_unlock(&r->send_lock);
		return;
	}
	r->flushing = true;
	while ((list = r->sq_head)) {
		r->sq_head = NULL;
		r->sq_tail = &r->sq_head;
		r->sq_bytes = 0;
		pthread_cond_broadcast(&r->sent);
		pthread_mutex_unlock(&r->send_lock);
		if (ret == 0)
			ret = send_frames(r, list);
		else
			free_frames(r, list);
		pthread_mutex_lock(&r->send_lock);
	}
	r->flushing = false;
	pthread_cond_broadcast(&r->sent);
	pthread_mutex_unlock(&r->send_lock);
	if (ret < 0) {
		shutdown(r->fd, SHUT_RDWR);
		mark_dead(r, ret);
	}
}

/* Hands a verified frame to its caller; returns -errno to break. */
static int deliver(struct leofs_rpc *r, const struct leofs_frame_hdr *h,
		   u8 *body, u32 len, u8 *tail)
{
	struct leofs_rpc_call *c;

	if (h->flags & LEOFS_FLAG_PUSH) {
		if (r->opts.on_push)
			r->opts.on_push(h->opcode, body, h->body_len,
					r->opts.push_arg);
		leofs_bigbuf_put(body);
		return 0;
	}
	if (!(h->flags & LEOFS_FLAG_REPLY) || len < 4) {
		leofs_bigbuf_put(body);
		return -EPROTO;
	}
	pthread_mutex_lock(&r->lock);
	c = unlink_call(r, h->req_id);
	if (c && c->opcode != h->opcode) {
		/* a reply to another operation: the stream is broken */
		c->error = -EPROTO;
		c->done = true;
		pthread_cond_signal(&c->cond);
		pthread_mutex_unlock(&r->lock);
		leofs_bigbuf_put(body);
		return -EPROTO;
	}
	if (c) {
		c->reply.body = body;
		c->reply.len = len;
		c->reply.tail = tail;
		c->reply.tail_len = tail ? h->body_len - len : 0;
		c->reply.status = get_unaligned_le32(body);
		c->done = true;
		body = NULL;
		pthread_cond_signal(&c->cond);
	}
	pthread_mutex_unlock(&r->lock);
	leofs_bigbuf_put(body);	/* a late reply to a call that gave up */
	return 0;
}

/*
 * Where the body of a reply goes: the call it answers may take its last
 * sink_len bytes into its sink. Marks the call filling (its waiter then
 * waits for the receiver to be done with the sink); NULL if no sink.
 */
static u8 *sink_for(struct leofs_rpc *r, const struct leofs_frame_hdr *h,
		    struct leofs_rpc_call **call)
{
	struct leofs_rpc_call *c;
	u8 *sink = NULL;

	if (!(h->flags & LEOFS_FLAG_REPLY))
		return NULL;
	pthread_mutex_lock(&r->lock);
	c = find_call(r, h->req_id);
	/* the message is more than the sink: at least its status */
	if (c && c->sink && c->opcode == h->opcode &&
	    h->body_len >= (u64)c->sink_len + 4) {
		c->filling = true;
		sink = c->sink;
		*call = c;
	}
	pthread_mutex_unlock(&r->lock);
	return sink;
}

static void sink_done(struct leofs_rpc *r, struct leofs_rpc_call *c)
{
	pthread_mutex_lock(&r->lock);
	c->filling = false;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&r->lock);
}

/*
 * Reads the body of the frame @h into @body (@len bytes) and, for a call
 * with a sink, the rest into @sink, taking first what @in already holds
 * (*in_len bytes, which it consumes); then checks the frame's CRC.
 */
static int read_body(struct leofs_rpc *r, const struct leofs_frame_hdr *h,
		     const u8 *hdr, const u8 *in, size_t *in_len, u8 *body,
		     u32 len, u8 *sink)
{
	size_t from_in = *in_len < h->body_len ? *in_len : h->body_len;
	size_t a = from_in < len ? from_in : len;
	u32 tail = h->body_len - len;
	int ret;

	memcpy(body, in, a);
	if (sink)
		memcpy(sink, in + a, from_in - a);
	*in_len = from_in;
	ret = read_full(r->fd, body + a, len - a);
	if (!ret && sink)
		ret = read_full(r->fd, sink + (from_in - a),
				tail - (from_in - a));
	if (!ret)
		ret = leofs_frame_verify_split(h, hdr, body, len, sink, tail);
	return ret;
}

/*
 * Reads RECV_BUF_SIZE bytes at a time and takes every frame out of them;
 * the tail of a body longer than what was read comes straight into it, or
 * into the sink of the call it answers.
 */
static void *receiver_main(void *arg)
{
	struct leofs_rpc *r = arg;
	struct leofs_rpc_call *c = NULL;
	struct leofs_frame_hdr h;
	size_t have = 0, off = 0, in_buf;
	u8 *in, *body, *sink;
	ssize_t n;
	u32 len;
	int ret = 0;

	in = malloc(RECV_BUF_SIZE);
	if (!in)
		ret = -ENOMEM;
	while (ret == 0) {
		if (have - off < LEOFS_FRAME_HDR_SIZE) {
			memmove(in, in + off, have - off);
			have -= off;
			off = 0;
			n = recv(r->fd, in + have, RECV_BUF_SIZE - have, 0);
			if (n == 0)
				ret = -ECONNRESET;
			else if (n < 0 && errno != EINTR)
				ret = -errno;
			else if (n > 0)
				have += (size_t)n;
			continue;
		}
		ret = leofs_frame_hdr_decode(&h, in + off,
					     LEOFS_FRAME_HDR_SIZE);
		if (ret < 0)
			break;
		if (h.body_len > r->max_body) {
			ret = -EMSGSIZE;
			break;
		}
		sink = sink_for(r, &h, &c);
		len = sink ? h.body_len - c->sink_len : h.body_len;
		body = leofs_bigbuf_get(len + 1);
		if (!body) {
			if (sink)
				sink_done(r, c);
			ret = -ENOMEM;
			break;
		}
		in_buf = have - off - LEOFS_FRAME_HDR_SIZE;
		ret = read_body(r, &h, in + off, in + off + LEOFS_FRAME_HDR_SIZE,
				&in_buf, body, len, sink);
		if (sink)
			sink_done(r, c);
		if (ret < 0) {
			leofs_bigbuf_put(body);
			break;
		}
		off += LEOFS_FRAME_HDR_SIZE + in_buf;
		ret = deliver(r, &h, body, len, sink);
	}
	free(in);
	mark_dead(r, ret < 0 ? ret : -ECONNRESET);
	return NULL;
}

static int connect_to(const char *host, u16 port, u32 timeout_ms,
		      u32 send_timeout_ms)
{
	struct timeval snd = { .tv_sec = send_timeout_ms / 1000,
			       .tv_usec = send_timeout_ms % 1000 * 1000 };
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
	};
	struct addrinfo *res, *ai;
	char service[8];
	int fd = -1, err = -EHOSTUNREACH, one = 1;

	snprintf(service, sizeof(service), "%u", port);
	if (getaddrinfo(host, service, &hints, &res) != 0)
		return -EHOSTUNREACH;
	for (ai = res; ai; ai = ai->ai_next) {
		struct pollfd pfd;
		socklen_t sl = sizeof(err);
		int soerr = 0;

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
			    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd < 0) {
			err = -errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
		    errno != EINPROGRESS) {
			err = -errno;
			goto next;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, timeout_ms ? (int)timeout_ms : -1) != 1) {
			err = -ETIMEDOUT;
			goto next;
		}
		sl = sizeof(soerr);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
		if (soerr) {
			err = -soerr;
			goto next;
		}
		/* back to blocking for the simple send/recv paths */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &snd,
			       sizeof(snd)) < 0) {
			err = -errno;
			goto next;
		}
		freeaddrinfo(res);
		return fd;
next:
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return err;
}

/* Frames are built inside a sendq_frame so they are never copied. */
static void *sendq_alloc(size_t cap, u8 **frame)
{
	struct sendq_frame *f = leofs_bigbuf_get(sizeof(*f) + cap);

	if (!f)
		return NULL;
	*frame = f->data;
	return f;
}

static int encode_frame(u16 opcode, u64 req_id, const void *msg,
			size_t msg_size, const void *tail, u32 tail_len,
			const u32 *tail_crc, struct sendq_frame **out)
{
	struct leofs_frame_hdr h = {
		.version = LEOFS_PROTO_VERSION_MAX,
		.opcode = opcode,
		.req_id = req_id,
	};
	size_t len;
	void *mem;
	int ret;

	ret = leofs_frame_alloc_build_tail(&h, msg, msg_size, tail, tail_len,
					   tail_crc, sendq_alloc, &mem, &len);
	if (ret == 0) {
		*out = mem;
		(*out)->next = NULL;
		(*out)->head_len = len;
		(*out)->len = len + tail_len;
		(*out)->tail = tail;
		(*out)->call = NULL;
	}
	return ret;
}

static int send_call(struct leofs_rpc *r, u16 opcode, const void *msg,
		     size_t msg_size, u32 flags, const void *apart,
		     u32 apart_len, const u32 *apart_crc, void *sink,
		     u32 sink_len, struct leofs_rpc_call **out)
{
	struct leofs_rpc_call *c;
	struct sendq_frame *f = NULL;
	bool now;
	int ret;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->rpc = r;
	c->opcode = opcode;
	c->sink = sink_len ? sink : NULL;
	c->sink_len = sink_len;
	pthread_cond_init(&c->cond, NULL);

	pthread_mutex_lock(&r->lock);
	if (r->dead) {
		pthread_mutex_unlock(&r->lock);
		call_free(c);
		return -ENOTCONN;
	}
	c->req_id = ++r->next_id;
	c->next = *bucket(r, c->req_id);
	*bucket(r, c->req_id) = c;
	pthread_mutex_unlock(&r->lock);

	ret = encode_frame(opcode, c->req_id, msg, msg_size, apart, apart_len,
			   apart_crc, &f);
	if (ret < 0) {
		pthread_mutex_lock(&r->lock);
		unlink_call(r, c->req_id);
		pthread_mutex_unlock(&r->lock);
		call_free(c);
		return ret;
	}
	if (apart_len) {
		f->call = c;
		c->frame_out = true;
	}
	pthread_mutex_lock(&r->send_lock);
	/* a flush under way may hold back a sender queueing too much */
	while (r->flushing && r->sq_bytes >= SENDQ_MAX)
		pthread_cond_wait(&r->sent, &r->send_lock);
	*r->sq_tail = f;
	r->sq_tail = &f->next;
	r->sq_bytes += f->len;
	now = !(flags & LEOFS_RPC_MORE) || r->sq_bytes >= SENDQ_MAX;
	pthread_mutex_unlock(&r->send_lock);
	if (now)
		flush_queue(r);
	*out = c;
	return 0;
}

int leofs_rpc_send_into(struct leofs_rpc *r, u16 opcode, const void *msg,
			size_t msg_size, u32 flags, void *sink, u32 sink_len,
			struct leofs_rpc_call **call)
{
	return send_call(r, opcode, msg, msg_size, flags, NULL, 0, NULL, sink,
			 sink_len, call);
}

int leofs_rpc_send_apart(struct leofs_rpc *r, u16 opcode, const void *msg,
			 size_t msg_size, u32 flags, const void *data,
			 u32 data_len, const u32 *data_crc,
			 struct leofs_rpc_call **call)
{
	return send_call(r, opcode, msg, msg_size, flags, data, data_len,
			 data_crc, NULL, 0, call);
}

int leofs_rpc_send_flags(struct leofs_rpc *r, u16 opcode, const void *msg,
			 size_t msg_size, u32 flags,
			 struct leofs_rpc_call **call)
{
	return send_call(r, opcode, msg, msg_size, flags, NULL, 0, NULL, NULL,
			 0, call);
}

int leofs_rpc_send(struct leofs_rpc *r, u16 opcode, const void *msg,
		   size_t msg_size, struct leofs_rpc_call **call)
{
	return leofs_rpc_send_flags(r, opcode, msg, msg_size, 0, call);
}

/* Takes c's frame off the send queue if no sender has taken it yet. */
static void unqueue(struct leofs_rpc *r, struct leofs_rpc_call *c)
{
	struct sendq_frame **p, *f = NULL;

	pthread_mutex_lock(&r->send_lock);
	for (p = &r->sq_head; *p; p = &(*p)->next) {
		if ((*p)->call != c)
			continue;
		f = *p;
		*p = f->next;
		if (r->sq_tail == &f->next)
			r->sq_tail = p;
		r->sq_bytes -= f->len;
		break;
	}
	pthread_mutex_unlock(&r->send_lock);
	if (f)
		frame_done(r, f);
}

int leofs_rpc_wait(struct leofs_rpc_call *c, u32 timeout_ms,
		   struct leofs_rpc_reply *reply)
{
	struct leofs_rpc *r = c->rpc;
	struct timespec deadline;
	bool timed_out;
	int ret = 0;

	flush_queue(r);	/* frames sent with LEOFS_RPC_MORE */
	leofs_deadline_ts(timeout_ms, &deadline);

	pthread_mutex_lock(&r->lock);
	while (!c->done && ret == 0) {
		if (timeout_ms)
			ret = -pthread_cond_timedwait(&c->cond, &r->lock,
						      &deadline);
		else
			ret = -pthread_cond_wait(&c->cond, &r->lock);
	}
	timed_out = !c->done;
	if (c->filling) {
		/*
		 * The receiver is writing into our sink: a reply stalled
		 * halfway (or the connection failed under it). The caller may
		 * free the sink once we return, so end the connection and
		 * wait until the receiver has let go of it.
		 */
		shutdown(r->fd, SHUT_RDWR);
		while (c->filling)
			pthread_cond_wait(&c->cond, &r->lock);
	}
	if (c->frame_out) {
		/*
		 * The request's frame still reads the caller's data: take it
		 * off the queue if nobody is sending it yet; else the sender
		 * lets go of it once sent (at once if the reply came), and
		 * without a reply (none in time, or the connection failed)
		 * the connection is ended under it.
		 */
		pthread_mutex_unlock(&r->lock);
		unqueue(r, c);
		pthread_mutex_lock(&r->lock);
		if (c->frame_out && (!c->done || c->error))
			shutdown(r->fd, SHUT_RDWR);
		while (c->frame_out)
			pthread_cond_wait(&c->cond, &r->lock);
	}
	if (!c->done || (timed_out && c->error)) {
		/*
		 * Timed out (also when ending a stalled reply's connection
		 * failed the call meanwhile): a late reply is dropped by the
		 * receiver.
		 */
		unlink_call(r, c->req_id);
		ret = -ETIMEDOUT;
	} else {
		ret = c->error;
		if (ret == 0)
			*reply = c->reply;
	}
	pthread_mutex_unlock(&r->lock);
	call_free(c);
	return ret;
}

void leofs_rpc_reply_free(struct leofs_rpc_reply *reply)
{
	leofs_bigbuf_put(reply->body);
	reply->body = NULL;
	reply->len = 0;
}

int leofs_rpc_call(struct leofs_rpc *r, u16 opcode, const void *msg,
		   size_t msg_size, void *out, size_t out_size,
		   struct leofs_rpc_reply *raw, u32 timeout_ms)
{
	struct leofs_rpc_call *c;
	int ret;

	ret = leofs_rpc_send(r, opcode, msg, msg_size, &c);
	if (ret < 0)
		return ret;
	ret = leofs_rpc_wait(c, timeout_ms, raw);
	if (ret < 0)
		return ret;
	ret = leofs_msg_decode_tail(opcode, true, out, out_size, raw->body,
				    raw->len, raw->tail, raw->tail_len);
	if (ret < 0) {
		leofs_rpc_reply_free(raw);
		return -EBADMSG;
	}
	return 0;
}

bool leofs_rpc_alive(struct leofs_rpc *r)
{
	bool alive;

	pthread_mutex_lock(&r->lock);
	alive = !r->dead;
	pthread_mutex_unlock(&r->lock);
	return alive;
}

u64 leofs_rpc_last_req_id(struct leofs_rpc *r)
{
	u64 id;

	pthread_mutex_lock(&r->lock);
	id = r->next_id;
	pthread_mutex_unlock(&r->lock);
	return id;
}

int leofs_rpc_connect(const char *host, u16 port,
		      const struct leofs_rpc_opts *opts,
		      struct leofs_hello_reply *hello, struct leofs_rpc **out)
{
	static const u8 no_cluster[16];
	struct leofs_hello_req req = {
		.version_min = LEOFS_PROTO_VERSION_MIN,
		.version_max = LEOFS_PROTO_VERSION_MAX,
		.peer_kind = opts->peer_kind,
		.features = LEOFS_FEATURES_ALL,
		.session_id = opts->session_id,
		.node_id = opts->node_id,
	};
	struct leofs_hello_reply rep;
	struct leofs_rpc_reply raw;
	struct leofs_rpc *r;
	int ret;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->opts = *opts;
	r->max_body = opts->max_body ? opts->max_body : LEOFS_BODY_MAX;
	r->next_id = opts->last_req_id;
	pthread_mutex_init(&r->lock, NULL);
	pthread_mutex_init(&r->send_lock, NULL);
	pthread_cond_init(&r->sent, NULL);
	r->sq_tail = &r->sq_head;
	r->fd = connect_to(host, port,
			   opts->connect_timeout_ms ?
				   opts->connect_timeout_ms : 5000,
			   opts->send_timeout_ms ? opts->send_timeout_ms :
						   LEOFS_RPC_SEND_TIMEOUT_MS);
	if (r->fd < 0) {
		ret = r->fd;
		r->fd = -1;
		goto fail;
	}
	ret = -pthread_create(&r->receiver, NULL, receiver_main, r);
	if (ret < 0)
		goto fail;
	pthread_setname_np(r->receiver, "leofs-rpc");
	r->receiver_started = true;

	memcpy(req.cluster_id, opts->cluster_id, 16);
	ret = leofs_rpc_call(r, LEOFS_OP_HELLO, &req, sizeof(req), &rep,
			     sizeof(rep), &raw, opts->connect_timeout_ms ?
			     opts->connect_timeout_ms : 5000);
	if (ret < 0)
		goto fail;
	leofs_rpc_reply_free(&raw);
	if (rep.status == LEOFS_S_WRONG_CLUSTER) {
		ret = -EXDEV;	/* refused: we named another cluster */
		goto fail;
	}
	if (rep.status != LEOFS_S_OK) {
		ret = leofs_status_to_errno(rep.status);
		goto fail;
	}
	if (memcmp(opts->cluster_id, no_cluster, 16) &&
	    memcmp(opts->cluster_id, rep.cluster_id, 16)) {
		ret = -EXDEV;	/* another cluster answered */
		goto fail;
	}
	if (hello)
		*hello = rep;
	*out = r;
	return 0;
fail:
	leofs_rpc_close(r);
	return ret;
}

void leofs_rpc_close(struct leofs_rpc *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		shutdown(r->fd, SHUT_RDWR);
	if (r->receiver_started)
		pthread_join(r->receiver, NULL);
	mark_dead(r, -ENOTCONN);
	if (r->fd >= 0)
		close(r->fd);
	free_frames(r, r->sq_head);
	pthread_mutex_destroy(&r->lock);
	pthread_mutex_destroy(&r->send_lock);
	pthread_cond_destroy(&r->sent);
	free(r);
}
