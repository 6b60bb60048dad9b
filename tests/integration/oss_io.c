// SPDX-License-Identifier: GPL-2.0
/*
 * Drives leofs-oss through the userspace file client for the integration
 * tests. Data is a pattern of (seed, file offset), so any byte can be
 * checked.
 *
 *	oss_io MAP.json UUID write|verify INO SCHEME UNIT OFF LEN SEED
 *	oss_io MAP.json UUID roundtrip SCHEME UNIT     sizes 0..64 MiB, unaligned
 *	oss_io MAP.json UUID churn SCHEME UNIT LOG     write until killed; each
 *	        acknowledged write is appended to LOG ("ino off len seed")
 *	oss_io MAP.json UUID check SCHEME UNIT LOG     verify every logged write
 *	oss_io MAP.json UUID statfs TARGET            checksum errors of a target
 *
 * SCHEME: r1 r2 r3 ec2+1 ec4+1 ec4+2 ec8+3. Exit 0 on success.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "leofs/client.h"
#include "leofs/proto_msg.h"
#include "../../lib/placesim/placesim.h"

static u8 pattern(u64 seed, u64 x)
{
	u64 h = (x + 1) * 0x9e3779b97f4a7c15ull ^ seed * 0xbf58476d1ce4e5b9ull;

	h ^= h >> 29;
	return (u8)(h ^ (h >> 17));
}

static int parse_scheme(const char *s, u32 unit, struct leofs_layout *l)
{
	unsigned int a, b;

	memset(l, 0, sizeof(*l));
	l->pool_id = 1;
	l->stripe_unit = unit;
	l->stripe_count = 2;
	if (sscanf(s, "r%u", &a) == 1) {
		l->scheme = LEOFS_LAYOUT_REPLICA;
		l->k = 1;
		l->m = (u8)(a - 1);
	} else if (sscanf(s, "ec%u+%u", &a, &b) == 2) {
		l->scheme = LEOFS_LAYOUT_EC;
		l->k = (u8)a;
		l->m = (u8)b;
	} else {
		return -EINVAL;
	}
	return leofs_layout_check(l, NULL);
}

/* The test map: placesim JSON whose nodes carry "addr". */
static int load_map(const char *path, struct leofs_mapview **out)
{
	struct placesim_cluster c = { 0 };
	json_t *root = json_load_file(path, 0, NULL), *nd;
	char err[256], *text, host[64];
	unsigned int port;
	size_t i;
	u32 j;
	int r;

	if (!root)
		return -EINVAL;
	json_t *nodes = json_object_get(root, "nodes");
	json_t *copy = json_deep_copy(root);

	json_array_foreach(json_object_get(copy, "nodes"), i, nd)
		json_object_del(nd, "addr");
	text = json_dumps(copy, JSON_COMPACT);
	r = placesim_parse_json(text, strlen(text), &c, err, sizeof(err));
	free(text);
	json_decref(copy);
	if (r) {
		fprintf(stderr, "map: %s\n", err);
		json_decref(root);
		return r;
	}
	json_array_foreach(nodes, i, nd) {
		const char *a = json_string_value(json_object_get(nd, "addr"));
		u32 id = (u32)json_integer_value(json_object_get(nd, "id"));

		if (!a || sscanf(a, "%63[^:]:%u", host, &port) != 2)
			continue;
		for (j = 0; j < c.map.node_count; j++) {
			if (c.map.nodes[j].id != id)
				continue;
			c.map.nodes[j].addr.family = 4;
			c.map.nodes[j].addr.port = (u16)port;
			sscanf(host, "%hhu.%hhu.%hhu.%hhu",
			       &c.map.nodes[j].addr.addr[0],
			       &c.map.nodes[j].addr.addr[1],
			       &c.map.nodes[j].addr.addr[2],
			       &c.map.nodes[j].addr.addr[3]);
		}
	}
	json_decref(root);
	r = leofs_mapview_new(&c.map, out);
	placesim_cluster_free(&c);
	return r;
}

static const char *map_path;

static int refresh(void *arg, u64 known, struct leofs_mapview **out)
{
	(void)arg;
	(void)known;
	return load_map(map_path, out);
}

