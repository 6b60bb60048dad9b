// SPDX-License-Identifier: GPL-2.0
/*
 * O_DIRECT: the same stripe requests as the page cache uses, through a
 * kernel bounce buffer (any alignment is accepted). The page cache is
 * written back before and invalidated around the range, so buffered and
 * direct users of a file see the same bytes. A direct write returns once
 * its bytes are durable on their PGs; its size reaches the MDS like any
 * write's, on fsync or close.
 */
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/uio.h>
#include "internal.h"

#define LEOFS_DIO_CHUNK LEOFS_MAX_IO

ssize_t leofs_direct_read(struct kiocb *iocb, struct iov_iter *to)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct address_space *mapping = inode->i_mapping;
	u64 pos = iocb->ki_pos, count = iov_iter_count(to), isize, done = 0;
	struct leofs_iobuf b = { 0 };
	int ret;

	if (!count)
		return 0;
	ret = filemap_write_and_wait_range(mapping, pos, pos + count - 1);
	if (ret)
		return ret;
	isize = i_size_read(inode);
	if (pos >= isize)
		return 0;
	count = min(count, isize - pos);
	b.flat = kvmalloc(min_t(u64, count, LEOFS_DIO_CHUNK), GFP_KERNEL);
	if (!b.flat)
		return -ENOMEM;
	while (done < count) {
		u64 n = min_t(u64, count - done, LEOFS_DIO_CHUNK);
		size_t copied;

		b.start = pos + done;
		b.len = n;
		ret = leofs_data_read(inode, b.start, n, &b);
		if (ret)
			break;
		copied = copy_to_iter(b.flat, n, to);
		done += copied;
		if (copied < n) {
			ret = -EFAULT;
			break;
		}
	}
	kvfree(b.flat);
	iocb->ki_pos += done;
	return done ? done : ret;
}

/* The caller holds i_rwsem and has done generic_write_checks(). */
ssize_t leofs_direct_write(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct leofs_inode *li = LEOFS_I(inode);
	struct address_space *mapping = inode->i_mapping;
	u64 pos = iocb->ki_pos, count = iov_iter_count(from), end, isize;
	u64 done = 0, chunk = LEOFS_DIO_CHUNK;
	struct leofs_iobuf b = { 0 };
	u32 W;
	int ret;

	if (!count)
		return 0;
	end = pos + count;
	ret = filemap_write_and_wait_range(mapping, pos, end - 1);
	if (ret)
		return ret;
	ret = invalidate_inode_pages2_range(mapping, pos >> PAGE_SHIFT,
					    (end - 1) >> PAGE_SHIFT);
	if (ret)
		return ret;
	spin_lock(&inode->i_lock);
	W = leofs_layout_stripe_width(&li->layout);
	spin_unlock(&inode->i_lock);
	/* whole stripes per chunk where they fit: WRITE_STRIPE, not RMW */
	if (W && W <= LEOFS_DIO_CHUNK)
		chunk = rounddown(LEOFS_DIO_CHUNK, W);
	b.flat = kvmalloc(min(count, chunk), GFP_KERNEL);
	if (!b.flat)
		return -ENOMEM;

	if (mutex_lock_killable(&li->io_mutex)) {
		kvfree(b.flat);
		return -EINTR;
	}
	isize = max_t(u64, i_size_read(inode), end);
	while (done < count) {
		/* cut at chunk boundaries of the file, not of the request */
		u64 n = min(count - done, chunk - (pos + done) % chunk);

		if (copy_from_iter(b.flat, n, from) != n) {
			ret = -EFAULT;
			break;
		}
		b.start = pos + done;
		b.len = n;
		ret = leofs_data_write(inode, b.start, n, isize, &b);
		if (ret)
			break;
		done += n;
		if (pos + done > i_size_read(inode))
			i_size_write(inode, pos + done);
		set_bit(LEOFS_DATA_DIRTY, &li->data_flags);
	}
	mutex_unlock(&li->io_mutex);
	kvfree(b.flat);
	/* readers may have cached the old bytes meanwhile */
	invalidate_inode_pages2_range(mapping, pos >> PAGE_SHIFT,
				      (end - 1) >> PAGE_SHIFT);
	iocb->ki_pos += done;
	return done ? done : ret;
}
