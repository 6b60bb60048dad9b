// SPDX-License-Identifier: GPL-2.0
/*
 * Load-time self check: the shared protocol and placement code, compiled
 * into this module, must compute exactly what userspace computes. The
 * golden vectors of tests/golden/ are checked before anything else loads.
 */
#include "internal.h"
#include "../tests/golden/placement_golden.h"
#include "../tests/golden/proto_golden.h"

int leofs_selfcheck(void)
{
	int ret;

	ret = leofs_proto_golden_check();
	if (ret) {
		pr_err("self check: %d protocol golden vector(s) differ; the wire codec in this module is not the one userspace uses, refusing to load\n",
		       -ret);
		return -EINVAL;
	}
	/* Not reentrant (static buffers); module init runs once at a time. */
	ret = leofs_placement_golden_check();
	if (ret) {
		pr_err("self check: %d placement golden value(s) differ; this module would place data differently from userspace, refusing to load\n",
		       -ret);
		return -EINVAL;
	}
	return 0;
}
