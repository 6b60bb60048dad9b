// SPDX-License-Identifier: GPL-2.0
/*
 * Namespace engine: lookup, create, mkdir, unlink, rmdir, link, symlink,
 * readdir and rename, with their POSIX errors and permission checks, on a
 * real LMDB store in a temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <ftw.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../../daemons/mds/mds.h"

#define R MDS_ROOT_INO

static const struct mds_creds root_cr = { 0, 0, 0, { 0 } };
static const struct mds_creds alice = { 1000, 1000, 1, { 100 } };
static const struct mds_creds bob = { 1001, 1001, 0, { 0 } };

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

	strcpy(fx->dir, "/tmp/leofs-mds-ns-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	o.data_dir = fx->dir;
	o.shards = shards;
	o.nr_shards = 1;
	o.map_size = 64 << 20;
	o.root_layout = (struct mds_layout){ 1, MDS_LAYOUT_REPLICA, 1, 0,
					     1 << 20, 1, 0 };
	assert_int_equal(mds_engine_open(&o, &fx->eng), 0);
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

#define S(x) x, strlen(x)

static u64 mk(struct mds_engine *e, const struct mds_creds *c, u64 p,
	      const char *n, u32 mode)
{
	struct mds_attr a;

	assert_int_equal(mds_mkdir(e, c, NULL, p, S(n), mode, &a), 0);
	return a.ino;
}

static u64 cr8(struct mds_engine *e, const struct mds_creds *c, u64 p,
	       const char *n, u32 mode)
{
	struct mds_attr a;
	bool created;

	assert_int_equal(mds_create(e, c, NULL, p, S(n), mode, MDS_CREATE_EXCL,
				    &a, &created), 0);
	assert_true(created);
	return a.ino;
}

static void test_create_lookup(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	struct mds_attr a, b;
	bool created;
	u64 f, d;

	assert_int_equal(mds_getattr(e, R, &a), 0);
	assert_true(S_ISDIR(a.mode));
	assert_int_equal(a.nlink, 2);

	f = cr8(e, &root_cr, R, "f", 0644);
	assert_int_equal(f >> 48, 0);
	assert_int_equal(mds_lookup(e, &root_cr, R, S("f"), &a), 0);
	assert_int_equal(a.ino, f);
	assert_true(S_ISREG(a.mode));
	assert_int_equal(a.mode & 07777, 0644);
	assert_int_equal(a.layout.scheme, MDS_LAYOUT_REPLICA);
	assert_int_equal(a.layout.stripe_unit, 1 << 20);

	/* O_EXCL and plain open-or-create */
	assert_int_equal(mds_create(e, &root_cr, NULL, R, S("f"), 0644,
				    MDS_CREATE_EXCL, &b, &created), -EEXIST);
	assert_int_equal(mds_create(e, &root_cr, NULL, R, S("f"), 0600, 0, &b,
				    &created), 0);
	assert_false(created);
	assert_int_equal(b.ino, f);

	d = mk(e, &root_cr, R, "d", 0755);
	assert_int_equal(mds_getattr(e, R, &a), 0);
	assert_int_equal(a.nlink, 3);
	assert_int_equal(mds_mkdir(e, &root_cr, NULL, R, S("d"), 0755, &a),
			 -EEXIST);
	assert_int_equal(mds_mkdir(e, &root_cr, NULL, R, S("f"), 0755, &a),
			 -EEXIST);
	assert_int_equal(mds_create(e, &root_cr, NULL, R, S("d"), 0644, 0, &b,
				    &created), -EISDIR);
	assert_int_equal(mds_lookup(e, &root_cr, R, S("nope"), &a), -ENOENT);
	assert_int_equal(mds_lookup(e, &root_cr, f, S("x"), &a), -ENOTDIR);
	assert_int_equal(mds_create(e, &root_cr, NULL, f, S("x"), 0644, 0, &b,
				    &created), -ENOTDIR);
	/* stale handles, foreign shards */
	assert_int_equal(mds_getattr(e, 12345, &a), -ESTALE);
	assert_int_equal(mds_lookup(e, &root_cr, 12345, S("x"), &a), -ESTALE);
	assert_int_equal(mds_getattr(e, (7ull << 48) | 5, &a), -EXDEV);
	(void)d;
}

