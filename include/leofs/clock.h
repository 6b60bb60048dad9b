/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace: the clocks deadlines and timed waits use (lib/client/clock.c). */
#ifndef LEOFS_CLOCK_H
#define LEOFS_CLOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "leofs/compat.h"

/* CLOCK_MONOTONIC in milliseconds: what deadlines and timeouts use. */
u64 leofs_now_ms(void);

/* The CLOCK_REALTIME time @ms from now, as pthread_cond_timedwait() takes. */
void leofs_deadline_ts(u32 ms, struct timespec *ts);

/*
 * Waits on @cond (@lock not held) for up to @ms unless *@stop is set, which
 * is read under @lock; returns *@stop.
 */
bool leofs_nap_unless(pthread_mutex_t *lock, pthread_cond_t *cond,
		      const bool *stop, u32 ms);

#endif /* LEOFS_CLOCK_H */
