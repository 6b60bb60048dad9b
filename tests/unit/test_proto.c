// SPDX-License-Identifier: GPL-2.0
/*
 * lib/proto: round trips of every message, golden vectors, truncations,
 * header corruption, limits, names, status mapping, version negotiation,
 * layouts and the cluster map codec.
 *
 * With LEOFS_PROTO_CORPUS=<dir> set, also writes the fuzz seed corpora
 * (<dir>/proto_msg, <dir>/proto_frame, <dir>/proto_map).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "leofs/proto_map.h"
#include "leofs/proto_msg.h"
#include "../golden/proto_golden.h"

#define BUF_SIZE (LEOFS_MAX_IO + 65536)

static u8 *enc_buf;
static u8 *enc_buf2;
static u8 payload[65536];
static u8 crc_bytes[4 * 16];

/* ---- sample messages -------------------------------------------------------- */

static void fill_creds(struct leofs_creds *c)
{
	c->uid = 1001;
	c->gid = 100;
	c->ngroups = 3;
	c->groups[0] = 4;
	c->groups[1] = 24;
	c->groups[2] = 27;
}

static struct leofs_layout ec_layout(void)
{
	struct leofs_layout l = {
		.pool_id = 3, .scheme = LEOFS_LAYOUT_EC, .k = 4, .m = 2,
		.stripe_unit = 4096, .stripe_count = 4, .generation = 2,
	};
	return l;
}

static void fill_attr(struct leofs_attr *a)
{
	a->ino = 0x00020000000000abull;
	a->mode = LEOFS_S_IFREG | 0644;
	a->nlink = 2;
	a->uid = 1001;
	a->gid = 100;
	a->size = 123456789;
	a->blocks = 241126;
	a->atime.sec = -5;
	a->atime.nsec = 999999999;
	a->mtime.sec = 1700000000;
	a->ctime.sec = 1700000001;
	a->ctime.nsec = 1;
	a->generation = 99;
	a->layout = ec_layout();
}

static void set_buf(struct leofs_buf *b, const void *p, u32 len)
{
	b->data = p;
	b->len = len;
}

static void set_crcs(struct leofs_le32s *a, u32 data_len)
{
	u32 i, n = (data_len + 4095) / 4096;

	for (i = 0; i < n; i++)
		put_unaligned_le32(0x11111111u * (i + 1), crc_bytes + 4 * i);
	a->data = crc_bytes;
	a->count = n;
}

static u8 map_bytes[512];
static int map_len;

