/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reed-Solomon erasure coding (userspace only, over ISA-L).
 *
 * An object unit is cut into K data fragments of equal length; M parity
 * fragments are computed from them. Fragments are numbered 0..K-1 (data)
 * and K..K+M-1 (parity). Any K of the K+M fragments regenerate all others.
 *
 * The code is systematic, with a Cauchy generator matrix (identity on top,
 * Cauchy rows 1 / (i ^ j) below), so every K x K submatrix is invertible.
 * The matrix is part of the on-disk format: never change it.
 *
 * Buffers belong to the caller; they may have any length, including 0, and
 * need no alignment. Encoding and decoding never allocate.
 *
 * Threads: one context may be shared by any number of threads once
 * leofs_ec_init() has returned. Encoding only reads the context; decoding
 * takes an internal mutex just long enough to look up or insert the decode
 * tables of an erasure pattern and copy them out.
 */
#ifndef LEOFS_EC_H
#define LEOFS_EC_H

#include <pthread.h>

#include "leofs/compat.h"

#define LEOFS_EC_K_MIN 2
#define LEOFS_EC_K_MAX 16
#define LEOFS_EC_M_MIN 1
#define LEOFS_EC_M_MAX 4
#define LEOFS_EC_N_MAX (LEOFS_EC_K_MAX + LEOFS_EC_M_MAX)

/* ISA-L expands every GF(2^8) coefficient into 32 bytes of tables. */
#define LEOFS_EC_TBL_MAX (32 * LEOFS_EC_K_MAX * LEOFS_EC_M_MAX)

/*
 * Decode tables cached per (survivors, wanted) pattern. 32 entries hold
 * every single-fragment loss of the widest layout (16+4 has 20 fragments).
 */
#define LEOFS_EC_CACHE_SIZE 32

struct leofs_ec_cache_entry {
	u64 key; /* survivors mask << 32 | wanted mask; 0 = empty */
	u64 last_use;
	u8 tables[LEOFS_EC_TBL_MAX] __attribute__((aligned(64)));
};

struct leofs_ec {
	unsigned int k;
	unsigned int m;
	u8 matrix[LEOFS_EC_N_MAX * LEOFS_EC_K_MAX];
	u8 enc_tables[LEOFS_EC_TBL_MAX] __attribute__((aligned(64)));

	pthread_mutex_t lock; /* protects everything below */
	u64 clock;
	u64 hits;
	u64 misses;
	struct leofs_ec_cache_entry cache[LEOFS_EC_CACHE_SIZE];
};

/*
 * Set up a K+M context. Returns 0, or -EINVAL (leaving *ec untouched) when
 * k or m is out of range. The context is large (about 70 KiB): allocate it
 * or embed it, rather than placing it on a thread stack.
 */
int leofs_ec_init(struct leofs_ec *ec, unsigned int k, unsigned int m);

/* Release the context's resources. It may be initialized again. */
void leofs_ec_destroy(struct leofs_ec *ec);

/*
 * Compute the m parity fragments from the k data fragments, each len bytes.
 * Returns 0, or -EINVAL if a buffer pointer is NULL while len > 0.
 */
int leofs_ec_encode(const struct leofs_ec *ec, size_t len, u8 *const data[],
		    u8 *const parity[]);

/*
 * Regenerate fragments from survivors. frags[] holds K+M pointers to len
 * byte buffers, indexed by fragment number. Bit i of @avail says fragment i
 * holds valid data; bit i of @want asks for fragment i to be written.
 *
 * Only the K lowest-numbered available fragments are read, and only the
 * wanted fragments are written; every other pointer may be NULL. Data
 * fragments are preferred as survivors because they come first.
 *
 * Returns 0 on success (also when @want is 0),
 *   -EIO    fewer than K fragments are available (nothing is written),
 *   -EINVAL a mask names a fragment >= K+M, @want overlaps @avail, or a
 *           pointer that would be used is NULL while len > 0.
 */
int leofs_ec_reconstruct(struct leofs_ec *ec, size_t len, u8 *const frags[],
			 u32 avail, u32 want);

/*
 * Regenerate every erased fragment: bit i of @erased marks fragment i as
 * lost, to be rewritten in place; all others are survivors. Same as
 * leofs_ec_reconstruct(ec, len, frags, ~erased & all, erased), so more than
 * M erasures give -EIO.
 */
int leofs_ec_decode(struct leofs_ec *ec, size_t len, u8 *const frags[],
		    u32 erased);

/* Decode table cache counters since init. */
void leofs_ec_cache_stats(struct leofs_ec *ec, u64 *hits, u64 *misses);

#endif /* LEOFS_EC_H */
