/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the namespace engine, shared by its files only.
 */
#ifndef MDS_INTERNAL_H
#define MDS_INTERNAL_H

#include <lmdb.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/stat.h>

#include "mds.h"
#include "ino.h"

#define MAY_EXEC  1
#define MAY_WRITE 2
#define MAY_READ  4

/* Inode flags (struct mds_inode.flags). */
#define MDS_INO_F_DATA 0x1u /* objects may exist on the storage servers */
/* A directory whose removal another shard is committing: no new entries. */
#define MDS_INO_F_DYING 0x2u
/*
 * A directory a prepared cross-shard action will change: no other change
 * of its entries until that action is committed or aborted (-EINPROGRESS,
 * the caller waits).
 */
#define MDS_INO_F_XLOCK 0x4u

/* Deepest directory tree walked when looking for a loop. */
#define MDS_WALK_MAX 65536

/* The first cookie given to a directory entry; 0..2 are never used. */
#define MDS_COOKIE_FIRST 3

/* The decoded inode record. */
struct mds_inode {
	u64 ino;
	u32 mode;
	u32 nlink;
	u32 uid;
	u32 gid;
	u32 flags; /* MDS_INO_F_* */
	u64 size;
	struct mds_time atime;
	struct mds_time mtime;
	struct mds_time ctime;
	u64 generation;
	u64 parent; /* directories: the directory holding it */
	u64 next_cookie; /* directories: cookie of the next entry */
	struct mds_layout layout;
};

struct mds_dentry {
	u64 ino;
	u64 cookie;
	u8 type;
};

struct mds_shard;

/*
 * One queued change. apply() runs in the writer thread inside the batch's
 * write transaction. It must make every check before its first write: a
 * check may fail with a negative errno and leave the transaction as it
 * was; a failed write poisons the batch (mds_store_fail()).
 */
struct mds_op {
	int (*apply)(struct mds_shard *sh, MDB_txn *txn, struct mds_op *op);
	void *arg;
	const struct mds_creds *cr;
	const struct mds_req *req; /* reply cache, or NULL */
	u32 kind; /* enum mds_op_kind, for the reply cache */
	int rc;
	bool has_attr;
	bool created;
	bool replayed; /* answered from the reply cache, not applied */
	sem_t done; /* posted once the op's batch is durable */
	struct mds_attr attr;
	struct mds_op *next;
};

enum mds_op_kind {
	MDS_OP_CREATE = 1,
	MDS_OP_MKDIR,
	MDS_OP_SYMLINK,
	MDS_OP_LINK,
	MDS_OP_UNLINK,
	MDS_OP_RMDIR,
	MDS_OP_RENAME,
	MDS_OP_SETATTR,
	MDS_OP_OTHER, /* never cached */
};

struct mds_shard {
	struct mds_engine *eng;
	u16 id;
	MDB_env *env;
	MDB_dbi meta, inodes, dentries, dcookies, xattrs, symlinks, delq,
		rcache, sessions, intents, xprep;

	/* writer state: touched by the writer thread only */
	u64 next_local; /* next local inode id */
	u64 next_delq; /* next deletion queue seq */
	u64 next_intent; /* next cross-shard intent seq */
	bool counters_dirty;
	int batch_err; /* first failed write of the batch */

	pthread_mutex_t lock;
	pthread_cond_t work; /* queue not empty, or stopping */
	struct mds_op *head, **tail;
	bool stopping;
	pthread_t writer;
	bool writer_started;
	u64 commits, ops, replays;
};

struct mds_engine {
	struct mds_shard *shards;
	u32 nr_shards;
	u32 rcache_per_session;
	u32 max_batch;
	pthread_rwlock_t map_lock;
	const struct leofs_map *map;

	/* cross-shard operations (xshard.c) */
	struct mds_xshard_ops xops;
	pthread_mutex_t xlock;
	u64 *xbusy; /* intents a request is driving right now */
	u32 nr_xbusy, xbusy_cap;
};

/* ---- store.c: environments, records, keys ---- */

int mds_store_open(struct mds_shard *sh, const char *dir, u64 map_size,
		   const struct mds_layout *root_layout);
