// SPDX-License-Identifier: GPL-2.0
/*
 * Entries naming inodes served by another MDS: two engines, A serving
 * shards 0 and 1 (the root), B serving shard 2 (where the map places new
 * directories), joined by xshard ops that call the other engine directly
 * or fail as an unreachable server does. LOOKUP on the event loop defers
 * such an entry to a worker, which answers with the attributes from the
 * inode's MDS; CREATE without EXCL of such an entry returns them too; an
 * unreachable MDS is -EAGAIN, and the answer is right once it is back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <errno.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../../daemons/mds/handlers.h"
#include "helper_mds.h"

#define R    MDS_ROOT_INO
#define S(x) x, strlen(x)

static const struct mds_creds *const cr = &mds_test_root;

static struct leofs_map_shard map_shards[] = {
	{ .id = 0, .weight = 0, .primary_mds = 1 },
	{ .id = 1, .weight = 0, .primary_mds = 1 },
	{ .id = 2, .weight = LEOFS_WEIGHT_ONE, .primary_mds = 2 },
};
static struct leofs_map map = {
	.epoch = 1,
	.shard_count = 3,
	.shards = map_shards,
};

/* One side: its engine, and whether the other side reaches it. */
struct side {
	struct mds_engine *eng;
	bool down;
};

struct fx {
	char dir[64];
	struct side a, b;
};

/* The ops of one engine reach the other side (arg) like peers.c does. */
static int to_prepare(void *arg, const struct mds_xprep *p,
		      struct mds_xans *out)
{
	struct side *s = arg;

	return s->down ? -EAGAIN : mds_xshard_prepare(s->eng, p, out);
}

static int to_finish(void *arg, u16 shard, u64 intent, bool commit)
{
	struct side *s = arg;

	return s->down ? -EAGAIN :
			 mds_xshard_finish(s->eng, shard, intent, commit);
}

static int to_getattr(void *arg, u64 ino, struct mds_attr *out)
{
	struct side *s = arg;

	return s->down ? -EAGAIN : mds_getattr(s->eng, ino, out);
}

static void open_side(struct fx *fx, struct side *s, const char *name,
		      const u16 *shards, u32 n, struct side *other)
{
	struct mds_xshard_ops ops = { to_prepare, to_finish, to_getattr,
				      other };
	char path[96];

	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	assert_int_equal(mds_test_engine(path, shards, n, 0, &s->eng), 0);
	mds_engine_set_map(s->eng, &map);
	mds_engine_set_xshard(s->eng, &ops);
}

static int setup(void **state)
{
	static const u16 sa[] = { 0, 1 }, sb[] = { 2 };
	struct fx *fx = calloc(1, sizeof(*fx));

	mds_test_tmpdir(fx->dir, sizeof(fx->dir), "mds-remote");
	open_side(fx, &fx->a, "a", sa, 2, &fx->b);
	open_side(fx, &fx->b, "b", sb, 1, &fx->a);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	mds_engine_close(fx->a.eng);
	mds_engine_close(fx->b.eng);
	mds_test_rmtree(fx->dir);
	free(fx);
	return 0;
}

static void same_attr(const struct mds_attr *x, const struct mds_attr *y)
{
	assert_int_equal(x->ino, y->ino);
	assert_int_equal(x->mode, y->mode);
	assert_int_equal(x->nlink, y->nlink);
	assert_int_equal(x->size, y->size);
	assert_int_equal(x->ctime.sec, y->ctime.sec);
	assert_int_equal(x->ctime.nsec, y->ctime.nsec);
	assert_int_equal(x->layout.pool_id, y->layout.pool_id);
}

/* LOOKUP through the handlers, as on the loop (may_wait false) or not. */
static u32 call_lookup(struct side *s, u64 dir, const char *name, bool may_wait,
		       bool *deferred, struct leofs_attr *out)
{
	struct mds_handlers h = { .eng = s->eng };
	struct mds_call c;

	memset(&c, 0, sizeof(c));
	c.opcode = LEOFS_OP_LOOKUP;
	c.req.name.parent = dir;
	c.req.name.name.data = name;
	c.req.name.name.len = (u32)strlen(name);
	c.decoded = true;
	c.may_wait = may_wait;
	mds_call_run(&h, &c);
	*deferred = c.defer;
	*out = c.reply.attr.attr;
	mds_call_release(&c);
	return c.reply.attr.status;
}

