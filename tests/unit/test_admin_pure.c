// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-admin's pure parts (lib/admin): argument parsing, PG health on a
 * synthetic cluster map, table and JSON rendering.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "leofs/placement.h"
#include "../../lib/admin/admin.h"

/* ---- parsing -------------------------------------------------------------- */

static void test_hostport(void **state)
{
	struct admin_hostport hp[4];

	(void)state;
	assert_int_equal(admin_parse_hostport("127.0.0.1:7101", hp), 0);
	assert_string_equal(hp[0].host, "127.0.0.1");
	assert_int_equal(hp[0].port, 7101);
	assert_int_equal(admin_parse_hostport("mds1", hp), 0);
	assert_string_equal(hp[0].host, "mds1");
	assert_int_equal(hp[0].port, ADMIN_DEFAULT_PORT);
	assert_int_equal(admin_parse_hostport("[2001:db8::1]:9", hp), 0);
	assert_string_equal(hp[0].host, "2001:db8::1");
	assert_int_equal(hp[0].port, 9);
	assert_int_equal(admin_parse_hostport("::1", hp), 0);
	assert_string_equal(hp[0].host, "::1");
	assert_int_equal(admin_parse_hostport("h:0", hp), -EINVAL);
	assert_int_equal(admin_parse_hostport("h:65536", hp), -EINVAL);
	assert_int_equal(admin_parse_hostport("h:x", hp), -EINVAL);
	assert_int_equal(admin_parse_hostport(":7000", hp), -EINVAL);
	assert_int_equal(admin_parse_hostport("[::1", hp), -EINVAL);
	assert_int_equal(admin_parse_hostport("", hp), -EINVAL);

	assert_int_equal(admin_parse_hostports("a:1,b:2,c", hp, 4), 3);
	assert_string_equal(hp[1].host, "b");
	assert_int_equal(hp[2].port, ADMIN_DEFAULT_PORT);
	assert_int_equal(admin_parse_hostports("a,b,c,d,e", hp, 4), -E2BIG);
	assert_int_equal(admin_parse_hostports("a,,b", hp, 4), -EINVAL);
	assert_int_equal(admin_parse_hostports("a,", hp, 4), -EINVAL);
	assert_int_equal(admin_parse_hostports("", hp, 4), -EINVAL);
}

