// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/ec: Reed-Solomon encode, decode and the decode cache.
 *
 * Parity is checked against a reference encoder written here from the
 * format's definition (GF(2^8) with polynomial 0x11d, Cauchy rows
 * 1 / (i ^ j)), independent of ISA-L, so the on-disk format is pinned.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "leofs/ec.h"

#define N_MAX LEOFS_EC_N_MAX

/* ---- helpers ------------------------------------------------------------ */

static u64 rng_state = 0x9e3779b97f4a7c15ull;

static u64 rng_next(u64 *s)
{
	u64 x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static void fill_random(u8 *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (u8)(rng_next(&rng_state) >> 32);
}

static u8 ref_gf_mul(u8 a, u8 b)
{
	unsigned int r = 0, x = a;

	while (b) {
		if (b & 1)
			r ^= x;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x11d;
		b >>= 1;
	}
	return (u8)r;
}

static u8 ref_gf_inv(u8 a)
{
	unsigned int b;

	for (b = 1; b < 256; b++)
		if (ref_gf_mul(a, (u8)b) == 1)
			return (u8)b;
	return 0;
}

/* Parity fragment r of a K+M code, from the format's definition. */
static void ref_parity(unsigned int k, unsigned int r, size_t len,
		       u8 *const data[], u8 *out)
{
	size_t b;
	unsigned int i;

	memset(out, 0, len);
	for (i = 0; i < k; i++) {
		u8 c = ref_gf_inv((u8)((k + r) ^ i));

		for (b = 0; b < len; b++)
			out[b] ^= ref_gf_mul(c, data[i][b]);
	}
}

/* A context plus original and working copies of K+M fragments. */
struct stripe {
	struct leofs_ec *ec;
	unsigned int k, m, n;
	size_t len;
	u8 *orig[N_MAX];
	u8 *work[N_MAX];
};

static void stripe_setup(struct stripe *s, unsigned int k, unsigned int m,
			 size_t len)
{
	unsigned int i;

	s->ec = malloc(sizeof(*s->ec));
	assert_non_null(s->ec);
	assert_int_equal(leofs_ec_init(s->ec, k, m), 0);
	s->k = k;
	s->m = m;
	s->n = k + m;
	s->len = len;
	for (i = 0; i < s->n; i++) {
		/* at least one byte so that every pointer is non-NULL */
		s->orig[i] = malloc(len ? len : 1);
		s->work[i] = malloc(len ? len : 1);
		assert_non_null(s->orig[i]);
		assert_non_null(s->work[i]);
	}
	for (i = 0; i < k; i++)
		fill_random(s->orig[i], len);
	assert_int_equal(leofs_ec_encode(s->ec, len, s->orig, s->orig + k), 0);
}

static void stripe_teardown(struct stripe *s)
{
	unsigned int i;

	for (i = 0; i < s->n; i++) {
		free(s->orig[i]);
		free(s->work[i]);
	}
	leofs_ec_destroy(s->ec);
	free(s->ec);
}

/* work = orig, with the fragments in @erased overwritten with junk. */
static void stripe_erase(struct stripe *s, u32 erased)
{
	unsigned int i;

	for (i = 0; i < s->n; i++) {
		memcpy(s->work[i], s->orig[i], s->len);
		if (erased & (1u << i))
			memset(s->work[i], 0xee, s->len);
	}
}

static int stripe_matches(const struct stripe *s)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (memcmp(s->work[i], s->orig[i], s->len))
			return 0;
	return 1;
}

/* ---- tests -------------------------------------------------------------- */

static void test_init_params(void **state)
{
	static const unsigned int bad[][2] = {
		{ 0, 1 }, { 1, 1 },  { 17, 1 },	 { 2, 0 },
		{ 2, 5 }, { 16, 5 }, { 100, 2 }, { 4, 0xffffffffu },
	};
	struct leofs_ec *ec = malloc(sizeof(*ec));
	struct leofs_ec *copy = malloc(sizeof(*copy));
	unsigned int i, k, m;

	(void)state;
	assert_non_null(ec);
	assert_non_null(copy);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(ec, 0xa5, sizeof(*ec));
		memcpy(copy, ec, sizeof(*ec));
		assert_int_equal(leofs_ec_init(ec, bad[i][0], bad[i][1]),
				 -EINVAL);
		assert_memory_equal(ec, copy, sizeof(*ec));
	}
	for (k = LEOFS_EC_K_MIN; k <= LEOFS_EC_K_MAX; k++) {
		for (m = LEOFS_EC_M_MIN; m <= LEOFS_EC_M_MAX; m++) {
			assert_int_equal(leofs_ec_init(ec, k, m), 0);
			leofs_ec_destroy(ec);
		}
	}
	free(ec);
	free(copy);
}