static void test_names(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	char longname[300];
	struct mds_attr a;
	bool c;

	memset(longname, 'a', sizeof(longname));
	assert_int_equal(mds_create(e, &root_cr, NULL, R, longname, 256, 0644,
				    0, &a, &c), -ENAMETOOLONG);
	assert_int_equal(mds_create(e, &root_cr, NULL, R, longname, 255, 0644,
				    0, &a, &c), 0);
	assert_int_equal(mds_create(e, &root_cr, NULL, R, "a/b", 3, 0644, 0,
				    &a, &c), -EINVAL);
	assert_int_equal(mds_create(e, &root_cr, NULL, R, "a\0b", 3, 0644, 0,
				    &a, &c), -EINVAL);
	assert_int_equal(mds_create(e, &root_cr, NULL, R, "", 0, 0644, 0, &a,
				    &c), -EINVAL);
	assert_int_equal(mds_mkdir(e, &root_cr, NULL, R, S(".."), 0755, &a),
			 -EINVAL);
	assert_int_equal(mds_rmdir(e, &root_cr, NULL, R, S(".")), -EINVAL);
	assert_int_equal(mds_lookup(e, &root_cr, R, longname, 256, &a),
			 -ENAMETOOLONG);
}

static void test_unlink_rmdir_link(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	struct mds_attr a;
	u64 d, f;

	d = mk(e, &root_cr, R, "d", 0755);
	f = cr8(e, &root_cr, d, "f", 0644);
	assert_int_equal(mds_rmdir(e, &root_cr, NULL, R, S("d")), -ENOTEMPTY);
	assert_int_equal(mds_unlink(e, &root_cr, NULL, R, S("d")), -EISDIR);
	assert_int_equal(mds_rmdir(e, &root_cr, NULL, d, S("f")), -ENOTDIR);

	/* hard links */
	assert_int_equal(mds_link(e, &root_cr, NULL, f, R, S("f2"), &a), 0);
	assert_int_equal(a.nlink, 2);
	assert_int_equal(mds_link(e, &root_cr, NULL, f, R, S("f2"), &a),
			 -EEXIST);
	assert_int_equal(mds_link(e, &root_cr, NULL, d, R, S("d2"), &a),
			 -EPERM);
	assert_int_equal(mds_unlink(e, &root_cr, NULL, d, S("f")), 0);
	assert_int_equal(mds_getattr(e, f, &a), 0);
	assert_int_equal(a.nlink, 1);
	assert_int_equal(mds_unlink(e, &root_cr, NULL, d, S("f")), -ENOENT);
	assert_int_equal(mds_rmdir(e, &root_cr, NULL, R, S("d")), 0);
	assert_int_equal(mds_getattr(e, d, &a), -ESTALE);
	assert_int_equal(mds_getattr(e, R, &a), 0);
	assert_int_equal(a.nlink, 2);
	assert_int_equal(mds_unlink(e, &root_cr, NULL, R, S("f2")), 0);
	assert_int_equal(mds_getattr(e, f, &a), -ESTALE);
	assert_int_equal(mds_link(e, &root_cr, NULL, f, R, S("f3"), &a),
			 -ESTALE);
}

