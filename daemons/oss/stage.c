// SPDX-License-Identifier: GPL-2.0
/*
 * Staged fragment updates in <target>/staging/, one file per stripe:
 * <ino>-<slot>-<frag>-<stripe>.<kind>, kind t (being written), p (prepared)
 * or c (committed, to be applied). The file is a header, padded to 4 KiB,
 * followed by the staged blocks:
 *
 *	  0 magic	  4 CRC32C of bytes 8..end of the block CRCs
 *	  8 ino		 16 slot	20 frag		24 stripe
 *	 32 version	 40 base version		48 unit
 *	 52 first block	 56 block count	60 new fragment length
 *	 64 flags	128 block CRCs (4 bytes each)
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leofs/bigbuf.h"
#include "internal.h"

void oss_stage_name(const struct oss_obj_id *id, u64 stripe, char kind,
		    char *buf, size_t len)
{
	snprintf(buf, len, "%016llx-%08x-%04x-%016llx.%c",
		 (unsigned long long)id->ino, id->slot, id->frag,
		 (unsigned long long)stripe, kind);
}

int oss_stage_parse_name(const char *name, struct oss_obj_id *id, u64 *stripe)
{
	unsigned long long ino, st;
	unsigned int slot, frag;
	char kind, check[64];
	int n = 0;

	if (strlen(name) != 16 + 1 + 8 + 1 + 4 + 1 + 16 + 2)
		return -EINVAL;
	if (sscanf(name, "%16llx-%8x-%4x-%16llx.%c%n", &ino, &slot, &frag, &st,
		   &kind, &n) != 5 ||
	    (size_t)n != strlen(name))
		return -EINVAL;
	if (kind != OSS_STAGE_TMP && kind != OSS_STAGE_PREPARED &&
	    kind != OSS_STAGE_COMMITTED)
		return -EINVAL;
	id->ino = ino;
	id->slot = slot;
	id->frag = frag;
	*stripe = st;
	/* only the canonical spelling */
	oss_stage_name(id, st, kind, check, sizeof(check));
	if (strcmp(check, name))
		return -EINVAL;
	return kind;
}

u32 oss_stage_header_size(u32 nblk)
{
	u32 n = OSS_STAGE_HDR_FIXED + 4 * nblk;

	return (n + OSS_BLOCK_SIZE - 1) & ~(OSS_BLOCK_SIZE - 1);
}

static void encode_header(const struct oss_stage *st, u8 *buf)
{
	put_unaligned_le32(OSS_STAGE_MAGIC, buf);
	put_unaligned_le64(st->id.ino, buf + 8);
	put_unaligned_le32(st->id.slot, buf + 16);
	put_unaligned_le32(st->id.frag, buf + 20);
	put_unaligned_le64(st->stripe, buf + 24);
	put_unaligned_le64(st->version, buf + 32);
	put_unaligned_le64(st->base_version, buf + 40);
	put_unaligned_le32(st->unit, buf + 48);
	put_unaligned_le32(st->first, buf + 52);
	put_unaligned_le32(st->nblk, buf + 56);
	put_unaligned_le32(st->new_len, buf + 60);
	put_unaligned_le32(st->flags, buf + 64);
	memcpy(buf + OSS_STAGE_HDR_FIXED, st->crcs, 4 * (size_t)st->nblk);
	put_unaligned_le32(leofs_crc32c(0, buf + 8,
					OSS_STAGE_HDR_FIXED - 8 + 4 * st->nblk),
			   buf + 4);
}