/* Encode matches the reference, for every layout and awkward lengths. */
static void test_encode_reference(void **state)
{
	static const size_t lens[] = { 1, 31, 32, 63, 64, 65, 4097 };
	unsigned int k, m, r, li;
	u8 *ref = malloc(4097);

	(void)state;
	assert_non_null(ref);
	for (k = LEOFS_EC_K_MIN; k <= LEOFS_EC_K_MAX; k++) {
		for (m = LEOFS_EC_M_MIN; m <= LEOFS_EC_M_MAX; m++) {
			for (li = 0; li < ARRAY_SIZE(lens); li++) {
				struct stripe s;

				stripe_setup(&s, k, m, lens[li]);
				for (r = 0; r < m; r++) {
					ref_parity(k, r, s.len, s.orig, ref);
					assert_memory_equal(ref, s.orig[k + r],
							    s.len);
				}
				stripe_teardown(&s);
			}
		}
	}
	free(ref);
}

/*
 * Every pattern of 1..M erased fragments of one layout, decoded and
 * compared byte for byte; a sample of the M+1 patterns fails with -EIO
 * without writing anything.
 */
static void check_all_patterns(unsigned int k, unsigned int m)
{
	unsigned long done = 0, failed = 0, over = 0;
	struct stripe s;
	u32 mask;
	int ret;

	stripe_setup(&s, k, m, 67);
	for (mask = 1; mask < (1u << s.n); mask++) {
		unsigned int e = __builtin_popcount(mask);

		if (e > m + 1 || (e == m + 1 && over++ % 7))
			continue;
		stripe_erase(&s, mask);
		ret = leofs_ec_decode(s.ec, s.len, s.work, mask);
		if (e == m + 1) {
			assert_int_equal(ret, -EIO);
			assert_int_equal(s.work[__builtin_ctz(mask)][0], 0xee);
			failed++;
			continue;
		}
		assert_int_equal(ret, 0);
		if (!stripe_matches(&s))
			fail_msg("%u+%u: erased 0x%x not restored", k, m, mask);
		done++;
	}
	assert_true(done > 0);
	assert_true(failed > 0);
	stripe_teardown(&s);
}

static void test_decode_exhaustive(void **state)
{
	unsigned int k, m;

	(void)state;
	for (k = LEOFS_EC_K_MIN; k <= LEOFS_EC_K_MAX; k++)
		for (m = LEOFS_EC_M_MIN; m <= LEOFS_EC_M_MAX; m++)
			check_all_patterns(k, m);
}

/* Lengths 0, 1, 31 and 4097 through encode and decode. */
static void test_odd_lengths(void **state)
{
	static const size_t lens[] = { 0, 1, 31, 4097 };
	static const unsigned int layouts[][2] = {
		{ 2, 1 }, { 4, 2 }, { 8, 3 }, { 10, 4 }, { 16, 4 },
	};
	unsigned int li, la;

	(void)state;
	for (la = 0; la < ARRAY_SIZE(layouts); la++) {
		for (li = 0; li < ARRAY_SIZE(lens); li++) {
			struct stripe s;
			u32 data_lost, mixed;

			stripe_setup(&s, layouts[la][0], layouts[la][1],
				     lens[li]);
			data_lost = (1u << s.m) - 1;
			mixed = 1u << (s.n - 1) | (s.m > 1 ? 1u : 0);
			stripe_erase(&s, data_lost);
			assert_int_equal(
				leofs_ec_decode(s.ec, s.len, s.work, data_lost),
				0);
			assert_true(stripe_matches(&s));
			stripe_erase(&s, mixed);
			assert_int_equal(
				leofs_ec_decode(s.ec, s.len, s.work, mixed), 0);
			assert_true(stripe_matches(&s));
			stripe_teardown(&s);
		}
	}
}

/* Length 0 touches nothing, so NULL buffers are accepted. */
static void test_zero_length(void **state)
{
	struct leofs_ec *ec = malloc(sizeof(*ec));
	u8 *none[N_MAX] = { NULL };

	(void)state;
	assert_non_null(ec);
	assert_int_equal(leofs_ec_init(ec, 4, 2), 0);
	assert_int_equal(leofs_ec_encode(ec, 0, none, none + 4), 0);
	assert_int_equal(leofs_ec_decode(ec, 0, none, 0x3), 0);
	assert_int_equal(leofs_ec_decode(ec, 0, none, 0x7), -EIO);
	leofs_ec_destroy(ec);
	free(ec);
}

