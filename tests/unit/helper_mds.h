/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the MDS unit tests: scratch directories, engines, id lists. */
#ifndef HELPER_MDS_H
#define HELPER_MDS_H

#include <stdbool.h>
#include <stddef.h>

#include "../../daemons/mds/mds.h"

extern const struct mds_creds mds_test_root;

/* A new directory /tmp/leofs-<name>-XXXXXX, its path into dir. */
void mds_test_tmpdir(char *dir, size_t cap, const char *name);
/* Removes dir and everything below it. */
void mds_test_rmtree(const char *dir);

/*
 * An engine on dir serving shards (64 MiB stores), new roots replicated
 * once on pool 1; rcache 0 is the engine's default.
 */
int mds_test_engine(const char *dir, const u16 *shards, u32 n, u32 rcache,
		    struct mds_engine **out);

/* Ids collected by a callback. */
struct mds_test_ids {
	u32 n;
	u64 ids[16];
};

void mds_test_ids_add(u64 id, void *arg); /* arg: struct mds_test_ids */
bool mds_test_ids_has(const struct mds_test_ids *s, u64 id);

#endif /* HELPER_MDS_H */