static void fill(u16 op, bool reply, void *msg)
{
	if (reply) {
		/* every reply starts with the status */
		*(u32 *)msg = LEOFS_S_OK;
		switch (op) {
		case LEOFS_OP_HELLO: {
			struct leofs_hello_reply *m = msg;

			m->version = 1;
			m->peer_kind = LEOFS_PEER_MDS;
			m->features = LEOFS_FEAT_BLOCK_CRC;
			m->node_id = 7;
			memset(m->cluster_id, 0xab, 16);
			m->session_id = 0x1234;
			m->map_epoch = 42;
			return;
		}
		case LEOFS_OP_MAP_GET: {
			struct leofs_map_reply *m = msg;

			m->epoch = 5;
			set_buf(&m->map, map_bytes, map_len);
			return;
		}
		case LEOFS_OP_OSS_REGISTER:
		case LEOFS_OP_HEARTBEAT:
			((struct leofs_epoch_reply *)msg)->map_epoch = 77;
			return;
		case LEOFS_OP_POOL_CREATE: {
			struct leofs_pool_create_reply *m = msg;

			m->pool_id = 2;
			m->map_epoch = 78;
			return;
		}
		case LEOFS_OP_UNLINK:
		case LEOFS_OP_RMDIR:
		case LEOFS_OP_RENAME:
		case LEOFS_OP_SETXATTR:
		case LEOFS_OP_REMOVEXATTR:
		case LEOFS_OP_SET_LAYOUT:
		case LEOFS_OP_XSHARD_FINISH:
		case LEOFS_OP_WRITE_FRAGMENT:
		case LEOFS_OP_COMMIT_FRAGMENT:
		case LEOFS_OP_TRUNCATE_OBJECTS:
		case LEOFS_OP_DELETE_OBJECTS:
			return;
		case LEOFS_OP_READLINK:
			set_buf(&((struct leofs_readlink_reply *)msg)->target,
				"../series/2/IM0002", 18);
			return;
		case LEOFS_OP_READDIR: {
			struct leofs_readdir_reply *m = msg;
			static const char *names[] = { "a", "IM0001.dcm", "DICOMDIR" };
			u32 i;

			m->eof = 1;
			m->nr_entries = 3;
			for (i = 0; i < 3; i++) {
				m->entries[i].ino = 100 + i;
				m->entries[i].next_cookie = 1000 + i;
				m->entries[i].type = i ? LEOFS_DT_REG : LEOFS_DT_DIR;
				set_buf(&m->entries[i].name, names[i],
					strlen(names[i]));
			}
			return;
		}
		case LEOFS_OP_GETXATTR: {
			struct leofs_xattr_reply *m = msg;

			m->size = 5;
			set_buf(&m->value, "value", 5);
			return;
		}
		case LEOFS_OP_LISTXATTR: {
			struct leofs_xattr_reply *m = msg;

			m->size = 22;
			set_buf(&m->value, "user.a\0user.patient_id", 23);
			m->size = 23;
			return;
		}
		case LEOFS_OP_STATFS: {
			struct leofs_statfs_reply *m = msg;

			m->bsize = 4096;
			m->namelen = 255;
			m->blocks = 1u << 30;
			m->bfree = 12345;
			m->bavail = 1234;
			m->files = 1000000;
			m->ffree = 999;
			return;
		}
		case LEOFS_OP_GET_LAYOUT:
			((struct leofs_layout_reply *)msg)->layout = ec_layout();
			return;
		case LEOFS_OP_WRITE_STRIPE:
		case LEOFS_OP_PARTIAL_WRITE:
			((struct leofs_write_reply *)msg)->version = 17;
			return;
		case LEOFS_OP_READ_FRAGMENT: {
			struct leofs_read_fragment_reply *m = msg;

			m->version = 3;
			m->prepared = 4;
			set_buf(&m->data, payload, 10000);
			set_crcs(&m->crcs, 10000);
			return;
		}
		case LEOFS_OP_DEGRADED_READ:
			set_buf(&((struct leofs_data_reply *)msg)->data, payload,
				777);
			return;
		case LEOFS_OP_TARGET_STATFS: {
			struct leofs_target_statfs_reply *m = msg;

			m->capacity = 4ull << 40;
			m->used = 1ull << 40;
			m->objects = 123456;
			m->free = 3ull << 40;
			m->checksum_errors = 2;
			return;
		}
		default:	/* the attr replies */
			fill_attr(&((struct leofs_attr_reply *)msg)->attr);
			return;
		}
	}

	switch (op) {
	case LEOFS_OP_HELLO: {
		struct leofs_hello_req *m = msg;

		m->version_min = 1;
		m->version_max = 3;
		m->peer_kind = LEOFS_PEER_CLIENT;
		m->features = LEOFS_FEATURES_ALL | (1ull << 63);
		memset(m->cluster_id, 0xab, 16);
		m->session_id = 0;
		m->node_id = 0;
		return;
	}
	case LEOFS_OP_MAP_GET:
		((struct leofs_map_get_req *)msg)->known_epoch = 4;
		return;
	case LEOFS_OP_MAP_PUSH: {
		struct leofs_map_push *m = msg;

		m->epoch = 5;
		set_buf(&m->map, map_bytes, map_len);
		return;
	}
	case LEOFS_OP_OSS_REGISTER: {
		struct leofs_oss_register_req *m = msg;
		u32 i;

		m->node_id = 3;
		m->addr_family = 4;
		m->port = 7400;
		m->addr[0] = 10;
		m->addr[3] = 3;
		m->nr_targets = 4;
		for (i = 0; i < 4; i++) {
			m->targets[i].id = 30 + i;
			m->targets[i].tier = i % LEOFS_TIER_COUNT;
			m->targets[i].weight = LEOFS_WEIGHT_ONE * 4;
			m->targets[i].capacity = 4ull << 40;
			m->targets[i].used = i << 30;
		}
		return;
	}
	case LEOFS_OP_HEARTBEAT: {
		struct leofs_heartbeat_req *m = msg;
		u32 i;

		m->node_id = 3;
		m->map_epoch = 5;
		m->nr_targets = 2;
		for (i = 0; i < 2; i++) {
			m->targets[i].id = 30 + i;
			m->targets[i].state = LEOFS_STATE_UP | LEOFS_STATE_IN;
			m->targets[i].used = 1000 * i;
			m->targets[i].free = 5000;
		}
		return;
	}
	case LEOFS_OP_XSHARD_PREPARE: {
		struct leofs_xshard_prepare_req *m = msg;

		m->intent = 0x0001000000000007ull;
		m->shard = 2;
		m->op = LEOFS_XSHARD_MKDIR;
		m->parent = 1;
		m->mode = LEOFS_S_IFDIR | 0755;
		m->uid = 1000;
		m->gid = 100;
		m->layout = ec_layout();
		return;
	}
	case LEOFS_OP_XSHARD_FINISH: {
		struct leofs_xshard_finish_req *m = msg;

		m->intent = 0x0001000000000007ull;
		m->shard = 2;
		m->commit = 1;
		return;
	}
	case LEOFS_OP_POOL_CREATE: {
		struct leofs_pool_create_req *m = msg;

		set_buf(&m->name, "scans", 5);
		m->tier = LEOFS_TIER_SSD;
		m->pg_num = 256;
		return;
	}
	case LEOFS_OP_LOOKUP:
	case LEOFS_OP_UNLINK:
	case LEOFS_OP_RMDIR: {
		struct leofs_name_req *m = msg;

		fill_creds(&m->creds);
		m->parent = 1;
		set_buf(&m->name, "IM0001.dcm", 10);
		return;
	}
	case LEOFS_OP_GETATTR:
	case LEOFS_OP_READLINK:
	case LEOFS_OP_STATFS:
	case LEOFS_OP_GET_LAYOUT: {
		struct leofs_ino_req *m = msg;

		fill_creds(&m->creds);
		m->ino = 0x00020000000000abull;
		return;
	}
	case LEOFS_OP_SETATTR: {
		struct leofs_setattr_req *m = msg;

		fill_creds(&m->creds);
		m->ino = 5;
		m->valid = LEOFS_SETATTR_MODE | LEOFS_SETATTR_SIZE |
			   LEOFS_SETATTR_MTIME | LEOFS_SETATTR_ATIME_NOW;
		m->mode = 0600;
		m->size = 4096;
		m->mtime.sec = 1;
		m->mtime.nsec = 2;
		return;
	}
	case LEOFS_OP_CREATE:
	case LEOFS_OP_MKDIR: {
		struct leofs_create_req *m = msg;

		fill_creds(&m->creds);
		m->parent = 1;
		set_buf(&m->name, "series-1", 8);
		m->mode = 0750;
		m->flags = op == LEOFS_OP_CREATE ? LEOFS_CREATE_EXCL : 0;
		return;
	}
	case LEOFS_OP_RENAME: {
		struct leofs_rename_req *m = msg;

		fill_creds(&m->creds);
		m->old_parent = 1;
		set_buf(&m->old_name, "tmp.dcm", 7);
		m->new_parent = 2;
		set_buf(&m->new_name, "IM0001.dcm", 10);
		m->flags = LEOFS_RENAME_NOREPLACE;
		return;
	}
	case LEOFS_OP_LINK: {
		struct leofs_link_req *m = msg;

		fill_creds(&m->creds);
		m->ino = 9;
		m->new_parent = 1;
		set_buf(&m->name, "hardlink", 8);
		return;
	}
	case LEOFS_OP_SYMLINK: {
		struct leofs_symlink_req *m = msg;

		fill_creds(&m->creds);
		m->parent = 1;
		set_buf(&m->name, "latest", 6);
		set_buf(&m->target, "series-1/IM0001.dcm", 19);
		return;
	}
	case LEOFS_OP_READDIR: {
		struct leofs_readdir_req *m = msg;

		fill_creds(&m->creds);
		m->ino = 1;
		m->cookie = 1002;
		m->max_entries = LEOFS_READDIR_MAX_ENTRIES;
		m->max_bytes = 65536;
		return;
	}
	case LEOFS_OP_GETXATTR: {
		struct leofs_getxattr_req *m = msg;

		fill_creds(&m->creds);
		m->ino = 9;
		set_buf(&m->name, "user.patient_id", 15);
		m->size = 256;
		return;
	}
	case LEOFS_OP_SETXATTR: {
		struct leofs_setxattr_req *m = msg;

		fill_creds(&m->creds);
		m->ino = 9;
		set_buf(&m->name, "user.patient_id", 15);
		set_buf(&m->value, "P-000123", 8);
		m->flags = LEOFS_XATTR_CREATE;
		return;
	}
	case LEOFS_OP_LISTXATTR: {
		struct leofs_listxattr_req *m = msg;

		fill_creds(&m->creds);
		m->ino = 9;
		m->size = 0;
		return;
	}
	case LEOFS_OP_REMOVEXATTR: {
		struct leofs_xattr_name_req *m = msg;

		fill_creds(&m->creds);
		m->ino = 9;
		set_buf(&m->name, "user.patient_id", 15);
		return;
	}
	case LEOFS_OP_COMMIT_SIZE: {
		struct leofs_commit_size_req *m = msg;

		fill_creds(&m->creds);
		m->ino = 9;
		m->size = 1 << 20;
		m->mtime.sec = 1700000000;
		return;
	}
	case LEOFS_OP_SET_LAYOUT: {
		struct leofs_set_layout_req *m = msg;

		fill_creds(&m->creds);
		m->ino = 1;
		m->layout = ec_layout();
		return;
	}
	case LEOFS_OP_WRITE_STRIPE: {
		struct leofs_write_stripe_req *m = msg;

		m->ino = 9;
		m->slot = 1;
		m->stripe = 12;
		m->pg.pool_id = 3;
		m->pg.pg = 200;
		m->pg.map_epoch = 5;
		m->layout = ec_layout();
		set_buf(&m->data, payload, 4 * 4096);
		return;
	}
	case LEOFS_OP_WRITE_FRAGMENT: {
		struct leofs_write_fragment_req *m = msg;

		m->ino = 9;
		m->slot = 1;
		m->fragment = 5;
		m->target_id = 31;
		m->pg.pool_id = 3;
		m->pg.pg = 200;
		m->pg.map_epoch = 5;
		m->stripe = 12;
		m->stripe_unit = 65536;
		m->offset = 3 * 4096;
		m->version = 17;
		m->phase = LEOFS_FRAG_PREPARE;
		set_buf(&m->data, payload, 4096 + 100);
		set_crcs(&m->crcs, 4096 + 100);
		return;
	}
	case LEOFS_OP_PARTIAL_WRITE: {
		struct leofs_partial_write_req *m = msg;

		m->ino = 9;
		m->slot = 3;
		m->stripe = 12;
		m->pg.pool_id = 3;
		m->pg.pg = 201;
		m->pg.map_epoch = 5;
		m->layout = ec_layout();
		m->offset = 100;
		set_buf(&m->data, payload, 5000);
		return;
	}
	case LEOFS_OP_READ_FRAGMENT: {
		struct leofs_read_fragment_req *m = msg;

		m->ino = 9;
		m->slot = 1;
		m->fragment = 2;
		m->target_id = 31;
		m->pg.pool_id = 3;
		m->pg.pg = 200;
		m->pg.map_epoch = 5;
		m->stripe = 12;
		m->stripe_unit = 131072;
		m->offset = 8192;
		m->length = 65536;
		m->flags = LEOFS_READ_WANT_CRCS;
		return;
	}
	case LEOFS_OP_COMMIT_FRAGMENT: {
		struct leofs_commit_fragment_req *m = msg;

		m->ino = 9;
		m->slot = 1;
		m->fragment = 2;
		m->target_id = 31;
		m->pg.pool_id = 3;
		m->pg.pg = 200;
		m->pg.map_epoch = 5;
		m->stripe = 12;
		m->stripe_unit = 65536;
		m->version = 18;
		m->action = LEOFS_COMMIT;
		return;
	}
	case LEOFS_OP_DEGRADED_READ: {
		struct leofs_degraded_read_req *m = msg;

		m->ino = 9;
		m->slot = 0;
		m->stripe = 3;
		m->pg.pool_id = 3;
		m->pg.pg = 7;
		m->pg.map_epoch = 5;
		m->layout = ec_layout();
		m->offset = 4000;
		m->length = 8000;
		return;
	}
	case LEOFS_OP_TRUNCATE_OBJECTS: {
		struct leofs_truncate_objects_req *m = msg;

		m->ino = 9;
		m->size = 12345;
		m->map_epoch = 5;
		m->layout = ec_layout();
		return;
	}
	case LEOFS_OP_DELETE_OBJECTS: {
		struct leofs_delete_objects_req *m = msg;
		static u8 slots[12];

		put_unaligned_le32(0, slots);
		put_unaligned_le32(2, slots + 4);
		put_unaligned_le32(3, slots + 8);
		m->ino = 9;
		m->map_epoch = 5;
		m->layout = ec_layout();
		m->slots.data = slots;
		m->slots.count = 3;
		return;
	}
	case LEOFS_OP_TARGET_STATFS:
		((struct leofs_target_statfs_req *)msg)->target_id = 31;
		return;
	default:
		fail_msg("no sample for opcode %#x", op);
	}
}

struct msg_kind {
	u16 op;
	bool reply;
};

static struct msg_kind kinds[128];
static int nr_kinds;

static void list_kinds(void)
{
	u32 op;
	int r;

	if (nr_kinds)
		return;
	for (op = 0; op < 0x300; op++)
		for (r = 0; r < 2; r++)
			if (leofs_msg_struct_size(op, r)) {
				kinds[nr_kinds].op = op;
				kinds[nr_kinds].reply = r;
				nr_kinds++;
			}
}

/* A sample struct for a kind, on the heap (some are tens of KiB). */
static void *sample(const struct msg_kind *k)
{
	void *m = calloc(1, leofs_msg_struct_size(k->op, k->reply));

	assert_non_null(m);
	fill(k->op, k->reply, m);
	return m;
}

static int encode_kind(const struct msg_kind *k, const void *m, u8 *buf)
{
	return leofs_msg_encode(k->op, k->reply, m,
				leofs_msg_struct_size(k->op, k->reply), buf,
				BUF_SIZE);
}

static int decode_kind(const struct msg_kind *k, void *m, const u8 *buf,
		       size_t len)
{
	return leofs_msg_decode(k->op, k->reply, m,
				leofs_msg_struct_size(k->op, k->reply), buf,
				len);
}

static void make_map_bytes(void);

static int setup(void **state)
{
	size_t i;

	(void)state;
	enc_buf = malloc(BUF_SIZE);
	enc_buf2 = malloc(BUF_SIZE);
	assert_non_null(enc_buf);
	assert_non_null(enc_buf2);
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (u8)(i * 131 + 7);
	make_map_bytes();
	list_kinds();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(enc_buf);
	free(enc_buf2);
	return 0;
}

/* ---- round trips -------------------------------------------------------------- */

static void test_every_opcode_has_samples(void **state)
{
	(void)state;
	/* 37 opcodes, each with a request; all but MAP_PUSH with a reply */
	assert_int_equal(nr_kinds, 37 * 2 - 1);
	assert_string_equal(leofs_op_name(LEOFS_OP_READDIR), "READDIR");
	assert_null(leofs_op_name(0x0300));
}

