// SPDX-License-Identifier: GPL-2.0
/*
 * The map authority (daemons/mds/mapsvc.c) on a real store, with a test
 * clock: a silent storage node goes down after the grace period and out
 * after down_out_ms more, a node heard again is up and in, a new address
 * is a new epoch, capacity reports, pool creation and its checks; every
 * change is a higher epoch, told to the listener and kept across a
 * reopen. A follower refuses the authority's operations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "../../daemons/mds/mapsvc.h"
#include "helper_mds.h"

#define GRACE	 1000
#define DOWN_OUT 5000

static const u8 cid[16] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };

static const char desc[] =
	"{ \"nodes\": ["
	" { \"id\": 1, \"address\": \"10.0.1.1\", \"port\": 7200,"
	"   \"targets\": [ { \"id\": 11, \"tier\": \"ssd\" } ] },"
	" { \"id\": 2, \"address\": \"10.0.1.2\", \"port\": 7200,"
	"   \"targets\": [ { \"id\": 21, \"tier\": \"ssd\" } ] } ],"
	" \"pools\": [ { \"id\": 1, \"name\": \"images\", \"tier\": \"ssd\","
	"   \"pg_num\": 8 } ],"
	" \"mds\": [ { \"id\": 1, \"address\": \"10.0.0.1\", \"port\": 7100 } ],"
	" \"shards\": [ { \"id\": 0, \"mds\": 1 } ] }";

static u64 clock_now;

static u64 test_clock(void)
{
	return clock_now;
}

struct fx {
	char dir[64];
	struct mds_mapsvc *svc;
	u32 told; /* listener calls */
};

static void on_change(void *arg)
{
	struct fx *fx = arg;

	fx->told++;
}

static void open_svc(struct fx *fx, u32 down_out_ms)
{
	struct mds_mapsvc_opts o = {
		.data_dir = fx->dir,
		.cluster_id = cid,
		.node_id = 1,
		.authority = true,
		.grace_ms = GRACE,
		.down_out_ms = down_out_ms,
		.clock_ms = test_clock,
	};

	assert_int_equal(mds_mapsvc_open(&o, &fx->svc), 0);
	mds_mapsvc_listen(fx->svc, on_change, fx);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct leofs_map m;
	char err[256];

	mds_test_tmpdir(fx->dir, sizeof(fx->dir), "mds-mapsvc");
	assert_int_equal(mds_cluster_parse(desc, strlen(desc), cid, &m, NULL,
					   err, sizeof(err)),
			 0);
	assert_int_equal(mds_mapsvc_bootstrap(fx->dir, &m), 0);
	assert_int_equal(mds_mapsvc_bootstrap(fx->dir, &m), -EEXIST);
	mds_map_arrays_free(&m);
	clock_now = 1000000;
	open_svc(fx, DOWN_OUT);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	mds_mapsvc_close(fx->svc);
	mds_test_rmtree(fx->dir);
	free(fx);
	return 0;
}

/* The state bits of node id in the current map, and its epoch. */
static u32 node_state(struct mds_mapsvc *svc, u32 id, u64 *epoch)
{
	struct mds_map *m = mds_mapsvc_current(svc);
	u32 i, st = ~0u;

	assert_non_null(m);
	for (i = 0; i < m->map.node_count; i++)
		if (m->map.nodes[i].id == id)
			st = m->map.nodes[i].state;
	if (epoch)
		*epoch = m->map.epoch;
	mds_map_unref(m);
	return st;
}

static void beat(struct mds_mapsvc *svc, u32 node, u64 used, u64 free_,
		 u64 *epoch)
{
	struct leofs_heartbeat_req *h = calloc(1, sizeof(*h));

	h->node_id = node;
	h->nr_targets = 1;
	h->targets[0].id = node * 10 + 1;
	h->targets[0].used = used;
	h->targets[0].free = free_;
	assert_int_equal(mds_mapsvc_heartbeat(svc, h, epoch), 0);
	free(h);
}

static int reg(struct mds_mapsvc *svc, u32 node, u8 last_octet, u64 *epoch)
{
	struct leofs_oss_register_req *r = calloc(1, sizeof(*r));
	int rc;

	r->node_id = node;
	r->addr_family = 4;
	r->port = 7200;
	r->addr[0] = 10;
	r->addr[2] = 1;
	r->addr[3] = last_octet;
	r->nr_targets = 1;
	r->targets[0].id = node * 10 + 1;
	r->targets[0].capacity = 1000;
	r->targets[0].used = 100;
	rc = mds_mapsvc_register(svc, r, epoch);
	free(r);
	return rc;
}

