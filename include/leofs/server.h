/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemons' connection layer: a listening TCP socket on an sd-event loop,
 * framed connections (lib/proto framing, CRC-verified), limits, and replies
 * that any thread may send.
 *
 * Threading: accepting, reading and writing happen on the loop thread, which
 * reads whatever a connection has ready (many frames per recv()) and sends
 * queued replies together (many frames per sendmsg()). The handler is
 * called there with each complete, verified request frame and
 * owns it; it usually hands the request to a work queue and answers from a
 * worker with leofs_request_reply(), which is thread-safe. A connection
 * stays allocated while requests on it are unfinished; replies to a closed
 * connection are dropped.
 *
 * Limits: at most max_conns connections (further ones are accepted and
 * closed at once), frames up to max_body bytes (a larger header closes the
 * connection), and at most max_inflight bytes of unanswered requests per
 * connection, counting replies not yet sent, and at most max_requests
 * unanswered requests (reading pauses until replies free room:
 * backpressure, not an error). Together they bound what a peer that never
 * reads its replies can make the server hold. A peer that sends nothing
 * after connecting, leaves a frame half-sent, or stops reading replies,
 * for longer than idle_timeout_ms is disconnected; one that has sent a
 * whole request may then stay idle.
 */
#ifndef LEOFS_SERVER_H
#define LEOFS_SERVER_H

#include <stdbool.h>
#include <sys/socket.h>
#include <systemd/sd-event.h>

#include "leofs/proto.h"

struct leofs_server;
struct leofs_conn;

struct leofs_request {
	struct leofs_conn *conn;
	struct leofs_frame_hdr hdr;
	u8 *body;		/* hdr.body_len bytes, owned by the request */
};

struct leofs_server_config {
	const char *name;		/* for log messages */
	const char *host;		/* numeric address to bind, e.g. "127.0.0.1" */
	u16 port;			/* 0 = any free port (tests) */
	u32 max_conns;
	u32 max_body;			/* <= LEOFS_BODY_MAX */
	u64 max_inflight;		/* per connection, bytes */
	u32 max_requests;		/* per connection unanswered; 0 = 128 */
	u32 idle_timeout_ms;
	void (*handle)(struct leofs_request *req, void *arg);
	void (*closed)(struct leofs_conn *conn, void *arg);	/* optional */
	void *arg;
};

int leofs_server_new(sd_event *ev, const struct leofs_server_config *cfg,
		     struct leofs_server **out);
/* The bound port (useful with port 0). */
u16 leofs_server_port(const struct leofs_server *s);
/* Stop accepting new connections (drain). */
void leofs_server_stop_accepting(struct leofs_server *s);
/* Requests received and not yet finished, over all connections. */
unsigned long leofs_server_busy(const struct leofs_server *s);
/* Closes every connection and frees the server; call on the loop thread. */
void leofs_server_free(struct leofs_server *s);
/*
 * Loop thread: replies made on this thread between cork and uncork are
 * queued and sent together when the outermost uncork flushes (one
 * sendmsg() per connection). The server corks around each connection's
 * reads; a daemon that answers a batch of finished requests from the loop
 * thread corks around it too. Replies from other threads are unaffected.
 */
void leofs_server_cork(struct leofs_server *s);
void leofs_server_uncork(struct leofs_server *s);

/*
 * Answers a request and frees it: encodes msg (the reply structure of the
 * request's opcode, see lib/proto) in a frame with the REPLY flag and the
 * request's id. Any thread. Returns 0 or a negative errno (the request is
 * freed either way; an encoding failure is answered LEOFS_S_IO).
 */
int leofs_request_reply(struct leofs_request *req, const void *msg,
			size_t msg_size);
/*
 * The same for a reply whose last field is a BLOB pointing at @tail
 * (@tail_len bytes, from leofs_bigbuf_get()): those bytes are sent from
 * where they are, not copied into the frame, and @tail is the server's
 * to free (also on failure). @tail_crc, if not NULL, is the CRC32C of the
 * tail's bytes, so the frame's CRC is made without reading them.
 */
int leofs_request_reply_tail(struct leofs_request *req, const void *msg,
			     size_t msg_size, void *tail, size_t tail_len,
			     const u32 *tail_crc);
/* Answers with a bare status reply (struct leofs_status_reply). */
int leofs_request_reply_status(struct leofs_request *req, u32 status);
/* Frees a request without answering (e.g. a push that needs no reply). */
void leofs_request_free(struct leofs_request *req);

/* Sends an unsolicited PUSH frame on a connection. Any thread. */
int leofs_conn_push(struct leofs_conn *c, u16 opcode, const void *msg,
		    size_t msg_size);
/* Per-connection data owned by the daemon (e.g. its session). */
void leofs_conn_set_priv(struct leofs_conn *c, void *priv);
void *leofs_conn_priv(const struct leofs_conn *c);
/* "127.0.0.1:40312" */
const char *leofs_conn_peer(const struct leofs_conn *c);
/* Closes the connection after the replies already queued are sent. */
void leofs_conn_close(struct leofs_conn *c);

#endif /* LEOFS_SERVER_H */
