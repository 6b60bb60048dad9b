// SPDX-License-Identifier: GPL-2.0
/*
 * Batching in the daemon connection layer and the userspace RPC client:
 * frames split across reads, many frames in one read, replies queued
 * while the peer does not read (sendmsg() meets EAGAIN; half the large
 * replies are sent with their value apart, leofs_request_reply_tail()),
 * a peer that goes away mid-batch, a window of requests sent with
 * LEOFS_RPC_MORE, and a HELLO refused for another cluster.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "leofs/bigbuf.h"
#include "leofs/proto_msg.h"
#include "leofs/rpc.h"
#include "leofs/server.h"
#include "leofs/workq.h"
#include "helper_server.h"

#define BIG_VALUE 60000 /* a GETXATTR reply of about this size */

static const u8 cluster[16] = { 0xba, 0x7c };

/* The value byte i of the GETXATTR answer to a request for ino. */
static u8 value_byte(u64 ino, u32 i)
{
	return (u8)(ino * 31 + i * 7);
}

static void answer_getxattr(void *arg)
{
	struct leofs_request *req = arg;
	struct leofs_xattr_reply out = { .status = LEOFS_S_OK };
	struct leofs_getxattr_req in;
	u8 *v;
	u32 i;

	if (leofs_getxattr_req_decode(&in, req->body, req->hdr.body_len) < 0 ||
	    in.size > LEOFS_XATTR_VALUE_MAX) {
		leofs_request_reply_status(req, LEOFS_S_BADMSG);
		return;
	}
	v = leofs_bigbuf_get(in.size + 1);
	if (!v) {
		leofs_request_reply_status(req, LEOFS_S_NOMEM);
		return;
	}
	for (i = 0; i < in.size; i++)
		v[i] = value_byte(in.ino, i);
	out.size = in.size;
	out.value.data = v;
	out.value.len = in.size;
	/* odd inodes: the value is sent from v, which the reply takes */
	if (in.ino % 2) {
		leofs_request_reply_tail(req, &out, sizeof(out), v, in.size,
					 NULL);
		return;
	}
	leofs_request_reply(req, &out, sizeof(out));
	leofs_bigbuf_put(v);
}

/*
 * GETATTR is answered on the loop thread (replies of one read leave
 * together), GETXATTR by a worker, READLINK closes the connection.
 */
static void handle(struct leofs_request *req, void *arg)
{
	struct srv_fixture *f = arg;
	struct leofs_attr_reply out = { .status = LEOFS_S_OK };
	struct leofs_ino_req in;

	switch (req->hdr.opcode) {
	case LEOFS_OP_HELLO:
		srv_fixture_answer_hello(req, cluster, 0, 0);
		return;
	case LEOFS_OP_GETATTR:
		if (leofs_getattr_req_decode(&in, req->body,
					     req->hdr.body_len) < 0) {
			leofs_request_reply_status(req, LEOFS_S_BADMSG);
			return;
		}
		out.attr.ino = in.ino;
		out.attr.mode = LEOFS_S_IFREG | 0644;
		out.attr.nlink = 1;
		out.attr.size = in.ino + 5;
		leofs_request_reply(req, &out, sizeof(out));
		return;
	case LEOFS_OP_GETXATTR:
		leofs_workq_submit(f->wq, answer_getxattr, req);
		return;
	case LEOFS_OP_READLINK:
		leofs_conn_close(req->conn);
		leofs_request_free(req);
		return;
	default:
		leofs_request_reply_status(req, LEOFS_S_NOTSUP);
	}
}

static int setup(void **state)
{
	struct leofs_server_config cfg = {
		.name = "batch",
		.host = "127.0.0.1",
		.max_conns = 8,
		.max_body = 1 << 20,
		.max_inflight = 256 << 10,
		.idle_timeout_ms = 10000,
		.handle = handle,
	};

	return srv_fixture_setup(state, &cfg);
}

/* ---- a raw peer: frames built and parsed by hand ---- */

/* Appends the request frame (opcode, id, msg) to buf; returns its length. */
static size_t put_frame(u8 *buf, size_t cap, u16 opcode, u64 id,
			const void *msg, size_t msg_size)
{
	struct leofs_frame_hdr h = {
		.version = LEOFS_PROTO_VERSION_MAX,
		.opcode = opcode,
		.req_id = id,
	};
	int n = leofs_frame_build(buf, cap, &h, msg, msg_size);

	assert_true(n > 0);
	return (size_t)n;
}

