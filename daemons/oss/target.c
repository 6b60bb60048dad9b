// SPDX-License-Identifier: GPL-2.0
/* Target format, open (with its refusals) and close. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static int fsync_fd(int fd)
{
	return fsync(fd) < 0 ? -errno : 0;
}

static bool dir_is_empty(int fd)
{
	int dfd = dup(fd);
	struct dirent *de;
	bool empty = true;
	DIR *d;

	if (dfd < 0)
		return false;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return false;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = false;
			break;
		}
	closedir(d);
	return empty;
}

static int make_layout(int root)
{
	char name[4];
	int objects, r = 0;
	unsigned int i;

	if (mkdirat(root, OSS_OBJECTS_DIR, 0750) < 0)
		return -errno;
	objects = openat(root, OSS_OBJECTS_DIR, O_RDONLY | O_DIRECTORY);
	if (objects < 0)
		return -errno;
	for (i = 0; i < OSS_FANOUT && !r; i++) {
		snprintf(name, sizeof(name), "%02x", i);
		if (mkdirat(objects, name, 0750) < 0)
			r = -errno;
	}
	if (!r)
		r = fsync_fd(objects);
	close(objects);
	if (r)
		return r;
	if (mkdirat(root, OSS_STAGING_DIR, 0750) < 0)
		return -errno;
	return fsync_fd(root);
}

static int write_superblock(int root, const struct oss_superblock *sb)
{
	u8 buf[OSS_SB_SIZE];

	oss_sb_encode(sb, buf);
	return oss_replace_file(root, OSS_SB_TMP_NAME, OSS_SB_NAME, buf,
				sizeof(buf));
}

int oss_target_format(const char *path, const u8 cluster_id[16], u32 target_id,
		      u32 tier, u32 weight)
{
	struct oss_superblock sb = {
		.version = OSS_SB_VERSION,
		.target_id = target_id,
		.tier = tier,
		.weight = weight,
		.ctime = (u64)time(NULL),
	};
	int root, r;

	if (!oss_tier_name(tier) || !weight || weight > OSS_WEIGHT_MAX)
		return -EINVAL;
	memcpy(sb.cluster_id, cluster_id, 16);
	if (mkdir(path, 0750) < 0 && errno != EEXIST)
		return -errno;
	root = open(path, O_RDONLY | O_DIRECTORY);
	if (root < 0)
		return -errno;
	if (!dir_is_empty(root)) {
		close(root);
		return -ENOTEMPTY;
	}
	r = make_layout(root);
	if (!r)
		r = oss_versions_format(root);
	if (!r)
		r = write_superblock(root, &sb);
	close(root);
	return r;
}

/* Read and check the superblock. */
static int load_superblock(int root, const char *path,
			   struct oss_superblock *sb, char *why, size_t why_len)
{
	u8 buf[OSS_SB_SIZE + 1];
	const char *problem;
	struct stat st;
	ssize_t n;
	int fd;

	if (!fstatat(root, OSS_SB_TMP_NAME, &st, 0))
		return oss_refuse(
			why, why_len, -EUCLEAN,
			"%s: half-formatted: %s left by an interrupted format (empty the directory and format again)",
			path, OSS_SB_TMP_NAME);
	fd = openat(root, OSS_SB_NAME, O_RDONLY);
	if (fd < 0 && errno == ENOENT) {
		if (!fstatat(root, OSS_OBJECTS_DIR, &st, 0) ||
		    !fstatat(root, OSS_STAGING_DIR, &st, 0) ||
		    !fstatat(root, OSS_VERSIONS_NAME, &st, 0))
			return oss_refuse(
				why, why_len, -EUCLEAN,
				"%s: half-formatted: no superblock but a target layout (empty the directory and format again)",
				path);
		return oss_refuse(
			why, why_len, -ENOENT,
			"%s: not a leofs target (no superblock; format it first)",
			path);
	}
	if (fd < 0)
		return oss_refuse(why, why_len, -errno, "%s: cannot open %s: %s",
			      path, OSS_SB_NAME, strerror(errno));
	n = pread(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n < 0)
		return oss_refuse(why, why_len, -EIO, "%s: cannot read superblock",
			      path);
	if (oss_sb_decode(buf, (size_t)n, sb, &problem))
		return oss_refuse(why, why_len, -EUCLEAN, "%s: %s", path, problem);
	return 0;
}

