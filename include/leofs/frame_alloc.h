/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace: encode a message into a newly allocated frame. */
#ifndef LEOFS_FRAME_ALLOC_H
#define LEOFS_FRAME_ALLOC_H

#include "leofs/proto.h"

/*
 * Allocates room for a frame of cap bytes: returns the allocation (what is
 * freed) and sets *frame to where the frame bytes go inside it.
 */
typedef void *(*leofs_frame_alloc_fn)(size_t cap, u8 **frame);

/*
 * Encodes msg as a whole frame with header h (body_len and crc are filled
 * in). Allocations grow from 4 KiB until the frame fits, so a frame is
 * at most about twice its size.
 * On success *mem is the allocation and *len the frame length.
 */
int leofs_frame_alloc_build(const struct leofs_frame_hdr *h, const void *msg,
			    size_t msg_size, leofs_frame_alloc_fn alloc,
			    void **mem, size_t *len);
/*
 * The same with the bytes of the message's last BLOB, @tail, left out
 * (leofs_frame_build_head()): *len is the length before them. @tail_crc,
 * if not NULL, is the CRC32C of the tail's bytes, which are then not read.
 */
int leofs_frame_alloc_build_tail(const struct leofs_frame_hdr *h,
				 const void *msg, size_t msg_size,
				 const void *tail, size_t tail_len,
				 const u32 *tail_crc, leofs_frame_alloc_fn alloc,
				 void **mem, size_t *len);

#endif /* LEOFS_FRAME_ALLOC_H */
