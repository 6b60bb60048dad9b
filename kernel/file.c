// SPDX-License-Identifier: GPL-2.0
/*
 * Regular files: open revalidates the attributes (close-to-open
 * consistency). Data goes through the page cache and the storage servers;
 * that path is not part of this build, so reads and writes are refused.
 */
#include "internal.h"

static int leofs_file_open(struct inode *inode, struct file *file)
{
	return leofs_revalidate_attrs(inode, true);
}

static ssize_t leofs_file_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	return -EOPNOTSUPP;
}

static ssize_t leofs_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	return -EOPNOTSUPP;
}

const struct file_operations leofs_file_fops = {
	.open = leofs_file_open,
	.llseek = generic_file_llseek,
	.read_iter = leofs_file_read_iter,
	.write_iter = leofs_file_write_iter,
	.fsync = noop_fsync,
};
