// SPDX-License-Identifier: GPL-2.0
/* Encode a message into a newly allocated frame (leofs/frame_alloc.h). */
#include <stdlib.h>

#include "leofs/frame_alloc.h"

int leofs_frame_alloc_build(const struct leofs_frame_hdr *h, const void *msg,
			    size_t msg_size, leofs_frame_alloc_fn alloc,
			    void **mem, size_t *len)
{
	static const size_t caps[] = { 4096, LEOFS_FRAME_MAX };
	int ret = -ENOSPC;
	size_t i;
	void *m = NULL;
	u8 *frame;

	for (i = 0; i < ARRAY_SIZE(caps) && ret == -ENOSPC; i++) {
		m = alloc(caps[i], &frame);
		if (!m)
			return -ENOMEM;
		ret = leofs_frame_build(frame, caps[i], h, msg, msg_size);
		if (ret < 0)
			free(m);
	}
	if (ret < 0)
		return ret;
	*mem = m;
	*len = (size_t)ret;
	return 0;
}
