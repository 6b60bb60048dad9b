// SPDX-License-Identifier: GPL-2.0
/* leofs-mds configuration: a valid file, defaults, and every error. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../daemons/mds/config.h"

#define GOOD_HEAD "{\"node_id\": 3, " \
	"\"cluster_id\": \"0123456789abcdef-0123456789ABCDEF\", " \
	"\"listen\": {\"address\": \"127.0.0.1\", \"port\": 7100}, " \
	"\"data_dir\": \"/var/lib/leofs/mds\", \"shards\": [0, 5]"

static void test_good(void **state)
{
	const char *j = GOOD_HEAD ", \"limits\": {\"max_sessions\": 10}}";
	struct mds_config c;
	char err[256] = "";

	(void)state;
	assert_int_equal(mds_config_parse(j, strlen(j), &c, err, sizeof(err)),
			 0);
	assert_int_equal(c.node_id, 3);
	assert_int_equal(c.port, 7100);
	assert_int_equal(c.nr_shards, 2);
	assert_int_equal(c.shards[1], 5);
	assert_int_equal(c.cluster_id[0], 0x01);
	assert_int_equal(c.cluster_id[15], 0xef);
	assert_int_equal(c.max_sessions, 10);
	assert_int_equal(c.max_connections, 1024);	/* default */
	assert_int_equal(c.reply_cache_size, 64);
}

static void expect(const char *json, const char *msg)
{
	struct mds_config c;
	char err[256] = "";

	assert_int_equal(mds_config_parse(json, strlen(json), &c, err,
					  sizeof(err)), -EINVAL);
	if (!strstr(err, msg))
		fail_msg("got \"%s\", want \"%s\"", err, msg);
}

static void test_errors(void **state)
{
	(void)state;
	expect("[]", "config: top level must be an object");
	expect("{", "config: line 1");
	expect(GOOD_HEAD ", \"bogus\": 1}", "config: bogus: unknown field");
	expect("{\"cluster_id\": \"x\"}", "config: node_id: missing");
	expect("{\"node_id\": 0}", "config: node_id: must be 1..");
	expect("{\"node_id\": \"1\"}", "config: node_id: must be an integer");
	expect("{\"node_id\": 1, \"cluster_id\": \"abc\"}",
	       "config: cluster_id: must be 32 hex digits");
	expect("{\"node_id\": 1, \"cluster_id\": "
	       "\"0123456789abcdef0123456789abcdef\", \"listen\": "
	       "{\"address\": \"nowhere\", \"port\": 1}}",
	       "config: listen.address: not an IPv4 or IPv6 address");
	expect("{\"node_id\": 1, \"cluster_id\": "
	       "\"0123456789abcdef0123456789abcdef\", \"listen\": "
	       "{\"address\": \"::1\", \"port\": 70000}}",
	       "config: listen.port: must be 1..65535");
	expect("{\"node_id\": 1, \"cluster_id\": "
	       "\"0123456789abcdef0123456789abcdef\", \"listen\": "
	       "{\"address\": \"::1\", \"port\": 7, \"x\": 1}}",
	       "config: listen.x: unknown field");
	expect("{\"node_id\": 1, \"cluster_id\": "
	       "\"0123456789abcdef0123456789abcdef\", \"listen\": "
	       "{\"address\": \"::1\", \"port\": 7}, \"data_dir\": \"rel\"}",
	       "config: data_dir: must be an absolute path");
	expect("{\"node_id\": 1, \"cluster_id\": "
	       "\"0123456789abcdef0123456789abcdef\", \"listen\": "
	       "{\"address\": \"::1\", \"port\": 7}, \"data_dir\": \"/d\", "
	       "\"shards\": [0, 70000]}",
	       "config: shards[1]: must be 0..65535");
	expect("{\"node_id\": 1, \"cluster_id\": "
	       "\"0123456789abcdef0123456789abcdef\", \"listen\": "
	       "{\"address\": \"::1\", \"port\": 7}, \"data_dir\": \"/d\", "
	       "\"shards\": [2, 2]}",
	       "config: shards[1]: 2 listed twice");
	expect("{\"node_id\": 1, \"cluster_id\": "
	       "\"0123456789abcdef0123456789abcdef\", \"listen\": "
	       "{\"address\": \"::1\", \"port\": 7}, \"data_dir\": \"/d\", "
	       "\"shards\": []}",
	       "config: shards: must be an array of 1..64 ids");
	expect(GOOD_HEAD ", \"limits\": {\"max_frame_size\": 10}}",
	       "config: limits.max_frame_size: must be 4096..");
	expect(GOOD_HEAD ", \"limits\": {\"reply_cache_size\": 0}}",
	       "config: limits.reply_cache_size: must be 1..65536");
	expect(GOOD_HEAD ", \"limits\": {\"max_connection\": 5}}",
	       "config: limits.max_connection: unknown field");
	expect(GOOD_HEAD ", \"node_id\": 4}", "duplicate");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
