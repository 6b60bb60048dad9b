// SPDX-License-Identifier: GPL-2.0
/* Shared by the MDS unit tests (helper_mds.h). */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper_mds.h"

const struct mds_creds mds_test_root = { 0, 0, 0, { 0 } };

void mds_test_tmpdir(char *dir, size_t cap, const char *name)
{
	snprintf(dir, cap, "/tmp/leofs-%s-XXXXXX", name);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
}

static int rm_one(const char *p, const struct stat *sb, int f, struct FTW *w)
{
	(void)sb;
	(void)f;
	(void)w;
	return remove(p);
}

void mds_test_rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int mds_test_engine(const char *dir, const u16 *shards, u32 n, u32 rcache,
		    struct mds_engine **out)
{
	struct mds_engine_opts o = {
		.data_dir = dir,
		.shards = shards,
		.nr_shards = n,
		.map_size = 64 << 20,
		.rcache_per_session = rcache,
		.root_layout = { 1, MDS_LAYOUT_REPLICA, 1, 0, 1 << 20, 1, 0 },
	};

	return mds_engine_open(&o, out);
}

void mds_test_ids_add(u64 id, void *arg)
{
	struct mds_test_ids *s = arg;

	if (s->n < sizeof(s->ids) / sizeof(s->ids[0]))
		s->ids[s->n] = id;
	s->n++;
}

bool mds_test_ids_has(const struct mds_test_ids *s, u64 id)
{
	u32 i;

	for (i = 0; i < s->n && i < sizeof(s->ids) / sizeof(s->ids[0]); i++)
		if (s->ids[i] == id)
			return true;
	return false;
}
