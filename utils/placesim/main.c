// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-placesim: offline placement simulator. Reads a JSON cluster
 * description, gives its map overrides with the balancer (as the map
 * authority does), builds the pool's PG table and reports balance,
 * movement for adding and removing one node (each new map balanced from
 * the previous one), and optionally every PG's mapping.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../lib/placesim/placesim.h"

struct opts {
	bool json;
	bool pgs;
	bool movement;
	bool straw2;		/* no overrides: the straw2 table alone */
	bool drop;		/* remove = delete from the map */
	u32 add_targets;
	u32 add_weight;		/* 16.16; 0 = the mean node's target weight */
	u32 remove_node;	/* 0 = the middle node */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: leofs-placesim [options] CLUSTER.json\n"
		"  --json             machine-readable output (one JSON object)\n"
		"  --pgs              print every PG's targets, rank order\n"
		"  --no-movement      skip the add/remove scenarios\n"
		"  --add-targets N    targets of the added node (default 1)\n"
		"  --add-weight W     weight of each added target, TiB\n"
		"                     (default: mean target weight)\n"
		"  --remove-node ID   node marked out (default: middle node)\n"
		"  --drop             delete the removed node from the map\n"
		"                     instead of marking it out\n"
		"  --straw2           no balancer: the straw2 table alone\n"
		"The format is described in Documentation/placement.md.\n");
}

static int parse_args(int argc, char **argv, struct opts *o, const char **path)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pgs", no_argument, NULL, 'p' },
		{ "no-movement", no_argument, NULL, 'n' },
		{ "add-targets", required_argument, NULL, 't' },
		{ "add-weight", required_argument, NULL, 'w' },
		{ "remove-node", required_argument, NULL, 'r' },
		{ "drop", no_argument, NULL, 'd' },
		{ "straw2", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	double d;
	unsigned long v;
	int c;

	*o = (struct opts){ .movement = true, .add_targets = 1 };
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'p':
			o->pgs = true;
			break;
		case 'n':
			o->movement = false;
			break;
		case 'd':
			o->drop = true;
			break;
		case 's':
			o->straw2 = true;
			break;
		case 't':
			v = strtoul(optarg, &end, 10);
			if (*end || !v || v > LEOFS_PG_WIDTH_MAX) {
				fprintf(stderr, "--add-targets: 1..%d\n",
					LEOFS_PG_WIDTH_MAX);
				return -EINVAL;
			}
			o->add_targets = (u32)v;
			break;
		case 'w':
			d = strtod(optarg, &end);
			if (*end || !(d > 0) ||
			    d * LEOFS_WEIGHT_ONE > LEOFS_WEIGHT_MAX) {
				fprintf(stderr, "--add-weight: a number > 0 "
					"and < 65536\n");
				return -EINVAL;
			}
			o->add_weight = (u32)(d * LEOFS_WEIGHT_ONE + 0.5);
			break;
		case 'r':
			v = strtoul(optarg, &end, 10);
			if (*end || !v || v > 0xffffffffu) {
				fprintf(stderr, "--remove-node: a node id\n");
				return -EINVAL;
			}
			o->remove_node = (u32)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return -EINVAL;
	}
	*path = argv[optind];
	return 0;
}

static u32 mean_target_weight(const struct placesim_cluster *c)
{
	u64 sum = 0;
	u32 i, n = 0;

	for (i = 0; i < c->map.target_count; i++) {
		if (c->map.targets[i].tier == c->map.pools[0].tier &&
		    c->map.targets[i].weight) {
			sum += c->map.targets[i].weight;
			n++;
		}
	}
	return n ? (u32)(sum / n) : LEOFS_WEIGHT_ONE;
}

static void print_pgs(const struct leofs_pg_table *t, bool json)
{
	u32 pg, r;

	if (json)
		printf(",\"pgs\":[");
	for (pg = 0; pg < t->pg_num; pg++) {
		if (json)
			printf("%s[", pg ? "," : "");
		else
			printf("%u:", pg);
		for (r = 0; r < t->width; r++)
			printf(json ? "%s%u" : "%s %u", json && r ? "," : "",
			       leofs_pg_target(t, pg, r));
		printf(json ? "]" : "\n");
	}
	if (json)
		printf("]");
}

