// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-mds: the metadata server. This build opens the shards of its
 * configuration and serves them until SIGTERM; the request handlers are
 * attached to the engine by the network layer.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

#include "leofs/log.h"
#include "config.h"
#include "mds.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: leofs-mds -c CONFIG [--check]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct mds_engine_opts eo = { 0 };
	const char *path = NULL;
	struct mds_engine *eng;
	struct mds_config cfg;
	bool check = false;
	char err[256];
	sigset_t set;
	int c, sig, rc;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
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
	if (!path) {
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

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	eo.data_dir = cfg.data_dir;
	eo.shards = cfg.shards;
	eo.nr_shards = cfg.nr_shards;
	eo.rcache_per_session = cfg.reply_cache_size;
	rc = mds_engine_open(&eo, &eng);
	if (rc) {
		log_error_errno(-rc, "opening the shards in %s", cfg.data_dir);
		return 1;
	}
	log_info("serving %u shard(s) from %s", cfg.nr_shards, cfg.data_dir);
	sd_notify(0, "READY=1\nSTATUS=serving");
	sigwait(&set, &sig);
	sd_notify(0, "STOPPING=1");
	mds_engine_close(eng);
	return 0;
}
