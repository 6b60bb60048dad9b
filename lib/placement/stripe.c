// SPDX-License-Identifier: GPL-2.0
/*
 * Stripe -> PG: stripe i of a file lives in PG H(ino, i mod S) mod pg_num.
 */
#include "internal.h"

u32 leofs_stripe_pg(u64 ino, u64 stripe, u32 stripe_count, u32 pg_num)
{
	u64 h;

	if (!stripe_count || !pg_num)
		return 0;
	h = leofs_hash_ino_slot(ino, (u32)(stripe % stripe_count));
	return (u32)(h % pg_num);
}
