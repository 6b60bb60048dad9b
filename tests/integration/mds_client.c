// SPDX-License-Identifier: GPL-2.0
/*
 * A leofs-mds client for the integration tests: each subcommand drives
 * one scenario through the network (include/leofs/rpc.h, or raw frames
 * where a test needs to choose request ids or send garbage) and exits 0
 * when every check held.
 *
 *	mds_client posix PORT			every POSIX case
 *	mds_client resend PORT			reply cache across reconnects
 *	mds_client storm PORT CONNS DIR_NAME LOG	creates until killed
 *	mds_client verify PORT DIR_NAME LOG	every logged create exists
 *	mds_client status PORT SHARD		GETATTR of (shard, 1): status
 *	mds_client map PORT OUT			MAP_GET, map bytes to OUT
 *	mds_client rootlayout PORT		the root's layout
 *	mds_client node PORT NODE		"up" or "down", and the epoch
 *	mds_client pg PORT POOL WIDTH INO [N]	for INO and the N - 1 inode
 *		numbers after it, a line with the nodes of the PG of its data
 *		(one stripe slot), primary first
 *	mds_client pools PORT			the epoch and the map's pools
 *	mds_client xname PORT PREFIX SHARD	a root dir name placed on SHARD
 *	mds_client xop PORT mkdir|rmdir NAME	MKDIR/RMDIR in the root
 *	mds_client fsck PORT_A PORT_B		namespace consistency, two MDS
 *	mds_client x PORT_A PORT_B OP DIR NAME [DIR2 NAME2 [FLAG]]
 *		create, mkdir, unlink, rmdir, ino, nlink, rename, link over
 *		two MDS; DIR is a path from the root ("." the root)
 *	mds_client xstorm PORT_A PORT_B DIR N	at once, N MKDIRs in the root
 *		through A placed on B, and N in DIR (on B) placed on A
 *	mds_client xrace PORT_A PORT_B P A Q B ROUNDS
 *		two threads at once move P/A into B/x and Q/B into A/y (P, Q
 *		in the root), the winner moves back; a round where both
 *		won (a directory loop) or the loser's status is not INVAL
 *		fails
 *	mds_client attr PORT lookup|create DIR_INO NAME | getattr INO
 *		LOOKUP, CREATE (no EXCL) or GETATTR at PORT: the status and
 *		the attributes
 *	mds_client poolcreate PORT NAME TIER PGS	POOL_CREATE: status, id, epoch
 *	mds_client unlinkdata PORT N POOL DIR	N files with data, unlinked
 *	mds_client badinput PORT		malformed and hostile requests
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "leofs/nsclient.h"
#include "leofs/placement.h"
#include "leofs/proto_msg.h"
#include "leofs/rpc.h"

#define ROOT 1ull
#define TMO  30000

static int failures;

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			failures++;                                          \
		}                                                            \
	} while (0)

static u16 port;
static const struct leofs_creds root_cr = { 0, 0, 0, { 0 } };
static const struct leofs_creds user_cr = { 1000, 1000, 0, { 0 } };

static struct leofs_rpc *conn(u64 session)
{
	struct leofs_rpc_opts o = { .peer_kind = LEOFS_PEER_CLIENT,
				    .session_id = session,
				    .connect_timeout_ms = 5000 };
	struct leofs_rpc *r;
	int rc = leofs_rpc_connect("127.0.0.1", port, &o, NULL, &r);

	if (rc) {
		fprintf(stderr, "connect to %u: %s\n", port, strerror(-rc));
		exit(2);
	}
	return r;
}

/* One call; returns the status, the reply decoded into out. */
static u32 call(struct leofs_rpc *r, u16 op, const void *msg, size_t size,
		void *out, size_t out_size)
{
	struct leofs_rpc_reply raw;
	int rc = leofs_rpc_call(r, op, msg, size, out, out_size, &raw, TMO);

	if (rc) {
		fprintf(stderr, "%s: transport error %s\n", leofs_op_name(op),
			strerror(-rc));
		exit(2);
	}
	leofs_rpc_reply_free(&raw); /* callers only use fixed fields */
	return *(u32 *)out;
}

static struct leofs_buf nm(const char *s)
{
	struct leofs_buf b = { s, (u32)strlen(s) };

	return b;
}

static u32 mk(struct leofs_rpc *r, const struct leofs_creds *cr, u16 op,
	      u64 parent, const char *name, u32 mode, u32 flags, u64 *ino)
{
	struct leofs_create_req q = { .creds = *cr,
				      .parent = parent,
				      .name = nm(name),
				      .mode = mode,
				      .flags = flags };
	struct leofs_attr_reply a;
	u32 st = call(r, op, &q, sizeof(q), &a, sizeof(a));

	if (ino)
		*ino = a.attr.ino;
	return st;
}

static u32 lookup(struct leofs_rpc *r, const struct leofs_creds *cr, u64 parent,
		  const char *name, struct leofs_attr *out)
{
	struct leofs_name_req q = { .creds = *cr,
				    .parent = parent,
				    .name = nm(name) };
	struct leofs_attr_reply a;
	u32 st = call(r, LEOFS_OP_LOOKUP, &q, sizeof(q), &a, sizeof(a));

	if (out)
		*out = a.attr;
	return st;
}

static u32 rm(struct leofs_rpc *r, const struct leofs_creds *cr, u16 op,
	      u64 parent, const char *name)
{
	struct leofs_name_req q = { .creds = *cr,
				    .parent = parent,
				    .name = nm(name) };
	struct leofs_status_reply s;

	return call(r, op, &q, sizeof(q), &s, sizeof(s));
}

static u32 ren(struct leofs_rpc *r, u64 op_, const char *on, u64 np,
	       const char *nn, u32 flags)
{
	struct leofs_rename_req q = { .creds = root_cr,
				      .old_parent = op_,
				      .old_name = nm(on),
				      .new_parent = np,
				      .new_name = nm(nn),
				      .flags = flags };
	struct leofs_status_reply s;

	return call(r, LEOFS_OP_RENAME, &q, sizeof(q), &s, sizeof(s));
}

static const char *sname(u32 st)
{
	static char buf[16];

	switch (st) {
	case LEOFS_S_OK:
		return "OK";
	case LEOFS_S_NOENT:
		return "NOENT";
	case LEOFS_S_EXIST:
		return "EXIST";
	case LEOFS_S_STALE:
		return "STALE";
	case LEOFS_S_WRONG_SHARD:
		return "WRONG_SHARD";
	case LEOFS_S_BADMSG:
		return "BADMSG";
	case LEOFS_S_PROTO:
		return "PROTO";
	case LEOFS_S_NOTSUP:
		return "NOTSUP";
	case LEOFS_S_INVAL:
		return "INVAL";
	case LEOFS_S_NOTEMPTY:
		return "NOTEMPTY";
	case LEOFS_S_ISDIR:
		return "ISDIR";
	case LEOFS_S_NOTDIR:
		return "NOTDIR";
	case LEOFS_S_PERM:
		return "PERM";
	case LEOFS_S_ACCES:
		return "ACCES";
	case LEOFS_S_AGAIN:
		return "AGAIN";
	case LEOFS_S_BUSY:
		return "BUSY";
	case LEOFS_S_IO:
		return "IO";
	case LEOFS_S_XDEV:
		return "XDEV";
	case LEOFS_S_TIMEDOUT:
		return "TIMEDOUT";
	}
	snprintf(buf, sizeof(buf), "%u", st);
	return buf;
}

#define EXPECT(st, want) \
	CHECK((st) == (want), "got %s, want %s", sname(st), sname(want))

/* ---- posix ----------------------------------------------------------------- */

