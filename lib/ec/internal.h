/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between the encode and decode halves of lib/ec. */
#ifndef LEOFS_EC_INTERNAL_H
#define LEOFS_EC_INTERNAL_H

#include "leofs/ec.h"

/*
 * dst[r] = sum over i < k of coef(r, i) * src[i], for r < rows, with the
 * coefficients expanded in @tables by ec_init_tables(). Any len.
 */
void leofs_ec_apply(size_t len, unsigned int k, unsigned int rows,
		    const u8 *tables, u8 *const src[], u8 *const dst[]);

#endif /* LEOFS_EC_INTERNAL_H */
