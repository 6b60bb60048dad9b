// SPDX-License-Identifier: GPL-2.0
/*
 * Cross-shard rename, link and unlink within one engine serving shards 0,
 * 1 and 2 (the map places new directories on shards 1 and 2): the POSIX
 * cases, then a stop at each step of the protocol followed by a restart
 * and recovery, after which the operation is done or undone as the step
 * implies and the namespace is consistent (fsck below), then directory
 * moves that would together form a loop, one run inside the other.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "leofs/placement.h"
#include "../../daemons/mds/mds.h"
#include "helper_mds.h"

#define R	  MDS_ROOT_INO
#define S(x)	  x, strlen(x)
#define NSHARDS	  3
#define PROBE_MAX 96 /* local ids probed for live inodes */
#define MAXI	  512 /* inodes the fsck tracks */

static const struct mds_creds root_cr = { 0, 0, 0, { 0 } };
static const struct mds_creds bob = { 1001, 1001, 0, { 0 } };

static struct leofs_map_shard map_shards[] = {
	{ .id = 0, .weight = 0, .primary_mds = 1 },
	{ .id = 1, .weight = LEOFS_WEIGHT_ONE, .primary_mds = 1 },
	{ .id = 2, .weight = LEOFS_WEIGHT_ONE, .primary_mds = 1 },
};
static struct leofs_map map = {
	.epoch = 1,
	.shard_count = 3,
	.shards = map_shards,
};

struct fx {
	char dir[64];
	struct mds_engine *eng;
};

