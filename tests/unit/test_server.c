// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon connection layer and the userspace RPC client against each
 * other over 127.0.0.1: request/reply matching under concurrency, limits,
 * and hostile peers (bad magic, oversize frames, bad CRCs, stalls) that
 * must be disconnected while the server keeps serving everyone else.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "leofs/proto_msg.h"
#include "leofs/rpc.h"
#include "leofs/server.h"
#include "leofs/workq.h"
#include "helper_server.h"

static const u8 cluster[16] = { 0x1e, 0x0f, 0x5 };

static void answer_getattr(void *arg)
{
	struct leofs_request *req = arg;
	struct leofs_ino_req in;
	struct leofs_attr_reply out = { .status = LEOFS_S_OK };

	if (leofs_getattr_req_decode(&in, req->body, req->hdr.body_len) < 0) {
		leofs_request_reply_status(req, LEOFS_S_BADMSG);
		return;
	}
	out.attr.ino = in.ino;
	out.attr.mode = LEOFS_S_IFREG | 0644;
	out.attr.nlink = 1;
	out.attr.size = in.ino * 3;
	leofs_request_reply(req, &out, sizeof(out));
}

/* SETATTR requests held unanswered, and connections closed so far. */
#define MAX_HELD 16
static struct leofs_request *held[MAX_HELD];
static int nheld, nclosed;
static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_closed(struct leofs_conn *conn, void *arg)
{
	(void)conn;
	(void)arg;
	pthread_mutex_lock(&held_lock);
	nclosed++;
	pthread_mutex_unlock(&held_lock);
}

static void handle(struct leofs_request *req, void *arg)
{
	struct srv_fixture *f = arg;

	switch (req->hdr.opcode) {
	case LEOFS_OP_HELLO:
		srv_fixture_answer_hello(req, cluster, 7, 99);
		return;
	case LEOFS_OP_GETATTR:
		/* through a worker, as the daemons do */
		leofs_workq_submit(f->wq, answer_getattr, req);
		return;
	case LEOFS_OP_SETATTR:
		/* held unanswered until the test lets them go */
		pthread_mutex_lock(&held_lock);
		if (nheld < MAX_HELD) {
			held[nheld++] = req;
			pthread_mutex_unlock(&held_lock);
			return;
		}
		pthread_mutex_unlock(&held_lock);
		leofs_request_reply_status(req, LEOFS_S_NOMEM);
		return;
	default:
		leofs_request_reply_status(req, LEOFS_S_NOTSUP);
	}
}

static int setup(void **state)
{
	struct leofs_server_config cfg = {
		.name = "test",
		.host = "127.0.0.1",
		.port = 0,
		.max_conns = 4,
		.max_body = 1 << 20,
		.max_inflight = 256 << 10,
		.idle_timeout_ms = 300,
		.handle = handle,
		.closed = on_closed,
	};

	return srv_fixture_setup(state, &cfg);
}

static struct leofs_rpc *connect_client(struct srv_fixture *f)
{
	struct leofs_rpc_opts opts = {
		.peer_kind = LEOFS_PEER_CLIENT,
		.connect_timeout_ms = 2000,
	};
	struct leofs_hello_reply hello;
	struct leofs_rpc *r = NULL;

	memcpy(opts.cluster_id, cluster, 16);
	assert_int_equal(leofs_rpc_connect("127.0.0.1", f->port, &opts,
					   &hello, &r), 0);
	assert_int_equal(hello.node_id, 7);
	assert_int_equal(hello.session_id, 99);
	return r;
}

static void getattr_ok(struct leofs_rpc *r, u64 ino)
{
	struct leofs_ino_req req = { .ino = ino };
	struct leofs_attr_reply rep;
	struct leofs_rpc_reply raw;

	assert_int_equal(leofs_rpc_call(r, LEOFS_OP_GETATTR, &req,
					sizeof(req), &rep, sizeof(rep), &raw,
					5000), 0);
	assert_int_equal(rep.status, LEOFS_S_OK);
	assert_int_equal(rep.attr.ino, ino);
	assert_int_equal(rep.attr.size, ino * 3);
	leofs_rpc_reply_free(&raw);
}

