// SPDX-License-Identifier: GPL-2.0
/*
 * Reed-Solomon context setup and encoding over ISA-L.
 */
#include <limits.h>

#include <isa-l/erasure_code.h>

#include "internal.h"

/* ISA-L takes an int length: larger buffers go through in pieces. */
#define EC_CHUNK_MAX ((size_t)INT_MAX & ~(size_t)63)

void leofs_ec_apply(size_t len, unsigned int k, unsigned int rows,
		    const u8 *tables, u8 *const src[], u8 *const dst[])
{
	u8 *in[LEOFS_EC_K_MAX];
	u8 *out[LEOFS_EC_M_MAX];
	size_t off = 0;
	unsigned int i;

	while (off < len) {
		size_t n = len - off < EC_CHUNK_MAX ? len - off : EC_CHUNK_MAX;

		for (i = 0; i < k; i++)
			in[i] = src[i] + off;
		for (i = 0; i < rows; i++)
			out[i] = dst[i] + off;
		ec_encode_data((int)n, (int)k, (int)rows, (u8 *)tables, in,
			       out);
		off += n;
	}
}

int leofs_ec_init(struct leofs_ec *ec, unsigned int k, unsigned int m)
{
	int ret;

	if (k < LEOFS_EC_K_MIN || k > LEOFS_EC_K_MAX || m < LEOFS_EC_M_MIN ||
	    m > LEOFS_EC_M_MAX)
		return -EINVAL;

	memset(ec, 0, sizeof(*ec));
	ret = pthread_mutex_init(&ec->lock, NULL);
	if (ret)
		return -ret;
	ec->k = k;
	ec->m = m;
	gf_gen_cauchy1_matrix(ec->matrix, (int)(k + m), (int)k);
	ec_init_tables((int)k, (int)m, ec->matrix + k * k, ec->enc_tables);
	return 0;
}

void leofs_ec_destroy(struct leofs_ec *ec)
{
	pthread_mutex_destroy(&ec->lock);
}

int leofs_ec_encode(const struct leofs_ec *ec, size_t len, u8 *const data[],
		    u8 *const parity[])
{
	unsigned int i;

	if (!len)
		return 0;
	for (i = 0; i < ec->k; i++)
		if (!data[i])
			return -EINVAL;
	for (i = 0; i < ec->m; i++)
		if (!parity[i])
			return -EINVAL;
	leofs_ec_apply(len, ec->k, ec->m, ec->enc_tables, data, parity);
	return 0;
}
