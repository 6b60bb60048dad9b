// SPDX-License-Identifier: GPL-2.0
/* Command-line conventions shared by leofs-admin and leofs-file. */
#include <errno.h>
#include <stdio.h>

#include "admin.h"

int admin_global_opt(struct admin_globals *g, int c, const char *arg, char *why,
		     size_t len)
{
	u64 v;

	switch (c) {
	case ADMIN_OPT_JSON:
		g->json = true;
		return 0;
	case ADMIN_OPT_TIMEOUT:
		if (admin_parse_u64(arg, 1, ADMIN_TIMEOUT_MAX_MS, &v)) {
			snprintf(why, len,
				 "--timeout: want 1..%u milliseconds, not '%s'",
				 ADMIN_TIMEOUT_MAX_MS, arg);
			return -EINVAL;
		}
		g->timeout_ms = (u32)v;
		return 0;
	case ADMIN_OPT_MDS:
		g->mds_arg = arg;
		return 0;
	case ADMIN_OPT_CLUSTER:
		if (admin_parse_uuid(arg, g->cluster_id)) {
			snprintf(why, len, "--cluster: not a UUID: '%s'", arg);
			return -EINVAL;
		}
		g->have_cluster = true;
		return 0;
	case 'h':
		return 1;
	default:
		return -ENOENT;
	}
}

int admin_mds_servers(const char *arg, struct admin_hostport *hp,
		      struct leofs_ns_server *srv, int max, char *why,
		      size_t len)
{
	int n, i;

	if (!arg || !*arg) {
		snprintf(why, len,
			 "no metadata server: give --mds HOST:PORT "
			 "or set LEOFS_MDS");
		return -EINVAL;
	}
	n = admin_parse_hostports(arg, hp, max);
	if (n < 0) {
		snprintf(why, len,
			 "--mds: want HOST:PORT[,HOST:PORT...] (at most %d), "
			 "not '%s'",
			 max, arg);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		srv[i].host = hp[i].host;
		srv[i].port = hp[i].port;
	}
	return n;
}
