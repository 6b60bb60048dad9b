// SPDX-License-Identifier: GPL-2.0
/*
 * The session table (daemons/mds/session.c): new and resumed sessions,
 * the bound on sessions, expiry after the idle timeout (the clock is the
 * caller's), sessions adopted from before a restart.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <errno.h>
#include <cmocka.h>

#include "../../daemons/mds/session.h"
#include "helper_mds.h"

#define TMO 1000

static void test_attach(void **state)
{
	struct mds_sessions *t;
	struct mds_session *a, *b, *c;

	(void)state;
	assert_int_equal(mds_sessions_new(8, TMO, &t), 0);
	/* id 0: a new session with a fresh, non-zero id */
	assert_int_equal(mds_session_attach(t, 0, 0, &a), 0);
	assert_int_not_equal(a->id, 0);
	assert_int_equal(a->conns, 1);
	assert_int_equal(mds_session_attach(t, 0, 0, &b), 0);
	assert_int_not_equal(b->id, a->id);
	/* a known id: the same session, one more connection */
	assert_int_equal(mds_session_attach(t, a->id, 0, &c), 0);
	assert_ptr_equal(c, a);
	assert_int_equal(a->conns, 2);
	/* an unknown id is resumed under that id */
	assert_int_equal(mds_session_attach(t, 0x1234, 0, &c), 0);
	assert_int_equal(c->id, 0x1234);
	assert_int_equal(mds_sessions_count(t), 3);
	mds_sessions_free(t);
}

static void test_limit(void **state)
{
	struct mds_sessions *t;
	struct mds_session *a, *b, *c;
	struct mds_test_ids g = { 0 };

	(void)state;
	assert_int_equal(mds_sessions_new(2, TMO, &t), 0);
	assert_int_equal(mds_session_attach(t, 0, 0, &a), 0);
	assert_int_equal(mds_session_attach(t, 0, 0, &b), 0);
	assert_int_equal(mds_session_attach(t, 0, 0, &c), -EUSERS);
	assert_int_equal(mds_session_attach(t, 99, 0, &c), -EUSERS);
	assert_int_equal(mds_session_adopt(t, 99, 0), -EUSERS);
	/* a bound session still takes more connections */
	assert_int_equal(mds_session_attach(t, a->id, 0, &c), 0);
	/* an idle one still fresh holds its place; once expired, it frees it */
	mds_session_detach(t, b, 10);
	assert_int_equal(mds_session_attach(t, 0, 20, &c), -EUSERS);
	assert_int_equal(
		mds_sessions_expire(t, 10 + TMO, 8, mds_test_ids_add, &g), 1);
	assert_int_equal(mds_session_attach(t, 0, 20, &c), 0);
	assert_int_equal(mds_sessions_count(t), 2);
	mds_sessions_free(t);
}

static void test_expire(void **state)
{
	struct mds_sessions *t;
	struct mds_session *a, *b;
	struct mds_test_ids g = { 0 };
	u64 ida;

	(void)state;
	assert_int_equal(mds_sessions_new(8, TMO, &t), 0);
	assert_int_equal(mds_session_attach(t, 0, 0, &a), 0);
	assert_int_equal(mds_session_attach(t, a->id, 0, &b), 0);
	assert_int_equal(mds_session_attach(t, 0, 0, &b), 0);
	ida = a->id;
	/* bound sessions never expire */
	assert_int_equal(
		mds_sessions_expire(t, 10 * TMO, 8, mds_test_ids_add, &g), 0);
	/* idle from the last connection's close */
	mds_session_detach(t, a, 100);
	assert_int_equal(
		mds_sessions_expire(t, 100 + TMO, 8, mds_test_ids_add, &g), 0);
	mds_session_detach(t, a, 500);
	assert_int_equal(
		mds_sessions_expire(t, 500 + TMO - 1, 8, mds_test_ids_add, &g),
		0);
	assert_int_equal(
		mds_sessions_expire(t, 500 + TMO, 8, mds_test_ids_add, &g), 1);
	assert_int_equal(g.ids[0], ida);
	assert_int_equal(mds_sessions_count(t), 1);
	/* resuming an expired id makes a new session under it */
	assert_int_equal(mds_session_attach(t, ida, 600, &a), 0);
	assert_int_equal(a->id, ida);
	assert_int_equal(mds_sessions_count(t), 2);
	mds_sessions_free(t);
}

static void test_adopt(void **state)
{
	struct mds_sessions *t;
	struct mds_session *a;
	struct mds_test_ids g = { 0 };
	u64 id;

	(void)state;
	assert_int_equal(mds_sessions_new(8, TMO, &t), 0);
	for (id = 1; id <= 5; id++)
		assert_int_equal(mds_session_adopt(t, id, 0), 0);
	assert_int_equal(mds_session_adopt(t, 0, 0), 0); /* no id: ignored */
	assert_int_equal(mds_session_adopt(t, 3, 0), 0); /* known: kept */
	assert_int_equal(mds_sessions_count(t), 5);
	/* resumed in time: kept */
	assert_int_equal(mds_session_attach(t, 2, 10, &a), 0);
	assert_int_equal(mds_sessions_count(t), 5);
	/* the others expire, at most max per call */
	assert_int_equal(mds_sessions_expire(t, TMO, 3, mds_test_ids_add, &g),
			 3);
	assert_int_equal(mds_sessions_expire(t, TMO, 3, mds_test_ids_add, &g),
			 1);
	assert_int_equal(mds_sessions_expire(t, TMO, 3, mds_test_ids_add, &g),
			 0);
	assert_int_equal(g.n, 4);
	for (id = 0; id < 4; id++)
		assert_int_not_equal(g.ids[id], 2);
	assert_int_equal(mds_sessions_count(t), 1);
	mds_sessions_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_expire),
		cmocka_unit_test(test_adopt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