static int do_write(struct leofs_client *c, u64 ino,
		    const struct leofs_layout *l, u64 off, u64 len, u64 seed,
		    u32 flags)
{
	u8 *b = malloc(len + 1);
	u64 i;
	int r;

	for (i = 0; i < len; i++)
		b[i] = pattern(seed, off + i);
	r = leofs_file_write(c, ino, l, off, b, len, flags);
	free(b);
	return r;
}

static int do_verify(struct leofs_client *c, u64 ino,
		     const struct leofs_layout *l, u64 off, u64 len, u64 seed)
{
	u8 *b = malloc(len + 1);
	u64 i;
	int r;

	memset(b, 0xee, len);
	r = leofs_file_read(c, ino, l, off, b, len);
	if (r) {
		fprintf(stderr, "read ino %llu [%llu, +%llu): %s\n",
			(unsigned long long)ino, (unsigned long long)off,
			(unsigned long long)len, strerror(-r));
		free(b);
		return r;
	}
	for (i = 0; i < len; i++)
		if (b[i] != pattern(seed, off + i)) {
			fprintf(stderr, "ino %llu: byte %llu differs\n",
				(unsigned long long)ino,
				(unsigned long long)(off + i));
			free(b);
			return -EILSEQ;
		}
	free(b);
	return 0;
}

static int roundtrip(struct leofs_client *c, const struct leofs_layout *l,
		     u64 ino0)
{
	static const u64 sizes[] = { 0, 1, 4095, 4097, 65536 + 17,
				     1000000, 5 << 20, 64 << 20 };
	unsigned int i;
	int r;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u64 ino = ino0 + i, sz = sizes[i];

		/* a new file written whole, then an unaligned overwrite */
		r = do_write(c, ino, l, 0, sz, ino, LEOFS_FILE_EOF);
		if (!r)
			r = do_verify(c, ino, l, 0, sz, ino);
		if (!r && sz > 10) {
			u64 off = sz / 3 + 1, len = sz / 3 + 3, j;
			u8 *b = malloc(sz);

			for (j = 0; j < sz; j++)
				b[j] = j >= off && j < off + len ?
					       pattern(ino + 1000, j) :
					       pattern(ino, j);
			r = do_write(c, ino, l, off, len, ino + 1000, 0);
			if (!r)
				r = leofs_file_read(c, ino, l, 0, b + 0, 0);
			if (!r) {
				u8 *got = malloc(sz);

				r = leofs_file_read(c, ino, l, 0, got, sz);
				if (!r && memcmp(got, b, sz))
					r = -EILSEQ;
				free(got);
			}
			free(b);
		}
		if (r) {
			fprintf(stderr, "size %llu: %s\n",
				(unsigned long long)sz, strerror(-r));
			return r;
		}
	}
	return 0;
}

static int churn(struct leofs_client *c, const struct leofs_layout *l,
		 const char *log)
{
	FILE *f = fopen(log, "a");
	u64 n;

	if (!f)
		return -errno;
	setvbuf(f, NULL, _IOLBF, 0);
	for (n = 1;; n++) {
		u64 ino = 1000 + n % 7, off = (n * 7919) % 300000, len = 1 + (n * 104729) % 200000;

		/* a write acknowledged is logged; earlier writes may overlap */
		if (do_write(c, ino, l, off, len, n, 0) == 0)
			fprintf(f, "%llu %llu %llu %llu\n",
				(unsigned long long)ino,
				(unsigned long long)off,
				(unsigned long long)len,
				(unsigned long long)n);
	}
}

/* The last write of every byte must read back. */
static int check(struct leofs_client *c, const struct leofs_layout *l,
		 const char *log)
{
	FILE *f = fopen(log, "r");
	unsigned long long ino, off, len, seed;
	u8 *want[7] = { 0 }, *known[7] = { 0 }, *got;
	u64 i, k, size = 600000;
	int r = 0;

	if (!f)
		return -errno;
	for (k = 0; k < 7; k++) {
		want[k] = calloc(size, 1);
		known[k] = calloc(size, 1);
	}
	got = malloc(size);
	while (fscanf(f, "%llu %llu %llu %llu", &ino, &off, &len, &seed) == 4)
		for (i = off; i < off + len; i++) {
			want[ino - 1000][i] = pattern(seed, i);
			known[ino - 1000][i] = 1;
		}
	fclose(f);
	for (k = 0; k < 7 && !r; k++) {
		r = leofs_file_read(c, 1000 + k, l, 0, got, size);
		if (r) {
			fprintf(stderr, "ino %llu: %s\n",
				(unsigned long long)(1000 + k), strerror(-r));
			break;
		}
		for (i = 0; i < size; i++)
			if (known[k][i] && got[i] != want[k][i]) {
				fprintf(stderr, "ino %llu byte %llu lost\n",
					(unsigned long long)(1000 + k),
					(unsigned long long)i);
				r = -EILSEQ;
				break;
			}
	}
	return r;
}

