// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-file rm: UNLINK of a file. The metadata server queues the deletion
 * of the file's objects in the same transaction; its background task
 * deletes them on the storage servers.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "tool.h"

int ft_cmd_rm(struct ft *t, int argc, char **argv)
{
	struct ft_args args = { .n = 1, .want = "PATH" };
	char dir[PATH_MAX + 1];
	struct leofs_attr a;
	const char *path, *base;
	int rc;

	rc = ft_args(t, argc, argv, &args);
	if (rc >= 0)
		return rc;
	path = args.operands[0];
	rc = ft_absolute(t, path);
	if (rc)
		return rc;
	if (strlen(path) > PATH_MAX)
		return ft_fail(t, "PATH", -ENAMETOOLONG, NULL);
	ft_split(path, dir, &base);
	rc = ft_cluster_open(t);
	if (!rc)
		rc = ft_walk(t, dir, &a);
	if (rc)
		return rc;
	if (!*base) /* "/" or "/dir/" */
		return ft_fail(t, path, -EISDIR, NULL);
	rc = leofs_ns_unlink(t->ns, a.ino, base);
	if (rc)
		return ft_fail(t, path, rc, leofs_ns_why());
	return 0;
}
