// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the leofs-oss storage engine: target format and refusals,
 * round trips, checksums, versioned stripes, crash recovery at every step,
 * truncate, delete, statfs and full targets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <dirent.h>
#include <pthread.h>

#include "../../daemons/oss/internal.h"

#define UNIT (64 * 1024)

static const u8 cluster[16] = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01
};
static const struct oss_obj_id obj = { .ino = 0x1234, .slot = 2, .frag = 1 };

struct fixture {
	char dir[64];
	char path[96];
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

static void rm_rf(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void fill(u8 *p, size_t len, u32 seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245 + 12345;
		p[i] = (u8)(seed >> 16);
	}
}

static struct oss_target *open_target(const char *path, u64 reserve)
{
	struct oss_target_opts opts = { .reserve_bytes = reserve };
	struct oss_target *t = NULL;
	char why[256];
	int r = oss_target_open(path, cluster, 7, &opts, &t, why, sizeof(why));

	if (r)
		fprintf(stderr, "open: %s\n", why);
	assert_int_equal(r, 0);
	return t;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/leofs-oss-test.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/t0", f->dir);
	if (oss_target_format(f->path, cluster, 7, LEOFS_TIER_SAS, 100))
		return -1;
	f->t = open_target(f->path, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	oss_target_close(f->t);
	rm_rf(f->dir);
	free(f);
	return 0;
}

static void reopen(struct fixture *f)
{
	oss_target_close(f->t);
	f->t = open_target(f->path, 0);
}

/* ---- format and open ---------------------------------------------------- */

static int try_open(const char *path, const u8 *cl, u32 id, char *why)
{
	struct oss_target *t = NULL;
	int r = oss_target_open(path, cl, id, NULL, &t, why, 256);

	if (!r)
		oss_target_close(t);
	return r;
}

static void test_format_open(void **state)
{
	struct fixture *f = *state;
	struct oss_statfs st;
	u8 other[16];
	char why[256], p[160];
	int fd;

	assert_int_equal(oss_target_statfs(f->t, &st), 0);
	assert_int_equal(st.tier, LEOFS_TIER_SAS);
	assert_int_equal(st.weight, 100);
	assert_true(st.capacity_bytes > 0);
	assert_int_equal(st.objects, 0);
	oss_target_close(f->t);
	f->t = NULL;

	/* formatting again is refused: not empty */
	assert_int_equal(
		oss_target_format(f->path, cluster, 7, LEOFS_TIER_SAS, 1),
		-ENOTEMPTY);
	assert_int_equal(oss_target_format(f->path, cluster, 7, 9, 1), -EINVAL);

	memcpy(other, cluster, 16);
	other[15] ^= 1;
	assert_int_equal(try_open(f->path, other, 7, why), -EINVAL);
	assert_non_null(strstr(why, "belongs to cluster"));
	assert_int_equal(try_open(f->path, cluster, 8, why), -EINVAL);
	assert_non_null(strstr(why, "is target 7"));

	/* a missing fan-out directory */
	snprintf(p, sizeof(p), "%s/objects/7f", f->path);
	assert_int_equal(rmdir(p), 0);
	assert_int_equal(try_open(f->path, cluster, 7, why), -EUCLEAN);
	assert_non_null(strstr(why, "objects/7f/ is missing"));
	assert_int_equal(mkdir(p, 0750), 0);
	assert_int_equal(try_open(f->path, cluster, 7, why), 0);

	/* a leftover superblock temp file */
	snprintf(p, sizeof(p), "%s/%s", f->path, OSS_SB_TMP_NAME);
	fd = open(p, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(try_open(f->path, cluster, 7, why), -EUCLEAN);
	assert_non_null(strstr(why, "half-formatted"));
	unlink(p);

	/* a corrupt superblock */
	snprintf(p, sizeof(p), "%s/%s", f->path, OSS_SB_NAME);
	fd = open(p, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "\x01", 1, 33), 1);
	assert_int_equal(try_open(f->path, cluster, 7, why), -EUCLEAN);
	assert_non_null(strstr(why, "checksum"));
	assert_int_equal(pwrite(fd, "\x00", 1, 33), 1); /* tier was 2: 0x02 */
	close(fd);

	/* no superblock: half-formatted (layout exists) or not formatted */
	assert_int_equal(rename(p, "/tmp/leofs-oss-sb-moved"), 0);
	assert_int_equal(try_open(f->path, cluster, 7, why), -EUCLEAN);
	assert_non_null(strstr(why, "half-formatted"));
	unlink("/tmp/leofs-oss-sb-moved");
	snprintf(p, sizeof(p), "%s/empty", f->dir);
	assert_int_equal(mkdir(p, 0750), 0);
	assert_int_equal(try_open(p, cluster, 7, why), -ENOENT);
	assert_non_null(strstr(why, "not a leofs target"));

	/* unknown file in staging/ */
	snprintf(p, sizeof(p), "%s/fresh", f->dir);
	assert_int_equal(oss_target_format(p, cluster, 7, LEOFS_TIER_SSD, 5), 0);
	strcat(p, "/staging/junk");
	fd = open(p, O_CREAT | O_WRONLY, 0600);
	close(fd);
	p[strlen(p) - strlen("/staging/junk")] = 0;
	assert_int_equal(try_open(p, cluster, 7, why), -EUCLEAN);
	assert_non_null(strstr(why, "unexpected file"));

	/* restore for teardown */
	rm_rf(f->path);
	assert_int_equal(
		oss_target_format(f->path, cluster, 7, LEOFS_TIER_SAS, 100), 0);
	f->t = open_target(f->path, 0);
}

/* ---- version numbers ---------------------------------------------------- */

/* Issues @n numbers in a child that is then killed; returns the last. */
static u64 issue_and_die(const char *path, u64 epoch, unsigned int n)
{
	int fds[2], status;
	u64 last = 0;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct oss_target *t = open_target(path, 0);
		unsigned int i;

		for (i = 0; i < n; i++)
			if (oss_target_new_version(t, epoch, &last))
				_exit(1);
		if (write(fds[1], &last, sizeof(last)) != sizeof(last))
			_exit(1);
		kill(getpid(), SIGKILL);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &last, sizeof(last)), sizeof(last));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	return last;
}

