// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the leofs-oss coordination memory budget: what fits is
 * held at once, what does not waits until enough is given back, requests
 * are admitted in arrival order (a large one is not starved by small ones
 * that arrive after it), and one larger than the budget runs alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../daemons/oss/node.h"

#define MIB (1ull << 20)

struct taker {
	struct oss_budget *b;
	u64 bytes;
	pthread_t th;
	int done;	/* __atomic: the take returned */
	int order;	/* when it returned, 1 first */
};

static int returned; /* __atomic */

static void *take_main(void *arg)
{
	struct taker *t = arg;

	oss_budget_take(t->b, t->bytes);
	__atomic_store_n(&t->order, __atomic_add_fetch(&returned, 1,
						       __ATOMIC_SEQ_CST),
			 __ATOMIC_SEQ_CST);
	__atomic_store_n(&t->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void start(struct taker *t, struct oss_budget *b, u64 bytes)
{
	t->b = b;
	t->bytes = bytes;
	t->done = 0;
	t->order = 0;
	assert_int_equal(pthread_create(&t->th, NULL, take_main, t), 0);
}

static u64 waits(struct oss_budget *b)
{
	struct oss_budget_stats st;

	oss_budget_stats(b, &st);
	return st.waits;
}

/* Until the budget has counted @n waits: the taker is queued. */
static void until_waits(struct oss_budget *b, u64 n)
{
	int i;

	for (i = 0; i < 2000 && waits(b) < n; i++)
		usleep(1000);
	assert_int_equal(waits(b), n);
}

/* The take of @t has not returned after a while. */
static void still_waiting(struct taker *t)
{
	usleep(100000);
	assert_int_equal(__atomic_load_n(&t->done, __ATOMIC_SEQ_CST), 0);
}

static void joined(struct taker *t)
{
	assert_int_equal(pthread_join(t->th, NULL), 0);
	assert_int_equal(t->done, 1);
}

static void test_fits_at_once(void **state)
{
	struct oss_budget b;
	struct oss_budget_stats st;

	(void)state;
	oss_budget_init(&b, 100 * MIB);
	oss_budget_take(&b, 40 * MIB);
	oss_budget_take(&b, 60 * MIB); /* exactly the limit */
	oss_budget_take(&b, 0);	       /* nothing to hold: never waits */
	oss_budget_stats(&b, &st);
	assert_int_equal(st.used, 100 * MIB);
	assert_int_equal(st.peak, 100 * MIB);
	assert_int_equal(st.waits, 0);
	oss_budget_put(&b, 60 * MIB);
	oss_budget_put(&b, 40 * MIB);
	oss_budget_stats(&b, &st);
	assert_int_equal(st.used, 0);
	oss_budget_destroy(&b);
}

static void test_waits_until_given_back(void **state)
{
	struct oss_budget b;
	struct oss_budget_stats st;
	struct taker t;

	(void)state;
	oss_budget_init(&b, 100 * MIB);
	oss_budget_take(&b, 70 * MIB);
	start(&t, &b, 50 * MIB);
	until_waits(&b, 1);
	still_waiting(&t);
	oss_budget_put(&b, 70 * MIB);
	joined(&t);
	oss_budget_stats(&b, &st);
	assert_int_equal(st.used, 50 * MIB);
	assert_int_equal(st.peak, 70 * MIB); /* never 120 */
	oss_budget_put(&b, 50 * MIB);
	oss_budget_destroy(&b);
}

/* A small request that would fit waits behind a large one that came first. */
static void test_arrival_order(void **state)
{
	struct oss_budget b;
	struct oss_budget_stats st;
	struct taker big, small;

	(void)state;
	returned = 0;
	oss_budget_init(&b, 100 * MIB);
	oss_budget_take(&b, 50 * MIB);
	start(&big, &b, 80 * MIB);
	until_waits(&b, 1);
	start(&small, &b, 10 * MIB);
	until_waits(&b, 2);
	still_waiting(&small);
	oss_budget_put(&b, 50 * MIB);
	joined(&big);
	joined(&small);
	assert_int_equal(big.order, 1);
	assert_int_equal(small.order, 2);
	oss_budget_stats(&b, &st);
	assert_int_equal(st.used, 90 * MIB);
	assert_true(st.peak <= 100 * MIB);
	oss_budget_put(&b, 80 * MIB);
	oss_budget_put(&b, 10 * MIB);
	oss_budget_destroy(&b);
}

/* Larger than the budget: admitted when nothing else is held, and alone. */
static void test_oversized_runs_alone(void **state)
{
	struct oss_budget b;
	struct oss_budget_stats st;
	struct taker huge, small;

	(void)state;
	returned = 0;
	oss_budget_init(&b, 100 * MIB);
	oss_budget_take(&b, 10 * MIB);
	start(&huge, &b, 500 * MIB);
	until_waits(&b, 1);
	still_waiting(&huge);
	start(&small, &b, 10 * MIB);
	until_waits(&b, 2);
	oss_budget_put(&b, 10 * MIB);
	joined(&huge);
	still_waiting(&small); /* 500 MiB held: nothing else runs */
	oss_budget_put(&b, 500 * MIB);
	joined(&small);
	assert_int_equal(huge.order, 1);
	assert_int_equal(small.order, 2);
	oss_budget_stats(&b, &st);
	assert_int_equal(st.peak, 500 * MIB);
	assert_int_equal(st.used, 10 * MIB);
	oss_budget_put(&b, 10 * MIB);
	oss_budget_destroy(&b);
}

/* Many threads taking and giving back: never more than the limit held. */
struct churn {
	struct oss_budget *b;
	unsigned int seed;
};

static void *churn_main(void *arg)
{
	struct churn *c = arg;
	int i;

	for (i = 0; i < 300; i++) {
		u64 bytes = (u64)(rand_r(&c->seed) % 40 + 1) * MIB;

		oss_budget_take(c->b, bytes);
		usleep(200); /* held a while: the others come in meanwhile */
		oss_budget_put(c->b, bytes);
	}
	return NULL;
}

static void test_churn_stays_within(void **state)
{
	struct oss_budget b;
	struct oss_budget_stats st;
	struct churn c[8];
	pthread_t th[8];
	int i;

	(void)state;
	oss_budget_init(&b, 64 * MIB);
	for (i = 0; i < 8; i++) {
		c[i].b = &b;
		c[i].seed = (unsigned int)i + 1;
		assert_int_equal(pthread_create(&th[i], NULL, churn_main, &c[i]),
				 0);
	}
	for (i = 0; i < 8; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	oss_budget_stats(&b, &st);
	assert_int_equal(st.used, 0);
	assert_true(st.peak <= 64 * MIB);
	assert_true(st.peak > 40 * MIB); /* several were held at once */
	assert_true(st.waits > 0);
	oss_budget_destroy(&b);
}

static void test_coord_bytes(void **state)
{
	struct leofs_layout l = { .scheme = LEOFS_LAYOUT_EC, .k = 16, .m = 4,
				  .stripe_unit = 64 << 20 };

	(void)state;
	/* EC 16+4, 64 MiB units: 41 pieces of one 16 MiB window, and out */
	assert_int_equal(oss_coord_bytes(&l, (16 << 20) + 8192, 32 * MIB),
			 41 * 16 * MIB + 32 * MIB);
	/* a piece is never wider than a unit */
	l.k = 4;
	l.m = 1;
	l.stripe_unit = 1 << 20;
	assert_int_equal(oss_coord_bytes(&l, 16 << 20, 0), 11 * MIB);
	/* nor than the range, for a small one */
	assert_int_equal(oss_coord_bytes(&l, 8192, 0), 11 * 8192);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits_at_once),
		cmocka_unit_test(test_waits_until_given_back),
		cmocka_unit_test(test_arrival_order),
		cmocka_unit_test(test_oversized_runs_alone),
		cmocka_unit_test(test_churn_stays_within),
		cmocka_unit_test(test_coord_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
