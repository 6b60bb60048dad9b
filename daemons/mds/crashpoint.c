// SPDX-License-Identifier: GPL-2.0
/*
 * Named steps of the cross-shard protocol where crash tests stop the
 * daemon: with LEOFS_MDS_CRASH=<step> in its environment, the process
 * kills itself with SIGKILL when it reaches that step. Unit tests set
 * mds_crash_hook instead, to stop an operation there without dying.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "leofs/log.h"
#include "internal.h"

bool mds_crashpoint(const char *point)
{
	const char *want;

	if (mds_crash_hook)
		return mds_crash_hook(point);
	want = getenv("LEOFS_MDS_CRASH");
	if (want && !strcmp(want, point)) {
		log_warning("crash point %s: killing myself", point);
		raise(SIGKILL);
	}
	return false;
}