static int check_layout(struct oss_target *t, char *why, size_t why_len)
{
	struct stat st;
	unsigned int i;
	char name[4];

	t->objects_fd =
		openat(t->root_fd, OSS_OBJECTS_DIR, O_RDONLY | O_DIRECTORY);
	if (t->objects_fd < 0)
		return oss_refuse(why, why_len, -EUCLEAN,
			      "%s: half-formatted: directory %s/ is missing",
			      t->path, OSS_OBJECTS_DIR);
	for (i = 0; i < OSS_FANOUT; i++) {
		snprintf(name, sizeof(name), "%02x", i);
		if (fstatat(t->objects_fd, name, &st, 0) < 0 ||
		    !S_ISDIR(st.st_mode))
			return oss_refuse(
				why, why_len, -EUCLEAN,
				"%s: half-formatted: directory %s/%s/ is missing",
				t->path, OSS_OBJECTS_DIR, name);
	}
	t->staging_fd =
		openat(t->root_fd, OSS_STAGING_DIR, O_RDONLY | O_DIRECTORY);
	if (t->staging_fd < 0)
		return oss_refuse(why, why_len, -EUCLEAN,
			      "%s: half-formatted: directory %s/ is missing",
			      t->path, OSS_STAGING_DIR);
	return 0;
}

static int check_identity(struct oss_target *t, const u8 cluster_id[16],
			  u32 target_id, char *why, size_t why_len)
{
	char have[40], want[40];

	if (memcmp(t->sb.cluster_id, cluster_id, 16)) {
		oss_uuid_format(t->sb.cluster_id, have);
		oss_uuid_format(cluster_id, want);
		return oss_refuse(
			why, why_len, -EINVAL,
			"%s: belongs to cluster %s, not to this cluster %s",
			t->path, have, want);
	}
	if (t->sb.target_id != target_id)
		return oss_refuse(
			why, why_len, -EINVAL,
			"%s: is target %u, but the configuration says target %u",
			t->path, t->sb.target_id, target_id);
	return 0;
}

int oss_target_open(const char *path, const u8 cluster_id[16], u32 target_id,
		    const struct oss_target_opts *opts, struct oss_target **out,
		    char *why, size_t why_len)
{
	struct oss_target *t = calloc(1, sizeof(*t));
	unsigned int i;
	int r;

	if (why && why_len)
		why[0] = 0;
	if (!t)
		return -ENOMEM;
	t->root_fd = t->objects_fd = t->staging_fd = -1;
	pthread_mutex_init(&t->stats_lock, NULL);
	pthread_mutex_init(&t->ver_lock, NULL);
	for (i = 0; i < OSS_OBJ_LOCKS; i++)
		pthread_rwlock_init(&t->obj_locks[i], NULL);
	for (i = 0; i < OSS_STRIPE_LOCKS; i++)
		pthread_rwlock_init(&t->stripe_locks[i], NULL);
	if (opts)
		t->opts = *opts;
	t->path = strdup(path);
	if (!t->path) {
		r = -ENOMEM;
		goto fail;
	}
	t->root_fd = open(path, O_RDONLY | O_DIRECTORY);
	if (t->root_fd < 0) {
		r = oss_refuse(why, why_len, -errno, "%s: cannot open: %s", path,
			   strerror(errno));
		goto fail;
	}
	r = load_superblock(t->root_fd, path, &t->sb, why, why_len);
	if (!r)
		r = check_identity(t, cluster_id, target_id, why, why_len);
	if (!r)
		r = check_layout(t, why, why_len);
	if (!r)
		r = oss_versions_load(t, why, why_len);
	if (r)
		goto fail;
	r = oss_sync_start(t->root_fd, t->opts.group_commit_us, &t->sync);
	if (r) {
		oss_refuse(why, why_len, r, "%s: cannot start the flusher", path);
		goto fail;
	}
	r = oss_recover(t, why, why_len);
	if (!r)
		r = oss_target_scan_usage(t);
	if (r) {
		if (why && why_len && !why[0])
			oss_refuse(why, why_len, r, "%s: recovery failed: %s", path,
			       strerror(-r));
		goto fail;
	}
	*out = t;
	return 0;
fail:
	oss_target_close(t);
	return r;
}

void oss_target_close(struct oss_target *t)
{
	unsigned int i;

	if (!t)
		return;
	oss_sync_stop(t->sync);
	if (t->staging_fd >= 0)
		close(t->staging_fd);
	if (t->objects_fd >= 0)
		close(t->objects_fd);
	if (t->root_fd >= 0)
		close(t->root_fd);
	for (i = 0; i < OSS_OBJ_LOCKS; i++)
		pthread_rwlock_destroy(&t->obj_locks[i]);
	for (i = 0; i < OSS_STRIPE_LOCKS; i++)
		pthread_rwlock_destroy(&t->stripe_locks[i]);
	pthread_mutex_destroy(&t->stats_lock);
	pthread_mutex_destroy(&t->ver_lock);
	free(t->path);
	free(t);
}

u32 oss_target_tier(const struct oss_target *t)
{
	return t->sb.tier;
}

u32 oss_target_weight(const struct oss_target *t)
{
	return t->sb.weight;
}

void oss_target_sync_stats(struct oss_target *t, struct oss_sync_stats *st)
{
	oss_sync_get_stats(t->sync, st);
}
