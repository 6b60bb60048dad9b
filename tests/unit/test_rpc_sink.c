// SPDX-License-Identifier: GPL-2.0
/*
 * Replies received into the caller's buffer (leofs_rpc_send_into()): the
 * data of a READ_FRAGMENT reply lands in the sink and decodes from there;
 * an error reply, a reply shorter than announced, a corrupted tail and a
 * reply that stalls halfway through its data each fail cleanly, and the
 * caller may free its sink as soon as the wait returns (ASan checks that
 * nothing writes there afterwards). Also the codec's split encode and
 * decode.
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
#include <unistd.h>

#include "leofs/proto_msg.h"
#include "leofs/rpc.h"
#include "helper_server.h"

enum reply_kind {
	REPLY_DATA = 1,		/* the data asked for */
	REPLY_ERROR,		/* a CHECKSUM status */
	REPLY_SHORT,		/* one byte less than asked for */
	REPLY_CORRUPT,		/* the frame's last byte flipped after sealing */
	REPLY_CORRUPT_HEAD,	/* a byte of the fields before the data */
	REPLY_STALL,		/* half the frame, the rest 0.8 s later */
};

static const u8 cluster[16] = { 0x51, 0x4c };

struct fake {
	int lfd;
	u16 port;
	pthread_t th;
	int stall_fd;		/* the connection left stalled, or -1 */
};

static u8 data_byte(u64 ino, u32 i)
{
	return (u8)(ino * 13 + i * 5 + 1);
}

static int send_all(int fd, const void *buf, size_t len)
{
	const u8 *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Builds the reply frame to @h (whose body is @body) into @out. */
static int build_reply(const struct leofs_frame_hdr *h, const u8 *body,
		       u8 *out, size_t cap, enum reply_kind *kind)
{
	struct leofs_frame_hdr rh = { .version = h->version,
				      .opcode = h->opcode,
				      .flags = LEOFS_FLAG_REPLY,
				      .req_id = h->req_id };
	struct leofs_read_fragment_req q;
	struct leofs_read_fragment_reply rp = { .status = LEOFS_S_OK,
						.version = 3 };
	struct leofs_hello_reply hr = { .status = LEOFS_S_OK,
					.version = LEOFS_PROTO_VERSION_MAX,
					.peer_kind = LEOFS_PEER_OSS };
	u8 *data;
	u32 i;
	int n;

	*kind = 0;
	if (h->opcode == LEOFS_OP_HELLO) {
		memcpy(hr.cluster_id, cluster, 16);
		return leofs_frame_build(out, cap, &rh, &hr, sizeof(hr));
	}
	if (h->opcode != LEOFS_OP_READ_FRAGMENT ||
	    leofs_read_fragment_req_decode(&q, body, h->body_len))
		return -1;
	*kind = (enum reply_kind)q.ino;
	if (*kind == REPLY_ERROR) {
		/* a bare status, as servers answer errors */
		rh.body_len = 4;
		put_unaligned_le32(LEOFS_S_CHECKSUM, out + LEOFS_FRAME_HDR_SIZE);
		leofs_frame_hdr_encode(&rh, out);
		leofs_frame_seal(out, out + LEOFS_FRAME_HDR_SIZE, 4);
		return LEOFS_FRAME_HDR_SIZE + 4;
	}
	data = malloc(q.length);
	if (!data)
		return -1;
	for (i = 0; i < q.length; i++)
		data[i] = data_byte(q.ino, i);
	rp.data.data = data;
	rp.data.len = *kind == REPLY_SHORT ? q.length - 1 : q.length;
	n = leofs_frame_build(out, cap, &rh, &rp, sizeof(rp));
	free(data);
	if (n > 0 && *kind == REPLY_CORRUPT)
		out[n - 1] ^= 0x10;
	if (n > 0 && *kind == REPLY_CORRUPT_HEAD)
		out[LEOFS_FRAME_HDR_SIZE + 5] ^= 0x10;
	return n;
}

/* One connection at a time; each request answered as its ino says. */
static void *fake_run(void *arg)
{
	struct fake *f = arg;
	size_t cap = (1u << 20) + 4096;
	u8 hdr[LEOFS_FRAME_HDR_SIZE], *body = malloc(cap), *out = malloc(cap);
	struct leofs_frame_hdr h;
	enum reply_kind kind;
	int fd, n;

	while (body && out && (fd = accept(f->lfd, NULL, NULL)) >= 0) {
		while (!srv_fixture_recv_all(fd, hdr, sizeof(hdr)) &&
		       !leofs_frame_hdr_decode(&h, hdr, sizeof(hdr)) &&
		       h.body_len <= cap && !srv_fixture_recv_all(fd, body, h.body_len)) {
			n = build_reply(&h, body, out, cap, &kind);
			if (n <= 0)
				break;
			if (kind == REPLY_STALL) {
				/* the rest comes after the caller gave up */
				send_all(fd, out, (size_t)n / 2);
				usleep(800 * 1000);
				send_all(fd, out + n / 2, (size_t)n - n / 2);
				f->stall_fd = fd;
				fd = -1;
				break;
			}
			if (send_all(fd, out, (size_t)n))
				break;
		}
		if (fd >= 0)
			close(fd);
	}
	free(body);
	free(out);
	return NULL;
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->stall_fd = -1;
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

	shutdown(f->lfd, SHUT_RDWR);
	close(f->lfd);
	pthread_join(f->th, NULL);
	if (f->stall_fd >= 0)
		close(f->stall_fd);
	free(f);
	return 0;
}

static struct leofs_rpc *connect_fake(struct fake *f)
{
	return srv_fixture_rpc_connect(f->port, cluster);
}

static int read_into(struct leofs_rpc *r, enum reply_kind kind, u8 *sink,
		     u32 len, u32 timeout_ms, struct leofs_rpc_reply *raw)
{
	struct leofs_read_fragment_req q = { .ino = kind,
					     .stripe_unit = 1u << 20,
					     .length = len };
	struct leofs_rpc_call *c;

	assert_int_equal(leofs_rpc_send_into(r, LEOFS_OP_READ_FRAGMENT, &q,
					     sizeof(q), 0, sink, len, &c),
			 0);
	return leofs_rpc_wait(c, timeout_ms, raw);
}

/* Data of every size up to a MiB lands in the sink, and decodes there. */
static void test_data_in_place(void **state)
{
	static const u32 sizes[] = { 1, 100, 4096, 16384, 70000, 1u << 20 };
	struct leofs_rpc *r = connect_fake(*state);
	struct leofs_read_fragment_reply rp;
	struct leofs_rpc_reply raw;
	u32 i, j;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		u8 *sink = calloc(1, sizes[i] + 2);

		assert_non_null(sink);
		sink[sizes[i]] = 0xee; /* past the sink: untouched */
		assert_int_equal(read_into(r, REPLY_DATA, sink, sizes[i], 10000,
					   &raw),
				 0);
		assert_ptr_equal(raw.tail, sink);
		assert_int_equal(raw.tail_len, sizes[i]);
		assert_int_equal(leofs_msg_decode_tail(LEOFS_OP_READ_FRAGMENT,
						       true, &rp, sizeof(rp),
						       raw.body, raw.len,
						       raw.tail, raw.tail_len),
				 0);
		assert_int_equal(rp.status, LEOFS_S_OK);
		assert_int_equal(rp.version, 3);
		assert_ptr_equal(rp.data.data, sink);
		assert_int_equal(rp.data.len, sizes[i]);
		for (j = 0; j < sizes[i]; j++)
			assert_int_equal(sink[j], data_byte(REPLY_DATA, j));
		assert_int_equal(sink[sizes[i]], 0xee);
		/* the whole message does not decode from its first part */
		assert_int_not_equal(leofs_read_fragment_reply_decode(
					     &rp, raw.body, raw.len),
				     0);
		leofs_rpc_reply_free(&raw);
		free(sink);
	}
	leofs_rpc_close(r);
}

