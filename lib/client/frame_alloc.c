// SPDX-License-Identifier: GPL-2.0
/* Encode a message into a newly allocated frame (leofs/frame_alloc.h). */
#include "leofs/bigbuf.h"
#include "leofs/crc.h"
#include "leofs/frame_alloc.h"

int leofs_frame_alloc_build_tail(const struct leofs_frame_hdr *h,
				 const void *msg, size_t msg_size,
				 const void *tail, size_t tail_len,
				 const u32 *tail_crc, leofs_frame_alloc_fn alloc,
				 void **mem, size_t *len)
{
	/*
	 * Growing tries: a failed one stops at the first field that does
	 * not fit, before copying it, so it is cheap; a frame that fits
	 * closely keeps recycled buffers (leofs/bigbuf.h) small.
	 */
	static const size_t caps[] = {
		4096,
		64 << 10,
		(256 << 10) + 4096,
		(1 << 20) + 65536,
		(2 << 20) + 65536,
		(4 << 20) + 65536,
		(8 << 20) + 65536,
		LEOFS_FRAME_MAX,
	};
	int ret = -ENOSPC;
	size_t i;
	void *m = NULL;
	u8 *frame;
	u32 crc;

	for (i = 0; i < ARRAY_SIZE(caps) && ret == -ENOSPC; i++) {
		m = alloc(caps[i], &frame);
		if (!m)
			return -ENOMEM;
		ret = leofs_frame_build_head(frame, caps[i], h, msg, msg_size,
					     tail, tail_len, &crc);
		if (ret < 0)
			leofs_bigbuf_put(m);
	}
	if (ret < 0)
		return ret;
	if (tail_crc)
		crc = leofs_crc32c_combine(crc, *tail_crc, tail_len);
	else if (tail_len)
		crc = leofs_crc32c(crc, tail, tail_len);
	leofs_frame_set_crc(frame, crc);
	*mem = m;
	*len = (size_t)ret;
	return 0;
}

int leofs_frame_alloc_build(const struct leofs_frame_hdr *h, const void *msg,
			    size_t msg_size, leofs_frame_alloc_fn alloc,
			    void **mem, size_t *len)
{
	return leofs_frame_alloc_build_tail(h, msg, msg_size, NULL, 0, NULL,
					    alloc, mem, len);
}
