/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The leofs-mds namespace engine: the durable, local metadata store that the
 * request handlers call. One LMDB environment per metadata shard; every
 * change is applied by the shard's writer thread and returns only once its
 * transaction is durable (group commit). See Documentation/mds.md.
 *
 * Conventions: functions return 0 (or a length) on success and a negative
 * errno on failure. An inode id that does not exist on a shard this engine
 * serves is -ESTALE (ids are never reused, so the handle is stale); an id on
 * a shard it does not serve is -EXDEV. A missing name is -ENOENT.
 */
#ifndef MDS_H
#define MDS_H

#include <stdbool.h>
#include <stddef.h>

#include "leofs/compat.h"
#include "leofs/map.h"

#define MDS_NAME_MAX	    255
#define MDS_SYMLINK_MAX	    4095
#define MDS_XATTR_NAME_MAX  255
#define MDS_XATTR_VALUE_MAX 65536
#define MDS_XATTR_LIST_MAX  65536 /* all names of one inode, with NULs */
#define MDS_MAX_GROUPS	    32
#define MDS_LINK_MAX	    65000
#define MDS_READDIR_MAX	    512 /* entries per mds_readdir() call */

/* The root directory: local id 1 on shard 0. */
#define MDS_ROOT_INO 1ull

struct mds_creds {
	u32 uid;
	u32 gid;
	u32 ngroups; /* <= MDS_MAX_GROUPS */
	u32 groups[MDS_MAX_GROUPS];
};

struct mds_time {
	s64 sec;
	u32 nsec; /* < 1000000000 */
};

enum mds_layout_scheme {
	MDS_LAYOUT_NONE = 0, /* no data objects */
	MDS_LAYOUT_REPLICA = 1, /* k = 1, m = copies - 1 */
	MDS_LAYOUT_EC = 2,
};

struct mds_layout {
	u32 pool_id;
	u8 scheme; /* enum mds_layout_scheme */
	u8 k;
	u8 m;
	u32 stripe_unit; /* bytes, power of two, 4 KiB..64 MiB */
	u32 stripe_count; /* 1..256 */
	u64 generation; /* bumped on every change */
};

#define MDS_STRIPE_UNIT_MIN  4096u
#define MDS_STRIPE_UNIT_MAX  (64u << 20)
#define MDS_STRIPE_COUNT_MAX 256
#define MDS_REPLICA_MAX	     4
#define MDS_EC_K_MIN	     2
#define MDS_EC_K_MAX	     16
#define MDS_EC_M_MAX	     4

struct mds_attr {
	u64 ino;
	u32 mode;
	u32 nlink;
	u32 uid;
	u32 gid;
	u64 size;
	u64 blocks; /* 512-byte units, estimated from size */
	struct mds_time atime;
	struct mds_time mtime;
	struct mds_time ctime;
	u64 generation;
	struct mds_layout layout;
};

/*
 * Identifies a request for the reply cache: a non-idempotent operation
 * carrying one is applied at most once per (session, request). NULL or
 * session 0 means no caching. Request ids must grow within a session: the
 * lowest ones are evicted first.
 */
struct mds_req {
	u64 session;
	u64 request;
};

struct mds_engine_opts {
	const char *data_dir; /* one subdirectory per shard */
	const u16 *shards;
	u32 nr_shards; /* 1..MDS_MAX_SHARDS */
	u64 map_size; /* LMDB map size per shard; 0 = 4 GiB */
	u32 rcache_per_session; /* 0 = 64 */
	u32 max_batch; /* ops per group commit; 0 = 4096 */
	struct mds_layout root_layout; /* layout of a new root directory */
};

#define MDS_MAX_SHARDS 64 /* shards one engine serves */

struct mds_engine;

int mds_engine_open(const struct mds_engine_opts *opts,
		    struct mds_engine **out);
void mds_engine_close(struct mds_engine *eng);

/*
 * The cluster map used to validate layouts. The engine keeps the pointer:
 * the caller keeps the map alive until it sets another one (or NULL).
 */
void mds_engine_set_map(struct mds_engine *eng, const struct leofs_map *map);

struct mds_engine_stats {
	u64 commits; /* durable LMDB write transactions */
	u64 ops; /* operations applied by them */
	u64 replays; /* answered from the reply cache */
};

void mds_engine_stats(struct mds_engine *eng, struct mds_engine_stats *st);

/* ---- sessions ------------------------------------------------------------ */