/* An error reply is shorter than the sink: it arrives whole, sink unused. */
static void test_error_reply(void **state)
{
	struct leofs_rpc *r = connect_fake(*state);
	struct leofs_rpc_reply raw;
	u8 *sink = malloc(4096);

	memset(sink, 0x77, 4096);
	assert_int_equal(read_into(r, REPLY_ERROR, sink, 4096, 10000, &raw), 0);
	assert_null(raw.tail);
	assert_int_equal(raw.status, LEOFS_S_CHECKSUM);
	assert_int_equal(sink[0], 0x77);
	leofs_rpc_reply_free(&raw);
	/* the connection carries on */
	assert_int_equal(read_into(r, REPLY_DATA, sink, 4096, 10000, &raw), 0);
	assert_ptr_equal(raw.tail, sink);
	leofs_rpc_reply_free(&raw);
	free(sink);
	leofs_rpc_close(r);
}

/* A reply with less data than asked for does not decode. */
static void test_short_reply(void **state)
{
	struct leofs_rpc *r = connect_fake(*state);
	struct leofs_read_fragment_reply rp;
	struct leofs_rpc_reply raw;
	u8 *sink = malloc(8192);

	assert_int_equal(read_into(r, REPLY_SHORT, sink, 8192, 10000, &raw), 0);
	assert_int_not_equal(leofs_msg_decode_tail(LEOFS_OP_READ_FRAGMENT, true,
						   &rp, sizeof(rp), raw.body,
						   raw.len, raw.tail,
						   raw.tail_len),
			     0);
	leofs_rpc_reply_free(&raw);
	free(sink);
	leofs_rpc_close(r);
}