static void test_numbers(void **state)
{
	u64 v;

	(void)state;
	assert_int_equal(admin_parse_u64("42", 1, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(admin_parse_u64("0", 1, 100, &v), -EINVAL);
	assert_int_equal(admin_parse_u64("101", 1, 100, &v), -EINVAL);
	assert_int_equal(admin_parse_u64("-1", 0, 100, &v), -EINVAL);
	assert_int_equal(admin_parse_u64("4x", 0, 100, &v), -EINVAL);
	assert_int_equal(admin_parse_u64(" 4", 0, 100, &v), -EINVAL);
	assert_int_equal(admin_parse_u64("99999999999999999999", 0, ~0ull, &v),
			 -EINVAL);

	assert_int_equal(admin_parse_bytes("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(admin_parse_bytes("64K", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(admin_parse_bytes("1m", &v), 0);
	assert_int_equal(v, 1u << 20);
	assert_int_equal(admin_parse_bytes("2G", &v), 0);
	assert_int_equal(v, 2ull << 30);
	assert_int_equal(admin_parse_bytes("1MB", &v), -EINVAL);
	assert_int_equal(admin_parse_bytes("M", &v), -EINVAL);
	assert_int_equal(admin_parse_bytes("99999999999999999G", &v), -EINVAL);
}

static void test_schemes(void **state)
{
	struct leofs_layout l = { 0 };
	char buf[32];
	u8 k, m;

	(void)state;
	assert_int_equal(admin_parse_ec("4+1", &k, &m), 0);
	assert_int_equal(k, 4);
	assert_int_equal(m, 1);
	assert_int_equal(admin_parse_ec("16+4", &k, &m), 0);
	assert_int_equal(admin_parse_ec("1+1", &k, &m), -EINVAL);
	assert_int_equal(admin_parse_ec("17+1", &k, &m), -EINVAL);
	assert_int_equal(admin_parse_ec("4+0", &k, &m), -EINVAL);
	assert_int_equal(admin_parse_ec("4+5", &k, &m), -EINVAL);
	assert_int_equal(admin_parse_ec("4", &k, &m), -EINVAL);
	assert_int_equal(admin_parse_ec("+1", &k, &m), -EINVAL);

	assert_int_equal(admin_parse_scheme("replica:3", &l), 0);
	assert_int_equal(l.scheme, LEOFS_LAYOUT_REPLICA);
	assert_int_equal(l.k, 1);
	assert_int_equal(l.m, 2);
	assert_string_equal(admin_scheme_str(&l, buf, sizeof(buf)),
			    "replica 3");
	assert_int_equal(admin_parse_scheme("ec:8+3", &l), 0);
	assert_string_equal(admin_scheme_str(&l, buf, sizeof(buf)), "ec 8+3");
	assert_int_equal(admin_parse_scheme("replica:5", &l), -EINVAL);
	assert_int_equal(admin_parse_scheme("raid:5", &l), -EINVAL);
	l.scheme = LEOFS_LAYOUT_NONE;
	assert_string_equal(admin_scheme_str(&l, buf, sizeof(buf)), "none");

	assert_int_equal(admin_parse_tier("ssd"), LEOFS_TIER_SSD);
	assert_int_equal(admin_parse_tier("sata"), LEOFS_TIER_SATA);
	assert_int_equal(admin_parse_tier("SSD"), -EINVAL);
	assert_string_equal(admin_tier_name(LEOFS_TIER_SAS), "sas");
	assert_string_equal(admin_tier_name(7), "?");

	assert_int_equal(admin_min_size(LEOFS_LAYOUT_EC, 4, 1), 5);
	assert_int_equal(admin_min_size(LEOFS_LAYOUT_EC, 8, 3), 9);
	assert_int_equal(admin_min_size(LEOFS_LAYOUT_REPLICA, 1, 2), 2);
	assert_int_equal(admin_min_size(LEOFS_LAYOUT_REPLICA, 1, 0), 1);
}

static void test_uuid_and_text(void **state)
{
	static const char *s = "0123456789abcdef0123456789ABCDEF";
	struct leofs_addr a4 = { .family = 4,
				 .port = 7000,
				 .addr = { 192, 0, 2, 10 } };
	struct leofs_addr a6 = { .family = 6,
				 .port = 1,
				 .addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	struct leofs_addr none = { 0 };
	char buf[64];
	u8 u[16], v[16];

	(void)state;
	assert_int_equal(admin_parse_uuid(s, u), 0);
	admin_format_uuid(u, buf);
	assert_string_equal(buf, "01234567-89ab-cdef-0123-456789abcdef");
	assert_int_equal(admin_parse_uuid(buf, v), 0);
	assert_memory_equal(u, v, 16);
	assert_int_equal(admin_parse_uuid("0123", u), -EINVAL);
	assert_int_equal(
		admin_parse_uuid("0123456789abcdef0123456789abcdefff", u),
		-EINVAL);
	assert_int_equal(
		admin_parse_uuid("g123456789abcdef0123456789abcdef", u),
		-EINVAL);

	assert_string_equal(admin_addr_str(&a4, buf, sizeof(buf)),
			    "192.0.2.10:7000");
	assert_string_equal(admin_addr_str(&a6, buf, sizeof(buf)),
			    "[2001:db8::1]:1");
	assert_string_equal(admin_addr_str(&none, buf, sizeof(buf)), "-");

	assert_string_equal(admin_human_bytes(0, buf, sizeof(buf)), "0 B");
	assert_string_equal(admin_human_bytes(1023, buf, sizeof(buf)),
			    "1023 B");
	assert_string_equal(admin_human_bytes(1024, buf, sizeof(buf)),
			    "1.0 KiB");
	assert_string_equal(admin_human_bytes(1536ull << 20, buf, sizeof(buf)),
			    "1.5 GiB");
	assert_string_equal(admin_human_bytes(~0ull, buf, sizeof(buf)),
			    "15.9 EiB");
}

/* ---- PG health ----------------------------------------------------------- */

#define NODES 6

struct synth {
	struct leofs_map map;
	struct leofs_map_node nodes[NODES];
	struct leofs_map_target targets[NODES];
	struct leofs_map_pool pool;
	struct leofs_map_mds mds;
	struct leofs_map_shard shard;
};

/* 6 nodes with one sata target each, one sata pool of 64 PGs. */
static void synth_init(struct synth *s)
{
	u32 i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < NODES; i++) {
		s->nodes[i].id = i + 1;
		s->nodes[i].state = LEOFS_STATE_UP | LEOFS_STATE_IN;
		s->targets[i].id = 100 + i;
		s->targets[i].node_id = i + 1;
		s->targets[i].weight = LEOFS_WEIGHT_ONE;
		s->targets[i].tier = LEOFS_TIER_SATA;
		s->targets[i].state = LEOFS_STATE_UP | LEOFS_STATE_IN;
	}
	s->pool.id = 1;
	s->pool.tier = LEOFS_TIER_SATA;
	s->pool.pg_num = 64;
	strcpy(s->pool.name, "images");
	s->mds.id = 1;
	s->shard.primary_mds = 1;
	s->shard.weight = LEOFS_WEIGHT_ONE;
	s->map.epoch = 3;
	s->map.node_count = NODES;
	s->map.target_count = NODES;
	s->map.pool_count = 1;
	s->map.mds_count = 1;
	s->map.shard_count = 1;
	s->map.nodes = s->nodes;
	s->map.targets = s->targets;
	s->map.pools = &s->pool;
	s->map.mds = &s->mds;
	s->map.shards = &s->shard;
}

/* PGs of (pool 1, width) whose row holds at least 'want' of the targets. */
static u32 rows_with(const struct leofs_map *m, u32 width, const u32 *tids,
		     u32 ntids, u32 want)
{
	size_t tsize = leofs_pg_table_size(64, width);
	size_t wsize = leofs_pg_table_work_size(m->target_count, 64, width);
	struct leofs_pg_table *t = malloc(tsize);
	void *w = malloc(wsize);
	u32 pg, r, i, hits, n = 0;

	assert_int_equal(leofs_pg_table_build(m, 1, width, w, wsize, t, tsize),
			 0);
	for (pg = 0; pg < 64; pg++) {
		for (r = 0, hits = 0; r < width; r++)
			for (i = 0; i < ntids; i++)
				hits += leofs_pg_target(t, pg, r) == tids[i];
		n += hits >= want;
	}
	free(t);
	free(w);
	return n;
}

static void test_health_all_up(void **state)
{
	struct admin_pg_health h;
	struct synth s;

	(void)state;
	synth_init(&s);
	assert_int_equal(admin_pg_health(&s.map, 1, LEOFS_LAYOUT_EC, 4, 1, &h),
			 0);
	assert_int_equal(h.error, 0);
	assert_int_equal(h.width, 5);
	assert_int_equal(h.min_size, 5);
	assert_int_equal(h.pg_num, 64);
	assert_int_equal(h.clean, 64);
	assert_int_equal(h.degraded + h.readonly, 0);
	assert_int_equal(admin_pg_health(&s.map, 2, LEOFS_LAYOUT_EC, 4, 1, &h),
			 -ENOENT);
	assert_int_equal(
		admin_pg_health(&s.map, 1, LEOFS_LAYOUT_NONE, 0, 0, &h),
		-EINVAL);
}

static void test_health_node_down(void **state)
{
	struct admin_pg_health h;
	struct synth s;
	u32 tid = 102, both[2] = { 102, 104 }, hit;

	(void)state;
	synth_init(&s);
	s.nodes[2].state &= ~LEOFS_STATE_UP; /* node 3 (target 102) down */

	/* EC 4+1: min_size 5 = width, so any missing member is read-only */
	assert_int_equal(admin_pg_health(&s.map, 1, LEOFS_LAYOUT_EC, 4, 1, &h),
			 0);
	hit = rows_with(&s.map, 5, &tid, 1, 1);
	assert_true(hit > 0 && hit < 64);
	assert_int_equal(h.readonly, hit);
	assert_int_equal(h.degraded, 0);
	assert_int_equal(h.clean, 64 - hit);

	/* EC 3+2: min_size 4 of 5, one member down is degraded */
	assert_int_equal(admin_pg_health(&s.map, 1, LEOFS_LAYOUT_EC, 3, 2, &h),
			 0);
	assert_int_equal(h.degraded, rows_with(&s.map, 5, &tid, 1, 1));
	assert_int_equal(h.readonly, 0);

	/* replica 3 with two nodes down: rows holding both are read-only */
	s.targets[4].state &= ~LEOFS_STATE_UP; /* target 104 down */
	assert_int_equal(
		admin_pg_health(&s.map, 1, LEOFS_LAYOUT_REPLICA, 1, 2, &h), 0);
	assert_int_equal(h.readonly, rows_with(&s.map, 3, both, 2, 2));
	assert_int_equal(h.degraded,
			 rows_with(&s.map, 3, both, 2, 1) - h.readonly);
	assert_int_equal(h.clean + h.degraded + h.readonly, 64);
}

static void test_health_out_and_width(void **state)
{
	struct admin_pg_health h;
	struct synth s;

	(void)state;
	synth_init(&s);
	/* down and out: placement remaps its PGs, all clean again */
	s.nodes[2].state = 0;
	s.targets[2].state = 0;
	assert_int_equal(admin_pg_health(&s.map, 1, LEOFS_LAYOUT_EC, 4, 1, &h),
			 0);
	assert_int_equal(h.clean, 64);
	/* 5 nodes left IN: 4+2 cannot be placed */
	assert_int_equal(admin_pg_health(&s.map, 1, LEOFS_LAYOUT_EC, 4, 2, &h),
			 0);
	assert_int_equal(h.error, -ENOSPC);
	assert_int_equal(h.clean + h.degraded + h.readonly, 0);
}

/* ---- rendering ------------------------------------------------------------ */

static char *print_table(struct admin_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	admin_table_print(t, f);
	fclose(f);
	return buf;
}

static void test_table(void **state)
{
	static const char *const hdr[] = { "NAME", ">SIZE", "NOTE" };
	const char *row[] = { "a", "1", NULL };
	struct admin_table *t = admin_table_new(3, hdr);
	char *out;

	(void)state;
	assert_non_null(t);
	assert_int_equal(admin_table_add(t, row), 0);
	assert_int_equal(
		admin_table_addf(t, "%s\t%d\t%s", "longer", 12345, "x y"), 0);
	assert_int_equal(admin_table_addf(t, "only"), 0);
	assert_int_equal(admin_table_rows(t), 3);
	out = print_table(t);
	assert_string_equal(out, "NAME     SIZE  NOTE\n"
				 "a           1  -\n"
				 "longer  12345  x y\n"
				 "only        -  -\n");
	free(out);
	admin_table_free(t);
}

static void test_json(void **state)
{
	struct leofs_layout l = { .pool_id = 1,
				  .scheme = LEOFS_LAYOUT_EC,
				  .k = 4,
				  .m = 1,
				  .stripe_unit = 1 << 20,
				  .stripe_count = 2,
				  .generation = 7 };
	struct admin_pg_health h = { .pool_id = 1,
				     .scheme = LEOFS_LAYOUT_EC,
				     .k = 4,
				     .m = 1,
				     .width = 5,
				     .min_size = 5,
				     .pg_num = 64,
				     .clean = 60,
				     .readonly = 4 };
	struct synth s;
	json_t *o;
	char *txt;

	(void)state;
	synth_init(&s);
	o = admin_json_layout(&l, &s.map);
	txt = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(txt, "{\"pool_id\":1,\"pool\":\"images\","
				 "\"scheme\":\"ec\",\"k\":4,\"m\":1,"
				 "\"stripe_unit\":1048576,\"stripe_count\":2,"
				 "\"generation\":7}");
	free(txt);
	json_decref(o);

	l.scheme = LEOFS_LAYOUT_REPLICA;
	l.k = 1;
	l.m = 2;
	l.pool_id = 9; /* not in the map: no name */
	o = admin_json_layout(&l, &s.map);
	assert_true(json_is_null(json_object_get(o, "pool")) ||
		    !json_object_get(o, "pool"));
	assert_int_equal(json_integer_value(json_object_get(o, "copies")), 3);
	assert_string_equal(json_string_value(json_object_get(o, "scheme")),
			    "replica");
	json_decref(o);

	o = admin_json_pg_health(&h);
	txt = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(txt, "{\"pool_id\":1,\"scheme\":\"ec 4+1\","
				 "\"width\":5,\"min_size\":5,\"pg_num\":64,"
				 "\"clean\":60,\"degraded\":0,"
				 "\"read_only\":4}");
	free(txt);
	json_decref(o);

	h.error = -ENOSPC;
	o = admin_json_pg_health(&h);
	assert_non_null(json_object_get(o, "error"));
	assert_null(json_object_get(o, "clean"));
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostport),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_schemes),
		cmocka_unit_test(test_uuid_and_text),
		cmocka_unit_test(test_health_all_up),
		cmocka_unit_test(test_health_node_down),
		cmocka_unit_test(test_health_out_and_width),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
