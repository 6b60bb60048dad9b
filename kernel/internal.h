/* SPDX-License-Identifier: GPL-2.0 */
/* leofs.ko internal interfaces, grouped by the file that defines them. */
#ifndef LEOFS_INTERNAL_H
#define LEOFS_INTERNAL_H

#ifdef pr_fmt
#undef pr_fmt
#endif
#define pr_fmt(fmt) "leofs: " fmt

#include <linux/fs.h>
#include <linux/fs_parser.h>
#include <linux/kobject.h>
#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "leofs/proto.h"
#include "leofs/proto_msg.h"
#include "leofs/map.h"

/*
 * The root directory's inode id: shard 0, local id 1. Every MDS cluster
 * creates it with the filesystem.
 */

#define LEOFS_MAX_MOUNT_ADDRS 8
#define LEOFS_MAX_RETRANS     10
#define LEOFS_MAX_TIMEO	      600 /* seconds */
#define LEOFS_MAX_AC	      3600 /* seconds, attribute cache */

/* Largest reply accepted for a metadata request (READDIR is the biggest). */
#define LEOFS_MD_REPLY_MAX (256u << 10)

/* ---- main.c -------------------------------------------------------------- */

extern struct workqueue_struct *leofs_wq;

/* Module parameters: the defaults of new mounts. */
extern unsigned int leofs_default_timeo;
extern unsigned int leofs_default_retrans;
extern unsigned int leofs_default_max_inflight;
extern unsigned int leofs_default_readahead_kb;
extern unsigned int leofs_default_reconnect_max_ms;
extern unsigned int leofs_default_data_retry_s;

/* ---- selfcheck.c --------------------------------------------------------- */

int leofs_selfcheck(void);

/* ---- options.c ----------------------------------------------------------- */

struct leofs_mount_opts {
	struct sockaddr_storage addrs[LEOFS_MAX_MOUNT_ADDRS];
	unsigned int naddrs;
	char *source; /* as given, for /proc/mounts */
	char *fsname; /* a label; NULL if none */
	u8 cluster_id[16];
	bool has_cluster_id;
	bool noac;
	u32 acregmin, acregmax, acdirmin, acdirmax; /* seconds */
	u32 timeo; /* seconds per attempt */
	u32 retrans; /* attempts after the first */
};

extern const struct fs_parameter_spec leofs_param_specs[];
int leofs_parse_param(struct fs_context *fc, struct fs_parameter *param);
int leofs_opts_finish(struct fs_context *fc, struct leofs_mount_opts *o);
void leofs_opts_init(struct leofs_mount_opts *o);
void leofs_opts_free(struct leofs_mount_opts *o);
int leofs_show_options(struct seq_file *m, struct dentry *root);

/* ---- stats (counters read by sysfs.c and netlink.c) ----------------------- */

/* Opcodes counted per type; index = position in leofs_stat_ops[]. */
#define LEOFS_NR_STAT_OPS 26
extern const u16 leofs_stat_ops[LEOFS_NR_STAT_OPS];
int leofs_stat_op_index(u16 opcode);

struct leofs_stats {
	atomic64_t rpcs[LEOFS_NR_STAT_OPS];
	atomic64_t retries; /* requests sent again */
	atomic64_t timeouts; /* attempts that timed out */
	atomic64_t reconnects; /* connections re-established */
	atomic64_t bad_frames; /* frames that dropped a connection */
	atomic64_t late_replies; /* replies after the caller gave up */
	atomic64_t map_updates;
	/* data path */
	atomic64_t bytes_read; /* file bytes read from storage servers */
	atomic64_t bytes_written; /* file bytes written to storage servers */
	atomic64_t stripes_written; /* WRITE_STRIPE requests (or slices) */
	atomic64_t partial_writes; /* PARTIAL_WRITE requests */
	atomic64_t fragment_reads; /* READ_FRAGMENT requests */
	atomic64_t degraded_reads; /* stripe reads that fell back */
	atomic64_t checksum_errors; /* fragments a server found corrupt */
	atomic64_t write_errors; /* writeback failures reported to files */
	atomic64_t data_retries; /* storage requests sent again */
};

/* ---- super.c -------------------------------------------------------------- */

/* Tunables, changed at run time through sysfs; read with READ_ONCE. */
struct leofs_tunables {
	u32 readahead_kb;
	u32 max_inflight; /* per connection */
	u32 timeo; /* seconds */
	u32 retrans;
	u32 acregmin, acregmax, acdirmin, acdirmax;
	u32 reconnect_max_ms;
	u32 data_retry_s; /* how long a write waits for a PG to take it */
};

