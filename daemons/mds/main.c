// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-mds: the metadata server. Serves its shards' namespace, the
 * cluster map (as its authority or following it) and drains the deletion
 * queue, until SIGTERM drains it.
 *
 *	leofs-mds --init CLUSTER.json --config CONFIG	bootstrap the map
 *	leofs-mds --config CONFIG [--check]		serve (or check)
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "leofs/log.h"
#include "leofs/service.h"
#include "config.h"
#include "drain.h"
#include "mapsvc.h"
#include "mds.h"
#include "net.h"

#define DRAIN_TIMEOUT_MS 20000

static void usage(FILE *f)
{
	fprintf(f, "usage: leofs-mds --config CONFIG [--check]\n"
		   "       leofs-mds --init CLUSTER.json --config CONFIG\n");
}

/* Creates the served shards' stores, the root with its layout. */
static int init_shards(const struct mds_config *cfg,
		       const struct mds_layout *root)
{
	struct mds_engine_opts eo = {
		.data_dir = cfg->data_dir,
		.shards = cfg->shards,
		.nr_shards = cfg->nr_shards,
		.root_layout = *root,
	};
	struct mds_engine *eng;
	int rc = mds_engine_open(&eo, &eng);

	if (!rc)
		mds_engine_close(eng);
	return rc;
}

static int init_map(const struct mds_config *cfg, const char *cluster)
{
	struct mds_layout root;
	struct leofs_map m;
	char err[256];
	int rc;

	if (!cfg->map_authority) {
		fprintf(stderr, "leofs-mds: --init: this node is not the map "
				"authority (config map.authority)\n");
		return 1;
	}
	rc = mds_cluster_load(cluster, cfg->cluster_id, &m, &root, err,
			      sizeof(err));
	if (rc) {
		fprintf(stderr, "leofs-mds: %s\n",
			rc == -EINVAL ? err : strerror(-rc));
		return 1;
	}
	rc = mds_mapsvc_bootstrap(cfg->data_dir, &m);
	mds_map_arrays_free(&m);
	if (rc == -EEXIST) {
		fprintf(stderr, "leofs-mds: %s already holds a cluster map\n",
			cfg->data_dir);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "leofs-mds: cannot store the map: %s\n",
			strerror(-rc));
		return 1;
	}
	rc = init_shards(cfg, &root);
	if (rc) {
		fprintf(stderr, "leofs-mds: cannot create the shards: %s\n",
			strerror(-rc));
		return 1;
	}
	printf("cluster map epoch 1 stored in %s/map\n", cfg->data_dir);
	return 0;
}

static int serve(const struct mds_config *cfg)
{
	struct mds_engine_opts eo = {
		.data_dir = cfg->data_dir,
		.shards = cfg->shards,
		.nr_shards = cfg->nr_shards,
		.rcache_per_session = cfg->reply_cache_size,
	};
	struct mds_mapsvc_opts mo = {
		.data_dir = cfg->data_dir,
		.cluster_id = cfg->cluster_id,
		.node_id = cfg->node_id,
		.authority = cfg->map_authority,
		.authority_host = cfg->authority_address,
		.authority_port = cfg->authority_port,
		.grace_ms = cfg->heartbeat_grace_ms,
		.down_out_ms = cfg->down_out_ms,
	};
	struct mds_drain_opts dopts = {
		.shards = cfg->shards,
		.nr_shards = cfg->nr_shards,
		.cluster_id = cfg->cluster_id,
		.node_id = cfg->node_id,
		.poll_ms = cfg->delete_poll_ms,
		.retry_max_ms = cfg->delete_retry_max_ms,
	};
	struct mds_engine *eng = NULL;
	struct mds_mapsvc *maps = NULL;
	struct mds_drain *drain = NULL;
	struct mds_net *net = NULL;
	char status[128];
	sd_event *ev;
	int rc;

	/* before any thread, so that every thread blocks the signals */
	rc = leofs_service_init(&ev);
	if (rc < 0) {
		log_error_errno(rc, "cannot set up the event loop: %m");
		return 1;
	}
	rc = mds_engine_open(&eo, &eng);
	if (rc) {
		log_error_errno(rc, "cannot open the shards in %s: %m",
				cfg->data_dir);
		goto out;
	}
	rc = mds_mapsvc_open(&mo, &maps);
	if (rc) {
		log_error_errno(rc, "cannot start the map service: %m");
		goto out;
	}
	rc = mds_net_new(ev, cfg, eng, maps, &net);
	if (rc) {
		log_error_errno(rc, "cannot listen on %s:%u: %m",
				cfg->listen_address, cfg->port);
		goto out;
	}
	mds_mapsvc_listen(maps, mds_net_map_changed, net);
	mds_net_map_changed(net); /* an epoch that came meanwhile */
	dopts.eng = eng;
	dopts.maps = maps;
	rc = mds_drain_start(&dopts, &drain);
	if (rc) {
		log_error_errno(rc, "cannot start the deletion drain: %m");
		goto out;
	}
	snprintf(status, sizeof(status), "serving %u shard(s) on port %u%s",
		 cfg->nr_shards, mds_net_port(net),
		 cfg->map_authority ? ", map authority" : "");
	log_info("%s", status);
	rc = leofs_service_run(ev, mds_net_server(net), DRAIN_TIMEOUT_MS,
			       status);
	if (rc < 0)
		log_error_errno(rc, "event loop: %m");
out:
	mds_drain_stop(drain);
	if (maps)
		mds_mapsvc_listen(maps, NULL, NULL);
	mds_net_free(net);
	mds_mapsvc_close(maps);
	mds_engine_close(eng);
	sd_event_unref(ev);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "init", required_argument, NULL, 'i' },
		{ "check", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *path = NULL, *cluster = NULL;
	struct mds_config cfg;
	bool check = false;
	char err[256];
	int c;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'i':
			cluster = optarg;
			break;
		case 'k':
			check = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!path || optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("leofs-mds");
	if (mds_config_load(path, &cfg, err, sizeof(err))) {
		log_error("%s", err);
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (check)
		return 0;
	if (cluster)
		return init_map(&cfg, cluster);
	return serve(&cfg);
}
