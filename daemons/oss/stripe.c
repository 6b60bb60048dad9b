// SPDX-License-Identifier: GPL-2.0
/*
 * Versioned stripe operations: read, whole-fragment write, and the
 * prepare / commit / abort steps a primary uses to update a stripe
 * atomically across its members. Documentation/oss.md explains why a crash
 * between any two steps leaves each fragment at its old or its new version.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "leofs/bigbuf.h"
#include "internal.h"

/* Byte offsets of a stripe must stay far below 2^63. */
static bool stripe_valid(u32 unit, u64 stripe)
{
	return stripe < ((u64)1 << 62) / unit;
}

static int check_range(u32 unit, u64 stripe, u32 off, u32 len)
{
	if (!oss_unit_valid(unit))
		return -EINVAL;
	if (!stripe_valid(unit, stripe))
		return -EFBIG;
	if (off > unit || len > unit - off)
		return -EINVAL;
	return 0;
}

static int writable(struct oss_target *t)
{
	if (__atomic_load_n(&t->failed, __ATOMIC_ACQUIRE))
		return -EIO;
	return oss_sync_error(t->sync);
}

static int sync_files(struct oss_target *t, int a, int b, int dir1, int dir2)
{
	struct oss_sync_item items[4];
	unsigned int n = 0;

	if (a >= 0)
		items[n++] = (struct oss_sync_item){ a, false };
	if (b >= 0)
		items[n++] = (struct oss_sync_item){ b, false };
	if (dir1 >= 0)
		items[n++] = (struct oss_sync_item){ dir1, true };
	if (dir2 >= 0)
		items[n++] = (struct oss_sync_item){ dir2, true };
	return oss_sync_wait(t->sync, items, n);
}

static u32 *alloc_crcs(u32 unit)
{
	return calloc(unit / OSS_BLOCK_SIZE + 1, sizeof(u32));
}

/* Version of the update prepared on a stripe, or 0. */
static u64 prepared_version(struct oss_target *t, const struct oss_obj_id *id,
			    u64 stripe)
{
	struct oss_stage st;
	u64 v;

	if (oss_stage_read(t, id, stripe, OSS_STAGE_PREPARED, true, &st))
		return 0;
	v = st.version;
	oss_stage_free(&st);
	return v;
}

/*
 * Take the object lock (shared) and the stripe lock (exclusive) and open
 * the object, creating it if needed. Creation needs the object lock
 * exclusively, so it happens in a separate round.
 */
static int open_for_update(struct oss_target *t, const struct oss_obj_id *id,
			   u32 unit, u64 stripe, bool create,
			   struct oss_object *o)
{
	unsigned int tries;
	int r;

	for (tries = 0;; tries++) {
		oss_lock_object(t, id, false);
		r = oss_object_open(t, id, unit, false, o);
		if (!r) {
			oss_lock_stripe(t, id, stripe, true);
			return 0;
		}
		oss_unlock_object(t, id);
		if (r != -ENOENT || !create || tries == 3)
			return r;
		oss_lock_object(t, id, true);
		r = oss_object_open(t, id, unit, true, o);
		oss_object_close(o);
		oss_unlock_object(t, id);
		if (r)
			return r;
	}
}

static void close_update(struct oss_target *t, struct oss_object *o, u64 stripe,
			 u64 bytes_before)
{
	u64 after = oss_file_bytes(o->data_fd) + oss_file_bytes(o->meta_fd);

	oss_target_account(t, (s64)after - (s64)bytes_before, 0);
	oss_unlock_stripe(t, &o->id, stripe);
	oss_unlock_object(t, &o->id);
	oss_object_close(o);
}

/* What an update of one stripe holds while it runs. */
struct update {
	struct oss_object o;
	struct oss_record rec; /* the committed record */
	u64 stripe;
	u64 before; /* bytes the object's files took */
};

/*
 * Check the arguments and the target, lock and open the object (created if
 * @create) and load the stripe's record. On success end_update() releases
 * it all; -ENOENT: no object and not @create.
 */
static int begin_update(struct oss_target *t, const struct oss_obj_id *obj,
			u32 unit, u64 stripe, u32 off, u32 len, bool create,
			struct update *u)
{
	int r = check_range(unit, stripe, off, len);

