// SPDX-License-Identifier: GPL-2.0
/*
 * Cross-shard mkdir and rmdir within one engine serving shards 0 and 1
 * (the map sends every new directory to shard 1): the two-phase protocol,
 * replays (also of a request sent again while its first copy runs), a
 * create waiting for a directory an entry is prepared in, the
 * directory-move record of shard 0 (DIRMOVE, MOVEGEN), and a
 * stop at each step followed by a restart and recovery,
 * after which the namespace is consistent: every entry points to an
 * existing inode, every directory inode of shard 1 is reachable, and the
 * link counts are right.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <pthread.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../../daemons/mds/mds.h"
#include "helper_mds.h"

#define R	  MDS_ROOT_INO
#define S(x)	  x, strlen(x)
#define PROBE_MAX 64 /* local ids probed for live inodes on shard 1 */

static const struct mds_creds root_cr = { 0, 0, 0, { 0 } };
static const struct mds_creds bob = { 1001, 1001, 0, { 0 } };

static struct leofs_map_shard map_shards[] = {
	{ .id = 0, .weight = 0, .primary_mds = 1 },
	{ .id = 1, .weight = LEOFS_WEIGHT_ONE, .primary_mds = 1 },
};
static struct leofs_map map = {
	.epoch = 1,
	.shard_count = 2,
	.shards = map_shards,
};

struct fx {
	char dir[64];
	struct mds_engine *eng;
};

static void open_engine(struct fx *fx)
{
	static const u16 shards[] = { 0, 1 };

	assert_int_equal(mds_test_engine(fx->dir, shards, 2, 0, &fx->eng), 0);
	mds_engine_set_map(fx->eng, &map);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	mds_test_tmpdir(fx->dir, sizeof(fx->dir), "mds-xshard");
	open_engine(fx);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	mds_crash_hook = NULL;
	mds_engine_close(fx->eng);
	mds_test_rmtree(fx->dir);
	free(fx);
	return 0;
}

/* ---- consistency --------------------------------------------------------- */

struct listing {
	u32 n;
	u64 ino[128];
	char name[128][32];
	u8 type[128];
};

static int list_one(void *ctx, const struct mds_dirent *de)
{
	struct listing *l = ctx;

	assert_true(l->n < 128 && de->len < 32);
	l->ino[l->n] = de->ino;
	l->type[l->n] = de->type;
	memcpy(l->name[l->n], de->name, de->len);
	l->name[l->n][de->len] = 0;
	l->n++;
	return 0;
}

static void list_dir(struct mds_engine *e, u64 dir, struct listing *l)
{
	bool eof;

	memset(l, 0, sizeof(*l));
	assert_int_equal(mds_readdir(e, &root_cr, dir, 0, MDS_READDIR_MAX,
				     list_one, l, &eof),
			 0);
	assert_true(eof);
}

/* Whether ino is an entry of the root or of one of its subdirectories. */
static bool reachable(struct mds_engine *e, const struct listing *root, u64 ino)
{
	static struct listing sub;
	u32 i, j;

	for (i = 0; i < root->n; i++) {
		if (root->ino[i] == ino)
			return true;
		if (root->type[i] != (S_IFDIR >> 12))
			continue;
		list_dir(e, root->ino[i], &sub);
		for (j = 0; j < sub.n; j++)
			if (sub.ino[j] == ino)
				return true;
	}
	return false;
}

/*
 * Entries of the root each point to a live inode of their type; the root's
 * nlink is 2 + its subdirectories; every inode alive on shard 1 is
 * reachable; no directory is left marked dying (an entry can be made in
 * each).
 */
static void check_consistent(struct mds_engine *e)
{
	static struct listing l;
	struct mds_attr a, ra;
	u32 i, dirs = 0, local;

	list_dir(e, R, &l);
	for (i = 0; i < l.n; i++) {
		assert_int_equal(mds_getattr(e, l.ino[i], &a), 0);
		assert_int_equal((a.mode & S_IFMT) >> 12, l.type[i]);
		if (S_ISDIR(a.mode)) {
			dirs++;
			assert_int_equal(a.nlink, 2);
			assert_int_equal(mds_create(e, &root_cr, NULL, l.ino[i],
						    S("probe"), 0644, 0, NULL,
						    NULL),
					 0);
			assert_int_equal(mds_unlink(e, &root_cr, NULL, l.ino[i],
						    S("probe")),
					 0);
		}
	}
	assert_int_equal(mds_getattr(e, R, &ra), 0);
	assert_int_equal(ra.nlink, 2 + dirs);
	for (local = 2; local < PROBE_MAX; local++) {
		u64 ino = (1ull << 48) | local;

		if (mds_getattr(e, ino, &a) == -ESTALE)
			continue;
		if (!reachable(e, &l, ino))
			fail_msg("orphan inode %#llx on shard 1",
				 (unsigned long long)ino);
	}
}

