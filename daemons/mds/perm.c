// SPDX-License-Identifier: GPL-2.0
/*
 * Permission checks, as a local Linux filesystem makes them
 * (generic_permission() with the caller's uid, gid and groups). uid 0 has
 * every capability: it bypasses read and write checks and directory search,
 * but executes a file only if some execute bit is set.
 */
#include "internal.h"

bool mds_in_group(const struct mds_creds *cr, u32 gid)
{
	u32 i;

	if (cr->gid == gid)
		return true;
	for (i = 0; i < cr->ngroups && i < MDS_MAX_GROUPS; i++)
		if (cr->groups[i] == gid)
			return true;
	return false;
}

bool mds_is_owner(const struct mds_creds *cr, const struct mds_inode *in)
{
	return cr->uid == 0 || cr->uid == in->uid;
}

int mds_permission(const struct mds_creds *cr, const struct mds_inode *in,
		   int mask)
{
	u32 bits;

	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if (cr->uid == 0) {
		if ((mask & MAY_EXEC) && !S_ISDIR(in->mode) &&
		    !(in->mode & 0111))
			return -EACCES;
		return 0;
	}
	if (cr->uid == in->uid)
		bits = in->mode >> 6;
	else if (mds_in_group(cr, in->gid))
		bits = in->mode >> 3;
	else
		bits = in->mode;
	return (mask & ~bits & 7) ? -EACCES : 0;
}

int mds_may_delete(const struct mds_creds *cr, const struct mds_inode *dir,
		   const struct mds_inode *victim)
{
	if (!(dir->mode & S_ISVTX) || cr->uid == 0)
		return 0;
	if (cr->uid == dir->uid || cr->uid == victim->uid)
		return 0;
	return -EPERM;
}