/*
 * A target never issues a number twice: they grow within an epoch, across
 * a reopen and a kill -9, and a later epoch's are above every earlier one.
 */
static void test_version_numbers(void **state)
{
	struct fixture *f = *state;
	u64 v, prev, last;
	char why[256], p[160], saved[64];
	unsigned int i;
	int fd, n;

	assert_int_equal(oss_target_new_version(f->t, 3, &v), 0);
	assert_int_equal(v, (3ull << OSS_VERSION_N_BITS) | 1);
	for (i = 0; i < 10; i++) {
		prev = v;
		assert_int_equal(oss_target_new_version(f->t, 3, &v), 0);
		assert_int_equal(v, prev + 1);
	}
	/* across the limit the file moves ahead */
	for (i = 0; i < OSS_VERSIONS_AHEAD + 10; i++) {
		prev = v;
		assert_int_equal(oss_target_new_version(f->t, 3, &v), 0);
		assert_true(v > prev);
	}
	reopen(f);
	assert_int_equal(oss_target_new_version(f->t, 3, &v), 0);
	assert_true(v > prev);
	/* a process killed after issuing: its numbers are never issued again */
	oss_target_close(f->t);
	f->t = NULL;
	last = issue_and_die(f->path, 3, 1000);
	assert_true(last > v);
	f->t = open_target(f->path, 0);
	assert_int_equal(oss_target_new_version(f->t, 3, &v), 0);
	assert_true(v > last);
	/* a new epoch starts over above every earlier number */
	assert_int_equal(oss_target_new_version(f->t, 4, &v), 0);
	assert_int_equal(v, (4ull << OSS_VERSION_N_BITS) | 1);
	assert_int_equal(oss_target_new_version(f->t, 3, &v), -ESTALE);
	reopen(f);
	assert_int_equal(oss_target_new_version(f->t, 3, &v), -ESTALE);
	assert_int_equal(oss_target_new_version(f->t, 4, &v), 0);
	assert_true(v > ((4ull << OSS_VERSION_N_BITS) | 1));
	assert_int_equal(oss_target_new_version(f->t, 0, &v), -EOVERFLOW);
	assert_int_equal(
		oss_target_new_version(f->t, OSS_VERSION_EPOCH_END, &v),
		-EOVERFLOW);

	/* the target is refused without its counter */
	oss_target_close(f->t);
	f->t = NULL;
	snprintf(p, sizeof(p), "%s/%s", f->path, OSS_VERSIONS_NAME);
	fd = open(p, O_RDWR);
	assert_true(fd >= 0);
	n = (int)pread(fd, saved, sizeof(saved), 0);
	assert_int_equal(n, 32);
	assert_int_equal(pwrite(fd, "\x01", 1, 17), 1);
	assert_int_equal(try_open(f->path, cluster, 7, why), -EUCLEAN);
	assert_non_null(strstr(why, "versions is corrupt"));
	assert_int_equal(pwrite(fd, saved, (size_t)n, 0), n);
	close(fd);
	assert_int_equal(rename(p, "/tmp/leofs-oss-versions-moved"), 0);
	assert_int_equal(try_open(f->path, cluster, 7, why), -EUCLEAN);
	assert_non_null(strstr(why, "versions is missing"));
	assert_int_equal(rename("/tmp/leofs-oss-versions-moved", p), 0);
	f->t = open_target(f->path, 0);
	assert_int_equal(oss_target_new_version(f->t, 4, &v), 0);
}

/* ---- data --------------------------------------------------------------- */