	if (!r)
		r = writable(t);
	if (r)
		return r;
	u->stripe = stripe;
	u->rec = (struct oss_record){ .crcs = alloc_crcs(unit) };
	if (!u->rec.crcs)
		return -ENOMEM;
	r = open_for_update(t, obj, unit, stripe, create, &u->o);
	if (r) {
		free(u->rec.crcs);
		return r;
	}
	u->before = oss_file_bytes(u->o.data_fd) + oss_file_bytes(u->o.meta_fd);
	r = oss_record_load(&u->o, stripe, &u->rec);
	if (r) {
		close_update(t, &u->o, stripe, u->before);
		free(u->rec.crcs);
	}
	return r;
}

static void end_update(struct oss_target *t, struct update *u)
{
	close_update(t, &u->o, u->stripe, u->before);
	free(u->rec.crcs);
}

int oss_stripe_stat(struct oss_target *t, const struct oss_obj_id *obj,
		    u32 unit, u64 stripe, struct oss_stripe_info *info)
{
	return oss_stripe_read(t, obj, unit, stripe, 0, 0, NULL, info);
}

int oss_stripe_read(struct oss_target *t, const struct oss_obj_id *obj,
		    u32 unit, u64 stripe, u32 off, u32 len, void *buf,
		    struct oss_stripe_info *info)
{
	struct oss_record rec = { 0 };
	struct oss_object o;
	u8 *blocks = NULL;
	bool crc_known = false;
	u32 crc = 0;
	int r;

	r = check_range(unit, stripe, off, len);
	if (r)
		return r;
	rec.crcs = alloc_crcs(unit);
	if (!rec.crcs)
		return -ENOMEM;
	oss_lock_object(t, obj, false);
	oss_lock_stripe(t, obj, stripe, false);
	r = oss_object_open(t, obj, unit, false, &o);
	if (r == -ENOENT) {
		r = 0;
	} else if (!r) {
		r = oss_record_load(&o, stripe, &rec);
		if (!r && len && off / OSS_BLOCK_SIZE >= rec.nblk)
			memset(buf, 0, len);
		if (!r && len && off / OSS_BLOCK_SIZE < rec.nblk) {
			u32 first = off / OSS_BLOCK_SIZE;
			u32 last = (off + len - 1) / OSS_BLOCK_SIZE;
			u32 skip = off % OSS_BLOCK_SIZE;
			size_t have;
			u32 n;

			if (last >= rec.nblk)
				last = rec.nblk - 1;
			n = last - first + 1;
			have = (size_t)n * OSS_BLOCK_SIZE;
			if (!skip && have <= len) {
				/* whole blocks: into the caller's buffer */
				r = oss_object_read_blocks(t, &o, stripe, &rec,
							   first, n, buf);
				if (!r) {
					memset((u8 *)buf + have, 0, len - have);
					/* the blocks' CRCs were just checked */
					crc = leofs_crc32c_join(
						rec.crcs + first, have,
						OSS_BLOCK_SIZE);
					crc = leofs_crc32c(crc,
							   (u8 *)buf + have,
							   len - have);
					crc_known = true;
				}
			} else {
				blocks = leofs_bigbuf_get((size_t)n *
							  OSS_BLOCK_SIZE);
				if (!blocks)
					r = -ENOMEM;
				if (!r)
					r = oss_object_read_blocks(
						t, &o, stripe, &rec, first, n,
						blocks);
				have = have - skip < len ? have - skip : len;
				if (!r) {
					memcpy(buf, blocks + skip, have);
					memset((u8 *)buf + have, 0, len - have);
				}
			}
		}
		oss_object_close(&o);
	}
	if (!r && len && rec.version == 0) {
		memset(buf, 0, len);
		crc_known = false;
	}
	if (!r && info) {
		info->version = rec.version;
		info->frag_len = rec.len;
		info->crc_known = crc_known;
		info->crc = crc;
		info->prepared = prepared_version(t, obj, stripe);
	}
	oss_unlock_stripe(t, obj, stripe);
	oss_unlock_object(t, obj);
	leofs_bigbuf_put(blocks);
	free(rec.crcs);
	return r;
}

/*
 * @len bytes as whole blocks with their CRCs in *blocks: @data itself when
 * it ends on a block boundary, else a zero-padded copy, also in *copy (to
 * free). @known: CRCs of @data's blocks the caller has checked, or NULL.
 */