static size_t put_getattr(u8 *buf, size_t cap, u64 id)
{
	struct leofs_ino_req q = { .ino = id };

	return put_frame(buf, cap, LEOFS_OP_GETATTR, id, &q, sizeof(q));
}

static size_t put_getxattr(u8 *buf, size_t cap, u64 id)
{
	struct leofs_getxattr_req q = { .ino = id, .size = BIG_VALUE };

	q.name.data = "user.x";
	q.name.len = 6;
	return put_frame(buf, cap, LEOFS_OP_GETXATTR, id, &q, sizeof(q));
}

static void send_all(int fd, const u8 *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		assert_true(n > 0);
		p += n;
		len -= (size_t)n;
	}
}

static void recv_all(int fd, u8 *p, size_t len)
{
	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		assert_true(n > 0);
		p += n;
		len -= (size_t)n;
	}
}

/* Reads one reply frame, checks its CRC; returns the body (malloc()ed). */
static u8 *read_reply(int fd, struct leofs_frame_hdr *h)
{
	u8 hdr[LEOFS_FRAME_HDR_SIZE];
	u8 *body;

	recv_all(fd, hdr, sizeof(hdr));
	assert_int_equal(leofs_frame_hdr_decode(h, hdr, sizeof(hdr)), 0);
	assert_true(h->flags & LEOFS_FLAG_REPLY);
	body = malloc(h->body_len + 1);
	assert_non_null(body);
	recv_all(fd, body, h->body_len);
	assert_int_equal(leofs_frame_verify(h, hdr, body), 0);
	return body;
}

/* Reads n GETATTR replies, ids first..first+n-1 each exactly once. */
static void expect_getattrs(int fd, u64 first, u32 n)
{
	u8 *seen = calloc(n, 1);
	struct leofs_attr_reply rep;
	struct leofs_frame_hdr h;
	u32 i;

	assert_non_null(seen);
	for (i = 0; i < n; i++) {
		u8 *body = read_reply(fd, &h);

		assert_int_equal(h.opcode, LEOFS_OP_GETATTR);
		assert_true(h.req_id >= first && h.req_id < first + n);
		assert_int_equal(seen[h.req_id - first], 0);
		seen[h.req_id - first] = 1;
		assert_int_equal(
			leofs_getattr_reply_decode(&rep, body, h.body_len), 0);
		assert_int_equal(rep.status, LEOFS_S_OK);
		assert_int_equal(rep.attr.ino, h.req_id);
		assert_int_equal(rep.attr.size, h.req_id + 5);
		free(body);
	}
	free(seen);
}

/* Every frame cut at odd places over many sends: each one is served. */
static void test_frames_split_across_reads(void **state)
{
	struct srv_fixture *f = *state;
	u8 buf[64 * 40];
	size_t len = 0, off, step;
	u64 id;
	int fd = srv_fixture_raw_connect(f->port);

	for (id = 1; id <= 40; id++)
		len += put_getattr(buf + len, sizeof(buf) - len, id);
	for (off = 0, step = 1; off < len; off += step, step = step % 13 + 1) {
		if (step > len - off)
			step = len - off;
		send_all(fd, buf + off, step);
		usleep(200); /* so the server reads the pieces apart */
	}
	expect_getattrs(fd, 1, 40);
	close(fd);
}

struct sender {
	int fd;
	u8 *buf;
	size_t len;
};

static void *sender_main(void *arg)
{
	struct sender *s = arg;

	send_all(s->fd, s->buf, s->len);
	return NULL;
}

/*
 * Thousands of frames written at once, more than one read takes and more
 * than the server lets wait unanswered: all are answered, once each.
 */
static void test_many_frames_in_one_read(void **state)
{
	struct srv_fixture *f = *state;
	struct sender s = { .fd = srv_fixture_raw_connect(f->port) };
	size_t cap = 3000 * 64;
	pthread_t t;
	u64 id;

	s.buf = malloc(cap);
	assert_non_null(s.buf);
	for (id = 1; id <= 3000; id++)
		s.len += put_getattr(s.buf + s.len, cap - s.len, id);
	assert_int_equal(pthread_create(&t, NULL, sender_main, &s), 0);
	expect_getattrs(s.fd, 1, 3000);
	pthread_join(t, NULL);
	free(s.buf);
	close(s.fd);
}

