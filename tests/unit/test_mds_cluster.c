// SPDX-License-Identifier: GPL-2.0
/*
 * The cluster description parser (leofs-mds --init): a good description
 * into a map, the root's default layout (given, or derived from the first
 * pool's nodes), and bad input, each refused with the field named.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../daemons/mds/mapsvc.h"

static const u8 cid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

/* n nodes with one ssd target each, pool 1 "images", then extra fields. */
static char *desc(unsigned int n, const char *extra)
{
	static char buf[8192];
	size_t off;
	unsigned int i;

	off = (size_t)snprintf(buf, sizeof(buf), "{ \"nodes\": [");
	for (i = 1; i <= n; i++)
		off += (size_t)snprintf(
			buf + off, sizeof(buf) - off,
			"%s{ \"id\": %u, \"address\": \"10.0.1.%u\", \"port\": 7200,"
			" \"targets\": [ { \"id\": %u, \"tier\": \"ssd\" } ] }",
			i > 1 ? ", " : "", i, i, 10 * i + 1);
	snprintf(buf + off, sizeof(buf) - off,
		 "], \"pools\": [ { \"id\": 1, \"name\": \"images\","
		 " \"tier\": \"ssd\", \"pg_num\": 64 } ],"
		 " \"mds\": [ { \"id\": 1, \"address\": \"10.0.0.1\","
		 " \"port\": 7100 } ],"
		 " \"shards\": [ { \"id\": 0, \"mds\": 1 } ]%s }",
		 extra);
	return buf;
}

static int parse(const char *text, struct leofs_map *m, struct mds_layout *l,
		 char *err)
{
	return mds_cluster_parse(text, strlen(text), cid, m, l, err, 256);
}

static void test_good(void **state)
{
	struct leofs_map m;
	struct mds_layout l;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(desc(3, ""), &m, &l, err), 0);
	assert_int_equal(m.epoch, 1);
	assert_memory_equal(m.cluster_id, cid, 16);
	assert_int_equal(m.node_count, 3);
	assert_int_equal(m.target_count, 3);
	assert_int_equal(m.pool_count, 1);
	assert_string_equal(m.pools[0].name, "images");
	assert_int_equal(m.shard_count, 1);
	assert_int_equal(m.shards[0].primary_mds, 1);
	mds_map_arrays_free(&m);
}

static void test_derived_layout(void **state)
{
	static const struct {
		unsigned int nodes;
		u8 scheme, k, m;
	} cases[] = {
		{ 1, MDS_LAYOUT_REPLICA, 1, 0 }, { 2, MDS_LAYOUT_REPLICA, 1, 1 },
		{ 3, MDS_LAYOUT_REPLICA, 1, 2 }, { 4, MDS_LAYOUT_REPLICA, 1, 2 },
		{ 5, MDS_LAYOUT_EC, 4, 1 },	 { 9, MDS_LAYOUT_EC, 4, 1 },
	};
	struct leofs_map m;
	struct mds_layout l;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(desc(cases[i].nodes, ""), &m, &l, err),
				 0);
		assert_int_equal(l.pool_id, 1);
		assert_int_equal(l.scheme, cases[i].scheme);
		assert_int_equal(l.k, cases[i].k);
		assert_int_equal(l.m, cases[i].m);
		assert_int_equal(l.stripe_unit, 1 << 20);
		assert_int_equal(l.stripe_count, 1);
		assert_int_equal(mds_layout_validate(&l, &m, err, sizeof(err)),
				 0);
		mds_map_arrays_free(&m);
	}
	/* no node of the pool's tier: no layout */
	assert_int_equal(parse(desc(0, ""), &m, &l, err), -EINVAL);
	assert_non_null(strstr(err, "nodes"));
}

