// SPDX-License-Identifier: GPL-2.0
/* leofs-file stat: the attributes of a path, and its data layout. */
#include <stdio.h>

#include "tool.h"

static void print_layout(const struct leofs_layout *l,
			 const struct leofs_map *map)
{
	const struct leofs_map_pool *p = admin_map_pool_by_id(map, l->pool_id);
	char scheme[32], unit[32];

	admin_scheme_str(l, scheme, sizeof(scheme));
	if (l->scheme == LEOFS_LAYOUT_NONE) {
		printf("layout        none\n");
		return;
	}
	printf("layout        %s, pool %s (id %u), stripe unit %u (%s), "
	       "stripe count %u, generation %llu\n",
	       scheme, p ? p->name : "(not in the map)", l->pool_id,
	       l->stripe_unit,
	       admin_human_bytes(l->stripe_unit, unit, sizeof(unit)),
	       l->stripe_count, (unsigned long long)l->generation);
}

static void print_attr(const char *path, const struct leofs_attr *a,
		       const struct leofs_map *map)
{
	char mode[12], size[32], at[32], mt[32], ct[32];

	printf("path          %s\n"
	       "ino           %#018llx\n"
	       "type          %s\n"
	       "mode          %04o (%s)\n"
	       "links         %u\n"
	       "uid           %u\n"
	       "gid           %u\n"
	       "size          %llu (%s)\n"
	       "blocks        %llu\n"
	       "accessed      %s\n"
	       "modified      %s\n"
	       "changed       %s\n"
	       "generation    %llu\n",
	       path, (unsigned long long)a->ino, ft_type_name(a->mode),
	       a->mode & 07777, ft_mode_str(a->mode, mode), a->nlink, a->uid,
	       a->gid, (unsigned long long)a->size,
	       admin_human_bytes(a->size, size, sizeof(size)),
	       (unsigned long long)a->blocks,
	       ft_time_str(&a->atime, at, sizeof(at)),
	       ft_time_str(&a->mtime, mt, sizeof(mt)),
	       ft_time_str(&a->ctime, ct, sizeof(ct)),
	       (unsigned long long)a->generation);
	if ((a->mode & LEOFS_S_IFMT) != LEOFS_S_IFLNK)
		print_layout(&a->layout, map);
}

int ft_cmd_stat(struct ft *t, int argc, char **argv)
{
	struct ft_args args = { .n = 1, .want = "PATH" };
	struct leofs_mapview *v;
	struct leofs_attr a;
	const char *path;
	json_t *o;
	int rc;

	rc = ft_args(t, argc, argv, &args);
	if (rc >= 0)
		return rc;
	path = args.operands[0];
	rc = ft_cluster_open(t);
	if (!rc)
		rc = ft_walk(t, path, &a);
	if (rc)
		return rc;
	v = leofs_ns_view(t->ns);
	if (t->g.json) {
		o = ft_json_attr(&a, leofs_mapview_map(v));
		if (o)
			json_object_set_new(o, "path", json_string(path));
		rc = admin_json_print(o, stdout);
		if (rc)
			rc = ft_fail(t, path, rc, NULL);
	} else {
		print_attr(path, &a, leofs_mapview_map(v));
	}
	leofs_mapview_put(v);
	return rc;
}