struct leofs_cmap;
struct leofs_pg_table;

#define LEOFS_PGT_CACHE 8

/* One mount (sb->s_fs_info). */
struct leofs_fs_info {
	struct super_block *sb;
	unsigned int id; /* /sys/fs/leofs/<id> */
	struct list_head mounts; /* leofs_mounts, under leofs_mounts_lock */
	struct leofs_mount_opts opts;
	struct leofs_tunables tun;
	struct leofs_stats stats;
	struct net *net;

	/* connections, one per server address */
	struct mutex conns_lock;
	struct list_head conns;
	struct leofs_conn *boot_conn; /* the first reachable mount address */
	bool shutting_down;
	u8 cluster_id[16]; /* from the options or the first HELLO */
	bool cluster_known;

	/* cluster map (clustermap.c) */
	spinlock_t map_lock;
	struct leofs_cmap *map;
	struct work_struct map_work; /* refresh */
	u64 map_wanted; /* an epoch some server announced */

	/* PG tables by (pool, width, epoch), stripe.c */
	struct mutex pgt_lock;
	struct leofs_pg_table *pgt[LEOFS_PGT_CACHE];
	unsigned int pgt_next; /* the entry replaced next */

	/* bumped by every change of an inode's attributes (inode.c) */
	atomic64_t attr_version;

	struct kobject kobj; /* sysfs.c */
	struct completion kobj_unregister;
	struct dentry *debugfs; /* debugfs.c */
};

static inline struct leofs_fs_info *LEOFS_FS(struct super_block *sb)
{
	return sb->s_fs_info;
}

extern struct file_system_type leofs_fs_type;
extern struct list_head leofs_mounts;
extern struct mutex leofs_mounts_lock;

int leofs_super_init(void);
void leofs_super_exit(void);

/* ---- conn.c: one TCP connection to one server ------------------------------ */

enum leofs_conn_state {
	LEOFS_CONN_IDLE, /* not connected, no attempt pending */
	LEOFS_CONN_CONNECTING, /* TCP connect in progress or scheduled */
	LEOFS_CONN_HELLO, /* connected, HELLO sent */
	LEOFS_CONN_READY,
	LEOFS_CONN_CLOSED, /* torn down for good (umount) */
};

struct leofs_req;

struct leofs_conn {
	struct leofs_fs_info *fsi;
	struct list_head node; /* in fsi->conns */
	struct sockaddr_storage addr;
	char name[64]; /* "192.0.2.1:7000", "[::1]:7000" */

	struct mutex sock_mutex; /* publishing and shutting sock */
	struct socket *sock;

	spinlock_t lock; /* everything below */
	enum leofs_conn_state state;
	int last_err; /* of the last failed attempt */
	unsigned int attempts; /* failed attempts since READY */
	unsigned int backoff_ms;
	unsigned long since; /* jiffies of the last state change */
	u64 session_id; /* 0 until the first HELLO reply */
	u64 server_epoch; /* map epoch the server announced */
	u32 server_node;
	u64 generation; /* bumped by every fault */
	u32 peer_kind; /* LEOFS_PEER_MDS or LEOFS_PEER_OSS */
	unsigned long connect_failures; /* ever; never reset */

	struct xarray reqs; /* request id -> struct leofs_req */
	atomic64_t last_id; /* the last request id handed out */
	unsigned int inflight; /* requests in the table */
	struct list_head sendq; /* requests waiting to be sent */
	struct leofs_req *sending; /* frame being written */
	size_t sent; /* bytes of it written */

	/* receive state, receiver work only */
	u8 rhdr[LEOFS_FRAME_HDR_SIZE];
	size_t rhdr_have;
	struct leofs_frame_hdr rh;
	u8 *rbody;
	size_t rbody_have;
	bool ever_ready;
	bool rdiscard; /* late reply: read and drop */
	void *discard_buf; /* PAGE_SIZE */
	struct leofs_req *rreq;

	wait_queue_head_t wait; /* state changes, free slots */
	struct work_struct send_work;
	struct work_struct recv_work;
	struct delayed_work connect_work;

	void (*saved_data_ready)(struct sock *sk);
	void (*saved_write_space)(struct sock *sk);
	void (*saved_state_change)(struct sock *sk);
};

