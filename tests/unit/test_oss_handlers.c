// SPDX-License-Identifier: GPL-2.0
/*
 * The leofs-oss member request handlers, called as the server calls them
 * (request encoded, decoded by oss_call_decode(), run, reply encoded and
 * decoded back), on a node with real targets and no network: block CRCs
 * of WRITE_FRAGMENT checked before anything is stored, READ_FRAGMENT with
 * WANT_CRCS answering the CRC of each 4 KiB block of what it returns, and
 * a block that fails its stored checksum answered as a checksum error and
 * counted, never as data; commit, abort and undo from an older map's
 * primary refused; and a PARTIAL_WRITE at the PG primary that
 * would store what the stripe holds already writing nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <fcntl.h>
#include <cmocka.h>

#define NTARGETS 1
#define PG_NUM	 8
#include "../common/oss_node_fixture.h"
#include "../../daemons/oss/internal.h"
#include "leofs/crc.h"

#define UNIT (64 * 1024)
#define TARGET 10

static const u8 cluster[16] = { 0x74, 0x65, 0x73, 0x74, 0x2d, 0x6f, 0x73,
				0x73, 0x2d, 0x68, 0x61, 0x6e, 0x64, 0x6c };

/* The last reply: its status, and the whole reply encoded as sent. */
static u8 reply_buf[LEOFS_BODY_MAX];
static int reply_len;
static u32 reply_status;
static u16 reply_op;

static void capture(struct oss_call *c, const void *msg, size_t size)
{
	(void)c;
	/* every storage reply struct starts with its status */
	reply_status = ((const struct leofs_status_reply *)msg)->status;
	reply_len = 0;
	if (size == sizeof(struct leofs_status_reply))
		return; /* sent as a bare status */
	assert_int_equal(size, leofs_msg_struct_size(reply_op, true));
	reply_len = leofs_msg_encode(reply_op, true, msg, size, reply_buf,
				     sizeof(reply_buf));
	assert_true(reply_len > 0);
}

/* Encodes @req, decodes it as the server does, runs it: the status. */
static u32 run(struct oss_fixture *f, u16 op, const void *req)
{
	static u8 body[LEOFS_BODY_MAX];
	struct leofs_workq *q = NULL;
	struct oss_call c;
	int len;

	len = leofs_msg_encode(op, false, req, leofs_msg_struct_size(op, false),
			       body, sizeof(body));
	assert_true(len > 0);
	memset(&c, 0, sizeof(c));
	c.reply = capture;
	reply_op = op;
	reply_status = ~0u;
	assert_int_equal(oss_call_decode(&f->node, &c, op, body, (u32)len, &q),
			 0);
	oss_call_run(&f->node, &c);
	assert_int_not_equal(reply_status, ~0u);
	return reply_status;
}

static void fill(u8 *p, size_t len, u32 seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245 + 12345;
		p[i] = (u8)(seed >> 16);
	}
}

static struct leofs_write_fragment_req wf_req(const u8 *data, u32 len,
					      u8 *crcs)
{
	struct leofs_write_fragment_req m = {
		.ino = 0x77, .slot = 1, .fragment = 2, .target_id = TARGET,
		.pg = { .pool_id = 1, .pg = 3, .map_epoch = 1 },
		.stripe = 4, .stripe_unit = UNIT, .version = 1,
		.phase = LEOFS_FRAG_DIRECT,
	};

	leofs_crc32c_blocks_le(data, len, LEOFS_BLOCK_SIZE, crcs);
	m.crcs.data = crcs;
	m.crcs.count = (u32)leofs_crc32c_nblocks(len, LEOFS_BLOCK_SIZE);
	m.data.data = data;
	m.data.len = len;
	return m;
}

static struct leofs_read_fragment_req rf_req(u32 off, u32 len, u32 flags)
{
	struct leofs_read_fragment_req m = {
		.ino = 0x77, .slot = 1, .fragment = 2, .target_id = TARGET,
		.pg = { .pool_id = 1, .pg = 3, .map_epoch = 1 },
		.stripe = 4, .stripe_unit = UNIT, .offset = off,
		.length = len, .flags = flags,
	};

	return m;
}

static struct leofs_read_fragment_reply decode_read(void)
{
	struct leofs_read_fragment_reply rp;

	assert_true(reply_len > 0);
	assert_int_equal(leofs_msg_decode(LEOFS_OP_READ_FRAGMENT, true, &rp,
					  sizeof(rp), reply_buf,
					  (u32)reply_len),
			 0);
	return rp;
}