static void open_engine(struct fx *fx)
{
	static const u16 shards[] = { 0, 1, 2 };

	assert_int_equal(mds_test_engine(fx->dir, shards, NSHARDS, 0, &fx->eng), 0);
	mds_engine_set_map(fx->eng, &map);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	mds_test_tmpdir(fx->dir, sizeof(fx->dir), "mds-xrename");
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

/* A directory name under parent that the placement puts on shard. */
static const char *on_shard(u64 parent, const char *prefix, u16 shard)
{
	static char name[8][32];
	static int turn;
	char *n = name[turn++ % 8];
	u16 got;
	int i;

	for (i = 0; i < 10000; i++) {
		snprintf(n, 32, "%s%d", prefix, i);
		if (!leofs_dir_shard(&map, parent, n, strlen(n), &got) &&
		    got == shard)
			return n;
	}
	fail_msg("no name for shard %u", shard);
	return NULL;
}

static u64 mkdir_on(struct mds_engine *e, u64 parent, const char *prefix,
		    u16 shard)
{
	struct mds_attr a;

	assert_int_equal(mds_mkdir(e, &root_cr, NULL, parent,
				   S(on_shard(parent, prefix, shard)), 0777,
				   &a),
			 0);
	assert_int_equal(a.ino >> 48, shard);
	return a.ino;
}

static u64 mkfile(struct mds_engine *e, u64 dir, const char *name)
{
	struct mds_attr a;

	assert_int_equal(
		mds_create(e, &root_cr, NULL, dir, S(name), 0644, 0, &a, NULL),
		0);
	return a.ino;
}

static u64 ino_of(struct mds_engine *e, u64 dir, const char *name)
{
	struct mds_attr a;
	int rc = mds_lookup(e, &root_cr, dir, S(name), &a);

	return rc ? 0 : a.ino;
}

static u32 nlink_of(struct mds_engine *e, u64 ino)
{
	struct mds_attr a;

	assert_int_equal(mds_getattr(e, ino, &a), 0);
	return a.nlink;
}

/* ---- fsck ---------------------------------------------------------------- */

struct fsck {
	struct mds_engine *e;
	u32 n;
	u64 ino[MAXI];
	u32 refs[MAXI]; /* entries naming it */
	u32 subdirs[MAXI]; /* directories: subdirectories listed */
	u64 stack[MAXI];
	u32 top;
	u64 cur;
};

static u32 slot_of(struct fsck *f, u64 ino)
{
	u32 i;

	for (i = 0; i < f->n; i++)
		if (f->ino[i] == ino)
			return i;
	assert_true(f->n < MAXI);
	f->ino[f->n] = ino;
	f->refs[f->n] = 0;
	f->subdirs[f->n] = 0;
	return f->n++;
}

static int fsck_one(void *ctx, const struct mds_dirent *de)
{
	struct fsck *f = ctx;
	struct mds_attr a;
	u32 i = slot_of(f, de->ino);

	if (mds_getattr(f->e, de->ino, &a))
		fail_msg("dangling entry %.*s -> %#llx", (int)de->len, de->name,
			 (unsigned long long)de->ino);
	if ((a.mode & S_IFMT) >> 12 != de->type)
		fail_msg("entry type %u, inode mode %o", de->type, a.mode);
	if (S_ISDIR(a.mode)) {
		if (f->refs[i])
			fail_msg("directory %#llx listed twice",
				 (unsigned long long)de->ino);
		f->subdirs[slot_of(f, f->cur)]++;
		f->stack[f->top++] = de->ino;
	}
	f->refs[i]++;
	return 0;
}

/*
 * Every entry names a live inode of its type; a directory's nlink is 2 plus
 * its subdirectories and it takes a new entry (no lock or dying mark left);
 * a file's nlink is the number of entries naming it; every live inode is
 * reachable from the root.
 */
static void fsck(struct mds_engine *e)
{
	static struct fsck f;
	struct mds_attr a;
	u64 dir, ino;
	u32 i, shard, local;
	bool eof;

	memset(&f, 0, sizeof(f));
	f.e = e;
	slot_of(&f, R);
	f.refs[0] = 1;
	f.stack[f.top++] = R;
	while (f.top) {
		dir = f.stack[--f.top];
		f.cur = dir;
		assert_int_equal(mds_readdir(e, &root_cr, dir, 0,
					     MDS_READDIR_MAX, fsck_one, &f,
					     &eof),
				 0);
		assert_true(eof);
		assert_int_equal(mds_create(e, &root_cr, NULL, dir,
					    S(".fsck-probe"), 0644,
					    MDS_CREATE_EXCL, NULL, NULL),
				 0);
		assert_int_equal(mds_unlink(e, &root_cr, NULL, dir,
					    S(".fsck-probe")),
				 0);
	}
	for (i = 0; i < f.n; i++) {
		assert_int_equal(mds_getattr(e, f.ino[i], &a), 0);
		if (S_ISDIR(a.mode) && a.nlink != 2 + f.subdirs[i])
			fail_msg("dir %#llx: nlink %u, %u subdirectories",
				 (unsigned long long)f.ino[i], a.nlink,
				 f.subdirs[i]);
		if (!S_ISDIR(a.mode) && a.nlink != f.refs[i])
			fail_msg("%#llx: nlink %u, %u entries",
				 (unsigned long long)f.ino[i], a.nlink,
				 f.refs[i]);
	}
	for (shard = 0; shard < NSHARDS; shard++)
		for (local = 2; local < PROBE_MAX; local++) {
			ino = (u64)shard << 48 | local;
			if (mds_getattr(e, ino, &a) == -ESTALE)
				continue;
			for (i = 0; i < f.n && f.ino[i] != ino; i++)
				;
			if (i == f.n)
				fail_msg("orphan inode %#llx",
					 (unsigned long long)ino);
		}
}

/* ---- POSIX behaviour ------------------------------------------------------ */

static void test_rename_files(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	struct mds_attr a, b;
	u64 A = mkdir_on(e, R, "a", 1), B = mkdir_on(e, R, "b", 2);
	u64 f = mkfile(e, A, "f"), t = mkfile(e, B, "t"), g;

	assert_int_equal(mds_getattr(e, B, &b), 0);
	/* move to another shard, no target */
	assert_int_equal(mds_rename(e, &root_cr, NULL, A, S("f"), B, S("g"), 0),
			 0);
	assert_int_equal(ino_of(e, A, "f"), 0);
	assert_int_equal(ino_of(e, B, "g"), f);
	assert_int_equal(nlink_of(e, f), 1);
	assert_int_equal(mds_getattr(e, B, &a), 0);
	assert_true(a.mtime.sec > b.mtime.sec ||
		    (a.mtime.sec == b.mtime.sec && a.mtime.nsec > b.mtime.nsec));
	fsck(e);
	/* NOREPLACE */
	assert_int_equal(mds_rename(e, &root_cr, NULL, B, S("g"), A, S("t2"),
				    MDS_RENAME_NOREPLACE),
			 0);
	g = mkfile(e, A, "x");
	assert_int_equal(mds_rename(e, &root_cr, NULL, A, S("t2"), B, S("t"),
				    MDS_RENAME_NOREPLACE),
			 -EEXIST);
	/* replace a file on another shard: the target goes */
	assert_int_equal(mds_rename(e, &root_cr, NULL, A, S("t2"), B, S("t"), 0),
			 0);
	assert_int_equal(ino_of(e, B, "t"), f);
	assert_int_equal(mds_getattr(e, t, &a), -ESTALE);
	/* and back over a file of the coordinator's shard */
	assert_int_equal(mds_rename(e, &root_cr, NULL, B, S("t"), A, S("x"), 0),
			 0);
	assert_int_equal(ino_of(e, A, "x"), f);
	assert_int_equal(mds_getattr(e, g, &a), -ESTALE);
	/* a file onto a directory and back */
	mkdir_on(e, B, "d", 1);
	assert_int_equal(mds_rename(e, &root_cr, NULL, A, S("x"), B,
				    S(on_shard(B, "d", 1)), 0),
			 -EISDIR);
	assert_int_equal(mds_rename(e, &root_cr, NULL, B,
				    S(on_shard(B, "d", 1)), A, S("x"), 0),
			 -ENOTDIR);
	/* the sticky bit, across shards */
	assert_int_equal(mds_rename(e, &bob, NULL, A, S("x"), B, S("y"), 0), 0);
	{
		struct mds_setattr sa = { .valid = MDS_SET_MODE, .mode = 01777 };

		assert_int_equal(mds_setattr(e, &root_cr, NULL, B, &sa, NULL),
				 0);
	}
	mkfile(e, A, "z");
	assert_int_equal(mds_rename(e, &bob, NULL, A, S("z"), B, S("y"), 0),
			 -EPERM);
	fsck(e);
}

static void test_rename_dirs(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	u64 A = mkdir_on(e, R, "a", 1), B = mkdir_on(e, R, "b", 2);
	u64 sub = mkdir_on(e, A, "s", 2), deep = mkdir_on(e, sub, "t", 1);
	u64 empty = mkdir_on(e, B, "e", 1), full = mkdir_on(e, B, "f", 2);
	const char *sname = on_shard(A, "s", 2);
	char en[32], fn[32], dn[32];

	snprintf(en, sizeof(en), "%s", on_shard(B, "e", 1));
	snprintf(fn, sizeof(fn), "%s", on_shard(B, "f", 2));
	snprintf(dn, sizeof(dn), "%s", on_shard(sub, "t", 1));
	mkfile(e, full, "x");
	assert_int_equal(nlink_of(e, A), 3);
	/* into its own subtree, across shards */
	assert_int_equal(mds_rename(e, &root_cr, NULL, R,
				    S(on_shard(R, "a", 1)), deep, S("loop"), 0),
			 -EINVAL);
	assert_int_equal(mds_rename(e, &root_cr, NULL, A, S(sname), sub,
				    S("self"), 0),
			 -EINVAL);
	/* onto a non-empty directory */
	assert_int_equal(mds_rename(e, &root_cr, NULL, A, S(sname), B, S(fn),
				    0),
			 -ENOTEMPTY);
	/* onto an empty directory on a third shard: it goes */
	assert_int_equal(mds_rename(e, &root_cr, NULL, A, S(sname), B, S(en),
				    0),
			 0);
	assert_int_equal(ino_of(e, B, en), sub);
	assert_int_equal(nlink_of(e, A), 2);
	assert_int_equal(nlink_of(e, B), 4);
	{
		struct mds_attr a;

		assert_int_equal(mds_getattr(e, empty, &a), -ESTALE);
	}
	fsck(e);
	/* its new parent counts: B is now its ancestor */
	assert_int_equal(mds_rename(e, &root_cr, NULL, R,
				    S(on_shard(R, "b", 2)), deep, S("loop"), 0),
			 -EINVAL);
	/* same parent, an inode homed elsewhere */
	assert_int_equal(mds_rename(e, &root_cr, NULL, B, S(en), B, S("moved"),
				    0),
			 0);
	assert_int_equal(ino_of(e, B, "moved"), sub);
	/* the deep directory up to the root, then exchange with a file */
	assert_int_equal(mds_rename(e, &root_cr, NULL, sub, S(dn), R, S("up"),
				    0),
			 0);
	assert_int_equal(nlink_of(e, sub), 2);
	mkfile(e, A, "file");
	assert_int_equal(mds_rename(e, &root_cr, NULL, R, S("up"), A,
				    S("file"), MDS_RENAME_EXCHANGE),
			 0);
	assert_int_equal(ino_of(e, A, "file"), deep);
	assert_int_equal(nlink_of(e, A), 3);
	fsck(e);
	/* a moved directory's ".." needs write permission on it */
	{
		struct mds_setattr sa = { .valid = MDS_SET_MODE, .mode = 0755 };

		assert_int_equal(mds_setattr(e, &root_cr, NULL, deep, &sa, NULL),
				 0);
	}
	assert_int_equal(mds_rename(e, &bob, NULL, A, S("file"), B, S("dd"),
				    0),
			 -EACCES);
	fsck(e);
}

static void test_link_unlink(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	u64 A = mkdir_on(e, R, "a", 1), B = mkdir_on(e, R, "b", 2);
	u64 f = mkfile(e, A, "f");
	struct mds_attr a;

	assert_int_equal(mds_link(e, &root_cr, NULL, f, B, S("h"), &a), 0);
	assert_int_equal(a.ino, f);
	assert_int_equal(a.nlink, 2);
	assert_int_equal(mds_link(e, &root_cr, NULL, f, B, S("h"), &a),
			 -EEXIST);
	assert_int_equal(mds_link(e, &root_cr, NULL, B, A, S("dirlink"), &a),
			 -EPERM);
	assert_int_equal(mds_link(e, &bob, NULL, f, B, S("h2"), &a), 0);
	fsck(e);
	assert_int_equal(mds_unlink(e, &root_cr, NULL, A, S("f")), 0);
	assert_int_equal(nlink_of(e, f), 2);
	assert_int_equal(mds_unlink(e, &root_cr, NULL, B, S("h")), 0);
	assert_int_equal(mds_unlink(e, &root_cr, NULL, B, S("h2")), 0);
	assert_int_equal(mds_getattr(e, f, &a), -ESTALE);
	assert_int_equal(mds_unlink(e, &root_cr, NULL, B, S("h")), -ENOENT);
	/* a file renamed away keeps working: rename back, unlink */
	f = mkfile(e, A, "g");
	assert_int_equal(mds_rename(e, &root_cr, NULL, A, S("g"), B, S("g"), 0),
			 0);
	assert_int_equal(mds_rename(e, &root_cr, NULL, B, S("g"), B, S("g2"),
				    0),
			 0);
	assert_int_equal(mds_unlink(e, &root_cr, NULL, B, S("g2")), 0);
	assert_int_equal(mds_getattr(e, f, &a), -ESTALE);
	fsck(e);
}

static void test_replay(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	u64 A = mkdir_on(e, R, "a", 1), B = mkdir_on(e, R, "b", 2);
	u64 f = mkfile(e, A, "f");
	struct mds_req rq = { 9, 1 };
	struct mds_attr a;

	assert_int_equal(mds_rename(e, &root_cr, &rq, A, S("f"), B, S("g"), 0),
			 0);
	/* the same request again: its answer, not ENOENT */
	assert_int_equal(mds_rename(e, &root_cr, &rq, A, S("f"), B, S("g"), 0),
			 0);
	rq.request = 2;
	assert_int_equal(mds_link(e, &root_cr, &rq, f, A, S("l"), &a), 0);
	assert_int_equal(mds_link(e, &root_cr, &rq, f, A, S("l"), &a), 0);
	assert_int_equal(a.nlink, 2);
	rq.request = 3;
	assert_int_equal(mds_unlink(e, &root_cr, &rq, A, S("l")), 0);
	assert_int_equal(mds_unlink(e, &root_cr, &rq, A, S("l")), 0);
	assert_int_equal(nlink_of(e, f), 1);
	fsck(e);
}

/*
 * The directory-move record is not left held: a directory moves across
 * shards and back, then within shard 1, each time at once.
 */
static void moves_free(struct mds_engine *e)
{
	static int round;
	char n[16], m[16];
	u64 A, B, C, d;

	snprintf(n, sizeof(n), "free%d-", round);
	snprintf(m, sizeof(m), "free%d-c", round++);
	A = mkdir_on(e, R, n, 1);
	B = mkdir_on(e, R, n, 2);
	C = mkdir_on(e, R, m, 1);
	d = mkdir_on(e, A, "m", 1);
	snprintf(n, sizeof(n), "%s", on_shard(A, "m", 1));
	assert_int_equal(mds_rename(e, &root_cr, NULL, A, S(n), B, S("m"), 0),
			 0);
	assert_int_equal(mds_rename(e, &root_cr, NULL, B, S("m"), A, S("m"), 0),
			 0);
	assert_int_equal(mds_rename(e, &root_cr, NULL, A, S("m"), C, S("m"), 0),
			 0);
	assert_int_equal(ino_of(e, C, "m"), d);
	fsck(e);
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

static void stop(const struct step *s)
{
	stop_point = s->point;
	stopped = false;
	mds_crash_hook = hook;
}

static void check_stop(struct fx *fx, const struct step *s, int rc)
{
	if (!stopped)
		fail_msg("step %s not reached (rc %d)", s->point, rc);
	assert_true(rc == -EINTR || (rc == 0 && s->done));
	restart(fx);
}

/* A file moved to another shard, replacing a file there. */
static void test_rename_stops(void **state)
{
	static const struct step steps[] = {
		{ "rename-intent", false },
		{ "entry-peer-prepared", false },
		{ "nlink-peer-prepared", false },
		{ "rename-prepared", false },
		{ "rename-committed", true },
		{ "peer-committed", true },
		{ "rename-finished", true },
	};
	struct fx *fx = *state;
	struct mds_engine *e;
	struct mds_attr a;
	u64 A, B, f, t;
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		char an[16], bn[16];

		e = fx->eng;
		snprintf(an, sizeof(an), "a%zu-", i);
		snprintf(bn, sizeof(bn), "b%zu-", i);
		A = mkdir_on(e, R, an, 1);
		B = mkdir_on(e, R, bn, 2);
		f = mkfile(e, A, "f");
		t = mkfile(e, B, "t");
		stop(&steps[i]);
		rc = mds_rename(e, &root_cr, NULL, A, S("f"), B, S("t"), 0);
		check_stop(fx, &steps[i], rc);
		e = fx->eng;
		if (steps[i].done) {
			assert_int_equal(ino_of(e, B, "t"), f);
			assert_int_equal(ino_of(e, A, "f"), 0);
			assert_int_equal(mds_getattr(e, t, &a), -ESTALE);
		} else {
			assert_int_equal(ino_of(e, B, "t"), t);
			assert_int_equal(ino_of(e, A, "f"), f);
		}
		fsck(e);
	}
}

/*
 * A directory of shard 2 moved from A (shard 1, the coordinator) to the
 * root (shard 0), replacing an empty directory of shard 2.
 */
static void test_rename_dir_stops(void **state)
{
	static const struct step steps[] = {
		{ "rename-intent", false },
		{ "entry-peer-prepared", false },
		{ "moved-peer-prepared", false },
		{ "rmdir-peer-prepared", false },
		{ "dirmove-peer-prepared", false },
		{ "rename-prepared", false },
		{ "rename-committed", true },
		{ "peer-committed", true },
		{ "rename-finished", true },
	};
	struct fx *fx = *state;
	struct mds_engine *e;
	struct mds_attr a;
	u64 A, d, x;
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		char an[16], xp[16], dn[32], xn[32];

		e = fx->eng;
		snprintf(an, sizeof(an), "a%zu-", i);
		snprintf(xp, sizeof(xp), "x%zu-", i);
		A = mkdir_on(e, R, an, 1);
		d = mkdir_on(e, A, "d", 2);
		snprintf(dn, sizeof(dn), "%s", on_shard(A, "d", 2));
		x = mkdir_on(e, R, xp, 2);
		snprintf(xn, sizeof(xn), "%s", on_shard(R, xp, 2));
		stop(&steps[i]);
		rc = mds_rename(e, &root_cr, NULL, A, S(dn), R, S(xn), 0);
		check_stop(fx, &steps[i], rc);
		e = fx->eng;
		if (steps[i].done) {
			assert_int_equal(ino_of(e, R, xn), d);
			assert_int_equal(ino_of(e, A, dn), 0);
			assert_int_equal(mds_getattr(e, x, &a), -ESTALE);
			assert_int_equal(nlink_of(e, A), 2);
		} else {
			assert_int_equal(ino_of(e, R, xn), x);
			assert_int_equal(ino_of(e, A, dn), d);
			assert_int_equal(nlink_of(e, A), 3);
		}
		fsck(e);
	}
	moves_free(fx->eng);
}

