/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A leofs-oss node with no network, for tests that call its request
 * handlers directly: node 1 with NTARGETS real targets (ids 10, 11, ...)
 * formatted under a new directory in /dev/shm (or /tmp), and a static map
 * in which nodes 2 and 3 (one target each, ids 20 and 30) are down and out,
 * so nothing is ever sent anywhere and every PG of width 1 is on node 1's
 * targets. Pool 1 ("dicom", PG_NUM PGs).
 *
 * The includer defines NTARGETS and PG_NUM before including this file.
 */
#ifndef LEOFS_TESTS_OSS_NODE_FIXTURE_H
#define LEOFS_TESTS_OSS_NODE_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../daemons/oss/node.h"

struct oss_fixture {
	char dir[64];
	u8 cluster[16];
	struct oss_node node;
	struct oss_local locals[NTARGETS];
};

static int oss_fixture_rm_one(const char *path, const struct stat *st,
			      int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Frees the node, closes the targets and removes the directory. */
static void oss_fixture_close(struct oss_fixture *f)
{
	unsigned int i, k, m;

	for (k = 0; k <= LEOFS_EC_MAX_K; k++)
		for (m = 0; m <= LEOFS_EC_MAX_M; m++) {
			if (f->node.ec[k][m])
				leofs_ec_destroy(f->node.ec[k][m]);
			f->node.ec[k][m] = NULL;
		}
	oss_mapsrc_close(f->node.maps);
	f->node.maps = NULL;
	leofs_conns_free(f->node.conns);
	f->node.conns = NULL;
	for (i = 0; i < f->node.nlocals; i++)
		oss_target_close(f->locals[i].t);
	f->node.nlocals = 0;
	if (f->dir[0])
		nftw(f->dir, oss_fixture_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	f->dir[0] = 0;
}

static struct leofs_mapview *oss_fixture_map(const u8 *cluster)
{
	static struct leofs_map_node nodes[3];
	static struct leofs_map_target targets[NTARGETS + 2];
	static struct leofs_map_pool pool = { .id = 1,
					      .tier = LEOFS_TIER_SSD,
					      .pg_num = PG_NUM,
					      .name = "dicom" };
	struct leofs_map m = { .epoch = 1 };
	struct leofs_mapview *v;
	u32 i;

	memcpy(m.cluster_id, cluster, 16);
	for (i = 0; i < 3; i++) {
		nodes[i].id = i + 1;
		nodes[i].state = i ? 0 : LEOFS_STATE_UP | LEOFS_STATE_IN;
		nodes[i].addr.family = 4;
		nodes[i].addr.addr[0] = 127;
		nodes[i].addr.addr[3] = 1;
		nodes[i].addr.port = 9;
	}
	for (i = 0; i < NTARGETS + 2; i++) {
		targets[i].id =
			i < NTARGETS ? 10 + i : 20 + 10 * (i - NTARGETS);
		targets[i].node_id = i < NTARGETS ? 1 : 2 + i - NTARGETS;
		targets[i].weight = 1u << 16;
		targets[i].tier = LEOFS_TIER_SSD;
		targets[i].state = LEOFS_STATE_UP | LEOFS_STATE_IN;
	}
	m.nodes = nodes;
	m.node_count = 3;
	m.targets = targets;
	m.target_count = NTARGETS + 2;
	m.pools = &pool;
	m.pool_count = 1;
	if (leofs_mapview_new(&m, &v))
		return NULL;
	return v;
}

/* 0, or -1 with the reason on stderr. */
static int oss_fixture_open(struct oss_fixture *f, const u8 *cluster,
			    const char *name)
{
	struct oss_target_opts o = { .group_commit_us = 0 };
	struct leofs_rpc_opts ro = { .peer_kind = LEOFS_PEER_OSS,
				     .node_id = 1 };
	const char *base = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";
	struct leofs_mapview *v;
	char path[128], why[256];
	unsigned int i, k;

	memset(f, 0, sizeof(*f));
	memcpy(f->cluster, cluster, 16);
	snprintf(f->dir, sizeof(f->dir), "%s/leofs-%s-XXXXXX", base, name);
	if (!mkdtemp(f->dir)) {
		perror(f->dir);
		f->dir[0] = 0;
		return -1;
	}
	f->node.node_id = 1;
	memcpy(f->node.cluster_id, cluster, 16);
	memcpy(ro.cluster_id, cluster, 16);
	for (k = 0; k < OSS_PRIMARY_LOCKS; k++)
		pthread_mutex_init(&f->node.stripe_locks[k], NULL);
	pthread_mutex_init(&f->node.ec_lock, NULL);
	oss_budget_init(&f->node.budget, 1ull << 30);
	f->node.locals = f->locals;
	for (i = 0; i < NTARGETS; i++) {
		snprintf(path, sizeof(path), "%s/t%u", f->dir, i);
		f->locals[i].id = 10 + i;
		if (oss_target_format(path, cluster, f->locals[i].id,
				      LEOFS_TIER_SSD, 1) ||
		    oss_target_open(path, cluster, f->locals[i].id, &o,
				    &f->locals[i].t, why, sizeof(why))) {
			fprintf(stderr, "target %s: %s\n", path, why);
			return -1;
		}
		f->node.nlocals = i + 1;
	}
	v = oss_fixture_map(cluster);
	if (!v || oss_mapsrc_static(v, &f->node.maps) ||
	    leofs_conns_new(&ro, OSS_DOWN_MS, &f->node.conns)) {
		fprintf(stderr, "%s: map or connections\n", name);
		return -1;
	}
	return 0;
}

#endif /* LEOFS_TESTS_OSS_NODE_FIXTURE_H */
