// SPDX-License-Identifier: GPL-2.0
/* Target capacity, usage counters and the free-space reserve. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "internal.h"

void oss_target_count_checksum_error(struct oss_target *t)
{
	pthread_mutex_lock(&t->stats_lock);
	t->checksum_errors++;
	pthread_mutex_unlock(&t->stats_lock);
}

void oss_target_account(struct oss_target *t, s64 bytes, s64 objects)
{
	pthread_mutex_lock(&t->stats_lock);
	t->used_bytes =
		(s64)t->used_bytes + bytes < 0 ? 0 : t->used_bytes + bytes;
	t->objects = (s64)t->objects + objects < 0 ? 0 : t->objects + objects;
	pthread_mutex_unlock(&t->stats_lock);
}

static int avail_bytes(struct oss_target *t, u64 *capacity, u64 *avail)
{
	struct statvfs vfs;

	if (fstatvfs(t->root_fd, &vfs) < 0)
		return -errno;
	*capacity = (u64)vfs.f_blocks * vfs.f_frsize;
	*avail = (u64)vfs.f_bavail * vfs.f_frsize;
	return 0;
}

int oss_target_check_space(struct oss_target *t, u64 bytes)
{
	u64 capacity = 0, avail = 0;
	int r = avail_bytes(t, &capacity, &avail);

	if (r)
		return r;
	if (avail < t->opts.reserve_bytes ||
	    avail - t->opts.reserve_bytes < bytes)
		return -ENOSPC;
	return 0;
}

int oss_target_statfs(struct oss_target *t, struct oss_statfs *st)
{
	u64 capacity = 0, avail = 0;
	int r = avail_bytes(t, &capacity, &avail);

	if (r)
		return r;
	st->capacity_bytes = capacity;
	st->free_bytes = avail > t->opts.reserve_bytes ?
				 avail - t->opts.reserve_bytes :
				 0;
	pthread_mutex_lock(&t->stats_lock);
	st->used_bytes = t->used_bytes;
	st->objects = t->objects;
	st->checksum_errors = t->checksum_errors;
	pthread_mutex_unlock(&t->stats_lock);
	st->tier = t->sb.tier;
	st->weight = t->sb.weight;
	return 0;
}

/* Sum one leaf directory: objects are counted by their data files. */
static void scan_leaf(int dfd, u64 *bytes, u64 *objects)
{
	struct dirent *de;
	struct stat st;
	DIR *d = fdopendir(dfd);

	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		*bytes += (u64)st.st_blocks * 512;
		if (n > 2 && !strcmp(de->d_name + n - 2, ".d"))
			(*objects)++;
	}
	closedir(d);
}

int oss_target_scan_usage(struct oss_target *t)
{
	u64 bytes = 0, objects = 0;
	struct dirent *de;
	unsigned int i;
	char name[8];

	for (i = 0; i < OSS_FANOUT; i++) {
		int l1, l2;
		DIR *d;

		snprintf(name, sizeof(name), "%02x", i);
		l1 = openat(t->objects_fd, name, O_RDONLY | O_DIRECTORY);
		if (l1 < 0)
			return -errno;
		d = fdopendir(l1);
		if (!d) {
			close(l1);
			return -errno;
		}
		/* second-level directories exist only once used */
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			l2 = openat(l1, de->d_name, O_RDONLY | O_DIRECTORY);
			if (l2 >= 0)
				scan_leaf(l2, &bytes, &objects);
		}
		closedir(d);
	}
	pthread_mutex_lock(&t->stats_lock);
	t->used_bytes = bytes;
	t->objects = objects;
	pthread_mutex_unlock(&t->stats_lock);
	return 0;
}