int oss_stage_write(struct oss_target *t, const struct oss_stage *st, char kind,
		    int *fd_out)
{
	u32 hsize = oss_stage_header_size(st->nblk);
	char tmp[64], name[64];
	u8 *hdr = calloc(1, hsize);
	int fd, r;

	if (!hdr)
		return -ENOMEM;
	encode_header(st, hdr);
	oss_stage_name(&st->id, st->stripe, OSS_STAGE_TMP, tmp, sizeof(tmp));
	oss_stage_name(&st->id, st->stripe, kind, name, sizeof(name));
	fd = openat(t->staging_fd, tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0640);
	if (fd < 0) {
		free(hdr);
		return -errno;
	}
	r = oss_reserve_range(fd, 0, hsize + (off_t)st->nblk * OSS_BLOCK_SIZE);
	if (!r)
		r = oss_pwrite_full(fd, hdr, hsize, 0);
	if (!r)
		r = oss_pwrite_full(fd, st->data,
				    (size_t)st->nblk * OSS_BLOCK_SIZE, hsize);
	if (!r)
		oss_crash_point("stage:tmp-written");
	if (!r && renameat(t->staging_fd, tmp, t->staging_fd, name) < 0)
		r = -errno;
	free(hdr);
	if (r) {
		close(fd);
		unlinkat(t->staging_fd, tmp, 0);
		return r;
	}
	*fd_out = fd;
	return 0;
}

static int decode_header(const u8 *buf, u32 hsize, struct oss_stage *st)
{
	u32 max_blk;

	if (get_unaligned_le32(buf) != OSS_STAGE_MAGIC)
		return -EBADMSG;
	st->id.ino = get_unaligned_le64(buf + 8);
	st->id.slot = get_unaligned_le32(buf + 16);
	st->id.frag = get_unaligned_le32(buf + 20);
	st->stripe = get_unaligned_le64(buf + 24);
	st->version = get_unaligned_le64(buf + 32);
	st->base_version = get_unaligned_le64(buf + 40);
	st->unit = get_unaligned_le32(buf + 48);
	st->first = get_unaligned_le32(buf + 52);
	st->nblk = get_unaligned_le32(buf + 56);
	st->new_len = get_unaligned_le32(buf + 60);
	st->flags = get_unaligned_le32(buf + 64);
	if (!oss_unit_valid(st->unit))
		return -EBADMSG;
	max_blk = st->unit / OSS_BLOCK_SIZE;
	if (st->nblk > max_blk || st->first > max_blk - st->nblk ||
	    st->new_len > st->unit || !st->version ||
	    st->base_version >= st->version ||
	    oss_stage_header_size(st->nblk) != hsize)
		return -EBADMSG;
	if (leofs_crc32c(0, buf + 8, OSS_STAGE_HDR_FIXED - 8 + 4 * st->nblk) !=
	    get_unaligned_le32(buf + 4))
		return -EBADMSG;
	return 0;
}