static void test_round_trip_all(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < nr_kinds; i++) {
		const struct msg_kind *k = &kinds[i];
		size_t size = leofs_msg_struct_size(k->op, k->reply);
		void *m = sample(k);
		void *d = malloc(size);
		int len, len2;

		len = encode_kind(k, m, enc_buf);
		if (len <= 0)
			fail_msg("encode %s reply=%d: %d", leofs_op_name(k->op),
				 k->reply, len);
		assert_int_equal(decode_kind(k, d, enc_buf, len), 0);
		len2 = encode_kind(k, d, enc_buf2);
		assert_int_equal(len, len2);
		assert_memory_equal(enc_buf, enc_buf2, len);
		/* too small an output buffer */
		assert_int_equal(leofs_msg_encode(k->op, k->reply, m, size,
						  enc_buf2, len - 1), -ENOSPC);
		/* trailing bytes */
		enc_buf[len] = 0;
		assert_int_equal(decode_kind(k, d, enc_buf, len + 1),
				 -EBADMSG);
		/* wrong struct size */
		assert_int_equal(leofs_msg_decode(k->op, k->reply, d, size + 1,
						  enc_buf, len), -EINVAL);
		free(m);
		free(d);
	}
}

static void test_error_replies(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < nr_kinds; i++) {
		const struct msg_kind *k = &kinds[i];
		size_t size = leofs_msg_struct_size(k->op, k->reply);
		void *m, *d;
		int len;

		if (!k->reply)
			continue;
		m = sample(k);
		d = malloc(size);
		*(u32 *)m = LEOFS_S_WRONG_EPOCH;
		len = encode_kind(k, m, enc_buf);
		assert_int_equal(len, 4);
		assert_int_equal(get_unaligned_le32(enc_buf),
				 LEOFS_S_WRONG_EPOCH);
		assert_int_equal(decode_kind(k, d, enc_buf, 4), 0);
		assert_int_equal(*(u32 *)d, LEOFS_S_WRONG_EPOCH);
		/* an error reply carries nothing else */
		enc_buf[4] = 0;
		assert_int_equal(decode_kind(k, d, enc_buf, 5), -EBADMSG);
		/* unknown statuses decode; they map to -EIO */
		put_unaligned_le32(0x7fff0000, enc_buf);
		assert_int_equal(decode_kind(k, d, enc_buf, 4), 0);
		assert_int_equal(leofs_status_to_errno(*(u32 *)d), -EIO);
		free(m);
		free(d);
	}
}

static void test_fields_and_zero_copy(void **state)
{
	struct leofs_write_fragment_req w = { 0 }, wd;
	struct leofs_readdir_reply *rd = calloc(1, sizeof(*rd));
	struct leofs_readdir_reply *rdd = calloc(1, sizeof(*rdd));
	struct leofs_attr_reply a = { 0 }, ad;
	int len;

	(void)state;
	fill(LEOFS_OP_WRITE_FRAGMENT, false, &w);
	len = leofs_write_fragment_req_encode(&w, enc_buf, BUF_SIZE);
	assert_true(len > 0);
	assert_int_equal(leofs_write_fragment_req_decode(&wd, enc_buf, len), 0);
	/* payload and CRCs point into the receive buffer */
	assert_ptr_equal(wd.data.data, enc_buf + len - w.data.len);
	assert_true((const u8 *)wd.crcs.data > enc_buf &&
		    (const u8 *)wd.crcs.data < enc_buf + len);
	assert_int_equal(wd.crcs.count, 2);
	assert_int_equal(leofs_le32s_get(&wd.crcs, 1), 0x22222222);
	assert_memory_equal(wd.data.data, payload, w.data.len);
	assert_int_equal(wd.offset, 3 * 4096);
	assert_int_equal(wd.stripe, 12);
	assert_int_equal(wd.phase, LEOFS_FRAG_PREPARE);
	assert_int_equal(wd.pg.pg, 200);

	fill(LEOFS_OP_READDIR, true, rd);
	len = leofs_readdir_reply_encode(rd, enc_buf, BUF_SIZE);
	assert_int_equal(leofs_readdir_reply_decode(rdd, enc_buf, len), 0);
	assert_int_equal(rdd->nr_entries, 3);
	assert_int_equal(rdd->eof, 1);
	assert_int_equal(rdd->entries[1].name.len, 10);
	assert_memory_equal(rdd->entries[1].name.data, "IM0001.dcm", 10);
	assert_int_equal(rdd->entries[2].next_cookie, 1002);
	assert_int_equal(rdd->entries[0].type, LEOFS_DT_DIR);

	fill(LEOFS_OP_GETATTR, true, &a);
	len = leofs_getattr_reply_encode(&a, enc_buf, BUF_SIZE);
	assert_int_equal(leofs_getattr_reply_decode(&ad, enc_buf, len), 0);
	assert_memory_equal(&a, &ad, sizeof(a));	/* no pointers inside */
	free(rd);
	free(rdd);
}

/* Every prefix of every valid encoding is rejected. */
static void test_truncations(void **state)
{
	int i, n;

	(void)state;
	for (i = 0; i < nr_kinds; i++) {
		const struct msg_kind *k = &kinds[i];
		void *m = sample(k);
		void *d = malloc(leofs_msg_struct_size(k->op, k->reply));
		int len = encode_kind(k, m, enc_buf);
		u8 *copy;

		/* cap the big payloads: prefixes inside data are alike */
		for (n = 0; n < len; n++) {
			if (n > 512 && n < len - 512)
				continue;
			/* an exact-size copy, so ASan sees any overread */
			copy = malloc(n ? n : 1);
			memcpy(copy, enc_buf, n);
			if (decode_kind(k, d, copy, n) != -EBADMSG)
				fail_msg("%s reply=%d: prefix %d of %d accepted",
					 leofs_op_name(k->op), k->reply, n, len);
			free(copy);
		}
		free(m);
		free(d);
	}
}

/* ---- frames ------------------------------------------------------------------- */

static int build_frame(const struct msg_kind *k, u64 id, u8 *buf)
{
	struct leofs_frame_hdr h = {
		.version = 1, .opcode = k->op, .req_id = id,
		.flags = k->reply ? LEOFS_FLAG_REPLY : 0,
	};
	void *m = sample(k);
	int len;

	if (k->op == LEOFS_OP_MAP_PUSH)
		h.flags = LEOFS_FLAG_PUSH;
	len = leofs_frame_build(buf, BUF_SIZE, &h, m,
				leofs_msg_struct_size(k->op, k->reply));
	free(m);
	return len;
}

static int frame_accepts(const u8 *buf, size_t len)
{
	struct leofs_frame_hdr h;
	int ret;

	ret = leofs_frame_hdr_decode(&h, buf, len);
	if (ret)
		return ret;
	if (h.body_len != len - LEOFS_FRAME_HDR_SIZE)
		return -EBADMSG;
	return leofs_frame_verify(&h, buf, buf + LEOFS_FRAME_HDR_SIZE);
}

static void test_frame_header_corruption(void **state)
{
	int i, pos, x, len;

	(void)state;
	for (i = 0; i < nr_kinds; i++) {
		len = build_frame(&kinds[i], 1000 + i, enc_buf);
		assert_true(len > LEOFS_FRAME_HDR_SIZE);
		assert_int_equal(frame_accepts(enc_buf, len), 0);
		for (pos = 0; pos < LEOFS_FRAME_HDR_SIZE; pos++)
			for (x = 1; x < 256; x++) {
				enc_buf[pos] ^= x;
				if (frame_accepts(enc_buf, len) == 0)
					fail_msg("header byte %d ^ %#x accepted",
						 pos, x);
				enc_buf[pos] ^= x;
			}
		/* body flips: the CRC catches every single-bit error */
		for (pos = LEOFS_FRAME_HDR_SIZE; pos < len && pos < 2048; pos++) {
			enc_buf[pos] ^= 1u << (pos & 7);
			assert_int_equal(frame_accepts(enc_buf, len), -EBADMSG);
			enc_buf[pos] ^= 1u << (pos & 7);
		}
	}
}

static void test_frame_header_rules(void **state)
{
	struct leofs_frame_hdr h = {
		.version = 1, .opcode = LEOFS_OP_GETATTR, .req_id = 7,
	}, got;
	u8 hdr[LEOFS_FRAME_HDR_SIZE];

	(void)state;
	leofs_frame_hdr_encode(&h, hdr);
	assert_int_equal(leofs_frame_hdr_decode(&got, hdr, sizeof(hdr)), 0);
	assert_int_equal(leofs_frame_hdr_decode(&got, hdr, 31), -EBADMSG);

	h.body_len = LEOFS_BODY_MAX;
	leofs_frame_hdr_encode(&h, hdr);
	assert_int_equal(leofs_frame_hdr_decode(&got, hdr, sizeof(hdr)), 0);
	h.body_len = LEOFS_BODY_MAX + 1;
	leofs_frame_hdr_encode(&h, hdr);
	assert_int_equal(leofs_frame_hdr_decode(&got, hdr, sizeof(hdr)),
			 -EBADMSG);
	h.body_len = 0xffffffffu;
	leofs_frame_hdr_encode(&h, hdr);
	assert_int_equal(leofs_frame_hdr_decode(&got, hdr, sizeof(hdr)),
			 -EBADMSG);
	h.body_len = 0;

	h.version = LEOFS_PROTO_VERSION_MAX + 1;
	leofs_frame_hdr_encode(&h, hdr);
	assert_int_equal(leofs_frame_hdr_decode(&got, hdr, sizeof(hdr)),
			 -EPROTO);
	h.version = 0;
	leofs_frame_hdr_encode(&h, hdr);
	assert_int_equal(leofs_frame_hdr_decode(&got, hdr, sizeof(hdr)),
			 -EPROTO);
	h.version = 1;

	h.flags = 0x4;
	leofs_frame_hdr_encode(&h, hdr);
	assert_int_equal(leofs_frame_hdr_decode(&got, hdr, sizeof(hdr)),
			 -EPROTO);
	h.flags = LEOFS_FLAG_REPLY | LEOFS_FLAG_PUSH;
	leofs_frame_hdr_encode(&h, hdr);
	assert_int_equal(leofs_frame_hdr_decode(&got, hdr, sizeof(hdr)),
			 -EPROTO);
	h.flags = 0;

	leofs_frame_hdr_encode(&h, hdr);
	hdr[29] = 1;		/* reserved word */
	assert_int_equal(leofs_frame_hdr_decode(&got, hdr, sizeof(hdr)),
			 -EBADMSG);
	leofs_frame_hdr_encode(&h, hdr);
	hdr[0] = 'X';
	assert_int_equal(leofs_frame_hdr_decode(&got, hdr, sizeof(hdr)),
			 -EBADMSG);

	/* unknown opcodes pass the header; the body decoder says NOTSUP */
	h.opcode = 0x02ff;
	leofs_frame_hdr_encode(&h, hdr);
	assert_int_equal(leofs_frame_hdr_decode(&got, hdr, sizeof(hdr)), 0);
	assert_int_equal(leofs_msg_decode(0x02ff, false, &got, sizeof(got),
					  NULL, 0), -EOPNOTSUPP);
	assert_int_equal(leofs_msg_decode(LEOFS_OP_MAP_PUSH, true, &got,
					  sizeof(got), NULL, 0), -EOPNOTSUPP);
}

