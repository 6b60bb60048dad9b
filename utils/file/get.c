// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-file get: a file out of leofs. Reads the file's size and layout
 * from its attributes, reads the data through the file client (which
 * reconstructs what a down or corrupt fragment cannot give), and checks
 * that exactly the size arrived and that the size did not change while
 * it was read. A local file left incomplete by a failure is removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

struct get {
	const char *remote;
	const char *local; /* "-": standard output */
	char out[PATH_MAX + 1];
	int fd;
	struct leofs_attr attr;
};

static int write_full(int fd, const u8 *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int open_local(struct ft *t, struct get *g)
{
	const char *base = strrchr(g->remote, '/') + 1;
	struct stat st;

	if (!strcmp(g->local, "-")) {
		g->fd = STDOUT_FILENO;
		snprintf(g->out, sizeof(g->out), "standard output");
		return 0;
	}
	/* into a directory: under the remote file's name */
	if (!stat(g->local, &st) && S_ISDIR(st.st_mode))
		snprintf(g->out, sizeof(g->out), "%s/%s", g->local, base);
	else
		snprintf(g->out, sizeof(g->out), "%s", g->local);
	g->fd = open(g->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (g->fd < 0)
		return ft_fail(t, g->out, -errno, NULL);
	return 0;
}

/* The data, then the checks of what arrived. */
static int copy(struct ft *t, struct get *g)
{
	const struct leofs_layout *l = &g->attr.layout;
	u64 size = g->attr.size, off = 0;
	size_t chunk = ft_chunk_size(l), n;
	struct leofs_attr now;
	struct stat st;
	char why[160];
	u32 reason;
	u8 *buf;
	int rc;

	if (size && (l->scheme == LEOFS_LAYOUT_NONE ||
		     leofs_layout_check(l, &reason))) {
		snprintf(why, sizeof(why), "%llu bytes but no usable layout",
			 (unsigned long long)size);
		return ft_fail(t, g->remote, -EIO, why);
	}
	if (size && ft_data_open(t))
		return ADMIN_EXIT_FAIL;
	buf = malloc(chunk);
	if (!buf)
		return ft_fail(t, g->remote, -ENOMEM, NULL);
	for (rc = 0; !rc && off < size; off += n) {
		n = size - off < chunk ? (size_t)(size - off) : chunk;
		rc = leofs_file_read(t->data, g->attr.ino, l, off, buf, n);
		if (rc) {
			snprintf(why, sizeof(why), "reading the data: %s",
				 strerror(-rc));
			rc = ft_fail(t, g->remote, rc, why);
			break;
		}
		rc = write_full(g->fd, buf, n);
		if (rc)
			rc = ft_fail(t, g->out, rc, NULL);
	}
	free(buf);
	if (rc)
		return rc;
	rc = leofs_ns_getattr(t->ns, g->attr.ino, &now);
	if (rc)
		return ft_fail(t, g->remote, rc, leofs_ns_why());
	if (now.size != size) {
		snprintf(why, sizeof(why),
			 "the size changed from %llu to %llu bytes while it "
			 "was read",
			 (unsigned long long)size,
			 (unsigned long long)now.size);
		return ft_fail(t, g->remote, -EAGAIN, why);
	}
	if (!fstat(g->fd, &st) && S_ISREG(st.st_mode) &&
	    (u64)st.st_size != size) {
		snprintf(why, sizeof(why), "%llu bytes written, not %llu",
			 (unsigned long long)st.st_size,
			 (unsigned long long)size);
		return ft_fail(t, g->out, -EIO, why);
	}
	return 0;
}

int ft_cmd_get(struct ft *t, int argc, char **argv)
{
	struct ft_args args = { .n = 2, .want = "REMOTE and LOCAL (or -)" };
	struct get g = { .fd = -1 };
	int rc;

	rc = ft_args(t, argc, argv, &args);
	if (rc >= 0)
		return rc;
	g.remote = args.operands[0];
	g.local = args.operands[1];
	rc = ft_absolute(t, g.remote);
	if (!rc)
		rc = ft_cluster_open(t);
	if (!rc)
		rc = ft_walk(t, g.remote, &g.attr);
	if (rc)
		return rc;
	if ((g.attr.mode & LEOFS_S_IFMT) == LEOFS_S_IFDIR)
		return ft_fail(t, g.remote, -EISDIR, NULL);
	if ((g.attr.mode & LEOFS_S_IFMT) != LEOFS_S_IFREG)
		return ft_fail(t, g.remote, -EINVAL, "not a regular file");
	rc = open_local(t, &g);
	if (rc)
		return rc;
	rc = copy(t, &g);
	if (g.fd != STDOUT_FILENO) {
		if (close(g.fd) && !rc)
			rc = ft_fail(t, g.out, -errno, NULL);
		if (rc)
			unlink(g.out);
	}
	return rc;
}
