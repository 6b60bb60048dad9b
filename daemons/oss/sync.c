// SPDX-License-Identifier: GPL-2.0
/* Group commit: one flusher thread per target (see sync.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sync.h"

struct sync_req {
	const struct oss_sync_item *items;
	unsigned int n;
	int result;
	bool done;
	struct sync_req *next;
};

struct oss_sync {
	pthread_mutex_t lock;
	pthread_cond_t kick; /* the flusher waits for work here */
	pthread_cond_t done; /* waiters wait for their pass here */
	struct sync_req *queue;
	bool stop;
	bool paused;
	int error;
	int fs_fd;
	unsigned int interval_us;
	pthread_t thread;
	struct oss_sync_stats stats;
};

/* Distinct files of a batch, found by device and inode number. */
struct sync_file {
	dev_t dev;
	ino_t ino;
	int fd;
	bool dir;
};

#define SYNC_BATCH_FILES_MAX 256

static int sync_one(int fd, bool dir)
{
	int r = dir ? fsync(fd) : fdatasync(fd);

	/* EINVAL: a file type that cannot be synced; nothing to make durable */
	if (r < 0 && errno != EINVAL)
		return -EIO;
	return 0;
}

/* Sync everything the batch names; returns the number of calls made. */
static int sync_batch(struct oss_sync *s, struct sync_req *batch,
		      unsigned int *calls)
{
	struct sync_file files[SYNC_BATCH_FILES_MAX];
	unsigned int nfiles = 0, i, j;
	bool use_syncfs = false;
	struct sync_req *req;
	struct stat st;

	*calls = 0;
	for (req = batch; req && !use_syncfs; req = req->next) {
		for (i = 0; i < req->n; i++) {
			const struct oss_sync_item *it = &req->items[i];

			if (fstat(it->fd, &st) < 0)
				return -EIO;
			for (j = 0; j < nfiles; j++)
				if (files[j].dev == st.st_dev &&
				    files[j].ino == st.st_ino)
					break;
			if (j < nfiles) {
				files[j].dir |= it->dir;
				continue;
			}
			if (nfiles == SYNC_BATCH_FILES_MAX ||
			    nfiles >= OSS_SYNC_SYNCFS_MIN) {
				use_syncfs = true;
				break;
			}
			files[nfiles++] =
				(struct sync_file){ st.st_dev, st.st_ino,
						    it->fd, it->dir };
		}
	}
	if (use_syncfs) {
		*calls = 1;
		return syncfs(s->fs_fd) < 0 ? -EIO : 0;
	}
	for (i = 0; i < nfiles; i++) {
		int r = sync_one(files[i].fd, files[i].dir);

		(*calls)++;
		if (r)
			return r;
	}
	return 0;
}

static void *sync_thread(void *arg)
{
	struct oss_sync *s = arg;
	struct sync_req *batch, *req, *next;
	unsigned int calls;
	int r;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->stop && (!s->queue || s->paused))
			pthread_cond_wait(&s->kick, &s->lock);
		if (!s->queue)
			break; /* stopping, and nothing left to do */
		if (s->interval_us && !s->stop) {
			struct timespec ts = { 0, (long)s->interval_us * 1000 };

			/* let concurrent operations join this pass */
			pthread_mutex_unlock(&s->lock);
			nanosleep(&ts, NULL);
			pthread_mutex_lock(&s->lock);
		}
		batch = s->queue;
		s->queue = NULL;
		r = s->error;
		pthread_mutex_unlock(&s->lock);

		calls = 0;
		if (!r)
			r = sync_batch(s, batch, &calls);

		pthread_mutex_lock(&s->lock);
		if (r)
			s->error = -EIO;
		s->stats.passes++;
		s->stats.syncs += calls;
		for (req = batch; req; req = next) {
			next = req->next;
			req->result = r;
			req->done = true;
		}
		pthread_cond_broadcast(&s->done);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int oss_sync_start(int fs_fd, unsigned int interval_us, struct oss_sync **out)
{
	struct oss_sync *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->kick, NULL);
	pthread_cond_init(&s->done, NULL);
	s->fs_fd = fs_fd;
	s->interval_us = interval_us;
	r = pthread_create(&s->thread, NULL, sync_thread, s);
	if (!r)
		pthread_setname_np(s->thread, "oss-sync");
	if (r) {
		pthread_cond_destroy(&s->done);
		pthread_cond_destroy(&s->kick);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return -r;
	}
	*out = s;
	return 0;
}

void oss_sync_stop(struct oss_sync *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	s->paused = false;
	pthread_cond_signal(&s->kick);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->done);
	pthread_cond_destroy(&s->kick);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int oss_sync_wait(struct oss_sync *s, const struct oss_sync_item *items,
		  unsigned int n)
{
	struct sync_req req = { .items = items, .n = n };

	pthread_mutex_lock(&s->lock);
	s->stats.waits++;
	if (s->error || s->stop) {
		pthread_mutex_unlock(&s->lock);
		return -EIO;
	}
	req.next = s->queue;
	s->queue = &req;
	pthread_cond_signal(&s->kick);
	while (!req.done)
		pthread_cond_wait(&s->done, &s->lock);
	pthread_mutex_unlock(&s->lock);
	return req.result;
}

int oss_sync_error(struct oss_sync *s)
{
	int r;

	pthread_mutex_lock(&s->lock);
	r = s->error;
	pthread_mutex_unlock(&s->lock);
	return r;
}

void oss_sync_pause(struct oss_sync *s, bool paused)
{
	pthread_mutex_lock(&s->lock);
	s->paused = paused;
	pthread_cond_signal(&s->kick);
	pthread_mutex_unlock(&s->lock);
}

void oss_sync_get_stats(struct oss_sync *s, struct oss_sync_stats *st)
{
	pthread_mutex_lock(&s->lock);
	*st = s->stats;
	pthread_mutex_unlock(&s->lock);
}