static void test_round_trip(void **state)
{
	struct leofs_rpc *r = connect_client(*state);

	getattr_ok(r, 42);
	leofs_rpc_close(r);
}

static void test_wrong_cluster_refused(void **state)
{
	struct srv_fixture *f = *state;
	struct leofs_rpc_opts opts = {
		.peer_kind = LEOFS_PEER_CLIENT,
		.cluster_id = { 0xaa },
	};
	struct leofs_rpc *r = NULL;

	assert_int_equal(leofs_rpc_connect("127.0.0.1", f->port, &opts, NULL,
					   &r), -EXDEV);
}

static void test_unknown_opcode_answered(void **state)
{
	struct leofs_rpc *r = connect_client(*state);
	struct leofs_ino_req req = { .ino = 1 };
	struct leofs_rpc_call *c;
	struct leofs_rpc_reply raw;

	/* READLINK is not served by this test server */
	assert_int_equal(leofs_rpc_send(r, LEOFS_OP_READLINK, &req,
					sizeof(req), &c), 0);
	assert_int_equal(leofs_rpc_wait(c, 5000, &raw), 0);
	assert_int_equal(raw.status, LEOFS_S_NOTSUP);
	leofs_rpc_reply_free(&raw);
	getattr_ok(r, 5);	/* the connection is still good */
	leofs_rpc_close(r);
}

struct storm {
	struct leofs_rpc *r;
	u64 base;
};

static void *storm_main(void *arg)
{
	struct storm *s = arg;
	struct leofs_rpc_call *calls[50];
	u64 i, round;

	for (round = 0; round < 25; round++) {
		for (i = 0; i < 50; i++) {
			struct leofs_ino_req req = { .ino = s->base + i };

			if (leofs_rpc_send(s->r, LEOFS_OP_GETATTR, &req,
					   sizeof(req), &calls[i]) < 0)
				return (void *)1;
		}
		for (i = 0; i < 50; i++) {
			struct leofs_rpc_reply raw;
			struct leofs_attr_reply rep;

			if (leofs_rpc_wait(calls[i], 10000, &raw) < 0)
				return (void *)2;
			if (leofs_getattr_reply_decode(&rep, raw.body,
						       raw.len) < 0 ||
			    rep.attr.ino != s->base + i)
				return (void *)3;
			leofs_rpc_reply_free(&raw);
		}
	}
	return NULL;
}

/* Many threads, many requests in flight on one connection: every reply
 * reaches the caller that asked. */
static void test_concurrent_multiplexing(void **state)
{
	struct leofs_rpc *r = connect_client(*state);
	struct storm s[8];
	pthread_t t[8];
	void *ret;
	int i;

	for (i = 0; i < 8; i++) {
		s[i].r = r;
		s[i].base = 1000 * (u64)(i + 1);
		assert_int_equal(pthread_create(&t[i], NULL, storm_main, &s[i]),
				 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], &ret);
		assert_null(ret);
	}
	leofs_rpc_close(r);
}

/* The server closes the connection within timeout_ms. */
static void assert_closed(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[64];

	assert_int_equal(poll(&p, 1, timeout_ms), 1);
	assert_true(recv(fd, buf, sizeof(buf), 0) <= 0);
	close(fd);
}

static void good_header(u8 *hdr, u32 body_len)
{
	struct leofs_frame_hdr h = {
		.version = LEOFS_PROTO_VERSION_MAX,
		.opcode = LEOFS_OP_GETATTR,
		.body_len = body_len,
		.req_id = 1,
	};

	leofs_frame_hdr_encode(&h, hdr);
}