static int setup(void **state)
{
	struct oss_fixture *f = calloc(1, sizeof(*f));

	if (!f || oss_fixture_open(f, cluster, "test-oss-handlers"))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	oss_fixture_close(*state);
	free(*state);
	return 0;
}

static void test_write_checks_crcs(void **state)
{
	struct oss_fixture *f = *state;
	const u32 len = 3 * LEOFS_BLOCK_SIZE + 100;
	u8 *data = malloc(len), crcs[16];
	struct leofs_write_fragment_req w;
	struct leofs_read_fragment_req r;
	struct leofs_read_fragment_reply rp;

	fill(data, len, 1);
	/* one CRC wrong: refused, nothing stored */
	w = wf_req(data, len, crcs);
	crcs[4 * 2 + 1] ^= 0x04;
	assert_int_equal(run(f, LEOFS_OP_WRITE_FRAGMENT, &w), LEOFS_S_CHECKSUM);
	r = rf_req(0, len, 0);
	assert_int_equal(run(f, LEOFS_OP_READ_FRAGMENT, &r), LEOFS_S_OK);
	rp = decode_read();
	assert_int_equal(rp.version, 0);

	/* the data changed after its CRCs were taken: refused too */
	w = wf_req(data, len, crcs);
	data[len - 1] ^= 0x80;
	assert_int_equal(run(f, LEOFS_OP_WRITE_FRAGMENT, &w), LEOFS_S_CHECKSUM);
	data[len - 1] ^= 0x80;

	/* right: stored, reads back */
	w = wf_req(data, len, crcs);
	assert_int_equal(run(f, LEOFS_OP_WRITE_FRAGMENT, &w), LEOFS_S_OK);
	assert_int_equal(run(f, LEOFS_OP_READ_FRAGMENT, &r), LEOFS_S_OK);
	rp = decode_read();
	assert_int_equal(rp.version, 1);
	assert_int_equal(rp.data.len, len);
	assert_memory_equal(rp.data.data, data, len);
	assert_int_equal(rp.crcs.count, 0); /* not asked for */
	free(data);
}

/*
 * COMMIT_FRAGMENT (commit, abort, undo of a new stripe) from a primary of
 * an older map is refused and changes nothing; from the current one it
 * takes effect.
 */
static void test_finish_fenced(void **state)
{
	static const u32 actions[] = { LEOFS_COMMIT, LEOFS_ABORT,
				       LEOFS_UNDO_NEW };
	struct oss_fixture *f = *state;
	const u32 len = 2 * LEOFS_BLOCK_SIZE;
	struct leofs_commit_fragment_req cm = {
		.ino = 0x77, .slot = 1, .fragment = 2, .target_id = TARGET,
		.pg = { .pool_id = 1, .pg = 3, .map_epoch = 1 },
		.stripe = 4, .stripe_unit = UNIT, .version = 1,
	};
	struct leofs_write_fragment_req w;
	struct leofs_read_fragment_req r = rf_req(0, len, 0);
	struct leofs_read_fragment_reply rp;
	u8 *data = malloc(len), crcs[16];
	u32 i;

	fill(data, len, 3);
	w = wf_req(data, len, crcs);
	assert_int_equal(run(f, LEOFS_OP_WRITE_FRAGMENT, &w), LEOFS_S_OK);
	/* a prepared version 2 on top of the created version 1 */
	w.phase = LEOFS_FRAG_PREPARE;
	w.version = 2;
	assert_int_equal(run(f, LEOFS_OP_WRITE_FRAGMENT, &w), LEOFS_S_OK);
	for (i = 0; i < 3; i++) {
		cm.pg.map_epoch = 0; /* the node's map is epoch 1 */
		cm.action = actions[i];
		cm.version = actions[i] == LEOFS_UNDO_NEW ? 1 : 2;
		assert_int_equal(run(f, LEOFS_OP_COMMIT_FRAGMENT, &cm),
				 LEOFS_S_WRONG_EPOCH);
		assert_int_equal(run(f, LEOFS_OP_READ_FRAGMENT, &r),
				 LEOFS_S_OK);
		rp = decode_read();
		assert_int_equal(rp.version, 1);
		assert_int_equal(rp.prepared, 2);
		assert_memory_equal(rp.data.data, data, len);
	}
	/* the current map's primary: abort 2, then undo 1 */
	cm.pg.map_epoch = 1;
	cm.action = LEOFS_ABORT;
	cm.version = 2;
	assert_int_equal(run(f, LEOFS_OP_COMMIT_FRAGMENT, &cm), LEOFS_S_OK);
	cm.action = LEOFS_UNDO_NEW;
	cm.version = 1;
	assert_int_equal(run(f, LEOFS_OP_COMMIT_FRAGMENT, &cm), LEOFS_S_OK);
	assert_int_equal(run(f, LEOFS_OP_READ_FRAGMENT, &r), LEOFS_S_OK);
	rp = decode_read();
	assert_int_equal(rp.version, 0);
	assert_int_equal(rp.prepared, 0);
	free(data);
}