static void test_frame_need(void **state)
{
	struct msg_kind k = { LEOFS_OP_WRITE_STRIPE, false };
	int len;
	size_t have;

	(void)state;
	len = build_frame(&k, 1, enc_buf);
	assert_int_equal(leofs_frame_need(enc_buf, 0), LEOFS_FRAME_HDR_SIZE);
	assert_int_equal(leofs_frame_need(enc_buf, 10), 22);
	for (have = LEOFS_FRAME_HDR_SIZE; have <= (size_t)len; have += 997)
		assert_int_equal(leofs_frame_need(enc_buf, have), len - have);
	assert_int_equal(leofs_frame_need(enc_buf, len), 0);
	assert_int_equal(leofs_frame_need(enc_buf, len + 5), 0);
	enc_buf[0] ^= 1;
	assert_int_equal(leofs_frame_need(enc_buf, 40), -EBADMSG);
}

/* ---- limits and names ----------------------------------------------------------- */

/* Encodes a LOOKUP with a name of len bytes, then patches bytes in it. */
static int lookup_with_name(const char *name, size_t len)
{
	struct leofs_name_req m = { 0 }, d;
	static char ok[300];
	int enc_len;

	fill(LEOFS_OP_LOOKUP, false, &m);
	memset(ok, 'x', sizeof(ok));
	m.name.data = ok;
	m.name.len = len;
	enc_len = leofs_lookup_req_encode(&m, enc_buf, BUF_SIZE);
	if (len > LEOFS_NAME_MAX || !len) {
		/* the encoder refuses: build the bytes by hand */
		assert_int_equal(enc_len, -EINVAL);
		m.name.len = 1;
		enc_len = leofs_lookup_req_encode(&m, enc_buf, BUF_SIZE);
		assert_true(enc_len > 0);
		put_unaligned_le16(len, enc_buf + enc_len - 3);
		memcpy(enc_buf + enc_len - 1, name, len);
		enc_len = enc_len - 1 + len;
	} else {
		memcpy(enc_buf + enc_len - len, name, len);
	}
	return leofs_lookup_req_decode(&d, enc_buf, enc_len);
}

static void test_names(void **state)
{
	char longname[LEOFS_NAME_MAX + 2];
	struct leofs_name_req m = { 0 };

	(void)state;
	memset(longname, 'a', sizeof(longname));
	assert_int_equal(lookup_with_name("ok.dcm", 6), 0);
	assert_int_equal(lookup_with_name(longname, LEOFS_NAME_MAX), 0);
	assert_int_equal(lookup_with_name(longname, LEOFS_NAME_MAX + 1),
			 -EBADMSG);
	assert_int_equal(lookup_with_name("", 0), -EBADMSG);
	assert_int_equal(lookup_with_name("a/b", 3), -EBADMSG);
	assert_int_equal(lookup_with_name("/", 1), -EBADMSG);
	assert_int_equal(lookup_with_name("a\0b", 3), -EBADMSG);
	assert_int_equal(lookup_with_name(".", 1), -EBADMSG);
	assert_int_equal(lookup_with_name("..", 2), -EBADMSG);
	assert_int_equal(lookup_with_name("...", 3), 0);
	assert_int_equal(lookup_with_name(".hidden", 7), 0);

	assert_int_equal(leofs_name_check(longname, 256), -ENAMETOOLONG);
	assert_int_equal(leofs_name_check("a/b", 3), -EINVAL);
	assert_int_equal(leofs_name_check("", 0), -EINVAL);
	assert_int_equal(leofs_xattr_name_check("user.x", 6), 0);
	assert_int_equal(leofs_xattr_name_check("user\0x", 6), -EINVAL);
	assert_int_equal(leofs_xattr_name_check(longname, 256), -ENAMETOOLONG);
	assert_int_equal(leofs_symlink_check("a/b/../c", 8), 0);
	assert_int_equal(leofs_symlink_check("a\0", 2), -EINVAL);
	assert_int_equal(leofs_xattr_list_check("", 0), 0);
	assert_int_equal(leofs_xattr_list_check("a\0b\0", 4), 0);
	assert_int_equal(leofs_xattr_list_check("a\0b", 3), -EINVAL);
	assert_int_equal(leofs_xattr_list_check("a\0\0", 3), -EINVAL);

	/* encoders refuse what decoders refuse */
	fill(LEOFS_OP_UNLINK, false, &m);
	m.name.data = "a/b";
	m.name.len = 3;
	assert_int_equal(leofs_unlink_req_encode(&m, enc_buf, BUF_SIZE),
			 -EINVAL);
}

static void test_symlink_limits(void **state)
{
	static char target[LEOFS_SYMLINK_MAX + 1];
	struct leofs_symlink_req m = { 0 }, d;
	int len;

	(void)state;
	memset(target, 't', sizeof(target));
	fill(LEOFS_OP_SYMLINK, false, &m);
	m.target.data = target;
	m.target.len = LEOFS_SYMLINK_MAX;
	len = leofs_symlink_req_encode(&m, enc_buf, BUF_SIZE);
	assert_true(len > 0);
	assert_int_equal(leofs_symlink_req_decode(&d, enc_buf, len), 0);
	m.target.len = LEOFS_SYMLINK_MAX + 1;
	assert_int_equal(leofs_symlink_req_encode(&m, enc_buf, BUF_SIZE),
			 -EINVAL);
	/* patch the length on the wire: 4096 */
	put_unaligned_le16(LEOFS_SYMLINK_MAX + 1, enc_buf + len - 4095 - 2);
	enc_buf[len] = 't';
	assert_int_equal(leofs_symlink_req_decode(&d, enc_buf, len + 1),
			 -EBADMSG);
}

static void test_oversize_counts(void **state)
{
	struct leofs_ino_req ino = { 0 }, inod;
	struct leofs_readdir_reply *rd = calloc(1, sizeof(*rd));
	struct leofs_setxattr_req sx = { 0 }, sxd;
	struct leofs_write_fragment_req wf = { 0 }, wfd;
	struct leofs_data_reply dr = { 0 }, drd;
	static u8 big[LEOFS_XATTR_VALUE_MAX + 1];
	int len;

	(void)state;
	/* groups: 32 pass, 33 are refused both ways */
	fill(LEOFS_OP_GETATTR, false, &ino);
	ino.creds.ngroups = LEOFS_MAX_GROUPS;
	len = leofs_getattr_req_encode(&ino, enc_buf, BUF_SIZE);
	assert_int_equal(leofs_getattr_req_decode(&inod, enc_buf, len), 0);
	assert_int_equal(inod.creds.ngroups, 32);
	ino.creds.ngroups = LEOFS_MAX_GROUPS + 1;
	assert_int_equal(leofs_getattr_req_encode(&ino, enc_buf, BUF_SIZE),
			 -EINVAL);
	ino.creds.ngroups = 0;
	len = leofs_getattr_req_encode(&ino, enc_buf, BUF_SIZE);
	put_unaligned_le32(33, enc_buf + 8);
	memset(enc_buf + len, 0, 33 * 4);
	assert_int_equal(leofs_getattr_req_decode(&inod, enc_buf,
						  len + 33 * 4), -EBADMSG);
	put_unaligned_le32(0xffffffffu, enc_buf + 8);
	assert_int_equal(leofs_getattr_req_decode(&inod, enc_buf, len),
			 -EBADMSG);

	/* readdir entries */
	fill(LEOFS_OP_READDIR, true, rd);
	len = leofs_readdir_reply_encode(rd, enc_buf, BUF_SIZE);
	put_unaligned_le32(LEOFS_READDIR_MAX_ENTRIES + 1, enc_buf + 8);
	assert_int_equal(leofs_readdir_reply_decode(rd, enc_buf, len),
			 -EBADMSG);
	rd->nr_entries = LEOFS_READDIR_MAX_ENTRIES + 1;
	assert_int_equal(leofs_readdir_reply_encode(rd, enc_buf, BUF_SIZE),
			 -EINVAL);

	/* xattr values */
	fill(LEOFS_OP_SETXATTR, false, &sx);
	sx.value.data = big;
	sx.value.len = LEOFS_XATTR_VALUE_MAX;
	len = leofs_setxattr_req_encode(&sx, enc_buf, BUF_SIZE);
	assert_int_equal(leofs_setxattr_req_decode(&sxd, enc_buf, len), 0);
	sx.value.len = LEOFS_XATTR_VALUE_MAX + 1;
	assert_int_equal(leofs_setxattr_req_encode(&sx, enc_buf, BUF_SIZE),
			 -EINVAL);

	/* CRC count beyond LEOFS_MAX_BLOCKS, and not matching the data */
	fill(LEOFS_OP_WRITE_FRAGMENT, false, &wf);
	len = leofs_write_fragment_req_encode(&wf, enc_buf, BUF_SIZE);
	/*
	 * crc count sits after ino, slot, fragment, target, pg, stripe, unit,
	 * offset, version, phase
	 */
	assert_int_equal(get_unaligned_le32(enc_buf + 64), 2);
	put_unaligned_le32(LEOFS_MAX_BLOCKS + 1, enc_buf + 64);
	assert_int_equal(leofs_write_fragment_req_decode(&wfd, enc_buf, len),
			 -EBADMSG);
	wf.crcs.count = 1;
	assert_int_equal(leofs_write_fragment_req_encode(&wf, enc_buf,
							 BUF_SIZE), -EINVAL);

	/* data beyond LEOFS_MAX_IO */
	fill(LEOFS_OP_DEGRADED_READ, true, &dr);
	len = leofs_degraded_read_reply_encode(&dr, enc_buf, BUF_SIZE);
	put_unaligned_le32(LEOFS_MAX_IO + 1, enc_buf + 4);
	assert_int_equal(leofs_degraded_read_reply_decode(&drd, enc_buf, len),
			 -EBADMSG);
	dr.data.len = LEOFS_MAX_IO + 1;
	dr.data.data = enc_buf2;
	assert_int_equal(leofs_degraded_read_reply_encode(&dr, enc_buf,
							  BUF_SIZE), -EINVAL);
	free(rd);
}