static int whole_blocks(const void *data, u32 len, const u32 *known, u32 *crcs,
			const u8 **blocks, u8 **copy)
{
	u32 nblk = oss_nblocks(len);
	u8 *b;

	*copy = NULL;
	*blocks = data;
	if (len % OSS_BLOCK_SIZE == 0) {
		if (known)
			memcpy(crcs, known, (size_t)nblk * 4);
		else
			leofs_crc32c_blocks(data, len, OSS_BLOCK_SIZE, crcs);
		return 0;
	}
	b = leofs_bigbuf_get((size_t)nblk * OSS_BLOCK_SIZE);
	if (!b)
		return -ENOMEM;
	memcpy(b, data, len);
	memset(b + len, 0, (size_t)nblk * OSS_BLOCK_SIZE - len);
	leofs_crc32c_blocks(b, (size_t)nblk * OSS_BLOCK_SIZE, OSS_BLOCK_SIZE,
			    crcs);
	*blocks = *copy = b;
	return 0;
}

/* Make sure applying later cannot run out of space. */
static int reserve_stripe(struct oss_object *o, u64 stripe, u32 first, u32 nblk)
{
	int r = oss_reserve_range(
		o->data_fd,
		(off_t)(stripe * o->unit + (u64)first * OSS_BLOCK_SIZE),
		(off_t)nblk * OSS_BLOCK_SIZE);

	if (!r)
		r = oss_reserve_range(o->meta_fd,
				      (off_t)oss_record_offset(o, stripe, 0),
				      2 * (off_t)o->rec_size);
	return r;
}

/*
 * Stripe never written: no old fragment to protect. The blocks go in
 * place and become visible only when the record, written after they are
 * durable, is durable too; a torn record fails its CRC and reads as absent.
 */
static int write_new(struct oss_target *t, struct oss_object *o, u64 stripe,
		     struct oss_record *rec, u64 version, const u8 *blocks,
		     u32 len, const u32 *crcs)
{
	u32 nblk = oss_nblocks(len);
	int r;

	r = oss_target_check_space(t, (u64)nblk * OSS_BLOCK_SIZE +
					      2 * o->rec_size);
	if (!r)
		r = reserve_stripe(o, stripe, 0, nblk);
	if (!r)
		r = oss_pwrite_full(o->data_fd, blocks,
				    (size_t)nblk * OSS_BLOCK_SIZE,
				    (off_t)(stripe * o->unit));
	oss_crash_point("new:data-written");
	if (!r)
		r = sync_files(t, o->data_fd, o->meta_fd, o->dir_fd, -1);
	oss_crash_point("new:data-synced");
	if (!r)
		r = oss_record_store(o, stripe, rec, version, len, nblk, crcs);
	oss_crash_point("new:record-written");
	if (!r)
		r = sync_files(t, o->meta_fd, -1, -1, -1);
	oss_crash_point("new:record-synced");
	return r;
}

/*
 * Make a committed stage visible: apply it in place, sync, and only then
 * drop the staging file (recovery redoes the apply while it exists).
 */
static int apply_committed(struct oss_target *t, struct oss_object *o,
			   const struct oss_stage *st, struct oss_record *rec)
{
	int r = oss_stage_apply(o, st, rec);

	oss_crash_point("apply:applied");
	if (!r)
		r = sync_files(t, o->data_fd, o->meta_fd, -1, -1);
	oss_crash_point("apply:synced");
	if (r) {
		/* the stage stays; reopening the target redoes it */
		__atomic_store_n(&t->failed, 1, __ATOMIC_RELEASE);
		return r == -ENOSPC ? -EIO : r;
	}
	return oss_stage_unlink(t, &st->id, st->stripe, OSS_STAGE_COMMITTED);
}

/* Stage the whole new fragment as committed, sync it, then apply. */
static int write_staged(struct oss_target *t, struct oss_object *o, u64 stripe,
			struct oss_record *rec, u64 version, const u8 *blocks,
			u32 len, u32 *crcs)
{
	struct oss_stage st = {
		.id = o->id,
		.stripe = stripe,
		.version = version,
		.base_version = rec->version,
		.unit = o->unit,
		.first = 0,
		.nblk = oss_nblocks(len),
		.new_len = len,
		.flags = OSS_STAGE_FULL,
		.crcs = crcs,
		.data = (u8 *)blocks, /* only read */
	};
	int fd = -1, r;

	r = oss_target_check_space(t, 2 * (u64)st.nblk * OSS_BLOCK_SIZE +
					      oss_stage_header_size(st.nblk));
	if (!r)
		r = reserve_stripe(o, stripe, 0, st.nblk);
	if (!r)
		r = oss_stage_write(t, &st, OSS_STAGE_COMMITTED, &fd);
	oss_crash_point("staged:written");
	if (!r) {
		r = sync_files(t, fd, o->data_fd, t->staging_fd, o->dir_fd);
		oss_crash_point("staged:synced");
		close(fd);
		if (r)
			return r;
		r = sync_files(t, o->meta_fd, -1, -1, -1);
	}
	if (!r)
		r = apply_committed(t, o, &st, rec);
	return r;
}