/*
 * A directory moved within shard 1: the directory-move record of shard 0
 * is its only participant.
 */
static void test_rename_local_dir_stops(void **state)
{
	static const struct step steps[] = {
		{ "rename-intent", false },
		{ "dirmove-peer-prepared", false },
		{ "rename-prepared", false },
		{ "rename-committed", true },
		{ "peer-committed", true },
		{ "rename-finished", true },
	};
	struct fx *fx = *state;
	struct mds_engine *e;
	u64 A, B, d;
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		char an[16], bn[16], dn[32];

		e = fx->eng;
		snprintf(an, sizeof(an), "a%zu-", i);
		snprintf(bn, sizeof(bn), "b%zu-", i);
		A = mkdir_on(e, R, an, 1);
		B = mkdir_on(e, R, bn, 1);
		d = mkdir_on(e, A, "d", 1);
		snprintf(dn, sizeof(dn), "%s", on_shard(A, "d", 1));
		stop(&steps[i]);
		rc = mds_rename(e, &root_cr, NULL, A, S(dn), B, S("d"), 0);
		check_stop(fx, &steps[i], rc);
		e = fx->eng;
		assert_int_equal(ino_of(e, B, "d") == d, steps[i].done);
		assert_int_equal(ino_of(e, A, dn) == d, !steps[i].done);
		assert_int_equal(nlink_of(e, A), steps[i].done ? 2 : 3);
		assert_int_equal(nlink_of(e, B), steps[i].done ? 3 : 2);
		fsck(e);
	}
	moves_free(fx->eng);
}