static void test_unacceptable_values(void **state)
{
	struct leofs_rename_req rn = { 0 };
	struct leofs_hello_req h = { 0 }, hd;
	struct leofs_write_stripe_req ws = { 0 };
	struct leofs_attr_reply a = { 0 }, ad;
	struct leofs_setattr_req sa = { 0 };
	struct leofs_delete_objects_req del = { 0 };
	u8 slots[8];
	int len;

	(void)state;
	/* unknown enum on the wire: -EPROTO */
	fill(LEOFS_OP_HELLO, false, &h);
	len = leofs_hello_req_encode(&h, enc_buf, BUF_SIZE);
	put_unaligned_le32(99, enc_buf + 4);
	assert_int_equal(leofs_hello_req_decode(&hd, enc_buf, len), -EPROTO);
	put_unaligned_le32(LEOFS_PEER_OSS, enc_buf + 4);
	put_unaligned_le16(0, enc_buf);		/* version_min 0 */
	assert_int_equal(leofs_hello_req_decode(&hd, enc_buf, len), -EPROTO);

	fill(LEOFS_OP_RENAME, false, &rn);
	rn.flags = LEOFS_RENAME_EXCHANGE | LEOFS_RENAME_NOREPLACE;
	assert_int_equal(leofs_rename_req_encode(&rn, enc_buf, BUF_SIZE),
			 -EINVAL);
	rn.flags = 0x100;
	assert_int_equal(leofs_rename_req_encode(&rn, enc_buf, BUF_SIZE),
			 -EINVAL);
	rn.flags = 0;
	len = leofs_rename_req_encode(&rn, enc_buf, BUF_SIZE);
	put_unaligned_le32(0x100, enc_buf + len - 4);
	assert_int_equal(leofs_rename_req_decode(&rn, enc_buf, len), -EPROTO);

	/* a stripe larger than the layout's width */
	fill(LEOFS_OP_WRITE_STRIPE, false, &ws);
	ws.data.len = 4 * 4096 + 1;
	assert_int_equal(leofs_write_stripe_req_encode(&ws, enc_buf, BUF_SIZE),
			 -EINVAL);
	ws.data.len = 4 * 4096;
	ws.slot = 4;		/* stripe_count is 4 */
	assert_int_equal(leofs_write_stripe_req_encode(&ws, enc_buf, BUF_SIZE),
			 -EINVAL);
	ws.slot = 1;
	ws.data.len = 4 * 2048;	/* half-unit slices at offset 4096: past the unit */
	ws.unit_offset = 4096;
	assert_int_equal(leofs_write_stripe_req_encode(&ws, enc_buf, BUF_SIZE),
			 -EINVAL);
	ws.unit_offset = 512;	/* not block aligned */
	ws.data.len = 4 * 1024;
	assert_int_equal(leofs_write_stripe_req_encode(&ws, enc_buf, BUF_SIZE),
			 -EINVAL);
	ws.unit_offset = 0;
	assert_true(leofs_write_stripe_req_encode(&ws, enc_buf, BUF_SIZE) > 0);

	/* bad mode type, bad nsec */
	fill(LEOFS_OP_GETATTR, true, &a);
	len = leofs_getattr_reply_encode(&a, enc_buf, BUF_SIZE);
	put_unaligned_le32(0644, enc_buf + 12);
	assert_int_equal(leofs_getattr_reply_decode(&ad, enc_buf, len),
			 -EPROTO);
	a.attr.mtime.nsec = 1000000000;
	assert_int_equal(leofs_getattr_reply_encode(&a, enc_buf, BUF_SIZE),
			 -EINVAL);

	fill(LEOFS_OP_SETATTR, false, &sa);
	sa.valid |= LEOFS_SETATTR_ATIME;	/* with ATIME_NOW */
	assert_int_equal(leofs_setattr_req_encode(&sa, enc_buf, BUF_SIZE),
			 -EINVAL);

	fill(LEOFS_OP_DELETE_OBJECTS, false, &del);
	put_unaligned_le32(2, slots);
	put_unaligned_le32(2, slots + 4);
	del.slots.data = slots;
	del.slots.count = 2;	/* duplicate */
	assert_int_equal(leofs_delete_objects_req_encode(&del, enc_buf,
							 BUF_SIZE), -EINVAL);
}

/* ---- status, negotiation, layouts -------------------------------------------------- */

static void test_status_mapping(void **state)
{
	static const int errnos[] = {
		EPERM, ENOENT, EIO, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, EACCES,
		ENAMETOOLONG, EINVAL, ENOSPC, EUCLEAN, ESTALE, EAGAIN,
		ETIMEDOUT, EBADMSG, EPROTO, EOPNOTSUPP, EROFS, EXDEV, ELOOP,
		ENODATA, ERANGE, EFBIG, EMLINK, EDQUOT, EBUSY, ENOMEM,
		EOVERFLOW, E2BIG, ESHUTDOWN, EPROTONOSUPPORT,
	};
	u32 s, seen[64] = { 0 };
	size_t i;

	(void)state;
	assert_int_equal(leofs_errno_to_status(0), LEOFS_S_OK);
	assert_int_equal(leofs_status_to_errno(LEOFS_S_OK), 0);
	for (i = 0; i < ARRAY_SIZE(errnos); i++) {
		s = leofs_errno_to_status(-errnos[i]);
		assert_int_not_equal(s, LEOFS_S_OK);
		if (errnos[i] != EIO)
			assert_int_not_equal(s, LEOFS_S_IO);
		assert_true(s < 64 || s >= 100);
		if (s < 64) {
			assert_int_equal(seen[s], 0);	/* one errno each */
			seen[s] = 1;
		}
		assert_int_equal(leofs_status_to_errno(s), -errnos[i]);
	}
	assert_int_equal(leofs_errno_to_status(-EHOSTDOWN), LEOFS_S_IO);
	assert_int_equal(leofs_status_to_errno(LEOFS_S_CHECKSUM), -EUCLEAN);
	assert_int_equal(leofs_status_to_errno(LEOFS_S_WRONG_EPOCH), -EAGAIN);
	assert_int_equal(leofs_status_to_errno(LEOFS_S_NOT_PRIMARY), -EAGAIN);
	assert_int_equal(leofs_status_to_errno(LEOFS_S_WRONG_SHARD), -EAGAIN);
	/* data requests are sent again on these, and only these */
	for (s = 0; s < 200; s++)
		assert_int_equal(leofs_status_retry_data(s),
				 s == LEOFS_S_WRONG_EPOCH ||
					 s == LEOFS_S_NOT_PRIMARY ||
					 s == LEOFS_S_AGAIN ||
					 s == LEOFS_S_BUSY ||
					 s == LEOFS_S_SHUTDOWN ||
					 s == LEOFS_S_DEGRADED_READONLY);
	assert_int_equal(leofs_status_to_errno(LEOFS_S_DEGRADED_READONLY),
			 -EROFS);
	assert_int_equal(leofs_status_to_errno(LEOFS_S_WRONG_CLUSTER),
			 -ECONNREFUSED);
	for (s = 0; s < 200; s++) {
		int e = leofs_status_to_errno(s);

		assert_true(e < 0 || s == 0);
	}
	assert_int_equal(leofs_status_to_errno(32), -EIO);
	assert_int_equal(leofs_status_to_errno(0xffffffffu), -EIO);
}

static void test_negotiation(void **state)
{
	(void)state;
	assert_int_equal(leofs_proto_negotiate(1, 1, 1, 1), 1);
	/* rolling upgrade: old (1..1) and new (1..2) builds meet at 1 */
	assert_int_equal(leofs_proto_negotiate(1, 2, 1, 1), 1);
	assert_int_equal(leofs_proto_negotiate(1, 1, 1, 2), 1);
	assert_int_equal(leofs_proto_negotiate(1, 2, 1, 2), 2);
	/* after the upgrade, version 1 is dropped: 2..3 with 1..2 gives 2 */
	assert_int_equal(leofs_proto_negotiate(2, 3, 1, 2), 2);
	assert_int_equal(leofs_proto_negotiate(1, 5, 3, 9), 5);
	/* no overlap, empty or zero ranges */
	assert_int_equal(leofs_proto_negotiate(2, 3, 1, 1), -EPROTO);
	assert_int_equal(leofs_proto_negotiate(1, 1, 2, 3), -EPROTO);
	assert_int_equal(leofs_proto_negotiate(2, 1, 1, 2), -EPROTO);
	assert_int_equal(leofs_proto_negotiate(0, 1, 0, 1), -EPROTO);
	assert_int_equal(leofs_errno_to_status(-EPROTONOSUPPORT),
			 LEOFS_S_VERSION);
	/* HELLO is framed as version 1 by every build */
	{
		struct leofs_frame_hdr h = { .version = 1,
					     .opcode = LEOFS_OP_HELLO };
		u8 hdr[LEOFS_FRAME_HDR_SIZE];

		leofs_frame_hdr_encode(&h, hdr);
		assert_int_equal(leofs_frame_hdr_decode(&h, hdr, sizeof(hdr)),
				 0);
	}
}

