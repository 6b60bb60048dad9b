// SPDX-License-Identifier: GPL-2.0
/*
 * Namespace engine: setattr rules, commit_size, xattrs, layouts (validation
 * against a map, the leofs.layout text form, inheritance), the deletion
 * queue and statfs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <ftw.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../../daemons/mds/mds.h"

#define R MDS_ROOT_INO
#define S(x) x, strlen(x)

static const struct mds_creds root_cr = { 0, 0, 0, { 0 } };
static const struct mds_creds alice = { 1000, 1000, 1, { 100 } };
static const struct mds_creds bob = { 1001, 1001, 0, { 0 } };

/* pool 1 "images" on sas over 5 nodes; pool 2 "fast" on ssd over 2 */
static struct leofs_map_target targets[] = {
	{ 1, 1, LEOFS_WEIGHT_ONE, LEOFS_TIER_SAS, { 0 }, 3 },
	{ 2, 1, LEOFS_WEIGHT_ONE, LEOFS_TIER_SAS, { 0 }, 3 },
	{ 3, 2, LEOFS_WEIGHT_ONE, LEOFS_TIER_SAS, { 0 }, 3 },
	{ 4, 3, LEOFS_WEIGHT_ONE, LEOFS_TIER_SAS, { 0 }, 3 },
	{ 5, 4, LEOFS_WEIGHT_ONE, LEOFS_TIER_SAS, { 0 }, 3 },
	{ 6, 5, LEOFS_WEIGHT_ONE, LEOFS_TIER_SAS, { 0 }, 3 },
	{ 7, 1, LEOFS_WEIGHT_ONE, LEOFS_TIER_SSD, { 0 }, 3 },
	{ 8, 2, LEOFS_WEIGHT_ONE, LEOFS_TIER_SSD, { 0 }, 3 },
};
static struct leofs_map_pool pools[] = {
	{ 1, LEOFS_TIER_SAS, { 0 }, 128, "images" },
	{ 2, LEOFS_TIER_SSD, { 0 }, 64, "fast" },
};
static struct leofs_map map = {
	.epoch = 1, .target_count = 8, .pool_count = 2,
	.targets = targets, .pools = pools,
};

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