static void test_symlink(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	char buf[64], big[5000];
	struct mds_attr a;
	u64 f;

	assert_int_equal(mds_symlink(e, &alice, NULL, R, S("l"), S("x/y"), &a),
			 -EACCES);
	assert_int_equal(mds_symlink(e, &root_cr, NULL, R, S("l"), S("x/y"),
				     &a), 0);
	assert_true(S_ISLNK(a.mode));
	assert_int_equal(a.size, 3);
	assert_int_equal(a.layout.scheme, MDS_LAYOUT_NONE);
	assert_int_equal(mds_readlink(e, a.ino, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "x/y", 3);
	assert_int_equal(mds_readlink(e, a.ino, buf, 2), -ERANGE);
	f = cr8(e, &root_cr, R, "f", 0644);
	assert_int_equal(mds_readlink(e, f, buf, sizeof(buf)), -EINVAL);
	memset(big, 'x', sizeof(big));
	assert_int_equal(mds_symlink(e, &root_cr, NULL, R, S("l2"), big, 4096,
				     &a), -ENAMETOOLONG);
	assert_int_equal(mds_symlink(e, &root_cr, NULL, R, S("l"), S("z"), &a),
			 -EEXIST);
	assert_int_equal(mds_unlink(e, &root_cr, NULL, R, S("l")), 0);
}

static void test_permissions(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	struct mds_attr a;
	struct mds_setattr sa = { 0 };
	u64 pub, priv, f;
	bool c;

	pub = mk(e, &root_cr, R, "pub", 01777);	/* sticky, like /tmp */
	priv = mk(e, &root_cr, R, "priv", 0700);
	/* non-root may not create in root (0755) nor search priv */
	assert_int_equal(mds_create(e, &alice, NULL, R, S("x"), 0644, 0, &a,
				    &c), -EACCES);
	assert_int_equal(mds_lookup(e, &alice, priv, S("x"), &a), -EACCES);
	assert_int_equal(mds_create(e, &alice, NULL, priv, S("x"), 0644, 0,
				    &a, &c), -EACCES);
	/* root bypasses */
	f = cr8(e, &root_cr, priv, "x", 0);
	assert_int_equal(mds_lookup(e, &root_cr, priv, S("x"), &a), 0);
	(void)f;

	/* sticky: bob cannot remove or rename alice's file */
	f = cr8(e, &alice, pub, "a", 0644);
	assert_int_equal(mds_getattr(e, f, &a), 0);
	assert_int_equal(a.uid, 1000);
	assert_int_equal(a.gid, 1000);
	assert_int_equal(mds_unlink(e, &bob, NULL, pub, S("a")), -EPERM);
	assert_int_equal(mds_rename(e, &bob, NULL, pub, S("a"), pub, S("b"),
				    0), -EPERM);
	cr8(e, &bob, pub, "b", 0644);
	assert_int_equal(mds_rename(e, &alice, NULL, pub, S("a"), pub, S("b"),
				    0), -EPERM);
	assert_int_equal(mds_unlink(e, &alice, NULL, pub, S("a")), 0);

	/* readdir needs read permission */
	bool eof;

	assert_int_equal(mds_readdir(e, &alice, priv, 0, 10, NULL, NULL, &eof),
			 -EACCES);

	/* group bits via supplementary group 100 */
	sa.valid = MDS_SET_GID | MDS_SET_MODE;
	sa.gid = 100;
	sa.mode = 0070;
	assert_int_equal(mds_setattr(e, &root_cr, NULL, priv, &sa, &a), 0);
	assert_int_equal(mds_create(e, &alice, NULL, priv, S("g"), 0644, 0, &a,
				    &c), 0);
	assert_int_equal(mds_create(e, &bob, NULL, priv, S("h"), 0644, 0, &a,
				    &c), -EACCES);
}

static int collect(void *ctx, const struct mds_dirent *de)
{
	char *names = ctx;

	strncat(names, de->name, de->len);
	strcat(names, ",");
	return 0;
}

static void test_readdir(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	char names[4096] = "";
	bool eof;
	u64 d;

	d = mk(e, &root_cr, R, "d", 0755);
	cr8(e, &root_cr, d, "a", 0644);
	mk(e, &root_cr, d, "b", 0755);
	cr8(e, &root_cr, d, "c", 0644);
	assert_int_equal(mds_readdir(e, &root_cr, d, 0, 10, collect, names,
				     &eof), 0);
	assert_true(eof);
	assert_string_equal(names, "a,b,c,");
	assert_int_equal(mds_readdir(e, &root_cr, d, 0, 0, collect, names,
				     &eof), -EINVAL);
}

static void test_rename(void **state)
{
	struct fx *fx = *state;
	struct mds_engine *e = fx->eng;
	struct mds_attr a;
	u64 d1, d2, sub, f, g, h;

	d1 = mk(e, &root_cr, R, "d1", 0755);
	d2 = mk(e, &root_cr, R, "d2", 0755);
	sub = mk(e, &root_cr, d1, "sub", 0755);
	f = cr8(e, &root_cr, d1, "f", 0644);
	g = cr8(e, &root_cr, d2, "g", 0644);

	/* plain move across directories */
	assert_int_equal(mds_rename(e, &root_cr, NULL, d1, S("f"), d2, S("f"),
				    0), 0);
	assert_int_equal(mds_lookup(e, &root_cr, d1, S("f"), &a), -ENOENT);
	assert_int_equal(mds_lookup(e, &root_cr, d2, S("f"), &a), 0);
	assert_int_equal(a.ino, f);
	assert_int_equal(mds_rename(e, &root_cr, NULL, d1, S("f"), d2, S("f"),
				    0), -ENOENT);

	/* replacing a file: the old one goes */
	assert_int_equal(mds_rename(e, &root_cr, NULL, d2, S("f"), d2, S("g"),
				    0), 0);
	assert_int_equal(mds_getattr(e, g, &a), -ESTALE);
	assert_int_equal(mds_lookup(e, &root_cr, d2, S("g"), &a), 0);
	assert_int_equal(a.ino, f);

	/* NOREPLACE, EXCHANGE */
	h = cr8(e, &root_cr, d2, "h", 0644);
	assert_int_equal(mds_rename(e, &root_cr, NULL, d2, S("g"), d2, S("h"),
				    MDS_RENAME_NOREPLACE), -EEXIST);
	assert_int_equal(mds_rename(e, &root_cr, NULL, d2, S("g"), d2, S("zz"),
				    MDS_RENAME_EXCHANGE), -ENOENT);
	assert_int_equal(mds_rename(e, &root_cr, NULL, d2, S("g"), d2, S("h"),
				    MDS_RENAME_EXCHANGE), 0);
	assert_int_equal(mds_lookup(e, &root_cr, d2, S("g"), &a), 0);
	assert_int_equal(a.ino, h);
	assert_int_equal(mds_lookup(e, &root_cr, d2, S("h"), &a), 0);
	assert_int_equal(a.ino, f);
	assert_int_equal(mds_rename(e, &root_cr, NULL, d2, S("g"), d2, S("h"),
				    MDS_RENAME_EXCHANGE |
				    MDS_RENAME_NOREPLACE), -EINVAL);

	/* type mismatches */
	assert_int_equal(mds_rename(e, &root_cr, NULL, d1, S("sub"), d2,
				    S("h"), 0), -ENOTDIR);
	assert_int_equal(mds_rename(e, &root_cr, NULL, d2, S("h"), d1,
				    S("sub"), 0), -EISDIR);

	/* into its own subtree */
	assert_int_equal(mds_rename(e, &root_cr, NULL, R, S("d1"), sub,
				    S("x"), 0), -EINVAL);
	assert_int_equal(mds_rename(e, &root_cr, NULL, R, S("d1"), d1,
				    S("x"), 0), -EINVAL);

	/* onto a hard link of the same inode: no-op, both names stay */
	assert_int_equal(mds_link(e, &root_cr, NULL, f, d2, S("hl"), &a), 0);
	assert_int_equal(mds_rename(e, &root_cr, NULL, d2, S("h"), d2, S("hl"),
				    0), 0);
	assert_int_equal(mds_lookup(e, &root_cr, d2, S("h"), &a), 0);
	assert_int_equal(a.nlink, 2);

	/* replacing an empty directory; a non-empty one is refused */
	mk(e, &root_cr, d2, "empty", 0755);
	assert_int_equal(mds_rename(e, &root_cr, NULL, R, S("d1"), R, S("d2"),
				    0), -ENOTEMPTY);
	assert_int_equal(mds_rename(e, &root_cr, NULL, d1, S("sub"), d2,
				    S("empty"), 0), 0);
	assert_int_equal(mds_lookup(e, &root_cr, d2, S("empty"), &a), 0);
	assert_int_equal(a.ino, sub);
	/* nlink: d1 lost sub, d2 lost empty and gained sub */
	assert_int_equal(mds_getattr(e, d1, &a), 0);
	assert_int_equal(a.nlink, 2);
	assert_int_equal(mds_getattr(e, d2, &a), 0);
	assert_int_equal(a.nlink, 3);
	/* sub moved under d2: d2 cannot now move into sub */
	assert_int_equal(mds_rename(e, &root_cr, NULL, R, S("d2"), sub,
				    S("loop"), 0), -EINVAL);
	/* same name: no-op */
	assert_int_equal(mds_rename(e, &root_cr, NULL, R, S("d2"), R, S("d2"),
				    0), 0);
	/* the moved directory's parent is updated */
	assert_int_equal(mds_rename(e, &root_cr, NULL, d2, S("empty"), R,
				    S("top"), 0), 0);
	assert_int_equal(mds_rename(e, &root_cr, NULL, R, S("d2"), sub,
				    S("d2"), 0), 0);
	assert_int_equal(mds_getattr(e, sub, &a), 0);
	assert_int_equal(a.nlink, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_lookup, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlink_rmdir_link, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_readdir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