/* Drops every cached answer of a session, on every shard. */
int mds_session_forget(struct mds_engine *eng, u64 session);
/* Calls fn for every session with cached answers (any shard, maybe twice). */
int mds_session_list(struct mds_engine *eng, void (*fn)(u64 id, void *arg),
		     void *arg);

/* ---- namespace ----------------------------------------------------------- */

/* 0, -EINVAL (empty, '/', NUL, "." or "..") or -ENAMETOOLONG. */
int mds_name_check(const char *name, size_t len);

/*
 * Never waits for another MDS: an entry naming an inode on a shard not
 * served here is -EXDEV with out->ino set (out->mode: its type only); the
 * caller may then ask mds_getattr_any() off the event loop.
 */
int mds_lookup(struct mds_engine *eng, const struct mds_creds *cr, u64 parent,
	       const char *name, size_t len, struct mds_attr *out);
int mds_getattr(struct mds_engine *eng, u64 ino, struct mds_attr *out);

#define MDS_CREATE_EXCL 0x1u

/*
 * Regular file. Without EXCL an existing non-directory is returned as is
 * (*created = false), its attributes from its home MDS if need be (so
 * this may wait for another MDS); a directory there is -EISDIR.
 */
int mds_create(struct mds_engine *eng, const struct mds_creds *cr,
	       const struct mds_req *req, u64 parent, const char *name,
	       size_t len, u32 mode, u32 flags, struct mds_attr *out,
	       bool *created);
int mds_mkdir(struct mds_engine *eng, const struct mds_creds *cr,
	      const struct mds_req *req, u64 parent, const char *name,
	      size_t len, u32 mode, struct mds_attr *out);
int mds_symlink(struct mds_engine *eng, const struct mds_creds *cr,
		const struct mds_req *req, u64 parent, const char *name,
		size_t len, const char *target, size_t tlen,
		struct mds_attr *out);
int mds_link(struct mds_engine *eng, const struct mds_creds *cr,
	     const struct mds_req *req, u64 ino, u64 new_parent,
	     const char *name, size_t len, struct mds_attr *out);
int mds_unlink(struct mds_engine *eng, const struct mds_creds *cr,
	       const struct mds_req *req, u64 parent, const char *name,
	       size_t len);
int mds_rmdir(struct mds_engine *eng, const struct mds_creds *cr,
	      const struct mds_req *req, u64 parent, const char *name,
	      size_t len);

#define MDS_RENAME_NOREPLACE 0x1u
#define MDS_RENAME_EXCHANGE  0x2u

int mds_rename(struct mds_engine *eng, const struct mds_creds *cr,
	       const struct mds_req *req, u64 old_parent, const char *old_name,
	       size_t old_len, u64 new_parent, const char *new_name,
	       size_t new_len, u32 flags);

/* Copies the target into buf; returns its length or -ERANGE if cap is short. */
int mds_readlink(struct mds_engine *eng, u64 ino, char *buf, size_t cap);

struct mds_dirent {
	u64 ino;
	u64 cookie; /* pass it back to resume after this entry */
	u8 type; /* DT_* */
	const char *name; /* valid during the callback only */
	size_t len;
};

/* Returns 0 to go on, > 0 to stop before consuming this entry. */
typedef int (*mds_dirent_fn)(void *ctx, const struct mds_dirent *de);

/*
 * Entries with a cookie greater than 'cookie' (0 = from the start), at most
 * max_entries (<= MDS_READDIR_MAX). "." and ".." are not listed; entry
 * cookies are >= 3, so a client may use positions 0..2 for them. *eof is
 * set when no entry follows the last one delivered.
 */
int mds_readdir(struct mds_engine *eng, const struct mds_creds *cr, u64 ino,
		u64 cookie, u32 max_entries, mds_dirent_fn fn, void *ctx,
		bool *eof);

/* ---- cross-shard operations ---------------------------------------------- */

/*
 * mkdir, rmdir, rename, link and unlink whose names and inodes lie on more
 * than one shard run a logged two-phase protocol (Documentation/mds.md):
 * the shard that got the request (coordinator) logs an intent, every other
 * shard involved (participant) prepares its actions, the coordinator
 * commits its side, then the participants commit. Intents are global ids:
 * the coordinator's shard in the top 16 bits, a sequence below.
 */