#define UP_IN (LEOFS_STATE_UP | LEOFS_STATE_IN)

static void test_down_then_out(void **state)
{
	struct fx *fx = *state;
	struct mds_mapsvc *svc = fx->svc;
	u64 e, e0, t0 = clock_now;

	assert_true(mds_mapsvc_is_authority(svc));
	assert_int_equal(node_state(svc, 2, &e0), UP_IN);
	assert_int_equal(e0, 1);
	assert_int_equal(mds_mapsvc_epoch(svc), 1);

	/* node 1 keeps beating, node 2 is silent */
	clock_now = t0 + GRACE / 2;
	beat(svc, 1, 10, 90, &e);
	assert_int_equal(e, 1);
	clock_now = t0 + GRACE - 1;
	assert_int_equal(mds_mapsvc_tick(svc), 0);
	assert_int_equal(mds_mapsvc_epoch(svc), 1);
	assert_int_equal(fx->told, 0);

	clock_now = t0 + GRACE;
	assert_int_equal(mds_mapsvc_tick(svc), 0);
	assert_int_equal(node_state(svc, 2, &e), LEOFS_STATE_IN);
	assert_int_equal(node_state(svc, 1, NULL), UP_IN);
	assert_int_equal(e, 2);
	assert_int_equal(fx->told, 1);
	assert_int_equal(mds_mapsvc_tick(svc), 0); /* once */
	assert_int_equal(mds_mapsvc_epoch(svc), 2);

	/* still in until down_out_ms more have passed */
	clock_now = t0 + GRACE + DOWN_OUT - 1;
	beat(svc, 1, 10, 90, &e);
	assert_int_equal(mds_mapsvc_tick(svc), 0);
	assert_int_equal(node_state(svc, 2, &e), LEOFS_STATE_IN);
	assert_int_equal(e, 2);
	clock_now = t0 + GRACE + DOWN_OUT;
	assert_int_equal(mds_mapsvc_tick(svc), 0);
	assert_int_equal(node_state(svc, 2, &e), 0);
	assert_int_equal(e, 3);
	assert_int_equal(fx->told, 2);
	assert_int_equal(mds_mapsvc_tick(svc), 0);
	assert_int_equal(mds_mapsvc_epoch(svc), 3);

	/* heard again: up and in, in a new epoch */
	beat(svc, 2, 0, 0, &e);
	assert_int_equal(e, 4);
	assert_int_equal(node_state(svc, 2, NULL), UP_IN);
	assert_int_equal(fx->told, 3);
	beat(svc, 2, 0, 0, &e);
	assert_int_equal(e, 4);

	/* the epochs are kept: a reopen starts from the last one */
	mds_mapsvc_close(svc);
	open_svc(fx, DOWN_OUT);
	svc = fx->svc;
	assert_int_equal(mds_mapsvc_epoch(svc), 4);
	assert_int_equal(node_state(svc, 2, NULL), UP_IN);
	/* a reopened authority gives every node a fresh grace period */
	clock_now += GRACE - 1;
	assert_int_equal(mds_mapsvc_tick(svc), 0);
	assert_int_equal(mds_mapsvc_epoch(svc), 4);
}

static void test_never_out(void **state)
{
	struct fx *fx = *state;
	u64 e;

	mds_mapsvc_close(fx->svc);
	open_svc(fx, 0);
	clock_now += GRACE;
	assert_int_equal(mds_mapsvc_tick(fx->svc), 0);
	assert_int_equal(node_state(fx->svc, 1, &e), LEOFS_STATE_IN);
	assert_int_equal(node_state(fx->svc, 2, NULL), LEOFS_STATE_IN);
	assert_int_equal(e, 2); /* both in one epoch */
	clock_now += 100 * DOWN_OUT;
	assert_int_equal(mds_mapsvc_tick(fx->svc), 0);
	assert_int_equal(node_state(fx->svc, 1, &e), LEOFS_STATE_IN);
	assert_int_equal(e, 2);
}

