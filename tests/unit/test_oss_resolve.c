// SPDX-License-Identifier: GPL-2.0
/*
 * The version rule readers and the PG primary share (oss_pg_resolve()),
 * on member states as a PG reports them: the highest version that enough
 * live members hold is the stripe's; a higher one that cannot have been
 * acknowledged (fewer than min_size members could hold it) is passed
 * over; one that may have been acknowledged but cannot be rebuilt makes
 * the answer "not yet" (-EAGAIN), never an older version.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../daemons/oss/node.h"

#define DOWN (-EHOSTDOWN)

struct state {
	int err;
	u64 version;
	u64 prepared;
};

static s64 resolve(u8 scheme, u8 k, u8 m, const struct state *st, u32 *cur)
{
	struct oss_member res[LEOFS_MAX_FRAGMENTS] = { 0 };
	struct oss_pg pg = {
		.l = { .scheme = scheme, .k = k, .m = m, .stripe_unit = 65536,
		       .stripe_count = 1, .pool_id = 1 },
		.ino = 0x77,
	};
	u32 r, need = scheme == LEOFS_LAYOUT_EC ? k : 1;

	pg.width = leofs_layout_width(&pg.l);
	for (r = 0; r < pg.width; r++) {
		res[r].err = st[r].err;
		res[r].version = st[r].version;
		res[r].prepared = st[r].prepared;
	}
	/* no case here rolls a member forward, so no member is reached */
	return oss_pg_resolve(&pg, res, need, cur);
}

static void test_all_at_one_version(void **state)
{
	static const struct state st[6] = {
		{ 0, 9, 0 }, { 0, 9, 0 }, { 0, 9, 0 },
		{ 0, 9, 0 }, { 0, 9, 0 }, { DOWN, 0, 0 },
	};
	u32 cur;

	(void)state;
	assert_int_equal(resolve(LEOFS_LAYOUT_EC, 4, 2, st, &cur), 9);
	assert_int_equal(cur, 0x1f);
}

/*
 * A refused new stripe left on one member (the others undid it): it was
 * never acknowledged, so the stripe is still unwritten, or still at the
 * version the others hold.
 */
static void test_lone_leftover_passed_over(void **state)
{
	static const struct state fresh[6] = {
		{ 0, 0, 0 }, { 0, 0, 0 }, { 0, 70, 0 },
		{ 0, 0, 0 }, { 0, 0, 0 }, { DOWN, 0, 0 },
	};
	static const struct state older[6] = {
		{ 0, 50, 0 }, { 0, 50, 0 }, { 0, 70, 0 },
		{ 0, 50, 0 }, { DOWN, 0, 0 }, { 0, 50, 0 },
	};
	u32 cur;

	(void)state;
	assert_int_equal(resolve(LEOFS_LAYOUT_EC, 4, 2, fresh, &cur), 0);
	assert_int_equal(cur, 0x1b);
	assert_int_equal(resolve(LEOFS_LAYOUT_EC, 4, 2, older, &cur), 50);
	assert_int_equal(cur, 0x2b);
}

/* A member that missed writes is behind; the newest version wins. */
static void test_member_behind(void **state)
{
	static const struct state ec[6] = {
		{ 0, 80, 0 }, { 0, 40, 0 }, { 0, 80, 0 },
		{ 0, 80, 0 }, { 0, 80, 0 }, { 0, 80, 0 },
	};
	static const struct state copies[3] = {
		{ DOWN, 0, 0 }, { 0, 40, 0 }, { 0, 80, 0 },
	};
	u32 cur;

	(void)state;
	assert_int_equal(resolve(LEOFS_LAYOUT_EC, 4, 2, ec, &cur), 80);
	assert_int_equal(cur, 0x3d);
	/* copies: one member holding the newest is enough */
	assert_int_equal(resolve(LEOFS_LAYOUT_REPLICA, 1, 2, copies, &cur),
			 80);
	assert_int_equal(cur, 0x4);
}

/*
 * Prepared on three members of 4+2 with two down: it may have been
 * prepared on five and committed on one of the two down, and acknowledged,
 * but three cannot rebuild it. Not the older version: not yet.
 */
static void test_undecidable(void **state)
{
	static const struct state st[6] = {
		{ 0, 50, 60 }, { 0, 50, 60 }, { 0, 50, 60 },
		{ 0, 50, 0 }, { DOWN, 0, 0 }, { -EIO, 0, 0 },
	};
	static const struct state back[6] = {
		{ 0, 50, 60 }, { 0, 50, 60 }, { 0, 50, 60 },
		{ 0, 50, 0 }, { 0, 50, 0 }, { DOWN, 0, 0 },
	};
	static const struct state all[6] = {
		{ 0, 50, 60 }, { 0, 50, 60 }, { 0, 50, 60 },
		{ 0, 50, 0 }, { 0, 50, 0 }, { 0, 50, 0 },
	};
	u32 cur = 0xff;

	(void)state;
	assert_int_equal(resolve(LEOFS_LAYOUT_EC, 4, 2, st, &cur), -EAGAIN);
	assert_int_equal(cur, 0);
	/* one more member known not to hold it: 3 + 1 < min_size 5 */
	assert_int_equal(resolve(LEOFS_LAYOUT_EC, 4, 2, back, &cur), 50);
	assert_int_equal(cur, 0x1f);
	assert_int_equal(resolve(LEOFS_LAYOUT_EC, 4, 2, all, &cur), 50);
	assert_int_equal(cur, 0x3f);
}

/* 8+3 with three down: 7 holders of 11 may mean 9 prepared, one committed. */
static void test_undecidable_wide(void **state)
{
	struct state st[11];
	u32 r, cur;

	(void)state;
	for (r = 0; r < 11; r++)
		st[r] = (struct state){ 0, 5, r < 7 ? 6 : 0 };
	st[8].err = st[9].err = st[10].err = DOWN;
	assert_int_equal(resolve(LEOFS_LAYOUT_EC, 8, 3, st, &cur), -EAGAIN);
	/* the seven and one more that never prepared it: 7 + 2 unknown */
	st[8].err = 0;
	assert_int_equal(resolve(LEOFS_LAYOUT_EC, 8, 3, st, &cur), -EAGAIN);
	/* two known without it: 7 + 1 < 9, never acknowledged */
	st[9].err = 0;
	assert_int_equal(resolve(LEOFS_LAYOUT_EC, 8, 3, st, &cur), 5);
	assert_int_equal(cur, 0x3ff);
}

/* Too few members at any version, and too few unwritten: an error. */
static void test_too_few(void **state)
{
	static const struct state st[6] = {
		{ 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 },
		{ 0, 90, 0 }, { DOWN, 0, 0 }, { DOWN, 0, 0 },
	};
	u32 cur;

	(void)state;
	/* 90: 1 + 2 unknown < 5, passed over; zeros: 3 members < K */
	assert_int_equal(resolve(LEOFS_LAYOUT_EC, 4, 2, st, &cur), -EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_at_one_version),
		cmocka_unit_test(test_lone_leftover_passed_over),
		cmocka_unit_test(test_member_behind),
		cmocka_unit_test(test_undecidable),
		cmocka_unit_test(test_undecidable_wide),
		cmocka_unit_test(test_too_few),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