static int readdir_all(struct leofs_rpc *r, u64 dir, u32 *count, u32 nfiles,
		       u8 *seen)
{
	struct leofs_readdir_req q = { .creds = root_cr,
				       .ino = dir,
				       .max_entries = 512,
				       .max_bytes = 65536 };
	struct leofs_readdir_reply *rep = malloc(sizeof(*rep));
	struct leofs_rpc_reply raw;
	u32 i, idx;
	int rc;

	*count = 0;
	for (;;) {
		rc = leofs_rpc_call(r, LEOFS_OP_READDIR, &q, sizeof(q), rep,
				    sizeof(*rep), &raw, TMO);
		if (rc || rep->status) {
			free(rep);
			return -1;
		}
		for (i = 0; i < rep->nr_entries; i++) {
			char n[256];

			memcpy(n, rep->entries[i].name.data,
			       rep->entries[i].name.len);
			n[rep->entries[i].name.len] = 0;
			(*count)++;
			if (sscanf(n, "e%u", &idx) == 1 && idx < nfiles) {
				CHECK(!seen[idx], "entry e%u listed twice",
				      idx);
				seen[idx] = 1;
			}
			q.cookie = rep->entries[i].next_cookie;
		}
		leofs_rpc_reply_free(&raw);
		if (rep->eof)
			break;
	}
	free(rep);
	return 0;
}

static int cmd_posix(void)
{
	struct leofs_rpc *r = conn(0);
	struct leofs_attr a;
	u64 d, sub, f, g;
	char name[300];
	u32 i, n;
	u8 *seen;

	EXPECT(mk(r, &root_cr, LEOFS_OP_MKDIR, ROOT, "posix", 0755, 0, &d),
	       LEOFS_S_OK);
	EXPECT(mk(r, &root_cr, LEOFS_OP_CREATE, d, "f", 0644, LEOFS_CREATE_EXCL,
		  &f),
	       LEOFS_S_OK);
	EXPECT(mk(r, &root_cr, LEOFS_OP_CREATE, d, "f", 0644, LEOFS_CREATE_EXCL,
		  NULL),
	       LEOFS_S_EXIST);
	/* without EXCL an existing file is returned */
	EXPECT(mk(r, &root_cr, LEOFS_OP_CREATE, d, "f", 0644, 0, &g),
	       LEOFS_S_OK);
	CHECK(g == f, "create without EXCL gave another inode");
	EXPECT(mk(r, &root_cr, LEOFS_OP_MKDIR, d, "f", 0755, 0, NULL),
	       LEOFS_S_EXIST);
	EXPECT(lookup(r, &root_cr, d, "nope", NULL), LEOFS_S_NOENT);
	EXPECT(rm(r, &root_cr, LEOFS_OP_UNLINK, d, "nope"), LEOFS_S_NOENT);
	EXPECT(mk(r, &root_cr, LEOFS_OP_MKDIR, d, "sub", 0755, 0, &sub),
	       LEOFS_S_OK);
	EXPECT(mk(r, &root_cr, LEOFS_OP_CREATE, sub, "x", 0644, 0, NULL),
	       LEOFS_S_OK);
	EXPECT(rm(r, &root_cr, LEOFS_OP_RMDIR, d, "sub"), LEOFS_S_NOTEMPTY);
	EXPECT(rm(r, &root_cr, LEOFS_OP_UNLINK, d, "sub"), LEOFS_S_ISDIR);
	EXPECT(rm(r, &root_cr, LEOFS_OP_RMDIR, d, "f"), LEOFS_S_NOTDIR);
	EXPECT(mk(r, &root_cr, LEOFS_OP_CREATE, d, "sub", 0644, 0, NULL),
	       LEOFS_S_ISDIR);
	EXPECT(mk(r, &root_cr, LEOFS_OP_CREATE, f, "y", 0644, 0, NULL),
	       LEOFS_S_NOTDIR);
	/* rename into its own subtree */
	EXPECT(ren(r, d, "sub", sub, "inside", 0), LEOFS_S_INVAL);
	/* rename replacing a file, then NOREPLACE */
	EXPECT(mk(r, &root_cr, LEOFS_OP_CREATE, d, "g", 0644, 0, &g),
	       LEOFS_S_OK);
	EXPECT(ren(r, d, "g", d, "f", 0), LEOFS_S_OK);
	EXPECT(lookup(r, &root_cr, d, "f", &a), LEOFS_S_OK);
	CHECK(a.ino == g, "rename did not replace the target");
	EXPECT(lookup(r, &root_cr, d, "g", NULL), LEOFS_S_NOENT);
	EXPECT(ren(r, d, "f", d, "sub", LEOFS_RENAME_NOREPLACE), LEOFS_S_EXIST);
	EXPECT(ren(r, d, "f", d, "sub", 0), LEOFS_S_ISDIR);
	/* non-root credentials */
	EXPECT(mk(r, &user_cr, LEOFS_OP_CREATE, d, "u", 0644, 0, NULL),
	       LEOFS_S_ACCES);
	EXPECT(rm(r, &user_cr, LEOFS_OP_UNLINK, d, "f"), LEOFS_S_ACCES);
	EXPECT(mk(r, &root_cr, LEOFS_OP_MKDIR, d, "private", 0700, 0, &g),
	       LEOFS_S_OK);
	EXPECT(lookup(r, &user_cr, g, "x", NULL), LEOFS_S_ACCES);
	/* 255 bytes is the longest name (longer: see badinput) */
	memset(name, 'n', 255);
	name[255] = 0;
	EXPECT(mk(r, &root_cr, LEOFS_OP_CREATE, d, name, 0644, 0, NULL),
	       LEOFS_S_OK);
	EXPECT(lookup(r, &root_cr, d, name, NULL), LEOFS_S_OK);
	/* links, symlinks, xattrs */
	{
		struct leofs_link_req lq = { .creds = root_cr,
					     .ino = a.ino,
					     .new_parent = d,
					     .name = nm("hard") };
		struct leofs_symlink_req sq = { .creds = root_cr,
						.parent = d,
						.name = nm("sym"),
						.target = nm("f") };
		struct leofs_ino_req iq = { .creds = root_cr };
		struct leofs_readlink_reply rl;
		struct leofs_setxattr_req xq = { .creds = root_cr,
						 .ino = a.ino,
						 .name = nm("user.k"),
						 .value = nm("v1") };
		struct leofs_getxattr_req gq = { .creds = root_cr,
						 .ino = a.ino,
						 .name = nm("user.k"),
						 .size = 0 };
		struct leofs_attr_reply ar;
		struct leofs_xattr_reply xr;
		struct leofs_status_reply sr;

		EXPECT(call(r, LEOFS_OP_LINK, &lq, sizeof(lq), &ar, sizeof(ar)),
		       LEOFS_S_OK);
		CHECK(ar.attr.nlink == 2, "nlink %u after link", ar.attr.nlink);
		EXPECT(call(r, LEOFS_OP_LINK, &lq, sizeof(lq), &ar, sizeof(ar)),
		       LEOFS_S_EXIST);
		EXPECT(call(r, LEOFS_OP_SYMLINK, &sq, sizeof(sq), &ar,
			    sizeof(ar)),
		       LEOFS_S_OK);
		iq.ino = ar.attr.ino;
		{
			struct leofs_rpc_reply raw;

			CHECK(!leofs_rpc_call(r, LEOFS_OP_READLINK, &iq,
					      sizeof(iq), &rl, sizeof(rl), &raw,
					      TMO) &&
				      rl.status == LEOFS_S_OK &&
				      rl.target.len == 1 &&
				      !memcmp(rl.target.data, "f", 1),
			      "readlink");
			leofs_rpc_reply_free(&raw);
		}
		EXPECT(call(r, LEOFS_OP_SETXATTR, &xq, sizeof(xq), &sr,
			    sizeof(sr)),
		       LEOFS_S_OK);
		EXPECT(call(r, LEOFS_OP_GETXATTR, &gq, sizeof(gq), &xr,
			    sizeof(xr)),
		       LEOFS_S_OK);
		CHECK(xr.size == 2, "xattr size %u", xr.size);
		gq.name = nm("user.none");
		EXPECT(call(r, LEOFS_OP_GETXATTR, &gq, sizeof(gq), &xr,
			    sizeof(xr)),
		       LEOFS_S_NODATA);
	}
	/* requests for inodes that do not exist */
	{
		struct leofs_ino_req iq = { .creds = root_cr,
					    .ino = 0x123456789ull };
		struct leofs_attr_reply ar;

		EXPECT(call(r, LEOFS_OP_GETATTR, &iq, sizeof(iq), &ar,
			    sizeof(ar)),
		       LEOFS_S_STALE);
		EXPECT(lookup(r, &root_cr, 0x123456789ull, "x", NULL),
		       LEOFS_S_STALE);
	}
	/* readdir of 10,000 entries, complete, while entries change */
	EXPECT(mk(r, &root_cr, LEOFS_OP_MKDIR, d, "big", 0755, 0, &g),
	       LEOFS_S_OK);
	/* created 64 at a time, so that they share group commits */
	for (i = 0; i < 10000; i += 64) {
		struct leofs_rpc_call *calls[64];
		struct leofs_rpc_reply rep;
		char names[64][16];
		u32 k, m = 10000 - i < 64 ? 10000 - i : 64;

		for (k = 0; k < m; k++) {
			struct leofs_create_req q = {
				.creds = root_cr,
				.parent = g,
				.mode = 0644,
				.flags = LEOFS_CREATE_EXCL
			};

			snprintf(names[k], sizeof(names[k]), "e%u", i + k);
			q.name = nm(names[k]);
			CHECK(!leofs_rpc_send(r, LEOFS_OP_CREATE, &q, sizeof(q),
					      &calls[k]),
			      "send");
		}
		for (k = 0; k < m; k++) {
			CHECK(!leofs_rpc_wait(calls[k], TMO, &rep), "wait");
			EXPECT(rep.status, LEOFS_S_OK);
			leofs_rpc_reply_free(&rep);
		}
	}
	seen = calloc(10000, 1);
	CHECK(!readdir_all(r, g, &n, 10000, seen), "readdir failed");
	CHECK(n == 10000, "readdir listed %u entries", n);
	for (i = 0; i < 10000; i++)
		CHECK(seen[i], "e%u missing", i);
	free(seen);
	leofs_rpc_close(r);
	return failures ? 1 : 0;
}

