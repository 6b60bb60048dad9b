/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leofs-oss storage engine: durable, checksummed, crash-safe fragments on
 * local targets. Documentation/oss.md describes the on-disk format and why a
 * crash at any point is safe.
 *
 * A target is a directory on a local filesystem (one per disk). It holds one
 * object per (inode, slot, fragment index); stripe n's fragment of that slot
 * lives at byte n * unit in the object. Every 4 KiB block carries a CRC32C,
 * checked on every read. Every stripe carries a committed version number.
 *
 * Every function returns 0 or a negative errno. Functions that modify a
 * target return only once the change is durable (group commit). Distinct
 * errors callers act on:
 *   -EBADMSG  stored data failed its checksum (never returned as data)
 *   -ENOSPC   the target is full or would dip into its reserve
 *   -ESTALE   a version precondition failed (see oss_stripe_prepare())
 *   -EBUSY    another version is prepared on that stripe
 *   -EIO      the disk failed; the target refuses further writes
 */
#ifndef LEOFS_OSS_H
#define LEOFS_OSS_H

#include <stdbool.h>
#include <stddef.h>

#include "leofs/compat.h"
#include "leofs/map.h"

#define OSS_BLOCK_SIZE 4096u
#define OSS_UNIT_MIN   OSS_BLOCK_SIZE
#define OSS_UNIT_MAX   (64u << 20)
#define OSS_WEIGHT_MAX 1000000u

/* Tiers are the cluster map's enum leofs_tier (LEOFS_TIER_SSD = 0, ...). */

/* "ssd", "sas", "sata"; NULL for an unknown value. */
const char *oss_tier_name(u32 tier);
/* Returns the tier, or -EINVAL for an unknown name. */
int oss_tier_parse(const char *name);

/* Parse "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (hex, any case). */
int oss_uuid_parse(const char *s, u8 uuid[16]);
/* Format into buf (at least 37 bytes). */
void oss_uuid_format(const u8 uuid[16], char *buf);

struct oss_obj_id {
	u64 ino;
	u32 slot;
	u32 frag;
};

struct oss_target_opts {
	/* A write fails with -ENOSPC rather than leave less free space. */
	u64 reserve_bytes;
	/* Group commit: how long the flusher waits for more work (0: none). */
	unsigned int group_commit_us;
};

struct oss_target;

/*
 * Format the empty (or missing) directory @path as a target. The superblock
 * is written last, atomically, so an interrupted format is recognised as
 * half-formatted by oss_target_open() and can simply be formatted again
 * after emptying the directory.
 */
int oss_target_format(const char *path, const u8 cluster_id[16], u32 target_id,
		      u32 tier, u32 weight);

/*
 * Open a formatted target, check that it belongs to @cluster_id and is
 * @target_id, and recover staged updates left by a crash. On refusal the
 * reason is written to @why (may be NULL).
 */
int oss_target_open(const char *path, const u8 cluster_id[16], u32 target_id,
		    const struct oss_target_opts *opts, struct oss_target **out,
		    char *why, size_t why_len);

/* Waits for pending syncs, then frees the target. */
void oss_target_close(struct oss_target *t);

u32 oss_target_tier(const struct oss_target *t);
u32 oss_target_weight(const struct oss_target *t);

struct oss_stripe_info {
	u64 version; /* committed version; 0: never written */
	u64 prepared; /* version prepared but not committed; 0: none */
	u32 frag_len; /* committed fragment length in bytes */
	/*
	 * oss_stripe_read(): the CRC32C of the bytes read, when the engine
	 * could join it from the CRCs of the whole blocks it checked
	 */
	bool crc_known;
	u32 crc;
};

/*
 * Read bytes [off, off + len) of stripe @stripe's fragment (off + len <=
 * unit). Bytes past the fragment length, and stripes never written, read as
 * zeros. @info (may be NULL) receives the stripe's versions.
 */
int oss_stripe_read(struct oss_target *t, const struct oss_obj_id *obj,
		    u32 unit, u64 stripe, u32 off, u32 len, void *buf,
		    struct oss_stripe_info *info);

/*
 * Like oss_stripe_read(), but the bytes of the version prepared and not
 * yet committed (-ENOENT if none; -EAGAIN if the stripe changed during
 * the read). Used to roll a stripe forward.
 */
int oss_stripe_read_prepared(struct oss_target *t, const struct oss_obj_id *obj,
			     u32 unit, u64 stripe, u32 off, u32 len, void *buf,
			     struct oss_stripe_info *info);