void mds_store_close(struct mds_shard *sh);
struct mds_shard *mds_shard_of(struct mds_engine *eng, u64 ino);
/* The shard of ino, or NULL with *err = -EXDEV. */
struct mds_shard *mds_shard_for(struct mds_engine *eng, u64 ino, int *err);

int mds_err(int mdb_rc); /* LMDB/system error -> -errno */
int mds_store_fail(struct mds_shard *sh, int mdb_rc);

void mds_now(struct mds_time *t);
void mds_inode_to_attr(const struct mds_inode *in, struct mds_attr *out);

/* Reads: 0, -ESTALE (no such inode) or another -errno. */
int mds_inode_get(MDB_txn *txn, struct mds_shard *sh, u64 ino,
		  struct mds_inode *out);
/* Writes (poison the batch on failure). */
int mds_inode_put(MDB_txn *txn, struct mds_shard *sh,
		  const struct mds_inode *in);
int mds_inode_del(MDB_txn *txn, struct mds_shard *sh, u64 ino);

/* 0, -ENOENT or another -errno. */
int mds_dentry_get(MDB_txn *txn, struct mds_shard *sh, u64 parent,
		   const char *name, size_t len, struct mds_dentry *out);
/* Takes a new cookie from *dir (which the caller then writes back). */
int mds_dentry_add(MDB_txn *txn, struct mds_shard *sh, struct mds_inode *dir,
		   const char *name, size_t len, u64 ino, u8 type);
int mds_dentry_del(MDB_txn *txn, struct mds_shard *sh, u64 parent,
		   const char *name, size_t len, u64 cookie);
/* Re-points an entry at another inode, keeping its name and cookie. */
int mds_dentry_repoint(MDB_txn *txn, struct mds_shard *sh, u64 parent,
		       const char *name, size_t len, u64 cookie, u64 ino,
		       u8 type);
/* 1 if the directory has entries, 0 if not, or -errno. */
int mds_dir_has_entries(MDB_txn *txn, struct mds_shard *sh, u64 dir);

/* Removes an inode whose last link is gone: record, xattrs, symlink. */
int mds_inode_release(MDB_txn *txn, struct mds_shard *sh,
		      const struct mds_inode *in);
/* Drops one link (ctime): released with the last one. */
int mds_drop_link(MDB_txn *txn, struct mds_shard *sh, struct mds_inode *in);
int mds_store_save_counters(MDB_txn *txn, struct mds_shard *sh);
int mds_delq_push(MDB_txn *txn, struct mds_shard *sh, u32 kind,
		  const struct mds_inode *in, u64 size);

u64 mds_alloc_ino(struct mds_shard *sh);
u8 mds_mode_dtype(u32 mode);

static inline void mds_put_be64(u64 v, u8 *p)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (u8)v;
		v >>= 8;
	}
}