static void check_read(struct oss_target *t, u64 stripe, const u8 *expect,
		       u32 frag_len, u64 version)
{
	static const u32 offs[] = { 0, 1, 4095, 4096, 4097, 9999, 12287 };
	static const u32 lens[] = { 1, 7, 4096, 5000, 12345 };
	struct oss_stripe_info info;
	u8 *buf = malloc(UNIT);
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(offs); i++)
		for (j = 0; j < ARRAY_SIZE(lens); j++) {
			u32 off = offs[i], len = lens[j], k;

			assert_int_equal(oss_stripe_read(t, &obj, UNIT, stripe,
							 off, len, buf, &info),
					 0);
			assert_int_equal(info.version, version);
			assert_int_equal(info.frag_len, frag_len);
			for (k = 0; k < len; k++) {
				u8 want = off + k < frag_len ? expect[off + k] :
							       0;

				if (buf[k] != want)
					fail_msg(
						"stripe %llu byte %u: %u != %u",
						(unsigned long long)stripe,
						off + k, buf[k], want);
			}
			/* a CRC of the bytes read, when given, is theirs */
			if (info.crc_known)
				assert_int_equal(info.crc,
						 leofs_crc32c(0, buf, len));
		}
	/*
	 * A whole-unit read: whole blocks and the zeros past them, with
	 * their CRC joined from the blocks' (none for a stripe never
	 * written or a fragment without blocks)
	 */
	assert_int_equal(
		oss_stripe_read(t, &obj, UNIT, stripe, 0, UNIT, buf, &info), 0);
	assert_memory_equal(buf, expect, frag_len);
	assert_int_equal(info.crc_known, version && frag_len);
	if (info.crc_known)
		assert_int_equal(info.crc, leofs_crc32c(0, buf, UNIT));
	free(buf);
}

static void test_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct oss_stripe_info info;
	u8 *a = malloc(UNIT), *b = malloc(UNIT), *buf = malloc(UNIT);

	fill(a, UNIT, 1);
	fill(b, UNIT, 2);
	/* absent stripe */
	assert_int_equal(
		oss_stripe_read(f->t, &obj, UNIT, 5, 3, 100, buf, &info), 0);
	assert_int_equal(info.version, 0);
	assert_int_equal(buf[0] | buf[99], 0);

	assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, 0, 1, a, 10001), 0);
	check_read(f->t, 0, a, 10001, 1);
	assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, 3, 1, b, UNIT), 0);
	check_read(f->t, 3, b, UNIT, 1);
	check_read(f->t, 0, a, 10001, 1);

	/* versions must grow */
	assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, 0, 1, b, 10),
			 -ESTALE);
	/* overwrite, shorter (staged path) */
	assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, 0, 2, b, 5000), 0);
	check_read(f->t, 0, b, 5000, 2);
	/* empty fragment */
	assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, 1, 1, b, 0), 0);
	check_read(f->t, 1, b, 0, 1);

	/* a wrong unit, ranges out of bounds */
	assert_int_equal(
		oss_stripe_read(f->t, &obj, 2 * UNIT, 0, 0, 1, buf, NULL),
		-EINVAL);
	assert_int_equal(
		oss_stripe_read(f->t, &obj, UNIT, 0, UNIT, 1, buf, NULL),
		-EINVAL);
	assert_int_equal(oss_stripe_read(f->t, &obj, 3000, 0, 0, 1, buf, NULL),
			 -EINVAL);
	assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, 0, 3, a, UNIT + 1),
			 -EINVAL);

	/* survives a reopen */
	reopen(f);
	check_read(f->t, 0, b, 5000, 2);
	check_read(f->t, 3, b, UNIT, 1);
	free(a);
	free(b);
	free(buf);
}

/* Path of obj's file with suffix ("d" data, "m" metadata). */
static void obj_file(struct fixture *f, const char *suffix, char *p,
		     size_t len)
{
	char stem[64];
	u64 h = oss_obj_hash(&obj);

	oss_object_stem(&obj, stem, sizeof(stem));
	snprintf(p, len, "%s/objects/%02x/%02x/%s.%s", f->path,
		 (unsigned int)(h >> 56), (unsigned int)(h >> 48) & 0xff, stem,
		 suffix);
}

static void flip_data_bit(struct fixture *f, u64 off)
{
	char p[256];
	u8 c;
	int fd;

	obj_file(f, "d", p, sizeof(p));
	fd = open(p, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &c, 1, (off_t)off), 1);
	c ^= 0x10;
	assert_int_equal(pwrite(fd, &c, 1, (off_t)off), 1);
	close(fd);
}

/*
 * Reading an object writes nothing to its files' inodes: with an access
 * time older than the last change, relatime would otherwise update it.
 */
static void test_read_keeps_atime(void **state)
{
	struct fixture *f = *state;
	const struct timespec old[2] = { { .tv_sec = 1 },
					 { .tv_nsec = UTIME_OMIT } };
	static const char *const sfx[] = { "d", "m" };
	struct oss_stripe_info info;
	u8 *a = malloc(UNIT), *buf = malloc(UNIT);
	char p[256];
	struct stat st;
	unsigned int i;

	fill(a, UNIT, 3);
	assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, 0, 1, a, UNIT), 0);
	for (i = 0; i < 2; i++) {
		obj_file(f, sfx[i], p, sizeof(p));
		assert_int_equal(utimensat(AT_FDCWD, p, old, 0), 0);
	}
	assert_int_equal(
		oss_stripe_read(f->t, &obj, UNIT, 0, 0, UNIT, buf, &info), 0);
	assert_memory_equal(buf, a, UNIT);
	for (i = 0; i < 2; i++) {
		obj_file(f, sfx[i], p, sizeof(p));
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_atim.tv_sec, 1);
	}
	free(a);
	free(buf);
}