static void test_layouts(void **state)
{
	struct leofs_layout l;
	u32 why;

	(void)state;
	l = ec_layout();
	assert_int_equal(leofs_layout_check(&l, &why), 0);
	assert_int_equal(why, LEOFS_LAYOUT_OK);
	l.k = 1;
	assert_int_equal(leofs_layout_check(&l, &why), -EINVAL);
	assert_int_equal(why, LEOFS_LAYOUT_BAD_K);
	l.k = 17;
	assert_int_equal(leofs_layout_check(&l, &why), -EINVAL);
	l.k = 16;
	l.m = 0;
	assert_int_equal(leofs_layout_check(&l, &why), -EINVAL);
	assert_int_equal(why, LEOFS_LAYOUT_BAD_M);
	l.m = 5;
	assert_int_equal(leofs_layout_check(&l, &why), -EINVAL);
	l.m = 4;
	l.stripe_unit = 64 << 20;	/* 16 x 64 MiB: written in slices */
	assert_int_equal(leofs_layout_check(&l, &why), 0);
	l.stripe_unit = 128 << 20;
	assert_int_equal(leofs_layout_check(&l, &why), -EINVAL);
	assert_int_equal(why, LEOFS_LAYOUT_BAD_UNIT);
	l.stripe_unit = 3 << 12;
	assert_int_equal(leofs_layout_check(&l, &why), -EINVAL);
	assert_int_equal(why, LEOFS_LAYOUT_BAD_UNIT);
	l.stripe_unit = 2048;
	assert_int_equal(leofs_layout_check(&l, &why), -EINVAL);
	l.stripe_unit = 4096;
	l.stripe_count = 0;
	assert_int_equal(leofs_layout_check(&l, &why), -EINVAL);
	assert_int_equal(why, LEOFS_LAYOUT_BAD_COUNT);
	l.stripe_count = 257;
	assert_int_equal(leofs_layout_check(&l, &why), -EINVAL);

	/* replication with 3 copies: k 1, m 2 */
	l = (struct leofs_layout){ .scheme = LEOFS_LAYOUT_REPLICA, .k = 1,
				   .m = 2, .stripe_unit = 1 << 20,
				   .stripe_count = 1 };
	assert_int_equal(leofs_layout_check(&l, NULL), 0);
	l.stripe_unit = LEOFS_STRIPE_UNIT_MAX;
	assert_int_equal(leofs_layout_check(&l, NULL), 0);
	l.k = 2;
	assert_int_equal(leofs_layout_check(&l, &why), -EINVAL);
	assert_int_equal(why, LEOFS_LAYOUT_BAD_K);
	l.k = 1;
	l.m = 3;		/* 4 copies: the most */
	assert_int_equal(leofs_layout_check(&l, NULL), 0);
	l.m = 4;
	assert_int_equal(leofs_layout_check(&l, &why), -EINVAL);
	assert_int_equal(why, LEOFS_LAYOUT_BAD_M);

	l = (struct leofs_layout){ .scheme = LEOFS_LAYOUT_NONE };
	assert_int_equal(leofs_layout_check(&l, NULL), 0);
	l.k = 1;
	assert_int_equal(leofs_layout_check(&l, &why), -EINVAL);
	assert_int_equal(why, LEOFS_LAYOUT_BAD_NONE);
	l.scheme = 9;
	assert_int_equal(leofs_layout_check(&l, &why), -EINVAL);
	assert_int_equal(why, LEOFS_LAYOUT_BAD_SCHEME);
	assert_non_null(leofs_layout_strerror(why));
	assert_non_null(leofs_layout_strerror(12345));
}

/* ---- the map ------------------------------------------------------------------- */

static struct leofs_map_node nodes[3];
static struct leofs_map_target targets[4];
static struct leofs_map_pool pools[2];
static struct leofs_map_mds mdss[2];
static struct leofs_map_shard shards[3];
static struct leofs_map_override overrides[3];

static void sample_map(struct leofs_map *m)
{
	u32 i;

	memset(m, 0, sizeof(*m));
	memset(nodes, 0, sizeof(nodes));
	memset(targets, 0, sizeof(targets));
	memset(pools, 0, sizeof(pools));
	memset(mdss, 0, sizeof(mdss));
	memset(shards, 0, sizeof(shards));
	m->epoch = 5;
	memset(m->cluster_id, 0xab, 16);
	for (i = 0; i < 3; i++) {
		nodes[i].id = 10 + i;
		nodes[i].state = LEOFS_STATE_UP | LEOFS_STATE_IN;
		nodes[i].addr.family = 4;
		nodes[i].addr.port = 7400;
		nodes[i].addr.addr[0] = 10;
		nodes[i].addr.addr[3] = i + 1;
	}
	/* sorted by (node_id, id); ids interleave across nodes */
	targets[0] = (struct leofs_map_target){ .id = 5, .node_id = 10,
		.weight = LEOFS_WEIGHT_ONE, .tier = LEOFS_TIER_SSD,
		.state = 3 };
	targets[1] = (struct leofs_map_target){ .id = 9, .node_id = 10,
		.weight = LEOFS_WEIGHT_ONE, .tier = LEOFS_TIER_SATA,
		.state = 3 };
	targets[2] = (struct leofs_map_target){ .id = 1, .node_id = 11,
		.weight = 2 * LEOFS_WEIGHT_ONE, .tier = LEOFS_TIER_SATA,
		.state = 1 };
	targets[3] = (struct leofs_map_target){ .id = 6, .node_id = 12,
		.weight = 0, .tier = LEOFS_TIER_SAS, .state = 0 };
	pools[0] = (struct leofs_map_pool){ .id = 1, .tier = LEOFS_TIER_SSD,
		.pg_num = 128, .name = "fast" };
	pools[1] = (struct leofs_map_pool){ .id = 3,
		.tier = LEOFS_TIER_SATA, .pg_num = 1024, .name = "archive" };
	mdss[0] = (struct leofs_map_mds){ .id = 1, .state = 3,
		.addr = { .family = 6, .port = 7300, .addr = { 0xfe, 0x80 } } };
	mdss[1] = (struct leofs_map_mds){ .id = 2, .state = 3,
		.addr = { .family = 4, .port = 7300, .addr = { 127, 0, 0, 1 } } };
	shards[0] = (struct leofs_map_shard){ .id = 0, .weight = 0x10000,
		.primary_mds = 1, .secondary_mds = 2 };
	shards[1] = (struct leofs_map_shard){ .id = 1, .weight = 0x10000,
		.primary_mds = 2, .secondary_mds = 1 };
	shards[2] = (struct leofs_map_shard){ .id = 7, .weight = 0x8000,
		.primary_mds = 1, .secondary_mds = 0 };
	m->nodes = nodes;
	m->node_count = 3;
	m->targets = targets;
	m->target_count = 4;
	m->pools = pools;
	m->pool_count = 2;
	m->mds = mdss;
	m->mds_count = 2;
	m->shards = shards;
	m->shard_count = 3;
	/* sorted by (pool_id, width, pg, rank) */
	overrides[0] = (struct leofs_map_override){ .pool_id = 1, .width = 3,
		.rank = 2, .pg = 7, .target_id = 5 };
	overrides[1] = (struct leofs_map_override){ .pool_id = 1, .width = 3,
		.rank = 0, .pg = 127, .target_id = 6 };
	overrides[2] = (struct leofs_map_override){ .pool_id = 3, .width = 1,
		.rank = 0, .pg = 1023, .target_id = 1 };
	m->overrides = overrides;
	m->override_count = 3;
}

static void make_map_bytes(void)
{
	struct leofs_map m;
	u32 scratch[4];

	sample_map(&m);
	map_len = leofs_map_encode(&m, map_bytes, sizeof(map_bytes), scratch);
	assert_true(map_len > 0);
}

struct map_store {
	struct leofs_map map;
	struct leofs_map_node nodes[8];
	struct leofs_map_target targets[8];
	struct leofs_map_pool pools[8];
	struct leofs_map_mds mds[8];
	struct leofs_map_shard shards[8];
	struct leofs_map_override overrides[8];
	u32 scratch[8];
};

static int decode_map(struct map_store *s, const u8 *buf, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->map.nodes = s->nodes;
	s->map.node_count = 8;
	s->map.targets = s->targets;
	s->map.target_count = 8;
	s->map.pools = s->pools;
	s->map.pool_count = 8;
	s->map.mds = s->mds;
	s->map.mds_count = 8;
	s->map.shards = s->shards;
	s->map.shard_count = 8;
	s->map.overrides = s->overrides;
	s->map.override_count = 8;
	return leofs_map_decode(buf, len, &s->map, s->scratch);
}