/* Whole-fragment write; @create: only onto a stripe with no version. */
static int write_whole(struct oss_target *t, const struct oss_obj_id *obj,
		       u32 unit, u64 stripe, u64 version, const void *data,
		       u32 len, const u32 *known, bool create)
{
	const u8 *blocks = NULL;
	struct update u;
	u8 *copy = NULL;
	u32 *crcs;
	int r;

	if (!version)
		return -EINVAL;
	crcs = alloc_crcs(unit);
	if (!crcs)
		return -ENOMEM;
	r = begin_update(t, obj, unit, stripe, 0, len, true, &u);
	if (r)
		goto out;
	if (version <= u.rec.version || (create && u.rec.version))
		r = -ESTALE;
	if (!r && prepared_version(t, obj, stripe))
		r = -EBUSY;
	if (!r)
		r = whole_blocks(data, len, known, crcs, &blocks, &copy);
	if (!r && u.rec.version == 0)
		r = write_new(t, &u.o, stripe, &u.rec, version, blocks, len,
			      crcs);
	else if (!r)
		r = write_staged(t, &u.o, stripe, &u.rec, version, blocks, len,
				 crcs);
	end_update(t, &u);
out:
	leofs_bigbuf_put(copy);
	free(crcs);
	return r;
}

int oss_stripe_write(struct oss_target *t, const struct oss_obj_id *obj,
		     u32 unit, u64 stripe, u64 version, const void *data,
		     u32 len)
{
	return write_whole(t, obj, unit, stripe, version, data, len, NULL,
			   false);
}

int oss_stripe_create(struct oss_target *t, const struct oss_obj_id *obj,
		      u32 unit, u64 stripe, u64 version, const void *data,
		      u32 len, const u32 *crcs)
{
	return write_whole(t, obj, unit, stripe, version, data, len, crcs,
			   true);
}

int oss_stripe_prepare(struct oss_target *t, const struct oss_obj_id *obj,
		       u32 unit, u64 stripe, u64 version, u32 off,
		       const void *data, u32 len)
{
	struct oss_stage st = { 0 };
	struct update u;
	u32 first, end, have;
	u64 prepared;
	int fd = -1, r;

	if (!version)
		return -EINVAL;
	r = begin_update(t, obj, unit, stripe, off, len, true, &u);
	if (r)
		return r;
	if (version <= u.rec.version) {
		r = -ESTALE;
		goto unlock;
	}
	/* one version at a time, and a number names one content, ever */
	prepared = prepared_version(t, obj, stripe);
	if (prepared) {
		r = -EBUSY;
		goto unlock;
	}

	/* The staged blocks: those written, plus any gap after the old end. */
	if (len) {
		first = off / OSS_BLOCK_SIZE;
		end = (off + len - 1) / OSS_BLOCK_SIZE + 1;
		if (first > u.rec.nblk)
			first = u.rec.nblk;
		st.new_len = off + len > u.rec.len ? off + len : u.rec.len;
	} else {
		first = end = u.rec.nblk;
		st.new_len = u.rec.len;
	}
	st.id = *obj;
	st.stripe = stripe;
	st.version = version;
	st.base_version = u.rec.version;
	st.unit = unit;
	st.first = first;
	st.nblk = end - first;
	st.crcs = alloc_crcs(unit);
	st.data = leofs_bigbuf_get(((size_t)st.nblk + 1) * OSS_BLOCK_SIZE);
	if (!st.crcs || !st.data) {
		r = -ENOMEM;
		goto unlock;
	}
	memset(st.data, 0, (size_t)st.nblk * OSS_BLOCK_SIZE);
	/* merge onto the committed blocks, which must verify */
	have = u.rec.nblk > end ? end : u.rec.nblk;
	if (have > first)
		r = oss_object_read_blocks(t, &u.o, stripe, &u.rec, first,
					   have - first, st.data);
	if (r)
		goto unlock;
	if (len)
		memcpy(st.data + (off - (size_t)first * OSS_BLOCK_SIZE), data,
		       len);
	leofs_crc32c_blocks(st.data, (size_t)st.nblk * OSS_BLOCK_SIZE,
			    OSS_BLOCK_SIZE, st.crcs);

	r = oss_target_check_space(t, 2 * (u64)st.nblk * OSS_BLOCK_SIZE +
					      oss_stage_header_size(st.nblk));
	if (!r)
		r = reserve_stripe(&u.o, stripe, first, st.nblk);
	if (!r)
		r = oss_stage_write(t, &st, OSS_STAGE_PREPARED, &fd);
	oss_crash_point("prepare:written");
	if (!r) {
		r = sync_files(t, fd, u.o.data_fd, t->staging_fd, u.o.dir_fd);
		oss_crash_point("prepare:synced");
		if (!r)
			r = sync_files(t, u.o.meta_fd, -1, -1, -1);
		close(fd);
	}
unlock:
	end_update(t, &u);
	oss_stage_free(&st);
	return r;
}