/* ---- raw frames ------------------------------------------------------------ */

static int raw_connect(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("connect");
		exit(2);
	}
	return fd;
}

static void raw_send(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len) {
		perror("write");
		exit(2);
	}
}

static int raw_send_msg(int fd, u16 op, u64 id, const void *msg, size_t size)
{
	static u8 buf[LEOFS_FRAME_HDR_SIZE + 70000];
	struct leofs_frame_hdr h = { .version = 1, .opcode = op, .req_id = id };
	int len = leofs_frame_build(buf, sizeof(buf), &h, msg, size);

	if (len < 0)
		return len;
	raw_send(fd, buf, (size_t)len);
	return 0;
}

/* A frame with any body (valid framing, CRC). */
static void raw_send_body(int fd, u16 op, u64 id, const void *body, u32 len)
{
	u8 *buf = malloc(LEOFS_FRAME_HDR_SIZE + len);
	struct leofs_frame_hdr h = {
		.version = 1, .opcode = op, .body_len = len, .req_id = id
	};

	leofs_frame_hdr_encode(&h, buf);
	memcpy(buf + LEOFS_FRAME_HDR_SIZE, body, len);
	leofs_frame_seal(buf, buf + LEOFS_FRAME_HDR_SIZE, len);
	raw_send(fd, buf, LEOFS_FRAME_HDR_SIZE + len);
	free(buf);
}

static int read_full(int fd, void *buf, size_t len, int tmo_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if (poll(&p, 1, tmo_ms) != 1)
			return -ETIMEDOUT;
		n = read(fd, (u8 *)buf + got, len - got);
		if (n <= 0)
			return -ECONNRESET;
		got += (size_t)n;
	}
	return 0;
}

/* Reads one reply frame; returns its body (malloc) or NULL if closed. */
static u8 *raw_recv(int fd, struct leofs_frame_hdr *h, int tmo_ms)
{
	u8 hdr[LEOFS_FRAME_HDR_SIZE], *body;

	if (read_full(fd, hdr, sizeof(hdr), tmo_ms) ||
	    leofs_frame_hdr_decode(h, hdr, sizeof(hdr)))
		return NULL;
	body = malloc(h->body_len + 1);
	if (read_full(fd, body, h->body_len, tmo_ms)) {
		free(body);
		return NULL;
	}
	return body;
}

static u32 raw_status(int fd, u64 id)
{
	struct leofs_frame_hdr h;
	u8 *b = raw_recv(fd, &h, 10000);
	u32 st;

	if (!b)
		return 0xffffffff;
	CHECK(h.req_id == id, "reply to %llu, want %llu",
	      (unsigned long long)h.req_id, (unsigned long long)id);
	st = h.body_len >= 4 ? get_unaligned_le32(b) : 0xfffffffe;
	free(b);
	return st;
}

static u64 raw_hello(int fd, u64 session)
{
	struct leofs_hello_req q = { .version_min = 1,
				     .version_max = 1,
				     .peer_kind = LEOFS_PEER_CLIENT,
				     .session_id = session };
	struct leofs_hello_reply rep;
	struct leofs_frame_hdr h;
	u8 *b;

	raw_send_msg(fd, LEOFS_OP_HELLO, 1, &q, sizeof(q));
	b = raw_recv(fd, &h, 10000);
	if (!b || leofs_hello_reply_decode(&rep, b, h.body_len) || rep.status) {
		fprintf(stderr, "HELLO failed\n");
		exit(2);
	}
	free(b);
	return rep.session_id;
}

/* An attr reply's inode, or 0. */
static u64 raw_attr_ino(int fd, u32 *status)
{
	struct leofs_attr_reply a;
	struct leofs_frame_hdr h;
	u8 *b = raw_recv(fd, &h, 10000);

	*status = 0xffffffff;
	if (!b)
		return 0;
	if (leofs_create_reply_decode(&a, b, h.body_len) == 0)
		*status = a.status;
	free(b);
	return a.attr.ino;
}

static int cmd_resend(void)
{
	struct leofs_create_req cq = { .creds = root_cr,
				       .parent = ROOT,
				       .name = nm("resent"),
				       .mode = 0644,
				       .flags = LEOFS_CREATE_EXCL };
	struct leofs_name_req uq = { .creds = root_cr,
				     .parent = ROOT,
				     .name = nm("resent") };
	u64 session, ino1, ino2;
	u32 st;
	int fd;

	fd = raw_connect();
	session = raw_hello(fd, 0);
	raw_send_msg(fd, LEOFS_OP_CREATE, 100, &cq, sizeof(cq));
	ino1 = raw_attr_ino(fd, &st);
	EXPECT(st, LEOFS_S_OK);
	close(fd);

	/* the same request after a reconnect: the original answer */
	fd = raw_connect();
	CHECK(raw_hello(fd, session) == session, "session not resumed");
	raw_send_msg(fd, LEOFS_OP_CREATE, 100, &cq, sizeof(cq));
	ino2 = raw_attr_ino(fd, &st);
	EXPECT(st, LEOFS_S_OK);
	CHECK(ino1 == ino2, "resent create made inode %llx, first %llx",
	      (unsigned long long)ino2, (unsigned long long)ino1);
	/* a new request id is a new create: EXCL fails */
	raw_send_msg(fd, LEOFS_OP_CREATE, 101, &cq, sizeof(cq));
	raw_attr_ino(fd, &st);
	EXPECT(st, LEOFS_S_EXIST);

	raw_send_msg(fd, LEOFS_OP_UNLINK, 102, &uq, sizeof(uq));
	EXPECT(raw_status(fd, 102), LEOFS_S_OK);
	close(fd);
	fd = raw_connect();
	raw_hello(fd, session);
	/* applied once: the resend answers OK, not NOENT */
	raw_send_msg(fd, LEOFS_OP_UNLINK, 102, &uq, sizeof(uq));
	EXPECT(raw_status(fd, 102), LEOFS_S_OK);
	/* the same id for another operation is refused */
	raw_send_msg(fd, LEOFS_OP_CREATE, 102, &cq, sizeof(cq));
	raw_attr_ino(fd, &st);
	EXPECT(st, LEOFS_S_PROTO);
	close(fd);
	{
		struct leofs_rpc *r = conn(0);

		EXPECT(lookup(r, &root_cr, ROOT, "resent", NULL),
		       LEOFS_S_NOENT);
		leofs_rpc_close(r);
	}
	printf("session %016llx\n", (unsigned long long)session);
	return failures ? 1 : 0;
}

