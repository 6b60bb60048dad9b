// SPDX-License-Identifier: GPL-2.0
/*
 * Objects: a data file holding stripe n's fragment at n * unit, and a meta
 * file holding a header and two record slots per stripe (version, length
 * and the CRC32C of every 4 KiB block). Both live in objects/<xx>/<yy>/.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static u64 mix64(u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

u64 oss_obj_hash(const struct oss_obj_id *id)
{
	return mix64(id->ino ^ mix64((u64)id->slot << 16 | id->frag));
}

void oss_lock_object(struct oss_target *t, const struct oss_obj_id *id,
		     bool excl)
{
	pthread_rwlock_t *l = &t->obj_locks[oss_obj_hash(id) % OSS_OBJ_LOCKS];

	if (excl)
		pthread_rwlock_wrlock(l);
	else
		pthread_rwlock_rdlock(l);
}

void oss_unlock_object(struct oss_target *t, const struct oss_obj_id *id)
{
	pthread_rwlock_unlock(&t->obj_locks[oss_obj_hash(id) % OSS_OBJ_LOCKS]);
}

static pthread_rwlock_t *stripe_lock(struct oss_target *t,
				     const struct oss_obj_id *id, u64 stripe)
{
	return &t->stripe_locks[mix64(oss_obj_hash(id) + stripe) %
				OSS_STRIPE_LOCKS];
}

void oss_lock_stripe(struct oss_target *t, const struct oss_obj_id *id,
		     u64 stripe, bool excl)
{
	if (excl)
		pthread_rwlock_wrlock(stripe_lock(t, id, stripe));
	else
		pthread_rwlock_rdlock(stripe_lock(t, id, stripe));
}

void oss_unlock_stripe(struct oss_target *t, const struct oss_obj_id *id,
		       u64 stripe)
{
	pthread_rwlock_unlock(stripe_lock(t, id, stripe));
}

static u32 record_size(u32 unit)
{
	u32 n = OSS_REC_HDR_SIZE + 4 * (unit / OSS_BLOCK_SIZE);

	return (n + 63) & ~63u;
}

static void encode_header(const struct oss_object *o, u8 *buf)
{
	memset(buf, 0, OSS_OBJ_HDR_SIZE);
	memcpy(buf, OSS_OBJ_MAGIC, 8);
	put_unaligned_le32(OSS_OBJ_VERSION, buf + 8);
	put_unaligned_le32(o->unit, buf + 12);
	put_unaligned_le64(o->id.ino, buf + 16);
	put_unaligned_le32(o->id.slot, buf + 24);
	put_unaligned_le32(o->id.frag, buf + 28);
	put_unaligned_le32(leofs_crc32c(0, buf, 32), buf + 32);
}

/* Returns the unit stored in a valid header, or 0. */
static u32 decode_header(const struct oss_object *o, const u8 *buf)
{
	u32 unit = get_unaligned_le32(buf + 12);

	if (memcmp(buf, OSS_OBJ_MAGIC, 8) ||
	    leofs_crc32c(0, buf, 32) != get_unaligned_le32(buf + 32) ||
	    get_unaligned_le32(buf + 8) != OSS_OBJ_VERSION ||
	    get_unaligned_le64(buf + 16) != o->id.ino ||
	    get_unaligned_le32(buf + 24) != o->id.slot ||
	    get_unaligned_le32(buf + 28) != o->id.frag || !oss_unit_valid(unit))
		return 0;
	return unit;
}

