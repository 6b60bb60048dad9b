/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Group commit for one target. An operation hands the files and
 * directories it changed to oss_sync_wait(), which returns once a flusher
 * pass that started after the call has made them durable. Concurrent
 * operations share passes: each file is synced once per pass, and a pass
 * touching many files issues a single syncfs() instead.
 *
 * A failed sync is sticky: the data's state on disk is unknown, so every
 * later wait fails with -EIO too and the target stops accepting writes.
 */
#ifndef LEOFS_OSS_SYNC_H
#define LEOFS_OSS_SYNC_H

#include <stdbool.h>

#include "oss.h"

/*
 * Above this many distinct files in one pass, use syncfs(): on ext4 each
 * fdatasync() ends in a device cache flush, syncfs() in one for the pass.
 */
#define OSS_SYNC_SYNCFS_MIN 2

struct oss_sync;

struct oss_sync_item {
	int fd;
	bool dir; /* fsync (a directory entry changed) instead of fdatasync */
};

/* @fs_fd: any descriptor on the target's filesystem, for syncfs(). */
int oss_sync_start(int fs_fd, unsigned int interval_us, struct oss_sync **out);
void oss_sync_stop(struct oss_sync *s);

/* Returns 0 once every item is durable, or -EIO. */
int oss_sync_wait(struct oss_sync *s, const struct oss_sync_item *items,
		  unsigned int n);

/* Returns -EIO once a sync has failed. */
int oss_sync_error(struct oss_sync *s);

/* Hold passes back (tests: prove nothing is acknowledged before a sync). */
void oss_sync_pause(struct oss_sync *s, bool paused);

void oss_sync_get_stats(struct oss_sync *s, struct oss_sync_stats *st);

#endif /* LEOFS_OSS_SYNC_H */