/* ---- create storm and verification ------------------------------------------ */

struct storm {
	int id;
	u64 dir;
	FILE *log;
	pthread_mutex_t *lock;
};

#define STORM_DEPTH 16

static void *storm_main(void *arg)
{
	struct storm *s = arg;
	struct leofs_rpc *r = conn(0);
	struct leofs_rpc_call *calls[STORM_DEPTH];
	char names[STORM_DEPTH][32];
	struct leofs_create_req q = { .creds = root_cr,
				      .parent = s->dir,
				      .mode = 0644,
				      .flags = LEOFS_CREATE_EXCL };
	struct leofs_rpc_reply rep;
	u32 i, n = 0, k;
	int rc;

	for (;;) {
		for (k = 0; k < STORM_DEPTH; k++) {
			snprintf(names[k], sizeof(names[k]), "s%d-%u", s->id,
				 n++);
			q.name = nm(names[k]);
			rc = leofs_rpc_send(r, LEOFS_OP_CREATE, &q, sizeof(q),
					    &calls[k]);
			if (rc) {
				fprintf(stderr, "send: %s\n", strerror(-rc));
				exit(3);
			}
		}
		for (i = 0; i < STORM_DEPTH; i++) {
			rc = leofs_rpc_wait(calls[i], TMO, &rep);
			if (rc) {
				fprintf(stderr, "wait: %s\n", strerror(-rc));
				exit(3);
			}
			if (rep.status == LEOFS_S_OK) {
				/* acknowledged: it must survive a crash */
				pthread_mutex_lock(s->lock);
				fprintf(s->log, "%s\n", names[i]);
				fflush(s->log);
				pthread_mutex_unlock(s->lock);
			}
			leofs_rpc_reply_free(&rep);
		}
	}
}

static u64 dir_of(struct leofs_rpc *r, const char *name, bool make)
{
	struct leofs_attr a;
	u64 ino;

	if (lookup(r, &root_cr, ROOT, name, &a) == LEOFS_S_OK)
		return a.ino;
	if (make && mk(r, &root_cr, LEOFS_OP_MKDIR, ROOT, name, 0755, 0,
		       &ino) == LEOFS_S_OK)
		return ino;
	fprintf(stderr, "no directory %s\n", name);
	exit(2);
}

static int cmd_storm(int conns, const char *dname, const char *logpath)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct storm s[64];
	pthread_t t[64];
	struct leofs_rpc *r = conn(0);
	u64 dir = dir_of(r, dname, true);
	FILE *log = fopen(logpath, "a");
	int i;

	leofs_rpc_close(r);
	if (!log || conns < 1 || conns > 64)
		return 2;
	for (i = 0; i < conns; i++) {
		s[i] = (struct storm){ i, dir, log, &lock };
		pthread_create(&t[i], NULL, storm_main, &s[i]);
	}
	for (i = 0; i < conns; i++)
		pthread_join(t[i], NULL);
	return 0;
}

static int cmd_verify(const char *dname, const char *logpath)
{
	struct leofs_rpc *r = conn(0);
	u64 dir = dir_of(r, dname, false);
	FILE *log = fopen(logpath, "r");
	char line[64];
	u32 n = 0, missing = 0;

	if (!log)
		return 2;
	while (fgets(line, sizeof(line), log)) {
		line[strcspn(line, "\n")] = 0;
		if (!*line)
			continue;
		n++;
		if (lookup(r, &root_cr, dir, line, NULL) != LEOFS_S_OK) {
			if (missing++ < 10)
				fprintf(stderr, "acknowledged %s is missing\n",
					line);
		}
	}
	printf("%u acknowledged creates, %u missing\n", n, missing);
	leofs_rpc_close(r);
	return missing || !n ? 1 : 0;
}

/* ---- shards, map ------------------------------------------------------------- */

static int cmd_status(u16 shard)
{
	struct leofs_rpc *r = conn(0);
	struct leofs_ino_req q = { .creds = root_cr,
				   .ino = (u64)shard << 48 | 1 };
	struct leofs_attr_reply a;

	printf("%s\n",
	       sname(call(r, LEOFS_OP_GETATTR, &q, sizeof(q), &a, sizeof(a))));
	leofs_rpc_close(r);
	return 0;
}

/* GET_LAYOUT of the root: "POOL SCHEME K M UNIT COUNT" or the status. */
static int cmd_rootlayout(void)
{
	struct leofs_rpc *r = conn(0);
	struct leofs_ino_req q = { .creds = root_cr, .ino = ROOT };
	struct leofs_layout_reply rep;
	const struct leofs_layout *l = &rep.layout;
	u32 st = call(r, LEOFS_OP_GET_LAYOUT, &q, sizeof(q), &rep, sizeof(rep));

	if (st)
		printf("%s\n", sname(st));
	else
		printf("%u %s %u %u %u %u\n", l->pool_id,
		       l->scheme == LEOFS_LAYOUT_EC	 ? "ec" :
		       l->scheme == LEOFS_LAYOUT_REPLICA ? "replica" :
							   "none",
		       l->k, l->m, l->stripe_unit, l->stripe_count);
	leofs_rpc_close(r);
	return 0;
}

/* MAP_GET: the reply decoded into a map (caller frees the body). */
static int map_get(struct leofs_rpc *r, struct leofs_map_reply *rep,
		   struct leofs_rpc_reply *raw)
{
	struct leofs_map_get_req q = { 0 };
	int rc = leofs_rpc_call(r, LEOFS_OP_MAP_GET, &q, sizeof(q), rep,
				sizeof(*rep), raw, TMO);

	return rc ? rc : (int)rep->status;
}

static int cmd_map(const char *out)
{
	struct leofs_rpc *r = conn(0);
	struct leofs_map_reply rep;
	struct leofs_rpc_reply raw;
	FILE *f;

	if (map_get(r, &rep, &raw))
		return 1;
	f = fopen(out, "w");
	if (!f || fwrite(rep.map.data, 1, rep.map.len, f) != rep.map.len)
		return 2;
	fclose(f);
	printf("epoch %llu, %u bytes\n", (unsigned long long)rep.epoch,
	       rep.map.len);
	leofs_rpc_reply_free(&raw);
	leofs_rpc_close(r);
	return 0;
}

/* The map MAP_GET answers, or NULL (its view leaks at exit). */
static const struct leofs_map *map_fetch(struct leofs_rpc *r)
{
	struct leofs_mapview *v;

	if (leofs_map_fetch(r, 0, TMO, &v))
		return NULL;
	return leofs_mapview_map(v);
}