static void test_read_want_crcs(void **state)
{
	struct oss_fixture *f = *state;
	u8 *data = malloc(UNIT), crcs[4 * (UNIT / LEOFS_BLOCK_SIZE)];
	struct leofs_write_fragment_req w;
	struct leofs_read_fragment_req r;
	struct leofs_read_fragment_reply rp;
	static const u32 ranges[][2] = {
		{ 0, UNIT },
		{ LEOFS_BLOCK_SIZE, 1 },
		{ 2 * LEOFS_BLOCK_SIZE, 3 * LEOFS_BLOCK_SIZE + 1000 },
		{ UNIT - LEOFS_BLOCK_SIZE, LEOFS_BLOCK_SIZE },
	};
	u32 i, b, n;

	fill(data, UNIT, 2);
	w = wf_req(data, UNIT, crcs);
	assert_int_equal(run(f, LEOFS_OP_WRITE_FRAGMENT, &w), LEOFS_S_OK);
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		u32 off = ranges[i][0], len = ranges[i][1];

		r = rf_req(off, len, LEOFS_READ_WANT_CRCS);
		assert_int_equal(run(f, LEOFS_OP_READ_FRAGMENT, &r),
				 LEOFS_S_OK);
		rp = decode_read();
		assert_int_equal(rp.data.len, len);
		assert_memory_equal(rp.data.data, data + off, len);
		n = (u32)leofs_crc32c_nblocks(len, LEOFS_BLOCK_SIZE);
		assert_int_equal(rp.crcs.count, n);
		for (b = 0; b < n; b++) {
			u32 blen = len - b * LEOFS_BLOCK_SIZE;

			if (blen > LEOFS_BLOCK_SIZE)
				blen = LEOFS_BLOCK_SIZE;
			assert_int_equal(
				leofs_le32s_get(&rp.crcs, b),
				leofs_crc32c(0,
					     data + off +
						     (size_t)b * LEOFS_BLOCK_SIZE,
					     blen));
		}
	}
	free(data);
}

/* Flips one bit of the stored data of the test's object at @off. */
static void flip(struct oss_fixture *f, u64 off)
{
	struct oss_obj_id id = { .ino = 0x77, .slot = 1, .frag = 2 };
	char p[256], stem[64];
	u64 h = oss_obj_hash(&id);
	u8 c;
	int fd;

	oss_object_stem(&id, stem, sizeof(stem));
	snprintf(p, sizeof(p), "%s/t0/objects/%02x/%02x/%s.d", f->dir,
		 (unsigned int)(h >> 56), (unsigned int)(h >> 48) & 0xff, stem);
	fd = open(p, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &c, 1, (off_t)off), 1);
	c ^= 0x01;
	assert_int_equal(pwrite(fd, &c, 1, (off_t)off), 1);
	close(fd);
}

static void test_read_corrupt(void **state)
{
	struct oss_fixture *f = *state;
	u8 *data = malloc(UNIT), crcs[4 * (UNIT / LEOFS_BLOCK_SIZE)];
	struct leofs_write_fragment_req w;
	struct leofs_read_fragment_req r;
	u64 before = f->node.checksum_errors;

	fill(data, UNIT, 3);
	w = wf_req(data, UNIT, crcs);
	assert_int_equal(run(f, LEOFS_OP_WRITE_FRAGMENT, &w), LEOFS_S_OK);
	/* block 5 of stripe 4 */
	flip(f, 4ull * UNIT + 5 * LEOFS_BLOCK_SIZE + 123);
	r = rf_req(4 * LEOFS_BLOCK_SIZE, 3 * LEOFS_BLOCK_SIZE,
		   LEOFS_READ_WANT_CRCS);
	assert_int_equal(run(f, LEOFS_OP_READ_FRAGMENT, &r), LEOFS_S_CHECKSUM);
	assert_int_equal(f->node.checksum_errors, before + 1);
	/* the blocks around it still read */
	r = rf_req(0, 5 * LEOFS_BLOCK_SIZE, 0);
	assert_int_equal(run(f, LEOFS_OP_READ_FRAGMENT, &r), LEOFS_S_OK);
	r = rf_req(6 * LEOFS_BLOCK_SIZE, LEOFS_BLOCK_SIZE, 0);
	assert_int_equal(run(f, LEOFS_OP_READ_FRAGMENT, &r), LEOFS_S_OK);
	free(data);
}

