// SPDX-License-Identifier: GPL-2.0
/* leofs-file: paths inside the leofs namespace. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tool.h"

void ft_split(const char *path, char *dir, const char **base)
{
	const char *slash = strrchr(path, '/');
	size_t len;

	if (!slash) { /* not absolute: ft_walk() refuses it */
		strcpy(dir, path);
		*base = path + strlen(path);
		return;
	}
	*base = slash + 1;
	len = (size_t)(slash - path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (!len)
		len = 1; /* "/" */
	memcpy(dir, path, len);
	dir[len] = '\0';
}

int ft_absolute(struct ft *t, const char *path)
{
	if (path[0] == '/')
		return 0;
	return ft_usage_err(t,
			    "'%s': want an absolute path inside the leofs "
			    "namespace, e.g. /images/a.dcm",
			    path);
}

int ft_walk(struct ft *t, const char *path, struct leofs_attr *attr)
{
	char why[640];
	size_t done;
	int rc;

	rc = leofs_ns_walk(t->ns, path, attr, &done);
	if (rc == -EINVAL)
		return ft_usage_err(t, "'%s': %s", path, leofs_ns_why());
	if (!rc)
		return 0;
	/* where the walk stopped, when short of the end */
	if (done && done < strlen(path))
		snprintf(why, sizeof(why), "%.*s: %s", (int)done, path,
			 leofs_ns_why());
	else
		snprintf(why, sizeof(why), "%s", leofs_ns_why());
	return ft_fail(t, path, rc, why);
}
