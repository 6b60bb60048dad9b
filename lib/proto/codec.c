// SPDX-License-Identifier: GPL-2.0
/*
 * The table-driven body codec: walks a struct leofs_msg_desc to encode a
 * struct into bytes or decode bytes into a struct. Both directions apply
 * the same rules, so whatever encodes also decodes, to the same bytes.
 */
#include "codec.h"

struct reader {
	const u8 *p;
	size_t len;
	size_t pos;
	const u8 *tail;		/* the last BLOB's bytes, kept apart */
	size_t tail_len;
	bool tail_used;
};

struct writer {
	u8 *p;
	size_t cap;
	size_t pos;
	const void *tail;	/* the last BLOB's bytes, left out */
	size_t tail_len;
	size_t tail_at;		/* pos after its length; 0: not met */
};

static bool rd_has(const struct reader *r, size_t n)
{
	return r->len - r->pos >= n;
}

static const u8 *rd_take(struct reader *r, size_t n)
{
	const u8 *p = r->p + r->pos;

	r->pos += n;
	return p;
}

static u8 *wr_take(struct writer *w, size_t n)
{
	u8 *p;

	if (w->cap - w->pos < n)
		return NULL;
	p = w->p + w->pos;
	w->pos += n;
	return p;
}

/* Rules on scalar values shared by both directions. */
static int check_scalar(const struct leofs_field *f, u32 v)
{
	switch (f->type) {
	case LEOFS_FT_ENUM8:
	case LEOFS_FT_ENUM32:
		return v < f->max ? 0 : -EPROTO;
	case LEOFS_FT_FLAGS32:
		return v & ~f->max ? -EPROTO : 0;
	case LEOFS_FT_BOOL32:
		return v > 1 ? -EBADMSG : 0;
	default:
		return 0;
	}
}

/* Rules on variable bytes shared by both directions. */
static int check_bytes(const struct leofs_field *f, const void *p, u32 len)
{
	switch (f->type) {
	case LEOFS_FT_NAME:
		return leofs_name_check(p, len) ? -EBADMSG : 0;
	case LEOFS_FT_XNAME:
		return leofs_xattr_name_check(p, len) ? -EBADMSG : 0;
	case LEOFS_FT_SYMLINK:
		return leofs_symlink_check(p, len) ? -EBADMSG : 0;
	case LEOFS_FT_XLIST:
		if (len > f->max)
			return -EBADMSG;
		return leofs_xattr_list_check(p, len) ? -EBADMSG : 0;
	default:
		return len > f->max ? -EBADMSG : 0;
	}
}

static bool is_short_string(u8 type)
{
	return type == LEOFS_FT_NAME || type == LEOFS_FT_XNAME ||
	       type == LEOFS_FT_SYMLINK;
}

/* ---- decode ------------------------------------------------------------- */

static int decode_struct(const struct leofs_msg_desc *d, u8 *m,
			 struct reader *r);

static int decode_field(const struct leofs_field *f, u8 *m, struct reader *r)
{
	void *v = m + f->off;
	struct leofs_buf *b = v;
	struct leofs_le32s *a = v;
	const u8 *p;
	u32 x, n, i;
	int ret;

	switch (f->type) {
	case LEOFS_FT_U8:
	case LEOFS_FT_ENUM8:
		if (!rd_has(r, 1))
			return -EBADMSG;
		x = *rd_take(r, 1);
		ret = check_scalar(f, x);
		if (ret)
			return ret;
		*(u8 *)v = x;
		return 0;
	case LEOFS_FT_U16:
		if (!rd_has(r, 2))
			return -EBADMSG;
		*(u16 *)v = get_unaligned_le16(rd_take(r, 2));
		return 0;
	case LEOFS_FT_U32:
	case LEOFS_FT_ENUM32:
	case LEOFS_FT_FLAGS32:
	case LEOFS_FT_BOOL32:
		if (!rd_has(r, 4))
			return -EBADMSG;
		x = get_unaligned_le32(rd_take(r, 4));
		ret = check_scalar(f, x);
		if (ret)
			return ret;
		*(u32 *)v = x;
		return 0;
	case LEOFS_FT_U64:
		if (!rd_has(r, 8))
			return -EBADMSG;
		*(u64 *)v = get_unaligned_le64(rd_take(r, 8));
		return 0;
	case LEOFS_FT_PAD:
		if (!rd_has(r, f->max))
			return -EBADMSG;
		p = rd_take(r, f->max);
		for (i = 0; i < f->max; i++)
			if (p[i])
				return -EBADMSG;
		return 0;
	case LEOFS_FT_ID16:
		if (!rd_has(r, 16))
			return -EBADMSG;
		memcpy(v, rd_take(r, 16), 16);
		return 0;
	case LEOFS_FT_NAME:
	case LEOFS_FT_XNAME:
	case LEOFS_FT_SYMLINK:
	case LEOFS_FT_BLOB:
	case LEOFS_FT_XLIST:
		if (is_short_string(f->type)) {
			if (!rd_has(r, 2))
				return -EBADMSG;
			n = get_unaligned_le16(rd_take(r, 2));
		} else {
			if (!rd_has(r, 4))
				return -EBADMSG;
			n = get_unaligned_le32(rd_take(r, 4));
		}
		if (r->tail && !r->tail_used && r->pos == r->len &&
		    f->type == LEOFS_FT_BLOB && n == r->tail_len) {
			p = r->tail;
			r->tail_used = true;
		} else if (rd_has(r, n)) {
			p = rd_take(r, n);
		} else {
			return -EBADMSG;
		}
		ret = check_bytes(f, p, n);
		if (ret)
			return ret;
		b->data = p;
		b->len = n;
		return 0;
	case LEOFS_FT_LE32S:
		if (!rd_has(r, 4))
			return -EBADMSG;
		n = get_unaligned_le32(rd_take(r, 4));
		if (n > f->max || !rd_has(r, (size_t)n * 4))
			return -EBADMSG;
		a->data = rd_take(r, (size_t)n * 4);
		a->count = n;
		return 0;
	case LEOFS_FT_U32S:
		if (!rd_has(r, 4))
			return -EBADMSG;
		n = get_unaligned_le32(rd_take(r, 4));
		if (n > f->max || !rd_has(r, (size_t)n * 4))
			return -EBADMSG;
		for (i = 0; i < n; i++)
			((u32 *)v)[i] = get_unaligned_le32(rd_take(r, 4));
		*(u32 *)(m + f->aux) = n;
		return 0;
	case LEOFS_FT_STRUCT:
		return decode_struct(f->sub, v, r);
	case LEOFS_FT_STRUCTS:
		if (!rd_has(r, 4))
			return -EBADMSG;
		n = get_unaligned_le32(rd_take(r, 4));
		if (n > f->max)
			return -EBADMSG;
		for (i = 0; i < n; i++) {
			ret = decode_struct(f->sub, (u8 *)v + i * f->sub->size,
					    r);
			if (ret)
				return ret;
		}
		*(u32 *)(m + f->aux) = n;
		return 0;
	default:
		return -EBADMSG;
	}
}