enum mds_xshard_op {
	MDS_XSHARD_MKDIR = 1, /* create a directory inode */
	MDS_XSHARD_RMDIR = 2, /* remove an empty directory inode */
	MDS_XSHARD_NLINK = 3, /* change a non-directory's link count */
	MDS_XSHARD_MOVED = 4, /* renamed: ctime, and a directory's parent */
	MDS_XSHARD_ENTRY = 5, /* set, replace or remove a directory entry */
	MDS_XSHARD_PROBE = 6, /* read: a directory and one of its entries */
	MDS_XSHARD_WALK = 7, /* read: is a directory below another one */
	MDS_XSHARD_DIRMOVE = 8, /* hold the directory-move generation */
	MDS_XSHARD_MOVEGEN = 9, /* read: the directory-move generation */
};

#define MDS_XSHARD_SLOTS 8 /* actions of one intent */

struct mds_xprep {
	u64 intent; /* 0 with PROBE, WALK and MOVEGEN */
	u16 shard; /* the participant */
	u32 op; /* enum mds_xshard_op */
	u32 slot; /* the action's index within the intent */
	u64 ino; /* the inode acted on; ENTRY: the new target (0: remove) */
	u64 parent; /* MKDIR, ENTRY, PROBE: the directory; MOVED: the new
		     * parent (0: unchanged); WALK: the ancestor looked for */
	u32 mode; /* MKDIR: S_IFDIR | permission bits */
	u32 uid;
	u32 gid;
	struct mds_layout layout;
	u64 expect; /* ENTRY: the entry's current inode (0: none);
		     * DIRMOVE: the generation read (MOVEGEN) */
	u8 type; /* ENTRY: the new entry's type (DT_*) */
	s32 delta; /* NLINK, ENTRY: link count change, -1..1 */
	const char *name; /* ENTRY, PROBE */
	size_t len;
};

/* A participant's answer. */
struct mds_xans {
	struct mds_attr attr; /* the inode; ENTRY, PROBE: the directory;
			       * DIRMOVE, MOVEGEN: the root */
	u64 entry_ino; /* PROBE: the entry's inode (0: none); WALK: the next
			* ancestor, on a shard not served there (0: none);
			* MOVEGEN: the generation */
	u8 entry_type;
};

/*
 * How the coordinator reaches a shard this engine does not serve. Both
 * are idempotent per intent; a transport failure is a negative errno.
 */
struct mds_xshard_ops {
	int (*prepare)(void *arg, const struct mds_xprep *p,
		       struct mds_xans *out);
	int (*finish)(void *arg, u16 shard, u64 intent, bool commit);
	int (*getattr)(void *arg, u64 ino, struct mds_attr *out);
	void *arg;
};

/* Set before serving (NULL ops: only shards served here are reached). */
void mds_engine_set_xshard(struct mds_engine *eng,
			   const struct mds_xshard_ops *ops);

/*
 * The attributes of an inode wherever it lives: on a shard served here,
 * else from its MDS through the ops (blocks: not for the event loop).
 * -EXDEV without ops; an unreachable MDS is -EAGAIN.
 */
int mds_getattr_any(struct mds_engine *eng, u64 ino, struct mds_attr *out);

/* Participant entry points, for requests from another MDS. */
int mds_xshard_prepare(struct mds_engine *eng, const struct mds_xprep *p,
		       struct mds_xans *out);
int mds_xshard_finish(struct mds_engine *eng, u16 shard, u64 intent,
		      bool commit);

/*
 * Completes (committed) or rolls back (not committed) every logged intent
 * of the served shards that no request is driving. Returns the number
 * still left (a participant unreachable) or a negative errno.
 */
int mds_xshard_recover(struct mds_engine *eng);

/* Test hook: a crash point returning true stops the operation there. */
extern bool (*mds_crash_hook)(const char *point);

/* ---- attributes ---------------------------------------------------------- */

#define MDS_SET_MODE	  0x01u
#define MDS_SET_UID	  0x02u
#define MDS_SET_GID	  0x04u
#define MDS_SET_SIZE	  0x08u
#define MDS_SET_ATIME	  0x10u
#define MDS_SET_MTIME	  0x20u
#define MDS_SET_ATIME_NOW 0x40u
#define MDS_SET_MTIME_NOW 0x80u
#define MDS_SET_CTIME	  0x100u /* explicit ctime: root only */
#define MDS_SET_KNOWN	  0x1ffu

struct mds_setattr {
	u32 valid; /* MDS_SET_* */
	u32 mode; /* permission bits (07777) */
	u32 uid;
	u32 gid;
	u64 size;
	struct mds_time atime;
	struct mds_time mtime;
	struct mds_time ctime;
};

int mds_setattr(struct mds_engine *eng, const struct mds_creds *cr,
		const struct mds_req *req, u64 ino,
		const struct mds_setattr *sa, struct mds_attr *out);

