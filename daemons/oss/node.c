// SPDX-License-Identifier: GPL-2.0
/* Shared state of the running server: local targets, EC contexts, locks. */
#include <stdio.h>
#include <stdlib.h>

#include "leofs/placement.h"
#include "node.h"

struct oss_local *oss_node_local(struct oss_node *n, u32 target_id)
{
	unsigned int i;

	for (i = 0; i < n->nlocals; i++)
		if (n->locals[i].id == target_id)
			return &n->locals[i];
	return NULL;
}

struct leofs_ec *oss_node_ec(struct oss_node *n, u32 k, u32 m)
{
	struct leofs_ec *ec;

	if (k < LEOFS_EC_K_MIN || k > LEOFS_EC_MAX_K || m < LEOFS_EC_M_MIN ||
	    m > LEOFS_EC_MAX_M)
		return NULL;
	pthread_mutex_lock(&n->ec_lock);
	ec = n->ec[k][m];
	if (!ec) {
		ec = malloc(sizeof(*ec));
		if (ec && leofs_ec_init(ec, k, m)) {
			free(ec);
			ec = NULL;
		}
		n->ec[k][m] = ec;
	}
	pthread_mutex_unlock(&n->ec_lock);
	return ec;
}

pthread_mutex_t *oss_node_stripe_lock(struct oss_node *n, u64 ino, u32 slot,
				      u64 stripe)
{
	u64 h = leofs_hash3(ino, slot, stripe);

	return &n->stripe_locks[h % OSS_PRIMARY_LOCKS];
}

void oss_node_count(u64 *counter)
{
	__atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
}

u32 oss_status(int err)
{
	if (err == -EBADMSG)
		return LEOFS_S_CHECKSUM;
	return leofs_errno_to_status(err);
}

void oss_node_status(struct oss_node *n, char *buf, size_t len)
{
	struct oss_budget_stats b;

	oss_budget_stats(&n->budget, &b);
	snprintf(buf, len,
		 "degraded reads %llu, roll-forwards %llu, checksum errors %llu; coordination memory %llu of %llu MiB, %llu waits",
		 (unsigned long long)__atomic_load_n(&n->degraded_reads,
						     __ATOMIC_RELAXED),
		 (unsigned long long)__atomic_load_n(&n->roll_forwards,
						     __ATOMIC_RELAXED),
		 (unsigned long long)__atomic_load_n(&n->checksum_errors,
						     __ATOMIC_RELAXED),
		 (unsigned long long)(b.used >> 20),
		 (unsigned long long)(b.limit >> 20),
		 (unsigned long long)b.waits);
}
