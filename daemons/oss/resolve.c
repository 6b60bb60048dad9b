// SPDX-License-Identifier: GPL-2.0
/*
 * Which version is a stripe's content, from the states its members report:
 * the rule readers (DEGRADED_READ) and the primary (before it writes a new
 * version) share. A version number is never used for two contents
 * (versions.c); what is left to decide is which version a write that was
 * acknowledged may have used.
 *
 * Versions are taken highest first, committed or prepared alike. One held
 * by at least @need live members (K for EC, one for copies) is the
 * stripe's, and its members that only prepared it are rolled forward: its
 * write may have been acknowledged once members that are down now had
 * committed it, and it can be rebuilt. One held by fewer is passed over
 * when its holders and the members whose state is unknown (down, or
 * answering with an error) are fewer than min_size together: no write is
 * acknowledged before min_size members hold it, so this one never was
 * (a refused write, or one its primary died in). Otherwise nobody can
 * tell yet, and the answer is -EAGAIN until members come back or are
 * replaced: returning an older version could undo an acknowledged write.
 */
#include "leofs/bigbuf.h"
#include "leofs/log.h"
#include "node.h"

/* The highest version below @below that a member holds, or 0. */
static u64 highest_below(const struct oss_pg *pg, const struct oss_member *res,
			 u64 below)
{
	u64 v = 0;
	u32 r;

	for (r = 0; r < pg->width; r++) {
		if (res[r].err)
			continue;
		if (res[r].version < below && res[r].version > v)
			v = res[r].version;
		if (res[r].prepared < below && res[r].prepared > v)
			v = res[r].prepared;
	}
	return v;
}

/* Commit @v on the ranks of @roll; they are to be read again (-EAGAIN). */
static void roll_forward(struct oss_pg *pg, struct oss_member *res, u32 roll,
			 u64 v)
{
	int cres[LEOFS_MAX_FRAGMENTS], ares[LEOFS_MAX_FRAGMENTS];
	u32 r;

	oss_pg_commit(pg, roll, LEOFS_COMMIT, v, cres);
	for (r = 0; r < pg->width; r++) {
		if (!(roll & (1u << r)))
			continue;
		if (cres[r]) {
			if (!leofs_err_is_transport(cres[r]))
				/* staged on another base: it cannot apply */
				oss_pg_commit(pg, 1u << r, LEOFS_ABORT, v,
					      ares);
			res[r].err = cres[r];
			continue;
		}
		oss_node_count(&pg->n->roll_forwards);
		log_notice("ino %llx slot %u stripe %llu: rolled forward version %llu of fragment %u",
			   (unsigned long long)pg->ino, pg->slot,
			   (unsigned long long)pg->stripe,
			   (unsigned long long)v, r);
		/* its data buffer is the old version's: read again */
		leofs_bigbuf_put(res[r].buf);
		res[r].buf = NULL;
		res[r].err = -EAGAIN;
	}
}

s64 oss_pg_resolve(struct oss_pg *pg, struct oss_member *res, u32 need,
		   u32 *current)
{
	u32 min = leofs_layout_min_size(&pg->l), unknown = 0, held, cur, roll;
	u64 below = UINT64_MAX, v;
	u32 r;

	for (r = 0; r < pg->width; r++)
		if (res[r].err)
			unknown++;
	while ((v = highest_below(pg, res, below))) {
		held = cur = roll = 0;
		for (r = 0; r < pg->width; r++) {
			if (res[r].err)
				continue;
			if (res[r].version == v) {
				held++;
				cur |= 1u << r;
			} else if (res[r].prepared == v) {
				held++;
				roll |= 1u << r;
			}
		}
		if (held >= need) {
			if (roll)
				roll_forward(pg, res, roll, v);
			*current = cur;
			return (s64)v;
		}
		if (held + unknown >= min) {
			log_notice("ino %llx slot %u stripe %llu: version %llu is held by %u live members and may be on %u others: waiting for them",
				   (unsigned long long)pg->ino, pg->slot,
				   (unsigned long long)pg->stripe,
				   (unsigned long long)v, held, unknown);
			*current = 0;
			return -EAGAIN;
		}
		below = v;
	}
	/* never written: members with nothing committed hold zeros */
	cur = 0;
	for (r = 0; r < pg->width; r++)
		if (!res[r].err && !res[r].version)
			cur |= 1u << r;
	*current = cur;
	return oss_pg_count(cur) >= need ? 0 : -EIO;
}
