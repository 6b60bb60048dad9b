// SPDX-License-Identifier: GPL-2.0
/*
 * Metadata throughput through the network, like mdtest: create, stat and
 * unlink of N empty files through a leofs-mds server (in this process, on
 * 127.0.0.1, durable group commit) and the userspace client, in one
 * directory and spread over many, from 1 and 8 client threads each keeping
 * a window of requests in flight (a window is sent at once: every request
 * but its last with LEOFS_RPC_MORE); side by side with the same syscalls
 * on a local directory as the baseline.
 *
 *	bench_mds [--quick] [--files N]
 *
 * JSON lines {"name","value","unit","baseline","ratio"} on stdout, named
 * mds.<create|stat|unlink>.<dir1|dirN>.<1t|8t>; commentary on stderr,
 * with the changes per group commit of each step.
 */
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "leofs/rpc.h"
#include "../../daemons/mds/config.h"
#include "../../daemons/mds/mds.h"
#include "../../daemons/mds/net.h"

#define WINDOW	32 /* requests in flight per client thread */
#define NR_DIRS 100 /* the spread case */
#define TMO	60000

enum step { CREATE, STAT, UNLINK };

static const struct leofs_creds root_cr = { 0, 0, 0, { 0 } };
static u16 port;

struct worker {
	const char *local; /* NULL: through the MDS */
	const u64 *dirs; /* MDS directory inodes */
	u32 ndirs;
	int id;
	u32 count;
	enum step step;
	int failed;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int name_of(const struct worker *w, u32 i, char *buf, size_t cap)
{
	return snprintf(buf, cap, "f%d-%u", w->id, i);
}

static void *work_local(struct worker *w)
{
	char path[512];
	struct stat st;
	u32 i;
	int fd, rc = 0;

	for (i = 0; i < w->count && !rc; i++) {
		int n = snprintf(path, sizeof(path), "%s/d%u/", w->local,
				 i % w->ndirs);

		name_of(w, i, path + n, sizeof(path) - (size_t)n);
		if (w->step == CREATE) {
			fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
			rc = fd < 0 ? -1 : close(fd);
		} else if (w->step == STAT) {
			rc = stat(path, &st);
		} else {
			rc = unlink(path);
		}
	}
	w->failed = rc != 0;
	return NULL;
}

static void *work(void *arg)
{
	struct leofs_rpc_opts o = { .peer_kind = LEOFS_PEER_CLIENT };
	struct worker *w = arg;
	struct leofs_rpc_call *calls[WINDOW];
	char names[WINDOW][32];
	struct leofs_rpc_reply rep;
	struct leofs_rpc *r;
	u32 i = 0, k, n;
	u16 op;

	if (w->local)
		return work_local(w);
	if (leofs_rpc_connect("127.0.0.1", port, &o, NULL, &r)) {
		w->failed = 1;
		return NULL;
	}
	op = w->step == CREATE ? LEOFS_OP_CREATE :
	     w->step == STAT   ? LEOFS_OP_LOOKUP :
				 LEOFS_OP_UNLINK;
	while (i < w->count && !w->failed) {
		/* a window of requests, then their answers */
		for (n = 0; n < WINDOW && i < w->count; n++, i++) {
			u64 dir = w->dirs[i % w->ndirs];
			/* the window goes out in one sendmsg() */
			u32 more = n + 1 < WINDOW && i + 1 < w->count ?
					   LEOFS_RPC_MORE :
					   0;
			struct leofs_buf nm;

			nm.len = (u32)name_of(w, i, names[n], sizeof(names[n]));
			nm.data = names[n];
			if (w->step == CREATE) {
				struct leofs_create_req q = {
					.creds = root_cr,
					.parent = dir,
					.name = nm,
					.mode = 0644,
					.flags = LEOFS_CREATE_EXCL
				};

				w->failed |= leofs_rpc_send_flags(
						     r, op, &q, sizeof(q), more,
						     &calls[n]) != 0;
			} else {
				struct leofs_name_req q = { .creds = root_cr,
							    .parent = dir,
							    .name = nm };

				w->failed |= leofs_rpc_send_flags(
						     r, op, &q, sizeof(q), more,
						     &calls[n]) != 0;
			}
			if (w->failed)
				break;
		}
		for (k = 0; k < n; k++) {
			if (leofs_rpc_wait(calls[k], TMO, &rep)) {
				w->failed = 1;
				continue;
			}
			if (rep.status != LEOFS_S_OK)
				w->failed = 1;
			leofs_rpc_reply_free(&rep);
		}
	}
	leofs_rpc_close(r);
	return NULL;
}

/* ops/s of one step from nthreads threads, files split between them. */
static double run(const char *local, const u64 *dirs, u32 ndirs, u32 files,
		  int nthreads, enum step step, int round)
{
	struct worker w[8];
	pthread_t t[8];
	double t0;
	int i;

	t0 = now();
	for (i = 0; i < nthreads; i++) {
		w[i] = (struct worker){ local,
					dirs,
					ndirs,
					round * 8 + i,
					files / (u32)nthreads,
					step,
					0 };
		pthread_create(&t[i], NULL, work, &w[i]);
		/* names tell the client from the baseline in a profile */
		pthread_setname_np(t[i],
				   local ? "bench-local" : "bench-client");
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(t[i], NULL);
		if (w[i].failed) {
			fprintf(stderr, "bench_mds: step %d failed\n", step);
			exit(1);
		}
	}
	return files / (now() - t0);
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

struct server {
	sd_event *ev;
	struct mds_net *net;
	int stop_fd;
	pthread_t loop;
};

static int on_stop(sd_event_source *s, int fd, uint32_t revents, void *d)
{
	(void)fd;
	(void)revents;
	(void)d;
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

static void *loop_main(void *arg)
{
	sd_event_loop(((struct server *)arg)->ev);
	return NULL;
}

/* Makes n directories under the root through the network. */
static int make_dirs(const char *prefix, u32 n, u64 *out)
{
	struct leofs_rpc_opts o = { .peer_kind = LEOFS_PEER_CLIENT };
	struct leofs_attr_reply a;
	struct leofs_rpc_reply raw;
	struct leofs_rpc *r;
	char name[32];
	u32 i;

	if (leofs_rpc_connect("127.0.0.1", port, &o, NULL, &r))
		return -1;
	for (i = 0; i < n; i++) {
		struct leofs_create_req q = { .creds = root_cr,
					      .parent = MDS_ROOT_INO,
					      .mode = 0755 };

		q.name.len =
			(u32)snprintf(name, sizeof(name), "%s%u", prefix, i);
		q.name.data = name;
		if (leofs_rpc_call(r, LEOFS_OP_MKDIR, &q, sizeof(q), &a,
				   sizeof(a), &raw, TMO) ||
		    a.status)
			return -1;
		leofs_rpc_reply_free(&raw);
		out[i] = a.attr.ino;
	}
	leofs_rpc_close(r);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const steps[] = { "create", "stat", "unlink" };
	static const int nthreads[] = { 1, 8 };
	static const char cfg_json[] =
		"{\"node_id\": 1, \"cluster_id\": "
		"\"0123456789abcdef0123456789abcdef\", \"listen\": "
		"{\"address\": \"127.0.0.1\", \"port\": 1}, "
		"\"data_dir\": \"/unused\", \"shards\": [0]}";
	static struct mds_config cfg;
	struct mds_engine_opts eo = { 0 };
	struct mds_engine *eng;
	struct server s = { 0 };
	char dir[64] = "/tmp/leofs-bench-mds-XXXXXX", local[128], path[160];
	u64 dirs[NR_DIRS];
	u32 files = 100000, spread, i;
	int a, ti, st, round = 0;
	u64 one = 1;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--quick"))
			files = 10000;
		else if (!strcmp(argv[a], "--files") && a + 1 < argc)
			files = (u32)atoi(argv[++a]);
		else
			return 2;
	}
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/mds", dir);
	if (mds_config_parse(cfg_json, strlen(cfg_json), &cfg, NULL, 0))
		return 1;
	cfg.port = 0;
	eo.data_dir = path;
	eo.shards = cfg.shards;
	eo.nr_shards = 1;
	eo.map_size = 4ull << 30;
	if (mds_engine_open(&eo, &eng) || sd_event_new(&s.ev) < 0 ||
	    mds_net_new(s.ev, &cfg, eng, NULL, &s.net))
		return 1;
	port = mds_net_port(s.net);
	s.stop_fd = eventfd(0, EFD_CLOEXEC);
	sd_event_add_io(s.ev, NULL, s.stop_fd, EPOLLIN, on_stop, NULL);
	pthread_create(&s.loop, NULL, loop_main, &s);
	pthread_setname_np(s.loop, "mds-loop");
	fprintf(stderr,
		"bench_mds: %u files per run, %d in flight per "
		"client thread, server on 127.0.0.1:%u\n",
		files, WINDOW, port);

	for (spread = 0; spread < 2; spread++) {
		u32 nd = spread ? NR_DIRS : 1;

		for (ti = 0; ti < 2; ti++, round++) {
			char prefix[16];
			double v[3], base[3];

			snprintf(prefix, sizeof(prefix), "r%d-", round);
			if (make_dirs(prefix, nd, dirs))
				return 1;
			snprintf(local, sizeof(local), "%s/local%d", dir,
				 round);
			mkdir(local, 0755);
			for (i = 0; i < nd; i++) {
				snprintf(path, sizeof(path), "%s/d%u", local,
					 i);
				mkdir(path, 0755);
			}
			for (st = CREATE; st <= UNLINK; st++) {
				struct mds_engine_stats e0, e1;

				mds_engine_stats(eng, &e0);
				v[st] = run(NULL, dirs, nd, files, nthreads[ti],
					    st, round);
				mds_engine_stats(eng, &e1);
				if (e1.commits > e0.commits)
					fprintf(stderr,
						"bench_mds: %s %s %dt: %.1f "
						"changes per commit\n",
						steps[st],
						spread ? "dirN" : "dir1",
						nthreads[ti],
						(double)(e1.ops - e0.ops) /
							(double)(e1.commits -
								 e0.commits));
				base[st] = run(local, NULL, nd, files,
					       nthreads[ti], st, round);
			}
			for (st = CREATE; st <= UNLINK; st++)
				printf("{\"name\":\"mds.%s.%s.%dt\","
				       "\"value\":%.0f,\"unit\":\"ops/s\","
				       "\"baseline\":%.0f,\"ratio\":%.3f}\n",
				       steps[st], spread ? "dirN" : "dir1",
				       nthreads[ti], v[st], base[st],
				       v[st] / base[st]);
			fflush(stdout);
		}
	}
	if (write(s.stop_fd, &one, sizeof(one)) != sizeof(one))
		return 1;
	pthread_join(s.loop, NULL);
	mds_net_free(s.net);
	mds_engine_close(eng);
	sd_event_unref(s.ev);
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
