// SPDX-License-Identifier: GPL-2.0
/* The engine: the shards this node serves, each with its store and writer. */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

struct mds_shard *mds_shard_of(struct mds_engine *eng, u64 ino)
{
	u16 id = mds_ino_shard(ino);
	u32 i;

	for (i = 0; i < eng->nr_shards; i++)
		if (eng->shards[i].id == id)
			return &eng->shards[i];
	return NULL;
}

struct mds_shard *mds_shard_for(struct mds_engine *eng, u64 ino, int *err)
{
	struct mds_shard *sh = mds_shard_of(eng, ino);

	*err = sh ? 0 : -EXDEV;
	return sh;
}

void mds_engine_close(struct mds_engine *eng)
{
	u32 i;

	if (!eng)
		return;
	for (i = 0; i < eng->nr_shards; i++) {
		struct mds_shard *sh = &eng->shards[i];

		mds_writer_stop(sh);
		mds_store_close(sh);
		pthread_cond_destroy(&sh->work);
		pthread_mutex_destroy(&sh->lock);
	}
	pthread_rwlock_destroy(&eng->map_lock);
	pthread_mutex_destroy(&eng->xlock);
	free(eng->xbusy);
	free(eng->shards);
	free(eng);
}

int mds_engine_open(const struct mds_engine_opts *opts, struct mds_engine **out)
{
	struct mds_engine *eng;
	char path[4096];
	u32 i, j;
	int rc;

	*out = NULL;
	if (!opts->data_dir || !opts->nr_shards ||
	    opts->nr_shards > MDS_MAX_SHARDS)
		return -EINVAL;
	for (i = 0; i < opts->nr_shards; i++)
		for (j = 0; j < i; j++)
			if (opts->shards[i] == opts->shards[j])
				return -EINVAL;
	rc = mds_layout_validate(&opts->root_layout, NULL, NULL, 0);
	if (rc)
		return rc;

	eng = calloc(1, sizeof(*eng));
	if (!eng)
		return -ENOMEM;
	eng->shards = calloc(opts->nr_shards, sizeof(*eng->shards));
	if (!eng->shards) {
		free(eng);
		return -ENOMEM;
	}
	eng->rcache_per_session = opts->rcache_per_session ?: 64;
	eng->max_batch = opts->max_batch ?: 4096;
	pthread_rwlock_init(&eng->map_lock, NULL);
	pthread_mutex_init(&eng->xlock, NULL);
	for (i = 0; i < opts->nr_shards; i++) {
		struct mds_shard *sh = &eng->shards[i];

		sh->eng = eng;
		sh->id = opts->shards[i];
		pthread_mutex_init(&sh->lock, NULL);
		pthread_cond_init(&sh->work, NULL);
		eng->nr_shards++;
	}
	if (mkdir(opts->data_dir, 0700) && errno != EEXIST) {
		rc = -errno;
		goto fail;
	}
	for (i = 0; i < eng->nr_shards; i++) {
		struct mds_shard *sh = &eng->shards[i];

		snprintf(path, sizeof(path), "%s/shard-%u", opts->data_dir,
			 sh->id);
		rc = mds_store_open(sh, path, opts->map_size ?: 4ull << 30,
				    &opts->root_layout);
		if (!rc)
			rc = mds_writer_start(sh);
		if (rc)
			goto fail;
	}
	*out = eng;
	return 0;
fail:
	mds_engine_close(eng);
	return rc;
}

void mds_engine_set_map(struct mds_engine *eng, const struct leofs_map *map)
{
	pthread_rwlock_wrlock(&eng->map_lock);
	eng->map = map;
	pthread_rwlock_unlock(&eng->map_lock);
}

const struct leofs_map *mds_map_get(struct mds_engine *eng)
{
	pthread_rwlock_rdlock(&eng->map_lock);
	return eng->map;
}

void mds_map_put(struct mds_engine *eng)
{
	pthread_rwlock_unlock(&eng->map_lock);
}

void mds_engine_stats(struct mds_engine *eng, struct mds_engine_stats *st)
{
	u32 i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < eng->nr_shards; i++) {
		struct mds_shard *sh = &eng->shards[i];

		pthread_mutex_lock(&sh->lock);
		st->commits += sh->commits;
		st->ops += sh->ops;
		st->replays += sh->replays;
		pthread_mutex_unlock(&sh->lock);
	}
}
