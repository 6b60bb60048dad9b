// SPDX-License-Identifier: GPL-2.0
/* Truncating and deleting a file's object on a target. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "internal.h"

static int sync_one(struct oss_target *t, int fd, bool dir)
{
	struct oss_sync_item it = { fd, dir };

	return oss_sync_wait(t->sync, &it, 1);
}

/*
 * Staged updates go first (so recovery cannot bring a dropped stripe
 * back), then the records (the stripes read as absent from then on), then
 * the data. A crash in between leaves unreferenced blocks, never a record
 * pointing at missing data.
 */
int oss_object_truncate(struct oss_target *t, const struct oss_obj_id *obj,
			u64 nstripes)
{
	struct oss_object o;
	u64 before, after;
	off_t meta_end, data_end;
	int r;

	if (__atomic_load_n(&t->failed, __ATOMIC_ACQUIRE))
		return -EIO;
	oss_lock_object(t, obj, true);
	r = oss_object_open(t, obj, 0, false, &o);
	if (r) {
		oss_unlock_object(t, obj);
		return r == -ENOENT ? 0 : r;
	}
	before = oss_file_bytes(o.data_fd) + oss_file_bytes(o.meta_fd);
	if (nstripes > ((u64)1 << 62) / o.unit) {
		r = 0; /* nothing can lie beyond */
		goto out;
	}
	meta_end = (off_t)oss_record_offset(&o, nstripes, 0);
	data_end = (off_t)(nstripes * o.unit);
	r = oss_stage_drop_object(t, obj, nstripes);
	if (!r)
		r = sync_one(t, t->staging_fd, true);
	oss_crash_point("truncate:staging-dropped");
	if (!r && lseek(o.meta_fd, 0, SEEK_END) > meta_end) {
		r = ftruncate(o.meta_fd, meta_end) < 0 ? -errno : 0;
		if (!r)
			r = sync_one(t, o.meta_fd, false);
	}
	oss_crash_point("truncate:records-dropped");
	if (!r && lseek(o.data_fd, 0, SEEK_END) > data_end) {
		r = ftruncate(o.data_fd, data_end) < 0 ? -errno : 0;
		if (!r)
			r = sync_one(t, o.data_fd, false);
	}
out:
	after = oss_file_bytes(o.data_fd) + oss_file_bytes(o.meta_fd);
	oss_target_account(t, (s64)after - (s64)before, 0);
	oss_object_close(&o);
	oss_unlock_object(t, obj);
	return r;
}

/*
 * Staged updates go first, then the meta file (no stripe is visible from
 * then on), then the data file. A crash in between leaves at worst a data
 * file without records: it reads as absent and a later delete removes it.
 */
int oss_object_delete(struct oss_target *t, const struct oss_obj_id *obj)
{
	char stem[64], file[80];
	u64 bytes = 0;
	int dir, fd, r;
	bool existed = false;
	const char *ext[] = { "m", "d" };
	unsigned int i;

	if (__atomic_load_n(&t->failed, __ATOMIC_ACQUIRE))
		return -EIO;
	oss_lock_object(t, obj, true);
	r = oss_stage_drop_object(t, obj, 0);
	if (!r)
		r = sync_one(t, t->staging_fd, true);
	if (r)
		goto out;
	dir = oss_object_open_dir(t, obj, false);
	if (dir < 0) {
		r = dir == -ENOENT ? 0 : dir;
		goto out;
	}
	oss_object_stem(obj, stem, sizeof(stem));
	for (i = 0; i < ARRAY_SIZE(ext) && !r; i++) {
		snprintf(file, sizeof(file), "%s.%s", stem, ext[i]);
		fd = openat(dir, file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		bytes += oss_file_bytes(fd);
		close(fd);
		if (unlinkat(dir, file, 0) < 0 && errno != ENOENT)
			r = -errno;
		else if (i == 1)
			existed = true;
		if (!r)
			r = sync_one(t, dir, true);
		oss_crash_point(i ? "delete:data-unlinked" :
				    "delete:meta-unlinked");
	}
	close(dir);
	if (!r)
		oss_target_account(t, -(s64)bytes, existed ? -1 : 0);
out:
	oss_unlock_object(t, obj);
	return r;
}