static void test_map_round_trip(void **state)
{
	struct map_store s;
	struct leofs_map_counts c;
	struct leofs_map m;
	u32 scratch[4];
	int len, n;

	(void)state;
	sample_map(&m);
	len = leofs_map_encode(&m, enc_buf, BUF_SIZE, scratch);
	assert_int_equal(len, (int)leofs_map_encoded_size(&m));
	assert_int_equal(leofs_map_decode_counts(enc_buf, len, &c), 0);
	assert_int_equal(c.epoch, 5);
	assert_int_equal(c.node_count, 3);
	assert_int_equal(c.target_count, 4);
	assert_int_equal(c.pool_count, 2);
	assert_int_equal(c.mds_count, 2);
	assert_int_equal(c.shard_count, 3);
	assert_int_equal(c.override_count, 3);
	assert_int_equal(decode_map(&s, enc_buf, len), 0);
	assert_int_equal(s.map.override_count, 3);
	assert_memory_equal(s.overrides, overrides, sizeof(overrides));
	assert_memory_equal(s.nodes, nodes, sizeof(nodes));
	assert_memory_equal(s.targets, targets, sizeof(targets));
	assert_memory_equal(s.pools, pools, sizeof(pools));
	assert_memory_equal(s.mds, mdss, sizeof(mdss));
	assert_memory_equal(s.shards, shards, sizeof(shards));
	assert_memory_equal(s.map.cluster_id, m.cluster_id, 16);
	assert_int_equal(leofs_map_encode(&s.map, enc_buf2, BUF_SIZE,
					  s.scratch), len);
	assert_memory_equal(enc_buf, enc_buf2, len);

	/* too small arrays */
	s.map.target_count = 3;
	assert_int_equal(leofs_map_decode(enc_buf, len, &s.map, s.scratch),
			 -ENOSPC);
	decode_map(&s, enc_buf, len);
	s.map.override_count = 2;
	assert_int_equal(leofs_map_decode(enc_buf, len, &s.map, s.scratch),
			 -ENOSPC);
	/* a map without overrides decodes into no override array */
	m.override_count = 0;
	n = leofs_map_encode(&m, enc_buf2, BUF_SIZE, scratch);
	assert_int_equal(n, len - 3 * LEOFS_MAP_OVERRIDE_SIZE);
	s.map.overrides = NULL;
	s.map.override_count = 0;
	assert_int_equal(leofs_map_decode(enc_buf2, n, &s.map, s.scratch), 0);
	m.override_count = 3;
	/* every prefix, and one byte too many */
	for (n = 0; n < len; n++)
		assert_int_equal(decode_map(&s, enc_buf, n), -EBADMSG);
	enc_buf[len] = 0;
	assert_int_equal(decode_map(&s, enc_buf, len + 1), -EBADMSG);
	assert_int_equal(leofs_map_encode(&m, enc_buf, len - 1, scratch),
			 -ENOSPC);
}

/* The encoder refuses a map that the decoder would refuse. */
static void expect_bad_map(struct leofs_map *m)
{
	u32 scratch[8];

	assert_int_equal(leofs_map_encode(m, enc_buf, BUF_SIZE, scratch),
			 -EINVAL);
}

static void test_map_integrity(void **state)
{
	struct leofs_map m;
	struct map_store s;
	u32 scratch[8];
	size_t off;
	int len;

	(void)state;
	sample_map(&m);
	targets[2].node_id = 99;		/* no such node */
	expect_bad_map(&m);
	sample_map(&m);
	targets[3].id = 5;			/* duplicate across nodes */
	expect_bad_map(&m);
	sample_map(&m);
	targets[1].id = 5;			/* duplicate within a node */
	expect_bad_map(&m);
	sample_map(&m);
	targets[0].tier = LEOFS_TIER_COUNT;
	expect_bad_map(&m);
	sample_map(&m);
	nodes[1].id = 10;			/* duplicate node */
	expect_bad_map(&m);
	sample_map(&m);
	pools[1].name[3] = '\t';		/* unprintable */
	expect_bad_map(&m);
	sample_map(&m);
	memset(pools[0].name, 'p', sizeof(pools[0].name));	/* no NUL */
	expect_bad_map(&m);
	sample_map(&m);
	pools[0].name[0] = 0;			/* empty */
	expect_bad_map(&m);
	sample_map(&m);
	pools[0].pg_num = 0;
	expect_bad_map(&m);
	sample_map(&m);
	shards[2].id = 1;			/* unsorted/duplicate */
	expect_bad_map(&m);
	sample_map(&m);
	shards[0].primary_mds = 3;		/* no such mds */
	expect_bad_map(&m);
	sample_map(&m);
	shards[0].secondary_mds = 1;		/* same as primary */
	expect_bad_map(&m);
	sample_map(&m);
	mdss[0].id = 0;
	expect_bad_map(&m);
	sample_map(&m);
	overrides[1] = overrides[0];		/* duplicate */
	expect_bad_map(&m);
	sample_map(&m);
	overrides[1].pg = 6;			/* unsorted */
	expect_bad_map(&m);
	sample_map(&m);
	overrides[0].pool_id = 2;		/* no such pool */
	overrides[1].pool_id = 2;
	expect_bad_map(&m);
	sample_map(&m);
	overrides[1].pg = 128;			/* pg >= pg_num */
	expect_bad_map(&m);
	sample_map(&m);
	overrides[2].width = 0;
	expect_bad_map(&m);
	sample_map(&m);
	overrides[2].width = LEOFS_MAP_MAX_WIDTH + 1;
	expect_bad_map(&m);
	sample_map(&m);
	overrides[0].rank = 3;			/* rank >= width */
	expect_bad_map(&m);
	sample_map(&m);
	overrides[2].target_id = 2;		/* no such target */
	expect_bad_map(&m);
	sample_map(&m);
	overrides[0].reserved = 1;
	expect_bad_map(&m);
	sample_map(&m);
	nodes[0].addr.family = 5;
	expect_bad_map(&m);
	sample_map(&m);
	assert_int_equal(leofs_map_encode(&m, enc_buf, BUF_SIZE, NULL),
			 -EINVAL);

	/* the decoder on poked bytes */
	sample_map(&m);
	len = leofs_map_encode(&m, enc_buf, BUF_SIZE, scratch);
	off = LEOFS_MAP_HDR_SIZE + 3 * LEOFS_MAP_NODE_SIZE +
	      2 * LEOFS_MAP_TARGET_SIZE;	/* targets[2] */
	put_unaligned_le32(99, enc_buf + off + 4);
	assert_int_equal(decode_map(&s, enc_buf, len), -EBADMSG);
	put_unaligned_le32(11, enc_buf + off + 4);
	put_unaligned_le32(5, enc_buf + off);	/* same id as targets[0] */
	assert_int_equal(decode_map(&s, enc_buf, len), -EBADMSG);
	put_unaligned_le32(1, enc_buf + off);
	enc_buf[off + 13] = 1;			/* reserved */
	assert_int_equal(decode_map(&s, enc_buf, len), -EBADMSG);
	enc_buf[off + 13] = 0;
	assert_int_equal(decode_map(&s, enc_buf, len), 0);
	off = LEOFS_MAP_HDR_SIZE + 3 * LEOFS_MAP_NODE_SIZE +
	      4 * LEOFS_MAP_TARGET_SIZE + 12 + 6;	/* after "fast\0" */
	enc_buf[off] = 'x';
	assert_int_equal(decode_map(&s, enc_buf, len), -EBADMSG);
	enc_buf[off] = 0;
	off = len - 3 * LEOFS_MAP_OVERRIDE_SIZE;	/* overrides[0] */
	enc_buf[off + 6] = 1;			/* reserved */
	assert_int_equal(decode_map(&s, enc_buf, len), -EBADMSG);
	enc_buf[off + 6] = 0;
	put_unaligned_le32(4, enc_buf + off + 12);	/* no target 4 */
	assert_int_equal(decode_map(&s, enc_buf, len), -EBADMSG);
	put_unaligned_le32(5, enc_buf + off + 12);
	enc_buf[off + 5] = 3;			/* rank 3 of width 3 */
	assert_int_equal(decode_map(&s, enc_buf, len), -EBADMSG);
	enc_buf[off + 5] = 2;
	assert_int_equal(decode_map(&s, enc_buf, len), 0);

	/* counts beyond the limits */
	put_unaligned_le32(LEOFS_MAP_MAX_NODES + 1, enc_buf + 24);
	assert_int_equal(decode_map(&s, enc_buf, len), -EBADMSG);
	put_unaligned_le32(0xffffffffu, enc_buf + 28);
	assert_int_equal(decode_map(&s, enc_buf, len), -EBADMSG);

	/* the MAP_GET reply refuses map bytes with bad counts or epoch */
	{
		struct leofs_map_reply r = { 0 }, rd;

		fill(LEOFS_OP_MAP_GET, true, &r);
		len = leofs_map_get_reply_encode(&r, enc_buf, BUF_SIZE);
		assert_true(len > 0);
		assert_int_equal(leofs_map_get_reply_decode(&rd, enc_buf, len),
				 0);
		r.epoch = 6;
		assert_int_equal(leofs_map_get_reply_encode(&r, enc_buf,
							    BUF_SIZE), -EINVAL);
		r.epoch = 5;
		r.map.len = 0;	/* requester is up to date */
		len = leofs_map_get_reply_encode(&r, enc_buf, BUF_SIZE);
		assert_int_equal(len, 16);
	}
}

static void test_map_limits(void **state)
{
	struct leofs_map m = { 0 };
	u8 hdr[LEOFS_MAP_HDR_SIZE] = { 0 };
	struct leofs_map_counts c;

	(void)state;
	/* the largest map fits one body */
	m.node_count = LEOFS_MAP_MAX_NODES;
	m.target_count = LEOFS_MAP_MAX_TARGETS;
	m.pool_count = LEOFS_MAP_MAX_POOLS;
	m.mds_count = LEOFS_MAP_MAX_MDS;
	m.shard_count = LEOFS_MAP_MAX_SHARDS;
	m.override_count = LEOFS_MAP_MAX_OVERRIDES;
	assert_true(leofs_map_encoded_size(&m) + 16 <= LEOFS_BODY_MAX);
	/* an empty map is well-formed */
	assert_int_equal(leofs_map_decode_counts(hdr, sizeof(hdr), &c), 0);
	put_unaligned_le32(LEOFS_MAP_MAX_SHARDS + 1, hdr + 40);
	assert_int_equal(leofs_map_decode_counts(hdr, sizeof(hdr), &c),
			 -EBADMSG);
	put_unaligned_le32(0, hdr + 40);
	put_unaligned_le32(LEOFS_MAP_MAX_OVERRIDES + 1, hdr + 44);
	assert_int_equal(leofs_map_decode_counts(hdr, sizeof(hdr), &c),
			 -EBADMSG);
}

