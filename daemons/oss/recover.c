// SPDX-License-Identifier: GPL-2.0
/*
 * Recovery when a target is opened: every staging file left by a crash is
 * discarded (being written, or torn) or finished (committed: applied again,
 * which is idempotent). Prepared updates that verify are kept: the primary
 * still decides whether they commit.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

static int redo_commit(struct oss_target *t, struct oss_stage *st)
{
	struct oss_record rec = { 0 };
	struct oss_sync_item items[3];
	struct oss_object o;
	int r;

	rec.crcs = calloc(st->unit / OSS_BLOCK_SIZE + 1, sizeof(u32));
	if (!rec.crcs)
		return -ENOMEM;
	r = oss_object_open(t, &st->id, st->unit, true, &o);
	if (r)
		goto out;
	r = oss_record_load(&o, st->stripe, &rec);
	if (!r && rec.version < st->version) {
		if (rec.version != st->base_version) {
			r = -EUCLEAN;
		} else {
			r = oss_stage_apply(&o, st, &rec);
			items[0] = (struct oss_sync_item){ o.data_fd, false };
			items[1] = (struct oss_sync_item){ o.meta_fd, false };
			items[2] = (struct oss_sync_item){ o.dir_fd, true };
			if (!r)
				r = oss_sync_wait(t->sync, items, 3);
		}
	}
	oss_object_close(&o);
	if (!r)
		r = oss_stage_unlink(t, &st->id, st->stripe,
				     OSS_STAGE_COMMITTED);
out:
	free(rec.crcs);
	return r;
}

/* Names of the staging directory, read before anything is changed. */
static int list_staging(struct oss_target *t, char ***names, size_t *count)
{
	DIR *d = oss_stage_opendir(t);
	size_t n = 0, cap = 0;
	struct dirent *de;
	char **v = NULL;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			char **nv;

			cap = cap ? 2 * cap : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto nomem;
			v = nv;
		}
		v[n] = strdup(de->d_name);
		if (!v[n])
			goto nomem;
		n++;
	}
	closedir(d);
	*names = v;
	*count = n;
	return 0;
nomem:
	closedir(d);
	while (n)
		free(v[--n]);
	free(v);
	return -ENOMEM;
}

int oss_recover(struct oss_target *t, char *why, size_t why_len)
{
	struct oss_sync_item item = { t->staging_fd, true };
	struct oss_obj_id id;
	struct oss_stage st;
	char **names = NULL;
	size_t n = 0, i;
	u64 stripe;
	int r, kind;

	r = list_staging(t, &names, &n);
	for (i = 0; i < n && !r; i++) {
		kind = oss_stage_parse_name(names[i], &id, &stripe);
		if (kind < 0) {
			r = oss_refuse(
				why, why_len, -EUCLEAN,
				"%s: unexpected file %s/%s (not written by leofs)",
				t->path, OSS_STAGING_DIR, names[i]);
			break;
		}
		if (kind == OSS_STAGE_TMP) {
			r = oss_stage_unlink(t, &id, stripe, OSS_STAGE_TMP);
			continue;
		}
		r = oss_stage_read(t, &id, stripe, (char)kind, false, &st);
		if (r == -EBADMSG) {
			/* torn by the crash: it was never acknowledged */
			r = oss_stage_unlink(t, &id, stripe, (char)kind);
			continue;
		}
		if (!r && kind == OSS_STAGE_COMMITTED) {
			r = redo_commit(t, &st);
			if (r == -EUCLEAN)
				oss_refuse(why, why_len, r,
				       "%s: %s/%s does not follow the stripe's committed version",
				       t->path, OSS_STAGING_DIR, names[i]);
		}
		oss_stage_free(&st);
	}
	if (!r)
		r = oss_sync_wait(t->sync, &item, 1);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}