static void test_checksum(void **state)
{
	struct fixture *f = *state;
	struct oss_statfs st;
	u8 *a = malloc(UNIT), *buf = malloc(UNIT);

	fill(a, UNIT, 3);
	assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, 2, 1, a, 3 * 4096),
			 0);
	flip_data_bit(f, 2 * UNIT + 4096 + 17);
	/* the damaged block never comes back as data */
	memset(buf, 0xa5, UNIT);
	assert_int_equal(
		oss_stripe_read(f->t, &obj, UNIT, 2, 4000, 200, buf, NULL),
		-EBADMSG);
	assert_int_equal(
		oss_stripe_read(f->t, &obj, UNIT, 2, 4096 + 17, 1, buf, NULL),
		-EBADMSG);
	/* the others still read */
	assert_int_equal(
		oss_stripe_read(f->t, &obj, UNIT, 2, 0, 4096, buf, NULL), 0);
	assert_memory_equal(buf, a, 4096);
	assert_int_equal(
		oss_stripe_read(f->t, &obj, UNIT, 2, 8192, 4096, buf, NULL), 0);
	assert_int_equal(oss_target_statfs(f->t, &st), 0);
	assert_int_equal(st.checksum_errors, 2);
	/* a partial update cannot merge onto a damaged block */
	assert_int_equal(oss_stripe_prepare(f->t, &obj, UNIT, 2, 2, 4100, a, 3),
			 -EBADMSG);
	/* a full rewrite repairs it */
	assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, 2, 2, a, 3 * 4096),
			 0);
	assert_int_equal(
		oss_stripe_read(f->t, &obj, UNIT, 2, 0, 3 * 4096, buf, NULL),
		0);
	assert_memory_equal(buf, a, 3 * 4096);
	free(a);
	free(buf);
}

static void test_versions(void **state)
{
	struct fixture *f = *state;
	struct oss_stripe_info info;
	u8 *a = malloc(UNIT), *b = malloc(UNIT), *want = malloc(UNIT);
	u8 *buf = malloc(UNIT);

	fill(a, UNIT, 4);
	fill(b, UNIT, 5);
	assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, 0, 1, a, 20000), 0);

	/* prepared data is invisible */
	assert_int_equal(
		oss_stripe_prepare(f->t, &obj, UNIT, 0, 2, 5000, b, 3000), 0);
	check_read(f->t, 0, a, 20000, 1);
	assert_int_equal(oss_stripe_stat(f->t, &obj, UNIT, 0, &info), 0);
	assert_int_equal(info.version, 1);
	assert_int_equal(info.prepared, 2);
	/* one prepared version at a time; stale versions refused */
	assert_int_equal(oss_stripe_prepare(f->t, &obj, UNIT, 0, 3, 0, b, 1),
			 -EBUSY);
	assert_int_equal(oss_stripe_prepare(f->t, &obj, UNIT, 0, 1, 0, b, 1),
			 -ESTALE);
	assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, 0, 3, b, 1),
			 -EBUSY);
	assert_int_equal(oss_stripe_commit(f->t, &obj, UNIT, 0, 3), -ENOENT);
	/* nor the same version again (one number, one content), reopened */
	reopen(f);
	assert_int_equal(oss_stripe_prepare(f->t, &obj, UNIT, 0, 2, 0, b, 1),
			 -EBUSY);
	assert_int_equal(oss_stripe_commit(f->t, &obj, UNIT, 0, 2), 0);
	memcpy(want, a, 20000);
	memcpy(want + 5000, b, 3000);
	check_read(f->t, 0, want, 20000, 2);
	assert_int_equal(oss_stripe_stat(f->t, &obj, UNIT, 0, &info), 0);
	assert_int_equal(info.prepared, 0);
	/* committing again (roll-forward retry) is fine */
	assert_int_equal(oss_stripe_commit(f->t, &obj, UNIT, 0, 2), 0);

	/* grow past the end, leaving a gap that reads as zeros */
	assert_int_equal(
		oss_stripe_prepare(f->t, &obj, UNIT, 0, 3, 40000, b, 100), 0);
	assert_int_equal(oss_stripe_commit(f->t, &obj, UNIT, 0, 3), 0);
	memset(want + 20000, 0, 20000);
	memcpy(want + 40000, b, 100);
	check_read(f->t, 0, want, 40100, 3);

	/* abort */
	assert_int_equal(oss_stripe_prepare(f->t, &obj, UNIT, 0, 4, 0, b, 10),
			 0);
	assert_int_equal(oss_stripe_abort(f->t, &obj, UNIT, 0, 5), 0);
	assert_int_equal(oss_stripe_stat(f->t, &obj, UNIT, 0, &info), 0);
	assert_int_equal(info.prepared, 4);
	assert_int_equal(oss_stripe_abort(f->t, &obj, UNIT, 0, 4), 0);
	assert_int_equal(oss_stripe_stat(f->t, &obj, UNIT, 0, &info), 0);
	assert_int_equal(info.prepared, 0);
	assert_int_equal(oss_stripe_commit(f->t, &obj, UNIT, 0, 4), -ENOENT);
	check_read(f->t, 0, want, 40100, 3);

	/* a commit based on an older version is refused */
	assert_int_equal(oss_stripe_prepare(f->t, &obj, UNIT, 0, 5, 0, b, 10),
			 0);
	assert_int_equal(oss_stripe_abort(f->t, &obj, UNIT, 0, 5), 0);

	/* prepare on a stripe never written */
	assert_int_equal(oss_stripe_prepare(f->t, &obj, UNIT, 9, 1, 100, b, 50),
			 0);
	assert_int_equal(oss_stripe_stat(f->t, &obj, UNIT, 9, &info), 0);
	assert_int_equal(info.version, 0);
	assert_int_equal(info.prepared, 1);
	assert_int_equal(oss_stripe_commit(f->t, &obj, UNIT, 9, 1), 0);
	memset(want, 0, 100);
	memcpy(want + 100, b, 50);
	check_read(f->t, 9, want, 150, 1);
	free(a);
	free(b);
	free(want);
	free(buf);
}

