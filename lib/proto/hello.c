// SPDX-License-Identifier: GPL-2.0
/* Protocol version negotiation (HELLO). */
#include "leofs/proto.h"

int leofs_proto_negotiate(u16 local_min, u16 local_max, u16 peer_min,
			  u16 peer_max)
{
	u16 lo = local_min > peer_min ? local_min : peer_min;
	u16 hi = local_max < peer_max ? local_max : peer_max;

	if (!local_min || !peer_min || local_min > local_max ||
	    peer_min > peer_max || lo > hi)
		return -EPROTO;
	return hi;
}
