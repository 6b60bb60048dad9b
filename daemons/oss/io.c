// SPDX-License-Identifier: GPL-2.0
/* Small file I/O helpers of the storage engine. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int oss_pread_full(int fd, void *buf, size_t len, off_t off)
{
	u8 *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ENODATA;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

int oss_pwrite_full(int fd, const void *buf, size_t len, off_t off)
{
	const u8 *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

int oss_replace_file(int dir, const char *tmp, const char *name,
		     const void *buf, size_t len)
{
	int fd, r;

	fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	r = oss_pwrite_full(fd, buf, len, 0);
	if (!r && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (!r && renameat(dir, tmp, dir, name) < 0)
		r = -errno;
	if (!r && fsync(dir) < 0)
		r = -errno;
	return r;
}

/*
 * Allocates the range without changing the file's size: a size grown ahead
 * of data could reach the disk before the data does (a meta file longer
 * than its header, with the header itself lost, reads as corruption).
 */
int oss_reserve_range(int fd, off_t off, off_t len)
{
	if (len <= 0)
		return 0;
	while (fallocate(fd, FALLOC_FL_KEEP_SIZE, off, len) < 0) {
		/* filesystems without it: the in-place write may still fail */
		if (errno == EOPNOTSUPP || errno == ENOSYS)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

int oss_refuse(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return err;
}

u64 oss_file_bytes(int fd)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return 0;
	return (u64)st.st_blocks * 512;
}

bool oss_unit_valid(u32 unit)
{
	return unit >= OSS_UNIT_MIN && unit <= OSS_UNIT_MAX &&
	       !(unit & (unit - 1));
}
