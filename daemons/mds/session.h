/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Client sessions: what HELLO creates or resumes. A session's id keys its
 * reply cache; a session without connection for the timeout expires, and
 * the caller then drops its reply cache. Used on the event loop only.
 */
#ifndef MDS_SESSION_H
#define MDS_SESSION_H

#include <stdbool.h>

#include "leofs/compat.h"

struct mds_session {
	u64 id;
	u32 conns; /* connections bound to it */
	u64 idle_since_ms; /* when the last one closed */
	struct mds_session *next; /* hash chain */
};

struct mds_sessions;

int mds_sessions_new(u32 max, u32 timeout_ms, struct mds_sessions **out);
void mds_sessions_free(struct mds_sessions *t);

/*
 * Binds a connection to session id (0: a new one with a fresh id). An
 * unknown non-zero id is resumed under that id (the reply cache survives
 * restarts). -EUSERS when max sessions are bound or still fresh.
 */
int mds_session_attach(struct mds_sessions *t, u64 id, u64 now_ms,
		       struct mds_session **out);
void mds_session_detach(struct mds_sessions *t, struct mds_session *s,
			u64 now_ms);

/* Known from before a restart: expires unless resumed in time. */
int mds_session_adopt(struct mds_sessions *t, u64 id, u64 now_ms);

/*
 * Removes the sessions idle for longer than the timeout, calling
 * expired(id) for each (at most max per call). Returns how many.
 */
u32 mds_sessions_expire(struct mds_sessions *t, u64 now_ms, u32 max,
			void (*expired)(u64 id, void *arg), void *arg);
u32 mds_sessions_count(const struct mds_sessions *t);

#endif /* MDS_SESSION_H */