/* ---- golden ---------------------------------------------------------------------- */

/* Storage fragment messages: ranges inside the unit, phases, actions. */
static void test_storage_fragment_rules(void **state)
{
	struct leofs_write_fragment_req wf = { 0 }, wfd;
	struct leofs_commit_fragment_req cf = { 0 }, cfd;
	struct leofs_read_fragment_req rf = { 0 };
	int len;

	(void)state;
	fill(LEOFS_OP_WRITE_FRAGMENT, false, &wf);
	wf.offset = 61440;	/* 4196 bytes from 60 KiB: past the 64 KiB unit */
	assert_int_equal(leofs_write_fragment_req_encode(&wf, enc_buf, BUF_SIZE),
			 -EINVAL);
	wf.offset = 4096;
	wf.phase = LEOFS_FRAG_DIRECT;	/* direct writes start at 0 */
	assert_int_equal(leofs_write_fragment_req_encode(&wf, enc_buf, BUF_SIZE),
			 -EINVAL);
	wf.offset = 0;
	assert_true(leofs_write_fragment_req_encode(&wf, enc_buf, BUF_SIZE) > 0);
	wf.stripe_unit = 65536 + 4096;	/* not a power of two */
	assert_int_equal(leofs_write_fragment_req_encode(&wf, enc_buf, BUF_SIZE),
			 -EINVAL);
	wf.stripe_unit = 65536;
	wf.version = 0;
	assert_int_equal(leofs_write_fragment_req_encode(&wf, enc_buf, BUF_SIZE),
			 -EINVAL);
	wf.version = 1;
	len = leofs_write_fragment_req_encode(&wf, enc_buf, BUF_SIZE);
	put_unaligned_le32(3, enc_buf + 60);	/* unknown phase */
	assert_int_equal(leofs_write_fragment_req_decode(&wfd, enc_buf, len),
			 -EPROTO);
	put_unaligned_le32(0, enc_buf + 60);
	assert_int_equal(leofs_write_fragment_req_decode(&wfd, enc_buf, len),
			 -EPROTO);

	fill(LEOFS_OP_COMMIT_FRAGMENT, false, &cf);
	len = leofs_commit_fragment_req_encode(&cf, enc_buf, BUF_SIZE);
	assert_true(len > 0);
	assert_int_equal(leofs_commit_fragment_req_decode(&cfd, enc_buf, len), 0);
	assert_int_equal(cfd.version, 18);
	assert_int_equal(cfd.action, LEOFS_COMMIT);
	put_unaligned_le32(LEOFS_UNDO_NEW, enc_buf + len - 4);
	assert_int_equal(leofs_commit_fragment_req_decode(&cfd, enc_buf, len), 0);
	assert_int_equal(cfd.action, LEOFS_UNDO_NEW);
	put_unaligned_le32(LEOFS_UNDO_NEW + 1, enc_buf + len - 4);
	assert_int_equal(leofs_commit_fragment_req_decode(&cfd, enc_buf, len),
			 -EPROTO);
	cf.action = LEOFS_ABORT;
	cf.stripe_unit = 1024;
	assert_int_equal(leofs_commit_fragment_req_encode(&cf, enc_buf,
							  BUF_SIZE), -EINVAL);
	assert_string_equal(leofs_op_name(LEOFS_OP_COMMIT_FRAGMENT),
			    "COMMIT_FRAGMENT");

	fill(LEOFS_OP_READ_FRAGMENT, false, &rf);
	rf.offset = 131072 - 4096;	/* 64 KiB from there: past the unit */
	assert_int_equal(leofs_read_fragment_req_encode(&rf, enc_buf, BUF_SIZE),
			 -EINVAL);
	rf.offset = 65536;
	rf.flags = LEOFS_READ_PREPARED;
	assert_true(leofs_read_fragment_req_encode(&rf, enc_buf, BUF_SIZE) > 0);
	rf.flags = 0x4;
	assert_int_equal(leofs_read_fragment_req_encode(&rf, enc_buf, BUF_SIZE),
			 -EINVAL);
	/* inside a 64 MiB unit, but more than one message of data */
	rf.flags = 0;
	rf.stripe_unit = LEOFS_STRIPE_UNIT_MAX;
	rf.offset = 0;
	rf.length = LEOFS_MAX_IO + 4096;
	assert_int_equal(leofs_read_fragment_req_encode(&rf, enc_buf, BUF_SIZE),
			 -EINVAL);
	rf.length = LEOFS_MAX_IO;
	assert_true(leofs_read_fragment_req_encode(&rf, enc_buf, BUF_SIZE) > 0);
}

/* Lengths and sizes that no client sends, refused before any work. */
static void test_storage_range_rules(void **state)
{
	struct leofs_degraded_read_req dr = { 0 }, drd;
	struct leofs_truncate_objects_req tr = { 0 }, trd;
	int len;

	(void)state;
	/* DEGRADED_READ: inside a 4 x 64 MiB stripe, at most 16 MiB */
	fill(LEOFS_OP_DEGRADED_READ, false, &dr);
	dr.layout.stripe_unit = LEOFS_STRIPE_UNIT_MAX;
	dr.offset = 0;
	dr.length = LEOFS_MAX_IO + 1;
	assert_int_equal(leofs_degraded_read_req_encode(&dr, enc_buf, BUF_SIZE),
			 -EINVAL);
	dr.length = LEOFS_MAX_IO;
	len = leofs_degraded_read_req_encode(&dr, enc_buf, BUF_SIZE);
	assert_true(len > 0);
	assert_int_equal(leofs_degraded_read_req_decode(&drd, enc_buf, len), 0);
	assert_int_equal(drd.length, LEOFS_MAX_IO);
	/* the length is the last field: as a peer would send it */
	put_unaligned_le32(4 * LEOFS_STRIPE_UNIT_MAX, enc_buf + len - 4);
	assert_int_equal(leofs_degraded_read_req_decode(&drd, enc_buf, len),
			 -EPROTO);

	/* TRUNCATE_OBJECTS: sizes up to 2^63 - 1 */
	fill(LEOFS_OP_TRUNCATE_OBJECTS, false, &tr);
	tr.size = ~0ull >> 1;
	len = leofs_truncate_objects_req_encode(&tr, enc_buf, BUF_SIZE);
	assert_true(len > 0);
	assert_int_equal(leofs_truncate_objects_req_decode(&trd, enc_buf, len),
			 0);
	assert_int_equal(trd.size, ~0ull >> 1);
	tr.size = 1ull << 63;
	assert_int_equal(leofs_truncate_objects_req_encode(&tr, enc_buf,
							   BUF_SIZE), -EINVAL);
	/* the size follows the inode number */
	put_unaligned_le64(~0ull, enc_buf + 8);
	assert_int_equal(leofs_truncate_objects_req_decode(&trd, enc_buf, len),
			 -EPROTO);
}

static void test_golden(void **state)
{
	(void)state;
	assert_int_equal(leofs_proto_golden_check(), 0);
}

/* ---- seed corpora ------------------------------------------------------------------ */

static void write_file(const char *dir, const char *name, const void *p,
		       size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, len, f), len);
	fclose(f);
}

static void test_write_corpus(void **state)
{
	const char *root = getenv("LEOFS_PROTO_CORPUS");
	char dir[400], name[64];
	int i, len;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/proto_msg", root);
	mkdir(dir, 0755);
	for (i = 0; i < nr_kinds; i++) {
		void *m = sample(&kinds[i]);

		/* first byte: index into the fuzzer's kind list */
		enc_buf[0] = i;
		len = encode_kind(&kinds[i], m, enc_buf + 1);
		assert_true(len > 0);
		free(m);
		if (len > 2048)
			continue;	/* keep the corpus small */
		snprintf(name, sizeof(name), "%02d-%s-%s", i,
			 leofs_op_name(kinds[i].op),
			 kinds[i].reply ? "reply" : "req");
		write_file(dir, name, enc_buf, len + 1);
	}
	snprintf(dir, sizeof(dir), "%s/proto_frame", root);
	mkdir(dir, 0755);
	for (i = 0; i < nr_kinds; i += 5) {
		len = build_frame(&kinds[i], i, enc_buf);
		if (len > 2048)
			continue;
		snprintf(name, sizeof(name), "frame-%02d", i);
		write_file(dir, name, enc_buf, len);
	}
	snprintf(dir, sizeof(dir), "%s/proto_map", root);
	mkdir(dir, 0755);
	write_file(dir, "sample", map_bytes, map_len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_opcode_has_samples),
		cmocka_unit_test(test_round_trip_all),
		cmocka_unit_test(test_error_replies),
		cmocka_unit_test(test_fields_and_zero_copy),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_frame_header_corruption),
		cmocka_unit_test(test_frame_header_rules),
		cmocka_unit_test(test_frame_need),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_symlink_limits),
		cmocka_unit_test(test_oversize_counts),
		cmocka_unit_test(test_unacceptable_values),
		cmocka_unit_test(test_status_mapping),
		cmocka_unit_test(test_negotiation),
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_map_round_trip),
		cmocka_unit_test(test_map_integrity),
		cmocka_unit_test(test_map_limits),
		cmocka_unit_test(test_storage_fragment_rules),
		cmocka_unit_test(test_storage_range_rules),
		cmocka_unit_test(test_golden),
	};
	const struct CMUnitTest corpus[] = {
		cmocka_unit_test(test_write_corpus),
	};

	if (getenv("LEOFS_PROTO_CORPUS"))
		return cmocka_run_group_tests(corpus, setup, teardown);
	return cmocka_run_group_tests(tests, setup, teardown);
}