static void test_truncate_delete(void **state)
{
	struct fixture *f = *state;
	struct oss_stripe_info info;
	struct oss_statfs st;
	u8 *a = malloc(UNIT);
	u64 s;

	fill(a, UNIT, 6);
	for (s = 0; s < 5; s++)
		assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, s, 1, a,
						  UNIT - (u32)s),
				 0);
	assert_int_equal(oss_stripe_prepare(f->t, &obj, UNIT, 4, 2, 0, a, 1),
			 0);
	assert_int_equal(oss_target_statfs(f->t, &st), 0);
	assert_int_equal(st.objects, 1);
	assert_true(st.used_bytes >= 5 * (u64)UNIT);

	assert_int_equal(oss_object_truncate(f->t, &obj, 2), 0);
	for (s = 0; s < 5; s++) {
		assert_int_equal(oss_stripe_stat(f->t, &obj, UNIT, s, &info),
				 0);
		assert_int_equal(info.version, s < 2 ? 1 : 0);
		assert_int_equal(info.prepared, 0);
	}
	check_read(f->t, 1, a, UNIT - 1, 1);
	/* rewrite a dropped stripe from scratch */
	assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, 3, 1, a, 100), 0);
	check_read(f->t, 3, a, 100, 1);
	reopen(f);
	assert_int_equal(oss_target_statfs(f->t, &st), 0);
	assert_int_equal(st.objects, 1);

	assert_int_equal(oss_object_delete(f->t, &obj), 0);
	assert_int_equal(oss_stripe_stat(f->t, &obj, UNIT, 0, &info), 0);
	assert_int_equal(info.version, 0);
	assert_int_equal(oss_target_statfs(f->t, &st), 0);
	assert_int_equal(st.objects, 0);
	assert_int_equal(st.used_bytes, 0);
	/* deleting or truncating nothing */
	assert_int_equal(oss_object_delete(f->t, &obj), 0);
	assert_int_equal(oss_object_truncate(f->t, &obj, 0), 0);
	free(a);
}

/*
 * Truncates and deletes of different objects at once each drop all of
 * their own staged versions: their scans of the staging directory must not
 * share a read position.
 */
#define DROP_THREADS 8
#define DROP_OBJECTS 16

struct dropper {
	struct oss_target *t;
	u32 first;
	int result;
};

static void *drop_objects(void *arg)
{
	struct dropper *d = arg;
	u32 i;

	for (i = 0; i < DROP_OBJECTS && !d->result; i++) {
		struct oss_obj_id id = { .ino = d->first + i, .slot = 0 };

		d->result = i % 2 ? oss_object_delete(d->t, &id) :
				    oss_object_truncate(d->t, &id, 0);
	}
	return NULL;
}

