/* SPDX-License-Identifier: GPL-2.0 */
/* The namespace client's state, shared by ns.c and nsops.c (nsclient.h). */
#ifndef LEOFS_NS_INTERNAL_H
#define LEOFS_NS_INTERNAL_H

#include <pthread.h>

#include "leofs/nsclient.h"

#define NS_HOST_MAX 256

/* One MDS connection; mds_id 0 is the first one until the map names it. */
struct ns_conn {
	u32 mds_id;
	struct leofs_rpc *rpc; /* NULL: not connected */
};

struct leofs_ns {
	struct leofs_ns_opts opts;
	struct leofs_creds creds;
	char first_host[NS_HOST_MAX];
	u16 first_port;
	char contacted[NS_HOST_MAX + 8];

	pthread_mutex_t lock; /* everything below */
	struct leofs_mapview *view;
	struct ns_conn conns[LEOFS_MAP_MAX_MDS + 1]; /* [0]: the first */
	u32 nconns;
	/* replaced broken connections: other threads may still wait on them */
	struct leofs_rpc **retired;
	u32 nretired;
};

/* Sets leofs_ns_why() for this thread; returns err. */
int ns_why(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A failed reply status as an errno, with its why. */
int ns_status_err(u32 status);

#endif /* LEOFS_NS_INTERNAL_H */
