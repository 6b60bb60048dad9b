// SPDX-License-Identifier: GPL-2.0
/* The monotonic clock deadlines and timeouts are measured on. */
#include <time.h>

#include "leofs/rpc.h"

u64 leofs_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000 + (u64)ts.tv_nsec / 1000000;
}