/*
 * Sends a 200 KiB GETATTR with byte @flip changed after sealing (-1: none)
 * and returns the reply's status, or -1 if the server closed the
 * connection. Its first bytes arrive through the read-ahead buffer, the
 * rest straight into the body: the CRC is summed over both.
 */
static long big_request_status(u16 port, long flip)
{
	const size_t len = 200 << 10;
	u8 hdr[LEOFS_FRAME_HDR_SIZE], reply[LEOFS_FRAME_HDR_SIZE + 4];
	u8 *body = malloc(len);
	int fd = srv_fixture_raw_connect(port);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t i, got = 0;
	ssize_t n;

	assert_non_null(body);
	for (i = 0; i < len; i++)
		body[i] = (u8)(i * 7 + 1);
	good_header(hdr, len);
	leofs_frame_seal(hdr, body, len);
	if (flip >= 0)
		body[flip] ^= 0x40;
	assert_int_equal(send(fd, hdr, sizeof(hdr), 0), sizeof(hdr));
	for (i = 0; i < len; i += (size_t)n) {
		n = send(fd, body + i, len - i, MSG_NOSIGNAL);
		if (n <= 0)
			break;	/* closed under us */
	}
	free(body);
	while (got < sizeof(reply)) {
		assert_int_equal(poll(&p, 1, 2000), 1);
		n = recv(fd, reply + got, sizeof(reply) - got, 0);
		if (n <= 0) {
			close(fd);
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	return get_unaligned_le32(reply + LEOFS_FRAME_HDR_SIZE);
}

static void test_hostile_peers(void **state)
{
	struct srv_fixture *f = *state;
	u8 hdr[LEOFS_FRAME_HDR_SIZE], body[16] = { 0 };
	struct leofs_rpc *r = connect_client(f);
	int fd;

	/* bad magic */
	fd = srv_fixture_raw_connect(f->port);
	memset(hdr, 0x5a, sizeof(hdr));
	assert_int_equal(send(fd, hdr, sizeof(hdr), 0), sizeof(hdr));
	assert_closed(fd, 2000);

	/* a body beyond the server's limit */
	fd = srv_fixture_raw_connect(f->port);
	good_header(hdr, (2 << 20));
	leofs_frame_seal(hdr, body, 0);
	assert_int_equal(send(fd, hdr, sizeof(hdr), 0), sizeof(hdr));
	assert_closed(fd, 2000);

	/* a CRC that does not match */
	fd = srv_fixture_raw_connect(f->port);
	good_header(hdr, sizeof(body));
	leofs_frame_seal(hdr, body, sizeof(body));
	body[3] ^= 1;
	assert_int_equal(send(fd, hdr, sizeof(hdr), 0), sizeof(hdr));
	assert_int_equal(send(fd, body, sizeof(body), 0), sizeof(body));
	assert_closed(fd, 2000);

	/*
	 * A large body: intact it is answered (it does not decode as a
	 * GETATTR); with a byte changed where it is read through the
	 * read-ahead buffer, straight into the body, or last, the
	 * connection is closed.
	 */
	assert_int_equal(big_request_status(f->port, -1), LEOFS_S_BADMSG);
	assert_int_equal(big_request_status(f->port, 5), -1);
	assert_int_equal(big_request_status(f->port, 100000), -1);
	assert_int_equal(big_request_status(f->port, (200 << 10) - 1), -1);

	/* half a header, then silence: dropped after the idle timeout */
	fd = srv_fixture_raw_connect(f->port);
	assert_int_equal(send(fd, hdr, 10, 0), 10);
	assert_closed(fd, 3000);

	/* nothing at all: dropped too, so silent peers cannot fill max_conns */
	fd = srv_fixture_raw_connect(f->port);
	assert_closed(fd, 3000);

	/* a frame that says "reply" is not a request */
	fd = srv_fixture_raw_connect(f->port);
	{
		struct leofs_frame_hdr h = {
			.version = LEOFS_PROTO_VERSION_MAX,
			.opcode = LEOFS_OP_GETATTR,
			.flags = LEOFS_FLAG_REPLY,
			.body_len = 4,
		};
		u8 st[4] = { 0 };

		leofs_frame_hdr_encode(&h, hdr);
		leofs_frame_seal(hdr, st, 4);
		assert_int_equal(send(fd, hdr, sizeof(hdr), 0), sizeof(hdr));
		assert_int_equal(send(fd, st, 4, 0), 4);
	}
	assert_closed(fd, 2000);

	/* the well-behaved client was never disturbed */
	getattr_ok(r, 77);
	leofs_rpc_close(r);
}

static void test_connection_limit(void **state)
{
	struct srv_fixture *f = *state;
	struct leofs_rpc *r[4];
	int i, extra;

	for (i = 0; i < 4; i++)
		r[i] = connect_client(f);
	extra = srv_fixture_raw_connect(f->port);
	assert_closed(extra, 2000);
	leofs_rpc_close(r[0]);
	usleep(100000);	/* the server notices the close */
	r[0] = connect_client(f);
	for (i = 0; i < 4; i++) {
		getattr_ok(r[i], (u64)i + 1);
		leofs_rpc_close(r[i]);
	}
}

/*
 * A peer that fills its connection's in-flight limit, so the server stops
 * reading it, and then resets: the connection is closed at once, not
 * polled in a loop until the requests in flight are answered.
 */
static void test_reset_while_paused(void **state)
{
	struct srv_fixture *f = *state;
	const u32 len = 64 << 10;
	u8 hdr[LEOFS_FRAME_HDR_SIZE], *body = calloc(1, len);
	struct leofs_frame_hdr h = { .version = LEOFS_PROTO_VERSION_MAX,
				     .opcode = LEOFS_OP_SETATTR,
				     .body_len = len };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd = srv_fixture_raw_connect(f->port), i, held_now, closed_at;

	assert_non_null(body);
	pthread_mutex_lock(&held_lock);
	nheld = nclosed = 0;
	pthread_mutex_unlock(&held_lock);
	/* 6 x 64 KiB against a limit of 256 KiB: reading pauses */
	for (i = 0; i < 6; i++) {
		h.req_id = (u64)i + 1;
		leofs_frame_hdr_encode(&h, hdr);
		leofs_frame_seal(hdr, body, len);
		assert_int_equal(send(fd, hdr, sizeof(hdr), 0), sizeof(hdr));
		assert_int_equal(send(fd, body, len, 0), (ssize_t)len);
	}
	for (i = 0; i < 200; i++) {
		pthread_mutex_lock(&held_lock);
		held_now = nheld;
		pthread_mutex_unlock(&held_lock);
		if (held_now >= 4)
			break;
		usleep(10000);
	}
	assert_true(held_now >= 4);
	/* a reset: the server sees a hangup, with nothing left to read */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	for (i = 0, closed_at = -1; i < 200 && closed_at < 0; i++) {
		pthread_mutex_lock(&held_lock);
		if (nclosed)
			closed_at = i;
		pthread_mutex_unlock(&held_lock);
		usleep(10000);
	}
	/* let the held requests go: their replies are dropped */
	pthread_mutex_lock(&held_lock);
	held_now = nheld;
	nheld = 0;
	pthread_mutex_unlock(&held_lock);
	for (i = 0; i < held_now; i++)
		leofs_request_reply_status(held[i], LEOFS_S_OK);
	assert_true(closed_at >= 0); /* closed while its requests were held */
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
						srv_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_wrong_cluster_refused,
						setup, srv_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_opcode_answered,
						setup, srv_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_multiplexing,
						setup, srv_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_peers, setup,
						srv_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_connection_limit, setup,
						srv_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_reset_while_paused, setup,
						srv_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