static void test_remote_entries(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *a = fx->a.eng, *b = fx->b.eng;
	struct mds_attr q, f, got;
	struct leofs_attr w;
	bool created, deferred;

	/* Q on B's shard 2, its entry in A's root */
	assert_int_equal(mds_mkdir(a, cr, NULL, R, S("q"), 0755, &q), 0);
	assert_int_equal(q.ino >> 48, 2);
	/* a file of A renamed into Q, a second one linked there */
	assert_int_equal(
		mds_create(a, cr, NULL, R, S("f"), 0640, 0, &f, &created), 0);
	assert_int_equal(mds_rename(a, cr, NULL, R, S("f"), q.ino, S("g"), 0),
			 0);
	assert_int_equal(mds_getattr(a, f.ino, &f), 0);

	/* the engine alone: the entry's inode id, no waiting */
	memset(&got, 0, sizeof(got));
	assert_int_equal(mds_lookup(b, cr, q.ino, S("g"), &got), -EXDEV);
	assert_int_equal(got.ino, f.ino);
	assert_int_equal(got.mode & S_IFMT, S_IFREG);
	assert_int_equal(mds_getattr_any(b, f.ino, &got), 0);
	same_attr(&got, &f);
	/* CREATE without EXCL: the existing file, as its MDS has it */
	memset(&got, 0, sizeof(got));
	assert_int_equal(
		mds_create(b, cr, NULL, q.ino, S("g"), 0600, 0, &got, &created),
		0);
	assert_false(created);
	same_attr(&got, &f);
	assert_int_equal(mds_create(b, cr, NULL, q.ino, S("g"), 0600,
				    MDS_CREATE_EXCL, &got, &created),
			 -EEXIST);

	/* the handlers: on the loop deferred, on a worker answered */
	assert_int_equal(call_lookup(&fx->b, q.ino, "g", false, &deferred, &w),
			 LEOFS_S_XDEV);
	assert_true(deferred);
	assert_int_equal(call_lookup(&fx->b, q.ino, "g", true, &deferred, &w),
			 LEOFS_S_OK);
	assert_false(deferred);
	assert_int_equal(w.ino, f.ino);
	assert_int_equal(w.mode, f.mode);
	assert_int_equal(w.nlink, 1);
	/* a directory homed on B looked up in A's root */
	assert_int_equal(call_lookup(&fx->a, R, "q", false, &deferred, &w),
			 LEOFS_S_XDEV);
	assert_true(deferred);
	assert_int_equal(call_lookup(&fx->a, R, "q", true, &deferred, &w),
			 LEOFS_S_OK);
	assert_int_equal(w.ino, q.ino);
	assert_int_equal(w.mode, S_IFDIR | 0755);
	/* same-server entries are answered at once */
	assert_int_equal(mds_mkdir(b, cr, NULL, q.ino, S("local"), 0700, &got),
			 0);
	assert_int_equal(
		call_lookup(&fx->b, q.ino, "local", false, &deferred, &w),
		LEOFS_S_OK);
	assert_false(deferred);
	assert_int_equal(
		call_lookup(&fx->b, q.ino, "none", false, &deferred, &w),
		LEOFS_S_NOENT);
	assert_false(deferred);

	/* A unreachable: a status to retry, never stale data */
	fx->a.down = true;
	assert_int_equal(call_lookup(&fx->b, q.ino, "g", true, &deferred, &w),
			 LEOFS_S_AGAIN);
	assert_int_equal(
		mds_create(b, cr, NULL, q.ino, S("g"), 0600, 0, &got, &created),
		-EAGAIN);
	/* back, and changed meanwhile: the new attributes */
	fx->a.down = false;
	assert_int_equal(mds_link(b, cr, NULL, f.ino, q.ino, S("h"), &got), 0);
	assert_int_equal(got.nlink, 2);
	assert_int_equal(call_lookup(&fx->b, q.ino, "h", true, &deferred, &w),
			 LEOFS_S_OK);
	assert_int_equal(w.ino, f.ino);
	assert_int_equal(w.nlink, 2);
	assert_int_equal(call_lookup(&fx->b, q.ino, "g", true, &deferred, &w),
			 LEOFS_S_OK);
	assert_int_equal(w.nlink, 2);

	/* without ops an engine still answers with the id only */
	mds_engine_set_xshard(b, NULL);
	assert_int_equal(mds_getattr_any(b, f.ino, &got), -EXDEV);
	assert_int_equal(
		mds_create(b, cr, NULL, q.ino, S("g"), 0600, 0, &got, &created),
		-EXDEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_remote_entries, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