/* ---- concurrent directory moves --------------------------------------------- */

/* A directory rename: from op/on to np/nn, and the result expected. */
struct move {
	u64 op, np;
	char on[32];
	const char *nn;
	int want;
};

static struct {
	struct mds_engine *e;
	const char *point;
	struct move second;
	int runs;
} race_ctx;

static void do_move(struct mds_engine *e, const struct move *m)
{
	assert_int_equal(mds_rename(e, &root_cr, NULL, m->op, S(m->on), m->np,
				    S(m->nn), 0),
			 m->want);
}

/* The second rename, whole, inside the first one at its step point. */
static bool race_hook(const char *point)
{
	if (race_ctx.runs || strcmp(point, race_ctx.point))
		return false;
	race_ctx.runs++;
	do_move(race_ctx.e, &race_ctx.second);
	return false;
}

/* first, with second run whole at first's step point. */
static void race(struct mds_engine *e, const char *point,
		 const struct move *first, const struct move *second)
{
	race_ctx.e = e;
	race_ctx.point = point;
	race_ctx.second = *second;
	race_ctx.runs = 0;
	mds_crash_hook = race_hook;
	do_move(e, first);
	mds_crash_hook = NULL;
	assert_int_equal(race_ctx.runs, 1);
}

/* A move of a directory that mkdir_on(e, parent, prefix, shard) made. */
static void move_of(struct move *m, u64 parent, const char *prefix, u16 shard,
		    u64 np, const char *nn, int want)
{
	m->op = parent;
	snprintf(m->on, sizeof(m->on), "%s", on_shard(parent, prefix, shard));
	m->np = np;
	m->nn = nn;
	m->want = want;
}

