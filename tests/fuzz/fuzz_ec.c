// SPDX-License-Identifier: GPL-2.0
/*
 * Round trip through lib/ec with arbitrary layouts and masks:
 *
 *   byte 0      K selector, byte 1  M selector
 *   bytes 2-5   available mask (le32), bytes 6-9  wanted mask (le32)
 *   the rest    data, cut into K fragments
 *
 * The data is encoded, the unavailable fragments are smeared, and
 * leofs_ec_reconstruct() must either fail with the error the masks call
 * for or restore exactly the wanted fragments and touch nothing else.
 * Contexts live across inputs so the decode cache keeps churning.
 */
#include <stdlib.h>

#include "leofs/ec.h"

#define HDR 10

static struct leofs_ec *ctx[LEOFS_EC_K_MAX + 1][LEOFS_EC_M_MAX + 1];

static struct leofs_ec *get_ctx(unsigned int k, unsigned int m)
{
	struct leofs_ec **ec = &ctx[k][m];

	if (!*ec) {
		*ec = malloc(sizeof(**ec));
		if (!*ec || leofs_ec_init(*ec, k, m))
			abort();
	}
	return *ec;
}

static int expected(unsigned int k, unsigned int n, u32 avail, u32 want)
{
	u32 all = (1u << n) - 1;

	if (((avail | want) & ~all) || (avail & want))
		return -EINVAL;
	if (!want)
		return 0;
	if ((unsigned int)__builtin_popcount(avail) < k)
		return -EIO;
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u8 *orig[LEOFS_EC_N_MAX], *work[LEOFS_EC_N_MAX];
	unsigned int k, m, n, i;
	struct leofs_ec *ec;
	u32 avail, want;
	size_t len;
	int ret;

	if (size < HDR)
		return 0;
	k = LEOFS_EC_K_MIN + data[0] % (LEOFS_EC_K_MAX - LEOFS_EC_K_MIN + 1);
	m = LEOFS_EC_M_MIN + data[1] % (LEOFS_EC_M_MAX - LEOFS_EC_M_MIN + 1);
	n = k + m;
	avail = get_unaligned_le32(data + 2);
	want = get_unaligned_le32(data + 6);
	len = (size - HDR) / k;
	ec = get_ctx(k, m);

	for (i = 0; i < n; i++) {
		orig[i] = malloc(len ? len : 1);
		work[i] = malloc(len ? len : 1);
		if (!orig[i] || !work[i])
			abort();
		if (i < k)
			memcpy(orig[i], data + HDR + i * len, len);
	}
	if (leofs_ec_encode(ec, len, orig, orig + k))
		abort();
	for (i = 0; i < n; i++) {
		if (avail & (1u << i))
			memcpy(work[i], orig[i], len);
		else
			memset(work[i], 0xa5 ^ (int)i, len);
	}

	ret = leofs_ec_reconstruct(ec, len, work, avail, want);
	if (ret != expected(k, n, avail, want))
		abort();
	for (i = 0; i < n; i++) {
		bool restored = !ret && (want & (1u << i));
		size_t b;

		if (restored || (avail & (1u << i))) {
			if (memcmp(work[i], orig[i], len))
				abort();
			continue;
		}
		for (b = 0; b < len; b++)
			if (work[i][b] != (0xa5 ^ i))
				abort();
	}

	/* and the plain decode of everything unavailable */
	if (!(avail >> n)) {
		u32 erased = ((1u << n) - 1) & ~avail;
		bool enough = (unsigned int)__builtin_popcount(avail) >= k;

		for (i = 0; i < n; i++)
			if (erased & (1u << i))
				memset(work[i], 0, len);
		ret = leofs_ec_decode(ec, len, work, erased);
		if (ret != (enough ? 0 : -EIO))
			abort();
		for (i = 0; enough && i < n; i++)
			if (memcmp(work[i], orig[i], len))
				abort();
	}

	for (i = 0; i < n; i++) {
		free(orig[i]);
		free(work[i]);
	}
	return 0;
}