/* Only some fragments wanted, only K supplied, the others NULL. */
static void test_reconstruct_subset(void **state)
{
	struct stripe s;
	u8 *frags[N_MAX] = { NULL };
	unsigned int i;

	(void)state;
	stripe_setup(&s, 6, 3, 1000);
	stripe_erase(&s, 0);

	/* have 1,2,4,5,6,8; want 0 and 7; 3 is neither */
	for (i = 0; i < s.n; i++)
		if (i != 0 && i != 3 && i != 7)
			frags[i] = s.work[i];
	frags[0] = s.work[0];
	frags[7] = s.work[7];
	memset(s.work[0], 0, s.len);
	memset(s.work[7], 0, s.len);
	memset(s.work[3], 0x55, s.len);
	assert_int_equal(leofs_ec_reconstruct(s.ec, s.len, frags, 0x176, 0x81),
			 0);
	assert_memory_equal(s.work[0], s.orig[0], s.len);
	assert_memory_equal(s.work[7], s.orig[7], s.len);
	assert_int_equal(s.work[3][0], 0x55);

	/* exactly K = 6 available, among them the parity just rebuilt */
	frags[8] = NULL;
	memset(s.work[0], 0, s.len);
	assert_int_equal(leofs_ec_reconstruct(s.ec, s.len, frags, 0x0f6, 0x01),
			 0);
	assert_memory_equal(s.work[0], s.orig[0], s.len);

	/* parity regenerated from data only */
	memcpy(s.work[3], s.orig[3], s.len);
	memset(s.work[7], 0, s.len);
	assert_int_equal(leofs_ec_reconstruct(s.ec, s.len, s.work, 0x03f, 0x80),
			 0);
	assert_memory_equal(s.work[7], s.orig[7], s.len);
	stripe_teardown(&s);
}

static void test_errors(void **state)
{
	struct stripe s;
	u8 *frags[N_MAX];
	unsigned int i;

	(void)state;
	stripe_setup(&s, 4, 2, 100);
	stripe_erase(&s, 0);

	/* nothing wanted */
	assert_int_equal(leofs_ec_reconstruct(s.ec, s.len, s.work, 0x3f, 0), 0);
	assert_int_equal(leofs_ec_decode(s.ec, s.len, s.work, 0), 0);
	assert_true(stripe_matches(&s));
	/* fragment numbers beyond K+M */
	assert_int_equal(leofs_ec_decode(s.ec, s.len, s.work, 1u << 6),
			 -EINVAL);
	assert_int_equal(leofs_ec_decode(s.ec, s.len, s.work, 1u << 31),
			 -EINVAL);
	assert_int_equal(leofs_ec_reconstruct(s.ec, s.len, s.work, 0x7e, 0x01),
			 -EINVAL);
	assert_int_equal(leofs_ec_reconstruct(s.ec, s.len, s.work, 0x3e, 0x41),
			 -EINVAL);
	/* a fragment both available and wanted */
	assert_int_equal(leofs_ec_reconstruct(s.ec, s.len, s.work, 0x3f, 0x01),
			 -EINVAL);
	/* too few survivors */
	assert_int_equal(leofs_ec_reconstruct(s.ec, s.len, s.work, 0x38, 0x01),
			 -EIO);
	assert_int_equal(leofs_ec_decode(s.ec, s.len, s.work, 0x3f), -EIO);
	assert_true(stripe_matches(&s));

	/* NULL where a buffer is needed */
	for (i = 0; i < s.n; i++)
		frags[i] = s.work[i];
	frags[1] = NULL;
	assert_int_equal(leofs_ec_decode(s.ec, s.len, frags, 0x01), -EINVAL);
	frags[1] = s.work[1];
	frags[0] = NULL;
	assert_int_equal(leofs_ec_decode(s.ec, s.len, frags, 0x01), -EINVAL);
	assert_int_equal(leofs_ec_encode(s.ec, s.len, frags, frags + 4),
			 -EINVAL);
	frags[0] = s.work[0];
	frags[5] = NULL;
	assert_int_equal(leofs_ec_encode(s.ec, s.len, frags, frags + 4),
			 -EINVAL);
	assert_true(stripe_matches(&s));
	stripe_teardown(&s);
}

