// SPDX-License-Identifier: GPL-2.0
/*
 * Reed-Solomon reconstruction, with decode tables cached per pattern.
 *
 * With S the K x K generator rows of the chosen survivors, the data is
 * S^-1 * survivors, so a wanted fragment w is (row w of the generator) *
 * S^-1 * survivors. Those K coefficients per wanted fragment are expanded
 * into ISA-L tables once per (survivors, wanted) pair and cached.
 */
#include <isa-l/erasure_code.h>

#include "internal.h"

static u64 pattern_key(u32 surv, u32 want)
{
	return (u64)surv << 32 | want;
}

/* Copy the cached tables of @key into @tables; false on a miss. */
static bool cache_get(struct leofs_ec *ec, u64 key, u8 *tables, size_t size)
{
	bool found = false;
	unsigned int i;

	pthread_mutex_lock(&ec->lock);
	for (i = 0; i < LEOFS_EC_CACHE_SIZE; i++) {
		struct leofs_ec_cache_entry *e = &ec->cache[i];

		if (e->key != key)
			continue;
		memcpy(tables, e->tables, size);
		e->last_use = ++ec->clock;
		found = true;
		break;
	}
	if (found)
		ec->hits++;
	else
		ec->misses++;
	pthread_mutex_unlock(&ec->lock);
	return found;
}

/* Store tables for @key, evicting the least recently used entry. */
static void cache_put(struct leofs_ec *ec, u64 key, const u8 *tables,
		      size_t size)
{
	struct leofs_ec_cache_entry *victim = &ec->cache[0];
	unsigned int i;

	pthread_mutex_lock(&ec->lock);
	for (i = 0; i < LEOFS_EC_CACHE_SIZE; i++) {
		struct leofs_ec_cache_entry *e = &ec->cache[i];

		if (e->key == key) { /* another thread was quicker */
			victim = NULL;
			break;
		}
		if (e->last_use < victim->last_use)
			victim = e;
	}
	if (victim) {
		victim->key = key;
		victim->last_use = ++ec->clock;
		memcpy(victim->tables, tables, size);
	}
	pthread_mutex_unlock(&ec->lock);
}

/* Build the ISA-L tables turning survivors @surv into fragments @want. */
static int build_tables(const struct leofs_ec *ec, const u8 *surv,
			const u8 *want, unsigned int nwant, u8 *tables)
{
	u8 sub[LEOFS_EC_K_MAX * LEOFS_EC_K_MAX];
	u8 inv[LEOFS_EC_K_MAX * LEOFS_EC_K_MAX];
	u8 coef[LEOFS_EC_M_MAX * LEOFS_EC_K_MAX];
	unsigned int k = ec->k;
	unsigned int r, i, j;

	for (i = 0; i < k; i++)
		memcpy(&sub[i * k], &ec->matrix[surv[i] * k], k);
	if (gf_invert_matrix(sub, inv, (int)k))
		return -EIO; /* impossible for a Cauchy matrix */

	for (r = 0; r < nwant; r++) {
		const u8 *row = &ec->matrix[want[r] * k];

		for (j = 0; j < k; j++) {
			u8 c = 0;

			for (i = 0; i < k; i++)
				c ^= gf_mul(row[i], inv[i * k + j]);
			coef[r * k + j] = c;
		}
	}
	ec_init_tables((int)k, (int)nwant, coef, tables);
	return 0;
}

int leofs_ec_reconstruct(struct leofs_ec *ec, size_t len, u8 *const frags[],
			 u32 avail, u32 want)
{
	u8 tables[LEOFS_EC_TBL_MAX];
	u8 *src[LEOFS_EC_K_MAX];
	u8 *dst[LEOFS_EC_M_MAX];
	u8 surv_idx[LEOFS_EC_K_MAX];
	u8 want_idx[LEOFS_EC_M_MAX];
	unsigned int n = ec->k + ec->m;
	u32 all = (1u << n) - 1;
	unsigned int nsurv = 0, nwant = 0, i;
	u32 surv = 0;
	size_t size;
	u64 key;
	int ret;

	if (((avail | want) & ~all) || (avail & want))
		return -EINVAL;
	if (!want)
		return 0;

	for (i = 0; i < n && nsurv < ec->k; i++) {
		if (!(avail & (1u << i)))
			continue;
		surv |= 1u << i;
		surv_idx[nsurv] = (u8)i;
		src[nsurv++] = frags[i];
	}
	if (nsurv < ec->k)
		return -EIO;
	/* at least K available and want disjoint: at most M wanted */
	for (i = 0; i < n; i++) {
		if (!(want & (1u << i)))
			continue;
		want_idx[nwant] = (u8)i;
		dst[nwant++] = frags[i];
	}
	if (!len)
		return 0;
	for (i = 0; i < nsurv; i++)
		if (!src[i])
			return -EINVAL;
	for (i = 0; i < nwant; i++)
		if (!dst[i])
			return -EINVAL;

	key = pattern_key(surv, want);
	size = (size_t)32 * ec->k * nwant;
	if (!cache_get(ec, key, tables, size)) {
		ret = build_tables(ec, surv_idx, want_idx, nwant, tables);
		if (ret)
			return ret;
		cache_put(ec, key, tables, size);
	}
	leofs_ec_apply(len, ec->k, nwant, tables, src, dst);
	return 0;
}

int leofs_ec_decode(struct leofs_ec *ec, size_t len, u8 *const frags[],
		    u32 erased)
{
	u32 all = (1u << (ec->k + ec->m)) - 1;

	if (erased & ~all)
		return -EINVAL;
	return leofs_ec_reconstruct(ec, len, frags, all & ~erased, erased);
}

void leofs_ec_cache_stats(struct leofs_ec *ec, u64 *hits, u64 *misses)
{
	pthread_mutex_lock(&ec->lock);
	*hits = ec->hits;
	*misses = ec->misses;
	pthread_mutex_unlock(&ec->lock);
}
