// SPDX-License-Identifier: GPL-2.0
/*
 * Decode throughput of the hottest leofs frames: header validation, CRC32C
 * over header and body, body decode. Baselines measured in the same run:
 * a plain memcpy of the same bytes for data frames, CRC32C alone for the
 * small metadata frames.
 *
 * Usage: bench_proto [--quick]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "leofs/proto_msg.h"

static double seconds_per_case = 2.0;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void barrier(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

struct bench_frame {
	const char *name;
	u8 *frame;
	size_t len;
	bool data;		/* baseline: memcpy, else CRC32C */
};

static union {
	struct leofs_write_stripe_req ws;
	struct leofs_read_fragment_req rfq;
	struct leofs_read_fragment_reply rfr;
	struct leofs_attr_reply attr;
} msg;

static int decode_frame(const u8 *frame, size_t len)
{
	struct leofs_frame_hdr h;
	int ret;

	ret = leofs_frame_hdr_decode(&h, frame, len);
	if (ret)
		return ret;
	ret = leofs_frame_verify(&h, frame, frame + LEOFS_FRAME_HDR_SIZE);
	if (ret)
		return ret;
	return leofs_msg_decode(h.opcode, h.flags & LEOFS_FLAG_REPLY, &msg,
				leofs_msg_struct_size(h.opcode,
						      h.flags & LEOFS_FLAG_REPLY),
				frame + LEOFS_FRAME_HDR_SIZE, h.body_len);
}

/* Runs fn until the time is up; returns operations per second. */
static double run(const struct bench_frame *b, int mode, u8 *copy)
{
	volatile u32 sink = 0;
	double start = now(), elapsed;
	long ops = 0, i;

	do {
		for (i = 0; i < 16; i++) {
			switch (mode) {
			case 0:
				if (decode_frame(b->frame, b->len)) {
					fprintf(stderr, "%s: decode failed\n",
						b->name);
					exit(1);
				}
				barrier(&msg);
				break;
			case 1:
				memcpy(copy, b->frame, b->len);
				barrier(copy);
				break;
			default:
				sink ^= leofs_crc32c(0, b->frame, b->len);
				break;
			}
		}
		ops += 16;
		elapsed = now() - start;
	} while (elapsed < seconds_per_case);
	(void)sink;
	return ops / elapsed;
}

static void report(const char *name, double value, const char *unit,
		   double baseline)
{
	printf("{\"name\":\"%s\",\"value\":%.1f,\"unit\":\"%s\","
	       "\"baseline\":%.1f,\"ratio\":%.4f}\n",
	       name, value, unit, baseline, value / baseline);
}

static void bench(const struct bench_frame *b)
{
	u8 *copy = malloc(b->len);
	double rate, base, mb = b->len / 1e6;
	char name[96];

	if (!copy)
		exit(1);
	memset(copy, 0, b->len);
	rate = run(b, 0, copy);
	base = run(b, b->data ? 1 : 2, copy);
	snprintf(name, sizeof(name), "proto.decode.%s", b->name);
	report(name, rate * mb, "MB/s", base * mb);
	snprintf(name, sizeof(name), "proto.decode.%s.rate", b->name);
	report(name, rate, "msg/s", base);
	fprintf(stderr, "%-22s %8zu bytes: %12.0f msg/s %10.1f MB/s; %s %10.1f MB/s\n",
		b->name, b->len, rate, rate * mb,
		b->data ? "memcpy" : "crc32c", base * mb);
	free(copy);
}

static struct bench_frame make(const char *name, u16 op, bool reply,
			       const void *m, size_t size, bool data)
{
	struct leofs_frame_hdr h = {
		.version = 1, .opcode = op, .req_id = 1,
		.flags = reply ? LEOFS_FLAG_REPLY : 0,
	};
	struct bench_frame b = { .name = name, .data = data };
	u8 *buf = malloc(LEOFS_FRAME_MAX);
	int len;

	if (!buf)
		exit(1);
	len = leofs_frame_build(buf, LEOFS_FRAME_MAX, &h, m, size);
	if (len < 0) {
		fprintf(stderr, "%s: encode failed: %d\n", name, len);
		exit(1);
	}
	b.frame = buf;
	b.len = len;
	return b;
}

int main(int argc, char **argv)
{
	static u8 data[1 << 20];
	static u8 crcs[4 * 256];
	struct leofs_layout l = {
		.pool_id = 1, .scheme = LEOFS_LAYOUT_EC, .k = 4, .m = 2,
		.stripe_unit = 256 << 10, .stripe_count = 4, .generation = 1,
	};
	struct leofs_write_stripe_req ws = {
		.ino = 0x0001000000001234ull, .slot = 2, .stripe = 17,
		.pg = { .pool_id = 1, .pg = 99, .map_epoch = 12 },
		.layout = l, .data = { .data = data, .len = sizeof(data) },
	};
	struct leofs_read_fragment_req rfq = {
		.ino = 0x0001000000001234ull, .slot = 2, .fragment = 3,
		.target_id = 40, .pg = { .pool_id = 1, .pg = 99, .map_epoch = 12 },
		.stripe = 7, .stripe_unit = 4 << 20,
		.offset = 1 << 20, .length = 256 << 10,
		.flags = LEOFS_READ_WANT_CRCS,
	};
	struct leofs_read_fragment_reply rfr = {
		.status = LEOFS_S_OK, .version = 5,
		.crcs = { .data = crcs, .count = 64 },
		.data = { .data = data, .len = 256 << 10 },
	};
	struct leofs_attr_reply attr = {
		.status = LEOFS_S_OK,
		.attr = {
			.ino = 0x0001000000001234ull,
			.mode = LEOFS_S_IFREG | 0640, .nlink = 1,
			.uid = 1000, .gid = 1000, .size = 540000,
			.blocks = 1056, .generation = 1,
			.mtime = { .sec = 1700000000, .nsec = 5 },
			.layout = l,
		},
	};
	struct bench_frame frames[5];
	size_t i;

	if (argc > 1 && !strcmp(argv[1], "--quick"))
		seconds_per_case = 0.4;
	for (i = 0; i < sizeof(data); i++)
		data[i] = i * 2654435761u >> 24;
	for (i = 0; i < 64; i++)
		put_unaligned_le32(leofs_crc32c(0, data + 4096 * i, 4096),
				   crcs + 4 * i);

	frames[0] = make("write_stripe_1m", LEOFS_OP_WRITE_STRIPE, false, &ws,
			 sizeof(ws), true);
	frames[1] = make("read_fragment_req", LEOFS_OP_READ_FRAGMENT, false,
			 &rfq, sizeof(rfq), false);
	frames[2] = make("read_fragment_reply_256k", LEOFS_OP_READ_FRAGMENT,
			 true, &rfr, sizeof(rfr), true);
	frames[3] = make("lookup_reply", LEOFS_OP_LOOKUP, true, &attr,
			 sizeof(attr), false);
	frames[4] = make("getattr_reply", LEOFS_OP_GETATTR, true, &attr,
			 sizeof(attr), false);
	for (i = 0; i < 5; i++) {
		bench(&frames[i]);
		free(frames[i].frame);
	}
	return 0;
}
