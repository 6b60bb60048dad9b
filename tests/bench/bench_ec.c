// SPDX-License-Identifier: GPL-2.0
/*
 * Erasure coding and CRC32C throughput, each against raw ISA-L on the same
 * buffers in the same run.
 *
 *   ec.encode.<k>+<m>.<size>  leofs_ec_encode() vs ec_encode_data() with
 *                             the same encode tables
 *   ec.decode.<k>+<m>.<size>  leofs_ec_decode() of M lost data fragments
 *                             (cache lookup included) vs ec_encode_data()
 *                             with decode tables computed beforehand
 *   crc.crc32c.64KiB          leofs_crc32c() vs crc32_iscsi()
 *
 * <size> is the fragment length (the len argument); MB/s counts the K data
 * fragments, 1 MB = 1e6 bytes. Baseline and measured runs alternate, and
 * the best of several runs of each is kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <isa-l/crc.h>
#include <isa-l/erasure_code.h>

#include "leofs/ec.h"

struct bench_cfg {
	unsigned int reps; /* runs of each side */
	double slice; /* seconds per run */
};

struct ec_case {
	struct leofs_ec *ec;
	unsigned int k, m;
	size_t len;
	u8 *frags[LEOFS_EC_N_MAX];
	u8 *surv[LEOFS_EC_K_MAX]; /* decode inputs for the baseline */
	u8 enc_tables[LEOFS_EC_TBL_MAX];
	u8 dec_tables[LEOFS_EC_TBL_MAX];
	u32 lost;
};

static volatile u32 sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Bytes per second of @op over one slice. */
static double run_slice(void (*op)(struct ec_case *), struct ec_case *c,
			size_t bytes, double slice)
{
	double start = now(), t;
	unsigned long n = 0;

	do {
		op(c);
		n++;
		t = now() - start;
	} while (t < slice);
	return (double)n * bytes / t;
}

static void emit(const char *name, double value, double baseline)
{
	printf("{\"name\":\"%s\",\"value\":%.1f,\"unit\":\"MB/s\",\"baseline\":%.1f,\"ratio\":%.3f}\n",
	       name, value / 1e6, baseline / 1e6, value / baseline);
	fflush(stdout);
}

/* Alternate baseline and measured runs, keep the best of each. */
static void compare(const char *name, void (*base)(struct ec_case *),
		    void (*val)(struct ec_case *), struct ec_case *c,
		    size_t bytes, const struct bench_cfg *cfg)
{
	double best_b = 0, best_v = 0, r;
	unsigned int i;

	base(c);
	val(c);
	for (i = 0; i < cfg->reps; i++) {
		if (i & 1) {
			r = run_slice(val, c, bytes, cfg->slice);
			best_v = r > best_v ? r : best_v;
			r = run_slice(base, c, bytes, cfg->slice);
			best_b = r > best_b ? r : best_b;
		} else {
			r = run_slice(base, c, bytes, cfg->slice);
			best_b = r > best_b ? r : best_b;
			r = run_slice(val, c, bytes, cfg->slice);
			best_v = r > best_v ? r : best_v;
		}
	}
	emit(name, best_v, best_b);
	fprintf(stderr,
		"%-26s leofs %8.1f MB/s  isa-l %8.1f MB/s  ratio %.3f\n", name,
		best_v / 1e6, best_b / 1e6, best_v / best_b);
}

static void raw_encode(struct ec_case *c)
{
	ec_encode_data((int)c->len, (int)c->k, (int)c->m, c->enc_tables,
		       c->frags, c->frags + c->k);
}

static void leofs_encode(struct ec_case *c)
{
	leofs_ec_encode(c->ec, c->len, c->frags, c->frags + c->k);
}

static void raw_decode(struct ec_case *c)
{
	ec_encode_data((int)c->len, (int)c->k, (int)c->m, c->dec_tables,
		       c->surv, c->frags);
}

static void leofs_decode(struct ec_case *c)
{
	if (leofs_ec_decode(c->ec, c->len, c->frags, c->lost))
		abort();
}

static void raw_crc(struct ec_case *c)
{
	sink += ~crc32_iscsi(c->frags[0], (int)c->len, ~0u);
}

static void leofs_crc(struct ec_case *c)
{
	sink += leofs_crc32c(0, c->frags[0], c->len);
}

static void fill_random(u8 *p, size_t len, u64 *s)
{
	size_t i;

	for (i = 0; i < len; i++) {
		*s ^= *s << 13;
		*s ^= *s >> 7;
		*s ^= *s << 17;
		p[i] = (u8)(*s >> 32);
	}
}

static u8 *alloc_buf(size_t len)
{
	void *p;

	if (posix_memalign(&p, 64, len)) {
		perror("posix_memalign");
		exit(1);
	}
	return p;
}

static void setup_encode(struct ec_case *c)
{
	u8 matrix[LEOFS_EC_N_MAX * LEOFS_EC_K_MAX];

	gf_gen_cauchy1_matrix(matrix, (int)(c->k + c->m), (int)c->k);
	ec_init_tables((int)c->k, (int)c->m, matrix + c->k * c->k,
		       c->enc_tables);
}