/*
 * A reply that fails the frame CRC ends the connection and nothing
 * returns: a byte changed in the data or in the fields before it, in a
 * reply that comes in with the receiver's first read or in many.
 */
static void test_corrupt_tail(void **state)
{
	static const enum reply_kind kinds[] = { REPLY_CORRUPT,
						 REPLY_CORRUPT_HEAD };
	static const u32 lens[] = { 100, 65536 };
	struct leofs_rpc_reply raw;
	u8 *sink = malloc(65536);
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		for (j = 0; j < ARRAY_SIZE(lens); j++) {
			struct leofs_rpc *r = connect_fake(*state);

			assert_int_equal(read_into(r, kinds[i], sink, lens[j],
						   10000, &raw),
					 -ECONNRESET);
			assert_false(leofs_rpc_alive(r));
			leofs_rpc_close(r);
		}
	}
	free(sink);
}

/*
 * The server stops halfway through the data and sends the rest after the
 * wait has timed out: the wait returns only once the receiver is done
 * with the sink, which is freed at once (ASan sees any later write).
 */
static void test_stall_mid_tail(void **state)
{
	struct leofs_rpc *r = connect_fake(*state);
	struct leofs_rpc_reply raw;
	u8 *sink = malloc(1u << 20);

	int i;

	assert_int_equal(read_into(r, REPLY_STALL, sink, 1u << 20, 300, &raw),
			 -ETIMEDOUT);
	free(sink);
	for (i = 0; i < 500 && leofs_rpc_alive(r); i++)
		usleep(10000);
	assert_false(leofs_rpc_alive(r));
	leofs_rpc_close(r);
}

/* The codec alone: the last BLOB apart, of exactly its announced length. */
static void test_codec_tail(void **state)
{
	struct leofs_read_fragment_reply rp = { .status = LEOFS_S_OK,
						.version = 9 }, out;
	struct leofs_write_reply wr = { .status = LEOFS_S_OK, .version = 5 };
	struct leofs_setxattr_req sx = { .ino = 7 };
	u8 buf[256], head[256], data[40];
	int n, m;

	(void)state;
	memset(data, 0x42, sizeof(data));
	rp.data.data = data;
	rp.data.len = sizeof(data);
	n = leofs_read_fragment_reply_encode(&rp, buf, sizeof(buf));
	assert_true(n > (int)sizeof(data));
	m = n - (int)sizeof(data);
	assert_int_equal(leofs_msg_decode_tail(LEOFS_OP_READ_FRAGMENT, true,
					       &out, sizeof(out), buf, m,
					       buf + m, sizeof(data)),
			 0);
	assert_ptr_equal(out.data.data, buf + m);
	assert_int_equal(out.version, 9);
	/* encoded with the data apart: the same bytes, without the data */
	assert_int_equal(leofs_msg_encode_tail(LEOFS_OP_READ_FRAGMENT, true,
					       &rp, sizeof(rp), head,
					       sizeof(head), data,
					       sizeof(data)),
			 m);
	assert_memory_equal(head, buf, m);
	/* a BLOB followed by another field cannot go apart */
	sx.name.data = "user.a";
	sx.name.len = 6;
	sx.value.data = data;
	sx.value.len = sizeof(data);
	assert_true(leofs_msg_encode(LEOFS_OP_SETXATTR, false, &sx, sizeof(sx),
				     head, sizeof(head)) > 0);
	assert_int_equal(leofs_msg_encode_tail(LEOFS_OP_SETXATTR, false, &sx,
					       sizeof(sx), head, sizeof(head),
					       data, sizeof(data)),
			 -EINVAL);
	/* a tail of another length, or one left over, is refused */
	assert_int_equal(leofs_msg_decode_tail(LEOFS_OP_READ_FRAGMENT, true,
					       &out, sizeof(out), buf, m - 1,
					       buf + m - 1, sizeof(data) + 1),
			 -EBADMSG);
	assert_int_equal(leofs_msg_decode_tail(LEOFS_OP_READ_FRAGMENT, true,
					       &out, sizeof(out), buf, n,
					       data, sizeof(data)),
			 -EBADMSG);
	/* a message without a BLOB at its end takes no tail */
	n = leofs_write_stripe_reply_encode(&wr, buf, sizeof(buf));
	assert_int_equal(n, 12);
	assert_int_equal(leofs_msg_decode_tail(LEOFS_OP_WRITE_STRIPE, true, &wr,
					       sizeof(wr), buf, n - 8,
					       buf + n - 8, 8),
			 -EBADMSG);
	/* no tail: the plain decode */
	assert_int_equal(leofs_msg_decode_tail(LEOFS_OP_WRITE_STRIPE, true, &wr,
					       sizeof(wr), buf, n, NULL, 0),
			 0);
	assert_int_equal(wr.version, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_data_in_place, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_error_reply, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_short_reply, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_tail, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stall_mid_tail, setup,
						teardown),
		cmocka_unit_test(test_codec_tail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
