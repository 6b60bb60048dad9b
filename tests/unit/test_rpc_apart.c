// SPDX-License-Identifier: GPL-2.0
/*
 * Requests sent with their data apart (leofs_rpc_send_apart()): the frame
 * carries the caller's bytes without copying them, and the caller may free
 * them as soon as the wait returns, also when it gave up (ASan checks that
 * nothing reads them afterwards):
 *   - data of 1 byte to 8 MiB arrives intact, also a window of requests
 *     sent with LEOFS_RPC_MORE;
 *   - a request still queued behind a send the server does not read is
 *     taken off the queue when its wait gives up, and the connection goes
 *     on working once the server reads again;
 *   - a request whose frame is being sent when its wait gives up ends the
 *     connection, and its wait returns only once the frame is let go;
 *   - a send the server takes nothing of for the send timeout ends the
 *     connection and fails its call.
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "leofs/client.h"
#include "leofs/proto_msg.h"
#include "leofs/rpc.h"
#include "helper_server.h"

static const u8 cluster[16] = { 0xa9, 0x27 };

#define BIG (8u << 20)

/*
 * A storage server stand-in: answers HELLO, then each WRITE_STRIPE with
 * OK and version = its ino when its data is the pattern of that ino
 * (CHECKSUM otherwise). After serve_frames requests it stops reading
 * until released.
 */
struct fake {
	int lfd;
	u16 port;
	pthread_t th;
	int serve_frames;	/* -1: all */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool released;
	int served;		/* requests answered */
	int conn;		/* the connection being served, or -1 */
};

static u8 pattern(u64 ino, u32 i)
{
	return (u8)(ino * 7 + i * 3 + 1);
}

static u8 *make_data(u64 ino, u32 len)
{
	u8 *d = malloc(len);
	u32 i;

	assert_non_null(d);
	for (i = 0; i < len; i++)
		d[i] = pattern(ino, i);
	return d;
}

static u32 answer(const struct leofs_frame_hdr *h, const u8 *hdr,
		  const u8 *body, u8 *out, size_t cap)
{
	struct leofs_frame_hdr rh = { .version = h->version,
				      .opcode = h->opcode,
				      .flags = LEOFS_FLAG_REPLY,
				      .req_id = h->req_id };
	struct leofs_hello_reply hr = { .status = LEOFS_S_OK,
					.version = LEOFS_PROTO_VERSION_MAX,
					.peer_kind = LEOFS_PEER_OSS };
	struct leofs_write_stripe_req q;
	struct leofs_write_reply wr = { .status = LEOFS_S_OK };
	const u8 *d;
	u32 i;
	int n;

	if (leofs_frame_verify(h, hdr, body))
		return 0;
	if (h->opcode == LEOFS_OP_HELLO) {
		memcpy(hr.cluster_id, cluster, 16);
		n = leofs_frame_build(out, cap, &rh, &hr, sizeof(hr));
		return n > 0 ? (u32)n : 0;
	}
	if (h->opcode != LEOFS_OP_WRITE_STRIPE ||
	    leofs_write_stripe_req_decode(&q, body, h->body_len))
		return 0;
	d = q.data.data;
	for (i = 0; i < q.data.len; i++)
		if (d[i] != pattern(q.ino, i))
			break;
	if (i < q.data.len)
		wr.status = LEOFS_S_CHECKSUM;
	wr.version = q.ino;
	n = leofs_frame_build(out, cap, &rh, &wr, sizeof(wr));
	return n > 0 ? (u32)n : 0;
}

static void *fake_run(void *arg)
{
	struct fake *f = arg;
	size_t cap = BIG + 65536;
	u8 hdr[LEOFS_FRAME_HDR_SIZE], *body = malloc(cap), out[256];
	struct leofs_frame_hdr h;
	int fd, rcvbuf = 256 << 10;
	bool hello;
	u32 n;

	while (body && (fd = accept(f->lfd, NULL, NULL)) >= 0) {
		/*
		 * A fixed receive buffer: reading one large request would
		 * otherwise grow it until the next fits in, unread.
		 */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		pthread_mutex_lock(&f->lock);
		f->conn = fd;
		pthread_mutex_unlock(&f->lock);
		for (hello = true;; hello = false) {
			pthread_mutex_lock(&f->lock);
			while (!hello && f->serve_frames >= 0 &&
			       f->served >= f->serve_frames && !f->released)
				pthread_cond_wait(&f->cond, &f->lock);
			pthread_mutex_unlock(&f->lock);
			if (srv_fixture_recv_all(fd, hdr, sizeof(hdr)) ||
			    leofs_frame_hdr_decode(&h, hdr, sizeof(hdr)) ||
			    h.body_len > cap || srv_fixture_recv_all(fd, body, h.body_len))
				break;
			n = answer(&h, hdr, body, out, sizeof(out));
			if (n && h.opcode != LEOFS_OP_HELLO) {
				pthread_mutex_lock(&f->lock);
				f->served++;
				pthread_mutex_unlock(&f->lock);
			}
			if (!n || send(fd, out, n, MSG_NOSIGNAL) != (ssize_t)n)
				break;
		}
		pthread_mutex_lock(&f->lock);
		f->conn = -1;
		close(fd);
		pthread_mutex_unlock(&f->lock);
	}
	free(body);
	return NULL;
}

