// SPDX-License-Identifier: GPL-2.0
/*
 * Fixed-point natural logarithm for straw2 draws: a 1025-entry table of
 * ln(1 + i/1024) (generated at build time, placement_ln.h) with linear
 * interpolation; absolute error below 2^-23.
 */
#include "internal.h"
#include "placement_ln.h"

#define LN2_FP 0xb17217f8ull	/* round(ln(2) * 2^32) */

#define LN_FRAC_BITS 31
#define LN_REM_BITS (LN_FRAC_BITS - LEOFS_LN_TABLE_BITS)

u64 leofs_neg_ln32(u32 u)
{
	u32 e, m, frac, idx, rem;
	u64 lo, hi, ln_m;

	if (!u)
		u = 1;
	e = 31 - __builtin_clz(u);		/* u = 2^e * (m / 2^31) */
	m = u << (31 - e);
	frac = m & ((1u << LN_FRAC_BITS) - 1);
	idx = frac >> LN_REM_BITS;
	rem = frac & ((1u << LN_REM_BITS) - 1);
	lo = leofs_ln_table[idx];
	hi = leofs_ln_table[idx + 1];
	ln_m = lo + (((hi - lo) * rem) >> LN_REM_BITS);
	/* -ln(u / 2^32) = (32 - e) ln 2 - ln(m / 2^31) */
	return (u64)(32 - e) * LN2_FP - ln_m;
}
