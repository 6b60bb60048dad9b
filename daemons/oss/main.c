// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-oss: the object storage server.
 *
 *	leofs-oss --format PATH --cluster UUID --target ID --tier T --weight W
 *	leofs-oss --config FILE --check     open every target, then exit
 *	leofs-oss --config FILE             serve until SIGTERM
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "oss.h"
#include "serve.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: leofs-oss --format PATH --cluster UUID --target ID --tier ssd|sas|sata --weight W\n"
		"       leofs-oss --config FILE [--check]\n");
}

static int parse_u32(const char *s, u32 *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v > 0xffffffffUL)
		return -EINVAL;
	*out = (u32)v;
	return 0;
}

static int do_format(const char *path, const char *cluster, const char *target,
		     const char *tier, const char *weight)
{
	u32 target_id, w;
	u8 uuid[16];
	int t, r;

	if (!path || !cluster || !target || !tier || !weight) {
		usage(stderr);
		return 2;
	}
	if (oss_uuid_parse(cluster, uuid)) {
		fprintf(stderr, "leofs-oss: --cluster: not a UUID: %s\n",
			cluster);
		return 2;
	}
	if (parse_u32(target, &target_id)) {
		fprintf(stderr, "leofs-oss: --target: not a number: %s\n",
			target);
		return 2;
	}
	t = oss_tier_parse(tier);
	if (t < 0) {
		fprintf(stderr,
			"leofs-oss: --tier: must be one of ssd, sas, sata\n");
		return 2;
	}
	if (parse_u32(weight, &w) || !w || w > OSS_WEIGHT_MAX) {
		fprintf(stderr, "leofs-oss: --weight: must be 1..%u\n",
			OSS_WEIGHT_MAX);
		return 2;
	}
	r = oss_target_format(path, uuid, target_id, (u32)t, w);
	if (r) {
		fprintf(stderr, "leofs-oss: cannot format %s: %s\n", path,
			r == -ENOTEMPTY ? "directory is not empty" :
					  strerror(-r));
		return 1;
	}
	printf("formatted %s as target %u (%s, weight %u) of cluster %s\n",
	       path, target_id, tier, w, cluster);
	return 0;
}

/* Validate the configuration and open (recover) every target. */
static int do_check(const char *path)
{
	struct oss_config cfg;
	char err[512];
	unsigned int i;
	int r, status = 0;

	r = oss_config_load(path, &cfg, err, sizeof(err));
	if (r) {
		fprintf(stderr, "leofs-oss: %s\n", err);
		return 1;
	}
	for (i = 0; i < cfg.ntargets; i++) {
		struct oss_target *t;
		struct oss_statfs st;

		r = oss_config_open_target(&cfg, i, &t, err, sizeof(err));
		if (r) {
			fprintf(stderr, "leofs-oss: target %u: %s\n",
				cfg.targets[i].id, err);
			status = 1;
			continue;
		}
		if (!oss_target_statfs(t, &st))
			printf("target %u %s: %s, weight %u, %llu objects, %llu of %llu bytes free\n",
			       cfg.targets[i].id, cfg.targets[i].path,
			       oss_tier_name(st.tier), st.weight,
			       (unsigned long long)st.objects,
			       (unsigned long long)st.free_bytes,
			       (unsigned long long)st.capacity_bytes);
		oss_target_close(t);
	}
	oss_config_free(&cfg);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "cluster", required_argument, NULL, 'c' },
		{ "target", required_argument, NULL, 't' },
		{ "tier", required_argument, NULL, 'T' },
		{ "weight", required_argument, NULL, 'w' },
		{ "config", required_argument, NULL, 'C' },
		{ "check", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = NULL, *cluster = NULL, *target = NULL;
	const char *tier = NULL, *weight = NULL, *config = NULL;
	bool check = false;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'c':
			cluster = optarg;
			break;
		case 't':
			target = optarg;
			break;
		case 'T':
			tier = optarg;
			break;
		case 'w':
			weight = optarg;
			break;
		case 'C':
			config = optarg;
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
	if (format)
		return do_format(format, cluster, target, tier, weight);
	if (config && check)
		return do_check(config);
	if (config)
		return oss_serve(config);
	usage(stderr);
	return 2;
}
