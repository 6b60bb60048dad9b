// SPDX-License-Identifier: GPL-2.0
/*
 * Golden wire vectors. Each vector is built from fixed values, encoded and
 * compared byte for byte with the checked-in frame; the checked-in frame is
 * then decoded (header, CRC, body), checked field by field and re-encoded.
 * Freestanding and small-stack, like lib/proto, so it also runs in-kernel.
 */
#include "leofs/proto_msg.h"
#include "proto_golden.h"
#include "proto_vectors.h"

#define FRAME_BUF 160

static const u8 cluster_id[16] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};

static const u8 fragment_data[16] = "DICM leofs test";

/*
 * Encodes msg as a frame and compares it with vec, then decodes vec's
 * header and CRC and the body into out. Returns the number of mismatches.
 */
static int check_frame(const u8 *vec, size_t vec_len,
		       const struct leofs_frame_hdr *h, const void *msg,
		       void *out, size_t msg_size, u8 *buf)
{
	struct leofs_frame_hdr got;
	int len, bad = 0;

	len = leofs_frame_build(buf, FRAME_BUF, h, msg, msg_size);
	if (len != (int)vec_len || memcmp(buf, vec, vec_len))
		bad++;
	if (leofs_frame_need(vec, vec_len) != 0)
		bad++;
	if (leofs_frame_hdr_decode(&got, vec, vec_len) ||
	    leofs_frame_verify(&got, vec, vec + LEOFS_FRAME_HDR_SIZE))
		return bad + 1;
	if (got.opcode != h->opcode || got.flags != h->flags ||
	    got.req_id != h->req_id || got.version != h->version ||
	    got.body_len != vec_len - LEOFS_FRAME_HDR_SIZE)
		bad++;
	if (leofs_msg_decode(got.opcode, got.flags & LEOFS_FLAG_REPLY, out,
			     msg_size, vec + LEOFS_FRAME_HDR_SIZE,
			     got.body_len))
		return bad + 1;
	/* decoded then re-encoded: the same bytes */
	len = leofs_frame_build(buf, FRAME_BUF, &got, out, msg_size);
	if (len != (int)vec_len || memcmp(buf, vec, vec_len))
		bad++;
	return bad;
}

static int golden_hello(void)
{
	struct leofs_frame_hdr h = {
		.version = 1, .opcode = LEOFS_OP_HELLO, .req_id = 1,
	};
	struct leofs_hello_req m = {
		.version_min = 1, .version_max = 1,
		.peer_kind = LEOFS_PEER_CLIENT,
		.features = LEOFS_FEAT_BLOCK_CRC | LEOFS_FEAT_MAP_PUSH,
	};
	struct leofs_hello_req got;
	u8 buf[FRAME_BUF];
	int bad;

	memcpy(m.cluster_id, cluster_id, 16);
	bad = check_frame(golden_hello_req, sizeof(golden_hello_req), &h, &m,
			  &got, sizeof(got), buf);
	if (got.version_max != 1 || got.peer_kind != LEOFS_PEER_CLIENT ||
	    got.features != m.features || memcmp(got.cluster_id, cluster_id, 16))
		bad++;
	return bad;
}

static int golden_lookup(void)
{
	static const struct leofs_frame_hdr h = {
		.version = 1, .opcode = LEOFS_OP_LOOKUP, .req_id = 2,
	};
	static const struct leofs_name_req m = {
		.creds = {
			.uid = 1000, .gid = 1000,
			.ngroups = 2, .groups = { 10, 27 },
		},
		.parent = 0x0001000000000001ull,
		.name = { .data = "IM0001.dcm", .len = 10 },
	};
	struct leofs_name_req got;
	u8 buf[FRAME_BUF];
	int bad;

	bad = check_frame(golden_lookup_req, sizeof(golden_lookup_req), &h,
			  &m, &got, sizeof(got), buf);
	if (got.creds.ngroups != 2 || got.creds.groups[1] != 27 ||
	    got.parent != m.parent || got.name.len != 10 ||
	    memcmp(got.name.data, "IM0001.dcm", 10))
		bad++;
	return bad;
}

