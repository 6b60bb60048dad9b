// SPDX-License-Identifier: GPL-2.0
/* The clocks deadlines and timed waits use (leofs/clock.h). */
#include "leofs/clock.h"

u64 leofs_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000 + (u64)ts.tv_nsec / 1000000;
}

void leofs_deadline_ts(u32 ms, struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

bool leofs_nap_unless(pthread_mutex_t *lock, pthread_cond_t *cond,
		      const bool *stop, u32 ms)
{
	struct timespec ts;
	bool stopped;

	leofs_deadline_ts(ms, &ts);
	pthread_mutex_lock(lock);
	if (!*stop)
		pthread_cond_timedwait(cond, lock, &ts);
	stopped = *stop;
	pthread_mutex_unlock(lock);
	return stopped;
}
