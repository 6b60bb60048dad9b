// SPDX-License-Identifier: GPL-2.0
/*
 * A byte stream of frames, read the way a connection reads it: ask
 * leofs_frame_need() how much more is needed, validate the header, check
 * the CRC, decode the body. A frame whose body decodes must rebuild to the
 * same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "leofs/proto_msg.h"

#define MSG_MAX (64 * 1024)

static u8 msg[MSG_MAX] __attribute__((aligned(16)));

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static void check_frame(const u8 *frame, size_t len)
{
	struct leofs_frame_hdr h;
	size_t msg_size;
	bool reply;
	u8 *out;
	int n;

	if (leofs_frame_hdr_decode(&h, frame, len))
		abort();	/* leofs_frame_need() accepted it */
	if (leofs_frame_verify(&h, frame, frame + LEOFS_FRAME_HDR_SIZE))
		return;
	reply = h.flags & LEOFS_FLAG_REPLY;
	msg_size = leofs_msg_struct_size(h.opcode, reply);
	if (!msg_size) {
		if (leofs_msg_decode(h.opcode, reply, msg, sizeof(msg),
				     frame + LEOFS_FRAME_HDR_SIZE, h.body_len) !=
		    -EOPNOTSUPP)
			abort();
		return;
	}
	if (msg_size > sizeof(msg))
		abort();
	if (leofs_msg_decode(h.opcode, reply, msg, msg_size,
			     frame + LEOFS_FRAME_HDR_SIZE, h.body_len))
		return;
	out = malloc(len);
	if (!out)
		abort();
	n = leofs_frame_build(out, len, &h, msg, msg_size);
	if (n != (int)len || memcmp(out, frame, len))
		abort();
	free(out);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	size_t pos = 0, have;
	long need;

	while (pos < size) {
		/* feed the reader in two steps: header, then the rest */
		have = size - pos < LEOFS_FRAME_HDR_SIZE ? size - pos :
			LEOFS_FRAME_HDR_SIZE;
		need = leofs_frame_need(data + pos, have);
		if (need < 0)
			return 0;	/* the connection would be dropped */
		if (have < LEOFS_FRAME_HDR_SIZE) {
			if (need != (long)(LEOFS_FRAME_HDR_SIZE - have))
				abort();
			return 0;
		}
		if ((size_t)need > size - pos - have)
			return 0;	/* truncated: wait for more */
		have += need;
		if (leofs_frame_need(data + pos, have) != 0)
			abort();
		check_frame(data + pos, have);
		pos += have;
	}
	return 0;
}
