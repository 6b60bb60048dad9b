/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The table-driven message codec, internal to lib/proto. Each body shape
 * is a table of field descriptors; codec.c walks it to encode or decode,
 * msgs.c holds the tables and maps opcodes to them.
 */
#ifndef LEOFS_PROTO_CODEC_H
#define LEOFS_PROTO_CODEC_H

#include "leofs/proto_msg.h"

enum leofs_field_type {
	LEOFS_FT_U8,		/* u8 */
	LEOFS_FT_U16,		/* u16 */
	LEOFS_FT_U32,		/* u32 */
	LEOFS_FT_U64,		/* u64 (or s64) */
	LEOFS_FT_ENUM8,		/* u8, must be < max, else -EPROTO */
	LEOFS_FT_ENUM32,	/* u32, must be < max, else -EPROTO */
	LEOFS_FT_FLAGS32,	/* u32, no bit outside max, else -EPROTO */
	LEOFS_FT_BOOL32,	/* u32, 0 or 1, else -EBADMSG */
	LEOFS_FT_PAD,		/* max zero bytes on the wire, not stored */
	LEOFS_FT_ID16,		/* u8[16] */
	LEOFS_FT_NAME,		/* leofs_buf, u16 length, leofs_name_check() */
	LEOFS_FT_XNAME,		/* leofs_buf, u16 length, xattr name */
	LEOFS_FT_SYMLINK,	/* leofs_buf, u16 length, symlink target */
	LEOFS_FT_BLOB,		/* leofs_buf, u32 length <= max */
	LEOFS_FT_XLIST,		/* leofs_buf, u32 length <= max, xattr list */
	LEOFS_FT_LE32S,		/* leofs_le32s, u32 count <= max */
	LEOFS_FT_U32S,		/* inline u32[max] at off, u32 count at aux */
	LEOFS_FT_STRUCT,	/* nested struct described by sub */
	LEOFS_FT_STRUCTS,	/* inline sub[max] at off, u32 count at aux */
	LEOFS_FT_STATUS,	/* u32; if not OK the body ends here */
};

struct leofs_msg_desc;

struct leofs_field {
	u8 type;
	u32 off;		/* of the value in the struct */
	u32 aux;		/* of the count, for U32S and STRUCTS */
	u32 max;		/* limit, enum bound or flag mask */
	const struct leofs_msg_desc *sub;
};

struct leofs_msg_desc {
	const struct leofs_field *fields;
	u32 nr_fields;
	u32 size;		/* sizeof the struct */
	/* cross-field rules: 0, -EBADMSG or -EPROTO */
	int (*check)(const void *msg);
};

int leofs_codec_encode(const struct leofs_msg_desc *d, const void *msg,
		       void *buf, size_t cap);
int leofs_codec_decode(const struct leofs_msg_desc *d, void *msg,
		       const void *buf, size_t len);
/*
 * Encode a message whose last field is a BLOB pointing at @tail, of
 * @tail_len bytes, without those bytes: they follow what is written.
 * Returns the bytes written; -EINVAL if that BLOB is not the last field.
 */
int leofs_codec_encode_tail(const struct leofs_msg_desc *d, const void *msg,
			    void *buf, size_t cap, const void *tail,
			    size_t tail_len);
/*
 * Decode a message whose last field is a BLOB of exactly @tail_len bytes
 * kept apart from the rest (in @tail, which the BLOB then points at).
 */
int leofs_codec_decode_tail(const struct leofs_msg_desc *d, void *msg,
			    const void *buf, size_t len, const void *tail,
			    size_t tail_len);

#endif /* LEOFS_PROTO_CODEC_H */
