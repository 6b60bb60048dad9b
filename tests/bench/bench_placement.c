// SPDX-License-Identifier: GPL-2.0
/*
 * Placement benchmark: lookup rate, PG table build time, placement
 * quality (balance, movement) and balancer cost on generated clusters. One JSON line per
 * figure on stdout; commentary on stderr. --quick trims the run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../lib/placesim/placesim.h"

#define WIDTH 6			/* EC 4+2, for the build rows */
#define QUALITY_WIDTH 3		/* 3 replicas: feasible with 10 nodes of weights 1/2/4 */
#define MEMBERS_PER_TARGET 100

static const u32 mixed_weights[] = { 0x10000, 0x20000, 0x40000 };
static const u32 unit_weight[] = { 0x10000 };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void row(const char *name, double value, const char *unit,
		double baseline)
{
	printf("{\"name\":\"%s\",\"value\":%.6g,\"unit\":\"%s\","
	       "\"baseline\":%.6g,\"ratio\":%.6g}\n",
	       name, value, unit, baseline, baseline ? value / baseline : 0);
	fflush(stdout);
}

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_placement: %s: %s\n", what, strerror(-err));
	exit(1);
}

static void gen(struct placesim_cluster *c, u32 nodes, const u32 *w, u32 nw,
		u32 width)
{
	int ret = placesim_generate(c, nodes, 1, w, nw, MEMBERS_PER_TARGET,
				    width);

	if (ret)
		die("generate", ret);
}

static void bench_lookup(u32 iters)
{
	struct placesim_cluster c;
	struct leofs_pg_table *t;
	u32 *pgs, *plain, i, mask = (1u << 16) - 1, pg_num;
	volatile u32 sink = 0;
	double t0, t_table, t_plain, t_stripe, t_hash;
	int ret;

	gen(&c, 100, unit_weight, 1, WIDTH);
	t = placesim_build(&c, &ret);
	if (!t)
		die("build", ret);
	pg_num = t->pg_num;
	pgs = malloc((mask + 1) * sizeof(*pgs));
	plain = malloc((size_t)pg_num * WIDTH * sizeof(*plain));
	for (i = 0; i <= mask; i++)
		pgs[i] = (u32)(leofs_hash64(i) % pg_num);
	memcpy(plain, t->targets, (size_t)pg_num * WIDTH * sizeof(*plain));

	t0 = now();
	for (i = 0; i < iters; i++)
		sink += leofs_pg_target(t, pgs[i & mask], i % WIDTH);
	t_table = now() - t0;
	t0 = now();
	for (i = 0; i < iters; i++)
		sink += plain[(size_t)pgs[i & mask] * WIDTH + i % WIDTH];
	t_plain = now() - t0;
	t0 = now();
	for (i = 0; i < iters; i++)
		sink += leofs_pg_target(t, leofs_stripe_pg(i >> 4, i & 15, 16,
							   pg_num), 0);
	t_stripe = now() - t0;
	t0 = now();
	for (i = 0; i < iters; i++)
		sink += (u32)leofs_hash64(i);
	t_hash = now() - t0;
	(void)sink;
	fprintf(stderr, "lookup: PG table read vs plain array read of the same "
		"data (%u PGs x %u); stripe->PG->target vs one leofs_hash64()\n",
		pg_num, WIDTH);
	row("placement.lookup", iters / t_table, "lookups/s", iters / t_plain);
	row("placement.stripe_lookup", iters / t_stripe, "lookups/s",
	    iters / t_hash);
	free(pgs);
	free(plain);
	free(t);
	placesim_cluster_free(&c);
}

static void bench_build(u32 nodes, int reps)
{
	struct placesim_cluster c;
	struct leofs_pg_table *t;
	double best = 1e9;
	char name[64];
	int i, ret;

	gen(&c, nodes, unit_weight, 1, WIDTH);
	for (i = 0; i < reps; i++) {
		double t0 = now();

		t = placesim_build(&c, &ret);
		if (!t)
			die("build", ret);
		t0 = now() - t0;
		if (t0 < best)
			best = t0;
		free(t);
	}
	fprintf(stderr, "build: %u nodes, %u PGs x %u, best of %d: %.3f s\n",
		nodes, c.map.pools[0].pg_num, WIDTH, reps, best);
	snprintf(name, sizeof(name), "placement.build.%unodes", nodes);
	row(name, best, "s", 1.0);
	placesim_cluster_free(&c);
}

/*
 * Quality of the final tables: the generated cluster balanced from
 * scratch, then one node added and one marked out, each new map given its
 * overrides by the balancer from the previous one.
 */
static void bench_quality(u32 nodes)
{
	struct placesim_cluster c;
	struct placesim_balance b;
	struct placesim_move add, rem;
	struct leofs_balance_stats st;
	struct leofs_pg_table *t;
	char name[64];
	int ret;

	gen(&c, nodes, mixed_weights, ARRAY_SIZE(mixed_weights),
	    QUALITY_WIDTH);
	ret = placesim_rebalance(&c, NULL, &st);
	if (ret)
		die("balance", ret);
	t = placesim_build(&c, &ret);
	if (!t)
		die("build", ret);
	placesim_balance(&c, t, &b);
	ret = placesim_move_add(&c, t, 1, 0x20000, &add, NULL);
	if (ret)
		die("add", ret);
	ret = placesim_move_remove(&c, t, nodes / 2 + 1, false, &rem, NULL);
	if (ret)
		die("remove", ret);
	fprintf(stderr, "quality: %u nodes, weights 1/2/4, %u PGs x %u: "
		"per-weight load min %.1f mean %.1f max %.1f, %u overrides; "
		"add: %llu moved, optimal %.1f, %u balance moves, fullest/mean "
		"%.4f, %u overrides, balancer %.3f s; remove: %llu moved (%llu "
		"not on the node), %.0f on it, fullest/mean %.4f\n", nodes,
		c.map.pools[0].pg_num, QUALITY_WIDTH, b.min, b.mean, b.max,
		st.overrides, (unsigned long long)add.moved, add.optimal,
		add.stats.balance_moves, add.balance, add.stats.overrides,
		add.seconds, (unsigned long long)rem.moved,
		(unsigned long long)rem.moved_elsewhere, rem.optimal,
		rem.balance);
	snprintf(name, sizeof(name), "placement.balance.%unodes", nodes);
	row(name, b.ratio, "fullest/mean", 1.05);
	snprintf(name, sizeof(name), "placement.movement.add.%unodes", nodes);
	row(name, add.ratio, "moved/optimal", 1.1);
	snprintf(name, sizeof(name), "placement.movement.remove.%unodes", nodes);
	row(name, rem.ratio, "moved/optimal", 1.1);
	snprintf(name, sizeof(name), "placement.balancer.%unodes", nodes);
	row(name, add.seconds, "s", 1.0);
	snprintf(name, sizeof(name), "placement.overrides.%unodes", nodes);
	row(name, (double)add.stats.overrides / add.stats.members,
	    "overrides/members", 0.25);
	free(t);
	placesim_cluster_free(&c);
}

int main(int argc, char **argv)
{
	bool quick = argc > 1 && !strcmp(argv[1], "--quick");

	bench_lookup(quick ? 20000000 : 100000000);
	bench_build(10, quick ? 3 : 5);
	bench_build(100, quick ? 3 : 5);
	bench_build(4000, quick ? 1 : 3);
	bench_quality(10);
	bench_quality(100);
	bench_quality(1000);
	return 0;
}