/* ---- the protocol, without stops --------------------------------------------- */

static void test_mkdir_rmdir(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	struct mds_attr a, b;
	u64 d;

	assert_int_equal(mds_mkdir(e, &root_cr, NULL, R, S("study"), 0750, &a),
			 0);
	d = a.ino;
	assert_int_equal(d >> 48, 1); /* placed on shard 1 */
	assert_true(S_ISDIR(a.mode));
	assert_int_equal(a.mode & 07777, 0750);
	assert_int_equal(mds_lookup(e, &root_cr, R, S("study"), &b), 0);
	assert_int_equal(b.ino, d);
	assert_int_equal(
		mds_mkdir(e, &root_cr, NULL, R, S("study"), 0750, NULL),
		-EEXIST);
	/* files inside live on the directory's shard */
	assert_int_equal(mds_create(e, &root_cr, NULL, d, S("IM1.dcm"), 0644, 0,
				    &b, NULL),
			 0);
	assert_int_equal(b.ino >> 48, 1);
	assert_int_equal(mds_rmdir(e, &root_cr, NULL, R, S("study")),
			 -ENOTEMPTY);
	assert_int_equal(mds_unlink(e, &root_cr, NULL, R, S("study")), -EISDIR);
	check_consistent(e);
	assert_int_equal(mds_unlink(e, &root_cr, NULL, d, S("IM1.dcm")), 0);
	/* permission: bob may not write the root */
	assert_int_equal(mds_rmdir(e, &bob, NULL, R, S("study")), -EACCES);
	assert_int_equal(mds_mkdir(e, &bob, NULL, R, S("x"), 0755, NULL),
			 -EACCES);
	assert_int_equal(mds_rmdir(e, &root_cr, NULL, R, S("study")), 0);
	assert_int_equal(mds_getattr(e, d, &b), -ESTALE);
	assert_int_equal(mds_lookup(e, &root_cr, R, S("study"), &b), -ENOENT);
	assert_int_equal(mds_xshard_recover(e), 0);
	check_consistent(e);
}

/*
 * A name prepared into a directory by a cross-shard change (a rename's
 * target entry) locks the directory: a create there waits for the change
 * instead of adding an entry the commit would then take over.
 */
struct finisher {
	struct mds_engine *eng;
	u64 intent;
	int rc;
};

static void *finish_later(void *arg)
{
	struct finisher *f = arg;

	usleep(200 * 1000);
	f->rc = mds_xshard_finish(f->eng, 1, f->intent, true);
	return NULL;
}

static void test_entry_lock_holds_creates(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	struct finisher fin = { .eng = e, .intent = 0x5eed, .rc = -1 };
	struct mds_attr d, f, got;
	struct mds_xprep p = { .op = MDS_XSHARD_ENTRY, .shard = 1,
			       .intent = fin.intent, .type = DT_REG };
	struct mds_xans a;
	pthread_t th;

	assert_int_equal(mds_mkdir(e, &root_cr, NULL, R, S("d"), 0755, &d), 0);
	assert_int_equal(mds_create(e, &root_cr, NULL, R, S("f"), 0644, 0, &f,
				    NULL),
			 0);
	/* d/n is to become f */
	p.parent = d.ino;
	p.ino = f.ino;
	p.name = "n";
	p.len = 1;
	assert_int_equal(mds_xshard_prepare(e, &p, &a), 0);
	assert_int_equal(pthread_create(&th, NULL, finish_later, &fin), 0);
	/* waits for the commit, then finds the name taken */
	assert_int_equal(mds_create(e, &root_cr, NULL, d.ino, S("n"), 0644,
				    MDS_CREATE_EXCL, &got, NULL),
			 -EEXIST);
	pthread_join(th, NULL);
	assert_int_equal(fin.rc, 0);
	assert_int_equal(mds_lookup(e, &root_cr, d.ino, S("n"), &got), 0);
	assert_int_equal(got.ino, f.ino);
}