int oss_stage_read(struct oss_target *t, const struct oss_obj_id *id,
		   u64 stripe, char kind, bool hdr_only, struct oss_stage *st)
{
	u8 fixed[OSS_STAGE_HDR_FIXED];
	u8 *hdr = NULL;
	char name[64];
	struct stat sb;
	u32 nblk, hsize;
	size_t bad;
	int fd, r;

	memset(st, 0, sizeof(*st));
	oss_stage_name(id, stripe, kind, name, sizeof(name));
	fd = openat(t->staging_fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = fstat(fd, &sb) < 0 ? -errno : 0;
	if (!r)
		r = oss_pread_full(fd, fixed, sizeof(fixed), 0);
	if (r)
		goto out;
	nblk = get_unaligned_le32(fixed + 56);
	if (nblk > OSS_UNIT_MAX / OSS_BLOCK_SIZE) {
		r = -EBADMSG;
		goto out;
	}
	hsize = oss_stage_header_size(nblk);
	if ((u64)sb.st_size != hsize + (u64)nblk * OSS_BLOCK_SIZE) {
		r = -EBADMSG;
		goto out;
	}
	hdr = malloc(hsize);
	st->crcs = malloc(4 * (size_t)nblk + 4);
	if (!hdr || !st->crcs) {
		r = -ENOMEM;
		goto out;
	}
	r = oss_pread_full(fd, hdr, hsize, 0);
	if (!r)
		r = decode_header(hdr, hsize, st);
	if (r)
		goto out;
	if (st->id.ino != id->ino || st->id.slot != id->slot ||
	    st->id.frag != id->frag || st->stripe != stripe) {
		r = -EBADMSG;
		goto out;
	}
	memcpy(st->crcs, hdr + OSS_STAGE_HDR_FIXED, 4 * (size_t)nblk);
	if (hdr_only)
		goto out;
	st->data = leofs_bigbuf_get((size_t)nblk * OSS_BLOCK_SIZE + 1);
	if (!st->data) {
		r = -ENOMEM;
		goto out;
	}
	r = oss_pread_full(fd, st->data, (size_t)nblk * OSS_BLOCK_SIZE, hsize);
	if (!r)
		r = leofs_crc32c_verify_blocks(st->data,
					       (size_t)nblk * OSS_BLOCK_SIZE,
					       OSS_BLOCK_SIZE, st->crcs, &bad);
out:
	if (r == -ENODATA)
		r = -EBADMSG;
	if (r)
		oss_stage_free(st);
	free(hdr);
	close(fd);
	return r;
}

void oss_stage_free(struct oss_stage *st)
{
	free(st->crcs);
	leofs_bigbuf_put(st->data);
	st->crcs = NULL;
	st->data = NULL;
}

int oss_stage_rename(struct oss_target *t, const struct oss_obj_id *id,
		     u64 stripe, char from, char to)
{
	char a[64], b[64];

	oss_stage_name(id, stripe, from, a, sizeof(a));
	oss_stage_name(id, stripe, to, b, sizeof(b));
	return renameat(t->staging_fd, a, t->staging_fd, b) < 0 ? -errno : 0;
}

int oss_stage_unlink(struct oss_target *t, const struct oss_obj_id *id,
		     u64 stripe, char kind)
{
	char name[64];

	oss_stage_name(id, stripe, kind, name, sizeof(name));
	if (unlinkat(t->staging_fd, name, 0) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int oss_stage_apply(struct oss_object *o, const struct oss_stage *st,
		    struct oss_record *cur)
{
	u32 new_nblk = oss_nblocks(st->new_len);
	const u32 *crcs = st->crcs;
	int r;

	if (st->unit != o->unit)
		return -EINVAL;
	if (st->flags & OSS_STAGE_FULL) {
		if (st->first || st->nblk != new_nblk)
			return -EINVAL;
	} else {
		/* the staged blocks must cover everything past the old end */
		u32 end = st->first + st->nblk;

		if (new_nblk > (end > cur->nblk ? end : cur->nblk) ||
		    (st->first > cur->nblk && st->nblk))
			return -EINVAL;
		if (st->nblk)
			memcpy(cur->crcs + st->first, st->crcs,
			       4 * (size_t)st->nblk);
		crcs = cur->crcs;
	}
	r = oss_pwrite_full(o->data_fd, st->data,
			    (size_t)st->nblk * OSS_BLOCK_SIZE,
			    (off_t)(st->stripe * o->unit +
				    (u64)st->first * OSS_BLOCK_SIZE));
	oss_crash_point("apply:data-written");
	if (!r)
		r = oss_record_store(o, st->stripe, cur, st->version,
				     st->new_len, new_nblk, crcs);
	return r;
}

/*
 * The staging directory opened anew: a dup() of staging_fd would share its
 * read position with every other scan, so two scans at once (truncates of
 * different objects) would each see only part of the directory.
 */
DIR *oss_stage_opendir(struct oss_target *t)
{
	int dfd = openat(t->staging_fd, ".",
			 O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (dfd < 0)
		return NULL;
	d = fdopendir(dfd);
	if (!d) {
		int e = errno;

		close(dfd);
		errno = e;
	}
	return d;
}

int oss_stage_drop_object(struct oss_target *t, const struct oss_obj_id *id,
			  u64 from)
{
	DIR *d = oss_stage_opendir(t);
	struct oss_obj_id sid;
	struct dirent *de;
	u64 stripe;
	int r = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (oss_stage_parse_name(de->d_name, &sid, &stripe) < 0)
			continue;
		if (sid.ino != id->ino || sid.slot != id->slot ||
		    sid.frag != id->frag || stripe < from)
			continue;
		if (unlinkat(t->staging_fd, de->d_name, 0) < 0 &&
		    errno != ENOENT)
			r = -errno;
	}
	closedir(d);
	return r;
}
