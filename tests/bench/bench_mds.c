// SPDX-License-Identifier: GPL-2.0
/*
 * Namespace engine throughput: creates, stats and unlinks in one directory
 * from several threads, through the engine (durable group commit), against
 * the same operations as syscalls on a local directory, side by side.
 */
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "../../daemons/mds/mds.h"

/* files per run, split over the threads */
#define FILES 32000

static const struct mds_creds root_cr = { 0, 0, 0, { 0 } };

enum step { CREATE, STAT, UNLINK };

struct worker {
	struct mds_engine *eng;	/* NULL: local syscalls in dir */
	const char *dir;
	u64 parent;
	int id;
	int count;
	enum step step;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct mds_attr a;
	struct stat st;
	char name[64], path[512];
	bool c;
	int i, n, fd, rc = 0;

	for (i = 0; i < w->count; i++) {
		n = snprintf(name, sizeof(name), "f%d-%d", w->id, i);
		if (w->eng) {
			if (w->step == CREATE)
				rc = mds_create(w->eng, &root_cr, NULL,
						w->parent, name, (size_t)n,
						0644, MDS_CREATE_EXCL, &a, &c);
			else if (w->step == STAT)
				rc = mds_lookup(w->eng, &root_cr, w->parent,
						name, (size_t)n, &a);
			else
				rc = mds_unlink(w->eng, &root_cr, NULL,
						w->parent, name, (size_t)n);
		} else {
			snprintf(path, sizeof(path), "%s/%s", w->dir, name);
			if (w->step == CREATE) {
				fd = open(path, O_CREAT | O_EXCL | O_WRONLY,
					  0644);
				rc = fd < 0 ? -1 : close(fd);
			} else if (w->step == STAT) {
				rc = stat(path, &st);
			} else {
				rc = unlink(path);
			}
		}
		if (rc) {
			fprintf(stderr, "bench_mds: step %d failed: %d\n",
				w->step, rc);
			exit(1);
		}
	}
	return NULL;
}

static double run(struct mds_engine *eng, const char *dir, u64 parent,
		  int threads, enum step step)
{
	struct worker w[64];
	pthread_t t[64];
	double t0 = now();
	int i;

	for (i = 0; i < threads; i++) {
		w[i] = (struct worker){ eng, dir, parent, i, FILES / threads,
					step };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	return (double)(FILES / threads * threads) / (now() - t0);
}

static int rm_cb(const char *p, const struct stat *sb, int f, struct FTW *w)
{
	(void)sb;
	(void)f;
	(void)w;
	return remove(p);
}

int main(void)
{
	static const u16 shards[] = { 0 };
	static const char *const names[] = { "create", "stat", "unlink" };
	static const int nthreads[] = { 1, 8, 64 };
	struct mds_engine_opts o = { 0 };
	struct mds_engine *eng;
	struct mds_attr d;
	char dir[64] = "/tmp/leofs-bench-mds-XXXXXX", local[128], label[16];
	int ti, s;

	if (!mkdtemp(dir))
		return 1;
	o.data_dir = dir;
	o.shards = shards;
	o.nr_shards = 1;
	o.map_size = 1ull << 30;
	o.root_layout = (struct mds_layout){ 1, MDS_LAYOUT_REPLICA, 1, 0,
					     1 << 20, 1, 0 };
	if (mds_engine_open(&o, &eng))
		return 1;
	for (ti = 0; ti < 3; ti++) {
		int th = nthreads[ti];
		double v, base;

		snprintf(label, sizeof(label), "d%d", th);
		if (mds_mkdir(eng, &root_cr, NULL, MDS_ROOT_INO, label,
			      strlen(label), 0755, &d))
			return 1;
		snprintf(local, sizeof(local), "%s/local-%d", dir, th);
		mkdir(local, 0755);
		for (s = CREATE; s <= UNLINK; s++) {
			v = run(eng, NULL, d.ino, th, (enum step)s);
			base = run(NULL, local, 0, th, (enum step)s);
			printf("{\"name\":\"mds.%s.onedir.t%d\",\"value\":%.0f,"
			       "\"unit\":\"ops/s\",\"baseline\":%.0f,"
			       "\"ratio\":%.3f}\n",
			       names[s], th, v, base, v / base);
		}
	}
	mds_engine_close(eng);
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