static int cmd_node(u32 node)
{
	struct leofs_rpc *r = conn(0);
	const struct leofs_map *m = map_fetch(r);
	int rc = 1;
	u32 i;

	if (!m)
		return 1;
	for (i = 0; i < m->node_count; i++)
		if (m->nodes[i].id == node) {
			printf("%s %llu\n",
			       m->nodes[i].state & LEOFS_STATE_UP ? "up" :
								    "down",
			       (unsigned long long)m->epoch);
			rc = 0;
		}
	leofs_rpc_close(r);
	return rc;
}

/* Nodes of the PG of slot 0 of one-slot files ino.., primary first. */
static int cmd_pg(u32 pool, u32 width, u64 ino, u32 n)
{
	struct leofs_rpc *r = conn(0);
	u32 t[LEOFS_MAP_MAX_WIDTH], pg_num, i;
	struct leofs_mapview *v;
	int rc = 0;

	if (!width || width > LEOFS_MAP_MAX_WIDTH ||
	    leofs_map_fetch(r, 0, TMO, &v))
		return 1;
	leofs_rpc_close(r);
	pg_num = leofs_mapview_pg_num(v, pool);
	for (; !rc && n--; ino++) {
		rc = !pg_num ||
		     leofs_mapview_row(v, pool, width,
				       leofs_stripe_pg(ino, 0, 1, pg_num), t);
		for (i = 0; !rc && i < width; i++)
			printf("%s%u", i ? " " : "",
			       leofs_mapview_target(v, t[i])->node_id);
		printf("\n");
	}
	leofs_mapview_put(v);
	return rc;
}

/* "epoch E" then "ID NAME TIER PG_NUM" per pool of the served map. */
static int cmd_pools(void)
{
	struct leofs_rpc *r = conn(0);
	const struct leofs_map *m = map_fetch(r);
	u32 i;

	if (!m)
		return 1;
	printf("epoch %llu\n", (unsigned long long)m->epoch);
	for (i = 0; i < m->pool_count; i++)
		printf("%u %s %u %u\n", m->pools[i].id, m->pools[i].name,
		       m->pools[i].tier, m->pools[i].pg_num);
	leofs_rpc_close(r);
	return 0;
}

/* POOL_CREATE: prints "STATUS POOL_ID EPOCH". */
static int cmd_poolcreate(const char *name, u32 tier, u32 pg_num)
{
	struct leofs_rpc *r = conn(0);
	struct leofs_pool_create_req q = { .name = { name, (u32)strlen(name) },
					   .tier = (u8)tier,
					   .pg_num = pg_num };
	struct leofs_pool_create_reply rep;
	struct leofs_rpc_reply raw;
	int rc;

	rc = leofs_rpc_call(r, LEOFS_OP_POOL_CREATE, &q, sizeof(q), &rep,
			    sizeof(rep), &raw, TMO);
	if (rc) {
		fprintf(stderr, "POOL_CREATE: %s\n", strerror(-rc));
		return 1;
	}
	printf("%s %u %llu\n", sname(rep.status), rep.pool_id,
	       (unsigned long long)rep.map_epoch);
	leofs_rpc_reply_free(&raw);
	leofs_rpc_close(r);
	return 0;
}

/* ---- cross-shard operations ---------------------------------------------- */

/* The first name PREFIX<n> that the placement puts on shard (a new dir). */
static int cmd_xname(const char *prefix, u16 shard)
{
	struct leofs_rpc *r = conn(0);
	const struct leofs_map *m = map_fetch(r);
	char name[64];
	u16 got;
	u32 i;

	if (!m)
		return 1;
	leofs_rpc_close(r);
	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "%s%u", prefix, i);
		if (!leofs_dir_shard(m, ROOT, name, strlen(name), &got) &&
		    got == shard) {
			printf("%s\n", name);
			return 0;
		}
	}
	return 1;
}

/* MKDIR or RMDIR of NAME in the root; prints the status (and the inode). */
static int cmd_xop(const char *op, const char *name)
{
	struct leofs_rpc *r = conn(0);
	u64 ino = 0;
	u32 st;

	if (!strcmp(op, "mkdir")) {
		st = mk(r, &root_cr, LEOFS_OP_MKDIR, ROOT, name, 0755, 0, &ino);
		printf("%s %#llx\n", sname(st), (unsigned long long)ino);
	} else {
		st = rm(r, &root_cr, LEOFS_OP_RMDIR, ROOT, name);
		printf("%s\n", sname(st));
	}
	leofs_rpc_close(r);
	return 0;
}

/*
 * One attribute request at port: prints the status, then (OK) the inode,
 * mode, link count, owner, size and change time.
 */
static int cmd_attr(int argc, char **argv)
{
	const char *op = argv[3];
	u64 ino = strtoull(argv[4], NULL, 0);
	struct leofs_rpc *r = conn(0);
	struct leofs_attr_reply a;
	const struct leofs_attr *t = &a.attr;
	u32 st;

	memset(&a, 0, sizeof(a));
	if (!strcmp(op, "getattr")) {
		struct leofs_ino_req q = { .creds = root_cr, .ino = ino };

		st = call(r, LEOFS_OP_GETATTR, &q, sizeof(q), &a, sizeof(a));
	} else if (!strcmp(op, "lookup") && argc == 6) {
		st = lookup(r, &root_cr, ino, argv[5], &a.attr);
	} else if (!strcmp(op, "create") && argc == 6) {
		struct leofs_create_req q = { .creds = root_cr,
					      .parent = ino,
					      .name = nm(argv[5]),
					      .mode = 0644 };

		st = call(r, LEOFS_OP_CREATE, &q, sizeof(q), &a, sizeof(a));
	} else {
		return 2;
	}
	if (st == LEOFS_S_OK)
		printf("OK %#llx %o %u %u:%u %llu %lld.%09u\n",
		       (unsigned long long)t->ino, t->mode, t->nlink, t->uid,
		       t->gid, (unsigned long long)t->size,
		       (long long)t->ctime.sec, t->ctime.nsec);
	else
		printf("%s\n", sname(st));
	leofs_rpc_close(r);
	return 0;
}

/* ---- two MDS: A serves shards 0 and 1, B shards 2 and 3 ---------------------- */

static struct leofs_rpc *ra, *rb;

static void two(u16 port_a, u16 port_b)
{
	port = port_a;
	ra = conn(0);
	port = port_b;
	rb = conn(0);
}

/* xstorm: N new directories in @parent, each placed on the other MDS. */
struct xstorm {
	struct leofs_rpc *r;
	const struct leofs_map *m;
	u64 parent;
	u16 lo, hi; /* the shards of the other MDS */
	const char *prefix;
	int n, failed;
	pthread_t th;
};

static void *xstorm_main(void *arg)
{
	struct xstorm *x = arg;
	char name[64];
	int made = 0;
	u32 i, st;
	u16 got;

	for (i = 0; made < x->n && i < 1000000; i++) {
		snprintf(name, sizeof(name), "%s%u", x->prefix, i);
		if (leofs_dir_shard(x->m, x->parent, name, strlen(name),
				    &got) ||
		    got < x->lo || got > x->hi)
			continue;
		st = mk(x->r, &root_cr, LEOFS_OP_MKDIR, x->parent, name, 0755,
			0, NULL);
		if (st != LEOFS_S_OK) {
			fprintf(stderr, "MKDIR %s: %s\n", name, sname(st));
			x->failed++;
		}
		made++;
	}
	return NULL;
}

/*
 * Two threads at once: one makes N directories in the root through A
 * that the placement puts on B's shards (A coordinates, B takes part),
 * the other N in DIR (a root directory on B) that go to A's shards (B
 * coordinates, A takes part). Each MKDIR must succeed.
 */
