// SPDX-License-Identifier: GPL-2.0
/*
 * The version numbers a target issues as the primary of its PGs.
 *
 * A number is (map epoch << 40) | n: a PG has one primary target per map
 * epoch, and n only grows within an epoch on a target, across restarts,
 * so no number is ever issued twice for a stripe, whichever attempt (even
 * one refused or cut short by a crash) used it, and a later primary's
 * numbers are above an earlier one's. The file "versions" holds the epoch
 * and a limit n stays below; the limit moves OSS_VERSIONS_AHEAD ahead at
 * a time, durably before any number under it is used, so a restart skips
 * at most that many numbers and never goes back.
 *
 *	 0  magic "LEOFSVER"	 8  epoch	16  limit
 *	24  zero (4)		28  CRC32C of 0..27
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "internal.h"

#define VERSIONS_MAGIC "LEOFSVER"
#define VERSIONS_SIZE  32
#define VERSIONS_CRC   28

static void encode(u64 epoch, u64 limit, u8 buf[VERSIONS_SIZE])
{
	memset(buf, 0, VERSIONS_SIZE);
	memcpy(buf, VERSIONS_MAGIC, 8);
	put_unaligned_le64(epoch, buf + 8);
	put_unaligned_le64(limit, buf + 16);
	put_unaligned_le32(leofs_crc32c(0, buf, VERSIONS_CRC),
			   buf + VERSIONS_CRC);
}

static int store(int root, u64 epoch, u64 limit)
{
	u8 buf[VERSIONS_SIZE];

	encode(epoch, limit, buf);
	return oss_replace_file(root, OSS_VERSIONS_TMP_NAME, OSS_VERSIONS_NAME,
				buf, sizeof(buf));
}

int oss_versions_format(int root)
{
	return store(root, 0, 1);
}

int oss_versions_load(struct oss_target *t, char *why, size_t why_len)
{
	u8 buf[VERSIONS_SIZE + 1];
	ssize_t n;
	u64 epoch, limit;
	int fd;

	fd = openat(t->root_fd, OSS_VERSIONS_NAME, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return oss_refuse(
			why, why_len, -EUCLEAN,
			"%s: %s is missing: the numbers this target issued as a primary are unknown",
			t->path, OSS_VERSIONS_NAME);
	if (fd < 0)
		return oss_refuse(why, why_len, -errno, "%s: cannot open %s: %s",
				  t->path, OSS_VERSIONS_NAME, strerror(errno));
	n = pread(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n != VERSIONS_SIZE || memcmp(buf, VERSIONS_MAGIC, 8) ||
	    leofs_crc32c(0, buf, VERSIONS_CRC) !=
		    get_unaligned_le32(buf + VERSIONS_CRC))
		return oss_refuse(
			why, why_len, -EUCLEAN,
			"%s: %s is corrupt: the numbers this target issued as a primary are unknown",
			t->path, OSS_VERSIONS_NAME);
	epoch = get_unaligned_le64(buf + 8);
	limit = get_unaligned_le64(buf + 16);
	if (epoch >= OSS_VERSION_EPOCH_END || !limit ||
	    limit > OSS_VERSION_N_END)
		return oss_refuse(why, why_len, -EUCLEAN,
				  "%s: %s holds epoch %llu, limit %llu: out of range",
				  t->path, OSS_VERSIONS_NAME,
				  (unsigned long long)epoch,
				  (unsigned long long)limit);
	t->ver_epoch = epoch;
	/* every number issued before was below the limit */
	t->ver_next = t->ver_limit = limit;
	return 0;
}

int oss_target_new_version(struct oss_target *t, u64 epoch, u64 *version)
{
	u64 limit;
	int r = 0;

	if (!epoch || epoch >= OSS_VERSION_EPOCH_END)
		return -EOVERFLOW;
	pthread_mutex_lock(&t->ver_lock);
	if (epoch < t->ver_epoch) {
		/* a newer map was used here already */
		r = -ESTALE;
		goto out;
	}
	if (epoch > t->ver_epoch) {
		t->ver_epoch = epoch;
		t->ver_next = 1;
		t->ver_limit = 0;
	}
	if (t->ver_next >= OSS_VERSION_N_END) {
		r = -EOVERFLOW;
		goto out;
	}
	if (t->ver_next >= t->ver_limit) {
		limit = t->ver_next + OSS_VERSIONS_AHEAD;
		if (limit > OSS_VERSION_N_END)
			limit = OSS_VERSION_N_END;
		r = store(t->root_fd, epoch, limit);
		if (r) {
			/* not durable: issue nothing under it */
			t->ver_limit = 0;
			goto out;
		}
		t->ver_limit = limit;
	}
	*version = epoch << OSS_VERSION_N_BITS | t->ver_next++;
out:
	pthread_mutex_unlock(&t->ver_lock);
	return r;
}
