// SPDX-License-Identifier: GPL-2.0
/*
 * Namespace operations of the namespace client (nsclient.h): each one
 * request to the MDS serving the inode, with the process's credentials.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ns_internal.h"

#define READDIR_MAX_BYTES 65536

static struct leofs_buf name_buf(const char *name, size_t len)
{
	struct leofs_buf b = { name, (u32)len };

	return b;
}

static int check_name(const char *name, size_t len)
{
	int rc = leofs_name_check(name, len);

	if (rc == -ENAMETOOLONG)
		return ns_why(rc, "name longer than %d bytes", LEOFS_NAME_MAX);
	if (rc)
		return ns_why(rc, "bad name '%.*s'", (int)len, name);
	return 0;
}

/* A request answered with a status, or with attributes (into out). */
static int simple_call(struct leofs_ns *ns, u64 ino, u16 op, const void *req,
		       size_t size, struct leofs_attr *out)
{
	union {
		struct leofs_status_reply s;
		struct leofs_attr_reply a;
	} rep;
	struct leofs_rpc_reply raw;
	int rc;

	rc = leofs_ns_call(ns, ino, op, req, size, &rep,
			   leofs_msg_struct_size(op, true), &raw);
	if (rc)
		return rc;
	leofs_rpc_reply_free(&raw); /* attributes hold no buffer */
	if (rep.s.status) /* the leading field of both */
		return ns_status_err(rep.s.status);
	if (out)
		*out = rep.a.attr;
	return 0;
}

int leofs_ns_getattr(struct leofs_ns *ns, u64 ino, struct leofs_attr *out)
{
	struct leofs_ino_req req = { .creds = ns->creds, .ino = ino };
	int rc;

	rc = simple_call(ns, ino, LEOFS_OP_GETATTR, &req, sizeof(req), out);
	if (!rc && out->ino != ino)
		return ns_why(-EPROTO, "GETATTR of %#llx answered for %#llx",
			      (unsigned long long)ino,
			      (unsigned long long)out->ino);
	return rc;
}

/* LOOKUP or UNLINK: a name in a directory. */
static int name_call(struct leofs_ns *ns, u16 op, u64 parent, const char *name,
		     size_t len, struct leofs_attr *out)
{
	struct leofs_name_req req = { .creds = ns->creds,
				      .parent = parent,
				      .name = name_buf(name, len) };
	int rc = check_name(name, len);

	if (rc)
		return rc;
	return simple_call(ns, parent, op, &req, sizeof(req), out);
}

int leofs_ns_lookup(struct leofs_ns *ns, u64 parent, const char *name,
		    size_t len, struct leofs_attr *out)
{
	return name_call(ns, LEOFS_OP_LOOKUP, parent, name, len, out);
}

int leofs_ns_walk(struct leofs_ns *ns, const char *path, struct leofs_attr *out,
		  size_t *done)
{
	const char *p = path, *end;
	struct leofs_attr a;
	size_t len;
	int rc;

	if (done)
		*done = 0;
	if (!path || path[0] != '/')
		return ns_why(-EINVAL, "want an absolute path inside the "
				       "leofs namespace, e.g. /images");
	if (done)
		*done = 1;
	rc = leofs_ns_getattr(ns, LEOFS_ROOT_INO, &a);
	while (!rc) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchr(p, '/');
		len = end ? (size_t)(end - p) : strlen(p);
		if (done)
			*done = (size_t)(p - path) + len;
		if ((len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return ns_why(-EINVAL, "'.' and '..' are not resolved; "
					       "give a plain path");
		rc = leofs_ns_lookup(ns, a.ino, p, len, &a);
		p += len;
	}
	if (!rc) {
		*out = a;
		if (done)
			*done = strlen(path);
	}
	return rc;
}

int leofs_ns_create(struct leofs_ns *ns, u64 parent, const char *name, u32 mode,
		    struct leofs_attr *out)
{
	size_t len = strlen(name);
	struct leofs_create_req req = { .creds = ns->creds,
					.parent = parent,
					.name = name_buf(name, len),
					.mode = mode & 07777,
					.flags = LEOFS_CREATE_EXCL };
	int rc = check_name(name, len);

	if (!rc)
		rc = simple_call(ns, parent, LEOFS_OP_CREATE, &req, sizeof(req),
				 out);
	if (!rc && (out->mode & LEOFS_S_IFMT) != LEOFS_S_IFREG)
		return ns_why(-EPROTO, "CREATE answered with a mode of %#o",
			      out->mode);
	return rc;
}

int leofs_ns_unlink(struct leofs_ns *ns, u64 parent, const char *name)
{
	return name_call(ns, LEOFS_OP_UNLINK, parent, name, strlen(name), NULL);
}

int leofs_ns_readdir(struct leofs_ns *ns, u64 dir, u64 cookie,
		     leofs_ns_dirent_fn fn, void *arg)
{
	struct leofs_readdir_req req = { .creds = ns->creds,
					 .ino = dir,
					 .cookie = cookie,
					 .max_entries =
						 LEOFS_READDIR_MAX_ENTRIES,
					 .max_bytes = READDIR_MAX_BYTES };
	struct leofs_readdir_reply *rep = malloc(sizeof(*rep));
	struct leofs_rpc_reply raw;
	bool eof = false;
	u32 i;
	int rc = 0;

	if (!rep)
		return ns_why(-ENOMEM, "out of memory");
	while (!rc && !eof) {
		rc = leofs_ns_call(ns, dir, LEOFS_OP_READDIR, &req, sizeof(req),
				   rep, sizeof(*rep), &raw);
		if (rc)
			break;
		eof = rep->eof;
		if (rep->status)
			rc = ns_status_err(rep->status);
		else if (!eof && !rep->nr_entries)
			rc = ns_why(-EPROTO, "READDIR: no entry and no end");
		for (i = 0; !rc && i < rep->nr_entries; i++)
			rc = fn(arg, &rep->entries[i]);
		/* a cookie that does not move would loop forever */
		if (!rc && !eof) {
			cookie = rep->entries[rep->nr_entries - 1].next_cookie;
			if (cookie == req.cookie)
				rc = ns_why(-EPROTO, "READDIR: the cookie "
						     "does not advance");
			req.cookie = cookie;
		}
		leofs_rpc_reply_free(&raw);
	}
	free(rep);
	return rc;
}

int leofs_ns_layout(struct leofs_ns *ns, u64 ino, struct leofs_layout *out)
{
	struct leofs_ino_req req = { .creds = ns->creds, .ino = ino };
	struct leofs_layout_reply rep;
	struct leofs_rpc_reply raw;
	int rc;

	rc = leofs_ns_call(ns, ino, LEOFS_OP_GET_LAYOUT, &req, sizeof(req),
			   &rep, sizeof(rep), &raw);
	if (rc)
		return rc;
	leofs_rpc_reply_free(&raw);
	if (rep.status)
		return ns_status_err(rep.status);
	*out = rep.layout;
	return 0;
}

int leofs_ns_commit_size(struct leofs_ns *ns, u64 ino, u64 size,
			 const struct leofs_timespec *mtime,
			 struct leofs_attr *out)
{
	struct leofs_commit_size_req req = {
		.creds = ns->creds, .ino = ino, .size = size, .mtime = *mtime
	};

	return simple_call(ns, ino, LEOFS_OP_COMMIT_SIZE, &req, sizeof(req),
			   out);
}
