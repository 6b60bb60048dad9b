// SPDX-License-Identifier: GPL-2.0
/* Unit tests of leofs-oss configuration validation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../daemons/oss/config.h"

#define TARGETS                                                                  \
	"\"targets\": [ { \"path\": \"/srv/t0\", \"id\": 1, \"tier\": \"ssd\", " \
	"\"weight\": 100 }, { \"path\": \"/srv/t1\", \"id\": 2, "                \
	"\"tier\": \"sata\", \"weight\": 50 }, %s ]"

static const char *base =
	"{ \"node_id\": 3, \"listen\": { \"address\": \"127.0.0.1\", "
	"\"port\": 7100 }, \"cluster_id\": "
	"\"0b4c6a52-5a3e-4f0e-9a53-7f43e1c9d2a1\", " TARGETS ", %s }";

static const char *third =
	"{ \"path\": \"/srv/t2\", \"id\": 3, \"tier\": \"sas\", \"weight\": 1 }";

static int parse(const char *target3, const char *rest, char *err)
{
	struct oss_config cfg;
	char json[4096];
	int r;

	snprintf(json, sizeof(json), base, target3, rest);
	r = oss_config_parse(json, &cfg, err, 256);
	if (!r)
		oss_config_free(&cfg);
	return r;
}

static void expect_error(const char *target3, const char *rest,
			 const char *message)
{
	char err[256] = "";

	assert_int_equal(parse(target3, rest, err), -EINVAL);
	if (strcmp(err, message))
		fail_msg("got \"%s\", want \"%s\"", err, message);
}

static void test_valid(void **state)
{
	struct oss_config cfg;
	char json[4096], err[256];

	(void)state;
	snprintf(json, sizeof(json), base, third,
		 "\"mds\": [ \"10.0.0.1:7000\", \"mds2:7000\" ], "
		 "\"limits\": { \"max_connections\": 10, "
		 "\"idle_timeout_ms\": 1500, "
		 "\"coord_memory_bytes\": 268435456 }, "
		 "\"group_commit_us\": 0");
	assert_int_equal(oss_config_parse(json, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.node_id, 3);
	assert_string_equal(cfg.listen_address, "127.0.0.1");
	assert_int_equal(cfg.listen_port, 7100);
	assert_int_equal(cfg.cluster_id[0], 0x0b);
	assert_int_equal(cfg.cluster_id[15], 0xa1);
	assert_int_equal(cfg.ntargets, 3);
	assert_string_equal(cfg.targets[2].path, "/srv/t2");
	assert_int_equal(cfg.targets[1].tier, LEOFS_TIER_SATA);
	assert_int_equal(cfg.targets[2].tier, LEOFS_TIER_SAS);
	assert_int_equal(cfg.targets[0].weight, 100);
	assert_int_equal(cfg.max_connections, 10);
	assert_int_equal(cfg.idle_timeout_ms, 1500);
	assert_int_equal(cfg.coord_memory_bytes, 256u << 20);
	assert_int_equal(cfg.worker_threads, 4);
	assert_int_equal(cfg.group_commit_us, 0);
	assert_int_equal(cfg.nmds, 2);
	assert_string_equal(cfg.mds[1], "mds2:7000");
	assert_null(cfg.cluster_map);
	oss_config_free(&cfg);
	snprintf(json, sizeof(json), base, third,
		 "\"cluster_map\": \"/etc/leofs/map.json\"");
	assert_int_equal(oss_config_parse(json, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.coord_memory_bytes, 1u << 30); /* the default */
	oss_config_free(&cfg);
}

static void test_errors(void **state)
{
	const char *mds = "\"mds\": [ \"m:1\" ]";

	(void)state;
	expect_error(
		"{ \"path\": \"/srv/t2\", \"id\": 3, \"tier\": \"nvme\", \"weight\": 1 }",
		mds, "config: targets[2].tier: must be one of ssd, sas, sata");
	expect_error(
		"{ \"path\": \"/srv/t2\", \"id\": 3, \"tier\": \"ssd\", \"weight\": 0 }",
		mds,
		"config: targets[2].weight: must be between 1 and 1000000");
	expect_error(
		"{ \"path\": \"srv/t2\", \"id\": 3, \"tier\": \"ssd\", \"weight\": 1 }",
		mds, "config: targets[2].path: must be an absolute path");
	expect_error(
		"{ \"path\": \"/srv/t2\", \"id\": 1, \"tier\": \"ssd\", \"weight\": 1 }",
		mds, "config: targets[2].id: duplicate of targets[0].id");
	expect_error(
		"{ \"path\": \"/srv/t0\", \"id\": 3, \"tier\": \"ssd\", \"weight\": 1 }",
		mds, "config: targets[2].path: duplicate of targets[0].path");
	expect_error(
		"{ \"path\": \"/srv/t2\", \"tier\": \"ssd\", \"weight\": 1 }",
		mds, "config: targets[2].id: missing");
	expect_error(
		"{ \"path\": \"/srv/t2\", \"id\": 3, \"tier\": \"ssd\", \"weight\": 1, \"wieght\": 2 }",
		mds, "config: targets[2].wieght: unknown field");
	expect_error("7", mds, "config: targets[2]: must be an object");
	expect_error(third, "\"mds\": [ \"nohost\" ]",
		     "config: mds[0]: must be a \"host:port\" string");
	expect_error(third, "\"mds\": [ \"h:70000\" ]",
		     "config: mds[0]: must be a \"host:port\" string");
	expect_error(
		third, "\"worker_threads\": 1",
		"config: mds: missing (or give cluster_map, a static map file)");
	expect_error(third, "\"mds\": [ \"m:1\" ], \"cluster_map\": \"/x\"",
		     "config: mds: give either mds or cluster_map, not both");
	expect_error(third, "\"mds\": [ \"m:1\" ], \"worker_threads\": 0",
		     "config: worker_threads: must be between 1 and 1024");
	expect_error(third, "\"mds\": [ \"m:1\" ], \"worker_threads\": \"4\"",
		     "config: worker_threads: must be an integer");
	expect_error(
		third,
		"\"mds\": [ \"m:1\" ], \"limits\": { \"max_frame_size\": 100 }",
		"config: limits.max_frame_size: must be between 4096 and 1073741824");
	expect_error(
		third,
		"\"mds\": [ \"m:1\" ], \"limits\": { \"max_inflight_bytes\": 8192 }",
		"config: limits.max_inflight_bytes: must be at least limits.max_frame_size");
	expect_error(
		third,
		"\"mds\": [ \"m:1\" ], \"limits\": { \"idle_timeout_ms\": 5 }",
		"config: limits.idle_timeout_ms: must be between 100 and 3600000");
	expect_error(
		third,
		"\"mds\": [ \"m:1\" ], \"limits\": { \"coord_memory_bytes\": 4096 }",
		"config: limits.coord_memory_bytes: must be between 1048576 and 1099511627776");
	expect_error(third,
		     "\"mds\": [ \"m:1\" ], \"limits\": { \"max_conns\": 1 }",
		     "config: limits.max_conns: unknown field");
	expect_error(third, "\"mds\": [ \"m:1\" ], \"colour\": 1",
		     "config: colour: unknown field");
}