/* Reads and answers @n requests in all (-1: every one), then stops. */
static void fake_serve(struct fake *f, int n)
{
	pthread_mutex_lock(&f->lock);
	f->serve_frames = n;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

static void fake_release(struct fake *f)
{
	pthread_mutex_lock(&f->lock);
	f->released = true;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

/* A connection to f, which then answers @serve requests (-1: all). */
static struct leofs_rpc *fake_connect(struct fake *f, int serve)
{
	fake_serve(f, serve);
	return srv_fixture_rpc_connect(f->port, cluster);
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->serve_frames = -1;
	f->conn = -1;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	f->lfd = srv_fixture_listen(&f->port);
	if (f->lfd < 0)
		return -1;
	pthread_create(&f->th, NULL, fake_run, f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;

	fake_release(f);
	pthread_mutex_lock(&f->lock);
	if (f->conn >= 0)	/* a test that failed midway left it open */
		shutdown(f->conn, SHUT_RDWR);
	pthread_mutex_unlock(&f->lock);
	shutdown(f->lfd, SHUT_RDWR);
	close(f->lfd);
	pthread_join(f->th, NULL);
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->cond);
	free(f);
	return 0;
}

static int send_write(struct leofs_rpc *r, u64 ino, const u8 *data, u32 len,
		      u32 flags, struct leofs_rpc_call **c)
{
	struct leofs_write_stripe_req q = {
		.ino = ino,
		/* two copies: a stripe of one unit, any length up to it */
		.layout = { .scheme = LEOFS_LAYOUT_REPLICA, .k = 1, .m = 1,
			    .stripe_unit = 16u << 20, .stripe_count = 1,
			    .pool_id = 1 },
		.data = { .data = data, .len = len },
	};

	return leofs_rpc_send_apart(r, LEOFS_OP_WRITE_STRIPE, &q, sizeof(q),
				    flags, data, len, NULL, c);
}

/* 0 with the reply's status and version, or the wait's error. */
static int wait_write(struct leofs_rpc_call *c, u32 timeout_ms, u32 *status,
		      u64 *version)
{
	struct leofs_rpc_reply raw;
	struct leofs_write_reply rp;
	int r = leofs_rpc_wait(c, timeout_ms, &raw);

	if (r)
		return r;
	assert_int_equal(leofs_write_stripe_reply_decode(&rp, raw.body,
							 raw.len),
			 0);
	*status = rp.status;
	*version = rp.version;
	leofs_rpc_reply_free(&raw);
	return 0;
}

static void expect_ok(struct leofs_rpc_call *c, u64 ino)
{
	u32 st;
	u64 v;

	assert_int_equal(wait_write(c, 10000, &st, &v), 0);
	assert_int_equal(st, LEOFS_S_OK);
	assert_int_equal(v, ino);
}

/* Every size arrives whole; the caller frees its data after each wait. */
static void test_round_trip(void **state)
{
	static const u32 sizes[] = { 1, 4095, 4096, 65537, 1u << 20, BIG };
	struct fake *f = *state;
	struct leofs_rpc *r = srv_fixture_rpc_connect(f->port, cluster);
	struct leofs_rpc_call *calls[16];
	u8 *bufs[16];
	u32 i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u8 *d = make_data(i + 1, sizes[i]);

		assert_int_equal(send_write(r, i + 1, d, sizes[i], 0,
					    &calls[0]),
				 0);
		expect_ok(calls[0], i + 1);
		free(d);
	}
	/* a window of 16, all but the last held back for one sendmsg() */
	for (i = 0; i < 16; i++) {
		bufs[i] = make_data(100 + i, 70000 + i * 4099);
		assert_int_equal(send_write(r, 100 + i, bufs[i],
					    70000 + i * 4099,
					    i < 15 ? LEOFS_RPC_MORE : 0,
					    &calls[i]),
				 0);
	}
	for (i = 0; i < 16; i++) {
		expect_ok(calls[i], 100 + i);
		free(bufs[i]);
	}
	assert_true(leofs_rpc_alive(r));
	leofs_rpc_close(r);
}

struct sender {
	struct leofs_rpc *r;
	u64 ino;
	u8 *data;
	int sent, waited;
};

/* Sends BIG bytes (blocking while the server does not read), then waits. */
static void *send_big(void *arg)
{
	struct sender *s = arg;
	struct leofs_rpc_call *c;
	u32 st = 0;
	u64 v = 0;

	s->sent = send_write(s->r, s->ino, s->data, BIG, 0, &c);
	if (!s->sent) {
		s->waited = wait_write(c, 10000, &st, &v);
		if (!s->waited && (st != LEOFS_S_OK || v != s->ino))
			s->waited = -EILSEQ;
	}
	return NULL;
}

/*
 * The server reads nothing: a request queued behind another thread's
 * blocked send gives up, its frame leaves the queue unsent and its data
 * is freed at once; when the server reads again, the first request and a
 * new one are answered on the same connection.
 */
static void test_queued_frame_dropped(void **state)
{
	struct fake *f = *state;
	struct leofs_rpc *r = fake_connect(f, 0);
	struct sender a = { .r = r, .ino = 1, .data = make_data(1, BIG) };
	struct leofs_rpc_call *c;
	pthread_t th;
	int served;
	u8 *d;
	u32 st;
	u64 v;

	pthread_create(&th, NULL, send_big, &a);
	usleep(300 * 1000);	/* a is now blocked sending */
	d = make_data(2, 1u << 20);
	assert_int_equal(send_write(r, 2, d, 1u << 20, 0, &c), 0);
	assert_int_equal(wait_write(c, 300, &st, &v), -ETIMEDOUT);
	memset(d, 0xee, 1u << 20);	/* a late send would now be refused */
	free(d);
	fake_release(f);
	pthread_join(th, NULL);
	assert_int_equal(a.sent, 0);
	assert_int_equal(a.waited, 0);
	free(a.data);
	d = make_data(3, 4096);
	assert_int_equal(send_write(r, 3, d, 4096, 0, &c), 0);
	expect_ok(c, 3);
	free(d);
	pthread_mutex_lock(&f->lock);
	served = f->served;
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(served, 2);	/* requests 1 and 3, never 2 */
	leofs_rpc_close(r);
}

/*
 * The server reads one request and stops: the next one is then being
 * sent when its wait gives up. The wait ends the connection and returns
 * only once the sender has let go of the data, which is freed at once.
 */
static void test_frame_in_flight_ends_connection(void **state)
{
	struct fake *f = *state;
	struct leofs_rpc *r = fake_connect(f, 0);
	struct sender a = { .r = r, .ino = 1, .data = make_data(1, BIG) };
	struct leofs_rpc_call *c;
	pthread_t th;
	u8 *d;
	u32 st;
	u64 v;

	d = make_data(2, BIG);
	pthread_create(&th, NULL, send_big, &a);
	usleep(300 * 1000);	/* a is now blocked sending */
	/* b queued behind a; once a is read, a's thread sends b, and blocks */
	assert_int_equal(send_write(r, 2, d, BIG, 0, &c), 0);
	fake_serve(f, 1);
	assert_int_equal(wait_write(c, 600, &st, &v), -ETIMEDOUT);
	free(d);
	pthread_join(th, NULL);
	assert_int_equal(a.sent, 0);
	/* a's answer may or may not have come before the connection ended */
	assert_true(a.waited == 0 || leofs_err_is_transport(a.waited));
	assert_false(leofs_rpc_alive(r));
	free(a.data);
	leofs_rpc_close(r);
}

/*
 * The server stops reading for good (a peer frozen or wedged, its socket
 * open): a send that moves nothing for the send timeout breaks the
 * connection, so the sender and its wait return instead of blocking until
 * the peer reads again.
 */
static void test_send_stall_breaks_connection(void **state)
{
	struct fake *f = *state;
	struct leofs_rpc_opts o = { .peer_kind = LEOFS_PEER_CLIENT,
				    .send_timeout_ms = 500 };
	struct sender a = { .ino = 1, .data = make_data(1, BIG) };
	struct timespec until;
	pthread_t th;

	memcpy(o.cluster_id, cluster, 16);
	fake_serve(f, 0);
	assert_int_equal(leofs_rpc_connect("127.0.0.1", f->port, &o, NULL,
					   &a.r),
			 0);
	a.waited = 1;
	pthread_create(&th, NULL, send_big, &a);
	/* far longer than the send timeout, far shorter than the wait's */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	if (pthread_timedjoin_np(th, NULL, &until)) {
		fake_release(f);	/* let the sender go, then fail */
		pthread_join(th, NULL);
		fail_msg("a send to a peer that reads nothing did not end");
	}
	assert_int_equal(a.sent, 0);
	assert_true(leofs_err_is_transport(a.waited));
	assert_false(leofs_rpc_alive(a.r));
	free(a.data);
	leofs_rpc_close(a.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_queued_frame_dropped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_frame_in_flight_ends_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_send_stall_breaks_connection, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