int oss_stripe_commit(struct oss_target *t, const struct oss_obj_id *obj,
		      u32 unit, u64 stripe, u64 version)
{
	struct oss_stage st = { 0 };
	struct update u;
	int r;

	if (!version)
		return -EINVAL;
	r = begin_update(t, obj, unit, stripe, 0, 0, false, &u);
	if (r)
		return r;
	r = oss_stage_read(t, obj, stripe, OSS_STAGE_PREPARED, false, &st);
	if (r == -ENOENT || (!r && st.version != version)) {
		/* already committed (a retry, or a roll-forward) */
		r = u.rec.version == version ? 0 : -ENOENT;
		goto unlock;
	}
	if (r == -EBADMSG)
		oss_target_count_checksum_error(t);
	if (r)
		goto unlock;
	if (st.base_version != u.rec.version || st.unit != unit) {
		r = -ESTALE;
		goto unlock;
	}
	/* the commit point: once the rename is durable, recovery redoes it */
	r = oss_stage_rename(t, obj, stripe, OSS_STAGE_PREPARED,
			     OSS_STAGE_COMMITTED);
	oss_crash_point("commit:renamed");
	if (!r)
		r = sync_files(t, -1, -1, t->staging_fd, -1);
	oss_crash_point("commit:synced");
	if (!r)
		r = apply_committed(t, &u.o, &st, &u.rec);
unlock:
	end_update(t, &u);
	oss_stage_free(&st);
	return r;
}

int oss_stripe_abort(struct oss_target *t, const struct oss_obj_id *obj,
		     u32 unit, u64 stripe, u64 version)
{
	int r = check_range(unit, stripe, 0, 0);

	if (!r)
		r = writable(t);
	if (r)
		return r;
	oss_lock_object(t, obj, false);
	oss_lock_stripe(t, obj, stripe, true);
	if (prepared_version(t, obj, stripe) == version) {
		r = oss_stage_unlink(t, obj, stripe, OSS_STAGE_PREPARED);
		oss_crash_point("abort:unlinked");
		if (!r)
			r = sync_files(t, -1, -1, t->staging_fd, -1);
	}
	oss_unlock_stripe(t, obj, stripe);
	oss_unlock_object(t, obj);
	return r;
}

/*
 * The record goes first (synced: from then on the stripe reads as never
 * written), then the blocks' space. A crash before the sync leaves the
 * stripe at @version or absent, both states the primary's undo allows.
 */
int oss_stripe_undo_new(struct oss_target *t, const struct oss_obj_id *obj,
			u32 unit, u64 stripe, u64 version)
{
	struct update u;
	int r;

	if (!version)
		return -EINVAL;
	r = begin_update(t, obj, unit, stripe, 0, 0, false, &u);
	if (r)
		return r == -ENOENT ? 0 : r;
	if (!u.rec.version)
		goto unlock;
	if (u.rec.version != version) {
		r = -ESTALE;
		goto unlock;
	}
	if (prepared_version(t, obj, stripe)) {
		r = -EBUSY;
		goto unlock;
	}
	r = oss_record_erase(&u.o, stripe);
	oss_crash_point("undo:erased");
	if (!r)
		r = sync_files(t, u.o.meta_fd, -1, -1, -1);
	oss_crash_point("undo:synced");
	/*
	 * Give the space back. Not fatal if the filesystem can't: blocks no
	 * record points at are never read, and a later write reuses them.
	 */
	if (!r && fallocate(u.o.data_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			    (off_t)(stripe * u.o.unit), (off_t)u.o.unit) < 0)
		r = 0;
unlock:
	end_update(t, &u);
	return r;
}
