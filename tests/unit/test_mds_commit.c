// SPDX-License-Identifier: GPL-2.0
/*
 * Namespace engine durability: group commit under concurrency, the reply
 * cache, crash safety (kill -9 during a create storm) and readdir cookie
 * stability under concurrent creates and unlinks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "../../daemons/mds/mds.h"

#define R MDS_ROOT_INO
#define S(x) x, strlen(x)

static const struct mds_creds root_cr = { 0, 0, 0, { 0 } };

struct fx {
	char dir[64];
	struct mds_engine *eng;
};

static int rm_cb(const char *p, const struct stat *sb, int f, struct FTW *w)
{
	(void)sb;
	(void)f;
	(void)w;
	return remove(p);
}

static int open_engine(const char *dir, struct mds_engine **eng)
{
	static const u16 shards[] = { 0 };
	struct mds_engine_opts o = { 0 };

	o.data_dir = dir;
	o.shards = shards;
	o.nr_shards = 1;
	o.map_size = 256 << 20;
	o.rcache_per_session = 8;
	o.root_layout = (struct mds_layout){ 1, MDS_LAYOUT_REPLICA, 1, 0,
					     1 << 20, 1, 0 };
	return mds_engine_open(&o, eng);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	strcpy(fx->dir, "/tmp/leofs-mds-commit-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	assert_int_equal(open_engine(fx->dir, &fx->eng), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	mds_engine_close(fx->eng);
	nftw(fx->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

/* ---- group commit ---- */

struct storm {
	struct mds_engine *eng;
	u64 dir;
	int id;
	int count;
	int wfd;		/* report acknowledged creates here, or -1 */
};

static void *storm_main(void *arg)
{
	struct storm *s = arg;
	struct mds_attr a;
	char name[32];
	bool c;
	int i, n;

	for (i = 0; i < s->count; i++) {
		n = snprintf(name, sizeof(name), "t%d-%d", s->id, i);
		if (mds_create(s->eng, &root_cr, NULL, s->dir, name, (size_t)n,
			       0644, MDS_CREATE_EXCL, &a, &c))
			abort();
		if (s->wfd >= 0) {
			name[n] = '\n';
			if (write(s->wfd, name, (size_t)n + 1) != n + 1)
				abort();
		}
	}
	return NULL;
}

static void test_group_commit(void **state)
{
	struct fx *fx = *state;
	struct storm s[8];
	pthread_t t[8];
	struct mds_engine_stats st0, st;
	struct mds_attr a;
	int i;

	mds_engine_stats(fx->eng, &st0);
	for (i = 0; i < 8; i++) {
		s[i] = (struct storm){ fx->eng, R, i, 200, -1 };
		pthread_create(&t[i], NULL, storm_main, &s[i]);
	}
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	mds_engine_stats(fx->eng, &st);
	assert_int_equal(st.ops - st0.ops, 1600);
	/* batched: clearly fewer commits than operations */
	assert_true(st.commits - st0.commits < (st.ops - st0.ops) / 2);
	assert_int_equal(mds_lookup(fx->eng, &root_cr, R, S("t7-199"), &a), 0);
}

/* ---- reply cache ---- */

static void test_reply_cache(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	struct mds_req req = { 42, 1 };
	struct mds_attr a1, a2;
	struct mds_engine_stats st;
	bool c;
	int i;

	assert_int_equal(mds_create(e, &root_cr, &req, R, S("f"), 0644,
				    MDS_CREATE_EXCL, &a1, &c), 0);
	/* the resent create gets the original answer, not EEXIST */
	assert_int_equal(mds_create(e, &root_cr, &req, R, S("f"), 0644,
				    MDS_CREATE_EXCL, &a2, &c), 0);
	assert_true(c);
	assert_int_equal(a1.ino, a2.ino);

	/* unlink applied once: the replay does not see ENOENT */
	req.request = 2;
	assert_int_equal(mds_unlink(e, &root_cr, &req, R, S("f")), 0);
	assert_int_equal(mds_unlink(e, &root_cr, &req, R, S("f")), 0);
	assert_int_equal(mds_lookup(e, &root_cr, R, S("f"), &a1), -ENOENT);
	/* a fresh request id is applied */
	req.request = 3;
	assert_int_equal(mds_unlink(e, &root_cr, &req, R, S("f")), -ENOENT);
	/* errors are remembered too */
	assert_int_equal(mds_mkdir(e, &root_cr, &req, R, S("f"), 0755, &a1),
			 -EPROTO);

	/* rename: the replay does not undo or redo */
	req.request = 4;
	assert_int_equal(mds_mkdir(e, &root_cr, &req, R, S("a"), 0755, &a1), 0);
	req.request = 5;
	assert_int_equal(mds_rename(e, &root_cr, &req, R, S("a"), R, S("b"),
				    0), 0);
	assert_int_equal(mds_rename(e, &root_cr, &req, R, S("a"), R, S("b"),
				    0), 0);
	assert_int_equal(mds_lookup(e, &root_cr, R, S("b"), &a2), 0);
	assert_int_equal(a2.ino, a1.ino);
	mds_engine_stats(e, &st);
	assert_int_equal(st.replays, 3);

	/* bounded per session: old answers are evicted */
	for (i = 0; i < 20; i++) {
		char n[16];

		req.request = 100 + (u64)i;
		snprintf(n, sizeof(n), "x%d", i);
		assert_int_equal(mds_mkdir(e, &root_cr, &req, R, S(n), 0755,
					   &a1), 0);
	}
	req.request = 4;	/* evicted: applied again, now EEXIST */
	assert_int_equal(mds_mkdir(e, &root_cr, &req, R, S("x0"), 0755, &a1),
			 -EEXIST);
	req.request = 119;	/* still cached */
	assert_int_equal(mds_mkdir(e, &root_cr, &req, R, S("x19"), 0755, &a1),
			 0);

	/* survives a restart */
	mds_engine_close(e);
	assert_int_equal(open_engine(fx->dir, &fx->eng), 0);
	e = fx->eng;
	assert_int_equal(mds_mkdir(e, &root_cr, &req, R, S("x19"), 0755, &a1),
			 0);
}

