// SPDX-License-Identifier: GPL-2.0
/*
 * File size and the metadata server. Writes extend i_size locally; the
 * size and mtime reach the MDS with COMMIT_SIZE on fsync and close (the
 * MDS keeps the larger of its size and ours). Truncation goes through
 * SETATTR (inode.c); the storage side of a truncation is done here, at
 * once, so that a file extended again right after never shows old bytes:
 * whole stripes past the new size are dropped on every storage node
 * (TRUNCATE_OBJECTS), and the rest of the stripe that holds the new end
 * is overwritten with zeros.
 */
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include "internal.h"

#define LEOFS_ZERO_CHUNK (1u << 20)

int leofs_commit_size(struct inode *inode)
{
	struct leofs_inode *li = LEOFS_I(inode);
	struct leofs_fs_info *fsi = LEOFS_FS(inode->i_sb);
	struct leofs_commit_size_req m = { .ino = li->ino };
	struct leofs_attr_reply r;
	struct leofs_reply raw;
	int ret;

	if (!test_and_clear_bit(LEOFS_DATA_DIRTY, &li->data_flags))
		return 0;
	m.size = i_size_read(inode);
	m.mtime.sec = inode->i_mtime.tv_sec;
	m.mtime.nsec = inode->i_mtime.tv_nsec;
	leofs_fill_creds(&m.creds);
	ret = leofs_mds_call(fsi, m.ino, LEOFS_OP_COMMIT_SIZE, &m, sizeof(m),
			     &r, sizeof(r), &raw);
	if (!ret && (r.attr.ino != m.ino ||
		     (r.attr.mode & LEOFS_S_IFMT) != LEOFS_S_IFREG))
		ret = -EIO;
	if (!ret)
		leofs_inode_refresh(inode, &r.attr, LEOFS_ATTR_CHANGED);
	else
		set_bit(LEOFS_DATA_DIRTY, &li->data_flags);
	leofs_reply_free(&raw);
	return ret;
}

/* Writes back every dirty folio, waits, and commits the size. */
int leofs_flush_and_commit(struct inode *inode)
{
	int ret, err;

	ret = filemap_write_and_wait(inode->i_mapping);
	err = leofs_commit_size(inode);
	return ret ? ret : err;
}

static bool leofs_truncate_retryable(int err)
{
	switch (err) {
	case -EAGAIN: /* AGAIN, WRONG_EPOCH, NOT_PRIMARY */
	case -EBUSY:
	case -ESHUTDOWN:
	case -EROFS: /* DEGRADED_READONLY */
	case -ENOTCONN:
		return true;
	default:
		return leofs_err_is_transport(err);
	}
}

/*
 * The storage side of truncating from old_size down to new_size; the
 * caller holds io_mutex and has dropped the page cache past new_size.
 */
int leofs_truncate_objects(struct inode *inode, u64 old_size, u64 new_size)
{
	struct leofs_fs_info *fsi = LEOFS_FS(inode->i_sb);
	struct leofs_inode *li = LEOFS_I(inode);
	struct leofs_truncate_objects_req m = {
		.ino = li->ino,
		.size = new_size,
	};
	struct leofs_iobuf b = { 0 };
	unsigned long deadline;
	u64 W, tail_end, pos;
	unsigned int tries;
	int ret;

	spin_lock(&inode->i_lock);
	m.layout = li->layout;
	spin_unlock(&inode->i_lock);
	if (m.layout.scheme == LEOFS_LAYOUT_NONE || new_size >= old_size)
		return 0;
	if (leofs_layout_usable(&m.layout))
		return -EIO;
	/*
	 * Truncating is idempotent: what writes retry (a stale map, a PG
	 * below min_size, a busy or unreachable server) is retried the same
	 * way, for up to data_retry_s.
	 */
	deadline = jiffies + READ_ONCE(fsi->tun.data_retry_s) * (unsigned long)HZ;
	for (tries = 1;; tries++) {
		m.map_epoch = leofs_map_epoch(fsi);
		ret = leofs_oss_to_every_node(fsi, LEOFS_OP_TRUNCATE_OBJECTS,
					      &m, sizeof(m));
		if (!leofs_truncate_retryable(ret) ||
		    time_after(jiffies, deadline))
			break;
		atomic64_inc(&fsi->stats.data_retries);
		if (msleep_interruptible(100u << min(tries, 4))) {
			ret = -EINTR;
			break;
		}
		leofs_data_refresh_map(fsi, m.map_epoch);
	}
	if (ret) {
		pr_warn_ratelimited(
			"inode %llx: truncating objects failed (error %d)\n",
			li->ino, ret);
		return ret;
	}

	/* the stripe holding the new end keeps bytes past it: zero them */
	W = leofs_layout_stripe_width(&m.layout);
	tail_end = min(roundup(new_size, W), old_size);
	if (new_size % W == 0 || tail_end <= new_size)
		return 0;
	b.len = min_t(u64, tail_end - new_size, LEOFS_ZERO_CHUNK);
	b.flat = kvzalloc(b.len, GFP_KERNEL);
	if (!b.flat)
		return -ENOMEM;
	for (pos = new_size; pos < tail_end && !ret; pos += b.len) {
		u64 n = min_t(u64, b.len, tail_end - pos);

		b.start = pos;
		ret = leofs_data_write(inode, pos, n, new_size, &b);
	}
	kvfree(b.flat);
	return ret;
}
