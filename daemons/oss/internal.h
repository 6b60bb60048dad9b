/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the leofs-oss storage engine shared by its files. The on-disk
 * format is described in Documentation/oss.md.
 */
#ifndef LEOFS_OSS_INTERNAL_H
#define LEOFS_OSS_INTERNAL_H

#include <dirent.h>
#include <pthread.h>
#include <sys/types.h>

#include "oss.h"
#include "sync.h"
#include "leofs/crc.h"

/* ---- target layout ------------------------------------------------------ */

#define OSS_SB_NAME	"leofs-target"
#define OSS_SB_TMP_NAME "leofs-target.tmp"
#define OSS_VERSIONS_NAME     "versions"
#define OSS_VERSIONS_TMP_NAME "versions.tmp"
#define OSS_OBJECTS_DIR "objects"
#define OSS_STAGING_DIR "staging"
#define OSS_FANOUT	256 /* objects/<xx>/<yy>/: 256 x 256 directories */

#define OSS_SB_MAGIC   "LEOFSTGT"
#define OSS_SB_VERSION 2
#define OSS_SB_SIZE    64

struct oss_superblock {
	u32 version;
	u32 target_id;
	u8 cluster_id[16];
	u32 tier;
	u32 weight;
	u64 ctime;
};

void oss_sb_encode(const struct oss_superblock *sb, u8 buf[OSS_SB_SIZE]);
/* Returns 0, or -EINVAL with *why naming the problem. */
int oss_sb_decode(const u8 *buf, size_t len, struct oss_superblock *sb,
		  const char **why);

#define OSS_OBJ_LOCKS	 64
#define OSS_STRIPE_LOCKS 256

struct oss_target {
	char *path;
	int root_fd;
	int objects_fd;
	int staging_fd;
	struct oss_superblock sb;
	struct oss_target_opts opts;
	struct oss_sync *sync;
	/* object lock (shared by stripe operations), then stripe lock */
	pthread_rwlock_t obj_locks[OSS_OBJ_LOCKS];
	pthread_rwlock_t stripe_locks[OSS_STRIPE_LOCKS];
	/* an update could not be applied: refuse writes until reopened */
	int failed; /* read and set with __atomic builtins */
	pthread_mutex_t stats_lock; /* protects the counters below */
	u64 used_bytes;
	u64 objects;
	u64 checksum_errors;
	pthread_mutex_t ver_lock; /* protects the three below (versions.c) */
	u64 ver_epoch;
	u64 ver_next;
	u64 ver_limit; /* durable: no number at or above it was issued */
};

/* How far ahead of the numbers issued the durable limit moves. */
#define OSS_VERSIONS_AHEAD (1ull << 16)

/* Write the counter of a target being formatted (in its root). */
int oss_versions_format(int root);
/* Read the counter at open; refuses (saying why) if missing or corrupt. */
int oss_versions_load(struct oss_target *t, char *why, size_t why_len);

void oss_target_count_checksum_error(struct oss_target *t);
/* Adjust the counters; deltas may be negative. */
void oss_target_account(struct oss_target *t, s64 bytes, s64 objects);
/* -ENOSPC if writing @bytes would leave less than the reserve free. */
int oss_target_check_space(struct oss_target *t, u64 bytes);
/* Count objects and their allocated bytes (at open). */
int oss_target_scan_usage(struct oss_target *t);

/* ---- I/O helpers -------------------------------------------------------- */

/* Whole-buffer pread/pwrite: 0, -EIO/-ENOSPC..., or -ENODATA on a short read. */
int oss_pread_full(int fd, void *buf, size_t len, off_t off);
int oss_pwrite_full(int fd, const void *buf, size_t len, off_t off);
/*
 * Replace file @name in directory @dir with @len bytes, atomically and
 * durably: written to @tmp, synced, renamed over @name, directory synced.
 */
int oss_replace_file(int dir, const char *tmp, const char *name,
		     const void *buf, size_t len);