/* Read the meta header; (re)write it if the object was never completed. */
static int setup_meta(struct oss_object *o, u32 unit, bool create)
{
	u8 *buf = malloc(OSS_OBJ_HDR_SIZE);
	struct stat st;
	u32 have;
	int r;

	if (!buf)
		return -ENOMEM;
	if (fstat(o->meta_fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	r = oss_pread_full(o->meta_fd, buf, OSS_OBJ_HDR_SIZE, 0);
	have = r ? 0 : decode_header(o, buf);
	if (!have) {
		/*
		 * No valid header. Only an object whose creation was cut
		 * short (no record yet) may be set up again; a damaged
		 * header in front of records is corruption.
		 */
		if (st.st_size > OSS_OBJ_HDR_SIZE) {
			r = -EBADMSG;
			goto out;
		}
		if (!create || !unit) {
			r = create ? -EINVAL : -ENOENT;
			goto out;
		}
		o->unit = unit;
		encode_header(o, buf);
		r = oss_pwrite_full(o->meta_fd, buf, OSS_OBJ_HDR_SIZE, 0);
		if (r)
			goto out;
		have = unit;
	}
	if (unit && have != unit) {
		r = -EINVAL;
		goto out;
	}
	o->unit = have;
	o->rec_size = record_size(have);
	r = 0;
out:
	free(buf);
	return r;
}

void oss_object_stem(const struct oss_obj_id *id, char *buf, size_t len)
{
	snprintf(buf, len, "%016llx-%08x-%04x", (unsigned long long)id->ino,
		 id->slot, id->frag);
}

int oss_object_open_dir(struct oss_target *t, const struct oss_obj_id *id,
			bool create)
{
	u64 h = oss_obj_hash(id);
	char path[16], l1[4];
	int fd, l1_fd, r;

	snprintf(path, sizeof(path), "%02x/%02x", (unsigned int)(h >> 56),
		 (unsigned int)(h >> 48) & 0xff);
	fd = openat(t->objects_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT || !create)
		return fd >= 0 ? fd : -errno;
	if (mkdirat(t->objects_fd, path, 0750) < 0 && errno != EEXIST)
		return -errno;
	/* a new directory: make its entry durable at once (rare) */
	snprintf(l1, sizeof(l1), "%02x", (unsigned int)(h >> 56));
	l1_fd = openat(t->objects_fd, l1, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l1_fd < 0)
		return -errno;
	r = fsync(l1_fd) < 0 ? -EIO : 0;
	close(l1_fd);
	if (r)
		return r;
	fd = openat(t->objects_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}

/*
 * Object files are opened without access-time updates: under relatime the
 * first read after each write would otherwise cost an inode write and a
 * journal commit on the target's disk. O_NOATIME needs the file's owner;
 * a file owned by someone else (a target copied as root) opens without it.
 */
static int open_noatime(int dir_fd, const char *file, int flags)
{
	int fd = openat(dir_fd, file, flags | O_NOATIME, 0640);

	if (fd < 0 && errno == EPERM)
		fd = openat(dir_fd, file, flags, 0640);
	return fd;
}

int oss_object_open(struct oss_target *t, const struct oss_obj_id *id, u32 unit,
		    bool create, struct oss_object *o)
{
	int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0);
	bool new_object = false;
	char file[80];
	int r;

	memset(o, 0, sizeof(*o));
	o->id = *id;
	o->data_fd = o->meta_fd = -1;
	oss_object_stem(id, o->name, sizeof(o->name));
	o->dir_fd = oss_object_open_dir(t, id, create);
	if (o->dir_fd < 0) {
		r = o->dir_fd;
		o->dir_fd = -1;
		return r;
	}

	snprintf(file, sizeof(file), "%s.m", o->name);
	o->meta_fd = open_noatime(o->dir_fd, file, flags);
	if (o->meta_fd < 0) {
		r = -errno;
		goto fail;
	}
	snprintf(file, sizeof(file), "%s.d", o->name);
	o->data_fd = open_noatime(o->dir_fd, file, flags & ~O_CREAT);
	if (o->data_fd < 0 && errno == ENOENT && create) {
		o->data_fd = open_noatime(o->dir_fd, file, flags);
		new_object = o->data_fd >= 0;
	}
	if (o->data_fd < 0) {
		r = -errno;
		goto fail;
	}
	r = setup_meta(o, unit, create);
	if (r)
		goto fail;
	if (new_object)
		oss_target_account(t, 0, 1);
	return 0;
fail:
	oss_object_close(o);
	return r;
}

void oss_object_close(struct oss_object *o)
{
	if (o->data_fd >= 0)
		close(o->data_fd);
	if (o->meta_fd >= 0)
		close(o->meta_fd);
	if (o->dir_fd >= 0)
		close(o->dir_fd);
	o->data_fd = o->meta_fd = o->dir_fd = -1;
}

u64 oss_record_offset(const struct oss_object *o, u64 stripe, int slot)
{
	return OSS_OBJ_HDR_SIZE + (2 * stripe + (u64)slot) * o->rec_size;
}

/* Returns true and fills the fields if @buf holds a valid record. */
static bool decode_record(const struct oss_object *o, u64 stripe, const u8 *buf,
			  struct oss_record *rec)
{
	u32 len = get_unaligned_le32(buf + 24);
	u32 nblk = get_unaligned_le32(buf + 28);
	u64 version = get_unaligned_le64(buf + 8);

	if (get_unaligned_le32(buf) != OSS_REC_MAGIC || !version ||
	    get_unaligned_le64(buf + 16) != stripe || len > o->unit ||
	    nblk != oss_nblocks(len))
		return false;
	if (leofs_crc32c(0, buf + 8, OSS_REC_HDR_SIZE - 8 + 4 * nblk) !=
	    get_unaligned_le32(buf + 4))
		return false;
	rec->version = version;
	rec->len = len;
	rec->nblk = nblk;
	memcpy(rec->crcs, buf + OSS_REC_HDR_SIZE, 4 * nblk);
	return true;
}

int oss_record_load(struct oss_object *o, u64 stripe, struct oss_record *rec)
{
	size_t size = 2 * (size_t)o->rec_size;
	u8 *buf = calloc(1, size);
	ssize_t n;
	int slot;

	if (!buf)
		return -ENOMEM;
	rec->version = 0;
	rec->len = 0;
	rec->nblk = 0;
	rec->slot = -1;
	n = pread(o->meta_fd, buf, size,
		  (off_t)oss_record_offset(o, stripe, 0));
	if (n < 0) {
		free(buf);
		return -errno;
	}
	/* a short read leaves zeros: an empty slot */
	for (slot = 0; slot < 2; slot++) {
		struct oss_record r = { .crcs = rec->crcs };
		u32 *keep = NULL;

		if (rec->slot >= 0) {
			/* decode into a scratch copy first */
			keep = malloc(4 * (o->unit / OSS_BLOCK_SIZE));
			if (!keep) {
				free(buf);
				return -ENOMEM;
			}
			r.crcs = keep;
		}
		if (decode_record(o, stripe, buf + slot * o->rec_size, &r) &&
		    r.version > rec->version) {
			if (keep)
				memcpy(rec->crcs, keep, 4 * r.nblk);
			rec->version = r.version;
			rec->len = r.len;
			rec->nblk = r.nblk;
			rec->slot = slot;
		}
		free(keep);
	}
	free(buf);
	return 0;
}

int oss_record_store(struct oss_object *o, u64 stripe,
		     const struct oss_record *cur, u64 version, u32 len,
		     u32 nblk, const u32 *crcs)
{
	int slot = cur->slot == 0 ? 1 : 0;
	u8 *buf = calloc(1, o->rec_size);
	int r;

	if (!buf)
		return -ENOMEM;
	put_unaligned_le32(OSS_REC_MAGIC, buf);
	put_unaligned_le64(version, buf + 8);
	put_unaligned_le64(stripe, buf + 16);
	put_unaligned_le32(len, buf + 24);
	put_unaligned_le32(nblk, buf + 28);
	memcpy(buf + OSS_REC_HDR_SIZE, crcs, 4 * (size_t)nblk);
	put_unaligned_le32(
		leofs_crc32c(0, buf + 8, OSS_REC_HDR_SIZE - 8 + 4 * nblk),
		buf + 4);
	r = oss_pwrite_full(o->meta_fd, buf, o->rec_size,
			    (off_t)oss_record_offset(o, stripe, slot));
	free(buf);
	return r;
}

int oss_record_erase(struct oss_object *o, u64 stripe)
{
	u8 *zero = calloc(2, o->rec_size);
	int r;

	if (!zero)
		return -ENOMEM;
	r = oss_pwrite_full(o->meta_fd, zero, 2 * (size_t)o->rec_size,
			    (off_t)oss_record_offset(o, stripe, 0));
	free(zero);
	return r;
}

int oss_object_read_blocks(struct oss_target *t, struct oss_object *o,
			   u64 stripe, const struct oss_record *rec, u32 first,
			   u32 n, u8 *buf)
{
	size_t bad;
	int r;

	if (first + n > rec->nblk)
		return -EINVAL;
	r = oss_pread_full(
		o->data_fd, buf, (size_t)n * OSS_BLOCK_SIZE,
		(off_t)(stripe * o->unit + (u64)first * OSS_BLOCK_SIZE));
	if (r == -ENODATA)
		r = -EBADMSG; /* the record promises blocks the file lacks */
	if (!r)
		r = leofs_crc32c_verify_blocks(buf, (size_t)n * OSS_BLOCK_SIZE,
					       OSS_BLOCK_SIZE,
					       rec->crcs + first, &bad);
	if (r == -EBADMSG)
		oss_target_count_checksum_error(t);
	return r;
}
