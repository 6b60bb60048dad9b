// SPDX-License-Identifier: GPL-2.0
/*
 * Every message decoder on arbitrary bodies. The first input byte picks
 * the (opcode, request/reply) pair, in the order of opcode then request
 * before reply; the rest is the body. Whatever decodes must re-encode to
 * the very same bytes (encodings are canonical) and decode again.
 */
#include <stdlib.h>
#include <string.h>

#include "leofs/proto_msg.h"

struct kind {
	u16 op;
	bool reply;
};

static struct kind kinds[128];
static int nr_kinds;
static void *msg;
static void *msg2;
static size_t msg_max;

static void init(void)
{
	size_t size;
	u32 op;
	int r;

	for (op = 0; op < 0x300; op++)
		for (r = 0; r < 2; r++) {
			size = leofs_msg_struct_size(op, r);
			if (!size)
				continue;
			kinds[nr_kinds].op = op;
			kinds[nr_kinds].reply = r;
			nr_kinds++;
			if (size > msg_max)
				msg_max = size;
		}
	msg = malloc(msg_max);
	msg2 = malloc(msg_max);
	if (!msg || !msg2)
		abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	const struct kind *k;
	size_t msg_size, body_len;
	const u8 *body;
	u8 *out;
	int len;

	if (!nr_kinds)
		init();
	if (!size)
		return 0;
	k = &kinds[data[0] % nr_kinds];
	body = data + 1;
	body_len = size - 1;
	msg_size = leofs_msg_struct_size(k->op, k->reply);

	if (leofs_msg_decode(k->op, k->reply, msg, msg_size, body, body_len))
		return 0;
	out = malloc(body_len ? body_len : 1);
	if (!out)
		abort();
	len = leofs_msg_encode(k->op, k->reply, msg, msg_size, out, body_len);
	if (len != (int)body_len || memcmp(out, body, body_len))
		abort();
	if (leofs_msg_decode(k->op, k->reply, msg2, msg_size, out, len))
		abort();
	len = leofs_msg_encode(k->op, k->reply, msg2, msg_size, out, body_len);
	if (len != (int)body_len || memcmp(out, body, body_len))
		abort();
	free(out);
	return 0;
}
