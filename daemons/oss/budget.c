// SPDX-License-Identifier: GPL-2.0
/*
 * The node's budget for coordination memory (node.h): requests take their
 * bound in arrival order, and one that does not fit waits until enough is
 * given back. A bound larger than the whole budget is admitted when
 * nothing else holds any, so it runs alone instead of never.
 */
#include "leofs/log.h"
#include "node.h"

/* A node that keeps waiting says so at most this often. */
#define WAIT_LOG_S 60

void oss_budget_init(struct oss_budget *b, u64 limit)
{
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	b->limit = limit;
	b->used = 0;
	b->next = 0;
	b->serving = 0;
	b->waits = 0;
	b->peak = 0;
	b->logged = 0;
}

void oss_budget_destroy(struct oss_budget *b)
{
	pthread_cond_destroy(&b->cond);
	pthread_mutex_destroy(&b->lock);
}

static bool fits(const struct oss_budget *b, u64 bytes)
{
	return !b->used || (bytes <= b->limit && b->used <= b->limit - bytes);
}

void oss_budget_take(struct oss_budget *b, u64 bytes)
{
	struct timespec now;
	bool behind;
	u64 ticket;

	if (!bytes)
		return;
	pthread_mutex_lock(&b->lock);
	ticket = b->next++;
	if (ticket != b->serving || !fits(b, bytes)) {
		b->waits++;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!b->logged || now.tv_sec - b->logged >= WAIT_LOG_S) {
			b->logged = now.tv_sec ? now.tv_sec : 1;
			log_info("coordination memory: a request for %llu MiB waits (%llu of %llu MiB in use, %llu waits so far)",
				 (unsigned long long)(bytes >> 20),
				 (unsigned long long)(b->used >> 20),
				 (unsigned long long)(b->limit >> 20),
				 (unsigned long long)b->waits);
		}
	}
	while (ticket != b->serving || !fits(b, bytes))
		pthread_cond_wait(&b->cond, &b->lock);
	b->used += bytes;
	if (b->used > b->peak)
		b->peak = b->used;
	b->serving++;
	behind = b->next != b->serving;
	pthread_mutex_unlock(&b->lock);
	/* the next in line may fit as well */
	if (behind)
		pthread_cond_broadcast(&b->cond);
}

void oss_budget_put(struct oss_budget *b, u64 bytes)
{
	if (!bytes)
		return;
	pthread_mutex_lock(&b->lock);
	b->used -= bytes;
	pthread_mutex_unlock(&b->lock);
	pthread_cond_broadcast(&b->cond);
}

void oss_budget_stats(struct oss_budget *b, struct oss_budget_stats *st)
{
	pthread_mutex_lock(&b->lock);
	st->limit = b->limit;
	st->used = b->used;
	st->peak = b->peak;
	st->waits = b->waits;
	pthread_mutex_unlock(&b->lock);
}

u64 oss_coord_bytes(const struct leofs_layout *l, u32 span, u64 out)
{
	u64 piece = span;

	if (piece > l->stripe_unit)
		piece = l->stripe_unit;
	if (piece > LEOFS_MAX_IO)
		piece = LEOFS_MAX_IO;
	return (2 * (u64)leofs_layout_width(l) + 1) * piece + out;
}