static inline u64 mds_get_be64(const u8 *p)
{
	u64 v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* ---- cross-shard operations: xshard.c (coordinator), xprep.c ---- */

struct mds_xrun;
typedef int (*mds_xstep_fn)(struct mds_shard *sh, MDB_txn *txn,
			    struct mds_xrun *x, struct mds_op *op);

/* plan: nothing to change, the operation succeeds as it is. */
#define MDS_XPLAN_DONE 2

/*
 * One kind of cross-shard operation. plan() reads what the operation needs
 * (any shard) and returns 1 if it lies within the coordinator's shard, 0
 * to run it, MDS_XPLAN_DONE or an error. begin() checks in the
 * coordinator's transaction and fills act[] (the participants' actions);
 * commit() makes the coordinator's changes, with the participants'
 * answers in ans[] and the reply in op->attr. Both make every check
 * before their first write.
 */
struct mds_xkind {
	const char *step; /* crash point prefix: "mkdir", "rename", ... */
	u32 kind; /* enum mds_op_kind of the request */
	int (*plan)(struct mds_engine *eng, const struct mds_creds *cr,
		    struct mds_xrun *x);
	mds_xstep_fn begin;
	mds_xstep_fn commit;
};

/* One cross-shard operation under way. */
struct mds_xrun {
	const struct mds_xkind *k;
	u64 route; /* an inode of the coordinator's shard */
	void *ctx; /* the operation's arguments and plan */
	u32 nr;
	struct mds_xprep act[MDS_XSHARD_SLOTS];
	struct mds_xans ans[MDS_XSHARD_SLOTS];
};

/*
 * Plans and runs an operation of kind k coordinated by route's shard,
 * again (after a pause) while it meets conflicts. A request already
 * answered gets its answer. Returns 1 if the operation lies within one
 * shard (the caller takes the one-shard path), else its result; the
 * reply's attributes in *out (may be NULL).
 */
int mds_xdrive(struct mds_engine *eng, const struct mds_creds *cr,
	       const struct mds_req *req, const struct mds_xkind *k, u64 route,
	       void *ctx, struct mds_attr *out);
/* A lock held or an entry changed meanwhile: worth another attempt. */
bool mds_xconflict(int rc);
void mds_xbackoff(u32 attempt);
/* prepare (or a read) at a participant shard, served here or not. */
int mds_xpeer_prepare(struct mds_engine *eng, const struct mds_xprep *p,
		      struct mds_xans *out);
/* -EINVAL if directory dir is anc or lies below it, across shards. */
int mds_xwalk(struct mds_engine *eng, u64 dir, u64 anc);

/*
 * The directory-move record (xmove.c), on the root directory's shard:
 * every rename moving a directory to another parent bumps gen; owner is
 * the intent holding it between its prepare and its commit (0: none).
 */
#define MDS_XMOVE_SHARD 0 /* the root directory's shard */

struct mds_dirmove {
	u64 gen;
	u64 owner;
};

/* The generation, on MDS_XMOVE_SHARD served here; -EBUSY while held. */
int mds_xmove_peek(struct mds_engine *eng, u64 *gen);
/* DIRMOVE prepare: takes the record if gen is still current (-EBUSY). */
int mds_xmove_hold(MDB_txn *txn, struct mds_shard *sh, u64 intent, u64 gen);
/* DIRMOVE commit (bumps gen) or abort; nothing if intent holds nothing. */
int mds_xmove_release(MDB_txn *txn, struct mds_shard *sh, u64 intent,
		      bool commit);
/* A move within MDS_XMOVE_SHARD: check (-EINPROGRESS while held), bump. */
int mds_xmove_check(MDB_txn *txn, struct mds_shard *sh, struct mds_dirmove *dm);
int mds_xmove_bump(MDB_txn *txn, struct mds_shard *sh, struct mds_dirmove *dm);

/* One directory entry of a cross-shard operation (xentry.c). */
struct mds_xentry {
	u64 parent;
	const char *name;
	size_t len;
	u64 ino; /* the inode it names (not yet known for mkdir) */
};

/*
 * Removal: finds the entry's inode (a directory or not, as @dir says);
 * 1 if the one-shard path answers (no such entry, or the inode on the
 * parent's shard), else 0 with e->ino set.
 */
int mds_xentry_plan_del(struct mds_engine *eng, struct mds_xentry *e,
			bool dir);
/*
 * In the coordinator's transaction: the parent (writable and searchable
 * by the caller), and its entry: absent (@add), or still naming e->ino
 * (-EINPROGRESS if it was replaced meanwhile).
 */
int mds_xentry_check(MDB_txn *txn, struct mds_shard *sh,
		     const struct mds_op *op, const struct mds_xentry *e,
		     bool add, struct mds_inode *dir, struct mds_dentry *de);
/*
 * Adds the entry for the inode a participant answered with (@attr, which
 * is also the reply); the parent gains @links links and a new mtime.
 */
int mds_xentry_add(MDB_txn *txn, struct mds_shard *sh, struct mds_op *op,
		   const struct mds_xentry *e, struct mds_inode *dir,
		   const struct mds_attr *attr, s32 links);
/*
 * Removes the entry @de if the caller may delete the inode answered as
 * @attr; the parent changes by @links links and gets a new mtime.
 */
int mds_xentry_del(MDB_txn *txn, struct mds_shard *sh, struct mds_op *op,
		   const struct mds_xentry *e, struct mds_inode *dir,
		   const struct mds_dentry *de, const struct mds_attr *attr,
		   s32 links);

/* The operations (xdir.c, xlink.c, xrename.c); 1: within one shard. */
int mds_xmkdir(struct mds_engine *eng, const struct mds_creds *cr,
	       const struct mds_req *req, u64 parent, const char *name,
	       size_t len, u32 mode, struct mds_attr *out);
int mds_xrmdir(struct mds_engine *eng, const struct mds_creds *cr,
	       const struct mds_req *req, u64 parent, const char *name,
	       size_t len);
int mds_xlink(struct mds_engine *eng, const struct mds_creds *cr,
	      const struct mds_req *req, u64 ino, u64 parent, const char *name,
	      size_t len, struct mds_attr *out);
int mds_xunlink(struct mds_engine *eng, const struct mds_creds *cr,
		const struct mds_req *req, u64 parent, const char *name,
		size_t len);
/* force: also when every inode is local (a loop check crossed shards). */
int mds_xrename(struct mds_engine *eng, const struct mds_creds *cr,
		const struct mds_req *req, u64 old_parent, const char *old_name,
		size_t old_len, u64 new_parent, const char *new_name,
		size_t new_len, u32 flags, bool force);

/* Participant side, with the target shard served here. */
int mds_xprep_prepare(struct mds_engine *eng, const struct mds_xprep *p,
		      struct mds_xans *out);
int mds_xprep_finish(struct mds_engine *eng, u16 shard, u64 intent,
		     bool commit);
/* Walks up from dir over the shards served here (WALK). */
int mds_xprep_walk(struct mds_engine *eng, u64 dir, u64 anc, u64 *next);

/* An inode as far as attributes tell (permission checks). */
void mds_attr_to_inode(const struct mds_attr *a, struct mds_inode *in);

/*
 * Named steps of the cross-shard protocol. Returns true when the step is
 * to be treated as a crash (a test hook), in which case the caller stops
 * at once; with LEOFS_MDS_CRASH naming the step the process is killed.
 */
bool mds_crashpoint(const char *point);

/* ---- perm.c ---- */

bool mds_in_group(const struct mds_creds *cr, u32 gid);
int mds_permission(const struct mds_creds *cr, const struct mds_inode *in,
		   int mask);
/* Sticky directory rule for removing or replacing victim in dir. */
int mds_may_delete(const struct mds_creds *cr, const struct mds_inode *dir,
		   const struct mds_inode *victim);
bool mds_is_owner(const struct mds_creds *cr, const struct mds_inode *in);

/* ---- commit.c: the writer thread ---- */

int mds_writer_start(struct mds_shard *sh);
void mds_writer_stop(struct mds_shard *sh);
/* Queues op on sh and waits until its transaction is durable. */
int mds_submit(struct mds_shard *sh, struct mds_op *op);

typedef int (*mds_apply_fn)(struct mds_shard *sh, MDB_txn *txn,
			    struct mds_op *op);

/* Routes a change to the shard of 'route' and waits for it (mds_submit). */
int mds_run(struct mds_engine *eng, u64 route, const struct mds_creds *cr,
	    const struct mds_req *req, u32 kind, mds_apply_fn apply, void *arg,
	    struct mds_op *op);

/* A read transaction on the shard of ino. */
int mds_read_begin(struct mds_engine *eng, u64 ino, struct mds_shard **sh,
		   MDB_txn **txn);

/* ---- rcache.c ---- */

/* 1 and op filled if cached, 0 if not, or -errno. */
int mds_rcache_get(MDB_txn *txn, struct mds_shard *sh, struct mds_op *op);
int mds_rcache_put(MDB_txn *txn, struct mds_shard *sh, const struct mds_op *op);

/* ---- layout.c ---- */

const struct leofs_map *mds_map_get(struct mds_engine *eng);
void mds_map_put(struct mds_engine *eng);

/* ---- common checks (ns.c) ---- */

/* A new inode's fields (all but its id) as the caller creates it in dir. */
void mds_inode_init(const struct mds_creds *cr, const struct mds_inode *dir,
		    u32 mode, struct mds_inode *in);

/* Loads parent and checks it is a directory the caller may search. */
int mds_dir_get(MDB_txn *txn, struct mds_shard *sh, const struct mds_creds *cr,
		u64 dir, int mask, struct mds_inode *out);

#endif /* MDS_INTERNAL_H */
