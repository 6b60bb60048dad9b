// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of group commit in the leofs-oss storage engine: concurrent
 * writes share flusher passes, and no write returns before its pass.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../daemons/oss/internal.h"

#define UNIT	16384
#define THREADS 8
#define WRITES	8

static const u8 cluster[16] = { 1, 2, 3 };

struct fixture {
	char dir[64];
	struct oss_target *t;
};

static int rm_entry(const char *p, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct oss_target_opts opts = { .group_commit_us = 2000 };
	struct fixture *f = calloc(1, sizeof(*f));
	char path[96], why[256];

	strcpy(f->dir, "/tmp/leofs-oss-sync.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(path, sizeof(path), "%s/t", f->dir);
	if (oss_target_format(path, cluster, 1, LEOFS_TIER_SSD, 1) ||
	    oss_target_open(path, cluster, 1, &opts, &f->t, why, sizeof(why)))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	oss_target_close(f->t);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

struct writer {
	struct oss_target *t;
	unsigned int id;
	int result;
	int done; /* set with __atomic builtins */
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct oss_obj_id obj = { .ino = 100 + w->id, .slot = 0, .frag = 0 };
	u8 buf[5000];
	unsigned int i;

	memset(buf, (int)w->id, sizeof(buf));
	w->result = 0;
	for (i = 0; i < WRITES && !w->result; i++)
		w->result = oss_stripe_write(w->t, &obj, UNIT, i, 1, buf,
					     sizeof(buf));
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_grouping(void **state)
{
	struct fixture *f = *state;
	struct writer w[THREADS];
	pthread_t th[THREADS];
	struct oss_sync_stats st;
	unsigned int i;

	for (i = 0; i < THREADS; i++) {
		w[i] = (struct writer){ .t = f->t, .id = i };
		assert_int_equal(
			pthread_create(&th[i], NULL, writer_main, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].result, 0);
	}
	oss_target_sync_stats(f->t, &st);
	print_message("# %llu waits, %llu passes, %llu sync calls\n",
		      (unsigned long long)st.waits,
		      (unsigned long long)st.passes,
		      (unsigned long long)st.syncs);
	/* each new-stripe write waits twice */
	assert_true(st.waits >= 2 * THREADS * WRITES);
	/* concurrent writers share passes: far fewer passes than waits */
	assert_true(st.passes * 2 < st.waits);
	/* and each pass syncs every file once, not once per waiter */
	assert_true(st.syncs < st.waits * 2);
}

static void test_no_ack_before_sync(void **state)
{
	struct fixture *f = *state;
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	struct oss_sync_stats before, after;
	struct oss_stripe_info info;
	struct oss_obj_id obj = { .ino = 100, .slot = 0, .frag = 0 };
	struct writer w = { .t = f->t, .id = 0 };
	pthread_t th;

	oss_sync_pause(f->t->sync, true);
	oss_target_sync_stats(f->t, &before);
	assert_int_equal(pthread_create(&th, NULL, writer_main, &w), 0);
	nanosleep(&ts, NULL);
	/* held back by the flusher: not acknowledged */
	assert_int_equal(__atomic_load_n(&w.done, __ATOMIC_ACQUIRE), 0);
	oss_target_sync_stats(f->t, &after);
	assert_int_equal(after.passes, before.passes);
	assert_true(after.waits > before.waits);

	oss_sync_pause(f->t->sync, false);
	pthread_join(th, NULL);
	assert_int_equal(w.result, 0);
	oss_target_sync_stats(f->t, &after);
	assert_true(after.passes > before.passes);
	assert_int_equal(oss_stripe_stat(f->t, &obj, UNIT, WRITES - 1, &info),
			 0);
	assert_int_equal(info.version, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_grouping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_ack_before_sync, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
