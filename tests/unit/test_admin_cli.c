// SPDX-License-Identifier: GPL-2.0
/*
 * The command-line conventions leofs-admin and leofs-file share
 * (lib/admin/cli.c): global options and the --mds server list.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../lib/admin/admin.h"

static void test_global_opts(void **state)
{
	struct admin_globals g = { .timeout_ms = 5000 };
	char why[128];

	(void)state;
	assert_int_equal(
		admin_global_opt(&g, ADMIN_OPT_JSON, NULL, why, sizeof(why)),
		0);
	assert_true(g.json);
	assert_int_equal(admin_global_opt(&g, ADMIN_OPT_TIMEOUT, "700", why,
					  sizeof(why)),
			 0);
	assert_int_equal(g.timeout_ms, 700);
	assert_int_equal(
		admin_global_opt(&g, ADMIN_OPT_TIMEOUT, "0", why, sizeof(why)),
		-EINVAL);
	assert_non_null(strstr(why, "--timeout: want 1..3600000"));
	assert_int_equal(admin_global_opt(&g, ADMIN_OPT_TIMEOUT, "3600001", why,
					  sizeof(why)),
			 -EINVAL);
	assert_int_equal(g.timeout_ms, 700);
	assert_int_equal(
		admin_global_opt(&g, ADMIN_OPT_MDS, "a:1", why, sizeof(why)),
		0);
	assert_string_equal(g.mds_arg, "a:1");
	assert_int_equal(admin_global_opt(&g, ADMIN_OPT_CLUSTER, "xyz", why,
					  sizeof(why)),
			 -EINVAL);
	assert_false(g.have_cluster);
	assert_int_equal(
		admin_global_opt(&g, ADMIN_OPT_CLUSTER,
				 "5c1e0f00-aaaa-4bbb-8ccc-0123456789ab", why,
				 sizeof(why)),
		0);
	assert_true(g.have_cluster);
	assert_int_equal(g.cluster_id[0], 0x5c);
	assert_int_equal(g.cluster_id[15], 0xab);
	assert_int_equal(admin_global_opt(&g, 'h', NULL, why, sizeof(why)), 1);
	assert_int_equal(admin_global_opt(&g, 'x', NULL, why, sizeof(why)),
			 -ENOENT);
}

static void test_mds_servers(void **state)
{
	struct admin_hostport hp[2];
	struct leofs_ns_server srv[2];
	char why[128];

	(void)state;
	assert_int_equal(admin_mds_servers("10.0.0.1,[::1]:7001", hp, srv, 2,
					   why, sizeof(why)),
			 2);
	assert_string_equal(srv[0].host, "10.0.0.1");
	assert_int_equal(srv[0].port, ADMIN_DEFAULT_PORT);
	assert_ptr_equal(srv[1].host, hp[1].host);
	assert_string_equal(srv[1].host, "::1");
	assert_int_equal(srv[1].port, 7001);
	assert_int_equal(admin_mds_servers(NULL, hp, srv, 2, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "no metadata server"));
	assert_int_equal(admin_mds_servers("", hp, srv, 2, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(
		admin_mds_servers("a,b,c", hp, srv, 2, why, sizeof(why)),
		-EINVAL);
	assert_non_null(strstr(why, "at most 2"));
	assert_int_equal(
		admin_mds_servers("a:99999", hp, srv, 2, why, sizeof(why)),
		-EINVAL);
	assert_non_null(strstr(why, "--mds: want HOST:PORT"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_global_opts),
		cmocka_unit_test(test_mds_servers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