/*
 * Replies (about 24 MB) far beyond what the socket buffers hold, to a
 * peer that reads only once it has sent everything: the server's sends
 * meet EAGAIN, it waits for room and every reply arrives whole.
 */
static void test_flush_meets_eagain(void **state)
{
	struct srv_fixture *f = *state;
	struct leofs_xattr_reply rep;
	struct leofs_frame_hdr h;
	u8 buf[128];
	int fd = srv_fixture_raw_connect(f->port);
	u64 id;
	u32 i;

	for (id = 1; id <= 400; id++)
		send_all(fd, buf, put_getxattr(buf, sizeof(buf), id));
	for (id = 1; id <= 400; id++) {
		u8 *body = read_reply(fd, &h);

		/* one worker per reply, two workers: ids may cross */
		assert_int_equal(h.opcode, LEOFS_OP_GETXATTR);
		assert_int_equal(
			leofs_getxattr_reply_decode(&rep, body, h.body_len), 0);
		assert_int_equal(rep.status, LEOFS_S_OK);
		assert_int_equal(rep.value.len, BIG_VALUE);
		for (i = 0; i < BIG_VALUE; i++)
			assert_int_equal(((const u8 *)rep.value.data)[i],
					 value_byte(h.req_id, i));
		free(body);
	}
	close(fd);
}

/* Waits for the server to finish every request it received. */
static void wait_idle(struct srv_fixture *f)
{
	int i;

	for (i = 0; i < 1000 && leofs_server_busy(f->srv); i++)
		usleep(10000);
	assert_int_equal(leofs_server_busy(f->srv), 0);
}

/*
 * A peer that writes a batch of requests and half a frame, then closes
 * without reading: its requests finish, and the server goes on serving.
 */
static void test_peer_closes_mid_batch(void **state)
{
	struct srv_fixture *f = *state;
	struct leofs_rpc_opts o = { .peer_kind = LEOFS_PEER_CLIENT };
	struct leofs_attr_reply rep;
	struct leofs_ino_req q = { .ino = 9 };
	struct leofs_rpc_reply raw;
	struct leofs_rpc *r;
	size_t cap = 200 * 128, len = 0;
	u8 *buf = malloc(cap);
	int fd = srv_fixture_raw_connect(f->port);
	u64 id;

	assert_non_null(buf);
	for (id = 1; id <= 200; id++)
		len += (id % 2 ? put_getxattr : put_getattr)(buf + len,
							     cap - len, id);
	send_all(fd, buf, len - 7);
	close(fd);
	free(buf);
	wait_idle(f);

	assert_int_equal(leofs_rpc_connect("127.0.0.1", f->port, &o, NULL, &r),
			 0);
	assert_int_equal(leofs_rpc_call(r, LEOFS_OP_GETATTR, &q, sizeof(q),
					&rep, sizeof(rep), &raw, 5000),
			 0);
	assert_int_equal(rep.attr.ino, 9);
	leofs_rpc_reply_free(&raw);
	leofs_rpc_close(r);
}

/* ---- the RPC client ---- */

static struct leofs_rpc *connect_client(struct srv_fixture *f)
{
	return srv_fixture_rpc_connect(f->port, cluster);
}

static void check_getattr(struct leofs_rpc_call *c, u64 ino)
{
	struct leofs_attr_reply rep;
	struct leofs_rpc_reply raw;

	assert_int_equal(leofs_rpc_wait(c, 10000, &raw), 0);
	assert_int_equal(leofs_getattr_reply_decode(&rep, raw.body, raw.len),
			 0);
	assert_int_equal(rep.status, LEOFS_S_OK);
	assert_int_equal(rep.attr.ino, ino);
	leofs_rpc_reply_free(&raw);
}

/*
 * Windows sent with LEOFS_RPC_MORE, small replies mixed with ones larger
 * than the receiver's buffer; a window whose last request also says MORE
 * is sent by the wait.
 */