/* Only the versions and length of a stripe. */
int oss_stripe_stat(struct oss_target *t, const struct oss_obj_id *obj,
		    u32 unit, u64 stripe, struct oss_stripe_info *info);

/*
 * Version numbers: (map epoch << OSS_VERSION_N_BITS) | n. A PG primary
 * takes each new version of a stripe from its rank-0 target, which never
 * issues a number twice (versions.c). -ESTALE: this target issued under a
 * newer epoch already; -EOVERFLOW: epoch or n out of range.
 */
#define OSS_VERSION_N_BITS    40
#define OSS_VERSION_N_END     (1ull << OSS_VERSION_N_BITS)
#define OSS_VERSION_EPOCH_END (1ull << (64 - OSS_VERSION_N_BITS))

int oss_target_new_version(struct oss_target *t, u64 epoch, u64 *version);

/*
 * Replace the whole fragment with @len bytes (len <= unit) at @version,
 * which must be above the committed one (-ESTALE otherwise). Atomic: after
 * a crash the stripe holds either the old or the new fragment. A stripe
 * never written before takes a faster path without staging.
 */
int oss_stripe_write(struct oss_target *t, const struct oss_obj_id *obj,
		     u32 unit, u64 stripe, u64 version, const void *data,
		     u32 len);
/*
 * A new stripe: the same, but -ESTALE if a version is committed there and
 * -EBUSY if one is prepared. @crcs (may be NULL): the CRC32C of each 4 KiB
 * block of @data, already checked by the caller (used only when len is a
 * multiple of 4 KiB).
 */
int oss_stripe_create(struct oss_target *t, const struct oss_obj_id *obj,
		      u32 unit, u64 stripe, u64 version, const void *data,
		      u32 len, const u32 *crcs);

/*
 * Durably stage bytes [off, off + len) of a new version of the fragment,
 * without changing what reads return. @version must be above the committed
 * one (-ESTALE). Preparing the version already prepared replaces it; any
 * other prepared version gives -EBUSY (abort it first). The fragment grows
 * to off + len if that is longer.
 */
int oss_stripe_prepare(struct oss_target *t, const struct oss_obj_id *obj,
		       u32 unit, u64 stripe, u64 version, u32 off,
		       const void *data, u32 len);

/*
 * Make prepared @version visible, atomically. Committing the version that
 * is already committed succeeds (roll-forward retries). -ENOENT: nothing
 * prepared at that version. -ESTALE: the committed version changed since
 * the prepare.
 */
int oss_stripe_commit(struct oss_target *t, const struct oss_obj_id *obj,
		      u32 unit, u64 stripe, u64 version);

/* Drop prepared @version (succeeds if nothing is prepared at it). */
int oss_stripe_abort(struct oss_target *t, const struct oss_obj_id *obj,
		     u32 unit, u64 stripe, u64 version);

/*
 * Drop a stripe oss_stripe_create() made at @version (the primary refused
 * that write): it reads as never written again. Nothing there: 0.
 * -ESTALE: another version is committed; -EBUSY: a version is prepared.
 */
int oss_stripe_undo_new(struct oss_target *t, const struct oss_obj_id *obj,
			u32 unit, u64 stripe, u64 version);

/* Drop every stripe >= @nstripes of the object (missing object: 0). */
int oss_object_truncate(struct oss_target *t, const struct oss_obj_id *obj,
			u64 nstripes);

/* Remove the object and anything staged for it (missing object: 0). */
int oss_object_delete(struct oss_target *t, const struct oss_obj_id *obj);

struct oss_statfs {
	u64 capacity_bytes; /* size of the target's filesystem */
	u64 free_bytes; /* available to leofs, after the reserve */
	u64 used_bytes; /* allocated by objects */
	u64 objects;
	u64 checksum_errors;
	u32 tier;
	u32 weight;
};

int oss_target_statfs(struct oss_target *t, struct oss_statfs *st);

/* Group commit counters, for tests and statistics. */
struct oss_sync_stats {
	u64 waits; /* operations that waited for durability */
	u64 passes; /* flusher passes, each completing a batch */
	u64 syncs; /* fsync, fdatasync and syncfs calls */
};

void oss_target_sync_stats(struct oss_target *t, struct oss_sync_stats *st);

#endif /* LEOFS_OSS_H */