/* Returns 1 when a non-OK status ended the body. */
static int decode_struct(const struct leofs_msg_desc *d, u8 *m,
			 struct reader *r)
{
	u32 i, status;
	int ret;

	for (i = 0; i < d->nr_fields; i++) {
		const struct leofs_field *f = &d->fields[i];

		if (f->type == LEOFS_FT_STATUS) {
			if (!rd_has(r, 4))
				return -EBADMSG;
			status = get_unaligned_le32(rd_take(r, 4));
			*(u32 *)(m + f->off) = status;
			if (status != LEOFS_S_OK)
				return r->pos == r->len ? 1 : -EBADMSG;
			continue;
		}
		ret = decode_field(f, m, r);
		if (ret)
			return ret;
	}
	return d->check ? d->check(m) : 0;
}

static int decode(const struct leofs_msg_desc *d, void *msg, struct reader *r)
{
	int ret;

	memset(msg, 0, d->size);
	if (!r->p && r->len)
		return -EBADMSG;
	ret = decode_struct(d, msg, r);
	if (ret < 0)
		return ret;
	if (r->pos != r->len || (r->tail && !r->tail_used))
		return -EBADMSG;
	return 0;
}

int leofs_codec_decode(const struct leofs_msg_desc *d, void *msg,
		       const void *buf, size_t len)
{
	struct reader r = { .p = buf, .len = len };

	return decode(d, msg, &r);
}

int leofs_codec_decode_tail(const struct leofs_msg_desc *d, void *msg,
			    const void *buf, size_t len, const void *tail,
			    size_t tail_len)
{
	struct reader r = { .p = buf, .len = len,
			    .tail = tail_len ? tail : NULL,
			    .tail_len = tail_len };

	return decode(d, msg, &r);
}

/* ---- encode ------------------------------------------------------------- */

static int encode_struct(const struct leofs_msg_desc *d, const u8 *m,
			 struct writer *w);

static int encode_field(const struct leofs_field *f, const u8 *m,
			struct writer *w)
{
	const void *v = m + f->off;
	const struct leofs_buf *b = v;
	const struct leofs_le32s *a = v;
	u32 x, n, i;
	u8 *p;
	int ret;