/*
 * PARTIAL_WRITE as the PG primary (replica 1: this node is the whole PG):
 * bytes the stripe holds already are not written again, and the reply
 * names the version that holds them.
 */
static u64 partial(struct oss_fixture *f, u64 ino, u64 stripe, u32 pg,
		   u32 off, const u8 *data, u32 len)
{
	struct leofs_partial_write_req m = {
		.ino = ino, .slot = 0, .stripe = stripe,
		.pg = { .pool_id = 1, .pg = pg, .map_epoch = 1 },
		.layout = { .scheme = LEOFS_LAYOUT_REPLICA, .k = 1,
			    .stripe_unit = UNIT, .stripe_count = 1,
			    .pool_id = 1 },
		.offset = off,
		.data = { .data = data, .len = len },
	};
	struct leofs_write_reply rp;

	assert_int_equal(run(f, LEOFS_OP_PARTIAL_WRITE, &m), LEOFS_S_OK);
	assert_int_equal(leofs_msg_decode(LEOFS_OP_PARTIAL_WRITE, true, &rp,
					  sizeof(rp), reply_buf,
					  (u32)reply_len),
			 0);
	return rp.version;
}

static void test_partial_unchanged(void **state)
{
	struct oss_fixture *f = *state;
	struct leofs_mapview *v = oss_mapsrc_get(f->node.maps);
	u8 *data = malloc(UNIT), *zeros = calloc(1, UNIT);
	struct leofs_read_fragment_req r;
	struct leofs_read_fragment_reply rp;
	u32 pg = 0, t = 0;
	u64 ino, v1, v2;

	/* a file whose PG (width 1) is this node's target */
	for (ino = 1; t != TARGET; ino++) {
		assert_true(ino < 1000);
		pg = leofs_stripe_pg(ino, 0, 1, PG_NUM);
		assert_int_equal(leofs_mapview_row(v, 1, 1, pg, &t), 0);
	}
	ino--;
	leofs_mapview_put(v);
	fill(data, UNIT, 4);
	v1 = partial(f, ino, 0, pg, 100, data, 5000);
	/* a number of map epoch 1 */
	assert_int_equal(v1 >> OSS_VERSION_N_BITS, 1);
	/* the same bytes again: nothing written */
	assert_int_equal(partial(f, ino, 0, pg, 100, data, 5000), v1);
	assert_int_equal(partial(f, ino, 0, pg, 1000, data + 900, 10), v1);
	/* one byte different: a new version */
	data[2000] ^= 0x20;
	v2 = partial(f, ino, 0, pg, 100, data, 5000);
	assert_true(v2 > v1);
	r = rf_req(0, 5100, 0);
	r.ino = ino, r.slot = 0, r.fragment = 0, r.stripe = 0, r.pg.pg = pg;
	assert_int_equal(run(f, LEOFS_OP_READ_FRAGMENT, &r), LEOFS_S_OK);
	rp = decode_read();
	assert_int_equal(rp.version, v2);
	assert_memory_equal(rp.data.data, zeros, 100);
	assert_memory_equal((u8 *)rp.data.data + 100, data, 5000);
	/* zeros into a stripe never written (a truncate's tail): none */
	assert_int_equal(partial(f, ino, 3, pg, 7, zeros, UNIT - 7), 0);
	r.stripe = 3;
	assert_int_equal(run(f, LEOFS_OP_READ_FRAGMENT, &r), LEOFS_S_OK);
	rp = decode_read();
	assert_int_equal(rp.version, 0);
	free(data);
	free(zeros);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_checks_crcs, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_finish_fenced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_want_crcs, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_corrupt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_partial_unchanged, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