static int setup(void **state)
{
	static const u16 shards[] = { 0 };
	struct mds_engine_opts o = { 0 };
	struct fx *fx = calloc(1, sizeof(*fx));
	struct mds_setattr sa = { 0 };

	strcpy(fx->dir, "/tmp/leofs-mds-attr-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	o.data_dir = fx->dir;
	o.shards = shards;
	o.nr_shards = 1;
	o.map_size = 64 << 20;
	o.root_layout = (struct mds_layout){ 1, MDS_LAYOUT_EC, 4, 1, 1 << 20,
					     1, 0 };
	assert_int_equal(mds_engine_open(&o, &fx->eng), 0);
	mds_engine_set_map(fx->eng, &map);
	/* let unprivileged callers create at the top */
	sa.valid = MDS_SET_MODE;
	sa.mode = 0777;
	assert_int_equal(mds_setattr(fx->eng, &root_cr, NULL, R, &sa, NULL), 0);
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

static u64 mkfile(struct mds_engine *e, const struct mds_creds *c, u64 p,
		  const char *n, u32 mode)
{
	struct mds_attr a;
	bool created;

	assert_int_equal(mds_create(e, c, NULL, p, S(n), mode, 0, &a,
				    &created), 0);
	return a.ino;
}

static void test_setattr(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	struct mds_setattr sa = { 0 };
	struct mds_attr a;
	struct mds_attr dir;
	u64 f;

	assert_int_equal(mds_mkdir(e, &root_cr, NULL, R, S("pub"), 0777, &dir),
			 0);
	f = mkfile(e, &alice, dir.ino, "f", 06755);

	/* chmod: owner or root */
	sa.valid = MDS_SET_MODE;
	sa.mode = 0600;
	assert_int_equal(mds_setattr(e, &bob, NULL, f, &sa, &a), -EPERM);
	sa.mode = 02640;
	assert_int_equal(mds_setattr(e, &alice, NULL, f, &sa, &a), 0);
	assert_int_equal(a.mode, S_IFREG | 02640);
	/* setgid dropped when the owner is not in the file's group */
	sa.valid = MDS_SET_GID;
	sa.gid = 100;
	assert_int_equal(mds_setattr(e, &alice, NULL, f, &sa, &a), 0);
	assert_int_equal(a.gid, 100);
	sa.valid = MDS_SET_GID;
	sa.gid = 5;	/* not one of alice's groups */
	assert_int_equal(mds_setattr(e, &alice, NULL, f, &sa, &a), -EPERM);
	sa.valid = MDS_SET_UID;
	sa.uid = 1001;	/* giving away needs root */
	assert_int_equal(mds_setattr(e, &alice, NULL, f, &sa, &a), -EPERM);
	sa.valid = MDS_SET_MODE;
	sa.mode = 06755;
	assert_int_equal(mds_setattr(e, &alice, NULL, f, &sa, &a), 0);
	sa.valid = MDS_SET_UID | MDS_SET_GID;
	sa.uid = 1001;
	sa.gid = 1001;
	assert_int_equal(mds_setattr(e, &root_cr, NULL, f, &sa, &a), 0);
	assert_int_equal(a.uid, 1001);
	assert_int_equal(a.mode & 07777, 0755);	/* chown kills suid/sgid */

	/* times: explicit needs the owner; "now" needs write permission */
	sa.valid = MDS_SET_MTIME;
	sa.mtime = (struct mds_time){ 1000, 5 };
	assert_int_equal(mds_setattr(e, &alice, NULL, f, &sa, &a), -EPERM);
	assert_int_equal(mds_setattr(e, &bob, NULL, f, &sa, &a), 0);
	assert_int_equal(a.mtime.sec, 1000);
	assert_int_equal(a.mtime.nsec, 5);
	sa.valid = MDS_SET_MTIME_NOW | MDS_SET_ATIME_NOW;
	assert_int_equal(mds_setattr(e, &alice, NULL, f, &sa, &a), -EACCES);
	assert_int_equal(mds_setattr(e, &bob, NULL, f, &sa, &a), 0);
	assert_true(a.mtime.sec > 1000);
	sa.valid = MDS_SET_MTIME | MDS_SET_MTIME_NOW;
	assert_int_equal(mds_setattr(e, &bob, NULL, f, &sa, &a), -EINVAL);
	sa.valid = MDS_SET_CTIME;
	assert_int_equal(mds_setattr(e, &bob, NULL, f, &sa, &a), -EPERM);

	/* size */
	sa.valid = MDS_SET_SIZE;
	sa.size = 4096;
	assert_int_equal(mds_setattr(e, &alice, NULL, f, &sa, &a), -EACCES);
	assert_int_equal(mds_setattr(e, &bob, NULL, f, &sa, &a), 0);
	assert_int_equal(a.size, 4096);
	assert_int_equal(mds_setattr(e, &root_cr, NULL, dir.ino, &sa, &a),
			 -EISDIR);
	sa.valid = 0x8000;
	assert_int_equal(mds_setattr(e, &root_cr, NULL, f, &sa, &a), -EINVAL);
	assert_int_equal(mds_setattr(e, &root_cr, NULL, 999, &sa, &a), -EINVAL);
	sa.valid = MDS_SET_MODE;
	assert_int_equal(mds_setattr(e, &root_cr, NULL, 999, &sa, &a), -ESTALE);
}

static void test_size_and_delq(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	struct mds_delq_entry q[8];
	struct mds_setattr sa = { 0 };
	struct mds_time t = { 2000, 0 };
	struct mds_attr a;
	u64 f, g, empty;

	f = mkfile(e, &alice, R, "f", 0444);
	/* the owner commits even without write permission (open for write) */
	assert_int_equal(mds_commit_size(e, &alice, f, 10000, &t, &a), 0);
	assert_int_equal(a.size, 10000);
	assert_int_equal(mds_commit_size(e, &bob, f, 20000, &t, &a), -EACCES);
	/* commits only grow the size */
	assert_int_equal(mds_commit_size(e, &alice, f, 5000, &t, &a), 0);
	assert_int_equal(a.size, 10000);
	assert_int_equal(mds_commit_size(e, &alice, R, 5, &t, &a), -EISDIR);

	/* truncate queues a cut of the objects */
	sa.valid = MDS_SET_SIZE;
	sa.size = 100;
	assert_int_equal(mds_setattr(e, &root_cr, NULL, f, &sa, &a), 0);
	assert_int_equal(mds_delq_peek(e, 0, 0, q, 8), 1);
	assert_int_equal(q[0].kind, MDS_DELQ_TRUNCATE);
	assert_int_equal(q[0].ino, f);
	assert_int_equal(q[0].size, 100);
	assert_int_equal(q[0].layout.k, 4);
	assert_int_equal(mds_delq_ack(e, 0, q[0].seq), 0);
	assert_int_equal(mds_delq_peek(e, 0, 0, q, 8), 0);

	/* nothing is queued while a link remains */
	assert_int_equal(mds_link(e, &root_cr, NULL, f, R, S("f2"), &a), 0);
	assert_int_equal(mds_unlink(e, &root_cr, NULL, R, S("f")), 0);
	assert_int_equal(mds_delq_peek(e, 0, 0, q, 8), 0);
	empty = mkfile(e, &root_cr, R, "empty", 0644);
	assert_int_equal(mds_unlink(e, &root_cr, NULL, R, S("empty")), 0);
	assert_int_equal(mds_delq_peek(e, 0, 0, q, 8), 0);
	(void)empty;
	/* the last unlink queues the objects */
	assert_int_equal(mds_unlink(e, &root_cr, NULL, R, S("f2")), 0);
	assert_int_equal(mds_delq_peek(e, 0, 0, q, 8), 1);
	assert_int_equal(q[0].kind, MDS_DELQ_DELETE);
	assert_int_equal(q[0].ino, f);

	/* so does a rename that replaces a file with data */
	g = mkfile(e, &root_cr, R, "g", 0644);
	assert_int_equal(mds_commit_size(e, &root_cr, g, 1, &t, &a), 0);
	mkfile(e, &root_cr, R, "h", 0644);
	assert_int_equal(mds_rename(e, &root_cr, NULL, R, S("h"), R, S("g"), 0),
			 0);
	assert_int_equal(mds_delq_peek(e, 0, q[0].seq, q, 8), 1);
	assert_int_equal(q[0].ino, g);
	assert_int_equal(mds_delq_peek(e, 7, 0, q, 8), -EXDEV);
}

static void test_xattrs(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	char buf[256], big[70000];
	char name[300];
	u64 f;
	int i, rc;

	f = mkfile(e, &alice, R, "f", 0644);
	assert_int_equal(mds_setxattr(e, &alice, f, S("user.a"), "1", 1,
				      MDS_XATTR_REPLACE, NULL, 0), -ENODATA);
	assert_int_equal(mds_setxattr(e, &alice, f, S("user.a"), "1", 1,
				      MDS_XATTR_CREATE, NULL, 0), 0);
	assert_int_equal(mds_setxattr(e, &alice, f, S("user.a"), "22", 2,
				      MDS_XATTR_CREATE, NULL, 0), -EEXIST);
	assert_int_equal(mds_setxattr(e, &alice, f, S("user.a"), "22", 2,
				      MDS_XATTR_REPLACE, NULL, 0), 0);
	assert_int_equal(mds_getxattr(e, &alice, f, S("user.a"), NULL, 0), 2);
	assert_int_equal(mds_getxattr(e, &alice, f, S("user.a"), buf, 1),
			 -ERANGE);
	assert_int_equal(mds_getxattr(e, &alice, f, S("user.a"), buf, 9), 2);
	assert_memory_equal(buf, "22", 2);
	assert_int_equal(mds_getxattr(e, &alice, f, S("user.b"), buf, 9),
			 -ENODATA);
	/* permissions: bob may read (0644) but not write */
	assert_int_equal(mds_getxattr(e, &bob, f, S("user.a"), buf, 9), 2);
	assert_int_equal(mds_setxattr(e, &bob, f, S("user.a"), "3", 1, 0, NULL,
				      0), -EACCES);
	/* trusted: root only, invisible to others */
	assert_int_equal(mds_setxattr(e, &alice, f, S("trusted.t"), "x", 1, 0,
				      NULL, 0), -EPERM);
	assert_int_equal(mds_setxattr(e, &root_cr, f, S("trusted.t"), "x", 1, 0,
				      NULL, 0), 0);
	assert_int_equal(mds_getxattr(e, &alice, f, S("trusted.t"), buf, 9),
			 -ENODATA);
	assert_int_equal(mds_listxattr(e, &alice, f, buf, sizeof(buf)), 7);
	assert_memory_equal(buf, "user.a", 7);
	assert_int_equal(mds_listxattr(e, &root_cr, f, buf, sizeof(buf)), 17);
	assert_int_equal(mds_listxattr(e, &root_cr, f, NULL, 0), 17);
	assert_int_equal(mds_listxattr(e, &root_cr, f, buf, 3), -ERANGE);
	/* names and values */
	assert_int_equal(mds_setxattr(e, &root_cr, f, S("bogus.x"), "", 0, 0,
				      NULL, 0), -EOPNOTSUPP);
	assert_int_equal(mds_setxattr(e, &root_cr, f, S("system.posix_acl"),
				      "", 0, 0, NULL, 0), -EOPNOTSUPP);
	memset(name, 'n', sizeof(name));
	memcpy(name, "user.", 5);
	assert_int_equal(mds_setxattr(e, &root_cr, f, name, 256, "", 0, 0,
				      NULL, 0), -ERANGE);
	assert_int_equal(mds_setxattr(e, &root_cr, f, "", 0, "", 0, 0, NULL,
				      0), -ERANGE);
	assert_int_equal(mds_setxattr(e, &root_cr, f, S("user.big"), big,
				      65537, 0, NULL, 0), -E2BIG);
	memset(big, 'v', sizeof(big));
	assert_int_equal(mds_setxattr(e, &root_cr, f, S("user.big"), big,
				      65536, 0, NULL, 0), 0);
	assert_int_equal(mds_getxattr(e, &root_cr, f, S("user.big"), big,
				      sizeof(big)), 65536);
	/* the name list is bounded */
	for (i = 0, rc = 0; i < 400 && !rc; i++) {
		snprintf(name, sizeof(name), "user.%0240d", i);
		rc = mds_setxattr(e, &root_cr, f, name, strlen(name), "", 0, 0,
				  NULL, 0);
	}
	assert_int_equal(rc, -ENOSPC);
	/* remove */
	assert_int_equal(mds_removexattr(e, &bob, f, S("user.a")), -EACCES);
	assert_int_equal(mds_removexattr(e, &alice, f, S("user.a")), 0);
	assert_int_equal(mds_removexattr(e, &alice, f, S("user.a")), -ENODATA);
	/* xattrs go with the inode */
	assert_int_equal(mds_unlink(e, &root_cr, NULL, R, S("f")), 0);
	assert_int_equal(mds_getxattr(e, &root_cr, f, S("user.big"), NULL, 0),
			 -ESTALE);
}

static void expect_refused(struct mds_engine *e, u64 ino, const char *text,
			   const char *why)
{
	char msg[200] = "";

	assert_int_equal(mds_setxattr(e, &root_cr, ino, S(MDS_XATTR_LAYOUT),
				      text, strlen(text), 0, msg, sizeof(msg)),
			 -EINVAL);
	if (!strstr(msg, why))
		fail_msg("\"%s\": got \"%s\", want \"%s\"", text, msg, why);
}

static void test_layouts(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	struct mds_layout l;
	struct mds_attr d, a;
	char buf[200];
	const char *t;
	int n;
	u64 f;

	n = mds_getxattr(e, &root_cr, R, S(MDS_XATTR_LAYOUT), buf,
			 sizeof(buf));
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf,
			    "pool=images scheme=ec k=4 m=1 unit=1048576 count=1");
	assert_int_equal(mds_listxattr(e, &root_cr, R, buf, sizeof(buf)), 0);

	assert_int_equal(mds_mkdir(e, &root_cr, NULL, R, S("ct"), 0755, &d), 0);
	t = "pool=images scheme=replica n=3 unit=65536 count=4";
	assert_int_equal(mds_setxattr(e, &root_cr, d.ino, S(MDS_XATTR_LAYOUT),
				      t, strlen(t), 0, NULL, 0), 0);
	n = mds_getxattr(e, &root_cr, d.ino, S(MDS_XATTR_LAYOUT), buf,
			 sizeof(buf));
	buf[n] = '\0';
	assert_string_equal(buf, t);
	assert_int_equal(mds_get_layout(e, d.ino, &l), 0);
	assert_int_equal(l.generation, 2);
	/* inherited by new files and subdirectories */
	f = mkfile(e, &root_cr, d.ino, "img.dcm", 0644);
	assert_int_equal(mds_getattr(e, f, &a), 0);
	assert_int_equal(a.layout.scheme, MDS_LAYOUT_REPLICA);
	assert_int_equal(a.layout.m, 2);
	assert_int_equal(a.layout.stripe_count, 4);
	assert_int_equal(mds_mkdir(e, &root_cr, NULL, d.ino, S("s"), 0755, &a),
			 0);
	assert_int_equal(a.layout.stripe_unit, 65536);

	/* refused, with the reason */
	expect_refused(e, d.ino, "pool=nope scheme=ec k=4 m=1 unit=4096 count=1",
		       "unknown pool \"nope\"");
	expect_refused(e, d.ino, "pool=fast scheme=ec k=2 m=1 unit=4096 count=1",
		       "wider than pool fast's 2 nodes");
	expect_refused(e, d.ino,
		       "pool=images scheme=ec k=4 m=2 unit=4096 count=1",
		       "wider than pool images's 5 nodes");
	expect_refused(e, d.ino,
		       "pool=images scheme=ec k=2 m=1 unit=5000 count=1",
		       "not a power of two in 4 KiB..64 MiB");
	expect_refused(e, d.ino,
		       "pool=images scheme=ec k=2 m=1 unit=2048 count=1",
		       "not a power of two");
	expect_refused(e, d.ino,
		       "pool=images scheme=ec k=2 m=1 unit=134217728 count=1",
		       "4 KiB..64 MiB");
	expect_refused(e, d.ino, "pool=images scheme=ec k=1 m=1 unit=4096 count=1",
		       "ec k must be 2..16");
	expect_refused(e, d.ino,
		       "pool=images scheme=replica n=5 unit=4096 count=1",
		       "replica n must be 1..4");
	expect_refused(e, d.ino,
		       "pool=images scheme=ec k=2 m=1 unit=4096 count=1 k=2",
		       "key k given twice");
	expect_refused(e, d.ino, "pool=images scheme=ec k=2 unit=4096 count=1",
		       "missing m");
	expect_refused(e, d.ino,
		       "pool=images scheme=ec k=2 m=1 unit=04096 count=1",
		       "unit: not a decimal number");
	expect_refused(e, d.ino,
		       "pool=images scheme=raid k=2 m=1 unit=4096 count=1",
		       "unknown scheme");
	expect_refused(e, d.ino,
		       "pool=images  scheme=ec k=2 m=1 unit=4096 count=1",
		       "expected key=value");
	expect_refused(e, d.ino,
		       "pool=images scheme=ec k=2 m=1 n=2 unit=4096 count=1",
		       "n is not a key of scheme ec");
	expect_refused(e, d.ino,
		       "pool=images scheme=ec k=2 m=1 unit=4096 count=0",
		       "stripe count 0");

	/* a file with data keeps its layout; only the owner sets one */
	t = "pool=images scheme=ec k=2 m=1 unit=4096 count=1\n";
	assert_int_equal(mds_setxattr(e, &alice, d.ino, S(MDS_XATTR_LAYOUT), t,
				      strlen(t), 0, NULL, 0), -EPERM);
	assert_int_equal(mds_setxattr(e, &root_cr, f, S(MDS_XATTR_LAYOUT), t,
				      strlen(t), 0, NULL, 0), 0);
	assert_int_equal(mds_commit_size(e, &root_cr, f, 10,
					 &(struct mds_time){ 1, 0 }, &a), 0);
	assert_int_equal(mds_setxattr(e, &root_cr, f, S(MDS_XATTR_LAYOUT), t,
				      strlen(t), 0, NULL, 0), -EBUSY);
	assert_int_equal(mds_removexattr(e, &root_cr, f, S(MDS_XATTR_LAYOUT)),
			 -EPERM);

	/* engine calls, and the shape check without a map */
	l = (struct mds_layout){ 2, MDS_LAYOUT_REPLICA, 1, 1, 4096, 1, 0 };
	assert_int_equal(mds_set_layout(e, &root_cr, d.ino, &l, buf,
					sizeof(buf)), 0);
	assert_int_equal(mds_layout_format(&l, NULL, buf, sizeof(buf)), 44);
	assert_string_equal(buf, "pool=#2 scheme=replica n=2 unit=4096 count=1");
	l.stripe_unit = 3;
	assert_int_equal(mds_layout_validate(&l, NULL, NULL, 0), -EINVAL);
}

static void test_statfs(void **state)
{
	struct fx *fx = *state;
	struct mds_target_space t[] = {
		{ 1ull << 40, 1ull << 39, LEOFS_STATE_UP | LEOFS_STATE_IN },
		{ 1ull << 40, 0, LEOFS_STATE_UP | LEOFS_STATE_IN },
		{ 1ull << 40, 0, 0 },	/* out: not counted */
	};
	struct mds_statfs st;

	mkfile(fx->eng, &root_cr, R, "f", 0644);
	assert_int_equal(mds_statfs(fx->eng, t, 3, &st), 0);
	assert_int_equal(st.bsize, 4096);
	assert_int_equal(st.blocks, (2ull << 40) / 4096);
	assert_int_equal(st.bfree, (3ull << 39) / 4096);
	assert_int_equal(st.files - st.ffree, 2);
	assert_int_equal(st.namelen, 255);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_setattr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_and_delq, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_xattrs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statfs, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