static void test_rpc_window_more(void **state)
{
	struct leofs_rpc *r = connect_client(*state);
	struct leofs_rpc_call *c[64];
	struct leofs_xattr_reply xr;
	struct leofs_rpc_reply raw;
	u64 id, round;
	u32 i;

	for (round = 0; round < 3; round++) {
		for (id = 0; id < 64; id++) {
			struct leofs_getxattr_req gx = { .ino = id,
							 .size = BIG_VALUE };
			struct leofs_ino_req ga = { .ino = id };
			/* round 2: every request says MORE */
			u32 more = id < 63 || round == 2 ? LEOFS_RPC_MORE : 0;

			gx.name.data = "user.x";
			gx.name.len = 6;
			if (id % 8 == 3)
				assert_int_equal(leofs_rpc_send_flags(
							 r, LEOFS_OP_GETXATTR,
							 &gx, sizeof(gx), more,
							 &c[id]),
						 0);
			else
				assert_int_equal(leofs_rpc_send_flags(
							 r, LEOFS_OP_GETATTR,
							 &ga, sizeof(ga), more,
							 &c[id]),
						 0);
		}
		for (id = 0; id < 64; id++) {
			if (id % 8 != 3) {
				check_getattr(c[id], id);
				continue;
			}
			assert_int_equal(leofs_rpc_wait(c[id], 10000, &raw), 0);
			assert_int_equal(leofs_getxattr_reply_decode(
						 &xr, raw.body, raw.len),
					 0);
			assert_int_equal(xr.value.len, BIG_VALUE);
			for (i = 0; i < BIG_VALUE; i++)
				assert_int_equal(((const u8 *)xr.value.data)[i],
						 value_byte(id, i));
			leofs_rpc_reply_free(&raw);
		}
	}
	leofs_rpc_close(r);
}

/*
 * The server closes the connection in the middle of a window: the calls
 * before it are answered, the others answered or failed, none hangs, and
 * the connection then refuses new calls.
 */
static void test_rpc_server_closes_mid_batch(void **state)
{
	struct leofs_rpc *r = connect_client(*state);
	struct leofs_rpc_call *c[40];
	struct leofs_ino_req q = { .ino = 0 };
	struct leofs_rpc_reply raw;
	struct leofs_rpc_call *extra;
	int i, rc;

	for (i = 0; i < 40; i++) {
		q.ino = (u64)i;
		assert_int_equal(
			leofs_rpc_send_flags(
				r,
				i == 20 ? LEOFS_OP_READLINK : LEOFS_OP_GETATTR,
				&q, sizeof(q), LEOFS_RPC_MORE, &c[i]),
			0);
	}
	for (i = 0; i < 20; i++)
		check_getattr(c[i], (u64)i);
	for (i = 20; i < 40; i++) {
		rc = leofs_rpc_wait(c[i], 10000, &raw);
		assert_true(rc == 0 || rc == -ECONNRESET);
		assert_true(rc != 0 || i != 20);
		if (rc == 0)
			leofs_rpc_reply_free(&raw);
	}
	for (i = 0; i < 500 && leofs_rpc_alive(r); i++)
		usleep(10000);
	assert_false(leofs_rpc_alive(r));
	assert_int_equal(
		leofs_rpc_send(r, LEOFS_OP_GETATTR, &q, sizeof(q), &extra),
		-ENOTCONN);
	leofs_rpc_close(r);
}

/* A HELLO refused for another cluster is that, not a refused connection. */
static void test_hello_wrong_cluster(void **state)
{
	struct srv_fixture *f = *state;
	struct leofs_rpc_opts o = { .peer_kind = LEOFS_PEER_CLIENT,
				    .cluster_id = { 0x11, 0x22 } };
	struct leofs_rpc *r = NULL;

	assert_int_equal(leofs_rpc_connect("127.0.0.1", f->port, &o, NULL, &r),
			 -EXDEV);
	assert_null(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_frames_split_across_reads,
						setup, srv_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_many_frames_in_one_read,
						setup, srv_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_flush_meets_eagain, setup,
						srv_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_peer_closes_mid_batch,
						setup, srv_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_rpc_window_more, setup,
						srv_fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_rpc_server_closes_mid_batch, setup,
			srv_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_hello_wrong_cluster, setup,
						srv_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
