// SPDX-License-Identifier: GPL-2.0
/*
 * On-disk encodings of the engine's values: inode records, layouts,
 * attributes and the directory-move record, all little-endian with fixed
 * offsets (Documentation/mds.md).
 */
#include "record.h"

static u8 *put_time(u8 *p, const struct mds_time *t)
{
	put_unaligned_le64((u64)t->sec, p);
	put_unaligned_le32(t->nsec, p + 8);
	return p + 12;
}

static const u8 *get_time(const u8 *p, struct mds_time *t)
{
	t->sec = (s64)get_unaligned_le64(p);
	t->nsec = get_unaligned_le32(p + 8);
	return p + 12;
}

u8 *mds_layout_encode(const struct mds_layout *l, u8 *p)
{
	put_unaligned_le32(l->pool_id, p);
	p[4] = l->scheme;
	p[5] = l->k;
	p[6] = l->m;
	p[7] = 0;
	put_unaligned_le32(l->stripe_unit, p + 8);
	put_unaligned_le32(l->stripe_count, p + 12);
	put_unaligned_le64(l->generation, p + 16);
	return p + MDS_LAYOUT_REC_SIZE;
}

const u8 *mds_layout_decode(const u8 *p, struct mds_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->pool_id = get_unaligned_le32(p);
	l->scheme = p[4];
	l->k = p[5];
	l->m = p[6];
	l->stripe_unit = get_unaligned_le32(p + 8);
	l->stripe_count = get_unaligned_le32(p + 12);
	l->generation = get_unaligned_le64(p + 16);
	return p + MDS_LAYOUT_REC_SIZE;
}

void mds_inode_encode(const struct mds_inode *in, u8 *buf)
{
	u8 *p = buf;

	p[0] = MDS_INODE_REC_VERSION;
	p[1] = p[2] = p[3] = 0;
	put_unaligned_le32(in->mode, p + 4);
	put_unaligned_le32(in->nlink, p + 8);
	put_unaligned_le32(in->uid, p + 12);
	put_unaligned_le32(in->gid, p + 16);
	put_unaligned_le32(in->flags, p + 20);
	put_unaligned_le64(in->size, p + 24);
	p = put_time(p + 32, &in->atime);
	p = put_time(p, &in->mtime);
	p = put_time(p, &in->ctime);
	put_unaligned_le64(in->generation, p);
	put_unaligned_le64(in->parent, p + 8);
	put_unaligned_le64(in->next_cookie, p + 16);
	mds_layout_encode(&in->layout, p + 24);
}

int mds_inode_decode(u64 ino, const void *val, size_t len, struct mds_inode *in)
{
	const u8 *p = val;

	if (len != MDS_INODE_REC_SIZE || p[0] != MDS_INODE_REC_VERSION)
		return -EUCLEAN;
	memset(in, 0, sizeof(*in));
	in->ino = ino;
	in->mode = get_unaligned_le32(p + 4);
	in->nlink = get_unaligned_le32(p + 8);
	in->uid = get_unaligned_le32(p + 12);
	in->gid = get_unaligned_le32(p + 16);
	in->flags = get_unaligned_le32(p + 20);
	in->size = get_unaligned_le64(p + 24);
	p = get_time(p + 32, &in->atime);
	p = get_time(p, &in->mtime);
	p = get_time(p, &in->ctime);
	in->generation = get_unaligned_le64(p);
	in->parent = get_unaligned_le64(p + 8);
	in->next_cookie = get_unaligned_le64(p + 16);
	mds_layout_decode(p + 24, &in->layout);
	return 0;
}

void mds_dirmove_encode(const struct mds_dirmove *dm, u8 *buf)
{
	put_unaligned_le64(dm->gen, buf);
	put_unaligned_le64(dm->owner, buf + 8);
}

int mds_dirmove_decode(const void *val, size_t len, struct mds_dirmove *dm)
{
	const u8 *p = val;

	if (len != MDS_DIRMOVE_REC_SIZE)
		return -EUCLEAN;
	dm->gen = get_unaligned_le64(p);
	dm->owner = get_unaligned_le64(p + 8);
	return 0;
}

void mds_attr_encode(const struct mds_attr *a, u8 *buf)
{
	u8 *p = buf;

	put_unaligned_le64(a->ino, p);
	put_unaligned_le32(a->mode, p + 8);
	put_unaligned_le32(a->nlink, p + 12);
	put_unaligned_le32(a->uid, p + 16);
	put_unaligned_le32(a->gid, p + 20);
	put_unaligned_le64(a->size, p + 24);
	put_unaligned_le64(a->blocks, p + 32);
	p = put_time(p + 40, &a->atime);
	p = put_time(p, &a->mtime);
	p = put_time(p, &a->ctime);
	put_unaligned_le64(a->generation, p);
	mds_layout_encode(&a->layout, p + 8);
}

void mds_attr_decode(const u8 *buf, struct mds_attr *a)
{
	const u8 *p = buf;

	memset(a, 0, sizeof(*a));
	a->ino = get_unaligned_le64(p);
	a->mode = get_unaligned_le32(p + 8);
	a->nlink = get_unaligned_le32(p + 12);
	a->uid = get_unaligned_le32(p + 16);
	a->gid = get_unaligned_le32(p + 20);
	a->size = get_unaligned_le64(p + 24);
	a->blocks = get_unaligned_le64(p + 32);
	p = get_time(p + 40, &a->atime);
	p = get_time(p, &a->mtime);
	p = get_time(p, &a->ctime);
	a->generation = get_unaligned_le64(p);
	mds_layout_decode(p + 8, &a->layout);
}