static void test_replay(void **state)
{
	struct fx *fx = *state;
	struct mds_req rq = { 7, 1 };
	struct mds_attr a, b;

	assert_int_equal(mds_mkdir(fx->eng, &root_cr, &rq, R, S("s"), 0755, &a),
			 0);
	/* the same request again: the first answer, not EEXIST */
	assert_int_equal(mds_mkdir(fx->eng, &root_cr, &rq, R, S("s"), 0755, &b),
			 0);
	assert_int_equal(a.ino, b.ino);
	rq.request = 2;
	assert_int_equal(mds_rmdir(fx->eng, &root_cr, &rq, R, S("s")), 0);
	assert_int_equal(mds_rmdir(fx->eng, &root_cr, &rq, R, S("s")), 0);
	check_consistent(fx->eng);
}

/*
 * A request sent again (after a reconnect) while its first copy still
 * runs: both prepare, one commits, and the other, answered from the reply
 * cache, aborts what it prepared instead of committing it a second time
 * (an orphan directory inode here; for UNLINK a link count dropped twice).
 */
static int held;

static bool hold_first_prepared(const char *point)
{
	if (!strcmp(point, "mkdir-prepared") &&
	    !__atomic_fetch_add(&held, 1, __ATOMIC_SEQ_CST))
		usleep(300 * 1000);
	return false;
}

struct copy {
	struct mds_engine *eng;
	struct mds_req rq;
	struct mds_attr a;
	int rc;
};

static void *mkdir_copy(void *arg)
{
	struct copy *c = arg;

	c->rc = mds_mkdir(c->eng, &root_cr, &c->rq, R, S("twice"), 0755,
			  &c->a);
	return NULL;
}

static void test_resent_while_running(void **state)
{
	struct fx *fx = *state;
	struct copy one = { .eng = fx->eng, .rq = { 9, 1 } };
	struct copy two = one;
	pthread_t th;
	int i;

	held = 0;
	mds_crash_hook = hold_first_prepared;
	assert_int_equal(pthread_create(&th, NULL, mkdir_copy, &one), 0);
	for (i = 0; i < 200 && !__atomic_load_n(&held, __ATOMIC_SEQ_CST); i++)
		usleep(10 * 1000);
	mkdir_copy(&two); /* runs to the end while one is held, prepared */
	pthread_join(th, NULL);
	mds_crash_hook = NULL;
	assert_int_equal(held, 2); /* both copies prepared */
	assert_int_equal(one.rc, 0);
	assert_int_equal(two.rc, 0);
	assert_int_equal(one.a.ino, two.a.ino);
	assert_int_equal(mds_xshard_recover(fx->eng), 0);
	check_consistent(fx->eng);
}

/* ---- the directory-move record (shard 0) ------------------------------------ */

static int movegen(struct mds_engine *e, u64 *gen)
{
	struct mds_xprep p = { .op = MDS_XSHARD_MOVEGEN, .shard = 0 };
	struct mds_xans a;
	int rc = mds_xshard_prepare(e, &p, &a);

	if (!rc)
		assert_int_equal(a.attr.ino, R);
	*gen = a.entry_ino;
	return rc;
}

static int dirmove(struct mds_engine *e, u64 intent, u64 gen)
{
	struct mds_xprep p = { .op = MDS_XSHARD_DIRMOVE, .shard = 0,
			       .intent = intent, .expect = gen };
	struct mds_xans a;
	int rc = mds_xshard_prepare(e, &p, &a);

	if (!rc)
		assert_int_equal(a.attr.ino, R);
	return rc;
}

/*
 * DIRMOVE takes the record only with the current generation and nobody
 * holding it; a commit bumps the generation, an abort does not; both free
 * it. The generation is durable.
 */