static size_t staged_files(const char *target)
{
	char path[160];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", target, OSS_STAGING_DIR);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_concurrent_drops(void **state)
{
	struct fixture *f = *state;
	struct dropper d[DROP_THREADS];
	pthread_t th[DROP_THREADS];
	struct oss_stripe_info info;
	u8 *a = malloc(UNIT);
	int round, i;
	u32 n, ino;

	fill(a, UNIT, 12);
	n = DROP_THREADS * DROP_OBJECTS;
	for (round = 0; round < 4; round++) {
		for (ino = 1; ino <= n; ino++) {
			struct oss_obj_id id = { .ino = ino, .slot = 0 };

			assert_int_equal(oss_stripe_create(f->t, &id, UNIT, 0,
							   1, a, 4096, NULL),
					 0);
			assert_int_equal(oss_stripe_prepare(f->t, &id, UNIT, 0,
							    2, 0, a, 100),
					 0);
		}
		assert_int_equal(staged_files(f->path), n);
		for (i = 0; i < DROP_THREADS; i++) {
			d[i] = (struct dropper){ .t = f->t,
						 .first = 1 + (u32)i *
								  DROP_OBJECTS };
			assert_int_equal(pthread_create(&th[i], NULL,
							drop_objects, &d[i]),
					 0);
		}
		for (i = 0; i < DROP_THREADS; i++) {
			pthread_join(th[i], NULL);
			assert_int_equal(d[i].result, 0);
		}
		/* nothing staged is left, and nothing reads as prepared */
		assert_int_equal(staged_files(f->path), 0);
		for (ino = 1; ino <= n; ino++) {
			struct oss_obj_id id = { .ino = ino, .slot = 0 };

			assert_int_equal(oss_stripe_stat(f->t, &id, UNIT, 0,
							 &info),
					 0);
			assert_int_equal(info.version, 0);
			assert_int_equal(info.prepared, 0);
		}
	}
	free(a);
}

/* A refused new stripe is dropped again: only its version, only if idle. */
static void test_undo_new(void **state)
{
	static const struct oss_obj_id never = { .ino = 0x99, .slot = 0 };
	struct fixture *f = *state;
	struct oss_stripe_info info;
	struct oss_statfs st;
	u8 *a = malloc(UNIT), *b = malloc(UNIT);
	u64 used;

	fill(a, UNIT, 12);
	fill(b, UNIT, 13);
	assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, 0, 1, a, UNIT), 0);
	assert_int_equal(oss_target_statfs(f->t, &st), 0);
	used = st.used_bytes;
	assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, 1, 1, b, UNIT), 0);

	assert_int_equal(oss_stripe_undo_new(f->t, &obj, UNIT, 1, 0), -EINVAL);
	assert_int_equal(oss_stripe_undo_new(f->t, &obj, UNIT, 1, 2), -ESTALE);
	assert_int_equal(oss_stripe_undo_new(f->t, &obj, UNIT, 1, 1), 0);
	assert_int_equal(oss_stripe_stat(f->t, &obj, UNIT, 1, &info), 0);
	assert_int_equal(info.version, 0);
	assert_int_equal(info.frag_len, 0);
	/* its blocks are given back, the other stripe is untouched */
	assert_int_equal(oss_target_statfs(f->t, &st), 0);
	assert_true(st.used_bytes <= used + 4096);
	check_read(f->t, 0, a, UNIT, 1);
	/* again, and on a stripe or object never written: nothing to do */
	assert_int_equal(oss_stripe_undo_new(f->t, &obj, UNIT, 1, 1), 0);
	assert_int_equal(oss_stripe_undo_new(f->t, &obj, UNIT, 7, 1), 0);
	assert_int_equal(oss_stripe_undo_new(f->t, &never, UNIT, 0, 1), 0);
	/* survives a reopen; the stripe is new again for the next write */
	reopen(f);
	assert_int_equal(oss_stripe_stat(f->t, &obj, UNIT, 1, &info), 0);
	assert_int_equal(info.version, 0);
	assert_int_equal(oss_stripe_create(f->t, &obj, UNIT, 1, 1, a, 5000,
					   NULL),
			 0);
	check_read(f->t, 1, a, 5000, 1);
	/* a create never replaces a version, even an older one */
	assert_int_equal(oss_stripe_create(f->t, &obj, UNIT, 1, 9, b, UNIT,
					   NULL),
			 -ESTALE);
	check_read(f->t, 1, a, 5000, 1);

	/* never a later version, never with an update prepared */
	assert_int_equal(oss_stripe_prepare(f->t, &obj, UNIT, 0, 2, 0, b, 10),
			 0);
	assert_int_equal(oss_stripe_undo_new(f->t, &obj, UNIT, 0, 1), -EBUSY);
	assert_int_equal(oss_stripe_create(f->t, &obj, UNIT, 5, 3, b, 10,
					   NULL),
			 0);
	assert_int_equal(oss_stripe_prepare(f->t, &obj, UNIT, 6, 4, 0, b, 10),
			 0);
	assert_int_equal(oss_stripe_create(f->t, &obj, UNIT, 6, 5, b, 10,
					   NULL),
			 -EBUSY);
	assert_int_equal(oss_stripe_commit(f->t, &obj, UNIT, 0, 2), 0);
	assert_int_equal(oss_stripe_undo_new(f->t, &obj, UNIT, 0, 1), -ESTALE);
	memcpy(a, b, 10);
	check_read(f->t, 0, a, UNIT, 2);
	free(a);
	free(b);
}

/* ---- crashes ------------------------------------------------------------ */

static const char *crash_at;

static void crash_hook(const char *point)
{
	if (!strcmp(point, crash_at))
		_exit(0);
}

enum crash_op {
	OP_NEW,
	OP_OVERWRITE,
	OP_PREPARE,
	OP_COMMIT,
	OP_ABORT,
	OP_TRUNCATE,
	OP_DELETE,
	OP_UNDO
};

static void run_op(struct oss_target *t, enum crash_op op, const u8 *b)
{
	switch (op) {
	case OP_NEW:
		assert_int_equal(
			oss_stripe_write(t, &obj, UNIT, 1, 1, b, 30000), 0);
		break;
	case OP_OVERWRITE:
		assert_int_equal(
			oss_stripe_write(t, &obj, UNIT, 0, 2, b, 30000), 0);
		break;
	case OP_PREPARE:
		assert_int_equal(
			oss_stripe_prepare(t, &obj, UNIT, 0, 2, 7000, b, 9000),
			0);
		break;
	case OP_COMMIT:
		assert_int_equal(oss_stripe_commit(t, &obj, UNIT, 0, 2), 0);
		break;
	case OP_ABORT:
		assert_int_equal(oss_stripe_abort(t, &obj, UNIT, 0, 2), 0);
		break;
	case OP_TRUNCATE:
		assert_int_equal(oss_object_truncate(t, &obj, 0), 0);
		break;
	case OP_DELETE:
		assert_int_equal(oss_object_delete(t, &obj), 0);
		break;
	case OP_UNDO:
		assert_int_equal(oss_stripe_undo_new(t, &obj, UNIT, 0, 1), 0);
		break;
	}
}