static void test_given_layout(void **state)
{
	struct leofs_map m;
	struct mds_layout l;
	char err[256];

	(void)state;
	assert_int_equal(
		parse(desc(4, ", \"default_layout\": \"pool=images scheme=replica"
			      " n=2 unit=65536 count=4\""),
		      &m, &l, err),
		0);
	assert_int_equal(l.scheme, MDS_LAYOUT_REPLICA);
	assert_int_equal(l.m, 1);
	assert_int_equal(l.stripe_unit, 65536);
	assert_int_equal(l.stripe_count, 4);
	assert_int_equal(l.generation, 1);
	mds_map_arrays_free(&m);
	/* a NULL layout is fine */
	assert_int_equal(parse(desc(1, ""), &m, NULL, err), 0);
	mds_map_arrays_free(&m);
}

/* Each bad description is refused with the text want in the error. */
static void test_bad(void **state)
{
	static const struct {
		unsigned int nodes;
		const char *extra;
		const char *want;
	} cases[] = {
		{ 5, ", \"default_layout\": 7", "default_layout: must be a string" },
		{ 5, ", \"default_layout\": \"pool=nope scheme=ec k=4 m=1 unit=1048576 count=1\"",
		  "default_layout" },
		{ 4, ", \"default_layout\": \"pool=images scheme=ec k=4 m=1 unit=1048576 count=1\"",
		  "default_layout" },
		{ 5, ", \"default_layout\": \"pool=images scheme=ec k=4 m=1 unit=1000 count=1\"",
		  "default_layout" },
		{ 5, ", \"default_layout\": \"pool=images scheme=ec k=4 m=1 unit=1048576\"",
		  "default_layout" },
		{ 1, ", \"extra\": 1", "(top).extra: unknown field" },
	};
	static const struct {
		const char *from, *to, *want;
	} edits[] = {
		{ "\"port\": 7200", "\"port\": 70000", "nodes[0].port" },
		{ "\"address\": \"10.0.1.1\"", "\"address\": \"nohost\"",
		  "nodes[0].address" },
		{ "\"tier\": \"ssd\" }", "\"tier\": \"tape\" }",
		  "nodes[0].targets[0].tier" },
		{ "\"pg_num\": 64", "\"pg_num\": 0", "pools[0].pg_num" },
		{ "\"name\": \"images\"", "\"name\": \"\"", "pools[0].name" },
		{ "\"mds\": 1 }", "\"mds\": 9 }", "shards[0].mds" },
		{ "\"id\": 0, \"mds\"", "\"id\": 70000, \"mds\"",
		  "shards[0].id" },
		{ "\"port\": 7100", "\"port\": \"x\"", "mds[0].port" },
		{ "\"id\": 1, \"address\"", "\"id\": 0, \"address\"",
		  "nodes[0].id" },
		{ "\"pools\": [ {", "\"pools\": [ 5, {",
		  "pools[0]: must be an object" },
	};
	struct leofs_map m;
	struct mds_layout l;
	char err[256], text[8192], *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = 0;
		assert_int_equal(parse(desc(cases[i].nodes, cases[i].extra), &m,
				       &l, err),
				 -EINVAL);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: '%s' does not name %s", i, err,
				 cases[i].want);
	}
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		snprintf(text, sizeof(text), "%s", desc(2, ""));
		p = strstr(text, edits[i].from);
		assert_non_null(p);
		memmove(p + strlen(edits[i].to), p + strlen(edits[i].from),
			strlen(p + strlen(edits[i].from)) + 1);
		memcpy(p, edits[i].to, strlen(edits[i].to));
		err[0] = 0;
		assert_int_equal(parse(text, &m, &l, err), -EINVAL);
		if (!strstr(err, edits[i].want))
			fail_msg("edit %zu: '%s' does not name %s", i, err,
				 edits[i].want);
	}
	/* not JSON at all, and a duplicate key */
	assert_int_equal(parse("{ \"nodes\": [", &m, &l, err), -EINVAL);
	assert_non_null(strstr(err, "line"));
	assert_int_equal(parse("{ \"pools\": [], \"pools\": [] }", &m, &l, err),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_derived_layout),
		cmocka_unit_test(test_given_layout),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