/*
 * Size and mtime from a client's flush or close. The size only grows
 * (truncation is setattr); the caller must own the file or may write it.
 */
int mds_commit_size(struct mds_engine *eng, const struct mds_creds *cr, u64 ino,
		    u64 size, const struct mds_time *mtime,
		    struct mds_attr *out);

/* ---- xattrs -------------------------------------------------------------- */

#define MDS_XATTR_CREATE  0x1u
#define MDS_XATTR_REPLACE 0x2u

/* The virtual xattr holding a file's or directory's layout in text form. */
#define MDS_XATTR_LAYOUT "leofs.layout"

/* size 0: only the length. Returns the length, -ENODATA, -ERANGE. */
int mds_getxattr(struct mds_engine *eng, const struct mds_creds *cr, u64 ino,
		 const char *name, size_t nlen, void *buf, size_t size);
int mds_listxattr(struct mds_engine *eng, const struct mds_creds *cr, u64 ino,
		  char *buf, size_t size);
/* why (may be NULL) receives the reason a leofs.layout value was refused. */
int mds_setxattr(struct mds_engine *eng, const struct mds_creds *cr, u64 ino,
		 const char *name, size_t nlen, const void *value, size_t vlen,
		 u32 flags, char *why, size_t why_len);
int mds_removexattr(struct mds_engine *eng, const struct mds_creds *cr, u64 ino,
		    const char *name, size_t nlen);

/* ---- layouts ------------------------------------------------------------- */

int mds_get_layout(struct mds_engine *eng, u64 ino, struct mds_layout *out);
/* Directories, and regular files still empty (-EBUSY otherwise). */
int mds_set_layout(struct mds_engine *eng, const struct mds_creds *cr, u64 ino,
		   const struct mds_layout *layout, char *why, size_t why_len);

/*
 * Checks a layout against the map (NULL: shape only). Returns 0 or -EINVAL
 * with the reason in why.
 */
int mds_layout_validate(const struct mds_layout *l, const struct leofs_map *map,
			char *why, size_t why_len);

/*
 * The layout a new cluster's root gets without "default_layout" in its
 * description: on the map's first pool, EC 4+1 if at least 5 nodes hold
 * targets of its tier, else replica min(3, nodes); 1 MiB units, one
 * stripe. No such node: no layout (scheme NONE).
 */
#define MDS_DEFAULT_UNIT (1u << 20)
void mds_layout_default(const struct leofs_map *map, struct mds_layout *out);

/*
 * Text form: "pool=<name> scheme=ec k=<k> m=<m> unit=<bytes> count=<n>" or
 * "pool=<name> scheme=replica n=<copies> unit=<bytes> count=<n>"; a pool
 * missing from the map is written "#<id>". Parsing is strict: single
 * spaces, every key exactly once, decimal numbers.
 */
int mds_layout_format(const struct mds_layout *l, const struct leofs_map *map,
		      char *buf, size_t cap);
int mds_layout_parse(const char *text, size_t len, const struct leofs_map *map,
		     struct mds_layout *out, char *why, size_t why_len);

/* ---- deletion queue ------------------------------------------------------ */

enum mds_delq_kind {
	MDS_DELQ_DELETE = 1, /* remove every object of the inode */
	MDS_DELQ_TRUNCATE = 2, /* cut the objects down to size */
};

struct mds_delq_entry {
	u64 seq; /* position in the shard's queue */
	u32 kind; /* enum mds_delq_kind */
	u64 ino;
	u64 size;
	struct mds_layout layout;
};

/* Up to max entries of shard's queue with seq > after, oldest first. */
int mds_delq_peek(struct mds_engine *eng, u16 shard, u64 after,
		  struct mds_delq_entry *ents, u32 max);
/* Removes a drained entry (0 also if it was already gone). */
int mds_delq_ack(struct mds_engine *eng, u16 shard, u64 seq);

/* ---- statfs -------------------------------------------------------------- */

/* One storage target's report, as the OSS sends it. */
struct mds_target_space {
	u64 capacity; /* bytes */
	u64 used; /* bytes */
	u32 state; /* LEOFS_STATE_* */
};

struct mds_statfs {
	u32 bsize;
	u32 namelen;
	u64 blocks;
	u64 bfree;
	u64 bavail;
	u64 files;
	u64 ffree;
};

int mds_statfs(struct mds_engine *eng, const struct mds_target_space *t,
	       size_t nr, struct mds_statfs *out);

#endif /* MDS_H */