int main(int argc, char **argv)
{
	struct placesim_cluster c;
	struct placesim_balance b;
	struct placesim_move add, rem;
	struct leofs_balance_stats st = { 0 };
	struct leofs_pg_table *t;
	const char *path;
	struct opts o;
	char err[256];
	int ret;

	if (parse_args(argc, argv, &o, &path))
		return 2;
	ret = placesim_load_file(path, &c, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "leofs-placesim: %s: %s\n", path, err);
		return 1;
	}
	if (!o.straw2)
		ret = placesim_rebalance(&c, NULL, &st);
	if (ret) {
		fprintf(stderr, "leofs-placesim: balancing: %s\n",
			strerror(-ret));
		placesim_cluster_free(&c);
		return 1;
	}
	t = placesim_build(&c, &ret);
	if (!t) {
		fprintf(stderr, "leofs-placesim: building the PG table: %s%s\n",
			strerror(-ret), ret == -ENOSPC ?
			" (fewer in nodes than the pool width)" : "");
		placesim_cluster_free(&c);
		return 1;
	}
	placesim_balance(&c, t, &b);
	if (!o.add_weight)
		o.add_weight = mean_target_weight(&c);
	if (!o.remove_node)
		o.remove_node = c.map.nodes[c.map.node_count / 2].id;
	if (o.movement && o.straw2) {
		fprintf(stderr, "leofs-placesim: --straw2 reports balance only\n");
		o.movement = false;
	}
	if (o.movement) {
		ret = placesim_move_add(&c, t, o.add_targets, o.add_weight, &add,
					NULL);
		if (!ret)
			ret = placesim_move_remove(&c, t, o.remove_node, o.drop,
						   &rem, NULL);
		if (ret) {
			fprintf(stderr, "leofs-placesim: movement: %s%s\n",
				strerror(-ret), ret == -ENOENT ?
				" (no such node)" : "");
			goto out;
		}
	}
	if (o.json) {
		printf("{\"nodes\":%u,\"targets\":%u,\"pool\":%u,\"pg_num\":%u,"
		       "\"width\":%u,\"epoch\":%llu,\"balance\":{\"targets\":%u,"
		       "\"min\":%.4f,\"mean\":%.4f,\"max\":%.4f,\"ratio\":%.5f}",
		       c.map.node_count, c.map.target_count, c.pool_id,
		       t->pg_num, t->width, (unsigned long long)c.map.epoch,
		       b.targets, b.min, b.mean, b.max, b.ratio);
		printf(",\"overrides\":%u", placesim_override_count(&c));
		if (o.movement)
			printf(",\"add\":{\"targets\":%u,\"weight\":%.4f,"
			       "\"moved\":%llu,\"optimal\":%.2f,\"ratio\":%.5f,"
			       "\"balance\":%.5f,\"balance_moves\":%u,"
			       "\"overrides\":%u,\"seconds\":%.4f},"
			       "\"remove\":{\"node\":%u,\"drop\":%s,"
			       "\"moved\":%llu,\"on_node\":%.0f,"
			       "\"moved_elsewhere\":%llu,\"rank_changed\":%llu,"
			       "\"ratio\":%.5f,\"balance\":%.5f,"
			       "\"overrides\":%u,\"seconds\":%.4f}",
			       o.add_targets,
			       (double)o.add_weight / LEOFS_WEIGHT_ONE,
			       (unsigned long long)add.moved, add.optimal,
			       add.ratio, add.balance, add.stats.balance_moves,
			       add.stats.overrides, add.seconds, o.remove_node,
			       o.drop ? "true" : "false",
			       (unsigned long long)rem.moved, rem.optimal,
			       (unsigned long long)rem.moved_elsewhere,
			       (unsigned long long)rem.rank_changed, rem.ratio,
			       rem.balance, rem.stats.overrides, rem.seconds);
		if (o.pgs)
			print_pgs(t, true);
		printf("}\n");
	} else {
		printf("cluster: %u nodes, %u targets, pool %u: %u PGs x %u, "
		       "epoch %llu\n", c.map.node_count, c.map.target_count,
		       c.pool_id, t->pg_num, t->width,
		       (unsigned long long)c.map.epoch);
		printf("balance: %u in targets; members per unit weight min "
		       "%.2f mean %.2f max %.2f; fullest/mean %.4f; %u "
		       "overrides%s\n", b.targets, b.min, b.mean, b.max,
		       b.ratio, placesim_override_count(&c),
		       o.straw2 ? " (straw2 alone)" : "");
		if (o.movement) {
			printf("add one node (%u x %.2f): moved %llu, optimal "
			       "%.1f, moved/optimal %.3f; after: fullest/mean "
			       "%.4f, %u balance moves, %u overrides, balancer "
			       "%.3f s\n", o.add_targets,
			       (double)o.add_weight / LEOFS_WEIGHT_ONE,
			       (unsigned long long)add.moved, add.optimal,
			       add.ratio, add.balance, add.stats.balance_moves,
			       add.stats.overrides, add.seconds);
			printf("remove node %u (%s): moved %llu, on it %.0f, "
			       "moved from other nodes %llu, rank changes %llu, "
			       "moved/optimal %.3f; after: fullest/mean %.4f, "
			       "%u overrides\n", o.remove_node,
			       o.drop ? "deleted" : "marked out",
			       (unsigned long long)rem.moved, rem.optimal,
			       (unsigned long long)rem.moved_elsewhere,
			       (unsigned long long)rem.rank_changed, rem.ratio,
			       rem.balance, rem.stats.overrides);
		}
		if (o.pgs)
			print_pgs(t, false);
	}
	ret = 0;
out:
	free(t);
	placesim_cluster_free(&c);
	return ret ? 1 : 0;
}