/* Reserve space so later in-place writes cannot fail with ENOSPC. */
int oss_reserve_range(int fd, off_t off, off_t len);
/* Allocated bytes of an open file. */
u64 oss_file_bytes(int fd);
/* Says why in @why (@len bytes; may be NULL) and returns @err. */
int oss_refuse(char *why, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool oss_unit_valid(u32 unit);

static inline u32 oss_nblocks(u64 len)
{
	return (u32)((len + OSS_BLOCK_SIZE - 1) / OSS_BLOCK_SIZE);
}

/* ---- objects ------------------------------------------------------------ */

#define OSS_OBJ_MAGIC	 "LEOFSOBJ"
#define OSS_OBJ_VERSION	 1
#define OSS_OBJ_HDR_SIZE 4096u /* meta file header; records follow */
#define OSS_REC_MAGIC	 0x4345524cu /* "LREC" */
#define OSS_REC_HDR_SIZE 32u

struct oss_object {
	struct oss_obj_id id;
	int dir_fd; /* the object's directory */
	int data_fd;
	int meta_fd;
	u32 unit;
	u32 rec_size;
	char name[64]; /* file name stem inside dir_fd */
};

u64 oss_obj_hash(const struct oss_obj_id *id);
/* File name stem of an object: <ino>-<slot>-<frag>. */
void oss_object_stem(const struct oss_obj_id *id, char *buf, size_t len);
/* Open (or create) the object's directory; returns an fd or -errno. */
int oss_object_open_dir(struct oss_target *t, const struct oss_obj_id *id,
			bool create);

/*
 * Open an object whose fragment unit is @unit (0: take it from the object).
 * -ENOENT if it does not exist and !create; -EINVAL if it was created with
 * another unit. Creating makes the files but not their directory entries
 * durable: callers sync dir_fd with their data.
 */
int oss_object_open(struct oss_target *t, const struct oss_obj_id *id, u32 unit,
		    bool create, struct oss_object *o);
void oss_object_close(struct oss_object *o);

/* Lock helpers: object lock first, then stripe lock. */
void oss_lock_object(struct oss_target *t, const struct oss_obj_id *id,
		     bool excl);
void oss_unlock_object(struct oss_target *t, const struct oss_obj_id *id);
void oss_lock_stripe(struct oss_target *t, const struct oss_obj_id *id,
		     u64 stripe, bool excl);
void oss_unlock_stripe(struct oss_target *t, const struct oss_obj_id *id,
		       u64 stripe);

/* Committed state of one stripe: the valid record slot with the highest
 * version (two slots per stripe, written alternately). */
struct oss_record {
	u64 version; /* 0: no valid record, the stripe is absent */
	u32 len;
	u32 nblk;
	int slot; /* slot holding it, or -1 */
	u32 *crcs; /* caller's array of unit / OSS_BLOCK_SIZE entries */
};

u64 oss_record_offset(const struct oss_object *o, u64 stripe, int slot);
int oss_record_load(struct oss_object *o, u64 stripe, struct oss_record *rec);
/* Zero both record slots of @stripe: it reads as never written. */
int oss_record_erase(struct oss_object *o, u64 stripe);
/* Write @rec into the slot not holding the current record. */
int oss_record_store(struct oss_object *o, u64 stripe,
		     const struct oss_record *cur, u64 version, u32 len,
		     u32 nblk, const u32 *crcs);

/* Read and verify blocks [first, first + n) of a stripe (all < rec->nblk). */
int oss_object_read_blocks(struct oss_target *t, struct oss_object *o,
			   u64 stripe, const struct oss_record *rec, u32 first,
			   u32 n, u8 *buf);

/* ---- staged updates ----------------------------------------------------- */

#define OSS_STAGE_MAGIC	    0x47545353u /* "SSTG" */
#define OSS_STAGE_HDR_FIXED 128u
#define OSS_STAGE_FULL	    1u /* replaces the whole fragment */

enum oss_stage_kind {
	OSS_STAGE_TMP = 't', /* being written; discarded by recovery */
	OSS_STAGE_PREPARED = 'p', /* durable, invisible to reads */
	OSS_STAGE_COMMITTED = 'c', /* must be applied; redone by recovery */
};

struct oss_stage {
	struct oss_obj_id id;
	u64 stripe;
	u64 version;
	u64 base_version; /* committed version the blocks were merged on */
	u32 unit;
	u32 first; /* first block of the fragment it replaces */
	u32 nblk; /* blocks staged */
	u32 new_len; /* fragment length once applied */
	u32 flags;
	u32 *crcs; /* nblk entries */
	u8 *data; /* nblk blocks */
};

void oss_stage_name(const struct oss_obj_id *id, u64 stripe, char kind,
		    char *buf, size_t len);
/* Parse a staging file name; returns the kind or -EINVAL. */
int oss_stage_parse_name(const char *name, struct oss_obj_id *id, u64 *stripe);
u32 oss_stage_header_size(u32 nblk);
/* Write @st as <name>.t, then rename it to <name>.<kind>; returns the fd. */
int oss_stage_write(struct oss_target *t, const struct oss_stage *st, char kind,
		    int *fd_out);
/*
 * Read a staged file into @st (allocating crcs and data unless @hdr_only).
 * -ENOENT if absent, -EBADMSG if torn or corrupt.
 */
int oss_stage_read(struct oss_target *t, const struct oss_obj_id *id,
		   u64 stripe, char kind, bool hdr_only, struct oss_stage *st);
void oss_stage_free(struct oss_stage *st);
int oss_stage_rename(struct oss_target *t, const struct oss_obj_id *id,
		     u64 stripe, char from, char to);
int oss_stage_unlink(struct oss_target *t, const struct oss_obj_id *id,
		     u64 stripe, char kind);

/*
 * Apply a committed stage to the object: write its blocks in place and
 * store the new stripe record. Idempotent; the caller syncs.
 */
int oss_stage_apply(struct oss_object *o, const struct oss_stage *st,
		    struct oss_record *cur);

/* Recovery at open: discard or redo staged state (recover.c). */
int oss_recover(struct oss_target *t, char *why, size_t why_len);

/* The staging directory with a read position of its own. */
DIR *oss_stage_opendir(struct oss_target *t);
/* Unlink staged files of @id for stripes >= @from (all kinds). */
int oss_stage_drop_object(struct oss_target *t, const struct oss_obj_id *id,
			  u64 from);

/*
 * Crash tests set this hook; it is called between the steps of every
 * update with the step's name and may end the process right there.
 */
extern void (*oss_crash_hook)(const char *point);

static inline void oss_crash_point(const char *point)
{
	if (oss_crash_hook)
		oss_crash_hook(point);
}

#endif /* LEOFS_OSS_INTERNAL_H */