static int cmd_xstorm(u16 port_a, u16 port_b, const char *dir, int n)
{
	struct xstorm x[2];
	struct leofs_attr d;
	const struct leofs_map *m;
	int i, failed = 0;

	two(port_a, port_b);
	m = map_fetch(ra);
	if (!m || lookup(ra, &root_cr, ROOT, dir, &d) != LEOFS_S_OK) {
		fprintf(stderr, "xstorm: no map, or no %s\n", dir);
		return 1;
	}
	x[0] = (struct xstorm){ .r = ra, .m = m, .parent = ROOT, .lo = 2,
				.hi = 3, .prefix = "toB", .n = n };
	x[1] = (struct xstorm){ .r = rb, .m = m, .parent = d.ino, .lo = 0,
				.hi = 1, .prefix = "toA", .n = n };
	for (i = 0; i < 2; i++)
		if (pthread_create(&x[i].th, NULL, xstorm_main, &x[i]))
			return 1;
	for (i = 0; i < 2; i++) {
		pthread_join(x[i].th, NULL);
		failed += x[i].failed;
	}
	printf("%d of %d MKDIRs failed\n", failed, 2 * n);
	return failed ? 1 : 0;
}

/* The connection to the MDS serving ino's shard. */
static struct leofs_rpc *rt(u64 ino)
{
	return (ino >> 48) >= 2 ? rb : ra;
}

/*
 * Calls fn for every entry of dir (READDIR at its MDS); returns 0, or -1
 * if the listing failed.
 */
static int list(u64 dir, void (*fn)(void *ctx, const struct leofs_dirent *e),
		void *ctx)
{
	struct leofs_readdir_req q = { .creds = root_cr,
				       .ino = dir,
				       .max_entries = 512,
				       .max_bytes = 65536 };
	struct leofs_readdir_reply *rep = malloc(sizeof(*rep));
	struct leofs_rpc_reply raw;
	u32 i;

	for (;;) {
		if (leofs_rpc_call(rt(dir), LEOFS_OP_READDIR, &q, sizeof(q), rep,
				   sizeof(*rep), &raw, TMO) ||
		    rep->status) {
			free(rep);
			return -1;
		}
		for (i = 0; i < rep->nr_entries; i++) {
			fn(ctx, &rep->entries[i]);
			q.cookie = rep->entries[i].next_cookie;
		}
		leofs_rpc_reply_free(&raw);
		if (rep->eof)
			break;
	}
	free(rep);
	return 0;
}

struct find {
	const char *name;
	u64 ino;
};

static void find_one(void *ctx, const struct leofs_dirent *e)
{
	struct find *f = ctx;

	if (e->name.len == strlen(f->name) &&
	    !memcmp(e->name.data, f->name, e->name.len))
		f->ino = e->ino;
}

/* The inode of name in dir, or 0 (entries are found by READDIR). */
static u64 child(u64 dir, const char *name)
{
	struct find f = { name, 0 };

	return list(dir, find_one, &f) ? 0 : f.ino;
}

/* A directory by path from the root ("." is the root); exits if missing. */
static u64 dir_path(const char *path)
{
	char buf[256], *save = NULL, *part;
	u64 ino = ROOT;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, "/", &save); part;
	     part = strtok_r(NULL, "/", &save)) {
		if (!strcmp(part, "."))
			continue;
		ino = child(ino, part);
		if (!ino) {
			fprintf(stderr, "no directory %s\n", path);
			exit(2);
		}
	}
	return ino;
}

/*
 * Namespace operations over two MDS, each sent where the kernel sends it
 * (the parent's MDS; RENAME: the old parent's, LINK: the new parent's).
 * Prints the status, and an inode or link count where there is one.
 */
static int cmd_x(int argc, char **argv)
{
	const char *op = argv[4];
	struct leofs_attr_reply a;
	struct leofs_status_reply st;
	u64 d, d2, ino;
	u32 s;

	two((u16)atoi(argv[2]), (u16)atoi(argv[3]));
	if (argc < 7)
		return 2;
	d = dir_path(argv[5]);
	if (!strcmp(op, "create") || !strcmp(op, "mkdir")) {
		s = mk(rt(d), &root_cr,
		       op[0] == 'c' ? LEOFS_OP_CREATE : LEOFS_OP_MKDIR, d,
		       argv[6], op[0] == 'c' ? 0644 : 0755, 0, &ino);
		printf("%s %#llx\n", sname(s), (unsigned long long)ino);
	} else if (!strcmp(op, "unlink") || !strcmp(op, "rmdir")) {
		s = rm(rt(d), &root_cr,
		       op[0] == 'u' ? LEOFS_OP_UNLINK : LEOFS_OP_RMDIR, d,
		       argv[6]);
		printf("%s\n", sname(s));
	} else if (!strcmp(op, "ino")) {
		ino = child(d, argv[6]);
		printf("%#llx\n", (unsigned long long)ino);
	} else if (!strcmp(op, "nlink") && child(d, argv[6])) {
		struct leofs_ino_req q = { .creds = root_cr,
					   .ino = child(d, argv[6]) };

		s = call(rt(q.ino), LEOFS_OP_GETATTR, &q, sizeof(q), &a,
			 sizeof(a));
		printf("%s %u\n", sname(s), a.attr.nlink);
	} else if (!strcmp(op, "rename") && argc >= 9) {
		struct leofs_rename_req q = {
			.creds = root_cr,
			.old_parent = d,
			.old_name = nm(argv[6]),
			.new_parent = dir_path(argv[7]),
			.new_name = nm(argv[8]),
			.flags = argc > 9 && !strcmp(argv[9], "noreplace") ?
					 LEOFS_RENAME_NOREPLACE :
				 argc > 9 ? LEOFS_RENAME_EXCHANGE :
					    0,
		};

		s = call(rt(d), LEOFS_OP_RENAME, &q, sizeof(q), &st,
			 sizeof(st));
		printf("%s\n", sname(s));
	} else if (!strcmp(op, "link") && argc >= 9) {
		struct leofs_link_req q = { .creds = root_cr,
					    .ino = child(d, argv[6]),
					    .name = nm(argv[8]) };

		d2 = dir_path(argv[7]);
		q.new_parent = d2;
		s = call(rt(d2), LEOFS_OP_LINK, &q, sizeof(q), &a, sizeof(a));
		printf("%s %u\n", sname(s), a.attr.nlink);
	} else {
		return 2;
	}
	return 0;
}

/* ---- racing directory moves ------------------------------------------------- */

struct xrace {
	pthread_barrier_t go, done;
	u64 q, a, b;
	const char *bname;
	u32 rounds, st;
};

/* The second mover: Q/B into A/y, each round. */
static void *xrace_second(void *arg)
{
	struct xrace *x = arg;
	u32 i;

	for (i = 0; i < x->rounds; i++) {
		pthread_barrier_wait(&x->go);
		x->st = ren(rt(x->q), x->q, x->bname, x->a, "y", 0);
		pthread_barrier_wait(&x->done);
	}
	return NULL;
}

static int cmd_xrace(char **argv)
{
	struct xrace x = { .bname = argv[7], .rounds = (u32)atoi(argv[8]) };
	u32 i, s1, won1 = 0, won2 = 0;
	pthread_t t;
	u64 p;

	two((u16)atoi(argv[2]), (u16)atoi(argv[3]));
	p = dir_path(argv[4]);
	x.q = dir_path(argv[6]);
	x.a = child(p, argv[5]);
	x.b = child(x.q, argv[7]);
	if (!x.a || !x.b || !x.rounds)
		return 2;
	pthread_barrier_init(&x.go, NULL, 2);
	pthread_barrier_init(&x.done, NULL, 2);
	if (pthread_create(&t, NULL, xrace_second, &x))
		return 2;
	for (i = 0; i < x.rounds; i++) {
		pthread_barrier_wait(&x.go);
		s1 = ren(rt(p), p, argv[5], x.b, "x", 0);
		pthread_barrier_wait(&x.done);
		CHECK(s1 != LEOFS_S_OK || x.st != LEOFS_S_OK,
		      "round %u: both moved, A and B form a loop", i);
		CHECK(s1 == LEOFS_S_OK || x.st == LEOFS_S_OK,
		      "round %u: neither moved (%s, %s)", i, sname(s1),
		      sname(x.st));
		CHECK(s1 == LEOFS_S_OK || s1 == LEOFS_S_INVAL,
		      "round %u: first: %s", i, sname(s1));
		CHECK(x.st == LEOFS_S_OK || x.st == LEOFS_S_INVAL,
		      "round %u: second: %s", i, sname(x.st));
		won1 += s1 == LEOFS_S_OK;
		won2 += x.st == LEOFS_S_OK;
		/* back where they were */
		if (s1 == LEOFS_S_OK)
			CHECK(ren(rt(x.b), x.b, "x", p, argv[5], 0) == LEOFS_S_OK,
			      "round %u: A back", i);
		if (x.st == LEOFS_S_OK)
			CHECK(ren(rt(x.a), x.a, "y", x.q, argv[7], 0) ==
				      LEOFS_S_OK,
			      "round %u: B back", i);
	}
	pthread_join(t, NULL);
	printf("%u rounds: first moved %u, second %u, %d failures\n", x.rounds,
	       won1, won2, failures);
	return failures ? 1 : 0;
}