struct leofs_conn *leofs_conn_create(struct leofs_fs_info *fsi,
				     const struct sockaddr_storage *addr,
				     u32 peer_kind);
void leofs_conn_start(struct leofs_conn *conn);
void leofs_conn_fault(struct leofs_conn *conn, int err, const char *why);
int leofs_conn_bad(struct leofs_conn *conn, const char *why);
void leofs_conn_close(struct leofs_conn *conn);
void leofs_conn_free(struct leofs_conn *conn);
bool leofs_conn_same_addr(const struct leofs_conn *conn,
			  const struct sockaddr_storage *addr);
const char *leofs_conn_state_name(enum leofs_conn_state s);
/* Waits until READY, or an attempt failed, or timeout (jiffies). */
int leofs_conn_wait_ready(struct leofs_conn *conn, long timeout);
void leofs_conn_kick(struct leofs_conn *conn);

/* ---- rpc.c: requests in flight ---------------------------------------------- */

enum leofs_req_state {
	LEOFS_REQ_QUEUED, /* in sendq, or being written */
	LEOFS_REQ_SENT, /* fully written, waiting for the reply */
	LEOFS_REQ_DONE, /* reply or error; out of the table */
};

struct leofs_req {
	struct kref ref;
	struct leofs_conn *conn;
	struct list_head queue; /* in conn->sendq */
	u64 id;
	u16 opcode;
	bool idempotent;
	bool was_sent; /* written at least once */
	bool internal; /* HELLO: sent before READY */
	enum leofs_req_state state;
	u64 sent_session; /* session it was written in */
	unsigned long start; /* jiffies, first submission */
	unsigned int attempts;
	u32 reply_max;
	void *frame; /* encoded frame, id included */
	size_t frame_len;
	int result; /* 0 or negative errno, once DONE */
	void *reply; /* body, reply_len bytes, once DONE */
	u32 reply_len;
	struct completion done;
	void (*complete)(struct leofs_req *req); /* instead of a waiter */
};

struct leofs_req *leofs_req_alloc(struct leofs_conn *conn, u16 opcode,
				  bool idempotent);
void leofs_req_put(struct leofs_req *req);
int leofs_req_submit(struct leofs_req *req);
int leofs_req_wait(struct leofs_req *req);
void leofs_req_cancel(struct leofs_req *req, int err);
/* Called by the receiver with a reply body it hands over; under no lock. */
void leofs_req_finish(struct leofs_req *req, int result, void *body, u32 len);
struct leofs_req *leofs_reqs_requeue_locked(struct leofs_conn *conn,
					    struct list_head *dead);
void leofs_reqs_finish_dead(struct leofs_conn *conn, struct list_head *dead);
/* After a new HELLO: fails what must not be resent in a new session. */
void leofs_reqs_session_changed(struct leofs_conn *conn);
/* Fails every request (umount). */
void leofs_reqs_fail_all(struct leofs_conn *conn, int err);
bool leofs_opcode_idempotent(u16 opcode);

/* ---- marshal.c: messages <-> requests --------------------------------------- */

/* A decoded reply and the body its pointers refer to. */
struct leofs_reply {
	void *body;
	u32 len;
	u32 status; /* the reply's status, LEOFS_S_* */
};

void leofs_reply_free(struct leofs_reply *r);
void leofs_fill_creds(struct leofs_creds *c);
int leofs_req_encode(struct leofs_req *req, const void *msg, size_t msg_size);
/*
 * Encodes msg as a request, sends it on conn and waits; the reply is
 * decoded into out (out_size: its struct). Returns 0 or a negative errno:
 * the reply status mapped, a transport error, or -EIO for a reply that does
 * not decode (the connection is then dropped). *raw owns the body that
 * out points into: free it with leofs_reply_free() even on error.
 */
int leofs_call(struct leofs_conn *conn, u16 opcode, const void *msg,
	       size_t msg_size, void *out, size_t out_size,
	       struct leofs_reply *raw);
/* The same, routed to the MDS that serves ino, retried on map changes. */
int leofs_mds_call(struct leofs_fs_info *fsi, u64 ino, u16 opcode,
		   const void *msg, size_t msg_size, void *out, size_t out_size,
		   struct leofs_reply *raw);
/* Encodes a HELLO frame for conn. */
struct leofs_req *leofs_hello_req(struct leofs_conn *conn);

/* ---- clustermap.c: the cached cluster map ------------------------------------ */

