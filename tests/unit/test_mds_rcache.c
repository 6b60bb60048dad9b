// SPDX-License-Identifier: GPL-2.0
/*
 * The reply cache (daemons/mds/rcache.c) through the engine: a resent
 * non-idempotent request gets its original answer (attributes, errors),
 * a request id reused for another operation is refused, each session
 * keeps its newest answers (the lowest request ids go first, whatever the
 * order they came in), sessions do not evict each other, and a forgotten
 * session's answers are gone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <errno.h>
#include <cmocka.h>

#include "helper_mds.h"

#define R	 MDS_ROOT_INO
#define S(x)	 x, strlen(x)
#define PER_SESS 4

static const struct mds_creds *const cr = &mds_test_root;

struct fx {
	char dir[64];
	struct mds_engine *eng;
};

static int setup(void **state)
{
	static const u16 shards[] = { 0 };
	struct fx *fx = calloc(1, sizeof(*fx));

	mds_test_tmpdir(fx->dir, sizeof(fx->dir), "mds-rcache");
	assert_int_equal(
		mds_test_engine(fx->dir, shards, 1, PER_SESS, &fx->eng), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	mds_engine_close(fx->eng);
	mds_test_rmtree(fx->dir);
	free(fx);
	return 0;
}

/* mkdir NAME in the root as request (session, id). */
static int mkdir_as(struct mds_engine *e, u64 session, u64 id, const char *name)
{
	struct mds_req req = { session, id };
	struct mds_attr a;

	return mds_mkdir(e, cr, &req, R, name, strlen(name), 0755, &a);
}

static u64 replays(struct mds_engine *e)
{
	struct mds_engine_stats st;

	mds_engine_stats(e, &st);
	return st.replays;
}

static void test_replay(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	struct mds_req req = { 7, 1 };
	struct mds_attr a1, a2;
	bool created;

	assert_int_equal(mds_create(e, cr, &req, R, S("f"), 0640,
				    MDS_CREATE_EXCL, &a1, &created),
			 0);
	assert_true(created);
	/* the file changes and goes; the resent create still gets the
	 * attributes it was answered with */
	req.request = 2;
	assert_int_equal(mds_unlink(e, cr, &req, R, S("f")), 0);
	req.request = 1;
	memset(&a2, 0, sizeof(a2));
	created = false;
	assert_int_equal(mds_create(e, cr, &req, R, S("f"), 0640,
				    MDS_CREATE_EXCL, &a2, &created),
			 0);
	assert_true(created);
	assert_int_equal(a2.ino, a1.ino);
	assert_int_equal(a2.mode, a1.mode);
	assert_int_equal(a2.ctime.sec, a1.ctime.sec);
	assert_int_equal(a2.ctime.nsec, a1.ctime.nsec);
	assert_int_equal(mds_lookup(e, cr, R, S("f"), &a2), -ENOENT);
	assert_int_equal(replays(e), 1);

	/* an error is an answer too */
	req.request = 3;
	assert_int_equal(mds_rmdir(e, cr, &req, R, S("none")), -ENOENT);
	assert_int_equal(mkdir_as(e, 8, 1, "none"), 0);
	assert_int_equal(mds_rmdir(e, cr, &req, R, S("none")), -ENOENT);
	assert_int_equal(replays(e), 2);

	/* the same id for another operation is a client bug: refused */
	assert_int_equal(mds_unlink(e, cr, &req, R, S("none")), -EPROTO);
	/* without a session nothing is cached */
	assert_int_equal(mkdir_as(e, 0, 5, "d"), 0);
	assert_int_equal(mkdir_as(e, 0, 5, "d"), -EEXIST);
	assert_int_equal(replays(e), 2);
}

static void test_eviction(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	static const u64 order[] = { 10, 3, 11, 12, 13 };
	char n[16];
	u32 i;

	/* ids out of order: the lowest (3) goes, not the first (10) */
	for (i = 0; i < 5; i++) {
		snprintf(n, sizeof(n), "a%llu", (unsigned long long)order[i]);
		assert_int_equal(mkdir_as(e, 1, order[i], n), 0);
	}
	/* another session fills its own cache meanwhile */
	for (i = 1; i <= 2 * PER_SESS; i++) {
		snprintf(n, sizeof(n), "b%u", i);
		assert_int_equal(mkdir_as(e, 2, i, n), 0);
	}
	/* session 1 keeps 10, 11, 12, 13; 3 is applied again */
	for (i = 0; i < 5; i++) {
		if (order[i] == 3)
			continue;
		snprintf(n, sizeof(n), "a%llu", (unsigned long long)order[i]);
		assert_int_equal(mkdir_as(e, 1, order[i], n), 0);
	}
	assert_int_equal(mkdir_as(e, 1, 3, "a3"), -EEXIST);
	/* session 2 keeps its newest PER_SESS (an answer applied again is
	 * cached again: newest first) */
	for (i = 2 * PER_SESS; i >= 1; i--) {
		snprintf(n, sizeof(n), "b%u", i);
		assert_int_equal(mkdir_as(e, 2, i, n),
				 i > PER_SESS ? 0 : -EEXIST);
	}
}

static bool listed(struct mds_engine *e, u64 id)
{
	struct mds_test_ids s = { 0 };

	assert_int_equal(mds_session_list(e, mds_test_ids_add, &s), 0);
	return mds_test_ids_has(&s, id);
}

static void test_forget(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;

	assert_false(listed(e, 5));
	assert_int_equal(mkdir_as(e, 5, 1, "x"), 0);
	assert_int_equal(mkdir_as(e, 6, 1, "y"), 0);
	assert_true(listed(e, 5));
	assert_true(listed(e, 6));
	assert_int_equal(mds_session_forget(e, 5), 0);
	assert_false(listed(e, 5));
	assert_true(listed(e, 6));
	/* applied again: the name exists now */
	assert_int_equal(mkdir_as(e, 5, 1, "x"), -EEXIST);
	assert_int_equal(mkdir_as(e, 6, 1, "y"), 0);
	/* forgetting an unknown session is no error */
	assert_int_equal(mds_session_forget(e, 12345), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eviction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