static void test_dirmove_record(void **state)
{
	struct fx *fx = *state;
	struct mds_xprep other = { .op = MDS_XSHARD_MOVEGEN, .shard = 1 };
	struct mds_xans a;
	u64 i1 = 1ull << 48 | 100, i2 = 1ull << 48 | 101, g, g0;

	assert_int_equal(movegen(fx->eng, &g0), 0);
	assert_int_equal(mds_xshard_prepare(fx->eng, &other, &a), -EINVAL);
	assert_int_equal(dirmove(fx->eng, 0, g0), -EINVAL);
	assert_int_equal(dirmove(fx->eng, i1, g0 + 1), -EBUSY); /* stale */
	assert_int_equal(dirmove(fx->eng, i1, g0), 0);
	assert_int_equal(dirmove(fx->eng, i1, g0), 0); /* a repeat */
	assert_int_equal(movegen(fx->eng, &g), -EBUSY);
	assert_int_equal(dirmove(fx->eng, i2, g0), -EBUSY); /* held */
	assert_int_equal(mds_xshard_finish(fx->eng, 0, i1, true), 0);
	assert_int_equal(movegen(fx->eng, &g), 0);
	assert_int_equal(g, g0 + 1);
	assert_int_equal(dirmove(fx->eng, i2, g0), -EBUSY); /* moved since */
	assert_int_equal(dirmove(fx->eng, i2, g), 0);
	assert_int_equal(mds_xshard_finish(fx->eng, 0, i2, false), 0);
	assert_int_equal(dirmove(fx->eng, i2, g), -ECANCELED);
	mds_engine_close(fx->eng);
	open_engine(fx);
	assert_int_equal(movegen(fx->eng, &g), 0);
	assert_int_equal(g, g0 + 1);
	check_consistent(fx->eng);
}

/* ---- a stop at each step, a restart, recovery ------------------------------- */

static const char *stop_point;
static bool stopped;

static bool hook(const char *point)
{
	if (strcmp(point, stop_point))
		return false;
	stopped = true;
	return true;
}

static void restart(struct fx *fx)
{
	mds_crash_hook = NULL;
	mds_engine_close(fx->eng);
	open_engine(fx);
	assert_int_equal(mds_xshard_recover(fx->eng), 0);
	assert_int_equal(mds_xshard_recover(fx->eng), 0);
}

struct step {
	const char *point;
	bool done; /* the operation took effect */
};

static void test_mkdir_stops(void **state)
{
	static const struct step steps[] = {
		{ "mkdir-intent", false },   { "mkdir-peer-prepared", false },
		{ "mkdir-prepared", false }, { "mkdir-committed", true },
		{ "peer-committed", true },  { "mkdir-finished", true },
	};
	struct fx *fx = *state;
	struct mds_attr a;
	char name[16];
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		snprintf(name, sizeof(name), "d%zu", i);
		stop_point = steps[i].point;
		stopped = false;
		mds_crash_hook = hook;
		rc = mds_mkdir(fx->eng, &root_cr, NULL, R, S(name), 0755, &a);
		if (!stopped)
			fail_msg("step %s not reached", steps[i].point);
		/* the participant's commit is after the reply's point */
		assert_true(rc == -EINTR || (rc == 0 && steps[i].done));
		restart(fx);
		rc = mds_lookup(fx->eng, &root_cr, R, S(name), &a);
		if (steps[i].done != (rc == 0))
			fail_msg("stop at %s: lookup %d", steps[i].point, rc);
		check_consistent(fx->eng);
	}
}

static void test_rmdir_stops(void **state)
{
	static const struct step steps[] = {
		{ "rmdir-intent", false },   { "rmdir-peer-prepared", false },
		{ "rmdir-prepared", false }, { "rmdir-committed", true },
		{ "peer-committed", true },  { "rmdir-finished", true },
	};
	struct fx *fx = *state;
	struct mds_attr a;
	char name[16];
	size_t i;
	u64 ino;
	int rc;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		snprintf(name, sizeof(name), "r%zu", i);
		assert_int_equal(mds_mkdir(fx->eng, &root_cr, NULL, R, S(name),
					   0755, &a),
				 0);
		ino = a.ino;
		stop_point = steps[i].point;
		stopped = false;
		mds_crash_hook = hook;
		rc = mds_rmdir(fx->eng, &root_cr, NULL, R, S(name));
		if (!stopped)
			fail_msg("step %s not reached", steps[i].point);
		assert_true(rc == -EINTR || (rc == 0 && steps[i].done));
		restart(fx);
		rc = mds_lookup(fx->eng, &root_cr, R, S(name), &a);
		if (steps[i].done != (rc == -ENOENT))
			fail_msg("stop at %s: lookup %d", steps[i].point, rc);
		assert_int_equal(mds_getattr(fx->eng, ino, &a),
				 steps[i].done ? -ESTALE : 0);
		check_consistent(fx->eng);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mkdir_rmdir, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_entry_lock_holds_creates,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resent_while_running,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dirmove_record, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_stops, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rmdir_stops, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