/* Decode tables for losing data fragments 0..m-1, as a cached decoder has. */
static void setup_decode(struct ec_case *c)
{
	u8 matrix[LEOFS_EC_N_MAX * LEOFS_EC_K_MAX];
	u8 sub[LEOFS_EC_K_MAX * LEOFS_EC_K_MAX];
	u8 inv[LEOFS_EC_K_MAX * LEOFS_EC_K_MAX];
	unsigned int i, k = c->k;

	gf_gen_cauchy1_matrix(matrix, (int)(k + c->m), (int)k);
	for (i = 0; i < k; i++) {
		memcpy(&sub[i * k], &matrix[(c->m + i) * k], k);
		c->surv[i] = c->frags[c->m + i];
	}
	if (gf_invert_matrix(sub, inv, (int)k)) {
		fprintf(stderr, "singular decode matrix\n");
		exit(1);
	}
	ec_init_tables((int)k, (int)c->m, inv, c->dec_tables);
	c->lost = (1u << c->m) - 1;
}

static void check_decode(struct ec_case *c, void (*op)(struct ec_case *),
			 u8 *const orig[])
{
	unsigned int i;

	for (i = 0; i < c->m; i++)
		memset(c->frags[i], 0, c->len);
	op(c);
	for (i = 0; i < c->m; i++) {
		if (memcmp(c->frags[i], orig[i], c->len)) {
			fprintf(stderr, "decode check failed\n");
			exit(1);
		}
	}
}

static void bench_layout(unsigned int k, unsigned int m, size_t len,
			 const char *size_name, const struct bench_cfg *cfg)
{
	struct ec_case *c = calloc(1, sizeof(*c));
	u8 *orig[LEOFS_EC_M_MAX];
	char name[64];
	u64 seed = 0x2545f4914f6cdd1dull ^ len ^ k << 8 ^ m;
	unsigned int i;

	c->ec = malloc(sizeof(*c->ec));
	if (!c->ec || leofs_ec_init(c->ec, k, m)) {
		fprintf(stderr, "leofs_ec_init(%u, %u) failed\n", k, m);
		exit(1);
	}
	c->k = k;
	c->m = m;
	c->len = len;
	for (i = 0; i < k + m; i++) {
		c->frags[i] = alloc_buf(len);
		fill_random(c->frags[i], len, &seed);
	}
	setup_encode(c);

	snprintf(name, sizeof(name), "ec.encode.%u+%u.%s", k, m, size_name);
	compare(name, raw_encode, leofs_encode, c, (size_t)k * len, cfg);

	/* frags now hold a valid stripe: keep the lost data to check */
	for (i = 0; i < m; i++) {
		orig[i] = alloc_buf(len);
		memcpy(orig[i], c->frags[i], len);
	}
	setup_decode(c);
	check_decode(c, raw_decode, orig);
	check_decode(c, leofs_decode, orig);
	snprintf(name, sizeof(name), "ec.decode.%u+%u.%s", k, m, size_name);
	compare(name, raw_decode, leofs_decode, c, (size_t)k * len, cfg);

	for (i = 0; i < m; i++)
		free(orig[i]);
	for (i = 0; i < k + m; i++)
		free(c->frags[i]);
	leofs_ec_destroy(c->ec);
	free(c->ec);
	free(c);
}

static void bench_crc(const struct bench_cfg *cfg)
{
	struct ec_case *c = calloc(1, sizeof(*c));
	u64 seed = 42;

	c->len = 64 * 1024;
	c->frags[0] = alloc_buf(c->len);
	fill_random(c->frags[0], c->len, &seed);
	if (leofs_crc32c(0, "123456789", 9) != 0xe3069283) {
		fprintf(stderr, "crc32c check failed\n");
		exit(1);
	}
	compare("crc.crc32c.64KiB", raw_crc, leofs_crc, c, c->len, cfg);
	free(c->frags[0]);
	free(c);
}

int main(int argc, char **argv)
{
	static const unsigned int layouts[][2] = { { 4, 1 },
						   { 4, 2 },
						   { 8, 3 } };
	static const struct {
		size_t len;
		const char *name;
	} sizes[] = {
		{ 64 * 1024, "64KiB" },
		{ 256 * 1024, "256KiB" },
		{ 1024 * 1024, "1MiB" },
	};
	struct bench_cfg cfg = { .reps = 6, .slice = 0.15 };
	unsigned int l, s;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			cfg.reps = 3;
			cfg.slice = 0.03;
		} else {
			fprintf(stderr, "usage: %s [--quick]\n", argv[0]);
			return 2;
		}
	}
	fprintf(stderr,
		"bench_ec: %u runs of %.0f ms per side, sizes are per fragment\n",
		cfg.reps, cfg.slice * 1e3);
	for (l = 0; l < ARRAY_SIZE(layouts); l++)
		for (s = 0; s < ARRAY_SIZE(sizes); s++)
			bench_layout(layouts[l][0], layouts[l][1], sizes[s].len,
				     sizes[s].name, &cfg);
	bench_crc(&cfg);
	return 0;
}