struct leofs_cmap {
	refcount_t ref; /* the mount's, and each leofs_cmap_get() */
	struct leofs_map map; /* arrays follow in the same allocation */
};

struct leofs_cmap *leofs_cmap_get(struct leofs_fs_info *fsi);
void leofs_cmap_put(struct leofs_cmap *cm);

int leofs_map_fetch(struct leofs_fs_info *fsi, struct leofs_conn *conn);
int leofs_map_push(struct leofs_conn *conn, const void *body, u32 len);
void leofs_map_announce(struct leofs_fs_info *fsi, u64 epoch);
void leofs_map_work(struct work_struct *work);
u64 leofs_map_epoch(struct leofs_fs_info *fsi);
void leofs_map_free(struct leofs_fs_info *fsi);

/* ---- mds_select.c: which server gets a request ------------------------------- */

struct leofs_conn *leofs_conn_get_addr(struct leofs_fs_info *fsi,
				       const struct sockaddr_storage *addr,
				       u32 peer_kind);
int leofs_addr_to_sockaddr(const struct leofs_addr *a,
			   struct sockaddr_storage *ss);
int leofs_mds_select(struct leofs_fs_info *fsi, u64 ino,
		     struct leofs_conn **out);
int leofs_mds_bootstrap(struct leofs_fs_info *fsi);
void leofs_conns_destroy(struct leofs_fs_info *fsi);

/* ---- inode.c ------------------------------------------------------------------ */

struct leofs_inode {
	struct inode vfs;
	u64 ino; /* leofs inode id */
	u64 generation;
	unsigned long attr_time; /* jiffies when attributes were fetched */
	unsigned long attr_timeout; /* jiffies they stay valid */
	u64 attr_version; /* fsi->attr_version at the last change applied */
	struct leofs_layout layout;
	struct mutex io_mutex; /* one sender of stripes at a time */
	unsigned long data_flags; /* LEOFS_DATA_* bits */
};

/* Written since the last COMMIT_SIZE: the MDS's size and mtime are old. */
#define LEOFS_DATA_DIRTY 0

static inline struct leofs_inode *LEOFS_I(struct inode *inode)
{
	return container_of(inode, struct leofs_inode, vfs);
}

/* Data written here that the servers or the MDS do not have yet. */
static inline bool leofs_has_local_writes(struct inode *inode)
{
	return test_bit(LEOFS_DATA_DIRTY, &LEOFS_I(inode)->data_flags) ||
	       mapping_tagged(inode->i_mapping, PAGECACHE_TAG_DIRTY) ||
	       mapping_tagged(inode->i_mapping, PAGECACHE_TAG_WRITEBACK);
}

extern const struct inode_operations leofs_file_iops;
extern const struct inode_operations leofs_symlink_iops;
extern const struct inode_operations leofs_special_iops;

int leofs_inode_cache_init(void);
void leofs_inode_cache_exit(void);
struct inode *leofs_alloc_inode(struct super_block *sb);
void leofs_free_inode(struct inode *inode);
/*
 * Attributes from a reply are applied with the stamp leofs_attr_stamp()
 * gave before the request was sent, or with LEOFS_ATTR_CHANGED for the
 * reply to a change this client made; a read's reply older than a change
 * applied meanwhile is dropped.
 */
#define LEOFS_ATTR_CHANGED U64_MAX
static inline u64 leofs_attr_stamp(struct super_block *sb)
{
	return (u64)atomic64_read(&LEOFS_FS(sb)->attr_version);
}
struct inode *leofs_iget(struct super_block *sb, const struct leofs_attr *a,
			 u64 stamp);
void leofs_inode_refresh(struct inode *inode, const struct leofs_attr *a,
			 u64 stamp);
void leofs_inode_invalidate(struct inode *inode);
int leofs_revalidate_attrs(struct inode *inode, bool force);
int leofs_getattr(struct user_namespace *ns, const struct path *path,
		  struct kstat *stat, u32 mask, unsigned int flags);
int leofs_setattr(struct user_namespace *ns, struct dentry *dentry,
		  struct iattr *attr);

/* ---- dir.c -------------------------------------------------------------------- */

extern const struct inode_operations leofs_dir_iops;
extern const struct dentry_operations leofs_dentry_ops;

/* ---- readdir.c ------------------------------------------------------------------ */

extern const struct file_operations leofs_dir_fops;

/* ---- file.c --------------------------------------------------------------------- */

extern const struct file_operations leofs_file_fops;

