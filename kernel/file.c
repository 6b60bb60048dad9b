// SPDX-License-Identifier: GPL-2.0
/*
 * Regular files. Open revalidates the attributes (close-to-open
 * consistency; not after creating the file, whose attributes just came)
 * and drops cached data if the file changed on the servers.
 * Reads and writes go through the page cache (read.c, writeback.c) or,
 * with O_DIRECT, straight to the storage servers (direct.c). fsync and
 * close write back, wait, report any write error once per open file
 * (errseq) and commit the size to the MDS; O_SYNC and O_DSYNC writes
 * fsync their range before returning.
 */
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/uio.h>
#include "internal.h"

static int leofs_file_open(struct inode *inode, struct file *file)
{
	struct timespec64 mtime = inode->i_mtime;
	loff_t size = i_size_read(inode);
	int ret;

	/* just created: the CREATE reply's attributes are current */
	if (file->f_mode & FMODE_CREATED)
		return 0;
	ret = leofs_revalidate_attrs(inode, true);
	if (ret)
		return ret;
	if ((!timespec64_equal(&mtime, &inode->i_mtime) ||
	     size != i_size_read(inode)) &&
	    !leofs_has_local_writes(inode))
		invalidate_inode_pages2(inode->i_mapping);
	return 0;
}

static ssize_t leofs_file_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	if (iocb->ki_flags & IOCB_DIRECT)
		return leofs_direct_read(iocb, to);
	return generic_file_read_iter(iocb, to);
}

static ssize_t leofs_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t ret;

	inode_lock(inode);
	ret = generic_write_checks(iocb, from);
	if (ret <= 0)
		goto out;
	ret = file_remove_privs(iocb->ki_filp);
	if (ret)
		goto out;
	ret = file_update_time(iocb->ki_filp);
	if (ret)
		goto out;
	if (iocb->ki_flags & IOCB_DIRECT) {
		ret = leofs_direct_write(iocb, from);
	} else {
		loff_t pos = iocb->ki_pos;

		/*
		 * Some 6.1 stable kernels advance ki_pos in
		 * generic_perform_write(), others leave it to the caller:
		 * set it from the start position either way.
		 */
		ret = generic_perform_write(iocb, from);
		if (ret > 0)
			iocb->ki_pos = pos + ret;
	}
out:
	inode_unlock(inode);
	if (ret > 0)
		ret = generic_write_sync(iocb, ret);
	return ret;
}

static int leofs_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	file_accessed(file);
	vma->vm_ops = &leofs_file_vm_ops;
	return 0;
}

static int leofs_file_fsync(struct file *file, loff_t start, loff_t end,
			    int datasync)
{
	struct inode *inode = file_inode(file);
	int ret, err;

	ret = file_write_and_wait_range(file, start, end);
	err = leofs_commit_size(inode);
	return ret ? ret : err;
}

/* close(2), once per close of a descriptor: the error goes to close. */
static int leofs_file_flush(struct file *file, fl_owner_t id)
{
	struct inode *inode = file_inode(file);
	int ret, err;

	if (!(file->f_mode & FMODE_WRITE))
		return 0;
	ret = filemap_write_and_wait(inode->i_mapping);
	err = file_check_and_advance_wb_err(file);
	if (!ret)
		ret = err;
	err = leofs_commit_size(inode);
	return ret ? ret : err;
}

/*
 * There is no way to reserve space on the storage servers, so the
 * promise fallocate makes (later writes will not fail with ENOSPC)
 * cannot be kept: refused, and posix_fallocate() falls back to writing.
 */
static long leofs_file_fallocate(struct file *file, int mode, loff_t offset,
				 loff_t len)
{
	return -EOPNOTSUPP;
}

const struct file_operations leofs_file_fops = {
	.open = leofs_file_open,
	.llseek = generic_file_llseek,
	.read_iter = leofs_file_read_iter,
	.write_iter = leofs_file_write_iter,
	.mmap = leofs_file_mmap,
	.fsync = leofs_file_fsync,
	.flush = leofs_file_flush,
	.fallocate = leofs_file_fallocate,
	.splice_read = generic_file_splice_read,
	.splice_write = iter_file_splice_write,
};