/*
 * A (shard 2, in P on shard 1) into B/x and B (shard 1, in Q on shard 2)
 * into A/y, coordinated by shards 1 and 2: the second runs whole after the
 * first's loop check and before its prepare. The first must see that a
 * directory moved meanwhile, run again and find the loop.
 */
static void test_race_cross(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	u64 P = mkdir_on(e, R, "p", 1), Q = mkdir_on(e, R, "q", 2);
	u64 A = mkdir_on(e, P, "a", 2), B = mkdir_on(e, Q, "b", 1);
	struct move first, second;

	move_of(&first, P, "a", 2, B, "x", -EINVAL);
	move_of(&second, Q, "b", 1, A, "y", 0);
	race(e, "rename-intent", &first, &second);
	assert_int_equal(ino_of(e, A, "y"), B);
	assert_int_equal(ino_of(e, P, first.on), A);
	assert_int_equal(ino_of(e, B, "x"), 0);
	fsck(e); /* a loop would leave A and B unreachable */
	moves_free(e);
}

/*
 * P (shard 1, in the root) into D/x (D: shard 1, in Q on shard 1) across
 * shards, and D into P/y within shard 1 between the first's loop check
 * and prepare: a move within a shard other than the root's counts too.
 */
static void test_race_local(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	u64 P = mkdir_on(e, R, "p", 1), Q = mkdir_on(e, R, "q", 1);
	u64 D = mkdir_on(e, Q, "d", 1);
	struct move first, second;

	move_of(&first, R, "p", 1, D, "x", -EINVAL);
	move_of(&second, Q, "d", 1, P, "y", 0);
	race(e, "rename-intent", &first, &second);
	assert_int_equal(ino_of(e, P, "y"), D);
	assert_int_equal(ino_of(e, R, first.on), P);
	fsck(e);
	moves_free(e);
}