static void test_top_level_errors(void **state)
{
	struct oss_config cfg;
	char err[256];

	(void)state;
	assert_int_equal(oss_config_parse("{", &cfg, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "config: line 1"));
	assert_int_equal(oss_config_parse("[]", &cfg, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "config: (top level): must be an object");
	assert_int_equal(
		oss_config_parse("{ \"node_id\": 1 }", &cfg, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, "config: listen: missing");
	assert_int_equal(
		oss_config_parse(
			"{ \"node_id\": 1, \"listen\": { \"address\": \"a\", \"port\": 0 } }",
			&cfg, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err,
			    "config: listen.port: must be between 1 and 65535");
	assert_int_equal(
		oss_config_parse(
			"{ \"node_id\": 1, \"listen\": { \"address\": \"a\", \"port\": 1 }, \"cluster_id\": \"nope\" }",
			&cfg, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(
		err,
		"config: cluster_id: must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
	assert_int_equal(
		oss_config_parse(
			"{ \"node_id\": 1, \"listen\": { \"address\": \"a\", \"port\": 1 }, \"cluster_id\": \"0b4c6a52-5a3e-4f0e-9a53-7f43e1c9d2a1\", \"targets\": [] }",
			&cfg, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, "config: targets: must list 1 to 256 targets");
	assert_int_equal(oss_config_load("/nonexistent/oss.json", &cfg, err,
					 sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "cannot open"));
}

/* A formatted target whose superblock disagrees with the config is refused. */
static void test_target_agrees(void **state)
{
	static const u8 cluster[16] = { 0x0b, 0x4c, 0x6a, 0x52, 0x5a, 0x3e,
					0x4f, 0x0e, 0x9a, 0x53, 0x7f, 0x43,
					0xe1, 0xc9, 0xd2, 0xa1 };
	char dir[] = "/tmp/leofs-oss-config-XXXXXX", path[64], json[4096],
	     err[512], cmd[128];
	struct oss_config cfg;
	struct oss_target *t;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t", dir);
	assert_int_equal(oss_target_format(path, cluster, 5, LEOFS_TIER_SAS,
					   40),
			 0);
	snprintf(json, sizeof(json),
		 "{ \"node_id\": 1, \"listen\": { \"address\": \"127.0.0.1\", "
		 "\"port\": 7100 }, \"cluster_id\": "
		 "\"0b4c6a52-5a3e-4f0e-9a53-7f43e1c9d2a1\", \"targets\": [ "
		 "{ \"path\": \"%s\", \"id\": 5, \"tier\": \"sas\", "
		 "\"weight\": 40 } ], \"mds\": [ \"m:1\" ] }",
		 path);
	assert_int_equal(oss_config_parse(json, &cfg, err, sizeof(err)), 0);
	assert_int_equal(oss_config_open_target(&cfg, 0, &t, err, sizeof(err)),
			 0);
	oss_target_close(t);

	cfg.targets[0].tier = LEOFS_TIER_SATA;
	assert_int_equal(oss_config_open_target(&cfg, 0, &t, err, sizeof(err)),
			 -EINVAL);
	assert_null(t);
	snprintf(json, sizeof(json),
		 "config: targets[0].tier: \"sata\", but %s was formatted as sas",
		 path);
	assert_string_equal(err, json);

	cfg.targets[0].tier = LEOFS_TIER_SAS;
	cfg.targets[0].weight = 7;
	assert_int_equal(oss_config_open_target(&cfg, 0, &t, err, sizeof(err)),
			 -EINVAL);
	snprintf(json, sizeof(json),
		 "config: targets[0].weight: 7, but %s was formatted with weight 40",
		 path);
	assert_string_equal(err, json);

	/* another target id: refused by the superblock check itself */
	cfg.targets[0].weight = 40;
	cfg.targets[0].id = 6;
	assert_int_not_equal(oss_config_open_target(&cfg, 0, &t, err,
						    sizeof(err)),
			     0);
	oss_config_free(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_top_level_errors),
		cmocka_unit_test(test_target_agrees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