/* After a crash, the stripe holds exactly the old or the new state. */
static bool state_is(struct oss_target *t, u64 stripe, const u8 *expect,
		     u32 len, u64 version, u64 prepared)
{
	struct oss_stripe_info info;
	u8 *buf = malloc(UNIT);
	bool ok;

	ok = !oss_stripe_read(t, &obj, UNIT, stripe, 0, UNIT, buf, &info) &&
	     info.version == version && info.frag_len == len &&
	     info.prepared == prepared && !memcmp(buf, expect, len);
	free(buf);
	return ok;
}

/* A child runs @op on the target until @point, where it dies; reopened. */
static void crash_during(struct fixture *f, enum crash_op op,
			 const char *point, const u8 *b)
{
	int status;
	pid_t pid;

	oss_target_close(f->t);
	f->t = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct oss_target *t = open_target(f->path, 0);

		crash_at = point;
		oss_crash_hook = crash_hook;
		run_op(t, op, b);
		_exit(3); /* the step was never reached */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 3)
		fail_msg("op %d never reached step %s", op, point);
	assert_int_equal(WEXITSTATUS(status), 0);
	f->t = open_target(f->path, 0);
}

static void crash_case(struct fixture *f, enum crash_op op, const char *point)
{
	u8 *a = malloc(UNIT), *b = malloc(UNIT), *merged = malloc(UNIT);
	bool old_ok, new_ok;

	fill(a, UNIT, 7);
	fill(b, UNIT, 8);
	memcpy(merged, a, 20000);
	memcpy(merged + 7000, b, 9000);

	/* a fresh target with stripe 0 at version 1 */
	oss_target_close(f->t);
	rm_rf(f->path);
	assert_int_equal(
		oss_target_format(f->path, cluster, 7, LEOFS_TIER_SAS, 100), 0);
	f->t = open_target(f->path, 0);
	assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, 0, 1, a, 20000), 0);
	if (op == OP_COMMIT || op == OP_ABORT)
		run_op(f->t, OP_PREPARE, b);
	crash_during(f, op, point, b);
	switch (op) {
	case OP_NEW:
		old_ok = state_is(f->t, 1, a, 0, 0, 0);
		new_ok = state_is(f->t, 1, b, 30000, 1, 0);
		break;
	case OP_OVERWRITE:
		old_ok = state_is(f->t, 0, a, 20000, 1, 0);
		new_ok = state_is(f->t, 0, b, 30000, 2, 0);
		break;
	case OP_PREPARE:
	case OP_ABORT:
		old_ok = state_is(f->t, 0, a, 20000, 1,
				  op == OP_PREPARE ? 0 : 2);
		new_ok = state_is(f->t, 0, a, 20000, 1,
				  op == OP_PREPARE ? 2 : 0);
		break;
	case OP_COMMIT:
		old_ok = state_is(f->t, 0, a, 20000, 1, 2);
		new_ok = state_is(f->t, 0, merged, 20000, 2, 0);
		break;
	default:
		old_ok = state_is(f->t, 0, a, 20000, 1, 0);
		new_ok = state_is(f->t, 0, a, 0, 0, 0);
		break;
	}
	if (!old_ok && !new_ok)
		fail_msg("op %d crashed at %s: neither old nor new state", op,
			 point);
	/* the engine carries on: finish the operation after the crash */
	if (old_ok)
		run_op(f->t, op, b);
	free(a);
	free(b);
	free(merged);
}

/*
 * Power lost during the first write of an object, before its first sync:
 * the header page of the meta file may never reach the disk, but the file
 * must not have grown past it either, or the object would read as a
 * damaged header in front of records and refuse every later write.
 */
static void test_first_write_power_cut(void **state)
{
	struct fixture *f = *state;
	u8 *a = malloc(UNIT), zero[OSS_OBJ_HDR_SIZE] = { 0 };
	struct stat st;
	char meta[256];
	int fd, i;

	fill(a, UNIT, 13);
	obj_file(f, "m", meta, sizeof(meta));
	for (i = 0; i < 2; i++) {
		/* a new object: its first stripe written, or prepared */
		assert_int_equal(oss_object_delete(f->t, &obj), 0);
		if (i == 0)
			crash_during(f, OP_NEW, "new:data-written", a);
		else
			crash_during(f, OP_PREPARE, "prepare:written", a);

		/* what the disk may hold: the size, not the header */
		assert_int_equal(stat(meta, &st), 0);
		assert_true(st.st_size <= OSS_OBJ_HDR_SIZE);
		fd = open(meta, O_WRONLY);
		assert_true(fd >= 0);
		assert_int_equal(pwrite(fd, zero, (size_t)st.st_size, 0),
				 st.st_size);
		close(fd);
		reopen(f);

		/* a stage that verifies survives, for the primary to resolve */
		if (i == 1)
			assert_int_equal(oss_stripe_abort(f->t, &obj, UNIT, 0, 2),
					 0);
		assert_int_equal(oss_stripe_create(f->t, &obj, UNIT, 0, 1, a,
						   30000, NULL),
				 0);
		check_read(f->t, 0, a, 30000, 1);
	}
	free(a);
}