/* ---- crash durability ---- */

static void test_crash_storm(void **state)
{
	struct fx *fx = *state;
	char buf[1 << 16], *line, *save;
	size_t len = 0;
	int pfd[2], acked = 0, missing = 0;
	pid_t pid;
	ssize_t n;

	mds_engine_close(fx->eng);
	fx->eng = NULL;
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct mds_engine *e;
		struct storm s[4];
		pthread_t t[4];
		int i;

		close(pfd[0]);
		if (open_engine(fx->dir, &e))
			_exit(2);
		for (i = 0; i < 4; i++) {
			s[i] = (struct storm){ e, R, i, 1000000, pfd[1] };
			pthread_create(&t[i], NULL, storm_main, &s[i]);
		}
		for (i = 0; i < 4; i++)
			pthread_join(t[i], NULL);
		_exit(0);
	}
	close(pfd[1]);
	/* let it acknowledge a few thousand, then kill it mid-storm */
	while (len < 40000 && (n = read(pfd[0], buf + len,
					sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	while (len < sizeof(buf) - 1 &&
	       (n = read(pfd[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(pfd[0]);
	buf[len] = '\0';

	assert_int_equal(open_engine(fx->dir, &fx->eng), 0);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct mds_attr a;

		/* a line cut by the kill was never fully reported */
		if (line + strlen(line) == buf + len)
			break;
		acked++;
		if (mds_lookup(fx->eng, &root_cr, R, S(line), &a))
			missing++;
	}
	assert_true(acked > 1000);
	assert_int_equal(missing, 0);
}

/* ---- readdir stability ---- */

struct churn {
	struct mds_engine *eng;
	u64 dir;
	volatile int stop;
};

static void *churn_main(void *arg)
{
	struct churn *c = arg;
	struct mds_attr a;
	char name[32];
	bool cr;
	int i = 0, n;

	while (!c->stop) {
		n = snprintf(name, sizeof(name), "tmp%d", i);
		mds_create(c->eng, &root_cr, NULL, c->dir, name, (size_t)n,
			   0644, MDS_CREATE_EXCL, &a, &cr);
		if (i >= 3) {
			n = snprintf(name, sizeof(name), "tmp%d", i - 3);
			mds_unlink(c->eng, &root_cr, NULL, c->dir, name,
				   (size_t)n);
		}
		i++;
	}
	return NULL;
}

struct seen {
	int count[300];
	u64 last;
};

static int see(void *ctx, const struct mds_dirent *de)
{
	struct seen *s = ctx;
	char num[8];
	int k;

	s->last = de->cookie;
	/* the name is not NUL-terminated: what follows it is the store's */
	if (de->len > 4 && de->len - 4 < sizeof(num) &&
	    !memcmp(de->name, "keep", 4)) {
		memcpy(num, de->name + 4, de->len - 4);
		num[de->len - 4] = '\0';
		k = atoi(num);
		if (k >= 0 && k < 300)
			s->count[k]++;
	}
	return 0;
}

static void test_readdir_stable(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	struct churn c = { e, 0, 0 };
	struct mds_attr a;
	pthread_t t;
	int i, pass, rc = 0, bad = -1, count = 0;

	assert_int_equal(mds_mkdir(e, &root_cr, NULL, R, S("d"), 0755, &a), 0);
	c.dir = a.ino;
	for (i = 0; i < 300; i++) {
		char n[16];
		bool cr;

		snprintf(n, sizeof(n), "keep%d", i);
		assert_int_equal(mds_create(e, &root_cr, NULL, c.dir, S(n),
					    0644, 0, &a, &cr), 0);
	}
	pthread_create(&t, NULL, churn_main, &c);
	/* checked once the churn has stopped: it must not outlive the engine */
	for (pass = 0; pass < 5 && !rc && bad < 0; pass++) {
		struct seen s = { { 0 }, 0 };
		bool eof = false;

		/* small pages so the churn lands between them */
		while (!eof && !rc)
			rc = mds_readdir(e, &root_cr, c.dir, s.last, 7, see,
					 &s, &eof);
		for (i = 0; i < 300 && bad < 0; i++)
			if (s.count[i] != 1)
				bad = i, count = s.count[i];
	}
	c.stop = 1;
	pthread_join(t, NULL);
	assert_int_equal(rc, 0);
	if (bad >= 0)
		fail_msg("keep%d seen %d times in one pass", bad, count);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_group_commit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reply_cache, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_crash_storm, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_readdir_stable, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
