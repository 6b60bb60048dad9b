// SPDX-License-Identifier: GPL-2.0
/*
 * kfake_server: a small stand-in for leofs-mds that the kernel client
 * tests talk to on 127.0.0.1. It answers HELLO, MAP_GET and the namespace
 * requests from a tiny in-memory tree, and can misbehave on purpose to
 * show that nothing a server sends can hurt the client:
 *
 *	kfake_server PORT MODE [TRIGGER-OPCODE [COUNT]]
 *
 * MODE is one of
 *	ok		well-behaved
 *	garbage		bytes that are not a frame
 *	truncated	half a reply, then close
 *	oversized	a header announcing a body beyond any limit
 *	big		a reply larger than the request may get back
 *	badcrc		a reply with a wrong CRC
 *	unknown-id	a reply to a request id never sent
 *	unknown-op	a reply with an opcode that does not exist
 *	wrong-op	a reply with another request's opcode
 *	badbody		a well-framed reply whose body does not decode
 *	badpush		a MAP_PUSH whose body does not decode
 *	badmap		a MAP_GET reply carrying a malformed map
 *	stall		never answer
 *	close		close the connection
 *	root-attr	answer with the root's attributes (a MKDIR: a new
 *			directory that is the root)
 *	late		hold a GETATTR or LOOKUP reply of an inode other than
 *			the root (with its attributes as they are now) and
 *			send it 0.5 s after the next request's answer
 * The misbehaviour happens on the first COUNT (default 1) requests with
 * TRIGGER-OPCODE (a name such as LOOKUP or HELLO; default LOOKUP); all
 * other requests are answered properly. Prints "ready" once listening.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "leofs/proto.h"
#include "leofs/proto_map.h"
#include "leofs/proto_msg.h"

#define ROOT_INO     1ull
#define MAX_NODES    4096
#define FILLER_FILES 1000 /* entries listed in /big */
#define SESSION	     0x5e55104ull

struct node {
	int used;
	unsigned long long ino, parent;
	char name[LEOFS_NAME_MAX + 1];
	unsigned mode, nlink, uid, gid;
	char target[LEOFS_SYMLINK_MAX + 1];
	char xname[LEOFS_XATTR_NAME_MAX + 1];
	char xvalue[256];
	unsigned xlen;
};

static struct node nodes[MAX_NODES];
static unsigned long long next_ino = 2;
static const u8 cluster_id[16] = { 0x1e, 0x0f, 0x5c, 0x1a };
static u16 port;
static const char *mode = "ok";
static u16 trigger = LEOFS_OP_LOOKUP;
static int remaining = 1;
static unsigned long long big_ino;

static struct node *node_by_ino(unsigned long long ino)
{
	for (int i = 0; i < MAX_NODES; i++)
		if (nodes[i].used && nodes[i].ino == ino)
			return &nodes[i];
	return NULL;
}

static struct node *node_by_name(unsigned long long parent, const void *name,
				 u32 len)
{
	for (int i = 0; i < MAX_NODES; i++)
		if (nodes[i].used && nodes[i].parent == parent &&
		    strlen(nodes[i].name) == len &&
		    !memcmp(nodes[i].name, name, len) &&
		    nodes[i].ino != ROOT_INO)
			return &nodes[i];
	return NULL;
}

static struct node *node_new(unsigned long long parent, const void *name,
			     u32 len, unsigned mode)
{
	for (int i = 0; i < MAX_NODES; i++) {
		if (nodes[i].used)
			continue;
		memset(&nodes[i], 0, sizeof(nodes[i]));
		nodes[i].used = 1;
		nodes[i].ino = next_ino++;
		nodes[i].parent = parent;
		memcpy(nodes[i].name, name, len);
		nodes[i].mode = mode;
		nodes[i].nlink = (mode & LEOFS_S_IFMT) == LEOFS_S_IFDIR ? 2 : 1;
		return &nodes[i];
	}
	return NULL;
}

static int has_children(unsigned long long ino)
{
	for (int i = 0; i < MAX_NODES; i++)
		if (nodes[i].used && nodes[i].parent == ino &&
		    nodes[i].ino != ROOT_INO)
			return 1;
	return 0;
}

