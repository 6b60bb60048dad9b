// SPDX-License-Identifier: GPL-2.0
/* The layout validator: which (scheme, k, m, unit, count) are acceptable. */
#include "leofs/proto.h"

static int refuse(u32 *reason, u32 why)
{
	if (reason)
		*reason = why;
	return -EINVAL;
}

int leofs_layout_check(const struct leofs_layout *l, u32 *reason)
{
	u32 unit = l->stripe_unit;

	switch (l->scheme) {
	case LEOFS_LAYOUT_NONE:
		if (l->k || l->m || l->stripe_unit || l->stripe_count ||
		    l->pool_id)
			return refuse(reason, LEOFS_LAYOUT_BAD_NONE);
		goto ok;
	case LEOFS_LAYOUT_REPLICA:
		if (l->k != 1)
			return refuse(reason, LEOFS_LAYOUT_BAD_K);
		if (l->m > LEOFS_REPLICA_MAX - 1)
			return refuse(reason, LEOFS_LAYOUT_BAD_M);
		break;
	case LEOFS_LAYOUT_EC:
		if (l->k < 2 || l->k > LEOFS_EC_MAX_K)
			return refuse(reason, LEOFS_LAYOUT_BAD_K);
		if (l->m < 1 || l->m > LEOFS_EC_MAX_M)
			return refuse(reason, LEOFS_LAYOUT_BAD_M);
		break;
	default:
		return refuse(reason, LEOFS_LAYOUT_BAD_SCHEME);
	}
	if (unit < LEOFS_STRIPE_UNIT_MIN || unit > LEOFS_STRIPE_UNIT_MAX ||
	    (unit & (unit - 1)))
		return refuse(reason, LEOFS_LAYOUT_BAD_UNIT);
	if (l->stripe_count < 1 || l->stripe_count > LEOFS_MAX_STRIPE_COUNT)
		return refuse(reason, LEOFS_LAYOUT_BAD_COUNT);
ok:
	if (reason)
		*reason = LEOFS_LAYOUT_OK;
	return 0;
}

const char *leofs_layout_strerror(u32 reason)
{
	switch (reason) {
	case LEOFS_LAYOUT_OK:
		return "valid layout";
	case LEOFS_LAYOUT_BAD_SCHEME:
		return "unknown layout scheme";
	case LEOFS_LAYOUT_BAD_NONE:
		return "layout NONE with non-zero fields";
	case LEOFS_LAYOUT_BAD_K:
		return "k out of range (replication: 1; EC: 2..16)";
	case LEOFS_LAYOUT_BAD_M:
		return "m out of range (replication: 0..3; EC: 1..4)";
	case LEOFS_LAYOUT_BAD_UNIT:
		return "stripe unit not a power of two in 4 KiB..64 MiB";
	case LEOFS_LAYOUT_BAD_COUNT:
		return "stripe count out of range 1..256";
	default:
		return "unknown layout error";
	}
}