static void test_register(void **state)
{
	struct fx *fx = *state;
	struct mds_mapsvc *svc = fx->svc;
	struct mds_target_space sp[4];
	struct mds_map *m;
	u64 e;

	/* the address of the description: nothing changes */
	assert_int_equal(reg(svc, 1, 1, &e), 0);
	assert_int_equal(e, 1);
	/* a new address: a new epoch carrying it */
	assert_int_equal(reg(svc, 2, 77, &e), 0);
	assert_int_equal(e, 2);
	m = mds_mapsvc_current(svc);
	assert_int_equal(m->map.nodes[1].id, 2);
	assert_int_equal(m->map.nodes[1].addr.addr[3], 77);
	mds_map_unref(m);
	assert_int_equal(reg(svc, 3, 1, &e), -ENOENT);
	assert_int_equal(e, 2);

	/* capacity: registered, then from heartbeats (used + free) */
	assert_int_equal(mds_mapsvc_space(svc, sp, 4), 2);
	assert_int_equal(sp[0].capacity, 1000);
	assert_int_equal(sp[0].used, 100);
	beat(svc, 2, 300, 700, &e);
	assert_int_equal(mds_mapsvc_space(svc, sp, 4), 2);
	assert_int_equal(sp[1].capacity, 1000);
	assert_int_equal(sp[1].used, 300);
	assert_int_equal(mds_mapsvc_space(svc, sp, 1), 1);
}

static void test_pool_create(void **state)
{
	static const struct {
		const char *name;
		u32 tier, pgs;
		int rc;
	} bad[] = {
		{ "logs", LEOFS_TIER_SSD, 16, -EEXIST },
		{ "images", LEOFS_TIER_SATA, 16, -EEXIST },
		{ "a b", LEOFS_TIER_SSD, 16, -EINVAL },
		{ "", LEOFS_TIER_SSD, 16, -EINVAL },
		{ "01234567890123456789012345678901", LEOFS_TIER_SSD, 16,
		  -EINVAL },
		{ "x", LEOFS_TIER_COUNT, 16, -EINVAL },
		{ "x", LEOFS_TIER_SSD, 0, -EINVAL },
		{ "x", LEOFS_TIER_SSD, MDS_POOL_PG_MAX + 1, -EINVAL },
	};
	struct fx *fx = *state;
	struct mds_mapsvc *svc = fx->svc;
	struct mds_map *m;
	u32 id = 0, i;
	u64 e = 0;

	assert_int_equal(mds_mapsvc_pool_create(svc, "logs", 4, LEOFS_TIER_SSD,
						16, &id, &e),
			 0);
	assert_int_equal(id, 2);
	assert_int_equal(e, 2);
	assert_int_equal(fx->told, 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mds_mapsvc_pool_create(
					 svc, bad[i].name, strlen(bad[i].name),
					 bad[i].tier, bad[i].pgs, &id, &e),
				 bad[i].rc);
	assert_int_equal(mds_mapsvc_epoch(svc), 2);
	assert_int_equal(mds_mapsvc_pool_create(svc, "x", 1, LEOFS_TIER_SSD,
						MDS_POOL_PG_MAX, &id, &e),
			 0);
	assert_int_equal(id, 3);
	assert_int_equal(e, 3);

	/* stored: there after a reopen */
	mds_mapsvc_close(svc);
	open_svc(fx, DOWN_OUT);
	m = mds_mapsvc_current(fx->svc);
	assert_int_equal(m->map.epoch, 3);
	assert_int_equal(m->map.pool_count, 3);
	assert_string_equal(m->map.pools[1].name, "logs");
	assert_int_equal(m->map.pools[1].pg_num, 16);
	assert_int_equal(m->map.pools[2].pg_num, MDS_POOL_PG_MAX);
	mds_map_unref(m);
}

static void test_follower(void **state)
{
	struct fx *fx = *state;
	struct mds_mapsvc_opts o = {
		.data_dir = fx->dir,
		.cluster_id = cid,
		.node_id = 2,
		.authority_host = "127.0.0.1",
		.authority_port = 1, /* nobody there */
		.clock_ms = test_clock,
	};
	struct mds_mapsvc *f;
	u32 id;
	u64 e;

	mds_mapsvc_close(fx->svc);
	fx->svc = NULL;
	assert_int_equal(mds_mapsvc_open(&o, &f), 0);
	assert_false(mds_mapsvc_is_authority(f));
	/* the stored map serves until the authority answers */
	assert_int_equal(mds_mapsvc_epoch(f), 1);
	assert_int_equal(reg(f, 1, 1, &e), -EOPNOTSUPP);
	assert_int_equal(
		mds_mapsvc_pool_create(f, "x", 1, LEOFS_TIER_SSD, 1, &id, &e),
		-EOPNOTSUPP);
	assert_int_equal(mds_mapsvc_tick(f), 0);
	mds_mapsvc_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_down_then_out, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_never_out, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_create, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_follower, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
