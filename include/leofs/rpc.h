/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The leofs protocol from userspace: one TCP connection to one server,
 * requests multiplexed by request id, safe to use from many threads.
 * Used by the tools, the tests, the benchmarks, and by the daemons when they
 * talk to each other (a PG primary to its members, an OSS to the MDS).
 *
 * Requests are queued and written by one thread at a time: frames queued
 * while another thread is writing go out with its next sendmsg(), so
 * concurrent callers share syscalls. A receiver thread reads as much as is
 * ready at once, checks every frame with the shared decoders and CRC, and
 * hands each reply to the caller waiting for its id; replies to unknown ids
 * (e.g. after a timeout) are dropped. Anything malformed from
 * the server breaks the connection: every waiting call then fails with
 * -ECONNRESET and later calls with -ENOTCONN; the caller reconnects. The
 * library does not log.
 */
#ifndef LEOFS_RPC_H
#define LEOFS_RPC_H

#include <stdbool.h>

#include "leofs/clock.h"
#include "leofs/proto.h"
#include "leofs/proto_msg.h"

struct leofs_rpc;
struct leofs_rpc_call;

#define LEOFS_RPC_SEND_TIMEOUT_MS 30000

struct leofs_rpc_opts {
	u32 peer_kind;		/* enum leofs_peer_kind of this side */
	u32 node_id;		/* this side's node id, 0 for clients */
	u8 cluster_id[16];	/* all zero: accept the server's */
	u64 session_id;		/* 0: a new session */
	/*
	 * Request ids of this connection start after this one. A client that
	 * resumes a session continues its ids, so the server's reply cache
	 * never confuses a new request with an old one.
	 */
	u64 last_req_id;
	u32 connect_timeout_ms;
	/*
	 * A send that moves no byte for this long (the peer stopped reading)
	 * breaks the connection, failing its calls with -ETIMEDOUT;
	 * 0 = LEOFS_RPC_SEND_TIMEOUT_MS.
	 */
	u32 send_timeout_ms;
	u32 max_body;		/* largest reply accepted; 0 = LEOFS_BODY_MAX */
	/* Unsolicited PUSH frames (e.g. MAP_PUSH); receiver thread. */
	void (*on_push)(u16 opcode, const u8 *body, u32 len, void *arg);
	void *push_arg;
};

/*
 * A reply: body is the encoded reply message, owned by the caller; for a
 * call sent with a sink (leofs_rpc_send_into()) the message may end in the
 * sink instead: tail points there, and the message is body then tail.
 */
struct leofs_rpc_reply {
	u8 *body;
	u32 len;
	u32 status;		/* the reply's leading status */
	const u8 *tail;		/* NULL, or the sink holding the last bytes */
	u32 tail_len;
};

/*
 * Connects to host:port (numeric or a name), sends HELLO and checks the
 * answer (a common version, the cluster id). The HELLO reply is stored in
 * *hello if not NULL. A server of another cluster (it refused our cluster
 * id, or answered with another one) is -EXDEV.
 */
int leofs_rpc_connect(const char *host, u16 port,
		      const struct leofs_rpc_opts *opts,
		      struct leofs_hello_reply *hello, struct leofs_rpc **out);
void leofs_rpc_close(struct leofs_rpc *r);
bool leofs_rpc_alive(struct leofs_rpc *r);
/* The last request id used (for opts.last_req_id when resuming). */
u64 leofs_rpc_last_req_id(struct leofs_rpc *r);

/*
 * Sends one request; the call is then waited for with leofs_rpc_wait().
 * Returns -ENOTCONN on a broken connection; a write that fails breaks it,
 * and the calls then fail in leofs_rpc_wait().
 */
int leofs_rpc_send(struct leofs_rpc *r, u16 opcode, const void *msg,
		   size_t msg_size, struct leofs_rpc_call **call);

/*
 * More requests follow at once: the frame may stay queued until the next
 * send without this flag or the next leofs_rpc_wait() on this connection,
 * so that a window of requests goes out in one sendmsg().
 */
#define LEOFS_RPC_MORE 0x1u
int leofs_rpc_send_flags(struct leofs_rpc *r, u16 opcode, const void *msg,
			 size_t msg_size, u32 flags,
			 struct leofs_rpc_call **call);
/*
 * leofs_rpc_send_flags(), and the last @sink_len bytes of a longer reply
 * are received straight into @sink instead of the reply's body: a reply
 * that ends in that much data (READ_FRAGMENT's) lands where the caller
 * wants it, not copied. Decode such a reply with leofs_msg_decode_tail().
 * @sink must stay valid until leofs_rpc_wait() returns, which waits for
 * the receiver to be done with it; after a failed call its contents are
 * undefined.
 */
int leofs_rpc_send_into(struct leofs_rpc *r, u16 opcode, const void *msg,
			size_t msg_size, u32 flags, void *sink, u32 sink_len,
			struct leofs_rpc_call **call);
/*
 * leofs_rpc_send_flags() of a message whose last field is a BLOB holding
 * @data (@data_len bytes): the frame is sent with those bytes taken from
 * where they are, not copied into it. @data must stay valid and unchanged
 * until leofs_rpc_wait() returns, which waits for the frame to be sent or
 * dropped (a call that gets no reply in time ends the connection if its
 * frame is being sent). @data_crc, if not NULL, is the CRC32C of @data
 * (leofs_crc32c_join() of CRCs the caller has), so the frame's CRC is
 * made without reading the data.
 */
int leofs_rpc_send_apart(struct leofs_rpc *r, u16 opcode, const void *msg,
			 size_t msg_size, u32 flags, const void *data,
			 u32 data_len, const u32 *data_crc,
			 struct leofs_rpc_call **call);
/*
 * Waits for the reply (timeout_ms 0 = forever) and frees the call.
 * Returns 0 (reply filled in), -ETIMEDOUT, -ECONNRESET or -ENOTCONN.
 */
int leofs_rpc_wait(struct leofs_rpc_call *call, u32 timeout_ms,
		   struct leofs_rpc_reply *reply);

/*
 * send + wait + decode: on success the reply is decoded into out (the
 * reply struct for opcode; its buffers point into *raw, which the caller
 * frees with leofs_rpc_reply_free() after use). Returns 0 with the reply's
 * status in out, or a negative errno for a transport failure or a reply
 * that does not decode (-EBADMSG).
 */
int leofs_rpc_call(struct leofs_rpc *r, u16 opcode, const void *msg,
		   size_t msg_size, void *out, size_t out_size,
		   struct leofs_rpc_reply *raw, u32 timeout_ms);
void leofs_rpc_reply_free(struct leofs_rpc_reply *reply);

#endif /* LEOFS_RPC_H */