	switch (f->type) {
	case LEOFS_FT_U8:
	case LEOFS_FT_ENUM8:
		x = *(const u8 *)v;
		if (check_scalar(f, x))
			return -EINVAL;
		p = wr_take(w, 1);
		if (!p)
			return -ENOSPC;
		*p = x;
		return 0;
	case LEOFS_FT_U16:
		p = wr_take(w, 2);
		if (!p)
			return -ENOSPC;
		put_unaligned_le16(*(const u16 *)v, p);
		return 0;
	case LEOFS_FT_U32:
	case LEOFS_FT_ENUM32:
	case LEOFS_FT_FLAGS32:
	case LEOFS_FT_BOOL32:
		x = *(const u32 *)v;
		if (check_scalar(f, x))
			return -EINVAL;
		p = wr_take(w, 4);
		if (!p)
			return -ENOSPC;
		put_unaligned_le32(x, p);
		return 0;
	case LEOFS_FT_U64:
		p = wr_take(w, 8);
		if (!p)
			return -ENOSPC;
		put_unaligned_le64(*(const u64 *)v, p);
		return 0;
	case LEOFS_FT_PAD:
		p = wr_take(w, f->max);
		if (!p)
			return -ENOSPC;
		memset(p, 0, f->max);
		return 0;
	case LEOFS_FT_ID16:
		p = wr_take(w, 16);
		if (!p)
			return -ENOSPC;
		memcpy(p, v, 16);
		return 0;
	case LEOFS_FT_NAME:
	case LEOFS_FT_XNAME:
	case LEOFS_FT_SYMLINK:
	case LEOFS_FT_BLOB:
	case LEOFS_FT_XLIST:
		if (b->len && !b->data)
			return -EINVAL;
		if (check_bytes(f, b->data, b->len))
			return -EINVAL;
		n = is_short_string(f->type) ? 2 : 4;
		if (w->tail && f->type == LEOFS_FT_BLOB && b->len &&
		    b->data == w->tail && b->len == w->tail_len &&
		    !w->tail_at) {
			/* its bytes follow the message, sent from where they are */
			p = wr_take(w, n);
			if (!p)
				return -ENOSPC;
			put_unaligned_le32(b->len, p);
			w->tail_at = w->pos;
			return 0;
		}
		p = wr_take(w, n + (size_t)b->len);
		if (!p)
			return -ENOSPC;
		if (n == 2)
			put_unaligned_le16(b->len, p);
		else
			put_unaligned_le32(b->len, p);
		if (b->len)
			memcpy(p + n, b->data, b->len);
		return 0;
	case LEOFS_FT_LE32S:
		if (a->count > f->max || (a->count && !a->data))
			return -EINVAL;
		p = wr_take(w, 4 + (size_t)a->count * 4);
		if (!p)
			return -ENOSPC;
		put_unaligned_le32(a->count, p);
		if (a->count)
			memcpy(p + 4, a->data, (size_t)a->count * 4);
		return 0;
	case LEOFS_FT_U32S:
		n = *(const u32 *)(m + f->aux);
		if (n > f->max)
			return -EINVAL;
		p = wr_take(w, 4 + (size_t)n * 4);
		if (!p)
			return -ENOSPC;
		put_unaligned_le32(n, p);
		for (i = 0; i < n; i++)
			put_unaligned_le32(((const u32 *)v)[i], p + 4 + 4 * i);
		return 0;
	case LEOFS_FT_STRUCT:
		return encode_struct(f->sub, v, w);
	case LEOFS_FT_STRUCTS:
		n = *(const u32 *)(m + f->aux);
		if (n > f->max)
			return -EINVAL;
		p = wr_take(w, 4);
		if (!p)
			return -ENOSPC;
		put_unaligned_le32(n, p);
		for (i = 0; i < n; i++) {
			ret = encode_struct(f->sub,
					    (const u8 *)v + i * f->sub->size, w);
			if (ret)
				return ret;
		}
		return 0;
	default:
		return -EINVAL;
	}
}

/* Returns 1 when a non-OK status ended the body. */
static int encode_struct(const struct leofs_msg_desc *d, const u8 *m,
			 struct writer *w)
{
	u32 i, status;
	u8 *p;
	int ret;

	for (i = 0; i < d->nr_fields; i++) {
		const struct leofs_field *f = &d->fields[i];

		if (f->type == LEOFS_FT_STATUS) {
			status = *(const u32 *)(m + f->off);
			p = wr_take(w, 4);
			if (!p)
				return -ENOSPC;
			put_unaligned_le32(status, p);
			if (status != LEOFS_S_OK)
				return 1;
			continue;
		}
		ret = encode_field(f, m, w);
		if (ret)
			return ret;
	}
	if (d->check && d->check(m))
		return -EINVAL;
	return 0;
}

static int encode(const struct leofs_msg_desc *d, const void *msg,
		  struct writer *w)
{
	int ret = encode_struct(d, msg, w);

	if (ret < 0)
		return ret;
	/* a tail must be the message's last bytes */
	if (w->tail && w->tail_at != w->pos)
		return -EINVAL;
	if (w->pos + w->tail_len > LEOFS_BODY_MAX)
		return -EINVAL;
	return (int)w->pos;
}

int leofs_codec_encode(const struct leofs_msg_desc *d, const void *msg,
		       void *buf, size_t cap)
{
	struct writer w = { .p = buf, .cap = buf ? cap : 0 };

	return encode(d, msg, &w);
}

int leofs_codec_encode_tail(const struct leofs_msg_desc *d, const void *msg,
			    void *buf, size_t cap, const void *tail,
			    size_t tail_len)
{
	struct writer w = { .p = buf, .cap = buf ? cap : 0,
			    .tail = tail_len ? tail : NULL,
			    .tail_len = tail_len };

	return encode(d, msg, &w);
}