/* ---- iobuf.c: file bytes in folios or a flat buffer ------------------------------ */

/*
 * A byte range [start, start + len) of a file held either in a flat kernel
 * buffer or in consecutive PAGE_SIZE folios, the first at start.
 */
struct leofs_iobuf {
	u64 start;
	u64 len;
	u8 *flat;
	struct folio **folios;
};

void leofs_iobuf_put(const struct leofs_iobuf *b, u64 off, const void *src,
		     size_t len);
void leofs_iobuf_get(const struct leofs_iobuf *b, u64 off, void *dst,
		     size_t len);

/* ---- stripe.c: file offsets -> stripes, PGs and targets ---------------------------- */

struct leofs_place {
	u32 slot;
	u64 stripe; /* within the slot's object */
	struct leofs_pg_ref ref;
	u32 width; /* k + m */
	u32 targets[LEOFS_MAX_FRAGMENTS]; /* rank order; 0 is the primary */
};

int leofs_layout_usable(const struct leofs_layout *l);
int leofs_place_stripe(struct leofs_fs_info *fsi, u64 ino,
		       const struct leofs_layout *l, u64 g,
		       struct leofs_place *p);
void leofs_pgt_free(struct leofs_fs_info *fsi);
void leofs_data_refresh_map(struct leofs_fs_info *fsi, u64 seen_epoch);

/* ---- oss_client.c: requests to storage servers -------------------------------------- */

struct leofs_oss_op {
	struct leofs_req *req;
	struct leofs_conn *conn;
	unsigned long failures0; /* conn->connect_failures when sent */
	int err; /* 0, or why it could not be sent */
	void *body; /* the reply body after leofs_oss_wait(), owned */
	u32 len;
};

bool leofs_oss_target_down(struct leofs_fs_info *fsi, u32 target_id);
int leofs_oss_send(struct leofs_fs_info *fsi, u32 target_id, u16 opcode,
		   const void *msg, size_t msg_size, struct leofs_oss_op *op);
int leofs_oss_wait(struct leofs_oss_op *op);
void leofs_oss_op_release(struct leofs_oss_op *op);
bool leofs_err_is_transport(int err);
int leofs_oss_to_every_node(struct leofs_fs_info *fsi, u16 opcode,
			    const void *msg, size_t msg_size);

/* ---- read.c ------------------------------------------------------------------------- */

int leofs_data_read(struct inode *inode, u64 off, u64 len,
		    const struct leofs_iobuf *dst);
int leofs_read_folio(struct file *file, struct folio *folio);
void leofs_readahead(struct readahead_control *ractl);

/* ---- write.c ------------------------------------------------------------------------ */

int leofs_data_write(struct inode *inode, u64 off, u64 len, u64 isize,
		     const struct leofs_iobuf *src);

/* ---- writeback.c -------------------------------------------------------------------- */

extern const struct address_space_operations leofs_file_aops;
extern const struct vm_operations_struct leofs_file_vm_ops;

/* ---- size.c ------------------------------------------------------------------------- */

int leofs_commit_size(struct inode *inode);
int leofs_flush_and_commit(struct inode *inode);
int leofs_truncate_objects(struct inode *inode, u64 old_size, u64 new_size);

/* ---- direct.c ----------------------------------------------------------------------- */

ssize_t leofs_direct_read(struct kiocb *iocb, struct iov_iter *to);
ssize_t leofs_direct_write(struct kiocb *iocb, struct iov_iter *from);

/* ---- xattr.c -------------------------------------------------------------------- */

extern const struct xattr_handler *leofs_xattr_handlers[];
ssize_t leofs_listxattr(struct dentry *dentry, char *buf, size_t size);

/* ---- sysfs.c -------------------------------------------------------------------- */

int leofs_sysfs_init(void);
void leofs_sysfs_exit(void);
int leofs_sysfs_register(struct leofs_fs_info *fsi);
void leofs_sysfs_unregister(struct leofs_fs_info *fsi);

/* ---- debugfs.c ------------------------------------------------------------------ */

void leofs_debugfs_init(void);
void leofs_debugfs_exit(void);
void leofs_debugfs_register(struct leofs_fs_info *fsi);
void leofs_debugfs_unregister(struct leofs_fs_info *fsi);

/* ---- netlink.c ------------------------------------------------------------------ */

int leofs_netlink_init(void);
void leofs_netlink_exit(void);

#endif /* LEOFS_INTERNAL_H */