static int statfs_target(struct leofs_client *c, struct leofs_mapview *v,
			 u32 target)
{
	const struct leofs_map_target *t = leofs_mapview_target(v, target);
	const struct leofs_map_node *n = leofs_mapview_node(v, t->node_id);
	struct leofs_target_statfs_req q = { .target_id = target };
	struct leofs_target_statfs_reply rp;
	struct leofs_rpc_reply raw;
	struct leofs_rpc_opts o = { .peer_kind = LEOFS_PEER_ADMIN,
				    .connect_timeout_ms = 2000 };
	struct leofs_rpc *rpc;
	char host[32];
	int r;

	(void)c;
	snprintf(host, sizeof(host), "%u.%u.%u.%u", n->addr.addr[0],
		 n->addr.addr[1], n->addr.addr[2], n->addr.addr[3]);
	r = leofs_rpc_connect(host, n->addr.port, &o, NULL, &rpc);
	if (r)
		return r;
	r = leofs_rpc_call(rpc, LEOFS_OP_TARGET_STATFS, &q, sizeof(q), &rp,
			   sizeof(rp), &raw, 10000);
	if (!r) {
		printf("%llu\n", (unsigned long long)rp.checksum_errors);
		leofs_rpc_reply_free(&raw);
	}
	leofs_rpc_close(rpc);
	return r;
}

int main(int argc, char **argv)
{
	struct leofs_client_opts o = { 0 };
	struct leofs_layout l;
	struct leofs_mapview *v;
	struct leofs_client *c;
	const char *cmd;
	int r;

	if (argc < 4)
		return 2;
	map_path = argv[1];
	cmd = argv[3];
	if (load_map(map_path, &v))
		return 2;
	o.refresh = refresh;
	o.timeout_ms = 20000;
	if (leofs_client_new(v, &o, &c))
		return 2;
	if (!strcmp(cmd, "statfs") && argc == 5) {
		r = statfs_target(c, v, (u32)atoi(argv[4]));
	} else if ((!strcmp(cmd, "write") || !strcmp(cmd, "verify")) &&
		   argc == 10) {
		if (parse_scheme(argv[5], (u32)atoi(argv[6]), &l))
			return 2;
		if (!strcmp(cmd, "write"))
			r = do_write(c, strtoull(argv[4], NULL, 0), &l,
				     strtoull(argv[7], NULL, 0),
				     strtoull(argv[8], NULL, 0),
				     strtoull(argv[9], NULL, 0), LEOFS_FILE_EOF);
		else
			r = do_verify(c, strtoull(argv[4], NULL, 0), &l,
				      strtoull(argv[7], NULL, 0),
				      strtoull(argv[8], NULL, 0),
				      strtoull(argv[9], NULL, 0));
	} else if (!strcmp(cmd, "roundtrip") && argc == 6) {
		if (parse_scheme(argv[4], (u32)atoi(argv[5]), &l))
			return 2;
		r = roundtrip(c, &l, 1 + ((u64)l.k << 8 | l.m) * 100);
	} else if ((!strcmp(cmd, "churn") || !strcmp(cmd, "check")) &&
		   argc == 7) {
		if (parse_scheme(argv[4], (u32)atoi(argv[5]), &l))
			return 2;
		r = !strcmp(cmd, "churn") ? churn(c, &l, argv[6]) :
					    check(c, &l, argv[6]);
	} else {
		return 2;
	}
	if (r)
		fprintf(stderr, "%s: %s\n", cmd, strerror(-r));
	leofs_client_free(c);
	leofs_mapview_put(v);
	return r ? 1 : 0;
}
