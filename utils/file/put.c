// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-file put: a local file into leofs. The file is created (CREATE
 * with O_EXCL semantics) with the layout its directory gives it, its data
 * written stripe by stripe through the file client, then its size
 * committed (COMMIT_SIZE), as the kernel client does on close. A put that
 * fails after the create removes the file; the size commit before that
 * unlink marks it as having data, so the metadata server queues the
 * deletion of whatever stripes were stored.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

struct put {
	const char *local;
	const char *remote;
	bool force;
	int fd;
	u32 mode; /* of the new file */
	u64 parent; /* its directory */
	const char *name; /* its name there */
	char path[PATH_MAX + 2]; /* its path, for messages */
	struct leofs_attr attr; /* as created */
	bool wrote; /* data may be on the storage servers */
};

static ssize_t read_full(int fd, u8 *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int open_local(struct ft *t, struct put *p)
{
	mode_t mask = umask(0);
	struct stat st;

	umask(mask);
	p->mode = 0666 & ~mask;
	if (!strcmp(p->local, "-")) {
		p->fd = STDIN_FILENO;
		return 0;
	}
	p->fd = open(p->local, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0)
		return ft_fail(t, p->local, -errno, NULL);
	if (fstat(p->fd, &st))
		return ft_fail(t, p->local, -errno, NULL);
	if (S_ISDIR(st.st_mode))
		return ft_fail(t, p->local, -EISDIR, NULL);
	p->mode = st.st_mode & 0777 & ~mask;
	return 0;
}

/* A name taken: refused, or unlinked with --force. */
static int replace(struct ft *t, struct put *p, const struct leofs_attr *old)
{
	int rc;

	if ((old->mode & LEOFS_S_IFMT) == LEOFS_S_IFDIR)
		return ft_fail(t, p->path, -EISDIR, NULL);
	if (!p->force)
		return ft_fail(t, p->path, -EEXIST,
			       "File exists; --force replaces it");
	rc = leofs_ns_unlink(t->ns, p->parent, p->name);
	if (rc && rc != -ENOENT)
		return ft_fail(t, p->path, rc, leofs_ns_why());
	return 0;
}

/*
 * Where the file goes: REMOTE, or REMOTE/NAME when REMOTE is a directory
 * (NAME: the last component of LOCAL).
 */
static int place(struct ft *t, struct put *p)
{
	char dir[PATH_MAX + 1];
	struct leofs_attr a, e;
	const char *sep;
	int rc;

	if (strlen(p->remote) > PATH_MAX)
		return ft_fail(t, "REMOTE", -ENAMETOOLONG, NULL);
	ft_split(p->remote, dir, &p->name);
	rc = ft_walk(t, dir, &a);
	if (rc)
		return rc;
	if ((a.mode & LEOFS_S_IFMT) != LEOFS_S_IFDIR)
		return ft_fail(t, dir, -ENOTDIR, NULL);
	rc = -ENOENT;
	if (*p->name) {
		rc = leofs_ns_lookup(t->ns, a.ino, p->name, strlen(p->name),
				     &e);
		if (rc && rc != -ENOENT)
			return ft_fail(t, p->remote, rc, leofs_ns_why());
		if (!rc && (e.mode & LEOFS_S_IFMT) == LEOFS_S_IFDIR) {
			a = e;
			p->name = "";
		}
	}
	p->parent = a.ino;
	if (!*p->name) {
		if (!strcmp(p->local, "-"))
			return ft_usage_err(
				t,
				"'%s' is a directory: name the file "
				"to store standard input in",
				p->remote);
		p->name = strrchr(p->local, '/');
		p->name = p->name ? p->name + 1 : p->local;
		rc = leofs_ns_lookup(t->ns, a.ino, p->name, strlen(p->name),
				     &e);
		sep = p->remote[strlen(p->remote) - 1] == '/' ? "" : "/";
		snprintf(p->path, sizeof(p->path), "%s%s%s", p->remote, sep,
			 p->name);
	} else {
		snprintf(p->path, sizeof(p->path), "%s", p->remote);
	}
	if (!rc)
		return replace(t, p, &e);
	if (rc != -ENOENT)
		return ft_fail(t, p->path, rc, leofs_ns_why());
	return 0;
}

/* The data: LOCAL to the file's stripes. */
static int store(struct ft *t, struct put *p, u64 *total)
{
	const struct leofs_layout *l = &p->attr.layout;
	size_t chunk = ft_chunk_size(l);
	u8 *buf = malloc(chunk);
	char why[160];
	ssize_t n;
	u32 reason;
	int rc = 0;

	*total = 0;
	if (!buf)
		return ft_fail(t, p->path, -ENOMEM, NULL);
	while (!rc) {
		n = read_full(p->fd, buf, chunk);
		if (n <= 0) {
			if (n < 0)
				rc = ft_fail(t, p->local, (int)n, NULL);
			break;
		}
		if (l->scheme == LEOFS_LAYOUT_NONE) {
			rc = ft_fail(t, p->path, -EIO,
				     "no data layout for new files here (set "
				     "one with leofs-admin layout set)");
			break;
		}
		if (leofs_layout_check(l, &reason)) {
			snprintf(why, sizeof(why), "unusable layout: %s",
				 leofs_layout_strerror(reason));
			rc = ft_fail(t, p->path, -EIO, why);
			break;
		}
		rc = ft_data_open(t);
		if (rc)
			break;
		p->wrote = true;
		rc = leofs_file_write(t->data, p->attr.ino, l, *total, buf,
				      (size_t)n,
				      (size_t)n < chunk ? LEOFS_FILE_EOF : 0);
		if (rc) {
			snprintf(why, sizeof(why), "storing the data: %s",
				 rc == -EROFS ?
					 "a placement group is read-only "
					 "(too few members up)" :
					 strerror(-rc));
			rc = ft_fail(t, p->path, rc, why);
			break;
		}
		*total += (u64)n;
		if ((size_t)n < chunk)
			break;
	}
	free(buf);
	return rc;
}

static int commit(struct ft *t, struct put *p, u64 size)
{
	struct leofs_timespec mtime;
	struct timespec now;
	struct leofs_attr a;
	char why[96];
	int rc;

	clock_gettime(CLOCK_REALTIME, &now);
	mtime.sec = now.tv_sec;
	mtime.nsec = (u32)now.tv_nsec;
	rc = leofs_ns_commit_size(t->ns, p->attr.ino, size, &mtime, &a);
	if (rc)
		return ft_fail(t, p->path, rc, leofs_ns_why());
	if (a.size != size) {
		snprintf(why, sizeof(why), "size committed as %llu, not %llu",
			 (unsigned long long)a.size, (unsigned long long)size);
		return ft_fail(t, p->path, -EIO, why);
	}
	return 0;
}

/* After a failure: remove the half-made file (and let its data go). */
static void discard(struct ft *t, struct put *p)
{
	static const struct leofs_timespec epoch;

	if (p->wrote)
		leofs_ns_commit_size(t->ns, p->attr.ino, 0, &epoch, NULL);
	if (leofs_ns_unlink(t->ns, p->parent, p->name))
		ft_err(t, "%s: the incomplete file is left: %s", p->path,
		       leofs_ns_why());
}

int ft_cmd_put(struct ft *t, int argc, char **argv)
{
	struct ft_args args = { .flag_name = "force",
				.n = 2,
				.want = "LOCAL and REMOTE" };
	struct put p = { .fd = -1 };
	u64 size;
	int rc;

	rc = ft_args(t, argc, argv, &args);
	if (rc >= 0)
		return rc;
	p.force = args.flag;
	p.local = args.operands[0];
	p.remote = args.operands[1];
	rc = ft_absolute(t, p.remote);
	if (!rc)
		rc = open_local(t, &p);
	if (!rc)
		rc = ft_cluster_open(t);
	if (!rc)
		rc = place(t, &p);
	if (!rc) {
		rc = leofs_ns_create(t->ns, p.parent, p.name, p.mode, &p.attr);
		if (rc)
			rc = ft_fail(t, p.path, rc, leofs_ns_why());
		else if (store(t, &p, &size) || commit(t, &p, size))
			rc = ADMIN_EXIT_FAIL;
		if (rc && p.attr.ino)
			discard(t, &p);
	}
	if (p.fd > STDIN_FILENO)
		close(p.fd);
	return rc;
}
