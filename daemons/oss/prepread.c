// SPDX-License-Identifier: GPL-2.0
/* Reading the prepared (staged, not yet committed) version of a fragment. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int oss_stripe_read_prepared(struct oss_target *t, const struct oss_obj_id *obj,
			     u32 unit, u64 stripe, u32 off, u32 len, void *buf,
			     struct oss_stripe_info *info)
{
	struct oss_stage st;
	u32 first, end, b, from, to;
	u8 *out = buf;
	int r;

	/* the committed bytes, under which the stage was merged */
	r = oss_stripe_read(t, obj, unit, stripe, off, len, buf, info);
	if (r)
		return r;
	oss_lock_object(t, obj, false);
	oss_lock_stripe(t, obj, stripe, false);
	r = oss_stage_read(t, obj, stripe, OSS_STAGE_PREPARED, false, &st);
	oss_unlock_stripe(t, obj, stripe);
	oss_unlock_object(t, obj);
	if (r)
		return r;
	if (st.base_version != info->version || st.unit != unit) {
		/* committed state moved since the read above: retry later */
		oss_stage_free(&st);
		return -EAGAIN;
	}
	/* staged blocks replace theirs; past the new length reads zeros */
	first = st.first * OSS_BLOCK_SIZE;
	end = first + st.nblk * OSS_BLOCK_SIZE;
	for (b = off; b < off + len; b = to) {
		to = (b / OSS_BLOCK_SIZE + 1) * OSS_BLOCK_SIZE;
		if (to > off + len)
			to = off + len;
		if (b >= st.new_len)
			memset(out + (b - off), 0, to - b);
		else if (b >= first && b < end) {
			from = b - first;
			memcpy(out + (b - off), st.data + from, to - b);
		}
	}
	info->prepared = st.version;
	info->crc_known = false; /* the staged bytes replaced some */
	oss_stage_free(&st);
	return 0;
}
