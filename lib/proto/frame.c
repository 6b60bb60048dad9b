// SPDX-License-Identifier: GPL-2.0
/* The frame header, its CRC32C, and the stream reader helper. */
#include "leofs/proto_msg.h"

#define HDR_CRC_OFF	24

void leofs_frame_hdr_encode(const struct leofs_frame_hdr *h, void *buf)
{
	u8 *p = buf;

	put_unaligned_le32(LEOFS_PROTO_MAGIC, p);
	put_unaligned_le16(h->version, p + 4);
	put_unaligned_le16(h->opcode, p + 6);
	put_unaligned_le32(h->flags, p + 8);
	put_unaligned_le32(h->body_len, p + 12);
	put_unaligned_le64(h->req_id, p + 16);
	put_unaligned_le32(h->crc, p + HDR_CRC_OFF);
	put_unaligned_le32(0, p + 28);
}

int leofs_frame_hdr_decode(struct leofs_frame_hdr *h, const void *buf,
			   size_t len)
{
	const u8 *p = buf;

	if (len < LEOFS_FRAME_HDR_SIZE)
		return -EBADMSG;
	if (get_unaligned_le32(p) != LEOFS_PROTO_MAGIC)
		return -EBADMSG;
	h->body_len = get_unaligned_le32(p + 12);
	if (h->body_len > LEOFS_BODY_MAX)
		return -EBADMSG;
	if (get_unaligned_le32(p + 28))
		return -EBADMSG;
	h->version = get_unaligned_le16(p + 4);
	h->opcode = get_unaligned_le16(p + 6);
	h->flags = get_unaligned_le32(p + 8);
	h->req_id = get_unaligned_le64(p + 16);
	h->crc = get_unaligned_le32(p + HDR_CRC_OFF);
	/* HELLO is always framed as version 1, so any two builds can talk. */
	if ((h->version < LEOFS_PROTO_VERSION_MIN ||
	     h->version > LEOFS_PROTO_VERSION_MAX) &&
	    !(h->opcode == LEOFS_OP_HELLO && h->version == 1))
		return -EPROTO;
	if (h->flags & ~LEOFS_FLAGS_KNOWN)
		return -EPROTO;
	if ((h->flags & LEOFS_FLAGS_KNOWN) == LEOFS_FLAGS_KNOWN)
		return -EPROTO;
	return 0;
}

u32 leofs_frame_crc(const void *hdr, const void *body, size_t body_len)
{
	static const u8 zero[4];
	u32 crc;

	crc = leofs_crc32c(0, hdr, HDR_CRC_OFF);
	crc = leofs_crc32c(crc, zero, sizeof(zero));
	crc = leofs_crc32c(crc, (const u8 *)hdr + HDR_CRC_OFF + 4,
			   LEOFS_FRAME_HDR_SIZE - HDR_CRC_OFF - 4);
	return leofs_crc32c(crc, body, body_len);
}

void leofs_frame_seal(void *hdr, const void *body, size_t body_len)
{
	leofs_frame_set_crc(hdr, leofs_frame_crc(hdr, body, body_len));
}

int leofs_frame_verify(const struct leofs_frame_hdr *h, const void *hdr,
		       const void *body)
{
	return leofs_frame_verify_split(h, hdr, body, h->body_len, NULL, 0);
}

int leofs_frame_verify_split(const struct leofs_frame_hdr *h, const void *hdr,
			     const void *body, size_t len, const void *tail,
			     size_t tail_len)
{
	u32 crc = leofs_frame_crc(hdr, body, len);

	if (len + tail_len != h->body_len)
		return -EBADMSG;
	if (tail_len)
		crc = leofs_crc32c(crc, tail, tail_len);
	return crc == h->crc ? 0 : -EBADMSG;
}

long leofs_frame_need(const void *buf, size_t have)
{
	struct leofs_frame_hdr h;
	size_t total;
	int ret;

	if (have < LEOFS_FRAME_HDR_SIZE)
		return LEOFS_FRAME_HDR_SIZE - have;
	ret = leofs_frame_hdr_decode(&h, buf, have);
	if (ret)
		return ret;
	total = LEOFS_FRAME_HDR_SIZE + (size_t)h.body_len;
	return have >= total ? 0 : (long)(total - have);
}

int leofs_frame_build_head(void *buf, size_t cap,
			   const struct leofs_frame_hdr *h, const void *msg,
			   size_t msg_size, const void *tail, size_t tail_len,
			   u32 *head_crc)
{
	struct leofs_frame_hdr hdr = *h;
	u8 *p = buf;
	int len;

	if (cap < LEOFS_FRAME_HDR_SIZE)
		return -ENOSPC;
	len = leofs_msg_encode_tail(h->opcode, h->flags & LEOFS_FLAG_REPLY,
				    msg, msg_size, p + LEOFS_FRAME_HDR_SIZE,
				    cap - LEOFS_FRAME_HDR_SIZE, tail, tail_len);
	if (len < 0)
		return len;
	hdr.body_len = (u32)(len + tail_len);
	hdr.crc = 0;
	leofs_frame_hdr_encode(&hdr, p);
	*head_crc = leofs_frame_crc(p, p + LEOFS_FRAME_HDR_SIZE, len);
	return LEOFS_FRAME_HDR_SIZE + len;
}

void leofs_frame_set_crc(void *hdr, u32 crc)
{
	put_unaligned_le32(crc, (u8 *)hdr + HDR_CRC_OFF);
}

int leofs_frame_build(void *buf, size_t cap, const struct leofs_frame_hdr *h,
		      const void *msg, size_t msg_size)
{
	u32 crc;
	int len;

	len = leofs_frame_build_head(buf, cap, h, msg, msg_size, NULL, 0, &crc);
	if (len >= 0)
		leofs_frame_set_crc(buf, crc);
	return len;
}