/* A cache hit gives the same bytes as the miss, also after eviction. */
static void test_cache(void **state)
{
	struct stripe s;
	u64 hits, misses;
	u8 *first[N_MAX];
	u32 mask;
	unsigned int i, evict;

	(void)state;
	stripe_setup(&s, 8, 3, 3000);
	leofs_ec_cache_stats(s.ec, &hits, &misses);
	assert_true(hits == 0 && misses == 0);

	mask = 0x405; /* data 0 and 2, parity 2 */
	stripe_erase(&s, mask);
	assert_int_equal(leofs_ec_decode(s.ec, s.len, s.work, mask), 0);
	leofs_ec_cache_stats(s.ec, &hits, &misses);
	assert_true(hits == 0 && misses == 1);
	assert_true(stripe_matches(&s));
	for (i = 0; i < s.n; i++) {
		first[i] = malloc(s.len);
		assert_non_null(first[i]);
		memcpy(first[i], s.work[i], s.len);
	}

	stripe_erase(&s, mask);
	assert_int_equal(leofs_ec_decode(s.ec, s.len, s.work, mask), 0);
	leofs_ec_cache_stats(s.ec, &hits, &misses);
	assert_true(hits == 1 && misses == 1);
	for (i = 0; i < s.n; i++)
		assert_memory_equal(first[i], s.work[i], s.len);

	/* push the pattern out with more distinct patterns than entries */
	for (evict = 0, mask = 1; evict < 2 * LEOFS_EC_CACHE_SIZE; mask++) {
		if (__builtin_popcount(mask) > 3 || mask == 0x405)
			continue;
		stripe_erase(&s, mask);
		assert_int_equal(leofs_ec_decode(s.ec, s.len, s.work, mask), 0);
		assert_true(stripe_matches(&s));
		evict++;
	}
	leofs_ec_cache_stats(s.ec, &hits, &misses);
	assert_true(misses == 1 + 2 * LEOFS_EC_CACHE_SIZE);

	mask = 0x405;
	stripe_erase(&s, mask);
	assert_int_equal(leofs_ec_decode(s.ec, s.len, s.work, mask), 0);
	leofs_ec_cache_stats(s.ec, &hits, &misses);
	assert_true(misses == 2 + 2 * LEOFS_EC_CACHE_SIZE);
	for (i = 0; i < s.n; i++) {
		assert_memory_equal(first[i], s.work[i], s.len);
		free(first[i]);
	}
	stripe_teardown(&s);
}

/* ---- two threads decoding different patterns through one context ------- */

struct worker {
	struct leofs_ec *ec;
	u8 *const *orig;
	unsigned int n;
	size_t len;
	unsigned int nerase; /* erasures per pattern */
	unsigned int rounds;
	unsigned long bad;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	u8 *work[N_MAX];
	u32 mask = 0;
	unsigned int r, i;

	for (i = 0; i < w->n; i++)
		work[i] = malloc(w->len);
	for (r = 0; r < w->rounds; r++) {
		/* next mask with the right number of bits, wrapping */
		do {
			mask = (mask + 1) & ((1u << w->n) - 1);
		} while ((unsigned int)__builtin_popcount(mask) != w->nerase);
		for (i = 0; i < w->n; i++) {
			if (mask & (1u << i))
				memset(work[i], (int)r, w->len);
			else
				memcpy(work[i], w->orig[i], w->len);
		}
		if (leofs_ec_decode(w->ec, w->len, work, mask)) {
			w->bad++;
			continue;
		}
		for (i = 0; i < w->n; i++)
			if (memcmp(work[i], w->orig[i], w->len))
				w->bad++;
	}
	for (i = 0; i < w->n; i++)
		free(work[i]);
	return NULL;
}

static void test_threads(void **state)
{
	struct stripe s;
	struct worker w[2];
	pthread_t tid[2];
	u64 hits, misses;
	unsigned int i;

	(void)state;
	stripe_setup(&s, 8, 3, 2048);
	for (i = 0; i < 2; i++) {
		w[i].ec = s.ec;
		w[i].orig = s.orig;
		w[i].n = s.n;
		w[i].len = s.len;
		w[i].nerase = i ? 3 : 1; /* 165 and 11 patterns */
		w[i].rounds = 3000;
		w[i].bad = 0;
		assert_int_equal(
			pthread_create(&tid[i], NULL, worker_run, &w[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(tid[i], NULL), 0);
		assert_int_equal(w[i].bad, 0);
	}
	leofs_ec_cache_stats(s.ec, &hits, &misses);
	assert_true(hits + misses == 6000);
	assert_true(hits > 0);
	stripe_teardown(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_params),
		cmocka_unit_test(test_encode_reference),
		cmocka_unit_test(test_decode_exhaustive),
		cmocka_unit_test(test_odd_lengths),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_reconstruct_subset),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
