/* SPDX-License-Identifier: GPL-2.0 */
/* On-disk value encodings of the namespace engine. */
#ifndef MDS_RECORD_H
#define MDS_RECORD_H

#include "internal.h"

#define MDS_INODE_REC_VERSION 1
#define MDS_LAYOUT_REC_SIZE   24
/* header 4, mode..flags 20, size 8, 3 times 36, gen/parent/cookie 24 */
#define MDS_INODE_REC_SIZE (4 + 20 + 8 + 36 + 24 + MDS_LAYOUT_REC_SIZE)
/* ino..blocks 40, 3 times 36, generation 8 */
#define MDS_ATTR_REC_SIZE (40 + 36 + 8 + MDS_LAYOUT_REC_SIZE)
/* dentries value: ino 8, cookie 8, type 1 */
#define MDS_DENTRY_REC_SIZE 17
/* dcookies value: ino 8, type 1, then the name */
#define MDS_DCOOKIE_HDR_SIZE 9
/* delq value: kind 4, ino 8, size 8, layout */
#define MDS_DELQ_REC_SIZE (20 + MDS_LAYOUT_REC_SIZE)

/* the directory-move record (xmove.c): generation 8, owner 8 */
#define MDS_DIRMOVE_REC_SIZE 16

u8 *mds_layout_encode(const struct mds_layout *l, u8 *p);
const u8 *mds_layout_decode(const u8 *p, struct mds_layout *l);
void mds_inode_encode(const struct mds_inode *in, u8 *buf);
/* -EUCLEAN if the record is not one this version wrote. */
int mds_inode_decode(u64 ino, const void *val, size_t len,
		     struct mds_inode *in);
void mds_dirmove_encode(const struct mds_dirmove *dm, u8 *buf);
/* -EUCLEAN if the record is not one this version wrote. */
int mds_dirmove_decode(const void *val, size_t len, struct mds_dirmove *dm);
void mds_attr_encode(const struct mds_attr *a, u8 *buf);
void mds_attr_decode(const u8 *buf, struct mds_attr *a);

#endif /* MDS_RECORD_H */
