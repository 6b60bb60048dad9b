// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-file ls: a directory's entries (READDIR, cookie after cookie),
 * sorted by name; with -l each entry's attributes (GETATTR at the MDS of
 * the entry's own shard). A path that is not a directory lists itself.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

struct entry {
	char *name;
	u64 ino;
	u8 type; /* enum leofs_dtype */
	bool have_attr;
	bool gone; /* removed while listed */
	struct leofs_attr attr;
};

struct listing {
	struct entry *v;
	size_t n, cap;
};

static int add(void *arg, const struct leofs_dirent *de)
{
	struct listing *ls = arg;
	struct entry *e;

	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 64;

		e = realloc(ls->v, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		ls->v = e;
		ls->cap = cap;
	}
	e = &ls->v[ls->n];
	memset(e, 0, sizeof(*e));
	e->name = strndup(de->name.data, de->name.len);
	if (!e->name)
		return -ENOMEM;
	e->ino = de->ino;
	e->type = de->type;
	ls->n++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
		      ((const struct entry *)b)->name);
}

/* -l: the attributes of every entry; one removed meanwhile is left out. */
static int fill_attrs(struct ft *t, const char *path, struct listing *ls)
{
	char what[PATH_MAX + 300];
	size_t i;
	int rc;

	for (i = 0; i < ls->n; i++) {
		struct entry *e = &ls->v[i];

		rc = leofs_ns_getattr(t->ns, e->ino, &e->attr);
		if (rc == -ESTALE || rc == -ENOENT) {
			e->gone = true;
			continue;
		}
		if (rc) {
			snprintf(what, sizeof(what), "%s/%s", path, e->name);
			return ft_fail(t, what, rc, leofs_ns_why());
		}
		e->have_attr = true;
	}
	return 0;
}

static int print_json(struct ft *t, const char *path,
		      const struct leofs_attr *dir, const struct listing *ls)
{
	struct leofs_mapview *v = leofs_ns_view(t->ns);
	json_t *o, *arr = json_array(), *e;
	size_t i;
	int rc;

	for (i = 0; arr && i < ls->n; i++) {
		const struct entry *x = &ls->v[i];

		if (x->gone)
			continue;
		e = x->have_attr ?
			    ft_json_attr(&x->attr, leofs_mapview_map(v)) :
			    json_pack("{s:I, s:s}", "ino", (json_int_t)x->ino,
				      "type", ft_type_name((u32)x->type << 12));
		if (e)
			json_object_set_new(e, "name", json_string(x->name));
		if (!e || json_array_append_new(arr, e)) {
			json_decref(arr);
			arr = NULL;
		}
	}
	o = arr ? json_pack("{s:s, s:I, s:s, s:o}", "path", path, "ino",
			    (json_int_t)dir->ino, "type",
			    ft_type_name(dir->mode), "entries", arr) :
		  NULL;
	rc = admin_json_print(o, stdout);
	leofs_mapview_put(v);
	return rc ? ft_fail(t, path, rc, NULL) : 0;
}

static int print_table(struct ft *t, bool lng, const struct listing *ls)
{
	static const char *const hdr[] = { "MODE",  ">LINKS",	">UID", ">GID",
					   ">SIZE", "MODIFIED", "NAME" };
	struct admin_table *tb;
	char mode[12], mtime[32];
	size_t i;
	int rc = 0;

	if (!lng) {
		for (i = 0; i < ls->n; i++)
			if (!ls->v[i].gone)
				printf("%s\n", ls->v[i].name);
		return 0;
	}
	tb = admin_table_new(7, hdr);
	for (i = 0; tb && !rc && i < ls->n; i++) {
		const struct leofs_attr *a = &ls->v[i].attr;

		if (ls->v[i].gone)
			continue;
		rc = admin_table_addf(
			tb, "%s\t%u\t%u\t%u\t%llu\t%s\t%s",
			ft_mode_str(a->mode, mode), a->nlink, a->uid, a->gid,
			(unsigned long long)a->size,
			ft_time_str(&a->mtime, mtime, sizeof(mtime)),
			ls->v[i].name);
	}
	if (!tb || rc) {
		admin_table_free(tb);
		return ft_fail(t, "listing", -ENOMEM, NULL);
	}
	admin_table_print(tb, stdout);
	admin_table_free(tb);
	return 0;
}

int ft_cmd_ls(struct ft *t, int argc, char **argv)
{
	struct ft_args args = { .flag_name = "long", .n = 1, .want = "PATH" };
	struct listing ls = { 0 };
	struct leofs_attr dir;
	const char *path;
	bool lng;
	size_t i;
	int rc;

	rc = ft_args(t, argc, argv, &args);
	if (rc >= 0)
		return rc;
	lng = args.flag;
	path = args.operands[0];
	rc = ft_cluster_open(t);
	if (!rc)
		rc = ft_walk(t, path, &dir);
	if (rc)
		return rc;
	if ((dir.mode & LEOFS_S_IFMT) == LEOFS_S_IFDIR) {
		rc = leofs_ns_readdir(t->ns, dir.ino, 0, add, &ls);
		if (rc)
			rc = ft_fail(t, path, rc,
				     rc == -ENOMEM ? NULL : leofs_ns_why());
		else
			qsort(ls.v, ls.n, sizeof(*ls.v), by_name);
		if (!rc && lng)
			rc = fill_attrs(t, path, &ls);
	} else {
		/* a file lists itself, under the name given */
		struct leofs_dirent self = { .ino = dir.ino };

		self.name.data = path;
		self.name.len = (u32)strlen(path);
		rc = add(&ls, &self) ? ft_fail(t, path, -ENOMEM, NULL) : 0;
		if (!rc) {
			ls.v[0].attr = dir;
			ls.v[0].have_attr = lng;
			ls.v[0].type =
				(dir.mode & LEOFS_S_IFMT) == LEOFS_S_IFREG ?
					LEOFS_DT_REG :
					LEOFS_DT_UNKNOWN;
		}
	}
	if (!rc)
		rc = t->g.json ? print_json(t, path, &dir, &ls) :
				 print_table(t, lng, &ls);
	for (i = 0; i < ls.n; i++)
		free(ls.v[i].name);
	free(ls.v);
	return rc;
}