static void fill_attr(const struct node *n, struct leofs_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = n->ino;
	a->mode = n->mode;
	a->nlink = n->nlink;
	a->uid = n->uid;
	a->gid = n->gid;
	a->size = (n->mode & LEOFS_S_IFMT) == LEOFS_S_IFLNK ?
			  strlen(n->target) :
			  0;
	a->mtime.sec = a->ctime.sec = a->atime.sec = 1700000000;
	a->generation = 1;
}

static void tree_init(void)
{
	struct node *root = &nodes[0], *big;
	char name[32];

	root->used = 1;
	root->ino = ROOT_INO;
	root->parent = ROOT_INO;
	root->mode = LEOFS_S_IFDIR | 0777;
	root->nlink = 2;
	big = node_new(ROOT_INO, "big", 3, LEOFS_S_IFDIR | 0755);
	big_ino = big->ino;
	for (int i = 0; i < FILLER_FILES; i++) {
		int len = snprintf(name, sizeof(name), "f%05d", i);

		node_new(big_ino, name, len, LEOFS_S_IFREG | 0644);
	}
}

/* ---- frames ------------------------------------------------------------ */

static int write_all(int fd, const void *buf, size_t len)
{
	const u8 *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static u8 out[LEOFS_FRAME_HDR_SIZE + (1 << 20)];

static int send_frame(int fd, u16 op, u32 flags, u64 id, const void *msg,
		      size_t size)
{
	struct leofs_frame_hdr h = {
		.version = 1,
		.opcode = op,
		.flags = flags,
		.req_id = id,
	};
	int len = leofs_frame_build(out, sizeof(out), &h, msg, size);

	if (len < 0) {
		fprintf(stderr, "kfake: cannot encode a reply: %d\n", len);
		return -1;
	}
	return write_all(fd, out, len);
}

static int reply(int fd, const struct leofs_frame_hdr *req, const void *msg,
		 size_t size)
{
	return send_frame(fd, req->opcode, LEOFS_FLAG_REPLY, req->req_id, msg,
			  size);
}

static int reply_status(int fd, const struct leofs_frame_hdr *req, u32 st)
{
	struct leofs_status_reply r = { .status = st };

	/* every reply's error form is the bare status */
	struct leofs_frame_hdr h = { .version = 1,
				     .opcode = req->opcode,
				     .flags = LEOFS_FLAG_REPLY,
				     .req_id = req->req_id };
	u8 buf[LEOFS_FRAME_HDR_SIZE + 4];

	put_unaligned_le32(r.status, buf + LEOFS_FRAME_HDR_SIZE);
	h.body_len = 4;
	leofs_frame_hdr_encode(&h, buf);
	leofs_frame_seal(buf, buf + LEOFS_FRAME_HDR_SIZE, 4);
	return write_all(fd, buf, sizeof(buf));
}

/* A raw frame with the given header fields and body, CRC made right. */
static int send_raw(int fd, u16 op, u32 flags, u64 id, const void *body,
		    u32 len, int corrupt_crc)
{
	struct leofs_frame_hdr h = { .version = 1,
				     .opcode = op,
				     .flags = flags,
				     .req_id = id,
				     .body_len = len };
	u8 hdr[LEOFS_FRAME_HDR_SIZE];

	leofs_frame_hdr_encode(&h, hdr);
	leofs_frame_seal(hdr, body, len);
	if (corrupt_crc)
		hdr[24] ^= 0x5a;
	if (write_all(fd, hdr, sizeof(hdr)))
		return -1;
	return write_all(fd, body, len);
}

/* ---- map ---------------------------------------------------------------- */

static int map_encoded(u8 *buf, size_t cap)
{
	struct leofs_map_mds mds = { .id = 1,
				     .state = LEOFS_STATE_UP | LEOFS_STATE_IN };
	struct leofs_map_shard shard = { .id = 0,
					 .weight = LEOFS_WEIGHT_ONE,
					 .primary_mds = 1 };
	struct leofs_map map = {
		.epoch = 1,
		.mds_count = 1,
		.shard_count = 1,
		.mds = &mds,
		.shards = &shard,
	};
	u32 scratch[1];

	memcpy(map.cluster_id, cluster_id, 16);
	mds.addr.family = 4;
	mds.addr.port = port;
	mds.addr.addr[0] = 127;
	mds.addr.addr[3] = 1;
	return leofs_map_encode(&map, buf, cap, scratch);
}

/* ---- misbehaving -------------------------------------------------------- */

static u8 junk[2 << 20];

static int reply_attr(int fd, const struct leofs_frame_hdr *h,
		      const struct node *n);

/* Returns 1 to close the connection, 0 to keep serving, -1 on error. */
static int misbehave(int fd, const struct leofs_frame_hdr *req)
{
	u8 body[64];

	fprintf(stderr, "kfake: %s on %s\n", mode, leofs_op_name(req->opcode));
	if (!strcmp(mode, "garbage")) {
		memset(junk, 0xa5, 4096);
		write_all(fd, junk, 4096);
		return 0;
	}
	if (!strcmp(mode, "truncated")) {
		struct leofs_status_reply r = { .status = LEOFS_S_NOENT };
		struct leofs_frame_hdr h = { .version = 1,
					     .opcode = req->opcode,
					     .flags = LEOFS_FLAG_REPLY,
					     .req_id = req->req_id };
		int len =
			leofs_frame_build(out, sizeof(out), &h, &r, sizeof(r));

		(void)len;
		write_all(fd, out, LEOFS_FRAME_HDR_SIZE + 2);
		return 1;
	}
	if (!strcmp(mode, "oversized")) {
		struct leofs_frame_hdr h = { .version = 1,
					     .opcode = req->opcode,
					     .flags = LEOFS_FLAG_REPLY,
					     .req_id = req->req_id,
					     .body_len = 0xfffffff0u };
		leofs_frame_hdr_encode(&h, body);
		write_all(fd, body, LEOFS_FRAME_HDR_SIZE);
		return 0;
	}
	if (!strcmp(mode, "big")) {
		memset(junk, 0, sizeof(junk));
		return send_raw(fd, req->opcode, LEOFS_FLAG_REPLY, req->req_id,
				junk, sizeof(junk), 0) ?
			       -1 :
			       0;
	}
	if (!strcmp(mode, "badcrc")) {
		put_unaligned_le32(LEOFS_S_NOENT, body);
		return send_raw(fd, req->opcode, LEOFS_FLAG_REPLY, req->req_id,
				body, 4, 1) ?
			       -1 :
			       0;
	}
	if (!strcmp(mode, "unknown-id")) {
		put_unaligned_le32(LEOFS_S_NOENT, body);
		return send_raw(fd, req->opcode, LEOFS_FLAG_REPLY,
				req->req_id + 1000000, body, 4, 0) ?
			       -1 :
			       0;
	}
	if (!strcmp(mode, "unknown-op")) {
		put_unaligned_le32(LEOFS_S_OK, body);
		return send_raw(fd, 0x7777, LEOFS_FLAG_REPLY, req->req_id, body,
				4, 0) ?
			       -1 :
			       0;
	}
	if (!strcmp(mode, "wrong-op")) {
		put_unaligned_le32(LEOFS_S_NOENT, body);
		return send_raw(fd,
				req->opcode == LEOFS_OP_GETATTR ?
					LEOFS_OP_LOOKUP :
					LEOFS_OP_GETATTR,
				LEOFS_FLAG_REPLY, req->req_id, body, 4, 0) ?
			       -1 :
			       0;
	}
	if (!strcmp(mode, "badbody")) {
		memset(body, 0xff, 3);
		return send_raw(fd, req->opcode, LEOFS_FLAG_REPLY, req->req_id,
				body, 3, 0) ?
			       -1 :
			       0;
	}
	if (!strcmp(mode, "badpush")) {
		memset(body, 0xee, 20);
		return send_raw(fd, LEOFS_OP_MAP_PUSH, LEOFS_FLAG_PUSH, 0, body,
				20, 0) ?
			       -1 :
			       0;
	}
	if (!strcmp(mode, "badmap")) {
		u8 m[256];
		int len = map_encoded(m, sizeof(m));
		struct leofs_map_reply r = { .status = LEOFS_S_OK, .epoch = 1 };

		m[len - 8] = 7; /* the shard's MDS does not exist */
		r.map.data = m;
		r.map.len = len;
		return reply(fd, req, &r, sizeof(r)) ? -1 : 0;
	}
	if (!strcmp(mode, "stall"))
		return 0;
	if (!strcmp(mode, "close"))
		return 1;
	if (!strcmp(mode, "root-attr"))
		return reply_attr(fd, req, node_by_ino(ROOT_INO)) ? -1 : 0;
	fprintf(stderr, "kfake: unknown mode %s\n", mode);
	exit(2);
}

/* ---- requests ------------------------------------------------------------ */

static union {
	struct leofs_hello_req hello;
	struct leofs_map_get_req map_get;
	struct leofs_name_req name;
	struct leofs_ino_req ino;
	struct leofs_setattr_req setattr;
	struct leofs_create_req create;
	struct leofs_rename_req rename;
	struct leofs_link_req link;
	struct leofs_symlink_req symlink;
	struct leofs_readdir_req readdir;
	struct leofs_getxattr_req getxattr;
	struct leofs_setxattr_req setxattr;
	struct leofs_listxattr_req listxattr;
	struct leofs_xattr_name_req xname;
} rq;

static union {
	struct leofs_hello_reply hello;
	struct leofs_map_reply map;
	struct leofs_attr_reply attr;
	struct leofs_readlink_reply readlink;
	struct leofs_readdir_reply readdir;
	struct leofs_xattr_reply xattr;
	struct leofs_statfs_reply statfs;
} rp;

static int reply_attr(int fd, const struct leofs_frame_hdr *h,
		      const struct node *n)
{
	memset(&rp.attr, 0, sizeof(rp.attr));
	fill_attr(n, &rp.attr.attr);
	return reply(fd, h, &rp.attr, sizeof(rp.attr));
}

static int serve(int fd, const struct leofs_frame_hdr *h, const u8 *body)
{
	size_t sz = leofs_msg_struct_size(h->opcode, false);
	struct node *n, *p, *o;
	u8 m[256];

	if (!sz || sz > sizeof(rq))
		return reply_status(fd, h, LEOFS_S_NOTSUP);
	if (leofs_msg_decode(h->opcode, false, &rq, sz, body, h->body_len))
		return reply_status(fd, h, LEOFS_S_BADMSG);

	switch (h->opcode) {
	case LEOFS_OP_HELLO:
		memset(&rp.hello, 0, sizeof(rp.hello));
		rp.hello.version = 1;
		rp.hello.peer_kind = LEOFS_PEER_MDS;
		rp.hello.features = rq.hello.features & LEOFS_FEATURES_ALL;
		rp.hello.node_id = 1;
		memcpy(rp.hello.cluster_id, cluster_id, 16);
		rp.hello.session_id = SESSION;
		rp.hello.map_epoch = 1;
		return reply(fd, h, &rp.hello, sizeof(rp.hello));
	case LEOFS_OP_MAP_GET:
		memset(&rp.map, 0, sizeof(rp.map));
		rp.map.epoch = 1;
		if (rq.map_get.known_epoch != 1) {
			rp.map.map.len = map_encoded(m, sizeof(m));
			rp.map.map.data = m;
		}
		return reply(fd, h, &rp.map, sizeof(rp.map));
	case LEOFS_OP_GETATTR:
		n = node_by_ino(rq.ino.ino);
		return n ? reply_attr(fd, h, n) :
			   reply_status(fd, h, LEOFS_S_NOENT);
	case LEOFS_OP_LOOKUP:
		n = node_by_name(rq.name.parent, rq.name.name.data,
				 rq.name.name.len);
		return n ? reply_attr(fd, h, n) :
			   reply_status(fd, h, LEOFS_S_NOENT);
	case LEOFS_OP_SETATTR:
		n = node_by_ino(rq.setattr.ino);
		if (!n)
			return reply_status(fd, h, LEOFS_S_NOENT);
		if (rq.setattr.valid & LEOFS_SETATTR_MODE)
			n->mode = (n->mode & LEOFS_S_IFMT) | rq.setattr.mode;
		if (rq.setattr.valid & LEOFS_SETATTR_UID)
			n->uid = rq.setattr.uid;
		if (rq.setattr.valid & LEOFS_SETATTR_GID)
			n->gid = rq.setattr.gid;
		return reply_attr(fd, h, n);
	case LEOFS_OP_CREATE:
	case LEOFS_OP_MKDIR:
		p = node_by_ino(rq.create.parent);
		if (!p)
			return reply_status(fd, h, LEOFS_S_NOENT);
		n = node_by_name(p->ino, rq.create.name.data,
				 rq.create.name.len);
		if (n && (h->opcode == LEOFS_OP_MKDIR ||
			  (rq.create.flags & LEOFS_CREATE_EXCL)))
			return reply_status(fd, h, LEOFS_S_EXIST);
		if (!n)
			n = node_new(
				p->ino, rq.create.name.data, rq.create.name.len,
				(h->opcode == LEOFS_OP_MKDIR ? LEOFS_S_IFDIR :
							       LEOFS_S_IFREG) |
					rq.create.mode);
		if (!n)
			return reply_status(fd, h, LEOFS_S_NOSPC);
		n->uid = rq.create.creds.uid;
		n->gid = rq.create.creds.gid;
		return reply_attr(fd, h, n);
	case LEOFS_OP_UNLINK:
	case LEOFS_OP_RMDIR:
		n = node_by_name(rq.name.parent, rq.name.name.data,
				 rq.name.name.len);
		if (!n)
			return reply_status(fd, h, LEOFS_S_NOENT);
		if (h->opcode == LEOFS_OP_RMDIR) {
			if ((n->mode & LEOFS_S_IFMT) != LEOFS_S_IFDIR)
				return reply_status(fd, h, LEOFS_S_NOTDIR);
			if (has_children(n->ino))
				return reply_status(fd, h, LEOFS_S_NOTEMPTY);
		} else if ((n->mode & LEOFS_S_IFMT) == LEOFS_S_IFDIR) {
			return reply_status(fd, h, LEOFS_S_ISDIR);
		}
		n->used = 0;
		return reply_status(fd, h, LEOFS_S_OK);
	case LEOFS_OP_RENAME:
		o = node_by_name(rq.rename.old_parent, rq.rename.old_name.data,
				 rq.rename.old_name.len);
		if (!o)
			return reply_status(fd, h, LEOFS_S_NOENT);
		n = node_by_name(rq.rename.new_parent, rq.rename.new_name.data,
				 rq.rename.new_name.len);
		if (n && (rq.rename.flags & LEOFS_RENAME_NOREPLACE))
			return reply_status(fd, h, LEOFS_S_EXIST);
		if (n && n != o)
			n->used = 0;
		o->parent = rq.rename.new_parent;
		memset(o->name, 0, sizeof(o->name));
		memcpy(o->name, rq.rename.new_name.data,
		       rq.rename.new_name.len);
		return reply_status(fd, h, LEOFS_S_OK);
	case LEOFS_OP_SYMLINK:
		if (node_by_name(rq.symlink.parent, rq.symlink.name.data,
				 rq.symlink.name.len))
			return reply_status(fd, h, LEOFS_S_EXIST);
		n = node_new(rq.symlink.parent, rq.symlink.name.data,
			     rq.symlink.name.len, LEOFS_S_IFLNK | 0777);
		if (!n)
			return reply_status(fd, h, LEOFS_S_NOSPC);
		memcpy(n->target, rq.symlink.target.data,
		       rq.symlink.target.len);
		return reply_attr(fd, h, n);
	case LEOFS_OP_READLINK:
		n = node_by_ino(rq.ino.ino);
		if (!n || (n->mode & LEOFS_S_IFMT) != LEOFS_S_IFLNK)
			return reply_status(fd, h, LEOFS_S_INVAL);
		memset(&rp.readlink, 0, sizeof(rp.readlink));
		rp.readlink.target.data = n->target;
		rp.readlink.target.len = strlen(n->target);
		return reply(fd, h, &rp.readlink, sizeof(rp.readlink));
	case LEOFS_OP_READDIR: {
		/* cookie = index + 1 of the next slot to look at */
		u32 i = rq.readdir.cookie, count = 0, max;

		memset(&rp.readdir, 0, sizeof(rp.readdir));
		max = rq.readdir.max_entries < 100 ? rq.readdir.max_entries :
						     100;
		for (; i < MAX_NODES && count < max; i++) {
			struct leofs_dirent *e = &rp.readdir.entries[count];

			n = &nodes[i];
			if (!n->used || n->parent != rq.readdir.ino ||
			    n->ino == ROOT_INO)
				continue;
			e->ino = n->ino;
			e->next_cookie = i + 1;
			e->type = (n->mode & LEOFS_S_IFMT) >> 12;
			e->name.data = n->name;
			e->name.len = strlen(n->name);
			count++;
		}
		rp.readdir.nr_entries = count;
		rp.readdir.eof = i >= MAX_NODES;
		return reply(fd, h, &rp.readdir, sizeof(rp.readdir));
	}
	case LEOFS_OP_SETXATTR:
		n = node_by_ino(rq.setxattr.ino);
		if (!n)
			return reply_status(fd, h, LEOFS_S_NOENT);
		if (rq.setxattr.value.len > sizeof(n->xvalue))
			return reply_status(fd, h, LEOFS_S_2BIG);
		memset(n->xname, 0, sizeof(n->xname));
		memcpy(n->xname, rq.setxattr.name.data, rq.setxattr.name.len);
		memcpy(n->xvalue, rq.setxattr.value.data,
		       rq.setxattr.value.len);
		n->xlen = rq.setxattr.value.len;
		return reply_status(fd, h, LEOFS_S_OK);
	case LEOFS_OP_GETXATTR:
		n = node_by_ino(rq.getxattr.ino);
		memset(&rp.xattr, 0, sizeof(rp.xattr));
		if (n && rq.getxattr.name.len == 12 &&
		    !memcmp(rq.getxattr.name.data, "leofs.layout", 12)) {
			rp.xattr.size = 11;
			rp.xattr.value.data = "replica 3\n";
			rp.xattr.size = rp.xattr.value.len = 10;
		} else if (!n || !n->xname[0] ||
			   strlen(n->xname) != rq.getxattr.name.len ||
			   memcmp(n->xname, rq.getxattr.name.data,
				  rq.getxattr.name.len)) {
			return reply_status(fd, h, LEOFS_S_NODATA);
		} else {
			rp.xattr.size = n->xlen;
			rp.xattr.value.data = n->xvalue;
			rp.xattr.value.len = n->xlen;
		}
		if (!rq.getxattr.size)
			rp.xattr.value.len = 0;
		else if (rq.getxattr.size < rp.xattr.size)
			return reply_status(fd, h, LEOFS_S_RANGE);
		return reply(fd, h, &rp.xattr, sizeof(rp.xattr));
	case LEOFS_OP_LISTXATTR:
		n = node_by_ino(rq.listxattr.ino);
		if (!n)
			return reply_status(fd, h, LEOFS_S_NOENT);
		memset(&rp.xattr, 0, sizeof(rp.xattr));
		if (n->xname[0]) {
			rp.xattr.size = strlen(n->xname) + 1;
			rp.xattr.value.data = n->xname;
			rp.xattr.value.len =
				rq.listxattr.size ? rp.xattr.size : 0;
			if (rq.listxattr.size &&
			    rq.listxattr.size < rp.xattr.size)
				return reply_status(fd, h, LEOFS_S_RANGE);
		}
		return reply(fd, h, &rp.xattr, sizeof(rp.xattr));
	case LEOFS_OP_STATFS:
		memset(&rp.statfs, 0, sizeof(rp.statfs));
		rp.statfs.bsize = 4096;
		rp.statfs.namelen = 255;
		rp.statfs.blocks = 1 << 20;
		rp.statfs.bfree = rp.statfs.bavail = 1 << 19;
		rp.statfs.files = MAX_NODES;
		rp.statfs.ffree = MAX_NODES / 2;
		return reply(fd, h, &rp.statfs, sizeof(rp.statfs));
	default:
		return reply_status(fd, h, LEOFS_S_NOTSUP);
	}
}

static u8 in[LEOFS_FRAME_HDR_SIZE + 262144];

/* mode late: a GETATTR or LOOKUP answer held back */
static struct leofs_frame_hdr held_hdr;
static struct leofs_attr_reply held_attr;
static int held;

static int hold(int fd, const struct leofs_frame_hdr *h, const u8 *body)
{
	size_t sz = leofs_msg_struct_size(h->opcode, false);
	const struct node *n = NULL;

	if (!sz || sz > sizeof(rq) ||
	    leofs_msg_decode(h->opcode, false, &rq, sz, body, h->body_len))
		return reply_status(fd, h, LEOFS_S_BADMSG);
	if (h->opcode == LEOFS_OP_GETATTR)
		n = node_by_ino(rq.ino.ino);
	else if (h->opcode == LEOFS_OP_LOOKUP)
		n = node_by_name(rq.name.parent, rq.name.name.data,
				 rq.name.name.len);
	if (!n || n->ino == ROOT_INO)
		return serve(fd, h, body);
	fprintf(stderr, "kfake: holding the %s reply\n",
		leofs_op_name(h->opcode));
	memset(&held_attr, 0, sizeof(held_attr));
	fill_attr(n, &held_attr.attr);
	held_hdr = *h;
	held = 1;
	remaining--;
	return 0;
}

static void handle_conn(int fd)
{
	size_t have = 0;

	for (;;) {
		struct leofs_frame_hdr h;
		long need = leofs_frame_need(in, have);
		ssize_t n;
		int ret;

		if (need < 0 || have + need > sizeof(in)) {
			fprintf(stderr, "kfake: bad frame from the client\n");
			return;
		}
		if (need > 0) {
			n = read(fd, in + have, need);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return;
			have += n;
			continue;
		}
		leofs_frame_hdr_decode(&h, in, have);
		if (leofs_frame_verify(&h, in, in + LEOFS_FRAME_HDR_SIZE)) {
			fprintf(stderr, "kfake: CRC error from the client\n");
			return;
		}
		if (h.opcode == trigger && remaining > 0 &&
		    !strcmp(mode, "late") && !held) {
			ret = hold(fd, &h, in + LEOFS_FRAME_HDR_SIZE);
		} else if (h.opcode == trigger && remaining > 0 &&
			   strcmp(mode, "ok") && strcmp(mode, "late")) {
			remaining--;
			ret = misbehave(fd, &h);
		} else {
			ret = serve(fd, &h, in + LEOFS_FRAME_HDR_SIZE);
			if (!ret && held) {
				held = 0;
				usleep(500000);
				fprintf(stderr, "kfake: sending the held reply\n");
				ret = reply(fd, &held_hdr, &held_attr,
					    sizeof(held_attr));
			}
		}
		if (ret)
			return;
		have = 0;
	}
}

static u16 opcode_by_name(const char *name)
{
	for (unsigned op = 1; op < 0x300; op++) {
		const char *s = leofs_op_name(op);

		if (s && !strcmp(s, name))
			return op;
	}
	fprintf(stderr, "kfake: unknown opcode name %s\n", name);
	exit(2);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1, lfd;

	if (argc < 3) {
		fprintf(stderr,
			"usage: kfake_server PORT MODE [OPCODE [COUNT]]\n");
		return 2;
	}
	port = atoi(argv[1]);
	mode = argv[2];
	if (argc > 3)
		trigger = opcode_by_name(argv[3]);
	if (argc > 4)
		remaining = atoi(argv[4]);
	signal(SIGPIPE, SIG_IGN);
	tree_init();

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 16)) {
		perror("kfake: listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		handle_conn(fd);
		close(fd);
	}
}
