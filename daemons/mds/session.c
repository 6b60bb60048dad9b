// SPDX-License-Identifier: GPL-2.0
/* The session table (session.h): a hash of ids, bounded. */
#include <stdlib.h>
#include <sys/random.h>

#include "session.h"

#define NR_BUCKETS 4096

struct mds_sessions {
	u32 max;
	u32 count;
	u32 timeout_ms;
	struct mds_session *buckets[NR_BUCKETS];
};

static struct mds_session **bucket(struct mds_sessions *t, u64 id)
{
	return &t->buckets[(id ^ id >> 29) % NR_BUCKETS];
}

static struct mds_session *find(struct mds_sessions *t, u64 id)
{
	struct mds_session *s;

	for (s = *bucket(t, id); s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

int mds_sessions_new(u32 max, u32 timeout_ms, struct mds_sessions **out)
{
	struct mds_sessions *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->max = max;
	t->timeout_ms = timeout_ms;
	*out = t;
	return 0;
}

void mds_sessions_free(struct mds_sessions *t)
{
	struct mds_session *s, *n;
	u32 i;

	if (!t)
		return;
	for (i = 0; i < NR_BUCKETS; i++)
		for (s = t->buckets[i]; s; s = n) {
			n = s->next;
			free(s);
		}
	free(t);
}

static u64 fresh_id(struct mds_sessions *t)
{
	u64 id;

	/* random, so that ids of sessions before a restart are not reused */
	do {
		if (getrandom(&id, sizeof(id), 0) != sizeof(id))
			id = 0;
	} while (!id || find(t, id));
	return id;
}

static int insert(struct mds_sessions *t, u64 id, u64 now_ms,
		  struct mds_session **out)
{
	struct mds_session *s;

	if (t->count >= t->max)
		return -EUSERS;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->id = id;
	s->idle_since_ms = now_ms;
	s->next = *bucket(t, id);
	*bucket(t, id) = s;
	t->count++;
	*out = s;
	return 0;
}

int mds_session_attach(struct mds_sessions *t, u64 id, u64 now_ms,
		       struct mds_session **out)
{
	struct mds_session *s = id ? find(t, id) : NULL;
	int rc;

	if (!s) {
		rc = insert(t, id ?: fresh_id(t), now_ms, &s);
		if (rc)
			return rc;
	}
	s->conns++;
	*out = s;
	return 0;
}

void mds_session_detach(struct mds_sessions *t, struct mds_session *s,
			u64 now_ms)
{
	(void)t;
	if (s->conns && !--s->conns)
		s->idle_since_ms = now_ms;
}

int mds_session_adopt(struct mds_sessions *t, u64 id, u64 now_ms)
{
	struct mds_session *s;

	if (!id || find(t, id))
		return 0;
	return insert(t, id, now_ms, &s);
}

u32 mds_sessions_expire(struct mds_sessions *t, u64 now_ms, u32 max,
			void (*expired)(u64 id, void *arg), void *arg)
{
	struct mds_session **pp, *s;
	u32 i, n = 0;

	for (i = 0; i < NR_BUCKETS && n < max; i++) {
		pp = &t->buckets[i];
		while ((s = *pp) && n < max) {
			if (s->conns ||
			    now_ms - s->idle_since_ms < t->timeout_ms) {
				pp = &s->next;
				continue;
			}
			*pp = s->next;
			t->count--;
			n++;
			expired(s->id, arg);
			free(s);
		}
	}
	return n;
}

u32 mds_sessions_count(const struct mds_sessions *t)
{
	return t->count;
}