#define FSCK_MAX 4096

struct fsck {
	u32 n;
	u64 ino[FSCK_MAX];
	u32 refs[FSCK_MAX]; /* entries naming it */
	u32 subdirs[FSCK_MAX];
	u32 type[FSCK_MAX];
	u64 stack[FSCK_MAX];
	u32 top;
	u32 cur; /* slot of the directory listed */
	bool bad;
};

static u32 fsck_slot(struct fsck *f, u64 ino)
{
	u32 i;

	for (i = 0; i < f->n; i++)
		if (f->ino[i] == ino)
			return i;
	if (f->n == FSCK_MAX) {
		printf("more than %u inodes\n", FSCK_MAX);
		exit(1);
	}
	f->ino[f->n] = ino;
	return f->n++;
}

static void fsck_entry(void *ctx, const struct leofs_dirent *e)
{
	struct fsck *f = ctx;
	u32 i = fsck_slot(f, e->ino);

	f->refs[i]++;
	f->type[i] = e->type;
	if (e->type == LEOFS_DT_DIR) {
		f->subdirs[f->cur]++;
		if (f->refs[i] > 1) {
			printf("directory %#llx listed twice\n",
			       (unsigned long long)e->ino);
			f->bad = true;
		} else {
			f->stack[f->top++] = e->ino;
		}
	}
}

/*
 * The namespace over two MDS: every entry names an existing inode of its
 * type; a directory's nlink is 2 plus its subdirectories and it takes a
 * new entry (no lock or dying mark left); a file's nlink counts the
 * entries naming it; every inode alive on shards 0..3 (local ids probed)
 * is reachable. Prints "ok" or the first problem.
 */
static int cmd_fsck(u16 port_a, u16 port_b)
{
	static struct fsck f;
	struct leofs_ino_req gq = { .creds = root_cr };
	struct leofs_attr_reply ga;
	u32 i, shard, local;
	u64 dir;

	two(port_a, port_b);
	fsck_slot(&f, ROOT);
	f.refs[0] = 1;
	f.type[0] = LEOFS_DT_DIR;
	f.stack[f.top++] = ROOT;
	while (f.top && !f.bad) {
		dir = f.stack[--f.top];
		f.cur = fsck_slot(&f, dir);
		if (list(dir, fsck_entry, &f)) {
			printf("readdir of %#llx failed\n",
			       (unsigned long long)dir);
			return 1;
		}
		if (mk(rt(dir), &root_cr, LEOFS_OP_CREATE, dir, "probe", 0644,
		       0, NULL) ||
		    rm(rt(dir), &root_cr, LEOFS_OP_UNLINK, dir, "probe")) {
			printf("%#llx takes no entry\n",
			       (unsigned long long)dir);
			return 1;
		}
	}
	if (f.bad)
		return 1;
	for (i = 0; i < f.n; i++) {
		gq.ino = f.ino[i];
		if (call(rt(gq.ino), LEOFS_OP_GETATTR, &gq, sizeof(gq), &ga,
			 sizeof(ga))) {
			printf("dangling entry -> %#llx\n",
			       (unsigned long long)gq.ino);
			return 1;
		}
		if ((ga.attr.mode & LEOFS_S_IFMT) >> 12 != f.type[i] ||
		    ga.attr.nlink != (f.type[i] == LEOFS_DT_DIR ?
					      2 + f.subdirs[i] :
					      f.refs[i])) {
			printf("%#llx: mode %o nlink %u, %u entries, %u subdirectories\n",
			       (unsigned long long)gq.ino, ga.attr.mode,
			       ga.attr.nlink, f.refs[i], f.subdirs[i]);
			return 1;
		}
	}
	for (shard = 0; shard <= 3; shard++)
		for (local = 2; local < 256; local++) {
			gq.ino = (u64)shard << 48 | local;
			if (call(rt(gq.ino), LEOFS_OP_GETATTR, &gq, sizeof(gq),
				 &ga, sizeof(ga)))
				continue;
			for (i = 0; i < f.n && f.ino[i] != gq.ino; i++)
				;
			if (i == f.n) {
				printf("orphan inode %#llx\n",
				       (unsigned long long)gq.ino);
				return 1;
			}
		}
	printf("ok\n");
	leofs_rpc_close(ra);
	leofs_rpc_close(rb);
	return 0;
}

/* ---- deletion ------------------------------------------------------------------ */

static int cmd_unlinkdata(u32 n, u32 pool, const char *dname)
{
	struct leofs_rpc *r = conn(0);
	struct leofs_set_layout_req lq = {
		.creds = root_cr,
		.layout = { .pool_id = pool,
			    .scheme = LEOFS_LAYOUT_REPLICA,
			    .k = 1,
			    .m = 1,
			    .stripe_unit = 1 << 20,
			    .stripe_count = 4 },
	};
	struct leofs_commit_size_req sq = { .creds = root_cr, .size = 5000 };
	struct leofs_status_reply st;
	struct leofs_attr_reply ar;
	char name[32];
	u64 dir, ino;
	u32 i;

	EXPECT(mk(r, &root_cr, LEOFS_OP_MKDIR, ROOT, dname, 0755, 0, &dir),
	       LEOFS_S_OK);
	lq.ino = dir;
	EXPECT(call(r, LEOFS_OP_SET_LAYOUT, &lq, sizeof(lq), &st, sizeof(st)),
	       LEOFS_S_OK);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "d%u", i);
		EXPECT(mk(r, &root_cr, LEOFS_OP_CREATE, dir, name, 0644, 0,
			  &ino),
		       LEOFS_S_OK);
		sq.ino = ino;
		EXPECT(call(r, LEOFS_OP_COMMIT_SIZE, &sq, sizeof(sq), &ar,
			    sizeof(ar)),
		       LEOFS_S_OK);
		EXPECT(rm(r, &root_cr, LEOFS_OP_UNLINK, dir, name), LEOFS_S_OK);
		printf("%llu\n", (unsigned long long)ino);
	}
	leofs_rpc_close(r);
	return failures ? 1 : 0;
}

/* ---- bad input ------------------------------------------------------------------ */