/*
 * P into D/x (D in Q) and Q into C/z (C in P), touching no directory in
 * common: the second comes while the first is prepared (its loop check
 * made, not committed), finds the directory-move record held and gives
 * up; once the first committed, Q would go below itself.
 */
static void test_race_held(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	u64 P = mkdir_on(e, R, "p", 1), Q = mkdir_on(e, R, "q", 2);
	u64 D = mkdir_on(e, Q, "d", 1), C = mkdir_on(e, P, "c", 2);
	struct move first, second;

	move_of(&first, R, "p", 1, D, "x", 0);
	move_of(&second, R, "q", 2, C, "z", -EBUSY);
	race(e, "rename-prepared", &first, &second);
	second.want = -EINVAL;
	do_move(e, &second);
	assert_int_equal(ino_of(e, D, "x"), P);
	assert_int_equal(ino_of(e, R, second.on), Q);
	fsck(e);
	moves_free(e);
}

static void test_link_stops(void **state)
{
	static const struct step steps[] = {
		{ "link-intent", false },    { "nlink-peer-prepared", false },
		{ "link-prepared", false },  { "link-committed", true },
		{ "peer-committed", true },  { "link-finished", true },
		{ "unlink-intent", false },  { "unlink-prepared", false },
		{ "unlink-committed", true }, { "unlink-finished", true },
	};
	struct fx *fx = *state;
	struct mds_engine *e;
	u64 A, B, f;
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		char an[16], bn[16];
		bool unlink = !strncmp(steps[i].point, "unlink", 6);

		e = fx->eng;
		snprintf(an, sizeof(an), "a%zu-", i);
		snprintf(bn, sizeof(bn), "b%zu-", i);
		A = mkdir_on(e, R, an, 1);
		B = mkdir_on(e, R, bn, 2);
		f = mkfile(e, A, "f");
		if (unlink)
			assert_int_equal(mds_link(e, &root_cr, NULL, f, B,
						  S("h"), NULL),
					 0);
		stop(&steps[i]);
		if (unlink)
			rc = mds_unlink(e, &root_cr, NULL, B, S("h"));
		else
			rc = mds_link(e, &root_cr, NULL, f, B, S("h"), NULL);
		check_stop(fx, &steps[i], rc);
		e = fx->eng;
		assert_int_equal(ino_of(e, B, "h") == f, steps[i].done != unlink);
		assert_int_equal(nlink_of(e, f), steps[i].done != unlink ? 2 : 1);
		fsck(e);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rename_files, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rename_dirs, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_link_unlink, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_stops, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rename_dir_stops, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rename_local_dir_stops,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_race_cross, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_race_local, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_race_held, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_link_stops, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
