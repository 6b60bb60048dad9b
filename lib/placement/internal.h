/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private helpers of lib/placement: hash domain salts and the straw2 draw.
 */
#ifndef LEOFS_PLACEMENT_INTERNAL_H
#define LEOFS_PLACEMENT_INTERNAL_H

#include "leofs/placement.h"

/* Domain salts: each use of the hash gets its own, so streams never meet. */
#define LEOFS_SALT_STRIPE	0x6c656f2d73747270ull	/* "leo-strp" */
#define LEOFS_SALT_DIR		0x6c656f2d64697273ull	/* "leo-dirs" */
#define LEOFS_SALT_DART		0x6c656f2d64617274ull	/* "leo-dart" */
#define LEOFS_SALT_SCAN		0x6c656f2d7363616eull	/* "leo-scan" */

/*
 * Straw2 cost of an item with weight w (16.16, > 0) for hash h: the
 * exponential race value -ln(u)/w scaled by 2^16. The item with the
 * smallest cost wins; its probability of winning is w / sum(w).
 * -ln(u) < 2^37 in 32.32, so the shift cannot overflow.
 */
static inline u64 leofs_straw2_cost(u64 h, u32 w)
{
	return (leofs_neg_ln32((u32)h) << 16) / w;
}

#endif /* LEOFS_PLACEMENT_INTERNAL_H */