static int cmd_badinput(void)
{
	struct leofs_create_req cq = { .creds = root_cr,
				       .parent = ROOT,
				       .mode = 0644 };
	u8 junk[64], hdr[LEOFS_FRAME_HDR_SIZE];
	struct leofs_frame_hdr h = { .version = 1, .opcode = LEOFS_OP_GETATTR };
	int fd, stall;

	/* a request before HELLO */
	fd = raw_connect();
	raw_send_body(fd, LEOFS_OP_GETATTR, 5, junk, 0);
	EXPECT(raw_status(fd, 5), LEOFS_S_PROTO);
	raw_hello(fd, 0);
	/* malformed bodies: the connection stays */
	memset(junk, 0xff, sizeof(junk));
	raw_send_body(fd, LEOFS_OP_GETATTR, 6, junk, 3);
	EXPECT(raw_status(fd, 6), LEOFS_S_BADMSG);
	raw_send_body(fd, LEOFS_OP_CREATE, 7, junk, sizeof(junk));
	{
		u32 st = raw_status(fd, 7);

		CHECK(st == LEOFS_S_BADMSG || st == LEOFS_S_PROTO,
		      "garbage create: %s", sname(st));
	}
	/* an unknown opcode */
	raw_send_body(fd, 0x0999, 8, junk, 4);
	EXPECT(raw_status(fd, 8), LEOFS_S_NOTSUP);
	/* names with '/' or NUL: the encoder refuses them, so patch the body */
	cq.name.data = "axb";
	cq.name.len = 3;
	{
		static u8 buf[4096];
		struct leofs_frame_hdr ch = { .version = 1,
					      .opcode = LEOFS_OP_CREATE,
					      .req_id = 9 };
		int len = leofs_frame_build(buf, sizeof(buf), &ch, &cq,
					    sizeof(cq));
		u8 *p = memmem(buf + LEOFS_FRAME_HDR_SIZE,
			       (size_t)len - LEOFS_FRAME_HDR_SIZE, "axb", 3);

		p[1] = '/';
		leofs_frame_seal(buf, buf + LEOFS_FRAME_HDR_SIZE,
				 (size_t)len - LEOFS_FRAME_HDR_SIZE);
		raw_send(fd, buf, (size_t)len);
		EXPECT(raw_status(fd, 9), LEOFS_S_BADMSG);
		p[1] = 0;
		ch.req_id = 10;
		leofs_frame_hdr_encode(&ch, buf);
		put_unaligned_le32((u32)len - LEOFS_FRAME_HDR_SIZE, buf + 12);
		leofs_frame_seal(buf, buf + LEOFS_FRAME_HDR_SIZE,
				 (size_t)len - LEOFS_FRAME_HDR_SIZE);
		raw_send(fd, buf, (size_t)len);
		EXPECT(raw_status(fd, 10), LEOFS_S_BADMSG);
	}
	/* a name of 256 bytes: the 255-byte encoding with one more byte */
	{
		static u8 buf[4096], big[4096];
		char longname[256];
		struct leofs_frame_hdr ch = { .version = 1,
					      .opcode = LEOFS_OP_CREATE,
					      .req_id = 13 };
		size_t blen, off;
		int len;
		u8 *p;

		memset(longname, 'q', 255);
		longname[255] = 0;
		cq.name = nm(longname);
		len = leofs_frame_build(buf, sizeof(buf), &ch, &cq, sizeof(cq));
		blen = (size_t)len - LEOFS_FRAME_HDR_SIZE;
		p = memmem(buf + LEOFS_FRAME_HDR_SIZE, blen, longname, 255);
		off = (size_t)(p - buf - LEOFS_FRAME_HDR_SIZE);
		memcpy(big, buf + LEOFS_FRAME_HDR_SIZE, off);
		big[off] = 'q';
		memcpy(big + off + 1, buf + LEOFS_FRAME_HDR_SIZE + off,
		       blen - off);
		put_unaligned_le16(256, big + off - 2);
		raw_send_body(fd, LEOFS_OP_CREATE, 13, big, (u32)blen + 1);
		EXPECT(raw_status(fd, 13), LEOFS_S_BADMSG);
	}
	/* the connection still serves */
	cq.name = nm("after-bad");
	raw_send_msg(fd, LEOFS_OP_CREATE, 11, &cq, sizeof(cq));
	{
		u32 st;

		raw_attr_ino(fd, &st);
		EXPECT(st, LEOFS_S_OK);
	}
	close(fd);

	/* a bad CRC closes the connection */
	fd = raw_connect();
	raw_hello(fd, 0);
	h.body_len = 4;
	h.req_id = 12;
	h.crc = 0x12345678;
	leofs_frame_hdr_encode(&h, hdr);
	raw_send(fd, hdr, sizeof(hdr));
	raw_send(fd, junk, 4);
	CHECK(raw_status(fd, 12) == 0xffffffff, "bad CRC answered");
	close(fd);

	/* an oversize frame closes the connection */
	fd = raw_connect();
	raw_hello(fd, 0);
	h.body_len = LEOFS_BODY_MAX;
	h.crc = 0;
	leofs_frame_hdr_encode(&h, hdr);
	raw_send(fd, hdr, sizeof(hdr));
	CHECK(raw_status(fd, 12) == 0xffffffff, "oversize frame answered");
	close(fd);

	/* a peer that stalls half-way through a frame */
	stall = raw_connect();
	raw_send(stall, hdr, 10);

	/* everyone else is still served */
	{
		struct leofs_rpc *r = conn(0);

		EXPECT(lookup(r, &root_cr, ROOT, "after-bad", NULL),
		       LEOFS_S_OK);
		leofs_rpc_close(r);
	}
	close(stall);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		goto usage;
	port = (u16)atoi(argv[2]);
	if (!strcmp(argv[1], "posix"))
		return cmd_posix();
	if (!strcmp(argv[1], "resend"))
		return cmd_resend();
	if (!strcmp(argv[1], "storm") && argc == 6)
		return cmd_storm(atoi(argv[3]), argv[4], argv[5]);
	if (!strcmp(argv[1], "verify") && argc == 5)
		return cmd_verify(argv[3], argv[4]);
	if (!strcmp(argv[1], "status") && argc == 4)
		return cmd_status((u16)atoi(argv[3]));
	if (!strcmp(argv[1], "rootlayout") && argc == 3)
		return cmd_rootlayout();
	if (!strcmp(argv[1], "map") && argc == 4)
		return cmd_map(argv[3]);
	if (!strcmp(argv[1], "node") && argc == 4)
		return cmd_node((u32)atoi(argv[3]));
	if (!strcmp(argv[1], "pg") && (argc == 6 || argc == 7))
		return cmd_pg((u32)atoi(argv[3]), (u32)atoi(argv[4]),
			      strtoull(argv[5], NULL, 0),
			      argc == 7 ? (u32)atoi(argv[6]) : 1);
	if (!strcmp(argv[1], "xstorm") && argc == 6)
		return cmd_xstorm((u16)atoi(argv[2]), (u16)atoi(argv[3]),
				  argv[4], atoi(argv[5]));
	if (!strcmp(argv[1], "xname") && argc == 5)
		return cmd_xname(argv[3], (u16)atoi(argv[4]));
	if (!strcmp(argv[1], "xop") && argc == 5)
		return cmd_xop(argv[3], argv[4]);
	if (!strcmp(argv[1], "x") && argc >= 7)
		return cmd_x(argc, argv);
	if (!strcmp(argv[1], "attr") && argc >= 5)
		return cmd_attr(argc, argv);
	if (!strcmp(argv[1], "xrace") && argc == 9)
		return cmd_xrace(argv);
	if (!strcmp(argv[1], "fsck") && argc == 4)
		return cmd_fsck(port, (u16)atoi(argv[3]));
	if (!strcmp(argv[1], "pools") && argc == 3)
		return cmd_pools();
	if (!strcmp(argv[1], "poolcreate") && argc == 6)
		return cmd_poolcreate(argv[3], (u32)atoi(argv[4]),
				      (u32)strtoul(argv[5], NULL, 10));
	if (!strcmp(argv[1], "unlinkdata") && argc == 6)
		return cmd_unlinkdata((u32)atoi(argv[3]), (u32)atoi(argv[4]),
				      argv[5]);
	if (!strcmp(argv[1], "badinput"))
		return cmd_badinput();
usage:
	fprintf(stderr, "usage: see the head of mds_client.c\n");
	return 2;
}