static void test_crash_every_step(void **state)
{
	/* every step each operation goes through */
	static const char *const steps[][8] = {
		[OP_NEW] = { "new:data-written", "new:data-synced",
			     "new:record-written", "new:record-synced" },
		[OP_OVERWRITE] = { "stage:tmp-written", "staged:written",
				   "staged:synced", "apply:data-written",
				   "apply:applied", "apply:synced" },
		[OP_PREPARE] = { "stage:tmp-written", "prepare:written",
				 "prepare:synced" },
		[OP_COMMIT] = { "commit:renamed", "commit:synced",
				"apply:data-written", "apply:applied",
				"apply:synced" },
		[OP_ABORT] = { "abort:unlinked" },
		[OP_TRUNCATE] = { "truncate:staging-dropped",
				  "truncate:records-dropped" },
		[OP_DELETE] = { "delete:meta-unlinked",
				"delete:data-unlinked" },
		[OP_UNDO] = { "undo:erased", "undo:synced" },
	};
	struct fixture *f = *state;
	unsigned int op, i;

	for (op = OP_NEW; op <= OP_UNDO; op++)
		for (i = 0; i < 8 && steps[op][i]; i++)
			crash_case(f, op, steps[op][i]);
}

/* ---- space -------------------------------------------------------------- */

static void test_reserve(void **state)
{
	struct fixture *f = *state;
	struct oss_stripe_info info;
	struct oss_statfs st;
	u8 *a = malloc(UNIT);

	fill(a, UNIT, 9);
	assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, 0, 1, a, UNIT), 0);
	assert_int_equal(oss_target_statfs(f->t, &st), 0);
	oss_target_close(f->t);
	/*
	 * A reserve above what is free. The margin keeps the test exact while
	 * other programs change the free space of the shared filesystem.
	 */
	f->t = open_target(f->path, st.free_bytes + (256ull << 20));
	assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, 1, 1, a, UNIT),
			 -ENOSPC);
	assert_int_equal(oss_stripe_write(f->t, &obj, UNIT, 0, 2, a, 10),
			 -ENOSPC);
	assert_int_equal(oss_stripe_prepare(f->t, &obj, UNIT, 0, 2, 0, a, 10),
			 -ENOSPC);
	assert_int_equal(oss_stripe_stat(f->t, &obj, UNIT, 1, &info), 0);
	assert_int_equal(info.version, 0);
	assert_int_equal(oss_target_statfs(f->t, &st), 0);
	assert_int_equal(st.free_bytes, 0);
	check_read(f->t, 0, a, UNIT, 1);
	reopen(f);
	free(a);
}

/* A real full filesystem: a 2 MiB tmpfs (needs root; skipped otherwise). */
static void test_tmpfs_full(void **state)
{
	struct fixture *f = *state;
	char mnt[128], path[160];
	struct oss_target *t = NULL;
	u8 *a = malloc(UNIT), *b = malloc(UNIT);
	u64 s, written = 0;
	int r = 0;

	snprintf(mnt, sizeof(mnt), "%s/small", f->dir);
	assert_int_equal(mkdir(mnt, 0750), 0);
	if (geteuid() != 0 || mount("tmpfs", mnt, "tmpfs", 0, "size=2m")) {
		free(a);
		free(b);
		skip();
	}
	snprintf(path, sizeof(path), "%s/t", mnt);
	assert_int_equal(oss_target_format(path, cluster, 7, LEOFS_TIER_SSD, 1),
			 0);
	t = open_target(path, 0);
	fill(a, UNIT, 10);
	fill(b, UNIT, 11);
	for (s = 0; s < 100; s++) {
		r = oss_stripe_write(t, &obj, UNIT, s, 1, a, UNIT);
		if (r)
			break;
		written++;
	}
	assert_int_equal(r, -ENOSPC);
	assert_true(written > 5);
	/* an overwrite that does not fit leaves the old version */
	for (s = 0; s < written && !r; s++)
		r = oss_stripe_write(t, &obj, UNIT, s, 2, b, UNIT);
	oss_target_close(t);
	t = open_target(path, 0);
	for (s = 0; s <= written; s++) {
		struct oss_stripe_info info;
		u8 *buf = malloc(UNIT);

		assert_int_equal(
			oss_stripe_read(t, &obj, UNIT, s, 0, UNIT, buf, &info),
			0);
		if (s == written) {
			assert_int_equal(info.version, 0);
		} else {
			assert_true(info.version == 1 || info.version == 2);
			assert_memory_equal(buf, info.version == 1 ? a : b,
					    UNIT);
		}
		free(buf);
	}
	/* deleting frees the space again */
	assert_int_equal(oss_object_delete(t, &obj), 0);
	assert_int_equal(oss_stripe_write(t, &obj, UNIT, 0, 1, a, UNIT), 0);
	oss_target_close(t);
	assert_int_equal(umount(mnt), 0);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_format_open, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_keeps_atime, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_checksum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_numbers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncate_delete, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_undo_new, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_drops, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_crash_every_step, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_first_write_power_cut,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tmpfs_full, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