static int golden_getattr(void)
{
	static const struct leofs_frame_hdr h = {
		.version = 1, .opcode = LEOFS_OP_GETATTR,
		.flags = LEOFS_FLAG_REPLY, .req_id = 3,
	};
	static const struct leofs_attr_reply m = {
		.status = LEOFS_S_OK,
		.attr = {
			.ino = 0x0001000000000002ull,
			.mode = LEOFS_S_IFREG | 0640,
			.nlink = 1, .uid = 1000, .gid = 1000,
			.size = 524288, .blocks = 1024,
			.atime = { .sec = 1700000000, .nsec = 123456789 },
			.mtime = { .sec = 1700000000, .nsec = 123456789 },
			.ctime = { .sec = 1700000000, .nsec = 123456789 },
			.generation = 7,
			.layout = {
				.pool_id = 1, .scheme = LEOFS_LAYOUT_EC,
				.k = 4, .m = 2, .stripe_unit = 65536,
				.stripe_count = 1, .generation = 1,
			},
		},
	};
	struct leofs_attr_reply got;
	u8 buf[FRAME_BUF];
	int bad;

	bad = check_frame(golden_getattr_reply, sizeof(golden_getattr_reply),
			  &h, &m, &got, sizeof(got), buf);
	if (got.attr.ino != m.attr.ino || got.attr.mode != m.attr.mode ||
	    got.attr.size != 524288 || got.attr.mtime.nsec != 123456789 ||
	    got.attr.layout.k != 4 || got.attr.layout.stripe_unit != 65536)
		bad++;
	return bad;
}

static int golden_write_fragment(void)
{
	struct leofs_frame_hdr h = {
		.version = 1, .opcode = LEOFS_OP_WRITE_FRAGMENT, .req_id = 4,
	};
	struct leofs_write_fragment_req m = {
		.ino = 0x0001000000000002ull, .slot = 0, .fragment = 5,
		.target_id = 12,
		.pg = { .pool_id = 1, .pg = 42, .map_epoch = 9 },
		.stripe = 2, .stripe_unit = 4096, .offset = 0, .version = 3,
		.phase = LEOFS_FRAG_DIRECT,
		.data = { .data = fragment_data, .len = 16 },
	};
	struct leofs_write_fragment_req got;
	u8 crc[4];
	u8 buf[FRAME_BUF];
	int bad;

	put_unaligned_le32(leofs_crc32c(0, fragment_data, 16), crc);
	m.crcs.data = crc;
	m.crcs.count = 1;
	bad = check_frame(golden_write_fragment_req,
			  sizeof(golden_write_fragment_req), &h, &m, &got,
			  sizeof(got), buf);
	if (got.fragment != 5 || got.pg.pg != 42 || got.data.len != 16 ||
	    memcmp(got.data.data, fragment_data, 16) ||
	    leofs_le32s_get(&got.crcs, 0) != leofs_crc32c(0, fragment_data, 16))
		bad++;
	return bad;
}

static int golden_unlink_error(void)
{
	struct leofs_frame_hdr h = {
		.version = 1, .opcode = LEOFS_OP_UNLINK,
		.flags = LEOFS_FLAG_REPLY, .req_id = 5,
	};
	struct leofs_status_reply m = { .status = LEOFS_S_NOTEMPTY };
	struct leofs_status_reply got;
	u8 buf[FRAME_BUF];
	int bad;

	bad = check_frame(golden_unlink_reply, sizeof(golden_unlink_reply),
			  &h, &m, &got, sizeof(got), buf);
	if (leofs_status_to_errno(got.status) != -ENOTEMPTY)
		bad++;
	return bad;
}

int leofs_proto_golden_check(void)
{
	int bad = 0;

	/* the standard CRC32C check value */
	if (leofs_crc32c(0, "123456789", 9) != 0xe3069283)
		bad++;
	bad += golden_hello();
	bad += golden_lookup();
	bad += golden_getattr();
	bad += golden_write_fragment();
	bad += golden_unlink_error();
	return -bad;
}
